"""SessionV2 and SessionQueueV2: success paths, reverts, events, access control."""

from __future__ import annotations

from collections.abc import Callable

from contract_helpers import (
    ACKED,
    COMMITTED,
    COMPLETED,
    COR,
    PRECOMMITTED,
    QUEUED,
    ZERO,
    Env,
    create_session,
    event_args,
    expect_revert,
    node_id,
    result_hash,
    role_id,
    send,
    session_miners,
    submit,
)
from web3 import Web3

MISSING = "MissingRole(bytes32,address)"
TS = "InvalidTaskStatus(uint256,uint256,uint8)"


def _create(env: Env, *args: object) -> object:
    return env.p.session.functions.create("n", "m", ZERO, *args)


def test_create_validation(env: Env) -> None:
    o = env.owner
    s = "InvalidNodeRange(uint256,uint256)"
    expect_revert(_create(env, 0, 3, 1, 0, 0, True, 0, 0, 300, 5), o, s, 0, 3)
    expect_revert(_create(env, 4, 3, 1, 0, 0, True, 0, 0, 300, 5), o, s, 4, 3)
    expect_revert(_create(env, 1, 33, 1, 0, 0, True, 0, 0, 300, 5), o, s, 1, 33)
    s = "InvalidRedundancy(uint256,uint256)"
    expect_revert(_create(env, 1, 3, 0, 0, 0, True, 0, 0, 300, 5), o, s, 0, 3)
    expect_revert(_create(env, 1, 3, 4, 0, 0, True, 0, 0, 300, 5), o, s, 4, 3)
    expect_revert(
        _create(env, 1, 3, 1, 4, 0, True, 0, 0, 300, 5), o, "InvalidValidatorCount(uint256,uint256)", 4, 3
    )
    s = "InvalidMode(uint256,bool)"
    expect_revert(_create(env, 1, 3, 1, 0, 3, True, 0, 0, 300, 5), o, s, 3, True)
    expect_revert(_create(env, 1, 3, 1, 0, 0, False, 0, 0, 300, 5), o, s, 0, False)
    expect_revert(_create(env, 1, 3, 1, 0, 2, True, 0, 0, 300, 5), o, s, 2, True)
    s = "NotEnoughEphemeralNodes(uint256,uint256)"
    expect_revert(_create(env, 5, 6, 1, 0, 0, True, 0, 0, 300, 5), o, s, 5, 4)
    expect_revert(_create(env, 1, 3, 1, 0, 0, True, 0, 9, 300, 5), o, s, 1, 0)


def test_create_requires_wiring(w3: Web3, accounts: list[str], deploy: object) -> None:
    s = deploy("SessionV2", accounts[0])  # type: ignore[operator]
    expect_revert(
        s.functions.create("n", "m", ZERO, 1, 1, 1, 0, 0, True, 0, 0, 300, 5),
        accounts[1],
        "ContractsNotSet()",
    )


def test_create_get_update(env: Env) -> None:
    w3, p = env.w3, env.p
    sid, r = create_session(env, min_nodes=2, max_nodes=8, redundant=2, max_tasks=5)
    s = p.session.functions.getSession(sid).call()
    assert (s[0], s[2], s[3], s[4], s[7]) == (sid, "test-session", "{}", 1, env.owner)
    assert len(s[8]) == 4 and s[9] == []  # min(max=8, eligible=4) nodes reserved, none dedicated
    assert (s[10], s[11], s[12], s[13], s[14]) == (0, 2, 2, 8, 0)  # mode, redundant, min, max, validators
    assert (s[17], s[18], s[19], s[20]) == (0, 0, 300, 5)  # sla, model, reservePeriod, maxTasks
    assert p.session.functions.sessionCount().call() == 1
    assert p.session.functions.taskSlots(sid).call() == 2
    expect_revert(p.session.functions.getSession(7), env.owner, "UnknownSession(uint256)", 7)
    fn = p.session.functions.update("new", '{"a":1}', sid, 1, 6, 3, 2, 0)
    expect_revert(fn, env.others[0], "NotSessionOwner(uint256,address)", sid, env.others[0])
    bad = p.session.functions.update("new", "", sid, 1, 9, 3, 2, 0)  # more nodes than the bond covers
    expect_revert(bad, env.owner, "InvalidNodeRange(uint256,uint256)", 1, 9)
    bad = p.session.functions.update("new", "", sid, 1, 3, 3, 2, 0)  # fewer than it holds
    expect_revert(bad, env.owner, "InvalidNodeRange(uint256,uint256)", 1, 3)
    bad = p.session.functions.update("new", "", sid, 1, 6, 3, 2, 1)
    expect_revert(bad, env.owner, "InvalidMode(uint256,bool)", 1, True)
    r = send(w3, fn, env.owner)
    assert event_args(p.session, "SessionUpdated", r) == [
        {"sessionId": sid, "updater": env.owner, "minNumOfNodes": 1, "maxNumOfNodes": 6, "redundant": 3}
    ]
    s = p.session.functions.getSession(sid).call()
    assert (s[2], s[3], s[11], s[12], s[13], s[14]) == ("new", '{"a":1}', 3, 1, 6, 2)
    assert s[6] >= s[5]


