"""A run's story as one self-contained HTML page: ``cortensor-sim run FILE --html PATH``.

The page holds the summary and expectations, a timeline of cross-layer messages (one lane per
chain, each message drawn from its send on the source chain to its delivery on the destination,
with a point at every status it reached), the task latency distribution, gas and transactions per
chain over simulated time, and what each miner was paid and slashed. Charts are plotly figures;
plotly's JavaScript is inlined once in the page's head, so the file opens with no network.
The page is drawn from a :class:`~.record.RunRecord` only, so a sweep's runs can be drawn too.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from .record import COR, RunRecord

STATUS_COLOURS = {
    "sent": "#1a73e8",
    "included": "#12b5cb",
    "proposed": "#f9ab00",
    "proven": "#e37400",
    "finalizable": "#9334e6",
    "finalized": "#137333",
    "relayed": "#137333",
    "failed": "#c5221f",
}
"""One colour per message status; the line of a message takes the colour of its current status."""

CHART_CONFIG = {"displaylogo": False, "responsive": True}


def number(value: float) -> str:
    """A metric as people read it: whole numbers with thousands separators, others to 6 digits."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6g}"


@cache
def templates() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("cortensor_sim.scenario", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["number"] = number
    return environment


def chart(figure: go.Figure, div_id: str) -> str:
    """A figure as a ``<div>`` and its script; the page supplies plotly.js once."""
    return pio.to_html(figure, full_html=False, include_plotlyjs=False, div_id=div_id, config=CHART_CONFIG)


def timeline_figure(record: RunRecord) -> go.Figure:
    """One lane per chain; each message a line from its send (on the source lane) through every
    later status (on the destination lane, where the proofs, windows and deliveries happen)."""
    figure = go.Figure()
    for message in record.messages:
        xs, ys, labels = [], [], []
        for status, at in message.statuses.items():
            xs.append(record.iso(at))
            ys.append(message.source if status == "sent" else message.destination)
            labels.append(status)
        figure.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines+markers+text",
                text=labels,
                textposition="top center",
                name=f"{message.kind} {message.route}: {message.status}",
                meta={
                    "id": message.id,
                    "source": message.source,
                    "destination": message.destination,
                    "status": message.status,
                },
                line={"color": STATUS_COLOURS.get(message.status, "#5f6368"), "width": 2},
                marker={"size": 9, "color": [STATUS_COLOURS.get(s, "#5f6368") for s in labels]},
                hovertemplate=f"{message.id[:18]}<br>%{{text}} on %{{y}}<br>%{{x}}<extra></extra>",
            )
        )
    figure.update_layout(
        title="Messages between chains (simulated time)",
        yaxis={"categoryorder": "array", "categoryarray": list(reversed(record.chains)), "type": "category"},
        xaxis={"title": "simulated time"},
        height=180 + 60 * len(record.chains),
        legend={"orientation": "h", "y": -0.25},
    )
    # Every chain gets its lane, even one no message touched.
    figure.add_trace(
        go.Scatter(
            x=[record.iso(0)] * len(record.chains),
            y=record.chains,
            mode="markers",
            marker={"opacity": 0},
            showlegend=False,
            hoverinfo="skip",
            meta={"lanes": True},
        )
    )
    return figure


def latency_figure(record: RunRecord) -> go.Figure:
    figure = go.Figure()
    for session in dict.fromkeys(t.session for t in record.tasks):
        figure.add_trace(
            go.Histogram(
                x=[t.latency for t in record.tasks if t.session == session], name=f"session {session}"
            )
        )
    figure.update_layout(
        title="Task latency, submit to payment",
        xaxis={"title": "seconds (simulated)"},
        yaxis={"title": "tasks"},
        barmode="overlay",
        height=320,
    )
    return figure


def activity_figure(record: RunRecord) -> go.Figure:
    """Cumulative gas per chain, and transactions per block, against simulated time."""
    figure = make_subplots(
        rows=2, cols=1, shared_xaxes=True, subplot_titles=("cumulative gas", "transactions per block")
    )
    for chain in record.chains:
        blocks = [b for b in record.blocks if b.chain == chain]
        if not blocks:
            continue
        times = [record.iso(b.at) for b in blocks]
        cumulative, total = [], 0
        for block in blocks:
            total += block.gas
            cumulative.append(total)
        figure.add_trace(
            go.Scatter(x=times, y=cumulative, name=chain, legendgroup=chain, line={"shape": "hv"}),
            row=1,
            col=1,
        )
        figure.add_trace(
            go.Scatter(
                x=times,
                y=[b.transactions for b in blocks],
                name=chain,
                legendgroup=chain,
                mode="markers",
                showlegend=False,
                customdata=[b.number for b in blocks],
                hovertemplate=f"{chain} block %{{customdata}}<br>%{{y}} txs<extra></extra>",
            ),
            row=2,
            col=1,
        )
    figure.update_layout(title="Gas and transactions per chain", height=520)
    return figure


