#!/usr/bin/env python
"""Devnet throughput and latency against the raw libraries underneath, measured in one run.

    python benchmarks/bench_devnet.py            # full run (about 1-2 minutes)
    python benchmarks/bench_devnet.py --quick    # smaller N, fewer repetitions (under 30 s)
    python benchmarks/bench_devnet.py --json out.json

Every figure is the median of several repetitions, each on a fresh chain built outside the timed
region. Paired figures (devnet beside its baseline) alternate their repetitions, so drift of the
machine hits both sides alike. What is timed, and why it is the same work on both sides:

1. **Interval mode** (one block of N transfers). Both sides get the *same raw signed bytes*
   (EIP-1559 transfers, chain id 900, the standard dev accounts funded alike at genesis), and
   both decode them inside the timed region: raw bytes in, one block out.
   Baseline: py-evm ``MiningChain`` (Prague) built with ``from_genesis``; timed region is
   ``builder.decode(raw)`` for each transaction plus one ``chain.mine_all(txs, timestamp=...)``.
   Devnet: a one-chain devnet whose l1 has ``mining: interval``; timed region is N
   ``chain.send_raw_transaction(raw)`` (or ``chain.w3.eth.send_raw_transaction(raw)``) and one
   ``devnet.advance(12)`` that seals them in one block.
2. **Automine** (one block per transfer). Baseline: ``EthereumTester(PyEVMBackend())`` with auto
   mining, ``send_raw_transaction(hex)`` of transfers pre-signed for its chain id
   (131277322940537) from its funded account. Devnet: the default devnet's l1 (auto mining),
   ``chain.w3.eth.send_raw_transaction(raw)`` of transfers pre-signed for chain id 900; the direct
   ``chain.send_raw_transaction`` is reported too (no web3 in between).
3. **Solana**: ``SolanaChain.transfer`` (builds, signs and sends one System transfer).
4. **Build**: ``Devnet()`` (five chains) after imports, and a fresh process
   ``python -c "from cortensor_sim import Devnet; Devnet()"`` beside an import-only process.
5. **Snapshot + revert** of the whole default devnet after every EVM chain sealed B blocks with a
   transfer each: ``devnet.snapshot(); devnet.revert(id)`` with nothing in between, and with a
   transfer on every chain in between (only the snapshot and revert calls are timed).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_t0 = time.perf_counter()
from eth_account import Account  # noqa: E402
from eth_hash.auto import keccak  # noqa: E402

from cortensor_sim import Devnet  # noqa: E402
from cortensor_sim.chains.accounts import dev_accounts  # noqa: E402
from cortensor_sim.chains.evm import DEV_BALANCE  # noqa: E402
from cortensor_sim.chains.topology import ChainSpec, Topology  # noqa: E402

IMPORT_SECONDS = time.perf_counter() - _t0

L1_CHAIN_ID = 900
TESTER_CHAIN_ID = 131277322940537
GENESIS_TIME = 1_767_225_600
GWEI = 10**9
SENDERS = 10

perf = time.perf_counter


# ---------------------------------------------------------------------- helpers
@dataclass
class Figure:
    key: str
    label: str
    value: float
    unit: str
    target: str = ""
    met: bool | None = None
    detail: str = ""
    samples: list[float] = field(default_factory=list)


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs)


def recipient(i: int) -> bytes:
    return keccak(b"bench-recipient" + i.to_bytes(4, "big"))[:20]


def sign_transfers(keys: Sequence[Any], chain_id: int, n: int) -> list[bytes]:
    """``n`` EIP-1559 transfers, round-robin over ``keys``, nonces from 0 (valid on a fresh chain)."""
    raws = []
    nonces = [0] * len(keys)
    for i in range(n):
        k = i % len(keys)
        tx = {
            "type": 2,
            "chainId": chain_id,
            "nonce": nonces[k],
            "to": recipient(i % 50),
            "value": 10**15 + i,
            "gas": 21_000,
            "maxFeePerGas": 10 * GWEI,
            "maxPriorityFeePerGas": GWEI,
        }
        nonces[k] += 1
        raws.append(bytes(Account.sign_transaction(tx, keys[k]).raw_transaction))
    return raws


CPU: dict[str, list[float]] = {}
"""CPU seconds (``time.process_time``) of each timed region, by figure key: on a shared machine the
wall clock also counts other processes' time slices, CPU time does not."""