def test_submit_rules(env: Env) -> None:
    w3, p = env.w3, env.p
    sid, _ = create_session(env, max_tasks=2)
    router, stranger = env.others[0], env.others[1] if len(env.others) > 1 else env.admin
    sub = p.session.functions.submit(sid, 0, "x", 0, "", [], "ref")
    expect_revert(sub, env.owner, "InsufficientSessionFunds(uint256,uint256,uint256)", sid, 0, 3 * COR)
    send(w3, p.payment.functions.depositToSession(sid, 100 * COR), env.owner)
    expect_revert(sub, stranger, "NotOwnerOrRouter(uint256,address)", sid, stranger)
    add = p.session.functions.addRouter(sid, router, "router-1")
    expect_revert(add, router, "NotSessionOwner(uint256,address)", sid, router)
    expect_revert(p.session.functions.addRouter(sid, ZERO, ""), env.owner, "ZeroAddress()")
    r = send(w3, add, env.owner)
    assert event_args(p.session, "RouterAdded", r) == [{"routerAddress": router, "routerInfo": "router-1"}]
    expect_revert(add, env.owner, "RouterAlreadyAdded(uint256,address)", sid, router)
    assert p.session.functions.getRouterCount(sid).call() == 1
    assert p.session.functions.getRouterInfo(sid, router).call() == "router-1"
    assert p.session.functions.getSession(sid).call()[15:17] == (["router-1"], [router])
    r = send(w3, sub, router)
    assert event_args(p.session, "TaskSubmitted", r) == [
        {"sessionId": sid, "taskId": 0, "taskData": "x", "clientReference": "ref"}
    ]
    (queued,) = event_args(p.queue, "TaskQueued", r)
    assert (queued["taskId"], queued["globalId"], queued["taskData"]) == (0, 0, "x")
    submit(env, sid)
    expect_revert(sub, env.owner, "TaskLimitReached(uint256,uint256)", sid, 2)
    r = send(w3, p.session.functions.removeRouter(sid, router), env.owner)
    assert event_args(p.session, "RouterRemoved", r) == [{"routerAddress": router}]
    assert not p.session.functions.canRoute(sid, router).call()
    rm = p.session.functions.removeRouter(sid, router)
    expect_revert(rm, env.owner, "RouterNotFound(uint256,address)", sid, router)
    expect_revert(
        p.session.functions.getRouterInfo(sid, router),
        env.owner,
        "RouterNotFound(uint256,address)",
        sid,
        router,
    )
    send(w3, p.session.functions.deactivateSession(sid), env.owner)
    expect_revert(sub, env.owner, "SessionNotActive(uint256)", sid)
    expect_revert(p.session.functions.deactivateSession(sid), env.owner, "SessionNotActive(uint256)", sid)


