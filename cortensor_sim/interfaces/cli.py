"""The ``cortensor-sim`` command line.

Exit codes follow the scenario runner's contract: 0 success, 1 a check failed, 2 bad input.
Bad input is reported as ``file:line: field: what`` on stderr, never as a traceback.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ..chains import Devnet, StateFileError, Topology
from ..chains.engines import EngineChoiceError
from ..scenario.source import InputError, load_yaml_model

app = typer.Typer(
    name="cortensor-sim",
    help="A local multi-chain devnet: L1, Base, Arbitrum, an Orbit L3 and Solana in one process.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)


@app.callback()
def _root() -> None:
    """A local multi-chain devnet: L1, Base, Arbitrum, an Orbit L3 and Solana in one process."""


def _fail(message: str, code: int = 2) -> typer.Exit:
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


@app.command()
def devnet(
    topology: Annotated[
        Path | None,
        typer.Option(help="A topology YAML file (default: l1, base, arbitrum, l3, solana)."),
    ] = None,
    state: Annotated[Path | None, typer.Option(help="Start from a state file written by --dump.")] = None,
    advance: Annotated[float, typer.Option(help="Advance the clock by this many seconds first.")] = 0,
    dump: Annotated[Path | None, typer.Option(help="Write the whole devnet state to this file.")] = None,
) -> None:
    """Start a devnet and print its chains and funded accounts."""
    started = time.perf_counter()
    net = _open_devnet(topology, state)
    built = time.perf_counter() - started
    if advance < 0:
        raise _fail(f"--advance: the clock only moves forward, got {advance}")
    if advance:
        net.advance(advance)
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
        except OSError as exc:
            raise _fail(f"{dump}: cannot write: {exc.strerror or exc}") from None
        console.print(f"state written to {dump}")


@app.command()
def demo(
    topology: Annotated[
        Path | None, typer.Option(help="A topology YAML file (default: l1, base, arbitrum, l3, solana).")
    ] = None,
    chain: Annotated[str, typer.Option(help="The chain that hosts sessions and tasks.")] = "arbitrum",
    settlement: Annotated[str, typer.Option(help="The chain that receives the checkpoint.")] = "l1",
) -> None:
    """Run Cortensor end to end: deploy, stake nodes, run a session's tasks, validate, pay, refund."""
    from ..protocol.demo import run_demo
    from ..protocol.network import StepFailed

    started = time.perf_counter()
    net = _open_devnet(topology, None)
    for name in (chain, settlement):
        if name not in net.evm_chains:
            known = ", ".join(net.evm_chains)
            raise _fail(f"--chain/--settlement: {name!r} is not an EVM chain of this devnet ({known})")
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
