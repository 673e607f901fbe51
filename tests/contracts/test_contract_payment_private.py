"""SessionPayment, TaskValidator and PrivateSessionV2."""

from __future__ import annotations

from contract_helpers import (
    COR,
    V_INVALID,
    V_RETRY,
    V_VALID,
    ZERO,
    Env,
    create_session,
    event_args,
    expect_revert,
    node_id,
    role_id,
    run_task,
    send,
    session_miners,
    submit,
)
from eth_utils import keccak

MISSING = "MissingRole(bytes32,address)"


def test_deposit_and_network_payment(env: Env) -> None:
    w3, p = env.w3, env.p
    pay = p.payment.functions
    sid, _ = create_session(env)
    expect_revert(pay.depositToSession(sid, 0), env.owner, "ZeroAmount()")
    expect_revert(pay.depositToSession(99, 1), env.owner, "UnknownSession(uint256)", 99)
    r = send(w3, pay.depositToSession(sid, 5 * COR), env.owner)
    assert event_args(p.payment, "SessionDeposited", r) == [
        {"sessionId": sid, "from": env.owner, "amount": 5 * COR, "sessionBalance": 5 * COR}
    ]
    assert pay.canCover(sid, 5).call() and not pay.canCover(sid, 6).call()
    fn = pay.payFromSessionToNetwork(sid, 2 * COR)
    # The admin cannot move a user's deposit: only the session's owner pays the network.
    expect_revert(fn, env.admin, "NotSessionOwner(uint256,address)", sid, env.admin)
    expect_revert(pay.payFromSessionToNetwork(sid, 0), env.owner, "ZeroAmount()")
    expect_revert(
        pay.payFromSessionToNetwork(sid, 6 * COR),
        env.owner,
        "InsufficientSessionFunds(uint256,uint256,uint256)",
        sid,
        5 * COR,
        6 * COR,
    )
    r = send(w3, fn, env.owner)
    assert event_args(p.payment, "SessionPaidToNetwork", r)[0]["amount"] == 2 * COR
    expect_revert(
        pay.reserveTaskFunds(sid, 0, 1), env.owner, MISSING, role_id("SESSION_CONTRACT_ROLE"), env.owner
    )
    expect_revert(pay.refund(sid), env.owner, "SessionStillActive(uint256)", sid)
    expect_revert(pay.withdrawNodePayment(), env.miners[0], "NothingToWithdraw(address)", env.miners[0])
    send(w3, p.session.functions.deactivateSession(sid), env.owner)
    expect_revert(pay.depositToSession(sid, 1), env.owner, "SessionNotActive(uint256)", sid)
    assert pay.refund(sid).call() == 0  # already refunded by deactivateSession
    env.assert_conserved()


def test_validation_and_allocation(env: Env) -> None:
    w3, p = env.w3, env.p
    v, pay = p.validator.functions, p.payment.functions
    sid, _ = create_session(env, min_nodes=3, max_nodes=3, redundant=3)
    send(w3, pay.depositToSession(sid, 10 * COR), env.owner)
    tid = submit(env, sid)
    miners = session_miners(env, sid)
    a, b, c = miners
    expect_revert(
        v.submitVerdict(sid, tid, a, V_VALID),
        env.validator,
        "TaskNotCompleted(uint256,uint256,uint8)",
        sid,
        tid,
        0,
    )
    expect_revert(
        pay.allocateNodePayments(sid, tid), env.owner, "TaskNotFinalized(uint256,uint256)", sid, tid
    )
    run_task(env, sid, tid, {a: "x", b: "x"})  # c was never assigned
    expect_revert(
        v.submitVerdict(sid, tid, a, V_VALID), env.owner, MISSING, role_id("VALIDATOR_ROLE"), env.owner
    )
    expect_revert(v.submitVerdict(sid, tid, a, 0), env.validator, "InvalidVerdict(uint8)", 0)
    expect_revert(v.submitVerdict(sid, tid, a, 4), env.validator, "InvalidVerdict(uint8)", 4)
    expect_revert(
        v.submitVerdict(sid, tid, c, V_VALID),
        env.validator,
        "NoCommittedResult(uint256,uint256,address)",
        sid,
        tid,
        c,
    )
    expect_revert(v.submitVerdicts(sid, tid, [a], []), env.validator, "LengthMismatch(uint256,uint256)", 1, 0)
    send(w3, v.submitVerdict(sid, tid, a, V_INVALID), env.validator)
    r = send(w3, v.submitVerdict(sid, tid, a, V_VALID), env.validator)  # change the vote before finalize
    assert event_args(p.validator, "VerdictPosted", r)[0]["verdict"] == V_VALID
    assert v.votesOf(sid, tid, a).call() == [0, 1, 0, 0]
    send(w3, v.submitVerdict(sid, tid, b, V_RETRY), env.validator)
    expect_revert(v.finalize(sid, tid), env.owner, MISSING, role_id("VALIDATOR_ROLE"), env.owner)
    send(w3, v.finalize(sid, tid), env.validator)
    assert v.isFinalized(sid, tid).call() and v.verdictOf(sid, tid, b).call() == V_RETRY
    expect_revert(v.finalize(sid, tid), env.validator, "TaskAlreadyFinalized(uint256,uint256)", sid, tid)
    expect_revert(
        v.submitVerdict(sid, tid, a, V_VALID),
        env.validator,
        "TaskAlreadyFinalized(uint256,uint256)",
        sid,
        tid,
    )
    # Retry is penalized (points, reputation) but not slashed.
    assert p.node_stats.functions.totalPoints(node_id(a)).call() == 10
    assert p.node_stats.functions.totalPoints(node_id(b)).call() == -20
    assert p.node_reputation.functions.totalRecorded(p.node_pool.functions.nodeIdOf(b).call()).call() == 1
    assert p.node_pool.functions.pendingTasksOf(node_id(a)).call() == 0  # finalize unlocked the stake
    r = send(w3, pay.allocateNodePayments(sid, tid), env.others[0])
    assert event_args(p.payment, "NodePaymentAllocated", r) == [
        {"sessionId": sid, "taskId": tid, "miner": a, "amount": COR}
    ]
    assert pay.paid(sid, tid, a).call() and not pay.paid(sid, tid, b).call()
    expect_revert(
        pay.allocateNodePayments(sid, tid), env.owner, "TaskAlreadyAllocated(uint256,uint256)", sid, tid
    )
    assert pay.sessionBalance(sid).call() == 10 * COR - COR
    r = send(w3, pay.withdrawNodePayment(), a)
    assert event_args(p.payment, "NodePaymentWithdrawn", r) == [{"miner": a, "amount": COR}]
    env.assert_conserved()