def test_dedicated_nodes_and_release(env: Env, advance: Callable[[float], None]) -> None:
    w3, p = env.w3, env.p
    sf = p.session.functions
    sid0, _ = create_session(env, min_nodes=1, max_nodes=1, redundant=1)
    (m0,) = session_miners(env, sid0)
    other = [m for m in env.miners if m != m0]
    expect_revert(sf.addDedicatedNode(sid0, other[0]), env.owner, "DedicatedNodesNotAllowed(uint256)", 0)

    sid, _ = create_session(env, min_nodes=1, max_nodes=2, redundant=1, mode=2, reserve=False)
    assert session_miners(env, sid) == []
    expect_revert(
        sf.addDedicatedNode(sid, other[0]),
        env.others[0],
        "NotSessionOwner(uint256,address)",
        sid,
        env.others[0],
    )
    for m in other:
        r = send(w3, sf.approveDedicatedSession(sid), m)
        assert event_args(p.session, "DedicatedSessionApproved", r) == [{"nodeAddress": m, "sessionId": sid}]
    r = send(w3, sf.addDedicatedNode(sid, other[0]), env.owner)
    assert event_args(p.session, "DedicatedNodeAdded", r) == [{"nodeAddress": other[0]}]
    (assigned,) = event_args(p.session, "NewNodeAssignedToSession", r)
    assert (assigned["nodeAddresses"], assigned["assignmentType"]) == ([other[0]], 1)
    assert sf.getDedicatedNodeExists(sid, other[0]).call() and sf.getDedicatedNodes(sid).call() == [other[0]]
    assert sf.getNodeSessionId(other[0]).call() == sid and sf.isNodeAssignedToAnySession(other[0]).call()
    send(w3, sf.addDedicatedNode(sid, other[1]), env.owner)
    expect_revert(sf.addDedicatedNode(sid, other[2]), env.owner, "SessionFull(uint256,uint256)", sid, 2)
    r = send(w3, sf.removeDedicatedNode(sid, other[0]), env.owner)
    assert event_args(p.session, "DedicatedNodeRemoved", r) == [{"nodeAddress": other[0]}]
    assert not sf.isNodeAssignedToAnySession(other[0]).call()
    expect_revert(
        sf.removeDedicatedNode(sid, other[0]), env.owner, "NodeNotInSession(uint256,address)", sid, other[0]
    )
    # releaseByNodeId: strangers only once the node was idle for the session's reservePeriod.
    stranger = env.others[0]
    n1 = node_id(other[1])
    rel = sf.releaseByNodeId(n1)
    expect_revert(rel, stranger, "NodeNotIdle(bytes32)", n1)
    advance(301)
    r = send(w3, rel, stranger)
    assert event_args(p.session, "NodeReleased", r) == [{"nodeId": n1, "sessionId": sid}]
    assert session_miners(env, sid) == []
    r = send(w3, sf.releaseByNodeId(node_id(m0)), env.owner)
    assert event_args(p.node_pool, "NodeReleased", r)[0]["nodeId"] == node_id(m0)


def _funded_task(env: Env, redundant: int = 2) -> tuple[int, int, list[str]]:
    sid, _ = create_session(env, min_nodes=3, max_nodes=3, redundant=redundant)
    send(env.w3, env.p.payment.functions.depositToSession(sid, 50 * COR), env.owner)
    return sid, submit(env, sid), session_miners(env, sid)


