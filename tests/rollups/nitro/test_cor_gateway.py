"""COR l1 <-> arbitrum through the token gateways: escrow on l1, BridgedCORToken minted and burnt on
arbitrum, so COR's total supply stays l1's; and the gateways' refusals."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi import encode
from eth_hash.auto import keccak
from nitro_helpers import NitroRollup, expect_revert
from web3.contract import Contract

from cortensor_sim.artifacts import load_artifact
from cortensor_sim.rollups.nitro.actors import execute_transaction_data, outbox_proof, outgoing_messages
from cortensor_sim.rollups.nitro.transactions import ActorTransactionError, send

COR = 10**18
SUPPLY = 1_000_000 * COR
GAS, BID = 2_000_000, 2 * 10**9
"""The first deposit of a token creates its BridgedCORToken on the child: the retry needs the gas."""


def _gateways(rollup: NitroRollup) -> dict[str, Contract]:
    l1, arbitrum = rollup.parent, rollup.child
    owner_l1 = l1.accounts[0].address
    cor = l1.deploy(load_artifact("CORToken"), l1.accounts[1].address, SUPPLY)
    parent = l1.deploy(load_artifact("ParentCORGateway"), rollup.contracts.inbox, rollup.contracts.bridge)
    child = arbitrum.deploy(load_artifact("ChildCORGateway"), parent.address)
    parent.functions.initialize(child.address).transact({"from": owner_l1})
    bridged = arbitrum.w3.eth.contract(
        address=child.functions.calculateL2TokenAddress(cor.address).call(),
        abi=load_artifact("BridgedCORToken").abi,
    )
    return {"cor": cor, "parent": parent, "child": child, "bridged": bridged}


def _deposit(rollup: NitroRollup, g: dict[str, Contract], holder: str, amount: int) -> Any:
    max_submission = (
        2 * rollup.contract("Inbox").functions.calculateRetryableSubmissionFee(164 + 32 * 5, 0).call()
    )
    g["cor"].functions.approve(g["parent"].address, amount).transact({"from": holder})
    data = encode(["uint256", "bytes"], [max_submission, b""])
    tx = (
        g["parent"]
        .functions.outboundTransfer(g["cor"].address, holder, amount, GAS, BID, data)
        .transact({"from": holder, "value": max_submission + GAS * BID})
    )
    rollup.drive(1, [rollup.reader])
    return tx


def _supply_holds(g: dict[str, Contract]) -> None:
    """COR on arbitrum is exactly what l1's gateway escrows: the total supply is l1's."""
    assert (
        g["bridged"].functions.totalSupply().call()
        == g["cor"].functions.balanceOf(g["parent"].address).call()
    )
    assert g["cor"].functions.totalSupply().call() == SUPPLY


def test_cor_round_trip_l1_arbitrum_l1(rollup: NitroRollup) -> None:
    g = _gateways(rollup)
    holder = rollup.parent.accounts[1].address
    _deposit(rollup, g, holder, 100 * COR)
    assert g["bridged"].functions.balanceOf(holder).call() == 100 * COR
    assert g["cor"].functions.balanceOf(holder).call() == SUPPLY - 100 * COR
    _supply_holds(g)
    g["child"].functions.outboundTransfer(g["cor"].address, holder, 40 * COR, b"").transact({"from": holder})
    assert g["bridged"].functions.totalSupply().call() == 60 * COR  # burnt at once
    rollup.drive(120, step=4)  # the gateways' automined deployment ran l1 ahead of its slots
    assert rollup.executor.executed == {0}
    assert g["cor"].functions.balanceOf(holder).call() == SUPPLY - 60 * COR
    _supply_holds(g)


def test_gateways_accept_only_each_other(rollup: NitroRollup) -> None:
    g = _gateways(rollup)
    holder = rollup.parent.accounts[1].address
    _deposit(rollup, g, holder, 10 * COR)
    stranger = rollup.child.accounts[3].address
    expect_revert(
        g["child"].functions.finalizeInboundTransfer(g["cor"].address, stranger, stranger, COR, b""),
        {"from": stranger},
        "NotFromParentGateway(address)",
        stranger,
    )
    expect_revert(
        g["parent"].functions.finalizeInboundTransfer(g["cor"].address, holder, holder, COR, b""),
        {"from": holder},
        "NotFromBridge(address)",
        holder,
    )
    # a withdrawal forged by another child contract reaches the gateway through the Outbox, and is refused
    probe = rollup.child.deploy(load_artifact("NitroProbe"))
    forged = g["parent"].functions.finalizeInboundTransfer(g["cor"].address, stranger, stranger, 5 * COR, b"")
    payload = bytes.fromhex(forged._encode_transaction_data()[2:])
    probe.functions.sendToParent(g["parent"].address, payload).transact({"from": stranger})
    rollup.drive(120, [rollup.reader, rollup.validator], step=4)
    assert rollup.validator.latest_confirmed().send_count == 1  # type: ignore[union-attr]
    (message,) = outgoing_messages(rollup.child)
    data = execute_transaction_data(outbox_proof(rollup.child, 1, 0), message)
    refused = keccak(b"NotFromChildGateway(address)")[:4].hex()
    with pytest.raises(ActorTransactionError, match=f"data 0x{refused}"):
        send(rollup.parent, rollup.parent.accounts[9], rollup.contracts.outbox, data)
    assert g["cor"].functions.balanceOf(stranger).call() == 0
    _supply_holds(g)
