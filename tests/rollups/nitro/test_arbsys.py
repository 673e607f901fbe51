"""ArbSys (0x64) and the Nitro EVM rules, seen from a contract on arbitrum and on the l3."""

from __future__ import annotations

import pytest
from eth_abi import decode
from web3 import Web3
from web3.logs import DISCARD

from cortensor_sim import Devnet, SystemCall
from cortensor_sim.artifacts import load_artifact
from cortensor_sim.rollups.nitro import ARBSYS, send_merkle
from cortensor_sim.rollups.nitro.aliasing import apply_alias

ARBSYS_ADDRESS = Web3.to_checksum_address(ARBSYS)
NITRO_CHAINS = ["arbitrum", "l3"]


@pytest.fixture(scope="module")
def devnet(nitro_engine: str) -> Devnet:
    return Devnet()


@pytest.fixture
def fresh(devnet: Devnet):  # type: ignore[no-untyped-def]
    mark = devnet.snapshot()
    yield devnet
    devnet.revert(mark)


def _arbsys(devnet: Devnet, name: str):  # type: ignore[no-untyped-def]
    return devnet.evm(name).w3.eth.contract(address=ARBSYS_ADDRESS, abi=_ARBSYS_ABI)


_ARBSYS_ABI = [
    {"type": "function", "name": n, "inputs": i, "outputs": o, "stateMutability": m}
    for n, i, o, m in [
        ("arbBlockNumber", [], [{"type": "uint256", "name": ""}], "view"),
        ("arbChainID", [], [{"type": "uint256", "name": ""}], "view"),
        ("withdrawEth", [{"type": "address", "name": "to"}], [{"type": "uint256", "name": ""}], "payable"),
        (
            "sendMerkleTreeState",
            [],
            [{"type": "uint256", "name": "size"}, {"type": "bytes32", "name": "root"},
             {"type": "bytes32[]", "name": "partials"}],
            "view",
        ),
    ]
] + [
    {
        "type": "event",
        "name": "SendMerkleUpdate",
        "anonymous": False,
        "inputs": [
            {"name": "reserved", "type": "uint256", "indexed": True},
            {"name": "hash", "type": "bytes32", "indexed": True},
            {"name": "position", "type": "uint256", "indexed": True},
        ],
    },
    {
        "type": "event",
        "name": "L2ToL1Tx",
        "anonymous": False,
        "inputs": [
            {"name": "caller", "type": "address", "indexed": False},
            {"name": "destination", "type": "address", "indexed": True},
            {"name": "hash", "type": "uint256", "indexed": True},
            {"name": "position", "type": "uint256", "indexed": True},
            {"name": "arbBlockNum", "type": "uint256", "indexed": False},
            {"name": "ethBlockNum", "type": "uint256", "indexed": False},
            {"name": "timestamp", "type": "uint256", "indexed": False},
            {"name": "callvalue", "type": "uint256", "indexed": False},
            {"name": "data", "type": "bytes", "indexed": False},
        ],
    }
]  # fmt: skip


def _probe(devnet: Devnet, name: str):  # type: ignore[no-untyped-def]
    return devnet.evm(name).deploy(load_artifact("NitroProbe"))


@pytest.mark.parametrize("name", NITRO_CHAINS)
def test_block_number_is_l1s_and_arb_block_number_is_the_chains_own(fresh: Devnet, name: str) -> None:
    chain, l1 = fresh.evm(name), fresh.evm("l1")
    fresh.advance(120)
    probe = _probe(fresh, name)
    number, prevrandao, arb_number, chain_id = probe.functions.blockInfo().call()
    assert l1.height >= 10 and chain.height == 1  # settlement actors' L1 transactions run l1 ahead
    first_l1 = l1.height
    assert (number, prevrandao, arb_number, chain_id) == (l1.height, 1, chain.height, chain.chain_id)
    assert int(chain.w3.eth.get_block("latest")["l1BlockNumber"], 16) == l1.height
    # L1 moves on; the next block of the child is built on the newer L1 block.
    fresh.advance(36)
    tx = probe.functions.sendToParent(chain.accounts[1].address, b"").transact(
        {"from": chain.accounts[0].address}
    )
    (event,) = (
        _arbsys(fresh, name)
        .events.L2ToL1Tx()
        .process_receipt(chain.w3.eth.get_transaction_receipt(tx), errors=DISCARD)
    )
    assert event["args"]["ethBlockNum"] == l1.height >= first_l1 + 3
    assert event["args"]["arbBlockNum"] == chain.height == 2


