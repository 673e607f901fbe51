"""Behaviour of the published entries no client called before: Ownable, the newer (chaplin)
submit/enqueueTask/assignTask variants, router index getters, the wiring getters, the queue's
newer views, NodePool's status views and NodeStats' ping windows.

Why: each published signature is pinned in test_published_abi.py; these tests show each one does
what its name says on a deployed protocol, so none of them is a stub.
"""

from __future__ import annotations

from typing import Any

from contract_helpers import (
    COR,
    ZERO,
    Env,
    add_node,
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


def funded_session(env: Env, **shape: Any) -> int:
    """A session (create_session's shape) with 20 COR deposited, so tasks can be submitted."""
    sid, _ = create_session(env, **shape)
    send(env.w3, env.p.payment.functions.depositToSession(sid, 20 * COR), env.owner)
    return sid


# ---------------------------------------------------------------------- Ownable


def test_every_protocol_contract_is_owned_by_its_deployer(env: Env) -> None:
    p = env.p
    for contract in (p.session, p.queue, p.node_pool, p.node_reputation, p.node_stats, p.payment):
        assert contract.functions.owner().call() == env.admin


def test_transfer_ownership_moves_the_admin_seat(env: Env) -> None:
    w3, session = env.w3, env.p.session.functions
    new_owner = env.others[0]
    admin_role = role_id("ADMIN_ROLE")
    expect_revert(
        session.transferOwnership(new_owner), new_owner, "OwnableUnauthorizedAccount(address)", new_owner
    )
    expect_revert(session.transferOwnership(ZERO), env.admin, "OwnableInvalidOwner(address)", ZERO)
    r = send(w3, session.transferOwnership(new_owner), env.admin)
    (moved,) = event_args(env.p.session, "OwnershipTransferred", r)
    assert (moved["previousOwner"], moved["newOwner"]) == (env.admin, new_owner)
    assert session.owner().call() == new_owner
    assert session.hasRole(admin_role, new_owner).call()
    assert not session.hasRole(admin_role, env.admin).call()
    # The old owner lost its admin powers with the seat.
    expect_revert(
        session.grantRole(admin_role, env.others[1]),
        env.admin,
        "MissingRole(bytes32,address)",
        admin_role,
        env.admin,
    )


def test_renounce_ownership_gives_up_the_seat_for_good(env: Env) -> None:
    w3, stats = env.w3, env.p.node_stats.functions
    r = send(w3, stats.renounceOwnership(), env.admin)
    (moved,) = event_args(env.p.node_stats, "OwnershipTransferred", r)
    assert moved["newOwner"] == ZERO
    assert stats.owner().call() == ZERO
    assert not stats.hasRole(role_id("ADMIN_ROLE"), env.admin).call()
    expect_revert(stats.renounceOwnership(), env.admin, "OwnableUnauthorizedAccount(address)", env.admin)


def test_is_oracle_node_reads_the_oracle_role(env: Env) -> None:
    for contract in (env.p.queue, env.p.node_pool):
        assert contract.functions.isOracleNode(env.oracle).call()
        assert not contract.functions.isOracleNode(env.owner).call()
    assert not env.p.session.functions.isOracleNode(env.oracle).call()


# ---------------------------------------------------------------------- newer submit / enqueue / assign


def test_newer_submit_stores_the_request_params(env: Env) -> None:
    w3, session, queue = env.w3, env.p.session.functions, env.p.queue.functions
    sid = funded_session(env, redundant=2)
    r = send(w3, session.submit(sid, 0, "newer", 1, "tpl", [128, 5], [7, 8, 9], "ref-8"), env.owner)
    (ev,) = event_args(env.p.session, "TaskSubmitted", r)
    tid = ev["taskId"]
    assert (ev["taskData"], ev["clientReference"]) == ("newer", "ref-8")
    assert queue.getTaskRequestParams(sid, tid).call() == [7, 8, 9]
    assert queue.getTaskDecorationMaxTokens(sid, tid).call() == 128
    assert queue.getTaskDecorationPromptTemplate(sid, tid).call() == "tpl"
    older = submit(env, sid)
    assert queue.getTaskRequestParams(sid, older).call() == []
    too_many = list(range(9))
    expect_revert(
        session.submit(sid, 0, "x", 0, "", [], too_many, ""),
        env.owner,
        "TooManyLlmParams(uint256,uint256)",
        9,
        8,
    )


def test_newer_enqueue_is_for_the_session_contract_only(env: Env) -> None:
    queue = env.p.queue.functions
    expect_revert(
        queue.enqueueTask(0, "x", 0, "", [], [1]),
        env.owner,
        "MissingRole(bytes32,address)",
        role_id("SESSION_CONTRACT_ROLE"),
        env.owner,
    )


def test_newer_assign_checks_the_session_model(env: Env) -> None:
    w3, queue = env.w3, env.p.queue.functions
    sid = funded_session(env, redundant=2)
    miners = session_miners(env, sid)[:2]
    tid = submit(env, sid)
    expect_revert(
        queue.assignTask(sid, tid, miners, 5), env.owner, "ModelMismatch(uint256,uint256,uint256)", sid, 5, 0
    )
    r = send(w3, queue.assignTask(sid, tid, miners, 0), env.owner)
    (ev,) = event_args(env.p.queue, "TaskAssigned", r)
    assert ev["miners"] == miners


# ---------------------------------------------------------------------- routers and wiring


def test_router_index_getters_follow_the_list(env: Env) -> None:
    w3, session = env.w3, env.p.session.functions
    sid, _ = create_session(env)
    a, b, stranger = env.others[0], env.others[1], env.validator
    expect_revert(session.getLatestRouterIndex(sid), env.owner, "RouterNotFound(uint256,address)", sid, ZERO)
    send(w3, session.addRouter(sid, a, "router-a"), env.owner)
    send(w3, session.addRouter(sid, b, "router-b"), env.owner)
    assert session.getRouterAddress(sid, 0).call() == a
    assert session.getRouterAddress(sid, 1).call() == b
    expect_revert(session.getRouterAddress(sid, 2), env.owner, "RouterNotFound(uint256,address)", sid, ZERO)
    assert session.getRouterIndex(sid, b).call() == 1
    assert session.getRouterIndex(sid, stranger).call() == -1
    assert session.getRouterAddressToIndex(sid, a).call() == 0
    expect_revert(
        session.getRouterAddressToIndex(sid, stranger),
        env.owner,
        "RouterNotFound(uint256,address)",
        sid,
        stranger,
    )
    assert session.getRouterInfoExists(sid, "router-b").call()
    assert not session.getRouterInfoExists(sid, "router-c").call()
    assert session.getLatestRouterIndex(sid).call() == 1
    assert session.getLatestRouterAddress(sid).call() == b
    assert session.getLatestRouterInfo(sid).call() == "router-b"
    other, _ = create_session(env)
    send(w3, session.addRouter(other, a, "router-a2"), env.owner)
    assert session.getRouterMetadatasBySessionIds([other, sid]).call() == [
        "router-a2",
        "router-a",
        "router-b",
    ]
    assert session.getRouterMetadatasByAddress(env.owner).call()[-3:] == ["router-a", "router-b", "router-a2"]


def test_update_and_reset_routers(env: Env) -> None:
    w3, session = env.w3, env.p.session.functions
    sid, _ = create_session(env)
    a, b = env.others[0], env.others[1]
    send(w3, session.addRouter(sid, a, "old"), env.owner)
    send(w3, session.addRouter(sid, b, "b"), env.owner)
    expect_revert(session.updateRouter(sid, a, "new"), a, "NotSessionOwner(uint256,address)", sid, a)
    expect_revert(
        session.updateRouter(sid, env.validator, "new"), env.owner, "RouterNotFound(uint256,address)"
    )
    r = send(w3, session.updateRouter(sid, a, "new"), env.owner)
    assert event_args(env.p.session, "RouterUpdated", r) == [{"routerAddress": a, "routerInfo": "new"}]
    assert session.getRouterInfo(sid, a).call() == "new"
    r = send(w3, session.resetAllRouters(sid), env.owner)
    assert event_args(env.p.session, "AllRoutersRemoved", r) == [{"sessionId": sid}]
    assert session.getRouterCount(sid).call() == 0
    assert session.getRouterIndex(sid, a).call() == -1
    assert not session.canRoute(sid, b).call()
    # A reset router can be added again (its position was cleared, not left dangling).
    send(w3, session.addRouter(sid, b, "back"), env.owner)
    assert session.getRouterAddressToIndex(sid, b).call() == 0


def test_session_views_and_wiring_getters(env: Env) -> None:
    p = env.p
    session = p.session.functions
    sid, _ = create_session(env, mode=1)
    assert session.getMode(sid).call() == 1
    assert session.getDedicatedNodeCount(sid).call() == 0
    assert session.getSessionsIdsByAddress(env.owner).call() == session.getSessionIds(env.owner).call()
    assert session.getNodePoolAddress().call() == p.node_pool.address
    assert session.getSessionQueueAddress().call() == p.queue.address
    assert session.getSessionPaymentAddress().call() == p.payment.address


# ---------------------------------------------------------------------- queue views (newer)


def test_queue_newer_views_follow_the_phases(env: Env) -> None:
    w3, q = env.w3, env.p.queue.functions
    sid = funded_session(env, redundant=2)
    a, b = session_miners(env, sid)[:2]
    tid = submit(env, sid, "the prompt")
    assert q.sessionTaskCount(sid).call() == tid + 1
    send(w3, q.assignTask(sid, tid, [a, b]), env.owner)
    expect_revert(
        q.getTaskDataWithAcked(sid, tid), a, "NotAcked(uint256,uint256,address)", sid, tid, a
    )  # as an eth_call from a: reverts before a acked
    send(w3, q.ack(sid, tid), a)
    assert q.getTaskDataWithAcked(sid, tid).call({"from": a}) == "the prompt"
    send(w3, q.ack(sid, tid), b)
    send(w3, q.endAck(sid, tid), env.oracle)
    ha, hb = result_hash("ra", a), result_hash("rb", b)
    assert q.getTaskResultDataHash(sid, tid, a).call() == b"\0" * 32
    send(w3, q.precommit(sid, tid, ha, ""), a)
    send(w3, q.precommit(sid, tid, hb, ""), b)
    assert q.getTaskResultDataHash(sid, tid, a).call() == ha
    send(w3, q.endPrecommit(sid, tid, False), env.oracle)
    send(w3, q.commit(sid, tid, "rb"), b)
    assert list(q.getTaskResultsAndHashes(sid, tid).call()) == [[b], ["rb"], [hb]]


# ---------------------------------------------------------------------- NodePool status views


def test_node_pool_status_views(env: Env, advance: object) -> None:
    w3, pool, session = env.w3, env.p.node_pool.functions, env.p.session.functions
    idle = env.others[0]
    nid = add_node(env, idle)
    assert pool.isNodeAvailable(nid).call() and not pool.isNodeReleased(nid).call()
    sid = funded_session(env, min_nodes=1, max_nodes=1, redundant=1)
    (miner,) = session_miners(env, sid)
    mid = node_id(miner)
    assert not pool.isNodeAvailable(mid).call()
    assert pool.isIdleInReservedState(miner, 0).call()
    submit(env, sid)
    last = pool.lastExecutionTimestamp(mid).call()
    assert last == w3.eth.get_block("latest")["timestamp"]
    assert pool.getLastExecutionTimestampByNodeId(mid).call() == last
    assert pool.getLastExecutionTimestampByNode(miner).call() == last
    assert not pool.isIdleInReservedState(miner, 3600).call()
    send(w3, session.releaseByNodeId(mid), env.owner)
    assert pool.isNodeReleased(mid).call()
    assert not pool.isIdleInReservedState(miner, 0).call()


# ---------------------------------------------------------------------- NodeStats ping windows


def test_ping_windows_track_liveness(env: Env, advance: object) -> None:
    w3, stats = env.w3, env.p.node_stats.functions
    miner = env.miners[0]
    nid = node_id(miner)
    assert not stats.isNodeActive(nid).call()
    assert stats.getNodePingTimestamps(nid).call() == []
    send(w3, stats.ping(), miner)
    first = w3.eth.get_block("latest")["timestamp"]
    assert stats.getNodePingTimestamps(nid).call() == [first]
    assert stats.isNodeActive(nid).call()
    assert stats.getPingSlidingWindow().call() == 3600
    advance(3601)  # type: ignore[operator]
    assert not stats.isNodeActive(nid).call()
    r = send(w3, stats.setNodePingThreshold(2), env.admin)
    (ev,) = event_args(env.p.node_stats, "PingWindowsUpdated", r)
    assert ev["nodePingThreshold"] == 2
    assert stats.getNodePingThreshold().call() == 2
    send(w3, stats.ping(), miner)
    assert not stats.isNodeActive(nid).call()  # one ping in the window, two needed
    send(w3, stats.ping(), miner)
    assert stats.isNodeActive(nid).call()
    send(w3, stats.setPingSlidingWindow(10), env.admin)
    assert stats.getPingSlidingWindow().call() == 10
    advance(11)  # type: ignore[operator]
    assert not stats.isNodeActive(nid).call()


def test_ping_settings_are_bounded(env: Env) -> None:
    stats = env.p.node_stats.functions
    for fn, bad in (
        (stats.setPingSlidingWindow, 0),
        (stats.setNodePingThreshold, 0),
        (stats.setNodePingThreshold, 33),
        (stats.setGlobalPingSlidingWindow, 0),
        (stats.setGlobalPingThreshold, 0),
    ):
        expect_revert(fn(bad), env.admin, "InvalidPingSetting(uint256)", bad)
    expect_revert(
        stats.setPingSlidingWindow(60),
        env.owner,
        "MissingRole(bytes32,address)",
        role_id("ADMIN_ROLE"),
        env.owner,
    )


def test_ping_ring_keeps_the_last_pings(env: Env, advance: object) -> None:
    w3, stats = env.w3, env.p.node_stats.functions
    miner = env.miners[1]
    nid = node_id(miner)
    size = stats.MAX_PING_TIMESTAMPS().call()
    times = []
    for _ in range(size + 2):
        send(w3, stats.ping(), miner)
        times.append(w3.eth.get_block("latest")["timestamp"])
        advance(1)  # type: ignore[operator]
    assert stats.getPingCounter(nid).call() == size + 2
    assert stats.getNodePingTimestamps(nid).call() == times[-size:]


def test_global_ping_window_and_threshold(env: Env, advance: object) -> None:
    w3, stats = env.w3, env.p.node_stats.functions
    send(w3, stats.setGlobalPingThreshold(2), env.admin)
    send(w3, stats.setGlobalPingSlidingWindow(100), env.admin)
    assert (stats.getGlobalPingThreshold().call(), stats.getGlobalPingSlidingWindow().call()) == (2, 100)
    advance(101)  # type: ignore[operator]  (a fresh window opens with the next ping)
    r1 = send(w3, stats.ping(), env.miners[0])
    assert event_args(env.p.node_stats, "GlobalPingThresholdReached", r1) == []
    assert stats.globalPingCounter().call() == 1
    r2 = send(w3, stats.ping(), env.miners[1])
    assert event_args(env.p.node_stats, "GlobalPingThresholdReached", r2) == [{"globalPingCounter": 2}]
    assert stats.globalLastPingTimestamp().call() == w3.eth.get_block("latest")["timestamp"]
    r3 = send(w3, stats.ping(), env.miners[2])
    assert event_args(env.p.node_stats, "GlobalPingThresholdReached", r3) == []  # once per window
    advance(101)  # type: ignore[operator]
    send(w3, stats.ping(), env.miners[0])
    assert stats.globalPingCounter().call() == 1
