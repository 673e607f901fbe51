"""What ``cortensor-sim serve`` does once its options are read: serve until Ctrl-C, then tidy up."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Mapping
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ...chains import Devnet
from .app import DevnetServer


class PortSpecError(ValueError):
    """A ``--port`` value that is not ``CHAIN=PORT`` for a chain of the devnet."""


def parse_ports(specs: list[str], devnet: Devnet) -> dict[str, int]:
    """``["l1=8545", "base=0"]`` as a mapping; names must be EVM chains of ``devnet``."""
    ports: dict[str, int] = {}
    for spec in specs:
        name, _, number = spec.partition("=")
        if name not in devnet.evm_chains or not number.isdigit() or int(number) > 65535:
            known = ", ".join(devnet.evm_chains)
            raise PortSpecError(
                f"--port {spec!r}: expected CHAIN=PORT with CHAIN one of {known} and PORT 0-65535"
            )
        ports[name] = int(number)
    return ports


def chains_table(server: DevnetServer) -> Table:
    table = Table(title="cortensor-sim serve", title_justify="left")
    for column in ("chain", "kind", "chain id", "block time", "mining", "url"):
        table.add_column(column, no_wrap=column == "url")
    for spec in server.devnet.topology.chains:
        url = server.urls.get(spec.name)
        if url is None:
            continue
        mining = spec.mining if spec.kind == "solana" else ("auto" if server.automine else "interval")
        table.add_row(
            spec.name,
            spec.kind,
            str(spec.chain_id) if spec.chain_id is not None else "-",
            f"{spec.block_time:g} s",
            "slots" if spec.kind == "solana" else mining,
            url,
        )
    return table


def system_contracts_table(devnet: Devnet) -> Table | None:
    """Each rollup's system contracts (portal, messengers, bridges...) on the chain each lives on,
    so a wallet or script finds them without ``cortensor_systemContracts``; None without rollups."""
    engine = devnet.settlement
    contracts: dict[str, dict[str, str]] = getattr(engine, "contracts", {}) if engine is not None else {}
    if not any(contracts.values()):
        return None
    table = Table(title="system contracts (cortensor_systemContracts)", title_justify="left")
    for column in ("rollup", "contract", "address"):
        table.add_column(column, no_wrap=True)
    for rollup, by_name in contracts.items():
        for name, address in by_name.items():
            table.add_row(rollup, name, address)
    return table


def accounts_table(devnet: Devnet) -> Table:
    """The dev accounts with their keys (as anvil prints them): for wallets and scripts."""
    table = Table(
        title="dev accounts on every EVM chain (mnemonic: test test ... junk)", title_justify="left"
    )
    table.add_column("#", justify="right")
    table.add_column("address", no_wrap=True)
    table.add_column("private key", no_wrap=True)
    chain = next(iter(devnet.evm_chains.values()), None)
    for index, account in enumerate(chain.accounts if chain else ()):
        table.add_row(str(index), account.address, "0x" + bytes(account.key).hex())
    return table


async def serve_until_interrupted(
    devnet: Devnet,
    *,
    console: Console,
    host: str,
    ports: Mapping[str, int],
    solana_port: int | None,
    automine: bool,
    verbose: bool,
    dump_state: Path | None,
) -> None:
    """Serve ``devnet`` until SIGINT or SIGTERM; then close every port and dump the state if asked."""
    log = (
        (lambda chain, method: console.print(f"[dim]{chain}[/] {method}", highlight=False))
        if verbose
        else None
    )
    server = DevnetServer(devnet, host=host, ports=ports, solana_port=solana_port, automine=automine, log=log)
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    console.print(chains_table(server))
    contracts = system_contracts_table(server.devnet)
    if contracts is not None:
        console.print(contracts)
    console.print(accounts_table(server.devnet))
    console.print("serving; Ctrl-C stops" + (f" and saves the state to {dump_state}" if dump_state else ""))
    try:
        await stop.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(signum)
        await server.stop()
        if dump_state is not None:
            server.devnet.dump(dump_state)
            console.print(f"state saved to {dump_state}")
    console.print("stopped")
