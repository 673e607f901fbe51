"""The shared clock drives every chain's blocks, each by its kind's rules."""

from __future__ import annotations

import pytest
from chain_helpers import GENESIS, checksum, opening_deposits, send

from cortensor_sim.chains import Devnet
from cortensor_sim.chains.evm import MAX_EMPTY_BLOCKS

SLOT_CHAINS = {"l1": 12, "op": 2}
SEQUENCED_CHAINS = ("arb", "orb")
WEEK = 7 * 24 * 3600


def _timestamps(chain, numbers):
    return [chain.w3.eth.get_block(n)["timestamp"] for n in numbers]


@pytest.mark.parametrize("seconds", [1, 12, 13.5, 100, 25 * 12])
def test_slot_chain_blocks_follow_slots_after_advance(interval_devnet: Devnet, seconds) -> None:
    interval_devnet.advance(seconds)
    now = GENESIS + seconds
    for name, block_time in SLOT_CHAINS.items():
        chain = interval_devnet.evm(name)
        expected_height = int(seconds // block_time)
        assert chain.height == expected_height
        assert chain.w3.eth.block_number == expected_height
        numbers = list(range(1, expected_height + 1))
        assert [b.number for b in chain.sealed] == numbers
        assert _timestamps(chain, numbers) == [GENESIS + n * block_time for n in numbers]
        assert all(b.timestamp <= now for b in chain.sealed)
    for name in SEQUENCED_CHAINS:
        assert interval_devnet.evm(name).height == 0
        assert interval_devnet.evm(name).sealed == []


def test_sub_second_slot_chain_floors_timestamps_and_keeps_numbers_exact() -> None:
    topology = {
        "chains": [
            {
                "name": "fast",
                "kind": "op-stack",
                "parent": "l1",
                "chain_id": 7,
                "block_time": 0.4,
                "mining": "interval",
            },
            {"name": "l1", "kind": "ethereum", "chain_id": 8, "block_time": 12, "mining": "interval"},
        ]
    }
    devnet = Devnet(topology)
    for _ in range(10):
        devnet.advance(0.3)  # 3 s in steps that never line up with 0.4 s slots
    fast = devnet.evm("fast")
    assert fast.height == 7  # floor(3.0 / 0.4), no float drift
    assert _timestamps(fast, range(1, 8)) == [GENESIS + (n * 400) // 1000 for n in range(1, 8)]


def test_week_long_jump_leaves_a_gap_and_one_block_at_the_slot_for_now(
    interval_devnet: Devnet,
) -> None:
    interval_devnet.advance(24)
    before = {n: len(interval_devnet.evm(n).sealed) for n in SLOT_CHAINS}
    heights = {n: interval_devnet.evm(n).height for n in SLOT_CHAINS}
    sealed = interval_devnet.advance(WEEK)
    for name, block_time in SLOT_CHAINS.items():
        chain = interval_devnet.evm(name)
        slot = (24 + WEEK) // block_time
        assert [b.number for b in sealed[name]] == [slot]
        assert len(chain.sealed) == before[name] + 1  # not 50,400 / 302,400 blocks
        assert chain.height == slot
        head = chain.w3.eth.get_block("latest")
        assert head["number"] == slot
        assert head["timestamp"] == GENESIS + slot * block_time
        assert head["parentHash"] == chain.w3.eth.get_block(heights[name])["hash"]
        for gap in (heights[name] + 1, (heights[name] + slot) // 2, slot - 1):
            assert chain.w3.provider.make_request("eth_getBlockByNumber", [hex(gap), False])["result"] is None
    assert interval_devnet.evm("arb").height == 0
    # the chains keep going normally after the gap
    interval_devnet.advance(12)
    for name, block_time in SLOT_CHAINS.items():
        chain = interval_devnet.evm(name)
        slot = (24 + WEEK + 12) // block_time
        assert chain.height == slot
        assert chain.w3.eth.get_block("latest")["timestamp"] == GENESIS + slot * block_time
        assert len(chain.sealed) == before[name] + 1 + 12 // block_time
    assert interval_devnet.evm("orb").height == 0


def test_up_to_max_empty_blocks_every_slot_is_sealed(interval_devnet: Devnet) -> None:
    l1 = interval_devnet.evm("l1")
    interval_devnet.advance(MAX_EMPTY_BLOCKS * 12)
    assert [b.number for b in l1.sealed] == list(range(1, MAX_EMPTY_BLOCKS + 1))
    sealed = interval_devnet.advance((MAX_EMPTY_BLOCKS + 1) * 12)
    assert [b.number for b in sealed["l1"]] == [2 * MAX_EMPTY_BLOCKS + 1]


def test_week_jump_with_pending_transactions_seals_them_first(interval_devnet: Devnet) -> None:
    l1 = interval_devnet.evm("l1")
    tx_hash = send(l1, l1.accounts[0], to=checksum(b"\x33" * 20), value=5)
    sealed = interval_devnet.advance(WEEK)["l1"]
    assert [b.number for b in sealed] == [1, WEEK // 12]
    assert sealed[0].tx_hashes == (tx_hash,)
    receipt = l1.w3.eth.get_transaction_receipt(tx_hash)
    assert receipt["blockNumber"] == 1
    assert l1.w3.eth.get_block(1)["timestamp"] == GENESIS + 12


def test_sequenced_chains_make_no_empty_blocks_and_seal_pool_at_next_slot(
    interval_devnet: Devnet,
) -> None:
    arb, orb = interval_devnet.evm("arb"), interval_devnet.evm("orb")
    interval_devnet.advance(10)
    assert arb.height == orb.height == 0
    tx_hash = send(arb, arb.accounts[0], to=checksum(b"\x44" * 20), value=1)
    assert arb.pending == 1
    with pytest.raises(Exception, match="not found"):
        arb.w3.eth.get_transaction_receipt(tx_hash)
    interval_devnet.advance(0.1)  # the next 0.25 s slot has not come yet
    assert arb.height == 0 and arb.pending == 1
    interval_devnet.advance(60)
    assert arb.height == 1 and arb.pending == 0
    block = arb.w3.eth.get_block(1)
    assert block["transactions"] == [tx_hash]
    assert block["timestamp"] == GENESIS + (10_000 + 250) // 1000
    interval_devnet.advance(600)
    assert arb.height == 1
    assert orb.height == 0


@pytest.mark.parametrize("name", ["l1", "base", "arbitrum", "l3"])
def test_automine_seals_each_transaction_at_once_at_the_clock_time(devnet: Devnet, name: str) -> None:
    chain = devnet.evm(name)
    devnet.advance(5.5)
    start = chain.height
    now = GENESIS + 5  # 5.5 s floored
    hashes = [send(chain, chain.accounts[0], to=checksum(b"\x55" * 20), value=i) for i in (1, 2)]
    blocks = [chain.w3.eth.get_transaction_receipt(h)["blockNumber"] for h in hashes]
    assert blocks == [start + 1, start + 2]
    for number, tx_hash in zip(blocks, hashes, strict=True):
        block = chain.w3.eth.get_block(number)
        assert block["timestamp"] == now
        assert block["transactions"][opening_deposits(chain) :] == [tx_hash]
    assert chain.pending == 0
