"""scenarios/topologies/two-orbits.yaml: two Orbit chains on one Arbitrum, each with COR as its gas
token and its own contracts, settle side by side: COR deposited to each and withdrawn back, and a
message of one never executes on the other's Outbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_account import Account
from eth_hash.auto import keccak

from cortensor_sim import Devnet, Topology
from cortensor_sim.artifacts import load_artifact
from cortensor_sim.rollups.nitro import ARBSYS
from cortensor_sim.rollups.nitro.actors import execute_transaction_data, outbox_proof, outgoing_messages
from cortensor_sim.rollups.nitro.harness import ETH, nitro_rollup
from cortensor_sim.rollups.nitro.transactions import ActorTransactionError, calldata, receipt, send
from cortensor_sim.scenario.source import load_yaml_model

TWO_ORBITS = Path(__file__).resolve().parents[3] / "scenarios" / "topologies" / "two-orbits.yaml"
COR = 10**18


def test_two_orbit_chains_settle_cor_independently() -> None:
    devnet = Devnet(load_yaml_model(TWO_ORBITS, Topology))
    arbitrum = devnet.evm("arbitrum")
    holder = arbitrum.accounts[1].address
    cor = arbitrum.deploy(load_artifact("CORToken"), holder, 10**6 * COR)
    rollups = {name: nitro_rollup(devnet, name, native_token=cor.address) for name in ("acme", "private")}
    user = Account.from_key(b"\x62" * 32)
    cor.functions.transfer(user.address, 100 * COR).transact({"from": holder})
    arbitrum.w3.eth.send_transaction({"from": holder, "to": user.address, "value": ETH})
    for amount, rollup in zip((30, 20), rollups.values(), strict=True):
        inbox = rollup.contracts.inbox
        approve = calldata("approve(address,uint256)", ["address", "uint256"], [inbox, amount * COR])
        receipt(arbitrum, send(arbitrum, user, cor.address, approve))
        receipt(
            arbitrum,
            send(arbitrum, user, inbox, calldata("depositERC20(uint256)", ["uint256"], [amount * COR])),
        )
        rollup.drive(1, [rollup.reader])
        assert rollup.child.balance(user.address) == amount * COR
        withdraw = calldata("withdrawEth(address)", ["address"], [user.address])
        receipt(rollup.child, send(rollup.child, user, ARBSYS, withdraw, value=amount * COR // 2))
    for _ in range(20):
        for rollup in rollups.values():
            rollup.drive(4, step=4)
        if all(r.executor.executed for r in rollups.values()):
            break
    assert cor.functions.balanceOf(user.address).call() == 100 * COR - 50 * COR + 25 * COR
    acme, private = rollups["acme"], rollups["private"]
    assert cor.functions.balanceOf(acme.contracts.bridge).call() == 15 * COR
    assert cor.functions.balanceOf(private.contracts.bridge).call() == 10 * COR
    # acme's message, proven against acme's tree, is unknown to private's Outbox
    (message,) = outgoing_messages(acme.child)
    foreign = execute_transaction_data(outbox_proof(acme.child, 1, 0), message)
    unknown_root = keccak(b"UnknownRoot(bytes32)")[:4].hex()
    with pytest.raises(ActorTransactionError, match=f"data 0x{unknown_root}"):
        send(arbitrum, arbitrum.accounts[3], private.contracts.outbox, foreign)