def test_the_l1_chain_keeps_plain_ethereum_rules(fresh: Devnet, nitro_engine: str) -> None:
    l1 = fresh.evm("l1")
    assert l1.w3.eth.get_code(ARBSYS_ADDRESS) == b""
    assert "l1BlockNumber" not in l1.w3.eth.get_block("latest")
    # As on Nitro, 0xFE, on both engines: revm runs ArbSys's EVM code from its own database only
    # (docs/engines.md).
    assert fresh.evm("arbitrum").w3.eth.get_code(ARBSYS_ADDRESS) == b"\xfe"


@pytest.mark.parametrize("name", NITRO_CHAINS)
def test_send_tx_to_l1_appends_to_the_accumulator_and_burns_the_value(fresh: Devnet, name: str) -> None:
    chain = fresh.evm(name)
    w3 = chain.w3
    probe = _probe(fresh, name)
    arbsys = _arbsys(fresh, name)
    sender = chain.accounts[0].address
    destination = chain.accounts[2].address
    events = []
    for index in range(5):
        payload = bytes([index]) * (index + 1)
        tx = probe.functions.sendToParent(destination, payload).transact(
            {"from": sender, "value": 1_000 + index}
        )
        receipt = w3.eth.get_transaction_receipt(tx)
        (event,) = arbsys.events.L2ToL1Tx().process_receipt(receipt, errors=DISCARD)
        events.append(event["args"])
        assert event["args"]["position"] == index
        assert event["args"]["caller"] == probe.address
        assert event["args"]["destination"] == destination
        assert event["args"]["callvalue"] == 1_000 + index and event["args"]["data"] == payload
        block = w3.eth.get_block(receipt["blockNumber"])
        assert event["args"]["timestamp"] == block["timestamp"]
    leaves = [
        send_merkle.leaf(
            send_merkle.send_hash(
                bytes.fromhex(e["caller"][2:]), bytes.fromhex(e["destination"][2:]), e["arbBlockNum"],
                e["ethBlockNum"], e["timestamp"], e["callvalue"], e["data"],
            )
        )
        for e in events
    ]  # fmt: skip
    assert [send_merkle.leaf(e["hash"].to_bytes(32, "big")) for e in events] == leaves
    size, root, partials = arbsys.functions.sendMerkleTreeState().call()
    assert size == 5 and root == send_merkle.root(leaves)
    assert len(partials) == send_merkle.tree_depth(5) + 1
    # The value left the sender and nobody on the chain holds it, not ArbSys either: it was burnt.
    assert w3.eth.get_balance(ARBSYS_ADDRESS) == 0
    assert w3.eth.get_balance(probe.address) == 0


@pytest.mark.parametrize("name", NITRO_CHAINS)
def test_withdraw_eth_from_an_account_is_a_send_with_no_data(fresh: Devnet, name: str) -> None:
    chain = fresh.evm(name)
    arbsys = _arbsys(fresh, name)
    sender, destination = chain.accounts[3].address, chain.accounts[4].address
    tx = arbsys.functions.withdrawEth(destination).transact({"from": sender, "value": 10**18})
    receipt = chain.w3.eth.get_transaction_receipt(tx)
    assert receipt["status"] == 1
    (event,) = arbsys.events.L2ToL1Tx().process_receipt(receipt, errors=DISCARD)
    assert event["args"]["caller"] == sender and event["args"]["data"] == b""
    assert event["args"]["callvalue"] == 10**18


