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

from ..chains import Devnet, EvmChain, StateFileError, Topology
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


def _evm(net: Devnet, name: str) -> EvmChain:
    try:
        return net.evm(name)
    except (KeyError, TypeError) as exc:
        raise _fail(str(exc).strip('"')) from None