def test_payment_config_access(env: Env) -> None:
    w3, p = env.w3, env.p
    pay = p.payment.functions
    expect_revert(pay.setTaskPrice(5), env.owner, MISSING, role_id("ADMIN_ROLE"), env.owner)
    r = send(w3, pay.setTaskPrice(5), env.admin)
    assert event_args(p.payment, "TaskPriceUpdated", r) == [{"pricePerMinerPerTask": 5}]
    assert pay.pricePerMinerPerTask().call() == 5
    expect_revert(pay.setBondPerNode(5), env.owner, MISSING, role_id("ADMIN_ROLE"), env.owner)
    r = send(w3, pay.setBondPerNode(5), env.admin)
    assert event_args(p.payment, "BondPerNodeUpdated", r) == [{"bondPerNode": 5}]
    expect_revert(pay.setTreasury("0x" + "00" * 20), env.admin, "ZeroAddress()")
    r = send(w3, pay.setTreasury(env.others[0]), env.admin)
    assert event_args(p.payment, "TreasuryUpdated", r) == [{"treasury": env.others[0]}]
    assert pay.treasury().call() == env.others[0]
    expect_revert(
        p.validator.functions.setConfig(1, env.admin),
        env.owner,
        MISSING,
        role_id("ADMIN_ROLE"),
        env.owner,
    )


def test_private_sessions(env: Env) -> None:
    w3, p = env.w3, env.p
    ps, s = p.private_sessions.functions, p.session.functions
    sid, _ = create_session(env, min_nodes=3, max_nodes=3, redundant=2)
    send(w3, p.payment.functions.depositToSession(sid, 10 * COR), env.owner)
    plaintext = b"top secret prompt"
    # nonce (16) || tag (16) || encrypted bytes: the contract checks the length only.
    ciphertext = bytes(32) + bytes(x ^ 0x5A for x in plaintext)
    commitment = keccak(plaintext + b"salt")
    sub = ps.submitPrivate(sid, 0, ciphertext, commitment, 0, [], "ref")

    expect_revert(sub, env.owner, "NotPrivateSession(uint256)", sid)
    expect_revert(
        ps.enablePrivate(sid), env.others[0], "NotSessionOwner(uint256,address)", sid, env.others[0]
    )
    r = send(w3, ps.enablePrivate(sid), env.owner)
    assert event_args(p.private_sessions, "SessionMadePrivate", r) == [{"sessionId": sid, "owner": env.owner}]
    expect_revert(ps.enablePrivate(sid), env.owner, "AlreadyPrivate(uint256)", sid)
    expect_revert(
        s.submit(sid, 0, "clear text", 0, "", [], "r"),
        env.owner,
        "PrivateSessionRequiresCiphertext(uint256)",
        sid,
    )
    expect_revert(
        s.submitPrivate(sid, env.owner, 0, "x", 0, [], "r"),
        env.owner,
        "OnlyPrivateSessions(address)",
        env.owner,
    )
    short = "CiphertextTooShort(uint256,uint256)"
    expect_revert(ps.submitPrivate(sid, 0, b"", commitment, 0, [], "r"), env.owner, short, 0, 33)
    expect_revert(ps.submitPrivate(sid, 0, bytes(32), commitment, 0, [], "r"), env.owner, short, 32, 33)
    expect_revert(ps.submitPrivate(sid, 0, ciphertext, b"\0" * 32, 0, [], "r"), env.owner, "ZeroCommitment()")
    expect_revert(sub, env.others[0], "NotOwnerOrRouter(uint256,address)", sid, env.others[0])
    r = send(w3, sub, env.owner)
    (ev,) = event_args(p.private_sessions, "PrivateTaskSubmitted", r)
    tid = ev["taskId"]
    assert (ev["commitment"], ev["ciphertext"]) == (commitment, ciphertext)
    (queued,) = event_args(p.queue, "TaskQueued", r)
    assert queued["taskData"] == "private:0x" + commitment.hex()
    assert ps.getPrivateTask(sid, tid).call() == (ciphertext, commitment)
    # Clear text appears nowhere in the transaction input or logs.
    tx = w3.eth.get_transaction(r["transactionHash"])
    assert plaintext not in bytes(tx["input"])
    assert all(plaintext not in bytes(log["data"]) for log in r["logs"])


