"""Configuration setters and the remaining events and custom errors, each asserted once.

Why: every event a client may index and every error a caller may see is pinned by a test, so
a rename or a lost emit fails CI (the other tests cover the session, queue, pool and payment flow).
"""

from __future__ import annotations

from collections.abc import Callable

from contract_helpers import (
    COR,
    Env,
    create_session,
    event_args,
    expect_revert,
    send,
    session_miners,
    submit,
)
from web3 import Web3
from web3.contract import Contract

from cortensor_sim.protocol.deployment import deploy_contract

MISSING = "MissingRole(bytes32,address)"


def test_wiring_setters_emit_their_changes(env: Env) -> None:
    w3, p = env.w3, env.p
    r = send(
        w3,
        p.session.functions.setContracts(
            p.node_pool.address, p.queue.address, p.payment.address, p.private_sessions.address
        ),
        env.admin,
    )
    assert event_args(p.session, "ContractsUpdated", r) == [
        {
            "nodePool": p.node_pool.address,
            "queue": p.queue.address,
            "payment": p.payment.address,
            "privateSessions": p.private_sessions.address,
        }
    ]
    payment = deploy_contract(w3, "SessionPayment", env.admin, p.cor.address, env.admin, sender=env.admin)
    wiring = payment.functions.setContracts(p.session.address, p.queue.address, p.validator.address)
    r = send(w3, wiring, env.admin)
    assert event_args(payment, "ContractsUpdated", r) == [
        {"sessions": p.session.address, "queue": p.queue.address, "validator": p.validator.address}
    ]
    expect_revert(wiring, env.admin, "ContractsAlreadySet()")  # wired once: see test_protocol_holes
    r = send(w3, p.queue.functions.setSessionInfo(p.session.address), env.admin)
    assert event_args(p.queue, "SessionInfoUpdated", r) == [{"sessionInfo": p.session.address}]
    r = send(
        w3,
        p.node_pool.functions.setReputationPolicy(p.node_reputation.address, ["validation"], 2, 5, 7_000),
        env.admin,
    )
    assert event_args(p.node_pool, "ReputationPolicyUpdated", r) == [
        {
            "reputation": p.node_reputation.address,
            "minRecentActivityCount": 2,
            "recentWindow": 5,
            "minSuccessRate": 7_000,
        }
    ]
    assert p.node_pool.functions.reputationStates().call() == ["validation"]
    r = send(w3, p.validator.functions.setConfig(3 * COR, env.others[0]), env.admin)
    assert event_args(p.validator, "ConfigUpdated", r) == [
        {"slashAmount": 3 * COR, "slashRecipient": env.others[0]}
    ]
    expect_revert(p.validator.functions.setConfig(1, "0x" + "00" * 20), env.admin, "ZeroAddress()")


def test_queue_deadlines_are_configurable_but_never_zero(env: Env) -> None:
    w3, q = env.w3, env.p.queue.functions
    expect_revert(q.setDeadlines(0, 5, 5), env.admin, "InvalidDeadlines(uint256,uint256,uint256)", 0, 5, 5)
    r = send(w3, q.setDeadlines(10, 20, 30), env.admin)
    assert event_args(env.p.queue, "DeadlinesUpdated", r) == [
        {"ackDeadline": 10, "precommitDeadline": 20, "commitDeadline": 30}
    ]
    assert (q.ackDeadline().call(), q.precommitDeadline().call(), q.commitDeadline().call()) == (10, 20, 30)


def test_submit_escrows_the_task_price(env: Env) -> None:
    w3, p = env.w3, env.p
    sid, _ = create_session(env, min_nodes=2, max_nodes=2, redundant=2)
    send(w3, p.payment.functions.depositToSession(sid, 5 * COR), env.owner)
    r = send(w3, p.session.functions.submit(sid, 0, "x", 0, "", [], "ref"), env.owner)
    assert event_args(p.payment, "TaskFundsReserved", r) == [
        {"sessionId": sid, "taskId": 0, "amount": 2 * COR, "pricePerMiner": COR}
    ]
    assert p.payment.functions.taskEscrow(sid, 0).call() == 2 * COR


def test_commit_needs_a_precommit(env: Env) -> None:
    w3, p = env.w3, env.p
    q = p.queue.functions
    sid, _ = create_session(env, min_nodes=2, max_nodes=2, redundant=2)
    send(w3, p.payment.functions.depositToSession(sid, 5 * COR), env.owner)
    tid = submit(env, sid)
    a, b = session_miners(env, sid)
    send(w3, q.assignTask(sid, tid, [a, b]), env.owner)
    send(w3, q.ack(sid, tid), a)
    send(w3, q.ack(sid, tid), b)
    send(w3, q.endAck(sid, tid), env.owner)
    send(w3, q.endPrecommit(sid, tid, False), env.oracle)  # nobody precommitted
    expect_revert(q.commit(sid, tid, "r"), a, "NotPrecommitted(uint256,uint256,address)", sid, tid, a)


def test_only_the_queue_reports_assignments(env: Env) -> None:
    fn = env.p.session.functions.noteTaskAssigned(0, 0, [env.miners[0]])
    expect_revert(fn, env.owner, "OnlyQueue(address)", env.owner)


def test_an_unwired_queue_says_so(w3: Web3, accounts: list[str], deploy: Callable[..., Contract]) -> None:
    queue = deploy("SessionQueueV2", accounts[0])
    expect_revert(queue.functions.assignTask(0, 0, [accounts[1]]), accounts[1], "SessionInfoNotSet()")


def test_routers_per_session_are_bounded(env: Env) -> None:
    w3, s = env.w3, env.p.session.functions
    sid, _ = create_session(env, min_nodes=1, max_nodes=1, redundant=1)
    limit = s.MAX_ROUTERS().call()
    routers = [Web3.to_checksum_address(f"0x{i + 1:040x}") for i in range(limit + 1)]
    for router in routers[:limit]:
        send(w3, s.addRouter(sid, router, "r"), env.owner)
    expect_revert(
        s.addRouter(sid, routers[-1], "r"), env.owner, "TooManyRouters(uint256,uint256)", sid, limit
    )