def timed(fn: Callable[[], Any], key: str | None = None) -> float:
    """Wall seconds of ``fn()``; its CPU seconds are recorded under ``key``."""
    gc.collect()
    cpu = time.process_time()
    start = perf()
    fn()
    wall = perf() - start
    if key is not None:
        CPU.setdefault(key, []).append(time.process_time() - cpu)
    return wall


# ---------------------------------------------------------------------- 1. interval mode
def raw_pyevm_chain() -> Any:
    """py-evm directly: a Prague MiningChain, chain id 900, the dev accounts funded as on the devnet."""
    from eth.chains.base import MiningChain
    from eth.constants import ZERO_ADDRESS
    from eth.db.atomic import AtomicDB
    from eth.vm.forks.prague import PragueVM

    cls = type("RawChain", (MiningChain,), {"chain_id": L1_CHAIN_ID, "vm_configuration": ((0, PragueVM),)})
    params = {
        "coinbase": ZERO_ADDRESS,
        "difficulty": 0,
        "extra_data": b"bench-raw",
        "gas_limit": 30_000_000,
        "mix_hash": b"\x00" * 32,
        "nonce": b"\x00" * 8,
        "timestamp": GENESIS_TIME,
        "base_fee_per_gas": GWEI,
    }
    state = {
        bytes.fromhex(a.address[2:]): {"balance": DEV_BALANCE, "nonce": 0, "code": b"", "storage": {}}
        for a in dev_accounts(SENDERS)
    }
    return cls.from_genesis(AtomicDB(), params, state)


def run_raw_mine_all(raws: Sequence[bytes], key: str | None = None) -> float:
    from eth.vm.forks.prague import PragueVM

    chain = raw_pyevm_chain()
    builder = PragueVM.get_transaction_builder()

    def work() -> None:
        txs = [builder.decode(r) for r in raws]
        block_result, _receipts, _computations = chain.mine_all(txs, timestamp=GENESIS_TIME + 12)
        assert len(block_result.imported_block.transactions) == len(raws)

    return timed(work, key)


def run_raw_floor(raws: Sequence[bytes], key: str | None = None) -> float:
    """py-evm's floor for the same block: ``mine_all`` minus its block validation and its re-read
    of the block it just stored (``Chain.persist_block`` decodes the new block again), i.e. what the
    devnet's own sealing does (``chaindb`` writes, no validation). Informational."""
    from eth.vm.forks.prague import PragueVM

    chain = raw_pyevm_chain()
    builder = PragueVM.get_transaction_builder()

    def work() -> None:
        txs = [builder.decode(r) for r in raws]
        parent = chain.get_canonical_head()
        header = chain.create_header_from_parent(parent, timestamp=GENESIS_TIME + 12)
        vm = chain.get_vm(header)
        new_header, receipts, _computations = vm.apply_all_transactions(txs, header)
        block = vm.set_block_transactions_and_withdrawals(
            vm.get_block(), new_header, txs, receipts, withdrawals=None
        )
        chain.chaindb.persist_block(vm.mine_block(block).block)
        assert chain.get_canonical_head().block_number == parent.block_number + 1

    return timed(work, key)


def interval_devnet() -> Devnet:
    return Devnet(
        Topology(
            chains=(
                ChainSpec(name="l1", kind="ethereum", chain_id=L1_CHAIN_ID, block_time=12, mining="interval"),
            )
        )
    )


def run_devnet_interval(raws: Sequence[bytes], via_web3: bool, key: str | None = None) -> float:
    devnet = interval_devnet()
    chain = devnet.evm("l1")
    send = chain.w3.eth.send_raw_transaction if via_web3 else chain.send_raw_transaction
    out: dict[str, Any] = {}

    def work() -> None:
        for r in raws:
            send(r)
        out["sealed"] = devnet.advance(12)["l1"]

    seconds = timed(work, key)
    (block,) = out["sealed"]
    assert len(block.tx_hashes) == len(raws) and not block.dropped, block
    return seconds


