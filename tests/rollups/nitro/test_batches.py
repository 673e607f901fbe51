"""Batches: segment encoding with brotli, the batch poster posting to the SequencerInbox, and AnyTrust
certificates from a secp256k1 committee (a documented stand-in for BLS)."""

from __future__ import annotations

import pytest
from eth_abi import decode
from nitro_helpers import ETH, NitroRollup, events, expect_revert

from cortensor_sim.rollups.nitro import batches
from cortensor_sim.rollups.nitro.anytrust import Certificate, Committee
from cortensor_sim.rollups.nitro.batches import BatchFormatError, BlockContent
from cortensor_sim.rollups.nitro.transactions import ActorTransactionError

COMMITTEE_KEYS = tuple(bytes([i]) * 32 for i in range(1, 6))  # 5 members


def test_segments_round_trip_through_brotli() -> None:
    blocks = [
        BlockContent(
            timestamp=110, l1_block_number=7, delayed_messages=1, transactions=(b"\x02tx-a", b"\x02tx-b")
        ),
        BlockContent(timestamp=110, l1_block_number=8, delayed_messages=0, transactions=(b"\xf8legacy",)),
        BlockContent(timestamp=112, l1_block_number=8, delayed_messages=2, transactions=()),
    ]
    stream = batches.encode_segments(blocks, timestamp=100, l1_block_number=5)
    data = batches.compress(stream)
    assert data[0] == 0x00
    segments = batches.decode_segments(batches.decompress(data))
    kinds = [kind for kind, _ in segments]
    assert kinds == [3, 4, 2, 0, 4, 0, 3, 2, 2]
    assert segments[0] == (3, b"\x0a") and segments[1] == (4, b"\x02")  # rlp(10), rlp(2)
    assert batches.transactions_of(segments) == [b"\x02tx-a", b"\x02tx-b", b"\xf8legacy"]


def test_bad_batch_data_is_refused_with_a_reason() -> None:
    with pytest.raises(BatchFormatError, match="header byte 80"):
        batches.decompress(b"\x80abc")
    with pytest.raises(BatchFormatError, match="does not decompress"):
        batches.decompress(b"\x00not brotli")
    with pytest.raises(BatchFormatError, match="RLP byte string"):
        batches.decode_segments(b"\xc0")


def _posted_data(rollup: NitroRollup, tx_hash: str) -> bytes:
    tx = rollup.parent.w3.eth.get_transaction(tx_hash)
    args = decode(["uint256", "bytes", "uint256", "address", "uint256", "uint256"], bytes(tx["input"])[4:])
    return args[1]


def _traffic(rollup: NitroRollup, transfers: int) -> list[bytes]:
    chain = rollup.child
    user = rollup.parent.accounts[1].address
    rollup.contract("Inbox").functions.depositEth().transact({"from": user, "value": ETH})
    rollup.drive(1, [rollup.reader])
    sent = []
    for i in range(transfers):
        tx = chain.w3.eth.send_transaction(
            {"from": chain.accounts[i % 3].address, "to": user, "value": i + 1}
        )
        sent.append(chain.engine.get_raw_transaction(bytes(tx)))
    return sent


def test_the_batch_poster_posts_every_child_transaction_compressed(rollup: NitroRollup) -> None:
    sent = _traffic(rollup, 12)
    rollup.drive(6, [rollup.poster])
    (batch,) = rollup.poster.batches
    assert batch.sequence_number == 0 and batch.last_block == rollup.child.height
    assert batch.transactions == 12 and not batch.anytrust
    assert batch.compressed_bytes == batch.posted_bytes < batch.segment_bytes
    data = _posted_data(rollup, batch.tx_hash)
    segments = batches.decode_segments(batches.decompress(data))
    assert batches.transactions_of(segments) == sent
    assert [kind for kind, _ in segments].count(2) == 1  # the deposit, read from the delayed inbox
    receipt = rollup.parent.w3.eth.get_transaction_receipt(batch.tx_hash)
    assert receipt["gasUsed"] == batch.parent_gas
    (delivered,) = events(rollup.contract("SequencerInbox"), "SequencerBatchDelivered", receipt)
    assert delivered["batchSequenceNumber"] == 0 and delivered["afterDelayedMessagesRead"] == 1
    assert delivered["delayedAcc"] == rollup.contract("Bridge").functions.delayedInboxAccs(0).call()
    assert rollup.contract("Bridge").functions.sequencerMessageCount().call() == 1
    # the next batch carries only what came after
    _traffic(rollup, 2)
    rollup.drive(6, [rollup.poster])
    assert [b.sequence_number for b in rollup.poster.batches] == [0, 1]
    assert rollup.poster.batches[1].first_block == batch.last_block + 1


