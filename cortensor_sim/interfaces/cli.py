"""The ``cortensor-sim`` command line.

Exit codes: 0 success (every expectation held), 1 an expectation failed, 2 bad input (reported as
``file:line:column: field: what`` on stderr), 3 anything unexpected (one line on stderr and the
path of a crash report holding the traceback). Never a bare traceback.

Commands are plain functions registered on ``app`` (``app.command("name")(function)``); the group
class :class:`_Guarded` turns any unexpected exception of any command into exit 3.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup
from typer.exceptions import TyperException

from .. import __version__

if TYPE_CHECKING:  # imported in the commands' bodies: `--help` must not wait for web3, py-evm,
    # solders, pydantic or yaml (docs/startup.md)
    from ..chains import Devnet

if TYPE_CHECKING:
    from ..protocol.demo import TaskOutcome

EXIT_OK, EXIT_EXPECTATION_FAILED, EXIT_BAD_INPUT, EXIT_CRASH = 0, 1, 2, 3
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE, what a shell reports for a command whose reader went away (``... | head``)."""
"""Ctrl-C, as shells report a SIGINT (128 + 2)."""


class _PipeConsole(Console):
    """rich's Console, but a reader that goes away (``... | head``) ends the command with the shell's
    code for a broken pipe, not rich's 1, which here means "an expectation failed"."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError  # the command guard turns it into EXIT_BROKEN_PIPE


console = _PipeConsole()
errors = _PipeConsole(stderr=True)


def write_crash_report(exc: BaseException) -> Path:
    """Save the traceback where the user can attach it to a bug report; returns the file."""
    folder = Path(os.environ.get("CORTENSOR_SIM_CRASH_DIR") or tempfile.gettempdir())
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"cortensor-sim-crash-{stamp}-{os.getpid()}.txt"
    text = (
        f"cortensor-sim {__version__} crashed\n"
        f"command: {' '.join(sys.argv)}\n"
        f"python: {sys.version.split()[0]}\n\n" + "".join(traceback.format_exception(exc))
    )
    try:
        path.write_text(text)
    except OSError:
        path = Path(tempfile.mkstemp(prefix="cortensor-sim-crash-", suffix=".txt")[1])
        path.write_text(text)
    return path


class _Guarded(TyperGroup):
    """Every command runs inside this: an unexpected exception becomes exit 3 and a crash report."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, TyperException):
            raise
        except KeyboardInterrupt:  # not 1: that code means "an expectation failed"
            errors.print("interrupted", highlight=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except BrokenPipeError:  # the reader of stdout went away: not a bug, nothing left to say
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush cannot fail
            raise typer.Exit(EXIT_BROKEN_PIPE) from None
        except Exception as exc:
            report = write_crash_report(exc)
            summary = str(exc).splitlines()[0] if str(exc) else ""
            errors.print(
                f"[bold red]internal error:[/] {type(exc).__name__}: {summary[:200]} "
                f"(a bug: crash report in {report})",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(EXIT_CRASH) from None


app = typer.Typer(
    name="cortensor-sim",
    cls=_Guarded,
    help="A local multi-chain devnet: L1, Base, Arbitrum, an Orbit L3 and Solana in one process.\n\n"
    "Example: cortensor-sim run scenarios/default.yaml",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _show_version(value: bool) -> None:
    if value:
        console.print(f"cortensor-sim {__version__}", highlight=False)
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """A local multi-chain devnet: L1, Base, Arbitrum, an Orbit L3 and Solana in one process.

    Example: cortensor-sim run scenarios/default.yaml
    """


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _open_devnet(topology: Path | None, state: Path | None) -> Devnet:
    from ..chains import Devnet, StateFileError, Topology
    from ..chains.engines import EngineChoiceError
    from ..scenario.source import InputError, load_yaml_model

    if topology is not None and state is not None:
        raise _fail("give --topology or --state, not both")
    try:
        if state is not None:
            return Devnet.load(state)
        if topology is not None:
            return Devnet(load_yaml_model(topology, Topology))
        return Devnet()
    except (InputError, StateFileError, EngineChoiceError) as exc:
        raise _fail(str(exc)) from None


def chains_table(devnet: Devnet) -> Table:
    table = Table(title="cortensor-sim devnet", title_justify="left")
    for column in ("chain", "kind", "parent", "chain id", "block time", "mining", "height"):
        table.add_column(column, justify="right" if column in ("chain id", "height") else "left")
    for spec in devnet.topology.chains:
        chain = devnet.chains[spec.name]
        table.add_row(
            spec.name,
            spec.kind,
            spec.parent or "-",
            str(spec.chain_id) if spec.chain_id is not None else "-",
            f"{spec.block_time:g} s",
            spec.mining if spec.is_evm else "slots",
            str(chain.height),
        )
    return table


def _eth(wei: int) -> str:
    return f"{wei / 10**18:,.4f}"


def accounts_table(devnet: Devnet) -> Table:
    evm = list(devnet.evm_chains.values())
    table = Table(title="funded dev accounts (mnemonic: test test ... junk)", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("address", no_wrap=True, min_width=42)
    accounts = evm[0].accounts if evm else ()
    balances = [[chain.balance(account.address) for chain in evm] for account in accounts]
    same_everywhere = all(len(set(row)) == 1 for row in balances)
    if same_everywhere:
        table.add_column("ETH on each EVM chain", justify="right")
    else:
        for chain in evm:
            table.add_column(f"{chain.name} ETH", justify="right")
    for index, (account, row) in enumerate(zip(accounts, balances, strict=True)):
        shown = [_eth(row[0])] if same_everywhere else [_eth(b) for b in row]
        table.add_row(str(index), account.address, *shown)
    return table


def solana_table(devnet: Devnet) -> Table | None:
    from ..chains import SolanaChain

    solana = [c for c in devnet.chains.values() if isinstance(c, SolanaChain)]
    if not solana:
        return None
    table = Table(title="funded Solana keypairs (derived from the devnet seed)", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("pubkey", no_wrap=True, min_width=44)
    for chain in solana:
        table.add_column(f"{chain.name} SOL", justify="right")
    for index, keypair in enumerate(solana[0].keypairs):
        pubkey = keypair.pubkey()
        table.add_row(str(index), str(pubkey), *[f"{c.balance(pubkey) / 10**9:,.4f}" for c in solana])
    return table


MAX_ADVANCE_SECONDS = 100 * 365 * 86_400
"""A century: the longest single advance accepted from the command line."""


def _advance_option(text: str) -> float:
    """``--advance`` as seconds: ``90``, ``90s``, ``2h``, ``7d``; finite, forward, at most a century."""
    from ..scenario.units import UnitError, parse_duration

    try:
        seconds = parse_duration(text)
    except UnitError as exc:
        raise _fail(f"--advance: {exc}") from None
    if not (math.isfinite(seconds) and 0 <= seconds <= MAX_ADVANCE_SECONDS):
        raise _fail(f"--advance: expected 0 to {MAX_ADVANCE_SECONDS} s (a century), got {text}")
    return seconds


def _dump_option(path: Path | None) -> Path | None:
    if path is not None and (not str(path) or str(path) in (".", "")):
        raise _fail("--dump: expected a file name, got an empty one")
    return path


def devnet(
    topology: Annotated[
        Path | None,
        typer.Option(help="A topology YAML file (default: l1, base, arbitrum, l3, solana)."),
    ] = None,
    state: Annotated[Path | None, typer.Option(help="Start from a state file written by --dump.")] = None,
    advance: Annotated[
        str, typer.Option(help="Advance the clock first: seconds, or a duration such as 90s, 2h, 7d.")
    ] = "0",
    dump: Annotated[Path | None, typer.Option(help="Write the whole devnet state to this file.")] = None,
) -> None:
    """Start a devnet and print its chains and funded accounts.

    Example: cortensor-sim devnet --advance 1h --dump state.devnet.json.gz
    """
    from ..chains import StateFileError

    seconds = _advance_option(advance)
    dump = _dump_option(dump)
    started = time.perf_counter()
    net = _open_devnet(topology, state)
    built = time.perf_counter() - started
    if seconds:
        try:
            net.advance(seconds)
        except ValueError as exc:
            raise _fail(f"--advance: {exc}") from None
    console.print(chains_table(net))
    console.print(accounts_table(net))
    table = solana_table(net)
    if table is not None:
        console.print(table)
    console.print(
        f"built in {built * 1000:.0f} ms; simulated time {net.clock.elapsed:g} s after genesis "
        f"({net.topology.genesis_time})"
    )
    if dump is not None:
        try:
            net.dump(dump)
        except StateFileError as exc:
            raise _fail(f"--dump: {exc}") from None
        except OSError as exc:
            raise _fail(f"{dump}: cannot write: {exc.strerror or exc}") from None
        console.print(f"state written to {dump}")


app.command("devnet")(devnet)


def demo(
    topology: Annotated[
        Path | None, typer.Option(help="A topology YAML file (default: l1, base, arbitrum, l3, solana).")
    ] = None,
) -> None:
    """Run Cortensor on every layer, in seconds.

    Miners staked on l1 and registered from base or Solana, a session's tasks on arbitrum run by
    the actors, a slash and a checkpoint back on l1, a private session on l3 run by the actors.

    Example: cortensor-sim demo
    """
    from ..protocol.demo import DemoFailed, DemoUnsupported, check_demo_devnet, run_demo
    from ..protocol.network import StepFailed

    started = time.perf_counter()
    net = _open_devnet(topology, None)
    try:
        check_demo_devnet(net)
    except DemoUnsupported as exc:
        raise _fail(f"--topology: {exc}") from None
    try:
        report = run_demo(net)
    except (StepFailed, DemoFailed, ValueError) as exc:  # a refused step, or actors out of time
        raise _fail(str(exc), code=1) from None
    elapsed = time.perf_counter() - started

    layers = Table(title="What each layer did", title_justify="left")
    for column in ("chain", "what happened", "blocks", "transactions", "gas"):
        layers.add_column(column, justify="left" if column in ("chain", "what happened") else "right")
    for activity in report.layers.values():
        gas = f"{activity.gas:,}" if activity.blocks else "-"
        blocks = str(activity.blocks) if activity.blocks else "-"
        layers.add_row(
            activity.chain, "\n".join(activity.happened), blocks, f"{activity.transactions:,}", gas
        )
    console.print(layers)

    messages = Table(title="Cross-layer messages (simulated seconds after genesis)", title_justify="left")
    for column in ("carries", "route", "status", "sent", "delivered"):
        messages.add_column(column, justify="right" if column in ("sent", "delivered") else "left")
    genesis_ms = net.clock.now_ms - round(net.clock.elapsed * 1000)
    for what, record in report.messages:
        sent, delivered = record.times.get("sent"), record.times.get(str(record.status))
        messages.add_row(
            what,
            record.route,
            str(record.status),
            f"{(sent - genesis_ms) / 1000:g}" if sent is not None else "-",
            f"{(delivered - genesis_ms) / 1000:g}" if delivered is not None else "-",
        )
    console.print(messages)

    console.print(
        _verdicts(f"Proof of Inference verdicts, session {report.session_id} on arbitrum", report.outcomes)
    )
    title = f"Proof of Inference verdicts, private session {report.private_session} on l3 (on opened results)"
    console.print(_verdicts(title, report.private_outcomes))
    found = ", ".join(sorted({f"{leak.chain} {leak.place}" for leak in report.leaks}))
    console.print(f"private prompts and results readable on any chain: {found or 'none'}")
    slashed = ", ".join(f"{name} {_cor(cor)} COR" for name, cor in report.slashed_on_l1.items() if cor)
    console.print(
        f"slashed on l1: {slashed or 'nothing'}; {len(report.steps)} actor and layer transactions; "
        f"{net.clock.elapsed:g} s simulated in {elapsed:.1f} s"
    )


def _verdicts(title: str, outcomes: Sequence[TaskOutcome]) -> Table:
    """One row per task, one column per miner that voted on any of them."""
    verdicts = Table(title=title, title_justify="left")
    verdicts.add_column("task", justify="right")
    names = sorted({m for outcome in outcomes for m in outcome.verdicts})
    for name in names:
        verdicts.add_column(name)
    for outcome in outcomes:
        shown = [v.name if (v := outcome.verdicts.get(n)) is not None else "-" for n in names]
        verdicts.add_row(str(outcome.task_id), *shown)
    return verdicts


def _cor(amount: int) -> str:
    return f"{amount / 10**18:,.2f}"


app.command("demo")(demo)


# ---------------------------------------------------------------------- scenarios


def _load(file: str) -> Any:
    from ..scenario.loader import load_scenario
    from ..scenario.source import InputError

    try:
        return load_scenario(file)
    except InputError as exc:
        raise _fail(str(exc)) from None


def _writable(option: str, path: Path | None) -> Path | None:
    """Check an output path before a run, so a typo does not cost the run's time."""
    if path is None:
        return None
    if not str(path) or path.is_dir():
        raise _fail(f"{option}: expected a file name, got {str(path) or 'an empty one'!r}")
    if path.exists() and not path.is_file():
        raise _fail(f"{option}: {path} is not a regular file")
    if not path.parent.is_dir():
        raise _fail(f"{option}: {path.parent} is not a directory")
    return path


def _progress_line(run: Any) -> str:
    heights = " ".join(f"{name}#{chain.height}" for name, chain in run.devnet.chains.items())
    in_flight = sum(route["in_flight"] for route in run.bridging.routes().values())
    return f"t+{run.now:g}s  {heights}" + (f"  {in_flight} messages in flight" if in_flight else "")


def run(
    file: Annotated[
        str, typer.Argument(help="A scenario file, or the name of a bundled one (see `list`).")
    ] = "default",
    seed: Annotated[int | None, typer.Option(help="Use this seed instead of the scenario's.", min=0)] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write a JSON report here.")] = None,
    junit: Annotated[
        Path | None, typer.Option(help="Write a JUnit XML report here (one case per expectation).")
    ] = None,
    dump: Annotated[Path | None, typer.Option(help="Save the devnet at the end to this state file.")] = None,
    html: Annotated[
        Path | None, typer.Option(help="Write a self-contained HTML report here (opens offline).")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help="Set a scenario field, NAME=VALUE (YAML), as a sweep does: parameters.redundancy=2."
        ),
    ] = None,
) -> None:
    """Run a scenario: build its devnet, drive its timeline, check its expectations.

    Exit 0 when every expectation held, 1 when one failed, 2 on bad input, 3 on a crash.

    Example: cortensor-sim run scenarios/default.yaml --seed 7 --junit report.xml
    """
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from ..chains import StateFileError
    from ..scenario.report import write_json, write_junit
    from ..scenario.runner import run_scenario

    if seed is not None and seed >= 2**64:
        raise _fail(f"--seed: expected 0 to 2**64 - 1, got {seed}")
    json_path, junit, dump, html = (
        _writable(o, p)
        for o, p in (("--json", json_path), ("--junit", junit), ("--dump", dump), ("--html", html))
    )
    scenario = _load_with(file, set_ or [])
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=errors, transient=True
    ) as progress:
        task = progress.add_task(f"building the devnet for {scenario.name}", total=len(scenario.timeline))

        def on_step(index: int, total: int, step: Any, current: Any) -> None:
            progress.update(
                task, description=f"[{index + 1}/{total}] {step.label()}  {_progress_line(current)}"
            )

        def after_step(index: int, total: int, step: Any, current: Any) -> None:
            progress.advance(task)

        result = run_scenario(scenario, seed=seed, on_step=on_step, after_step=after_step)
    _print_result(result)
    for path, write in ((json_path, write_json), (junit, write_junit), (html, _write_html)):
        if path is not None:
            try:
                write(result, path)
            except OSError as exc:
                raise _fail(f"{path}: cannot write: {exc.strerror or exc}") from None
            console.print(f"report written to {path}", highlight=False)
    if dump is not None:
        try:
            result.run.devnet.dump(dump)
        except (StateFileError, OSError) as exc:
            raise _fail(f"--dump: {exc}") from None
        console.print(f"devnet state written to {dump}", highlight=False)
    if not result.passed:
        raise typer.Exit(EXIT_EXPECTATION_FAILED)


def _load_with(file: str, assignments: list[str]) -> Any:
    """The scenario, with ``--set`` fields applied (a sweep's replay command uses them)."""
    if not assignments:
        return _load(file)
    from ..scenario.source import InputError
    from ..scenario.sweep import SweepError, load_point, parse_assignment

    try:
        return load_point(file, dict(parse_assignment(a) for a in assignments))
    except (SweepError, InputError) as exc:
        raise _fail(str(exc)) from None


def sweep(
    file: Annotated[str, typer.Argument(help="A scenario file, or the name of a bundled one.")],
    out: Annotated[Path, typer.Option(help="Folder for results.csv, results.json and summary.html.")],
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            help="A scenario field and its values, NAME=V1,V2,... (YAML values; repeat for a grid): "
            "parameters.redundancy=1,3 or 'actors.behaviour={},{miner0: dishonest}'.",
        ),
    ] = None,
    seeds: Annotated[int, typer.Option(help="Seeds per grid point: 0 .. N-1.", min=1, max=100_000)] = 1,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: the CPUs).", min=1, max=256)
    ] = None,
    ray: Annotated[
        str | None,
        typer.Option(help="Run on Ray: auto (this machine's cluster), local (a new one) or an ADDRESS."),
    ] = None,
    resume: Annotated[bool, typer.Option(help="Skip the runs whose rows are already in --out.")] = False,
) -> None:
    """Run a scenario over a grid of field values x seeds, in parallel; one row per run.

    A failed run is a row with its error; the sweep goes on. Each row carries the command that
    replays it alone. Exit 0 once every run has its row, 2 on bad input.

    Example: cortensor-sim sweep default --param parameters.redundancy=2,3 --seeds 5 --out sweep/
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..scenario.source import InputError
    from ..scenario.sweep import Sweep, SweepError, parse_parameter

    try:
        parameters = [parse_parameter(p) for p in param or []]
        plan = Sweep(file, parameters, list(range(seeds)), out, workers or os.cpu_count() or 1, ray, resume)
    except (SweepError, InputError) as exc:
        raise _fail(str(exc)) from None
    counts: dict[str, int] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
    ) as progress:
        task = progress.add_task(f"sweep {file}", total=len(plan.specs))

        def on_row(row: dict[str, Any], done: int, total: int) -> None:
            counts[row["outcome"]] = counts.get(row["outcome"], 0) + 1
            progress.update(
                task, completed=done, description=f"sweep {file}: run {row['run']} {row['outcome']}"
            )

        try:
            rows = plan.run(on_row)
        except SweepError as exc:
            raise _fail(str(exc)) from None
    tally = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "nothing left to run"
    console.print(f"{len(rows)} runs ({tally}); results in {out}", highlight=False)


def _write_html(result: Any, path: Path) -> None:
    from ..scenario.html_report import write_html

    write_html(result.record, path)


def _print_result(result: Any) -> None:
    from ..scenario.report import chain_totals, task_summary

    run_ = result.run
    steps = Table(title=f"scenario {run_.scenario.name} (seed {run_.seed})", title_justify="left")
    for column in ("#", "step", "actions", "gas", "sim time"):
        steps.add_column(column, justify="left" if column == "step" else "right")
    for record in run_.steps:
        label = (
            record.label if record.error is None else f"{record.label} [bold red]FAILED[/]: {record.error}"
        )
        steps.add_row(str(record.index), label, str(record.txs), f"{record.gas:,}", f"{record.sim_time:g} s")
    console.print(steps)
    sessions = task_summary(result)
    if sessions:
        table = Table(title="tasks", title_justify="left")
        for column in ("session", "chain", "submitted", "processed", "verdicts", "latency p50/p95/max"):
            table.add_column(column)
        for name, info in sessions.items():
            latency = info["latency_s"]
            shown = f"{latency['p50']:g}/{latency['p95']:g}/{latency['max']:g} s" if latency else "-"
            verdicts = ", ".join(f"{n} {v}" for v, n in info["verdicts"].items()) or "-"
            table.add_row(
                name, info["chain"], str(info["submitted"]), str(info["processed"]), verdicts, shown
            )
        console.print(table)
    chains = Table(title="chains", title_justify="left")
    for column in ("chain", "height", "blocks", "txs", "gas"):
        chains.add_column(column, justify="left" if column == "chain" else "right")
    for name, totals in chain_totals(run_.devnet).items():
        chains.add_row(
            name,
            str(totals["height"]),
            str(totals["blocks"]),
            str(totals["transactions"]),
            f"{totals['gas']:,}",
        )
    console.print(chains)
    routes = run_.bridging.routes()
    if routes:
        crossing = Table(title="cross-chain", title_justify="left")
        for column in ("route", "bridged", "messages", "in flight"):
            crossing.add_column(column, justify="right" if column == "in flight" else "left")
        for route, info in routes.items():
            bridged = ", ".join(info["bridged"].values()) or "-"
            messages = ", ".join(f"{n} {status}" for status, n in info["messages"].items()) or "-"
            crossing.add_row(route, bridged, messages, str(info["in_flight"]))
        console.print(crossing)
    checks = Table(title="expectations", title_justify="left")
    for column in ("", "expectation", "observed"):
        checks.add_column(column)
    for expectation in result.expectations:
        mark = "[green]pass[/]" if expectation.passed else "[bold red]FAIL[/]"
        checks.add_row(mark, expectation.name, expectation.observed)
    console.print(checks)
    verdict = "[green]all expectations held[/]" if result.passed else "[bold red]an expectation failed[/]"
    console.print(
        f"{verdict}; simulated {run_.now:g} s in {result.wall_seconds:.1f} s; trace {run_.trace_hash}",
        highlight=False,
    )


def validate(
    file: Annotated[str, typer.Argument(help="A scenario file, or a bundled scenario's name.")],
) -> None:
    """Check a scenario without running it: YAML, fields, units, topology and every name it uses.

    Example: cortensor-sim validate my-scenario.yaml
    """
    scenario = _load(file)
    chains = ", ".join(c.name for c in scenario.resolved_topology().chains)
    console.print(
        f"{file}: valid scenario {scenario.name!r}: {len(scenario.timeline)} steps, "
        f"{len(scenario.expectations)} expectations, chains {chains}",
        highlight=False,
    )


def list_scenarios() -> None:
    """List the bundled scenarios, one line each (run one with `cortensor-sim run NAME`).

    Example: cortensor-sim list
    """
    from ..scenario.loader import bundled_scenarios, load_scenario
    from ..scenario.source import InputError

    table = Table(title="bundled scenarios", title_justify="left")
    table.add_column("name")
    table.add_column("what it shows")
    for name, path in bundled_scenarios().items():
        try:
            table.add_row(name, load_scenario(path).description)
        except InputError as exc:  # a hand-edited bundled file: say so, list the rest
            table.add_row(name, f"[red]invalid:[/] {exc}")
    console.print(table)


def init(
    file: Annotated[Path, typer.Argument(help="Where to write the starter scenario.")] = Path(
        "scenario.yaml"
    ),
    force: Annotated[bool, typer.Option(help="Overwrite the file if it exists.")] = False,
) -> None:
    """Write a commented starter scenario to edit (then `cortensor-sim run FILE`).

    Example: cortensor-sim init my-scenario.yaml
    """
    from ..scenario.starter import STARTER

    if not str(file) or file.is_dir():
        raise _fail(f"{file or repr('')}: expected a file name")
    if file.exists() and not force:
        raise _fail(f"{file}: exists (use --force to overwrite)")
    try:
        file.write_text(STARTER)
    except OSError as exc:
        raise _fail(f"{file}: cannot write: {exc.strerror or exc}") from None
    console.print(
        f"starter scenario written to {file}; run it with: cortensor-sim run {file}", highlight=False
    )


def schema(
    output: Annotated[
        Path | None, typer.Option(help="Write the schema to this file instead of stdout.")
    ] = None,
) -> None:
    """Print the scenario format's JSON Schema (for editors that complete and check YAML).

    Example: cortensor-sim schema --output scenario.schema.json
    """
    import json

    from ..scenario.schema import json_schema

    text = json.dumps(json_schema(), indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    output = _writable("--output", output)
    assert output is not None
    try:
        output.write_text(text)
    except OSError as exc:
        raise _fail(f"{output}: cannot write: {exc.strerror or exc}") from None


def serve(
    scenario: Annotated[
        str | None,
        typer.Argument(help="A scenario file or bundled name: run it, then serve the devnet it leaves."),
    ] = None,
    setup_only: Annotated[
        bool, typer.Option(help="With a scenario: run only its leading deploy/fund/register_nodes steps.")
    ] = False,
    topology: Annotated[
        Path | None, typer.Option(help="A topology YAML file (default: the default devnet).")
    ] = None,
    load_state: Annotated[
        Path | None,
        typer.Option("--load-state", "--state", help="Start from a state file (--dump-state, dump)."),
    ] = None,
    dump_state: Annotated[
        Path | None, typer.Option(help="Save the whole devnet to this file on Ctrl-C.")
    ] = None,
    host: Annotated[str, typer.Option(help="The address to bind (only there).")] = "127.0.0.1",
    port: Annotated[
        list[str] | None,
        typer.Option(help="CHAIN=PORT, repeatable (defaults: l1=8545 base=9545 arbitrum=9546 l3=9547)."),
    ] = None,
    solana_port: Annotated[int, typer.Option(help="The Solana JSON-RPC port (-1: none).")] = 8899,
    automine: Annotated[
        bool, typer.Option(help="Seal each transaction at once; the clock moves only when asked.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every request.")] = False,
) -> None:
    """Serve every chain over JSON-RPC (HTTP and WebSocket) until Ctrl-C; see docs/serve.md.

    Example: cortensor-sim serve --automine --port l1=8545 --dump-state state.devnet.json.gz

    Example: cortensor-sim serve withdrawal-base-to-l1 --automine
    """
    import asyncio

    from .server.command import PortSpecError, parse_ports, serve_until_interrupted

    if scenario is not None:
        net = _scenario_devnet(scenario, setup_only, topology, load_state)
    elif setup_only:
        raise _fail("--setup-only needs a scenario")
    else:
        net = _open_devnet(topology, load_state)
    try:
        ports = parse_ports(port or [], net)
        asyncio.run(
            serve_until_interrupted(
                net,
                console=console,
                host=host,
                ports=ports,
                solana_port=solana_port if solana_port >= 0 else None,
                automine=automine,
                verbose=verbose,
                dump_state=dump_state,
            )
        )
    except PortSpecError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(
            f"cannot listen on {host}: {exc.strerror or exc} (choose with --port CHAIN=PORT)"
        ) from None


def _scenario_devnet(scenario: str, setup_only: bool, topology: Path | None, state: Path | None) -> Devnet:
    """The devnet a scenario leaves (its own topology and seed), after a summary line."""
    from ..scenario.source import InputError
    from .server.scenario import run_for_serving

    if topology is not None or state is not None:
        raise _fail("a scenario brings its own topology: give a scenario or --topology/--state, not both")
    try:
        served = run_for_serving(scenario, setup_only=setup_only)
    except InputError as exc:
        raise _fail(str(exc)) from None
    console.print(served.summary, highlight=False)
    return served.devnet


app.command("run")(run)
app.command("sweep")(sweep)
app.command("validate")(validate)
app.command("list")(list_scenarios)
app.command("init")(init)
app.command("schema")(schema)
app.command("serve")(serve)
