"""Nitro settlement benchmark: round trips, gas per step, and batch sizes with and without AnyTrust.

    python benchmarks/bench_nitro.py [--transfers 200] [--json out.json]

Runs the rollup harness (``cortensor_sim.rollups.nitro.harness``: parent contracts deployed, the
inbox reader, validator, outbox executor and batch poster on the clock, confirm period 2 parent
blocks, assertions every 12 s) and reports:

* wall time of an ETH round trip l1 -> arbitrum -> l1 (depositEth, then withdrawEth, asserted,
  confirmed and executed), and of a COR round trip l1-less: arbitrum -> l3 -> arbitrum with COR as
  the l3's gas token (depositERC20, then withdrawEth on the l3), each with the simulated time it took;
* gas of each step (parent and child);
* one batch of ``--transfers`` signed transfers: segment bytes, brotli bytes, posted bytes and
  parent gas, plain and AnyTrust (5-member committee, quorum 4).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eth_account import Account

from cortensor_sim import Devnet
from cortensor_sim.artifacts import load_artifact
from cortensor_sim.rollups.nitro import ARBSYS
from cortensor_sim.rollups.nitro.anytrust import Committee
from cortensor_sim.rollups.nitro.harness import ETH, NitroRollup, nitro_rollup
from cortensor_sim.rollups.nitro.transactions import calldata, receipt, send

COR = 10**18


def _gas(chain: Any, tx: Any) -> int:
    return int(chain.w3.eth.get_transaction_receipt(tx)["gasUsed"])


def eth_round_trip() -> dict[str, Any]:
    rollup = nitro_rollup(Devnet())
    user = rollup.parent.accounts[1]
    gas: dict[str, int] = {}
    started, sim_started = time.perf_counter(), rollup.devnet.clock.now_ms
    inbox = rollup.contract("Inbox")
    gas["l1 Inbox.depositEth"] = _gas(
        rollup.parent, inbox.functions.depositEth().transact({"from": user.address, "value": ETH})
    )
    actions = rollup.drive(1, [rollup.reader])
    gas["arbitrum deposit (system tx)"] = _gas(rollup.child, actions[0].tx_hash)
    withdraw = calldata("withdrawEth(address)", ["address"], [user.address])
    tx = send(rollup.child, user, ARBSYS, withdraw, value=ETH // 2)
    gas["arbitrum ArbSys.withdrawEth"] = int(receipt(rollup.child, tx)["gasUsed"], 16)
    done: list[Any] = []
    while not rollup.executor.executed:
        done.extend(rollup.drive(4, step=4))
    wall = time.perf_counter() - started
    for action in done:
        if action.tx_hash is None:
            continue
        label = {"assertion": "l1 Rollup.createAssertion", "confirmed": "l1 Rollup.confirmAssertion",
                 "executed": "l1 Outbox.executeTransaction"}.get(action.what.split()[0])  # fmt: skip
        if label:
            gas[label] = _gas(rollup.parent, action.tx_hash)
    # a retryable with an auto-redeem
    target = rollup.child.deploy(load_artifact("RetryTarget"), user.address, True)
    payload = bytes.fromhex(target.functions.enter(b"x")._encode_transaction_data()[2:])
    submission = 2 * inbox.functions.calculateRetryableSubmissionFee(len(payload), 0).call()
    value = submission + 300_000 * 2 * 10**9
    args = [target.address, 0, submission, user.address, user.address, 300_000, 2 * 10**9, payload]
    gas["l1 Inbox.createRetryableTicket"] = _gas(
        rollup.parent,
        inbox.functions.createRetryableTicket(*args).transact({"from": user.address, "value": value}),
    )
    (action,) = rollup.drive(1, [rollup.reader])
    gas["arbitrum retryable submission + auto-redeem"] = _gas(rollup.child, action.tx_hash)
    return {"wall_s": wall, "simulated_s": (rollup.devnet.clock.now_ms - sim_started) / 1000, "gas": gas}


def cor_round_trip() -> dict[str, Any]:
    devnet = Devnet()
    arbitrum = devnet.evm("arbitrum")
    cor = arbitrum.deploy(load_artifact("CORToken"), arbitrum.accounts[1].address, 10**6 * COR)
    rollup = nitro_rollup(devnet, "l3", native_token=cor.address)
    user = Account.from_key(b"\x61" * 32)
    cor.functions.transfer(user.address, 100 * COR).transact({"from": arbitrum.accounts[1].address})
    arbitrum.w3.eth.send_transaction({"from": arbitrum.accounts[1].address, "to": user.address, "value": ETH})
    gas: dict[str, int] = {}
    started, sim_started = time.perf_counter(), devnet.clock.now_ms
    inbox = rollup.contracts.inbox
    receipt(
        arbitrum,
        send(
            arbitrum,
            user,
            cor.address,
            calldata("approve(address,uint256)", ["address", "uint256"], [inbox, 40 * COR]),
        ),
    )
    tx = send(arbitrum, user, inbox, calldata("depositERC20(uint256)", ["uint256"], [40 * COR]))
    gas["arbitrum ERC20Inbox.depositERC20"] = int(receipt(arbitrum, tx)["gasUsed"], 16)
    rollup.drive(1, [rollup.reader])
    tx = send(
        rollup.child,
        user,
        ARBSYS,
        calldata("withdrawEth(address)", ["address"], [user.address]),
        value=15 * COR,
    )
    gas["l3 ArbSys.withdrawEth (fee paid in COR)"] = int(receipt(rollup.child, tx)["gasUsed"], 16)
    while not rollup.executor.executed:
        rollup.drive(4, step=4)
    wall = time.perf_counter() - started
    assert cor.functions.balanceOf(user.address).call() == 75 * COR
    return {"wall_s": wall, "simulated_s": (devnet.clock.now_ms - sim_started) / 1000, "gas": gas}


def batch(transfers: int, anytrust: bool) -> dict[str, Any]:
    rollup: NitroRollup = nitro_rollup(Devnet())
    if anytrust:
        committee = Committee(tuple(bytes([i]) * 32 for i in range(1, 6)), assumed_honest=2)
        rollup.contract("SequencerInbox").functions.setValidKeyset(committee.keyset()).transact(
            {"from": rollup.parent.accounts[0].address}
        )
        rollup.poster.committee = committee
    chain = rollup.child
    for i in range(transfers):
        sender = chain.accounts[i % len(chain.accounts)]
        chain.w3.eth.send_transaction(
            {"from": sender.address, "to": chain.accounts[(i + 1) % 10].address, "value": i + 1}
        )
    rollup.drive(6, [rollup.poster])
    (record,) = rollup.poster.batches
    return {
        "transactions": record.transactions,
        "segment_bytes": record.segment_bytes,
        "compressed_bytes": record.compressed_bytes,
        "posted_bytes": record.posted_bytes,
        "parent_gas": record.parent_gas,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transfers", type=int, default=200)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = {
        "eth_round_trip": eth_round_trip(),
        "cor_round_trip_l3": cor_round_trip(),
        "batch_plain": batch(args.transfers, anytrust=False),
        "batch_anytrust": batch(args.transfers, anytrust=True),
    }
    for name in ("eth_round_trip", "cor_round_trip_l3"):
        r = results[name]
        print(f"{name}: {r['wall_s']:.2f} s wall, {r['simulated_s']:.0f} s simulated")
        for step, gas in r["gas"].items():
            print(f"  {step:<48} {gas:>10,} gas")
    for name in ("batch_plain", "batch_anytrust"):
        r = results[name]
        print(
            f"{name}: {r['transactions']} txs, segments {r['segment_bytes']:,} B, "
            f"brotli {r['compressed_bytes']:,} B, posted {r['posted_bytes']:,} B, "
            f"parent gas {r['parent_gas']:,}"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