def test_private_session_allowlist_and_key_envelopes(env: Env) -> None:
    w3, p = env.w3, env.p
    ps = p.private_sessions.functions
    sid, _ = create_session(env, min_nodes=3, max_nodes=3, redundant=2)
    a, _b, c = session_miners(env, sid)
    envelope = b"\x04" + bytes(range(128))  # 65-byte ephemeral key, nonce, tag, wrapped key
    expect_revert(ps.postSessionKey(sid, a, envelope), env.owner, "NotPrivateSession(uint256)", sid)
    send(w3, ps.enablePrivate(sid), env.owner)

    # Only the owner manages the allowlist; every change is an event; no-op changes are refused.
    expect_revert(ps.allow(sid, a), env.others[0], "NotSessionOwner(uint256,address)", sid, env.others[0])
    expect_revert(ps.allow(sid, ZERO), env.owner, "ZeroAddress()")
    expect_revert(ps.postSessionKey(sid, a, envelope), env.owner, "NotAllowed(uint256,address)", sid, a)
    r = send(w3, ps.allow(sid, a), env.owner)
    assert event_args(p.private_sessions, "AccountAllowed", r) == [{"sessionId": sid, "account": a}]
    assert ps.isAllowed(sid, a).call() and not ps.isAllowed(sid, c).call()
    expect_revert(ps.allow(sid, a), env.owner, "AlreadyAllowed(uint256,address)", sid, a)
    expect_revert(ps.disallow(sid, c), env.owner, "NotAllowed(uint256,address)", sid, c)

    # Envelopes: only the owner or a router posts, only to the owner or an allowlisted account,
    # only in the ECIES shape (129 bytes, an uncompressed ephemeral key first).
    bad = "MalformedEnvelope(uint256)"
    expect_revert(ps.postSessionKey(sid, a, envelope[:-1]), env.owner, bad, 128)
    expect_revert(ps.postSessionKey(sid, a, b"\x02" + envelope[1:]), env.owner, bad, 129)
    expect_revert(
        ps.postSessionKey(sid, a, envelope),
        env.others[0],
        "NotOwnerOrRouter(uint256,address)",
        sid,
        env.others[0],
    )
    expect_revert(ps.postSessionKey(sid, c, envelope), env.owner, "NotAllowed(uint256,address)", sid, c)
    r = send(w3, ps.postSessionKey(sid, a, envelope), env.owner)
    assert event_args(p.private_sessions, "SessionKeyPosted", r) == [
        {"sessionId": sid, "recipient": a, "envelope": envelope}
    ]
    send(w3, ps.postSessionKey(sid, env.owner, envelope), env.owner)  # the owner's own copy
    assert ps.sessionKeyOf(sid, a).call() == envelope
    assert ps.sessionKeyOf(sid, c).call() == b""

    r = send(w3, ps.disallow(sid, a), env.owner)
    assert event_args(p.private_sessions, "AccountDisallowed", r) == [{"sessionId": sid, "account": a}]
    assert ps.sessionKeyOf(sid, a).call() == b""  # the stored envelope goes with the permission
    expect_revert(ps.postSessionKey(sid, a, envelope), env.owner, "NotAllowed(uint256,address)", sid, a)


def test_private_requires_fresh_session(env: Env) -> None:
    w3, p = env.w3, env.p
    sid, _ = create_session(env, min_nodes=1, max_nodes=1, redundant=1)
    send(w3, p.payment.functions.depositToSession(sid, 10 * COR), env.owner)
    submit(env, sid)
    expect_revert(p.private_sessions.functions.enablePrivate(sid), env.owner, "SessionHasTasks(uint256)", sid)
    send(w3, p.session.functions.deactivateSession(sid), env.owner)
    expect_revert(
        p.private_sessions.functions.enablePrivate(sid), env.owner, "SessionNotActive(uint256)", sid
    )