def miners_figure(record: RunRecord) -> go.Figure:
    names = [m.miner for m in record.miners]
    figure = go.Figure(
        [
            go.Bar(x=names, y=[m.paid / COR for m in record.miners], name="paid", marker_color="#137333"),
            go.Bar(
                x=names, y=[-m.slashed / COR for m in record.miners], name="slashed", marker_color="#c5221f"
            ),
        ]
    )
    figure.update_layout(
        title="Miner earnings (paid) and penalties (slashed)",
        yaxis={"title": "COR"},
        barmode="relative",
        height=360,
    )
    return figure


def render(record: RunRecord) -> str:
    """The report page of one run."""
    figures: dict[str, Any] = {
        "timeline": chart(timeline_figure(record), "timeline") if record.messages else "",
        "latency": chart(latency_figure(record), "latency") if record.tasks else "",
        "activity": chart(activity_figure(record), "activity") if record.blocks else "",
        "miners": chart(miners_figure(record), "miners")
        if any(m.paid or m.slashed for m in record.miners)
        else "",
    }
    return (
        templates()
        .get_template("run.html.j2")
        .render(
            title=f"cortensor-sim: {record.scenario} (seed {record.seed})",
            plotly_js=get_plotlyjs(),
            r=record,
            figures=figures,
        )
    )


def write_html(record: RunRecord, path: Path) -> None:
    path.write_text(render(record), encoding="utf-8")


# ---------------------------------------------------------------------- a sweep's summary


def spread_figure(parameter: str, by_metric: dict[str, list[dict[str, Any]]]) -> go.Figure:
    """One small chart per metric that moved: its mean over seeds at each of the parameter's
    values, with the standard deviation as error bars and the min..max range as a band of points."""
    names = list(by_metric)
    columns = 3
    rows = max(1, -(-len(names) // columns))
    figure = make_subplots(rows=rows, cols=columns, subplot_titles=names, vertical_spacing=0.5 / rows)
    for index, metric in enumerate(names):
        points = [p for p in by_metric[metric] if p["mean"] is not None]
        row, col = index // columns + 1, index % columns + 1
        figure.add_trace(
            go.Scatter(
                x=[p["value"] for p in points],
                y=[p["mean"] for p in points],
                error_y={"type": "data", "array": [p["stdev"] for p in points], "visible": True},
                mode="lines+markers",
                name=metric,
                showlegend=False,
                customdata=[[p["min"], p["max"], p["runs"]] for p in points],
                hovertemplate="%{x}: mean %{y:.4g} ± %{error_y.array:.3g}<br>"
                "min %{customdata[0]:.4g}, max %{customdata[1]:.4g}, %{customdata[2]} runs<extra></extra>",
            ),
            row=row,
            col=col,
        )
        figure.update_xaxes(type="category", row=row, col=col)
    figure.update_layout(title=f"Metrics against {parameter} (mean ± standard deviation)", height=260 * rows)
    return figure


def render_sweep_summary(
    scenario: str, seeds: int, summaries: dict[str, dict[str, list[dict[str, Any]]]]
) -> str:
    """The summary page of a sweep: per parameter, each metric that moved against its values."""
    sections = []
    for index, (parameter, by_metric) in enumerate(summaries.items()):
        moved = {m: points for m, points in by_metric.items() if _moved(points)}
        steady = {m: points[0]["mean"] for m, points in by_metric.items() if m not in moved and points}
        sections.append(
            {
                "parameter": parameter,
                "chart": chart(spread_figure(parameter, moved), f"sweep-{index}") if moved else "",
                "moved": moved,
                "steady": steady,
            }
        )
    return (
        templates()
        .get_template("sweep.html.j2")
        .render(
            title=f"cortensor-sim sweep: {scenario}",
            plotly_js=get_plotlyjs(),
            scenario=scenario,
            seeds=seeds,
            sections=sections,
        )
    )


def _moved(points: list[dict[str, Any]]) -> bool:
    """Whether a metric took more than one value anywhere in the sweep."""
    values = {p[k] for p in points for k in ("min", "max") if p[k] is not None}
    return len(values) > 1


def write_sweep_summary(
    path: Path, scenario: str, seeds: int, summaries: dict[str, dict[str, list[dict[str, Any]]]]
) -> None:
    path.write_text(render_sweep_summary(scenario, seeds, summaries), encoding="utf-8")
