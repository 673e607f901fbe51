"""Nitro's header info: every arbitrum and l3 block carries ArbSys's send root (``extraData``), its
send count and the L1 block number (``mixHash``), and the RPC block object shows them as Nitro's
does (``sendRoot``, ``sendCount``, ``l1BlockNumber``)."""

from __future__ import annotations

from typing import Any

import pytest
from web3 import Web3

from cortensor_sim import Devnet
from cortensor_sim.chains.header_info import HeaderInfo
from cortensor_sim.rollups.nitro import ARBSYS

NITRO_CHAINS = ["arbitrum", "l3"]
WITHDRAW_ETH = Web3.keccak(text="withdrawEth(address)")[:4]
SEND_MERKLE_TREE_STATE = Web3.keccak(text="sendMerkleTreeState()")[:4]


@pytest.fixture(scope="module")
def devnet() -> Devnet:
    return Devnet()


@pytest.fixture
def fresh(devnet: Devnet):  # type: ignore[no-untyped-def]
    mark = devnet.snapshot()
    yield devnet
    devnet.revert(mark)


def _block(devnet: Devnet, name: str, number: int | str = "latest") -> dict[str, Any]:
    tag = hex(number) if isinstance(number, int) else number
    answer = devnet.evm(name).w3.provider.make_request("eth_getBlockByNumber", [tag, False])  # type: ignore[arg-type]
    return dict(answer["result"])


def _withdraw(devnet: Devnet, name: str, value: int) -> int:
    chain = devnet.evm(name)
    sender = chain.accounts[3].address
    data = WITHDRAW_ETH + bytes(12) + bytes.fromhex(sender[2:])
    tx = chain.w3.eth.send_transaction(
        {"from": sender, "to": Web3.to_checksum_address(ARBSYS), "data": data, "value": value}
    )
    return int(chain.w3.eth.get_transaction_receipt(tx)["blockNumber"])


def _send_tree(devnet: Devnet, name: str, block: int) -> tuple[int, bytes]:
    chain = devnet.evm(name)
    out = chain.w3.eth.call({"to": Web3.to_checksum_address(ARBSYS), "data": SEND_MERKLE_TREE_STATE}, block)
    return int.from_bytes(out[:32], "big"), bytes(out[32:64])


def test_header_info_layout_is_nitros() -> None:
    info = HeaderInfo(send_root=b"\x11" * 32, send_count=3, l1_block_number=0x0102, arbos_format_version=0)
    assert info.extra_data == b"\x11" * 32
    assert info.mix_hash == (3).to_bytes(8, "big") + (0x0102).to_bytes(8, "big") + bytes(16)
    assert HeaderInfo.from_header(info.extra_data, info.mix_hash) == info
    # a header whose extraData is not a send root (a genesis label) reads as none
    assert HeaderInfo.from_header(b"genesis", info.mix_hash).send_root == bytes(32)


@pytest.mark.parametrize("name", NITRO_CHAINS)
def test_each_block_carries_the_send_root_and_count_after_it(fresh: Devnet, name: str) -> None:
    before = _block(fresh, name)
    first = _withdraw(fresh, name, 10**15)
    second = _withdraw(fresh, name, 2 * 10**15)
    assert second > first
    for number in (first, second):
        block = _block(fresh, name, number)
        count, root = _send_tree(fresh, name, number)
        assert count >= 1 and root != bytes(32)
        assert block["sendCount"] == hex(count)
        assert block["sendRoot"] == "0x" + root.hex()
        assert block["extraData"] == block["sendRoot"]
        mix = bytes.fromhex(block["mixHash"][2:])
        assert HeaderInfo.from_header(bytes.fromhex(block["extraData"][2:]), mix).send_count == count
    assert (
        int(_block(fresh, name, second)["sendCount"], 16)
        == int(_block(fresh, name, first)["sendCount"], 16) + 1
    )
    assert int(_block(fresh, name, first)["sendCount"], 16) == int(before["sendCount"], 16) + 1


@pytest.mark.parametrize("name", NITRO_CHAINS)
def test_the_l1_block_number_field_is_what_number_reads(fresh: Devnet, name: str) -> None:
    number = _withdraw(fresh, name, 10**15)
    block = _block(fresh, name, number)
    mix = bytes.fromhex(block["mixHash"][2:])
    assert block["l1BlockNumber"] == hex(int.from_bytes(mix[8:16], "big"))
    assert int(block["l1BlockNumber"], 16) > 0


def test_genesis_and_l1_blocks(fresh: Devnet) -> None:
    genesis = _block(fresh, "arbitrum", 0)
    assert genesis["sendRoot"] == "0x" + bytes(32).hex() and genesis["sendCount"] == "0x0"
    assert "sendRoot" not in _block(fresh, "l1")  # an Ethereum chain's blocks have no such fields
