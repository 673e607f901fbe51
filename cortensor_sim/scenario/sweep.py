"""Parameter sweeps: one scenario over a grid of field values and seeds, one table row per run.

A protocol designer asks how latency, miner earnings or the share of wrong answers move as a
parameter moves, over many seeds. A sweep answers with the real contracts: every point of the grid
(each combination of ``--param`` values, times each seed) is a whole scenario run on a fresh devnet,
in a worker process (``concurrent.futures``) or on a Ray cluster. Each row holds the run's
parameters, seed, trace hash, outcome, metrics (:mod:`.record`), its error if it failed, and the
command that replays it alone (``cortensor-sim run FILE --seed S --set NAME=VALUE ...``).

A run that fails or crashes is a row with its error; the sweep goes on. The table is rewritten
after every row, so ``--resume`` picks up where an interrupted sweep stopped.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import multiprocessing
import shlex
import statistics
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .html_report import write_sweep_summary
from .loader import _topology, check_names, find_scenario, load_scenario
from .runner import run_scenario
from .schema import Scenario
from .source import InputError, parse_yaml, read_text

FORMAT = "cortensor-sim-sweep"
RESULTS_JSON, RESULTS_CSV, SUMMARY_HTML = "results.json", "results.csv", "summary.html"


class SweepError(ValueError):
    """Bad sweep input (a parameter name or value, an output folder): the CLI's exit 2."""


# ---------------------------------------------------------------------- the grid


@dataclass(frozen=True)
class Parameter:
    """A scenario field (dotted: ``parameters.redundancy``, ``actors.behaviour.miner1``) and its values."""

    name: str
    values: tuple[Any, ...]


def parse_parameter(text: str) -> Parameter:
    """``NAME=V1,V2,...``: the values are read as one YAML flow sequence, so ``1,2``, ``0 COR,50 COR``
    and ``{},{miner0: dishonest}`` all work (commas inside braces or brackets stay in their value)."""
    name, equals, values = text.partition("=")
    name = name.strip()
    if not equals or not name or not values.strip():
        raise SweepError(f"--param {text!r}: expected NAME=V1,V2,... (such as parameters.redundancy=1,3)")
    try:
        parsed = yaml.safe_load(f"[{values}]")
    except yaml.YAMLError as exc:
        raise SweepError(f"--param {name}: cannot read the values {values!r}: {_yaml_problem(exc)}") from None
    if not isinstance(parsed, list) or not parsed or any(v is None for v in parsed):
        raise SweepError(f"--param {name}: expected one or more values separated by commas, got {values!r}")
    return Parameter(name, tuple(parsed))


