"""Deposits l1 -> base: OptimismPortal2.depositTransaction's event exactly as specified, and
derivation into 0x7E deposit transactions after the L1 attributes deposit of the next base block."""

from __future__ import annotations

import pytest
from eth_abi import decode
from eth_hash.auto import keccak
from op_helpers import REVERTER_RUNTIME, contract, deploy, forwarder_runtime
from web3.exceptions import ContractLogicError

from cortensor_sim import Devnet
from cortensor_sim.bridge import MessageStatus
from cortensor_sim.rollups.opstack import apply_alias, user_deposit_source_hash

ETH = 10**18
BOB = "0x000000000000000000000000000000000000b0b0"


def _quantity(value: str | int) -> int:
    """web3 formats the fields it knows; a deposit's ``mint`` comes through as JSON-RPC hex."""
    return value if isinstance(value, int) else int(value, 16)


def _deposited_event(devnet: Devnet, tx_hash: bytes) -> dict:
    portal = contract(devnet, "base", "OptimismPortal")
    receipt = devnet.evm("l1").w3.eth.get_transaction_receipt(tx_hash)
    (event,) = portal.events.TransactionDeposited().process_receipt(receipt)
    return dict(event)


def test_eth_deposit_emits_transaction_deposited_and_mints_on_base(devnet: Devnet) -> None:
    l1, base = devnet.evm("l1"), devnet.evm("base")
    alice = l1.accounts[1].address
    portal = contract(devnet, "base", "OptimismPortal")
    tx = portal.functions.depositTransaction(BOB, ETH, 100_000, False, b"hi").transact(
        {"from": alice, "value": ETH}
    )
    event = _deposited_event(devnet, tx)
    args = event["args"]
    assert (args["from"], args["to"].lower(), args["version"]) == (alice, BOB, 0)
    # opaqueData = abi.encodePacked(uint256 mint, uint256 value, uint64 gasLimit, bool isCreation, bytes data)
    expected = (
        ETH.to_bytes(32, "big") + ETH.to_bytes(32, "big") + (100_000).to_bytes(8, "big") + b"\x00" + b"hi"
    )
    assert args["opaqueData"] == expected
    assert l1.balance(portal.address) == ETH

    devnet.advance(2)
    assert base.balance(BOB) == ETH
    (record,) = devnet.messages("deposit")
    assert record.status == MessageStatus.RELAYED and record.route == "l1 -> base"
    included = record.legs["relayed"]
    block = base.w3.eth.get_block(included.block, full_transactions=True)
    first, deposit = block["transactions"][0], block["transactions"][1]
    assert first["type"] == 0x7E and first["to"] == "0x4200000000000000000000000000000000000015"
    assert deposit["hash"].hex() == included.tx_hash[2:]
    assert deposit["type"] == 0x7E and deposit["from"] == alice and deposit["value"] == ETH
    assert _quantity(deposit["mint"]) == ETH and deposit["gas"] == 100_000
    l1_block_hash = bytes(event["blockHash"])
    source_hash = user_deposit_source_hash(l1_block_hash, event["logIndex"])
    assert bytes.fromhex(deposit["sourceHash"][2:]) == source_hash
    assert source_hash == keccak(b"\x00" * 32 + keccak(l1_block_hash + event["logIndex"].to_bytes(32, "big")))
    assert record.legs["sent"].tx_hash == "0x" + tx.hex()


def test_an_eoa_keeps_its_address_and_a_contract_is_aliased(devnet: Devnet) -> None:
    l1, base = devnet.evm("l1"), devnet.evm("base")
    portal = contract(devnet, "base", "OptimismPortal")
    forwarder = deploy(l1, forwarder_runtime(portal.address))
    data = portal.functions.depositTransaction(BOB, 0, 50_000, False, b"")._encode_transaction_data()
    tx = l1.w3.eth.send_transaction(
        {"from": l1.accounts[1].address, "to": forwarder, "data": data, "value": 7}
    )
    event = _deposited_event(devnet, tx)
    aliased = apply_alias(bytes.fromhex(forwarder[2:]))
    assert event["args"]["from"].lower() == "0x" + aliased.hex()
    assert int(forwarder, 16) + 0x1111000000000000000000000000000000001111 == int(aliased.hex(), 16)
    devnet.advance(2)
    (record,) = devnet.messages("deposit")
    deposit = base.w3.eth.get_transaction(record.legs["relayed"].tx_hash)
    assert deposit["from"].lower() == "0x" + aliased.hex() and _quantity(deposit["mint"]) == 7
    assert base.balance("0x" + aliased.hex()) == 7  # minted to the alias, value 0 sent on