def test_queue_assign_and_ack(env: Env) -> None:
    w3, p = env.w3, env.p
    q = p.queue.functions
    sid, tid, miners = _funded_task(env)
    enq = q.enqueueTask(sid, "x", 0, "", [])
    expect_revert(enq, env.owner, MISSING, role_id("SESSION_CONTRACT_ROLE"), env.owner)
    expect_revert(
        q.assignTask(sid, tid, miners[:2]), env.others[0], "NotRouter(uint256,address)", sid, env.others[0]
    )
    expect_revert(q.assignTask(sid, 9, miners[:2]), env.owner, "UnknownTask(uint256,uint256)", sid, 9)
    expect_revert(q.assignTask(sid, tid, []), env.owner, "EmptyMinerList()")
    expect_revert(q.assignTask(sid, tid, miners), env.owner, "TooManyMiners(uint256,uint256)", 3, 2)
    expect_revert(
        q.assignTask(sid, tid, [miners[0], miners[0]]), env.owner, "DuplicateMiner(address)", miners[0]
    )
    outsider = env.others[0]
    expect_revert(
        q.assignTask(sid, tid, [outsider]), env.owner, "NotSessionMiner(uint256,address)", sid, outsider
    )
    expect_revert(q.ack(sid, tid), miners[0], "TaskNotAssigned(uint256,uint256)", sid, tid)
    expect_revert(q.endAck(sid, tid), env.oracle, "TaskNotAssigned(uint256,uint256)", sid, tid)
    send(w3, q.grantRole(role_id("ROUTER_ROLE"), env.admin), env.admin)  # global router
    r = send(w3, q.assignTask(sid, tid, miners[:2]), env.admin)
    assert event_args(p.queue, "TaskAssigned", r) == [{"sessionId": sid, "taskId": tid, "miners": miners[:2]}]
    expect_revert(
        q.assignTask(sid, tid, miners[:2]), env.owner, "TaskAlreadyAssigned(uint256,uint256)", sid, tid
    )
    expect_revert(
        q.ack(sid, tid), miners[2], "NotAssignedMiner(uint256,uint256,address)", sid, tid, miners[2]
    )
    r = send(w3, q.ack(sid, tid), miners[0])
    assert event_args(p.queue, "TaskAcked", r) == [{"sessionId": sid, "taskId": tid, "miner": miners[0]}]
    expect_revert(q.ack(sid, tid), miners[0], "AlreadyAcked(uint256,uint256,address)", sid, tid, miners[0])
    assert [q.getTaskResultState(sid, tid, m).call() for m in miners] == [2, 1, 0]
    _, deadline = q.getTaskProgress(sid, tid).call()
    expect_revert(
        q.endAck(sid, tid), env.owner, "PhaseDeadlineNotReached(uint256,uint256,uint256)", sid, tid, deadline
    )
    r = send(w3, q.endAck(sid, tid), env.oracle)  # oracle forces the phase
    assert event_args(p.queue, "TaskAckEnded", r) == [{"sessionId": sid, "taskId": tid, "ackCount": 1}]
    assert q.getTaskStatus(sid, tid).call() == ACKED
    expect_revert(q.ack(sid, tid), miners[1], TS, sid, tid, ACKED)
    expect_revert(
        q.precommit(sid, tid, b"\1" * 32, ""),
        miners[1],
        "NotAcked(uint256,uint256,address)",
        sid,
        tid,
        miners[1],
    )


def test_queue_deadlines(env: Env, advance: Callable[[float], None]) -> None:
    w3, p = env.w3, env.p
    q = p.queue.functions
    expect_revert(q.setDeadlines(0, 0, 0), env.owner, MISSING, role_id("ADMIN_ROLE"), env.owner)
    ack_window = q.ackDeadline().call() if hasattr(q, "ackDeadline") else 60
    sid, tid, miners = _funded_task(env)
    r = send(w3, q.assignTask(sid, tid, miners[:2]), env.owner)
    deadline = w3.eth.get_block(r["blockNumber"])["timestamp"] + ack_window
    # Before the deadline, with miners yet to ack, only the oracle may end the phase.
    expect_revert(
        q.endAck(sid, tid),
        env.others[0],
        "PhaseDeadlineNotReached(uint256,uint256,uint256)",
        sid,
        tid,
        deadline,
    )
    advance(ack_window + 1)  # the devnet clock, not the wall clock, passes the deadline
    expect_revert(
        q.ack(sid, tid), miners[0], "PhaseDeadlinePassed(uint256,uint256,uint256)", sid, tid, deadline
    )
    send(w3, q.endAck(sid, tid), env.others[0])  # anyone, after the deadline
    send(w3, q.endPrecommit(sid, tid, True), env.others[0])  # nobody acked: nothing to wait for
    send(w3, q.endCommit(sid, tid, True), env.others[0])
    r = send(w3, q.end(sid, tid, False), env.others[0])
    assert event_args(p.queue, "TaskEnded", r) == [{"sessionId": sid, "taskId": tid, "miners": []}]


