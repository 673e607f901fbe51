"""Solana benchmark: transactions per second through ``SolanaChain``, and the wall time of a COR
round trip solana -> arbitrum -> solana through the guardian bridge.

    python benchmarks/bench_solana.py [--transfers 2000] [--rounds 3] [--json out.json]

* **transactions/s**: ``--transfers`` SOL transfers between the dev keypairs (build, sign, send,
  mirror, record), then the same number of SPL COR ``TransferChecked`` with a memo.
* **round trip**: on one default devnet whose user got SPL COR from l1 first, SPL COR burned on
  Solana with a bridge memo, the VAA signed after Solana finality and redeemed on arbitrum (the token
  bridge unlocks l1's COR), then locked again with ``transferTokens`` and minted on Solana; each
  round is two ``advance`` calls (the wall time covers the guardians' signing, the contract calls and
  the Solana mint). The devnet build is timed separately.
* **sessions from Solana**: the bundled ``solana-sessions`` scenario (onboarding and tasks from
  Solana, results and refunds back); its wall time, and the arbitrum gas of each relayed request
  by memo kind: ``session`` (``SolanaSessions.redeem`` opening a session with two prompts),
  ``tasks`` (adding one), ``close`` (``receiveMessage``, with the refund's ``transferTokens``),
  ``results`` (``publishResults`` of three tasks), ``register`` and ``unbond`` (the Solana miner).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich.console import Console
from rich.table import Table

from cortensor_sim import Devnet
from cortensor_sim.bridge.transactions import ActorAccount
from cortensor_sim.bridge.wormhole import WormholeStack
from cortensor_sim.bridge.wormhole.custody import COR_DECIMALS
from cortensor_sim.protocol.funding import fund_on_solana
from cortensor_sim.scenario.loader import load_scenario
from cortensor_sim.scenario.runner import run_scenario

UNIT = 10**9


def solana_tps(transfers: int) -> tuple[float, float, float]:
    """(build seconds, SOL transfers/s, SPL transfers with memo/s)."""
    start = time.perf_counter()
    devnet = Devnet()
    build = time.perf_counter() - start
    bridge = devnet.settlement.stacks["solana"]
    assert isinstance(bridge, WormholeStack) and bridge.cor is not None
    solana = bridge.solana
    assert solana is not None
    keypairs = solana.keypairs
    start = time.perf_counter()
    for i in range(transfers):
        solana.transfer(keypairs[i % len(keypairs)], keypairs[(i + 1) % len(keypairs)].pubkey(), 1_000_000)
    sol = transfers / (time.perf_counter() - start)
    accounts = [bridge.cor.open_account(k.pubkey()) for k in keypairs]
    fund_on_solana(devnet, bridge, {kp.pubkey(): 10**6 * UNIT for kp in keypairs})
    mint = bridge.cor.mint
    start = time.perf_counter()
    for i in range(transfers):
        j = i % len(keypairs)
        k = (i + 1) % len(keypairs)
        solana.transfer_checked(keypairs[j], mint, accounts[j], accounts[k], 1, COR_DECIMALS, memo="bench")
    spl = transfers / (time.perf_counter() - start)
    return build, sol, spl


def round_trips(rounds: int) -> list[float]:
    devnet = Devnet()
    bridge = devnet.settlement.stacks["solana"]
    assert isinstance(bridge, WormholeStack) and bridge.cor is not None and bridge.solana is not None
    user = bridge.solana.keypairs[0]
    fund_on_solana(devnet, bridge, {user.pubkey(): 1_000 * UNIT})
    evm = devnet.evm("arbitrum")
    holder = ActorAccount(bytes(evm.accounts[1].key))
    locked = bridge.locked()
    times: list[float] = []
    for _ in range(rounds):
        start = time.perf_counter()
        bridge.send_to_evm(user, 10 * UNIT, holder.address)
        devnet.advance(15)
        bridge.send_to_solana(holder, 10 * UNIT * UNIT, user.pubkey())
        devnet.advance(1)
        times.append(time.perf_counter() - start)
        assert all(m.done for m in devnet.messages())
    assert bridge.locked() == locked == bridge.minted()
    return times


def sessions_from_solana() -> tuple[float, dict[str, int]]:
    """(wall seconds of the solana-sessions scenario, arbitrum gas by relayed request)."""
    result = run_scenario(load_scenario("solana-sessions"))
    assert result.passed, "solana-sessions did not pass"
    evm = result.run.devnet.evm("arbitrum")
    gas: dict[str, int] = {}
    for record in result.run.devnet.messages():
        if record.kind == "token-transfer" or record.status != "relayed" or record.source == "l1":
            continue
        leg = record.legs["sent" if record.kind == "results" else "relayed"]
        receipt = evm.engine.get_receipt(bytes.fromhex(leg.tx_hash.removeprefix("0x")))
        assert receipt is not None
        memo = record.detail.get("memo")
        what = json.loads(memo)["wormhole"] if memo else record.kind
        gas[what] = int(receipt["gasUsed"], 16)
    return result.wall_seconds, gas


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transfers", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    build, sol, spl = solana_tps(args.transfers)
    trips = round_trips(args.rounds)
    wall, gas = sessions_from_solana()
    results = {
        "devnet build (s, includes the bridge's genesis and SPL setup)": round(build, 2),
        "SOL transfers/s through SolanaChain": round(sol),
        "SPL COR TransferChecked + memo/s": round(spl),
        "bridge round trip solana -> arbitrum -> solana (s, median)": round(statistics.median(trips), 3),
        "solana-sessions scenario (s wall, 86,521 s simulated)": round(wall, 2),
        **{f"arbitrum gas: {what}": used for what, used in sorted(gas.items())},
    }
    table = Table("measurement", "result")
    for key, value in results.items():
        table.add_row(key, f"{value:,}")
    Console().print(table)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
