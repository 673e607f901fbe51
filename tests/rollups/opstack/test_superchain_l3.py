"""An OP Stack L3 on base (scenarios/topologies/superchain-l3.yaml, interval mining everywhere):
ETH in l1 -> base -> l3 and back out l3 -> base -> l1, each hop through its own rollup's portal,
games and proofs, the actors' transactions waiting for their chain's next block."""

from __future__ import annotations

from pathlib import Path

import pytest
from op_helpers import contract, messenger

from cortensor_sim import Devnet
from cortensor_sim.bridge import MessageStatus
from cortensor_sim.chains.topology import Topology
from cortensor_sim.scenario.source import load_yaml_model

TOPOLOGY = Path(__file__).resolve().parents[3] / "scenarios" / "topologies" / "superchain-l3.yaml"
ETH = 10**18


@pytest.fixture
def superchain() -> Devnet:
    return Devnet(load_yaml_model(TOPOLOGY, Topology))


def test_the_l3_has_its_own_system_contracts_on_base(superchain: Devnet) -> None:
    base_side = superchain.system_contracts("base")
    l3_side = superchain.system_contracts("l3")
    assert l3_side["OptimismPortal"] != base_side["OptimismPortal"]
    assert l3_side["L2ToL1MessagePasser"] == base_side["L2ToL1MessagePasser"]  # predeploy, each on its chain
    base = superchain.evm("base")
    assert base.w3.eth.get_code(l3_side["OptimismPortal"]) != b""  # in base's genesis
    assert superchain.evm("l1").w3.eth.get_code(l3_side["OptimismPortal"]) == b""


def test_eth_goes_l1_to_l3_and_back_l3_to_base_to_l1(superchain: Devnet) -> None:
    l1, base, l3 = (superchain.evm(n) for n in ("l1", "base", "l3"))
    user = l1.accounts[3].address
    start = {n: superchain.evm(n).balance(user) for n in ("l1", "base", "l3")}
    contract(superchain, "base", "OptimismPortal").functions.depositTransaction(
        user, 0, 100_000, False, b""
    ).transact({"from": user, "value": ETH})
    superchain.advance(14)  # the deposit waits for l1's next block, then base's next block
    assert base.balance(user) == start["base"] + ETH
    contract(superchain, "l3", "OptimismPortal").functions.depositTransaction(
        user, 0, 100_000, False, b""
    ).transact({"from": user, "value": ETH // 2})
    superchain.advance(4)
    assert l3.balance(user) == start["l3"] + ETH // 2
    deposits = superchain.messages("deposit")
    assert [(r.route, r.status) for r in deposits] == [
        ("l1 -> base", MessageStatus.RELAYED),
        ("base -> l3", MessageStatus.RELAYED),
    ]

    # out again: l3 -> base (proven and finalized on base), then base -> l1
    contract(superchain, "l3", "L2ToL1MessagePasser").functions.initiateWithdrawal(
        user, 100_000, b""
    ).transact({"from": user, "value": ETH // 4})
    superchain.advance(60)
    (out_of_l3,) = superchain.messages("withdrawal")
    assert out_of_l3.route == "l3 -> base" and out_of_l3.status == MessageStatus.FINALIZED
    assert all(leg.chain == "base" for step, leg in out_of_l3.legs.items() if step != "sent")
    balance_on_base = base.balance(user)
    contract(superchain, "base", "L2ToL1MessagePasser").functions.initiateWithdrawal(
        user, 100_000, b""
    ).transact({"from": user, "value": ETH // 4})
    superchain.advance(72)  # l1 blocks every 12 s: the finalization waits for the next one
    out_of_base = superchain.messages("withdrawal")[1]
    assert out_of_base.route == "base -> l1" and out_of_base.status == MessageStatus.FINALIZED
    gas_on_base = balance_on_base - base.balance(user) - ETH // 4
    assert 0 < gas_on_base < ETH // 1000
    l1_gas = sum(
        r["gasUsed"] * r["effectiveGasPrice"]
        for r in (l1.w3.eth.get_transaction_receipt(h) for h in [deposits[0].legs["sent"].tx_hash])
    )
    assert l1.balance(user) == start["l1"] - ETH + ETH // 4 - l1_gas


def test_a_message_from_l1_reaches_the_l3_in_two_hops(superchain: Devnet) -> None:
    """l1 -> base by base's messenger, whose target is base's L1CrossDomainMessenger for the l3:
    the second hop is sent by a contract on base, as a bridge app would chain them."""
    l1, l3 = superchain.evm("l1"), superchain.evm("l3")
    relay_on_base = messenger(superchain, "l3", "L1CrossDomainMessenger")  # lives on base
    inner = relay_on_base.functions.sendMessage(
        l3.accounts[7].address, b"", 50_000
    )._encode_transaction_data()
    user = l1.accounts[2].address
    messenger(superchain, "base", "L1CrossDomainMessenger").functions.sendMessage(
        relay_on_base.address, bytes.fromhex(inner[2:]), 300_000
    ).transact({"from": user})
    superchain.advance(24)
    records = superchain.messages("deposit")
    assert [(r.route, r.status, r.detail.get("messenger")) for r in records] == [
        ("l1 -> base", MessageStatus.RELAYED, "relayed"),
        ("base -> l3", MessageStatus.RELAYED, "relayed"),
    ]