def test_queue_commit_reveal(env: Env) -> None:
    w3, p = env.w3, env.p
    q = p.queue.functions
    sid, tid, miners = _funded_task(env)
    a, b = miners[:2]
    send(w3, q.assignTask(sid, tid, [a, b]), env.owner)
    send(w3, q.ack(sid, tid), a)
    send(w3, q.ack(sid, tid), b)
    send(w3, q.endAck(sid, tid), env.others[0])  # all acked: anyone may end
    expect_revert(q.commit(sid, tid, "r"), a, TS, sid, tid, ACKED)
    r = send(w3, q.precommit(sid, tid, result_hash("ra", a), "meta"), a)
    assert event_args(p.queue, "TaskPrecommitted", r) == [{"sessionId": sid, "taskId": tid, "miner": a}]
    assert event_args(p.queue, "TaskAllPrecommitted", r) == []
    expect_revert(
        q.precommit(sid, tid, b"\1" * 32, ""), a, "AlreadyPrecommitted(uint256,uint256,address)", sid, tid, a
    )
    r = send(w3, q.precommit(sid, tid, result_hash("rb", b), ""), b)
    assert event_args(p.queue, "TaskAllPrecommitted", r) == [
        {"sessionId": sid, "taskId": tid, "miners": [a, b]}
    ]
    r = send(w3, q.endPrecommit(sid, tid, True), env.others[0])
    assert event_args(p.queue, "TaskAllPrecommitted", r) == []  # already emitted
    assert event_args(p.queue, "TaskPrecommitEnded", r) == [{"sessionId": sid, "taskId": tid}]
    assert q.getTaskStatus(sid, tid).call() == PRECOMMITTED
    # b tries to reveal a's result (copying): the miner-bound hash refuses it.
    wrong = result_hash("ra", b)
    expect_revert(q.commit(sid, tid, "ra"), b, "CommitMismatch(bytes32,bytes32)", result_hash("rb", b), wrong)
    expect_revert(
        q.commit(sid, tid, "x"), miners[2], "NotAssignedMiner(uint256,uint256,address)", sid, tid, miners[2]
    )
    r = send(w3, q.commit(sid, tid, "ra"), a)
    assert event_args(p.queue, "TaskCommitted", r) == [{"sessionId": sid, "taskId": tid, "miner": a}]
    expect_revert(q.commit(sid, tid, "ra"), a, "AlreadyCommitted(uint256,uint256,address)", sid, tid, a)
    expect_revert(q.end(sid, tid, False), a, TS, sid, tid, PRECOMMITTED)
    r = send(w3, q.endCommit(sid, tid, True), env.oracle)
    assert event_args(p.queue, "TaskAllCommitted", r) == [{"sessionId": sid, "taskId": tid, "miners": [a]}]
    assert event_args(p.queue, "TaskCommitEnded", r) == [{"sessionId": sid, "taskId": tid}]
    assert q.getTaskStatus(sid, tid).call() == COMMITTED
    r = send(w3, q.end(sid, tid, False), env.others[0])
    assert event_args(p.queue, "TaskEnded", r) == [{"sessionId": sid, "taskId": tid, "miners": [a]}]
    assert q.getTaskResults(sid, tid).call() == [[a], ["ra"]]
    progress, _ = q.getTaskProgress(sid, tid).call()
    assert progress[1:4] == (2, 2, 1)  # acks, precommits, commits
    assert (q.getTaskResultState(sid, tid, a).call(), q.getTaskResultState(sid, tid, b).call()) == (4, 3)
    expect_revert(q.end(sid, tid, True), env.oracle, TS, sid, tid, COMPLETED)


def test_queue_force_end(env: Env) -> None:
    w3, p = env.w3, env.p
    q = p.queue.functions
    sid, tid, _miners = _funded_task(env)
    assert q.getTaskStatus(sid, tid).call() == QUEUED
    expect_revert(q.end(sid, tid, True), env.owner, MISSING, role_id("ORACLE_ROLE"), env.owner)
    expect_revert(q.end(sid, tid, False), env.owner, TS, sid, tid, QUEUED)
    send(w3, q.end(sid, tid, True), env.oracle)
    assert q.getTaskStatus(sid, tid).call() == COMPLETED
    assert q.taskCount(sid).call() == 1 and q.globalTaskCount().call() == 1
    expect_revert(q.getTaskStatus(sid, 5), env.owner, "UnknownTask(uint256,uint256)", sid, 5)