def test_a_deposit_whose_call_reverts_still_mints(devnet: Devnet) -> None:
    l1, base = devnet.evm("l1"), devnet.evm("base")
    reverter = deploy(base, REVERTER_RUNTIME)
    alice = l1.accounts[2].address
    before = base.balance(alice)
    portal = contract(devnet, "base", "OptimismPortal")
    portal.functions.depositTransaction(reverter, ETH, 100_000, False, b"").transact(
        {"from": alice, "value": 3 * ETH}
    )
    devnet.advance(4)  # the deployment took base's slot 1 (automine): the next block is slot 2's
    (record,) = devnet.messages("deposit")
    assert record.status == MessageStatus.FAILED
    receipt = base.w3.eth.get_transaction_receipt(record.legs["failed"].tx_hash)
    assert receipt["status"] == 0
    assert base.balance(alice) == before + 3 * ETH  # minted, and the value never left
    assert base.balance(reverter) == 0


def test_each_base_block_opens_with_its_l1_origin(devnet: Devnet) -> None:
    devnet.settlement.auto = False  # type: ignore[union-attr]  # no proposals: l1's head is a slot block
    l1, base = devnet.evm("l1"), devnet.evm("base")
    l1_block = contract(devnet, "base", "L1Block")
    for _ in range(3):
        devnet.advance(12)
        origin = l1.w3.eth.get_block("latest")
        assert l1_block.functions.number().call() == origin["number"]
        assert l1_block.functions.timestamp().call() == origin["timestamp"]
        assert l1_block.functions.basefee().call() == origin["baseFeePerGas"]
        assert l1_block.functions.hash().call() == bytes(origin["hash"])
    head = base.w3.eth.get_block("latest", full_transactions=True)
    info = head["transactions"][0]
    assert info["from"] == "0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001"
    (number, timestamp) = decode(["uint64", "uint64"], bytes(info["input"])[4:68])
    assert timestamp <= head["timestamp"] and number <= l1.height
    with pytest.raises(ContractLogicError, match="only the depositor account"):
        l1_block.functions.setL1BlockValues(1, 1, 1, b"\x00" * 32, 0, b"\x00" * 32, 0, 0).call(
            {"from": base.accounts[0].address}
        )


def test_a_week_long_jump_keeps_l1block_on_the_parents_head(devnet: Devnet) -> None:
    devnet.settlement.auto = False  # type: ignore[union-attr]
    devnet.advance(7 * 86_400)
    origin = devnet.evm("l1").w3.eth.get_block("latest")
    l1_block = contract(devnet, "base", "L1Block")
    assert l1_block.functions.number().call() == origin["number"] >= 50_400
    assert devnet.evm("base").w3.eth.get_block("latest")["timestamp"] == origin["timestamp"]


@pytest.mark.parametrize(
    ("to", "gas", "creation", "data", "reason"),
    [
        (BOB, 21_000 + 40 * 10 - 1, False, b"\x01" * 10, "gas limit too small"),
        (BOB, 100_000, True, b"", "must send to address\\(0\\) when creating a contract"),
        (BOB, 6_000_000, False, b"\x01" * 120_001, "data too large"),
    ],
)
def test_the_portal_refuses_bad_deposits(
    devnet: Devnet, to: str, gas: int, creation: bool, data: bytes, reason: str
) -> None:
    portal = contract(devnet, "base", "OptimismPortal")
    with pytest.raises(ContractLogicError, match=reason):
        portal.functions.depositTransaction(to, 0, gas, creation, data).call(
            {"from": devnet.evm("l1").accounts[0].address}
        )
