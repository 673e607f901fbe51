"""Interval mining: transactions between two advances share one block, and one bad apple
does not spoil it."""

from __future__ import annotations

import pytest
from chain_helpers import (
    GENESIS,
    REVERT_RUNTIME,
    checksum,
    deploy_runtime,
    fresh_account,
    opening_deposits,
    send,
)

from cortensor_sim.chains import Devnet


@pytest.mark.parametrize("name", ["l1", "op", "arb", "orb"])
def test_twenty_transfers_from_several_senders_share_one_block(interval_devnet: Devnet, name: str) -> None:
    chain = interval_devnet.evm(name)
    senders = chain.accounts[:4]
    recipient = checksum(b"\x66" * 20)
    hashes = [send(chain, senders[i % 4], to=recipient, value=1000 + i) for i in range(20)]
    assert chain.pending == 20
    assert chain.height == 0
    for account in senders:
        assert chain.w3.eth.get_transaction_count(account.address, "pending") == 5
        assert chain.w3.eth.get_transaction_count(account.address) == 0

    sealed = interval_devnet.advance(12)[name]
    opening = opening_deposits(chain)
    with_txs = [b for b in sealed if b.tx_hashes[opening:]]
    assert len(with_txs) == 1
    block = with_txs[0]
    assert block.number == 1
    assert list(block.tx_hashes[opening:]) == hashes
    assert block.dropped == ()
    assert chain.pending == 0
    for index, tx_hash in enumerate(hashes):
        receipt = chain.w3.eth.get_transaction_receipt(tx_hash)
        assert receipt["status"] == 1
        assert receipt["blockNumber"] == 1
        assert receipt["transactionIndex"] == index + opening
    assert chain.w3.eth.get_balance(recipient) == sum(1000 + i for i in range(20))
    assert chain.w3.eth.get_block(1)["transactions"][opening:] == hashes
    for account in senders:
        assert chain.w3.eth.get_transaction_count(account.address) == 5


@pytest.mark.parametrize("name", ["l1", "arb"])
def test_reverting_call_gets_a_failed_receipt_in_the_same_block(interval_devnet: Devnet, name: str) -> None:
    chain = interval_devnet.evm(name)
    reverter = deploy_runtime(chain, REVERT_RUNTIME)
    interval_devnet.advance(12)
    start = chain.height
    a, b = chain.accounts[1], chain.accounts[2]
    recipient = checksum(b"\x77" * 20)
    ok1 = send(chain, a, to=recipient, value=1)
    bad = send(chain, b, to=reverter, data=b"\x01", gas=50_000)
    ok2 = send(chain, a, to=recipient, value=2)
    ok3 = send(chain, b, to=recipient, value=3)  # same sender as the failed one, next nonce
    interval_devnet.advance(12)
    receipts = [chain.w3.eth.get_transaction_receipt(h) for h in (ok1, bad, ok2, ok3)]
    assert {r["blockNumber"] for r in receipts} == {start + 1}
    assert [r["status"] for r in receipts] == [1, 0, 1, 1]
    assert [r["transactionIndex"] for r in receipts] == [0, 1, 2, 3]
    assert chain.w3.eth.get_balance(recipient) == 6
    # the failed transaction still used its nonce and paid for its gas
    assert chain.w3.eth.get_transaction_count(b.address) == 2
    assert receipts[1]["gasUsed"] > 21_000


def test_unincludable_transaction_is_dropped_and_the_rest_of_the_block_stands(
    interval_devnet: Devnet,
) -> None:
    chain = interval_devnet.evm("l1")
    poor = fresh_account(0x11)  # no balance at all: cannot pay for gas
    recipient = checksum(b"\x88" * 20)
    ok1 = send(chain, chain.accounts[0], to=recipient, value=1)
    broke = send(chain, poor, to=recipient, value=1)
    ok2 = send(chain, chain.accounts[0], to=recipient, value=2)
    sealed = interval_devnet.advance(12)["l1"]
    assert [b.number for b in sealed] == [1]
    assert sealed[0].tx_hashes == (ok1, ok2)
    assert [d.tx_hash for d in sealed[0].dropped] == [broke]
    assert "fund" in sealed[0].dropped[0].reason.lower() or "balance" in sealed[0].dropped[0].reason
    assert chain.w3.eth.get_balance(recipient) == 3
    assert chain.w3.eth.get_transaction_count(poor.address) == 0
    assert chain.engine.get_receipt(broke) is None
    assert chain.w3.eth.get_block(1)["timestamp"] == GENESIS + 12


@pytest.mark.parametrize("name", ["l1", "arbitrum"])
def test_automine_refuses_an_unincludable_transaction_with_an_rpc_error(devnet: Devnet, name: str) -> None:
    from web3.exceptions import Web3RPCError

    chain = devnet.evm(name)
    poor = fresh_account(0x12)
    height, sealed = chain.height, len(chain.sealed)
    with pytest.raises(Web3RPCError):
        send(chain, poor, to=checksum(b"\x88" * 20), value=1)
    # refused means nothing changed: no (empty) block was sealed for it
    assert chain.height == height
    assert len(chain.sealed) == sealed
