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
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup
from typer.exceptions import TyperException

from .. import __version__
from ..chains import Devnet, StateFileError, Topology
from ..scenario.source import InputError, load_yaml_model
from ..scenario.units import UnitError, parse_duration

EXIT_OK, EXIT_EXPECTATION_FAILED, EXIT_BAD_INPUT, EXIT_CRASH = 0, 1, 2, 3

console = Console()
errors = Console(stderr=True)


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
    help="A local multi-chain devnet: L1, Base, Arbitrum, an Orbit L3 and Solana in one process.",
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
    if topology is not None and state is not None:
        raise _fail("give --topology or --state, not both")
    try:
        if state is not None:
            return Devnet.load(state)
        if topology is not None:
            return Devnet(load_yaml_model(topology, Topology))
        return Devnet()
    except (InputError, StateFileError) as exc:
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
    chain: Annotated[str, typer.Option(help="The chain that hosts sessions and tasks.")] = "arbitrum",
    settlement: Annotated[str, typer.Option(help="The chain that receives the checkpoint.")] = "l1",
) -> None:
    """Run Cortensor end to end: deploy, stake nodes, run a session's tasks, validate, pay, refund.

    Example: cortensor-sim demo --topology scenarios/topologies/two-orbits.yaml --chain acme
    """
    from ..protocol.demo import DemoUnsupported, check_demo_devnet, run_demo
    from ..protocol.network import StepFailed

    started = time.perf_counter()
    net = _open_devnet(topology, None)
    try:
        check_demo_devnet(net, chain, settlement)
    except DemoUnsupported as exc:
        raise _fail(f"--chain/--settlement/--topology: {exc}") from None
    try:
        report = run_demo(net, chain=chain, settlement=settlement)
    except StepFailed as exc:
        raise _fail(str(exc), code=1) from None
    elapsed = time.perf_counter() - started

    steps = Table(title=f"Cortensor session {report.session_id} on {report.chain}", title_justify="left")
    for column in ("#", "actor", "action", "chain", "block", "gas"):
        steps.add_column(column, justify="right" if column in ("#", "block", "gas") else "left")
    for index, step in enumerate(report.steps, start=1):
        steps.add_row(str(index), step.actor, step.action, step.chain, str(step.block), f"{step.gas_used:,}")
    console.print(steps)

    verdicts = Table(title="Proof of Inference verdicts", title_justify="left")
    verdicts.add_column("task", justify="right")
    names = sorted({m for outcome in report.outcomes for m in outcome.verdicts})
    for name in names:
        verdicts.add_column(name)
    for outcome in report.outcomes:
        verdicts.add_row(str(outcome.task_id), *[outcome.verdicts.get(n, "-").name for n in names])  # type: ignore[union-attr]
    console.print(verdicts)

    balances = Table(title="COR balances", title_justify="left")
    for column in ("holder", "before", "after", "change"):
        balances.add_column(column, justify="left" if column == "holder" else "right")
    for holder, before in report.balances_before.items():
        after = report.balances_after[holder]
        balances.add_row(holder, _cor(before), _cor(after), _cor(after - before, signed=True))
    balances.add_row(
        "total", _cor(sum(report.balances_before.values())), _cor(sum(report.balances_after.values())), ""
    )
    console.print(balances)
    status = "[green]holds[/]" if report.conserved else "[bold red]BROKEN[/]"
    console.print(
        f"COR supply {_cor(report.total_supply)}: conservation {status}; checkpoint posted on "
        f"{report.settlement_chain} in block {report.checkpoint_block}; {len(report.steps)} steps "
        f"in {elapsed:.1f} s"
    )
    if not report.conserved:
        raise typer.Exit(1)


def _cor(amount: int, *, signed: bool = False) -> str:
    text = f"{amount / 10**18:{'+' if signed else ''},.2f}"
    return text if amount or not signed else "0.00"


app.command("demo")(demo)
