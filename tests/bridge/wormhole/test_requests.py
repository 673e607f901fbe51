"""The requests a Solana user writes in a Memo (sessions, tasks, close, unbond) and what the
contracts receive from them; bad memos are errors that say what is wrong; result memos fit a
Solana transaction."""

from __future__ import annotations

import pytest
from eth_abi import decode

from cortensor_sim.bridge.wormhole.payloads import (
    SESSION_CLOSE,
    SESSION_OPEN,
    SESSION_SUBMIT,
    BridgeMemo,
    PayloadError,
    SessionResults,
    SolanaMessage,
)
from cortensor_sim.bridge.wormhole.stack import RESULT_MEMO_LIMIT, result_memos

TO = bytes.fromhex("11" * 20)
SESSION_TYPES = ["uint8", "uint256", "string", "uint256", "uint256", "string[]"]


@pytest.mark.parametrize(
    "memo",
    [
        BridgeMemo(23, TO),
        BridgeMemo(23, TO, (1, 2), b"\x01" * 64),
        BridgeMemo(23, TO, kind="session", name="s", model=2, redundancy=3, prompts=("a", "b")),
        BridgeMemo(23, TO, kind="tasks", session=7, prompts=("c",)),
        BridgeMemo(23, TO, kind="close", session=7),
        BridgeMemo(23, TO, kind="unbond"),
    ],
    ids=["transfer", "register", "session", "tasks", "close", "unbond"],
)
def test_every_memo_kind_round_trips(memo: BridgeMemo) -> None:
    assert BridgeMemo.decode(memo.encode()) == memo


def test_session_requests_carry_the_abi_payload_solana_sessions_decodes() -> None:
    opened = BridgeMemo(23, TO, kind="session", name="s", model=2, redundancy=3, prompts=("a", "b"))
    assert decode(SESSION_TYPES, opened.payload()) == (SESSION_OPEN, 0, "s", 2, 3, ("a", "b"))
    added = BridgeMemo(23, TO, kind="tasks", session=7, prompts=("c",))
    assert decode(SESSION_TYPES, added.payload()) == (SESSION_SUBMIT, 7, "", 0, 0, ("c",))
    closed = BridgeMemo(23, TO, kind="close", session=7)
    assert closed.message and not closed.with_payload
    assert decode(["uint8", "uint256"], closed.payload()) == (SESSION_CLOSE, 7)


def test_a_solana_message_round_trips() -> None:
    message = SolanaMessage(TO.rjust(32, b"\0"), 23, b"\x05" * 32, b"body")
    assert SolanaMessage.decode(message.encode()) == message
    with pytest.raises(PayloadError, match="not a Solana message"):
        SolanaMessage.decode(b"\x00" * 10)


@pytest.mark.parametrize(
    ("memo", "message"),
    [
        ('{"wormhole":"session","chain":23,"to":"0x' + "11" * 20 + '","name":"s","model":0,"redundancy":0,'
         '"prompts":["a"]}', "redundancy 0 is not 1 to 16"),
        ('{"wormhole":"session","chain":23,"to":"0x' + "11" * 20 + '","name":"s","model":0,"redundancy":2,'
         '"prompts":[]}', "non-empty list"),
        ('{"wormhole":"tasks","chain":23,"to":"0x' + "11" * 20 + '","session":-1,"prompts":["a"]}',
         "not a session id"),
        ('{"wormhole":"close","chain":23,"to":"0x1234"}', "20-byte address"),
        ('{"wormhole":"refund","chain":23,"to":"0x' + "11" * 20 + '"}', "one of transfer"),
    ],
    ids=["redundancy", "no-prompts", "session-id", "short-address", "unknown-kind"],
)  # fmt: skip
def test_bad_request_memos_say_what_is_wrong(memo: str, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        BridgeMemo.decode(memo)


def test_a_result_too_long_for_a_solana_transaction_keeps_its_digest_and_length() -> None:
    results = SessionResults(b"\x07" * 32, 4, (0, 1), (b"\x01" * 32, b"\x02" * 32), ("short", "x" * 2000))
    short, long = result_memos(results, b"\x09" * 32)
    assert '"result":"short"' in short
    assert '"result":"' not in long and '"resultLength":2000' in long and '"digest":"0x' + "02" * 32 in long
    assert all(len(m.encode()) <= RESULT_MEMO_LIMIT for m in (short, long))