def test_anytrust_posts_a_certificate_of_a_committee_quorum(rollup: NitroRollup) -> None:
    committee = Committee(COMMITTEE_KEYS, assumed_honest=2)  # quorum 4 of 5
    sequencer_inbox = rollup.contract("SequencerInbox")
    owner = rollup.parent.accounts[0].address
    rollup.poster.committee = committee
    _traffic(rollup, 12)
    with pytest.raises(ActorTransactionError, match="would revert"):  # keyset not declared valid yet
        rollup.drive(6, [rollup.poster])
    assert rollup.poster.batches == [] and rollup.poster.posted_to == 0
    sequencer_inbox.functions.setValidKeyset(committee.keyset()).transact({"from": owner})
    assert sequencer_inbox.functions.isValidKeysetHash(committee.keyset_hash()).call()
    rollup.drive(6, [rollup.poster])
    (batch,) = rollup.poster.batches
    assert (
        batch.anytrust and batch.posted_bytes == 81 + 5 * 65
    )  # header and five signatures, whatever the data
    certificate = Certificate.decode(_posted_data(rollup, batch.tx_hash))
    committee.verify(certificate)
    data = committee.data(certificate)
    assert len(data) == batch.compressed_bytes and data[0] == 0x00
    # a certificate below the quorum, or signed by a stranger, is refused by a reading node
    short = committee.certify(data, certificate.timeout, signers=[0, 1, 2])
    with pytest.raises(BatchFormatError, match="quorum is 4"):
        committee.verify(short)
    outsider = Committee((b"\x09" * 32,)).certify(data, certificate.timeout).signatures[0]
    forged = Certificate(
        certificate.keyset_hash, certificate.data_hash, certificate.timeout, certificate.signers_mask,
        (outsider, *certificate.signatures[1:]),
    )  # fmt: skip
    with pytest.raises(BatchFormatError, match="member 0"):
        committee.verify(forged)
    # a certificate naming an unknown keyset is refused on chain
    stranger_committee = Committee(COMMITTEE_KEYS[:3], assumed_honest=1)
    stranger = stranger_committee.certify(data, 0).encode()
    expect_revert(
        sequencer_inbox.functions.addSequencerL2BatchFromOrigin(1, stranger, 1, "0x" + "00" * 20, 0, 0),
        {"from": rollup.poster.account.address},
        "NoSuchKeyset(bytes32)",
        stranger_committee.keyset_hash(),
    )


def test_sequencer_inbox_refusals(rollup: NitroRollup) -> None:
    sequencer_inbox = rollup.contract("SequencerInbox")
    stranger = rollup.parent.accounts[3].address
    poster = rollup.poster.account.address
    zero = "0x" + "00" * 20
    expect_revert(
        sequencer_inbox.functions.addSequencerL2BatchFromOrigin(0, b"\x00", 0, zero, 0, 1),
        {"from": stranger},
        "NotBatchPoster()",
    )
    expect_revert(
        sequencer_inbox.functions.addSequencerL2BatchFromOrigin(0, b"\x42", 0, zero, 0, 1),
        {"from": poster},
        "InvalidHeaderFlag(bytes1)",
    )
    expect_revert(
        sequencer_inbox.functions.addSequencerL2BatchFromOrigin(3, b"\x00", 0, zero, 0, 1),
        {"from": poster},
        "BadSequencerNumber(uint256,uint256)",
        0,
        3,
    )