# ---------------------------------------------------------------------- 2. automine
def run_tester_automine(hexes: Sequence[str], key: str | None = None) -> float:
    from eth_tester import EthereumTester, PyEVMBackend

    tester = EthereumTester(PyEVMBackend())
    start_block = tester.get_block_by_number("latest")["number"]

    def work() -> None:
        for h in hexes:
            tester.send_raw_transaction(h)

    seconds = timed(work, key)
    assert tester.get_block_by_number("latest")["number"] - start_block == len(hexes)
    return seconds


def run_devnet_automine(raws: Sequence[bytes], via_web3: bool, key: str | None = None) -> float:
    devnet = Devnet()
    chain = devnet.evm("l1")
    assert chain.mining == "auto"
    send = chain.w3.eth.send_raw_transaction if via_web3 else chain.send_raw_transaction
    start = chain.height

    def work() -> None:
        for r in raws:
            send(r)

    seconds = timed(work, key)
    assert chain.height - start == len(raws)
    return seconds


# ---------------------------------------------------------------------- 3. solana
def run_solana(n: int) -> float:
    devnet = Devnet()
    sol = devnet.chains["solana"]
    sender = sol.keypairs[0]
    to = sol.keypairs[1].pubkey()

    def work() -> None:
        for i in range(n):
            sol.transfer(sender, to, 1_000_000 + i)

    return timed(work)


# ---------------------------------------------------------------------- 4. build
FRESH_BUILD = (
    "import time; t0 = time.perf_counter(); from cortensor_sim import Devnet; "
    "t1 = time.perf_counter(); Devnet(); t2 = time.perf_counter(); print(t1 - t0, t2 - t1)"
)
"""``from cortensor_sim import Devnet; Devnet()``, reporting its own import and build times."""


def fresh_process_seconds(
    code: str, reps: int, inner: list[tuple[float, float]] | None = None
) -> list[float]:
    """Wall seconds of ``python -c code`` (interpreter start included), ``reps`` times."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    out = []
    for _ in range(reps):
        start = perf()
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
        )
        out.append(perf() - start)
        if inner is not None:
            a, b = done.stdout.split()
            inner.append((float(a), float(b)))
    return out


# ---------------------------------------------------------------------- 5. snapshots
def grown_devnet(blocks: int) -> tuple[Devnet, dict[str, list[bytes]]]:
    """The default devnet after ``blocks`` steps of (a transfer on every EVM chain, advance 0.25 s).

    Returns it with one more pre-signed transfer per EVM chain (the next nonce), for reverts that
    undo work.
    """
    devnet = Devnet()
    evm = devnet.evm_chains
    key = dev_accounts(SENDERS)[0].key
    signed = {name: sign_transfers([key], chain.chain_id, blocks + 1) for name, chain in evm.items()}
    for step in range(blocks):
        for name, chain in evm.items():
            chain.send_raw_transaction(signed[name][step])
        devnet.advance(0.25)
    for chain in evm.values():
        assert chain.height >= blocks, chain
    return devnet, {name: raws[blocks:] for name, raws in signed.items()}


def snapshot_revert(
    devnet: Devnet, reps: int, work: Callable[[], None] | None
) -> tuple[list[float], list[float]]:
    snaps, reverts = [], []
    gc.collect()
    for _ in range(reps):
        t0 = perf()
        sid = devnet.snapshot()
        t1 = perf()
        if work is not None:
            work()
        t2 = perf()
        devnet.revert(sid)
        t3 = perf()
        snaps.append(t1 - t0)
        reverts.append(t3 - t2)
    return snaps, reverts


# ---------------------------------------------------------------------- the run
def git_state() -> str:
    """The commit measured, and whether the work tree differed from it (uncommitted changes)."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "cortensor_sim"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}{' + uncommitted changes in cortensor_sim/' if dirty else ''}"


def cpu_ratio(baseline: str, devnet: str) -> str:
    """The same ratio by median CPU time, and by the best repetition of each side (the one least
    disturbed by other processes): on a loaded machine the three together show the noise."""
    return (
        f"by CPU time {median(CPU[baseline]) / median(CPU[devnet]):.3f}x, "
        f"best rep vs best rep {min(CPU[baseline]) / min(CPU[devnet]):.3f}x"
    )