def parse_assignment(text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` (``run --set``): the value is read as YAML, as in a scenario file."""
    name, equals, value = text.partition("=")
    name = name.strip()
    if not equals or not name or not value.strip():
        raise SweepError(f"--set {text!r}: expected NAME=VALUE (such as parameters.redundancy=2)")
    try:
        return name, yaml.safe_load(value)
    except yaml.YAMLError as exc:
        raise SweepError(f"--set {name}: cannot read the value {value!r}: {_yaml_problem(exc)}") from None


def _yaml_problem(exc: yaml.YAMLError) -> str:
    return str(getattr(exc, "problem", None) or exc).splitlines()[0]


def shown(value: Any) -> str:
    """A value as one compact JSON text: the replay command's ``--set`` value and the tables' label."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep: the grid point (field values) and the seed."""

    index: int
    scenario: str
    parameters: dict[str, Any]
    seed: int

    @property
    def key(self) -> str:
        """What identifies the run across a resume: its field values and seed."""
        return shown([self.parameters, self.seed])

    @property
    def command(self) -> str:
        """The shell command that replays this run alone."""
        sets = [part for n, v in self.parameters.items() for part in ("--set", f"{n}={shown(v)}")]
        return shlex.join(["cortensor-sim", "run", self.scenario, "--seed", str(self.seed), *sets])


def grid(scenario: str, parameters: Sequence[Parameter], seeds: Sequence[int]) -> list[RunSpec]:
    """Every combination of the parameters' values, each with every seed, in a stable order."""
    names = [p.name for p in parameters]
    if len(set(names)) != len(names):
        raise SweepError(f"--param: a field is named twice ({', '.join(names)})")
    points = product(*(p.values for p in parameters))
    runs = [(dict(zip(names, point, strict=True)), seed) for point in points for seed in seeds]
    return [RunSpec(i, scenario, values, seed) for i, (values, seed) in enumerate(runs)]


# ---------------------------------------------------------------------- a scenario with fields set


def with_field(data: Any, name: str, value: Any) -> Any:
    """A copy of a scenario's YAML data with the field at dotted ``name`` set to ``value``; missing
    mappings on the way are created (``parameters`` need not be in the file), list items are named
    by their index (``timeline.5.count``)."""
    data = copy.deepcopy(data)
    parts = name.split(".")
    if not all(parts):
        raise SweepError(f"{name}: expected a dotted field name such as parameters.redundancy")
    node = data
    for depth, part in enumerate(parts):
        where = ".".join(parts[: depth + 1])
        last = depth == len(parts) - 1
        if isinstance(node, dict):
            if last:
                node[part] = value
            else:
                child = node.get(part)
                node = node.setdefault(part, {}) if child is None else child
        elif isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise SweepError(f"{name}: {where}: expected an index below {len(node)}")
            if last:
                node[int(part)] = value
            else:
                node = node[int(part)]
        else:
            raise SweepError(f"{name}: {'.'.join(parts[:depth])} holds a value, not fields")
    return data


def load_point(scenario: str | Path, values: Mapping[str, Any]) -> Scenario:
    """The scenario with ``values`` set (field name -> value), validated and cross-checked as
    :func:`.loader.load_scenario` does; a bad name or value raises :class:`SweepError`."""
    if not values:
        return load_scenario(scenario)
    path = find_scenario(scenario)
    root, data = parse_yaml(path, read_text(path))
    if not isinstance(data, dict):
        return load_scenario(scenario)  # reports what is wrong with the file itself
    for name, value in values.items():
        data = with_field(data, name, value)
    setting = ", ".join(f"{n}={shown(v)}" for n, v in values.items())
    try:
        point = Scenario.model_validate(data)
    except ValidationError as exc:
        raise SweepError(f"{setting}: {_validation_problem(exc)}") from None
    try:
        point._topology = _topology(path, root, point)
        check_names(path, root, point, point._topology)
    except InputError as exc:
        raise SweepError(f"{setting}: {f'{exc.field}: ' if exc.field else ''}{exc.message}") from None
    return point


def _validation_problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"{where}: no such field"
    return f"{where}: {error['msg']}"


# ---------------------------------------------------------------------- one run


def execute(spec: RunSpec) -> dict[str, Any]:
    """Run one grid point in this process on a fresh devnet; never raises: a failure is the row's error."""
    started = time.perf_counter()
    row: dict[str, Any] = {
        "run": spec.index,
        "seed": spec.seed,
        "parameters": spec.parameters,
        "outcome": "error",
        "trace_hash": None,
        "metrics": {},
        "error": None,
        "command": spec.command,
    }
    try:
        result = run_scenario(load_point(spec.scenario, spec.parameters), seed=spec.seed)
        row["outcome"] = "passed" if result.passed else "failed"
        row["trace_hash"] = result.run.trace_hash
        row["metrics"] = result.record.metrics
        if result.failed_step is not None:
            step = result.failed_step
            row["error"] = f"step {step.index} ({step.label}): {step.error}"
    except Exception as exc:  # a crash of one run is that run's row, never the end of the sweep
        row["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    row["wall_seconds"] = round(time.perf_counter() - started, 3)
    return row


def error_row(spec: RunSpec, exc: BaseException) -> dict[str, Any]:
    """The row of a run whose worker itself died (a killed process, a lost Ray node)."""
    return {
        "run": spec.index,
        "seed": spec.seed,
        "parameters": spec.parameters,
        "outcome": "error",
        "trace_hash": None,
        "metrics": {},
        "error": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'the worker died'}",
        "command": spec.command,
        "wall_seconds": 0.0,
    }


# ---------------------------------------------------------------------- executors


def in_processes(specs: Sequence[RunSpec], workers: int) -> Iterator[dict[str, Any]]:
    """Rows as worker processes finish them. Workers are spawned (not forked), so each starts clean."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures: dict[Future[dict[str, Any]], RunSpec] = {pool.submit(execute, s): s for s in specs}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:
                yield error_row(futures[future], exc)


def on_ray(specs: Sequence[RunSpec], address: str) -> Iterator[dict[str, Any]]:
    """Rows as Ray tasks finish them, on the cluster at ``address`` (``auto``: the one this machine
    runs or ``RAY_ADDRESS`` names; ``local``: a new one in this process), or on the cluster this
    process already joined with ``ray.init``."""
    try:
        import ray
    except ImportError:
        raise SweepError("--ray needs Ray: pip install 'cortensor-sim[ray]'") from None
    if not ray.is_initialized():
        try:
            ray.init(address=None if address == "local" else address, log_to_driver=False)
        except (ConnectionError, ValueError, RuntimeError) as exc:
            raise SweepError(f"--ray {address}: cannot join the cluster: {exc}") from None
    remote = ray.remote(execute)
    pending = {remote.remote(spec): spec for spec in specs}
    waiting = list(pending)
    while waiting:
        done, waiting = ray.wait(waiting, num_returns=1)
        for ref in done:
            try:
                yield ray.get(ref)
            except Exception as exc:
                yield error_row(pending[ref], exc)


# ---------------------------------------------------------------------- the sweep


class SweepRows(list[dict[str, Any]]):
    """The sweep's rows, in grid order."""

    def table(self) -> list[dict[str, Any]]:
        """Flat rows: run, seed, one column per parameter, outcome, trace hash, one per metric,
        error, wall time and the replay command (what ``results.csv`` holds)."""
        return flat_rows(self)

    def to_dataframe(self) -> Any:
        """The flat table as a pandas DataFrame (needs pandas: ``pip install 'cortensor-sim[pandas]'``)."""
        try:
            import pandas
        except ImportError:
            raise ImportError("to_dataframe needs pandas: pip install 'cortensor-sim[pandas]'") from None
        return pandas.DataFrame(self.table())


def flat_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows = list(rows)
    metric_names = list(dict.fromkeys(name for row in rows for name in row["metrics"]))
    flat = []
    for row in rows:
        parameters = {
            name: value if isinstance(value, str | int | float) else shown(value)
            for name, value in row["parameters"].items()
        }
        flat.append(
            {
                "run": row["run"],
                "seed": row["seed"],
                **parameters,
                "outcome": row["outcome"],
                "trace_hash": row["trace_hash"],
                **{name: row["metrics"].get(name) for name in metric_names},
                "error": row["error"],
                "wall_seconds": row["wall_seconds"],
                "command": row["command"],
            }
        )
    return flat


@dataclass
class Sweep:
    """What to run: a scenario (file or bundled name), its parameters and seeds, and where to."""

    scenario: str
    parameters: list[Parameter]
    seeds: list[int]
    out: Path | None = None
    workers: int = 1
    ray: str | None = None
    resume: bool = False
    specs: list[RunSpec] = field(init=False)

    def __post_init__(self) -> None:
        if not self.seeds:
            raise SweepError("--seeds: expected at least one seed")
        if self.workers < 1:
            raise SweepError(f"--workers: expected 1 or more, got {self.workers}")
        self.specs = grid(self.scenario, self.parameters, self.seeds)
        for spec in self.specs[:: len(self.seeds)]:  # one check per grid point, before any run
            load_point(self.scenario, spec.parameters)
        if self.out is not None:
            if self.out.exists() and not self.out.is_dir():
                raise SweepError(f"--out: {self.out} is not a directory")
            if (self.out / RESULTS_JSON).exists() and not self.resume:
                raise SweepError(f"--out: {self.out} already holds a sweep's results (--resume continues it)")

    def previous_rows(self) -> dict[str, dict[str, Any]]:
        """Rows of an earlier sweep into the same folder, by run key (for ``--resume``)."""
        if not self.resume or self.out is None or not (self.out / RESULTS_JSON).exists():
            return {}
        try:
            saved = json.loads((self.out / RESULTS_JSON).read_text())
            rows = saved["rows"]
            return {shown([r["parameters"], r["seed"]]): r for r in rows}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SweepError(f"--resume: cannot read {self.out / RESULTS_JSON}: {exc}") from None

    def run(self, on_row: Callable[[dict[str, Any], int, int], None] | None = None) -> SweepRows:
        previous = self.previous_rows()
        rows: dict[int, dict[str, Any]] = {}
        for spec in self.specs:
            if spec.key in previous:
                rows[spec.index] = previous[spec.key] | {"run": spec.index, "command": spec.command}
        todo = [s for s in self.specs if s.index not in rows]
        if self.out is not None:
            self.out.mkdir(parents=True, exist_ok=True)
        if todo:
            found = on_ray(todo, self.ray) if self.ray else in_processes(todo, min(self.workers, len(todo)))
            for row in found:
                rows[row["run"]] = row
                self.save(rows)
                if on_row is not None:
                    on_row(row, len(rows), len(self.specs))
        result = SweepRows(rows[i] for i in sorted(rows))
        self.save(rows)
        if self.out is not None:
            write_sweep_summary(self.out / SUMMARY_HTML, self.scenario, len(self.seeds), summaries(result))
        return result

    def save(self, rows: Mapping[int, dict[str, Any]]) -> None:
        """Rewrite results.json and results.csv with the rows so far (what a resume reads back)."""
        if self.out is None:
            return
        ordered = [rows[i] for i in sorted(rows)]
        document = {
            "format": FORMAT,
            "version": 1,
            "scenario": self.scenario,
            "parameters": {p.name: list(p.values) for p in self.parameters},
            "seeds": self.seeds,
            "rows": ordered,
        }
        _replace(self.out / RESULTS_JSON, json.dumps(document, indent=2) + "\n")
        _replace(self.out / RESULTS_CSV, csv_text(flat_rows(ordered)))


def csv_text(table: list[dict[str, Any]]) -> str:
    if not table:
        return ""
    columns = list(dict.fromkeys(name for row in table for name in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(table)
    return buffer.getvalue()


def _replace(path: Path, text: str) -> None:
    """Write whole or not at all: an interrupted sweep leaves the previous table readable."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text)
    partial.replace(path)


def run_sweep(
    scenario: str | Path,
    parameters: Mapping[str, Sequence[Any]] | Sequence[str],
    seeds: int | Sequence[int] = 1,
    *,
    workers: int = 1,
    ray: str | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    on_row: Callable[[dict[str, Any], int, int], None] | None = None,
) -> SweepRows:
    """Run ``scenario`` over the grid of ``parameters`` (field name -> values, or ``NAME=V1,V2``
    texts) times ``seeds`` (a count: seeds 0..N-1, or the seeds themselves); returns one row per run
    in grid order, and writes results.json, results.csv and summary.html into ``out`` if given."""
    if isinstance(parameters, Mapping):
        chosen = [Parameter(name, tuple(values)) for name, values in parameters.items()]
    else:
        chosen = [parse_parameter(text) for text in parameters]
    seed_list = list(range(seeds)) if isinstance(seeds, int) else list(seeds)
    sweep = Sweep(str(scenario), chosen, seed_list, None if out is None else Path(out), workers, ray, resume)
    return sweep.run(on_row)


# ---------------------------------------------------------------------- summaries


def summaries(rows: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Per parameter, per metric: its :func:`spread` over the parameter's values."""
    parameters = list(dict.fromkeys(name for row in rows for name in row["parameters"]))
    metrics = list(dict.fromkeys(name for row in rows for name in row["metrics"]))
    return {p: {m: spread(rows, p, m) for m in metrics} for p in parameters}


def spread(rows: Sequence[Mapping[str, Any]], parameter: str, metric: str) -> list[dict[str, Any]]:
    """Per value of ``parameter`` (in grid order): the metric's mean, standard deviation, min, max
    and the number of runs that measured it (over seeds and the other parameters' values)."""
    groups: dict[str, list[float]] = {}
    for row in rows:
        label = shown(row["parameters"][parameter])
        value = row["metrics"].get(metric)
        groups.setdefault(label, [])
        if isinstance(value, int | float):
            groups[label].append(float(value))
    return [
        {
            "value": label,
            "runs": len(values),
            "mean": statistics.fmean(values) if values else None,
            "stdev": statistics.pstdev(values) if values else None,
            "min": min(values) if values else None,
            "max": max(values) if values else None,
        }
        for label, values in groups.items()
    ]