def test_a_non_payable_method_refuses_value(fresh: Devnet) -> None:
    chain = fresh.evm("arbitrum")
    selector = Web3.keccak(text="arbBlockNumber()")[:4]
    with pytest.raises(Exception, match=r"(?i)revert"):
        chain.w3.eth.call(
            {"from": chain.accounts[0].address, "to": ARBSYS_ADDRESS, "data": selector, "value": 1}
        )
    with pytest.raises(Exception, match=r"(?i)revert"):
        chain.w3.eth.call({"to": ARBSYS_ADDRESS, "data": b"\x12\x34\x56\x78"})


def _seen(chain, probe, tx_hash):  # type: ignore[no-untyped-def]
    (event,) = probe.events.Seen().process_receipt(chain.w3.eth.get_transaction_receipt(tx_hash))
    return event["args"]["callersCaller"], event["args"]["aliased"], event["args"]["topLevel"]


@pytest.mark.parametrize("name", NITRO_CHAINS)
def test_callers_address_from_a_transaction_and_from_a_deposit(fresh: Devnet, name: str) -> None:
    chain = fresh.evm(name)
    probe, outer = _probe(fresh, name), _probe(fresh, name)
    user = chain.accounts[0].address
    record = probe.functions.recordCaller()._encode_transaction_data()

    direct = probe.functions.recordCaller().transact({"from": user})
    assert _seen(chain, probe, direct) == (user, False, True)

    nested = outer.functions.forward(probe.address, record).transact({"from": user})
    assert _seen(chain, probe, nested) == (outer.address, False, False)

    # A message from the parent chain runs from the aliased sender: the probe sees the parent address.
    parent_account = b"\x5a" * 20
    deposit = chain.send_system_transaction(
        SystemCall(sender=apply_alias(parent_account), to=bytes.fromhex(probe.address[2:]),
                   data=bytes.fromhex(record[2:]), source_hash=b"\x01" * 32)
    )  # fmt: skip
    assert _seen(chain, probe, deposit) == (Web3.to_checksum_address(parent_account), True, True)

    # One frame deeper, the caller's caller is a contract on this chain: nothing was aliased.
    forward = outer.functions.forward(probe.address, record)._encode_transaction_data()
    deep = chain.send_system_transaction(
        SystemCall(sender=apply_alias(parent_account), to=bytes.fromhex(outer.address[2:]),
                   data=bytes.fromhex(forward[2:]), source_hash=b"\x02" * 32)
    )  # fmt: skip
    assert _seen(chain, probe, deep) == (outer.address, False, False)


def test_arbsys_answers_are_abi_encoded_like_nitros(fresh: Devnet) -> None:
    chain = fresh.evm("l3")
    out = chain.w3.eth.call({"to": ARBSYS_ADDRESS, "data": Web3.keccak(text="arbChainID()")[:4]})
    assert decode(["uint256"], out) == (333333,)


def test_arb_gas_info_prices_what_a_transaction_pays(fresh: Devnet) -> None:
    chain = fresh.evm("arbitrum")
    gas_info = Web3.to_checksum_address((0x6C).to_bytes(20, "big"))
    user = chain.accounts[0].address
    tx = chain.w3.eth.send_transaction({"from": user, "to": chain.accounts[1].address, "value": 1})
    receipt = chain.w3.eth.get_transaction_receipt(tx)
    selector = Web3.keccak(text="getPricesInWei()")[:4]
    out = chain.w3.eth.call({"to": gas_info, "data": selector}, block_identifier=receipt["blockNumber"])
    per_tx, per_byte, per_storage, base, congestion, total = decode(["uint256"] * 6, out)
    assert (per_tx, per_byte, per_storage, congestion) == (0, 0, 0, 0)  # no L1 component is charged
    block = chain.w3.eth.get_block(receipt["blockNumber"])
    assert base == total == block["baseFeePerGas"]
    tip = chain.w3.eth.get_transaction(tx)["maxPriorityFeePerGas"]
    assert receipt["effectiveGasPrice"] == base + tip  # what the transaction paid per gas