def run(quick: bool) -> tuple[list[Figure], dict[str, Any]]:
    n_interval = 100 if quick else 500
    n_auto = 100 if quick else 500
    n_solana = 300 if quick else 1000
    reps = 3 if quick else 7
    auto_reps = 3 if quick else 5
    proc_reps = 3 if quick else 5
    blocks = 200 if quick else 1000
    snap_reps = 50 if quick else 300
    figures: list[Figure] = []
    meta: dict[str, Any] = {
        "quick": quick,
        "python": sys.version.split()[0],
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "import_seconds_in_process": IMPORT_SECONDS,
        "loadavg_start": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "git": git_state(),
    }
    keys = [a.key for a in dev_accounts(SENDERS)]
    try:
        from eth_keys.backends import CoinCurveECCBackend

        meta["coincurve"] = isinstance(Account._keys.backend, CoinCurveECCBackend)  # type: ignore[attr-defined]
    except ImportError:
        meta["coincurve"] = False

    meta["sections"] = {}
    section = perf()
    # -- 1. interval mode: one block of n_interval transfers
    raws = sign_transfers(keys, L1_CHAIN_ID, n_interval)
    run_raw_mine_all(raws[:20])  # warm-up: first-call imports and caches on both sides
    run_devnet_interval(raws[:20], via_web3=True)
    run_raw_floor(raws[:20])
    raw_t, floor_t, dev_t, w3_t = [], [], [], []
    for _ in range(reps):
        raw_t.append(run_raw_mine_all(raws, "raw"))
        floor_t.append(run_raw_floor(raws, "floor"))
        dev_t.append(run_devnet_interval(raws, via_web3=False, key="direct"))
        w3_t.append(run_devnet_interval(raws, via_web3=True, key="w3"))
    raw_tps = n_interval / median(raw_t)
    dev_tps = n_interval / median(dev_t)
    w3_tps = n_interval / median(w3_t)
    floor_tps = n_interval / median(floor_t)
    figures += [
        Figure(
            "interval_raw_tps",
            f"py-evm mine_all, {n_interval} transfers in 1 block (decode timed)",
            raw_tps,
            "tx/s",
            samples=raw_t,
        ),
        Figure(
            "interval_floor_tps",
            "py-evm floor: mine_all without block validation and re-read",
            floor_tps,
            "tx/s",
            detail=f"devnet/floor {dev_tps / floor_tps:.3f}x (web3 {w3_tps / floor_tps:.3f}x), informational",
            samples=floor_t,
        ),
        Figure(
            "interval_devnet_tps",
            "devnet interval: chain.send_raw_transaction + advance",
            dev_tps,
            "tx/s",
            samples=dev_t,
        ),
        Figure(
            "interval_devnet_w3_tps",
            "devnet interval: w3.eth.send_raw_transaction + advance",
            w3_tps,
            "tx/s",
            samples=w3_t,
        ),
        Figure(
            "interval_ratio",
            "interval ratio devnet/raw (chain.send_raw_transaction)",
            dev_tps / raw_tps,
            "x",
            ">= 0.85",
            dev_tps / raw_tps >= 0.85,
            cpu_ratio("raw", "direct"),
        ),
        Figure(
            "interval_ratio_w3",
            "interval ratio devnet/raw (via web3)",
            w3_tps / raw_tps,
            "x",
            ">= 0.85",
            w3_tps / raw_tps >= 0.85,
            cpu_ratio("raw", "w3"),
        ),
    ]

    meta["sections"]["interval"] = perf() - section
    section = perf()
    # -- 2. automine: one block per transfer
    from eth_tester.backends.pyevm.main import get_default_account_keys

    tester_key = get_default_account_keys(1)[0].to_bytes()
    tester_hexes = ["0x" + r.hex() for r in sign_transfers([tester_key], TESTER_CHAIN_ID, n_auto)]
    dev_raws = sign_transfers(keys, L1_CHAIN_ID, n_auto)
    run_tester_automine(tester_hexes[:20])
    run_devnet_automine(dev_raws[:20], via_web3=True)
    tester_t, auto_w3_t, auto_direct_t = [], [], []
    for _ in range(auto_reps):
        tester_t.append(run_tester_automine(tester_hexes, "tester"))
        auto_w3_t.append(run_devnet_automine(dev_raws, via_web3=True, key="auto_w3"))
        auto_direct_t.append(run_devnet_automine(dev_raws, via_web3=False, key="auto_direct"))
    tester_tps = n_auto / median(tester_t)
    auto_w3_tps = n_auto / median(auto_w3_t)
    auto_direct_tps = n_auto / median(auto_direct_t)
    figures += [
        Figure(
            "automine_tester_tps",
            f"eth-tester automine send_raw_transaction ({n_auto} tx)",
            tester_tps,
            "tx/s",
            samples=tester_t,
        ),
        Figure(
            "automine_devnet_w3_tps",
            "devnet automine: w3.eth.send_raw_transaction",
            auto_w3_tps,
            "tx/s",
            samples=auto_w3_t,
        ),
        Figure(
            "automine_devnet_direct_tps",
            "devnet automine: chain.send_raw_transaction",
            auto_direct_tps,
            "tx/s",
            samples=auto_direct_t,
        ),
        Figure(
            "automine_ratio",
            "automine ratio devnet (web3) / eth-tester",
            auto_w3_tps / tester_tps,
            "x",
            ">= 0.85",
            auto_w3_tps / tester_tps >= 0.85,
            cpu_ratio("tester", "auto_w3"),
        ),
    ]

    meta["sections"]["automine"] = perf() - section
    section = perf()
    # -- 3. solana
    run_solana(20)
    sol_t = [run_solana(n_solana) for _ in range(reps)]
    figures.append(
        Figure(
            "solana_tps",
            f"SolanaChain.transfer ({n_solana} transfers, sign+send)",
            n_solana / median(sol_t),
            "tx/s",
            samples=sol_t,
        )
    )

    meta["sections"]["solana"] = perf() - section
    section = perf()
    # -- 4. build time
    first = timed(Devnet)
    build_t = [timed(Devnet) for _ in range(3 if quick else 9)]
    b = median(build_t)
    figures += [
        Figure(
            "build_seconds",
            "Devnet() five chains, after imports",
            b * 1000,
            "ms",
            "< 500 ms",
            b < 0.5,
            f"first in this process {first * 1000:.1f} ms",
            samples=build_t,
        ),
    ]
    python_only = fresh_process_seconds("pass", proc_reps)
    import_only = fresh_process_seconds("import cortensor_sim", proc_reps)
    inner: list[tuple[float, float]] = []
    fresh = fresh_process_seconds(FRESH_BUILD, proc_reps, inner)
    figures += [
        Figure(
            "process_python_seconds",
            "fresh process: python -c pass",
            median(python_only) * 1000,
            "ms",
            samples=python_only,
        ),
        Figure(
            "process_import_seconds",
            "fresh process: import cortensor_sim",
            median(import_only) * 1000,
            "ms",
            samples=import_only,
        ),
        Figure(
            "process_build_seconds",
            "fresh process: from cortensor_sim import Devnet; Devnet()",
            median(fresh) * 1000,
            "ms",
            detail=f"inside it: import {median([i for i, _ in inner]) * 1000:.0f} ms, "
            f"Devnet() {median([d for _, d in inner]) * 1000:.0f} ms (first build: derives the dev keys)",
            samples=fresh,
        ),
    ]
    meta["sections"]["build"] = perf() - section

    section = perf()
    # -- 5. snapshot + revert after `blocks` blocks on every EVM chain
    start = perf()
    devnet, next_raws = grown_devnet(blocks)
    grow_seconds = perf() - start
    heights = {name: c.height for name, c in devnet.evm_chains.items()}
    meta["snapshot_setup"] = {"blocks_per_chain": blocks, "heights": heights, "seconds": grow_seconds}
    snaps, reverts = snapshot_revert(devnet, snap_reps, None)
    idle = [s + r for s, r in zip(snaps, reverts, strict=True)]
    sol = devnet.chains["solana"]
    sol_from, sol_to = sol.keypairs[0], sol.keypairs[2].pubkey()

    def transfer_everywhere() -> None:
        for name, chain in devnet.evm_chains.items():
            chain.send_raw_transaction(next_raws[name][0])
        sol.transfer(sol_from, sol_to, 1_234_567)

    heights_before = dict(heights)
    wsnaps, wreverts = snapshot_revert(devnet, snap_reps, transfer_everywhere)
    assert {n: c.height for n, c in devnet.evm_chains.items()} == heights_before
    busy = [s + r for s, r in zip(wsnaps, wreverts, strict=True)]
    tail = max(1, snap_reps // 10)
    figures += [
        Figure(
            "snapshot_revert_ms",
            f"snapshot+revert, all chains, after {blocks} blocks each",
            median(idle) * 1000,
            "ms",
            "< 5 ms",
            median(idle) < 0.005,
            f"snapshot {median(snaps) * 1000:.2f} ms, revert {median(reverts) * 1000:.2f} ms; "
            f"first {tail} reps {median(idle[:tail]) * 1000:.2f} ms, last {tail} "
            f"{median(idle[-tail:]) * 1000:.2f} ms",
            samples=idle,
        ),
        Figure(
            "snapshot_revert_work_ms",
            "snapshot+revert undoing a transfer on every chain",
            median(busy) * 1000,
            "ms",
            "< 5 ms",
            median(busy) < 0.005,
            f"snapshot {median(wsnaps) * 1000:.2f} ms, revert {median(wreverts) * 1000:.2f} ms; "
            f"first {tail} reps {median(busy[:tail]) * 1000:.2f} ms, last {tail} "
            f"{median(busy[-tail:]) * 1000:.2f} ms",
            samples=busy,
        ),
    ]
    meta["sections"]["snapshot"] = perf() - section
    meta["reps"] = {"paired": reps, "automine": auto_reps, "process": proc_reps, "snapshot": snap_reps}
    meta["loadavg_end"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    meta["cpu_seconds"] = CPU
    return figures, meta


# ---------------------------------------------------------------------- output
def fmt(fig: Figure) -> str:
    if fig.unit == "x":
        return f"{fig.value:.3f}x"
    if fig.unit == "tx/s":
        return f"{fig.value:,.0f} tx/s"
    return f"{fig.value:,.2f} {fig.unit}"


def verdict(fig: Figure) -> str:
    if fig.met is None:
        return ""
    return "met" if fig.met else "MISSED"


def print_table(figures: list[Figure], meta: dict[str, Any]) -> None:
    title = (
        f"cortensor-sim devnet benchmark ({'quick' if meta['quick'] else 'full'}; Python {meta['python']}, "
        f"{meta['machine']}, coincurve={meta['coincurve']}, code {meta['git']}; "
        f"medians of {meta['reps']['paired']} reps "
        f"({meta['reps']['automine']} for automine), "
        f"{meta['reps']['process']} processes, {meta['reps']['snapshot']} snapshot cycles)"
    )
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        print(title)
        for f in figures:
            print(f"  {f.label:<62} {fmt(f):>16}  {f.target:>9} {verdict(f):<7} {f.detail}")
        return
    table = Table(title=title, title_justify="left")
    table.add_column("measurement")
    table.add_column("median", justify="right")
    table.add_column("target")
    table.add_column("met")
    table.add_column("detail")
    for f in figures:
        v = verdict(f)
        table.add_row(f.label, fmt(f), f.target, f"[green]{v}[/]" if v == "met" else f"[red]{v}[/]", f.detail)
    Console(width=200).print(table)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller N and fewer repetitions (< 30 s)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    start = perf()
    figures, meta = run(args.quick)
    meta["wall_seconds"] = perf() - start
    print_table(figures, meta)
    print(
        f"imports in this process: {meta['import_seconds_in_process'] * 1000:.0f} ms; "
        f"snapshot setup: {meta['snapshot_setup']['blocks_per_chain']} steps -> heights "
        f"{meta['snapshot_setup']['heights']} in {meta['snapshot_setup']['seconds']:.1f} s; "
        f"whole run {meta['wall_seconds']:.1f} s ("
        + ", ".join(f"{k} {v:.1f} s" for k, v in meta["sections"].items())
        + f"); 1-min load average {meta['loadavg_start']:.2f} at start, "
        f"{meta['loadavg_end']:.2f} at end "
        f"({os.cpu_count()} CPUs: above that, other processes share the cores)"
    )
    if args.json:
        payload = {"meta": meta, "figures": [asdict(f) for f in figures]}
        Path(args.json).write_text(json.dumps(payload, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
