"""The HTML run report, opened in a real headless Chromium (the system's, driven by playwright).

The report of the bundled withdrawal-base-to-l1 scenario is written by ``cortensor-sim run --html``;
the browser must draw one timeline trace per message the engine recorded, on the lanes of its
source and destination chains with its final status, and log no console error. The screenshot is
kept under pytest's tmp path (its path is printed: ``pytest -s`` shows it).
"""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cortensor_sim.interfaces.cli import app
from cortensor_sim.scenario.html_report import render, render_sweep_summary, write_html
from cortensor_sim.scenario.loader import load_scenario
from cortensor_sim.scenario.record import RunRecord
from cortensor_sim.scenario.runner import run_scenario

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="module")
def withdrawal(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunRecord]:
    """The bundled withdrawal scenario run once, its report written, and its record."""
    page = tmp_path_factory.mktemp("html-report") / "report.html"
    record = run_scenario(load_scenario("withdrawal-base-to-l1")).record
    write_html(record, page)
    return page, record


@pytest.mark.slow
def test_run_html_option_writes_the_report(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    outcome = CliRunner().invoke(app, ["run", "withdrawal-base-to-l1", "--html", str(page)])
    assert outcome.exit_code == 0, outcome.output
    assert "report written to" in outcome.output
    assert 'id="timeline"' in page.read_text()


def test_run_html_option_refuses_a_folder_before_running(tmp_path: Path) -> None:
    outcome = CliRunner().invoke(app, ["run", "withdrawal-base-to-l1", "--html", str(tmp_path)])
    assert outcome.exit_code == 2
    assert "--html: expected a file name" in outcome.output


class ExternalReferences(HTMLParser):
    """Every attribute of the page's own tags that would load something from elsewhere."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith(("#", "data:")):
                self.found.append(f"<{tag} {name}={value}>")


def test_report_is_self_contained(withdrawal: tuple[Path, RunRecord]) -> None:
    page, record = withdrawal
    text = page.read_text()
    parser = ExternalReferences()
    parser.feed(text)
    assert parser.found == []
    assert "Plotly" in text  # plotly.js itself is in the page
    assert record.trace_hash in text
    for message in record.messages:
        assert f'data-message="{message.id}"' in text


def test_sweep_summary_without_parameters_says_so() -> None:
    assert 'id="no-parameters"' in render_sweep_summary("small", 3, {})


def test_report_without_messages_says_so() -> None:
    record = RunRecord("quiet", 0, True, "00" * 32, 0, 0.0, 0.0, ["l1"], [], [])
    text = render(record)
    assert 'id="no-messages"' in text and 'id="timeline"' not in text


def test_timeline_in_chromium_shows_every_message(withdrawal: tuple[Path, RunRecord], tmp_path: Path) -> None:
    browser_path = chromium()
    if browser_path is None:
        pytest.skip("no chromium found (Debian: apt-get install chromium)")
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    page_path, record = withdrawal
    assert len(record.messages) == 3  # two deposits and a withdrawal
    problems: list[str] = []
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.goto(page_path.as_uri())
            page.wait_for_function(
                "() => { const g = document.getElementById('timeline'); return g && g._fullLayout; }",
                timeout=60_000,
            )
            drawn: list[dict[str, Any]] = page.evaluate(
                """() => {
                    const g = document.getElementById('timeline');
                    const lanes = g._fullLayout.yaxis._categories;
                    return g._fullData.filter(t => t.meta && t.meta.id).map(t => ({
                        id: t.meta.id, status: t.meta.status, y: Array.from(t.y), texts: Array.from(t.text),
                        lanes: lanes, shown: t.visible === true,
                    }));
                }"""
            )
            traces = page.evaluate("() => document.querySelectorAll('#timeline .scatterlayer .trace').length")
            screenshot = tmp_path / "withdrawal-base-to-l1.png"
            page.screenshot(path=str(screenshot), full_page=True)
            print(f"screenshot of the report: {screenshot}")
        finally:
            browser.close()
    assert problems == []
    assert traces == len(record.messages) + 1  # one per message, and the lanes' anchor trace
    by_id = {d["id"]: d for d in drawn}
    assert set(by_id) == {m.id for m in record.messages}
    for message in record.messages:
        shown = by_id[message.id]
        assert shown["shown"]
        assert shown["status"] == message.status
        assert shown["y"][0] == message.source
        assert set(shown["y"][1:]) == {message.destination}
        assert shown["texts"] == list(message.statuses)
        assert {"l1", "base"} <= set(shown["lanes"])
    withdrawal_trace = next(d for d in drawn if d["y"][0] == "base")
    assert withdrawal_trace["texts"][:3] == ["sent", "proposed", "proven"]
    assert withdrawal_trace["status"] in ("finalized", "relayed")
