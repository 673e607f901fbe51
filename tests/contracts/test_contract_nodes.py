"""NodePool, NodeReputation and NodeStats."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from contract_helpers import (
    COR,
    N_ADDED,
    N_EPHEMERAL,
    N_NONE,
    N_RELEASED,
    N_RESERVED,
    N_UNBONDING,
    STAKE,
    ZERO,
    Env,
    event_args,
    expect_revert,
    node_id,
    node_public_key,
    role_id,
    send,
)
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractCustomError

Deploy = Callable[..., Contract]
STATUS = "InvalidNodeStatus(bytes32,uint8)"
MISSING = "MissingRole(bytes32,address)"


@pytest.fixture
def env(_protocol_env_unvalidated: Env, w3: Web3) -> Env:
    env = _protocol_env_unvalidated
    # The admin doubles as "session contract" so pool functions can be driven directly.
    send(w3, env.p.node_pool.functions.grantRole(role_id("SESSION_CONTRACT_ROLE"), env.admin), env.admin)
    return env


def status(env: Env, nid: bytes) -> int:
    return env.p.node_pool.functions.getNode(nid).call()[2]


def test_add_node_and_errors(env: Env) -> None:
    w3, p, m0, extra = env.w3, env.p, env.miners[0], env.others[0]
    pool = p.node_pool.functions
    nid = node_id(m0)
    node = pool.getNode(nid).call()
    assert (node[0], node[1], node[2], node[3], node[4]) == (nid, m0, N_ADDED, STAKE, [0])
    assert pool.nodeIdOf(m0).call() == nid
    assert p.cor.functions.balanceOf(p.node_pool.address).call() == 3 * STAKE

    send(w3, p.cor.functions.transfer(extra, 20_000 * COR), env.admin)
    send(w3, p.cor.functions.approve(p.node_pool.address, 2**256 - 1), extra)
    other = node_id(extra)
    assert pool.getNodeId(extra).call() == other
    expect_revert(pool.addNode(nid, [0], b"", STAKE), extra, "NodeIdNotDerived(bytes32,bytes32)", nid, other)
    expect_revert(pool.addNode(other, [], b"", STAKE), extra, "NoModels()")
    expect_revert(
        pool.addNode(other, list(range(17)), b"", STAKE), extra, "TooManyModels(uint256,uint256)", 17, 16
    )
    sig = "StakeOutOfRange(uint256,uint256,uint256)"
    expect_revert(pool.addNode(other, [0], b"", STAKE - 1), extra, sig, STAKE - 1, STAKE, 10_000 * COR)
    expect_revert(pool.addNode(other, [0], b"", 10_001 * COR), extra, sig, 10_001 * COR, STAKE, 10_000 * COR)
    expect_revert(pool.addNode(nid, [0], b"", STAKE), m0, STATUS, nid, N_ADDED)
    # Public keys: 64 bytes (x || y, no 0x04 prefix) of a point on secp256k1.
    key = node_public_key(extra)
    length = "InvalidPublicKeyLength(uint256)"
    expect_revert(pool.addNode(other, [0], b"pk", STAKE), extra, length, 2)
    expect_revert(pool.addNode(other, [0], b"\x04" + key, STAKE), extra, length, 65)
    off_curve = key[:63] + bytes([key[63] ^ 1])
    expect_revert(pool.addNode(other, [0], off_curve, STAKE), extra, "PublicKeyNotOnCurve()")
    expect_revert(pool.addNode(other, [0], b"\xff" * 64, STAKE), extra, "PublicKeyNotOnCurve()")  # x, y >= p
    r = send(w3, pool.addNode(other, [0, 7], key, 10_000 * COR), extra)
    assert pool.getNode(other).call()[5] == key
    (ev,) = event_args(p.node_pool, "NodeAdded", r)
    assert (ev["nodeId"], ev["nodeAddress"]) == (other, extra)
    # Stake limits.
    lim = "InvalidStakeLimits(uint256,uint256)"
    expect_revert(pool.setStakeLimits(2 * COR, COR), env.admin, lim, 2 * COR, COR)
    expect_revert(pool.setStakeLimits(0, 2 * COR), env.admin, lim, 0, 2 * COR)  # no free stake
    expect_revert(pool.setStakeLimits(COR, 2 * COR), extra, MISSING, role_id("ADMIN_ROLE"), extra)
    r = send(w3, pool.setStakeLimits(COR, 2 * COR), env.admin)
    assert event_args(p.node_pool, "StakeLimitsUpdated", r) == [{"minStake": COR, "maxStake": 2 * COR}]
    assert (pool.minStake().call(), pool.maxStake().call()) == (COR, 2 * COR)


def test_add_node_needs_allowance(env: Env) -> None:
    extra = env.others[0]
    send(env.w3, env.p.cor.functions.transfer(extra, STAKE), env.admin)
    expect_revert(
        env.p.node_pool.functions.addNode(node_id(extra), [0], node_public_key(extra), STAKE),
        extra,
        "InsufficientAllowance(address,address,uint256,uint256)",
        extra,
        env.p.node_pool.address,
        0,
        STAKE,
    )


def test_mark_ephemeral_and_reputation_promotion(env: Env) -> None:
    w3, p = env.w3, env.p
    pool = p.node_pool.functions
    n0, n1 = node_id(env.miners[0]), node_id(env.miners[1])
    expect_revert(pool.markEphemeral(n0), env.owner, MISSING, role_id("VALIDATOR_ROLE"), env.owner)
    expect_revert(pool.markEphemeral(b"\x09" * 32), env.validator, "UnknownNode(bytes32)", b"\x09" * 32)
    r = send(w3, pool.markEphemeral(n0), env.validator)
    assert event_args(p.node_pool, "NodeEphemeral", r)[0]["nodeId"] == n0
    expect_revert(pool.markEphemeral(n0), env.oracle, STATUS, n0, N_EPHEMERAL)
    assert pool.ephemeralNodes().call() == [n0]

    # Reputation path (policy from deploy_protocol: "validation", >= 3 of last 10, >= 80 %).
    expect_revert(pool.promoteByReputation(n1), env.owner, "ReputationCheckFailed(bytes32)", n1)
    rep = p.node_reputation.functions
    send(w3, rep.grantRole(role_id("RECORDER_ROLE"), env.admin), env.admin)
    for ok in (True, True, True, False):
        send(w3, rep.record(n1, "validation", ok), env.admin)
    expect_revert(pool.promoteByReputation(n1), env.owner, "ReputationCheckFailed(bytes32)", n1)
    send(w3, rep.record(n1, "validation", True), env.admin)  # 4/5 = 80 %
    send(w3, pool.promoteByReputation(n1), env.owner)
    assert status(env, n1) == N_EPHEMERAL


def test_promote_without_reputation(w3: Web3, accounts: list[str], deploy: Deploy) -> None:
    cor = deploy("CORToken", accounts[0], 10**30)
    pool = deploy("NodePool", accounts[0], cor.address)
    expect_revert(pool.functions.promoteByReputation(b"\x01" * 32), accounts[1], "ReputationNotConfigured()")
    with pytest.raises(ContractCustomError):
        deploy("NodePool", accounts[0], ZERO)


def test_reserve_release_random_and_dedicated(env: Env) -> None:
    w3, p, admin = env.w3, env.p, env.admin
    pool = p.node_pool.functions
    ids = [node_id(m) for m in env.miners]
    expect_revert(
        pool.reserveBySession(1, [ids[0]]), env.owner, MISSING, role_id("SESSION_CONTRACT_ROLE"), env.owner
    )
    expect_revert(pool.reserveBySession(1, [ids[0]]), admin, STATUS, ids[0], N_ADDED)
    for i in ids:
        send(w3, pool.markEphemeral(i), env.validator)
    r = send(w3, pool.reserveBySession(1, [ids[0]]), admin)
    assert event_args(p.node_pool, "NodeReservedBySession", r) == [
        {"nodeId": ids[0], "sessionId": 1, "dedicated": False}
    ]
    assert status(env, ids[0]) == N_RESERVED
    assert pool.isReserved(ids[0]).call() and pool.getAssignedSessionId(ids[0]).call() == 1
    assert pool.ephemeralNodeCount().call() == 2

    expect_revert(
        pool.reserveRandomBySession(2, 3, 3, 0), admin, "NotEnoughEphemeralNodes(uint256,uint256)", 3, 2
    )
    expect_revert(
        pool.reserveRandomBySession(2, 1, 1, 99), admin, "NotEnoughEphemeralNodes(uint256,uint256)", 1, 0
    )
    picked = pool.reserveRandomBySession(2, 1, 5, 0).call({"from": admin})
    assert sorted(picked) == sorted(ids[1:])  # as many as exist, up to the maximum
    send(w3, pool.reserveRandomBySession(2, 2, 2, 0), admin)
    assert pool.ephemeralNodes().call() == []

    assert pool.releaseFromSession(3, ids[0]).call({"from": admin}) is False  # not held by 3
    r = send(w3, pool.releaseFromSession(1, ids[0]), admin)
    assert event_args(p.node_pool, "NodeReleased", r)[0]["nodeAddress"] == env.miners[0]
    assert status(env, ids[0]) == N_RELEASED
    expect_revert(pool.reserveBySession(1, [ids[0]]), admin, STATUS, ids[0], N_RELEASED)

    # Dedicated binding (session contract role only).
    send(w3, pool.markEphemeral(ids[0]), env.oracle)
    expect_revert(
        pool.addDedicatedNode(ids[0], 5), env.owner, MISSING, role_id("SESSION_CONTRACT_ROLE"), env.owner
    )
    send(w3, pool.addDedicatedNode(ids[0], 5), admin)
    assert pool.getNode(ids[0]).call()[7] is True
    expect_revert(pool.removeDedicatedNode(ids[1], 2), admin, "NotDedicated(bytes32)", ids[1])
    expect_revert(
        pool.removeDedicatedNode(ids[0], 4), admin, "NotReservedBySession(bytes32,uint256)", ids[0], 4
    )
    send(w3, pool.removeDedicatedNode(ids[0], 5), admin)
    assert status(env, ids[0]) == N_RELEASED


def test_idle_and_activity(env: Env, advance: Callable[[float], None]) -> None:
    w3, p, admin = env.w3, env.p, env.admin
    pool = p.node_pool.functions
    nid = node_id(env.miners[0])
    m0 = env.miners[0]
    send(w3, pool.markEphemeral(nid), env.validator)
    send(w3, pool.reserveBySession(1, [nid]), admin)
    assert not pool.isNodeIdleInReservedState(nid, 10_000).call()
    assert pool.isNodeIdleInReservedState(nid, 0).call()
    reserved_at = pool.getNodeInfo(nid).call()[3]
    advance(100)
    send(w3, pool.recordActivity([m0, env.miners[1]]), admin)  # an unreserved node is skipped
    assert pool.getNode(nid).call()[9] > reserved_at
    assert not pool.isNodeIdleInReservedState(nid, 50).call()
    expect_revert(pool.recordActivity([m0]), env.owner, MISSING, role_id("SESSION_CONTRACT_ROLE"), env.owner)


def test_removal_and_unbonding(env: Env, advance: Callable[[float], None]) -> None:
    w3, p, admin, m0 = env.w3, env.p, env.admin, env.miners[0]
    pool = p.node_pool.functions
    nid = node_id(m0)
    send(w3, pool.markEphemeral(nid), env.validator)
    send(w3, pool.reserveBySession(1, [nid]), admin)
    expect_revert(pool.requestRemoval(nid), m0, STATUS, nid, N_RESERVED)
    send(w3, pool.releaseFromSession(1, nid), admin)
    expect_revert(pool.requestRemoval(nid), env.owner, "NotNodeOwner(bytes32,address)", nid, env.owner)
    expect_revert(pool.removeNode(nid), m0, STATUS, nid, N_RELEASED)
    r = send(w3, pool.requestRemoval(nid), m0)
    (ev,) = event_args(p.node_pool, "NodeRemovalRequested", r)
    assert status(env, nid) == N_UNBONDING
    expect_revert(pool.removeNode(nid), m0, "UnbondingNotFinished(bytes32,uint256)", nid, ev["unlockTime"])
    period = "InvalidUnbondingPeriod(uint256,uint256)"
    expect_revert(pool.setUnbondingPeriod(0), admin, period, 0, 3600)
    r = send(w3, pool.setUnbondingPeriod(3600), admin)
    assert event_args(p.node_pool, "UnbondingPeriodUpdated", r) == [{"seconds_": 3600}]
    advance(3600)
    before = p.cor.functions.balanceOf(m0).call()
    r = send(w3, pool.removeNode(nid), m0)
    assert event_args(p.node_pool, "NodeRemoved", r)[0]["nodeId"] == nid
    assert p.cor.functions.balanceOf(m0).call() == before + STAKE
    assert status(env, nid) == N_NONE and pool.nodeIdOf(m0).call() == b"\0" * 32
    # An ephemeral node leaves the pool list when it starts unbonding.
    n1 = node_id(env.miners[1])
    send(w3, pool.markEphemeral(n1), env.validator)
    send(w3, pool.requestRemoval(n1), env.miners[1])
    assert pool.ephemeralNodes().call() == []
    env.assert_conserved()


def test_slash(env: Env) -> None:
    w3, p, admin = env.w3, env.p, env.admin
    pool = p.node_pool.functions
    nid = node_id(env.miners[0])
    expect_revert(pool.slash(nid, 1, admin), admin, MISSING, role_id("SLASHER_ROLE"), admin)
    send(w3, pool.grantRole(role_id("SLASHER_ROLE"), admin), admin)
    # Even a slasher cannot touch a node that has no task under judgement.
    expect_revert(pool.slash(nid, 1, admin), admin, "NoTaskUnderJudgement(bytes32)", nid)
    send(w3, pool.lockForTask([env.miners[0]]), admin)
    assert pool.pendingTasksOf(nid).call() == 1
    cap = STAKE // 10
    sig = "SlashExceedsStake(bytes32,uint256,uint256)"
    expect_revert(pool.slash(nid, cap + 1, admin), admin, sig, nid, cap + 1, cap)
    expect_revert(pool.slash(nid, 1, ZERO), admin, "ZeroAddress()")
    r = send(w3, pool.slash(nid, 5 * COR, env.others[0]), admin)
    (ev,) = event_args(p.node_pool, "NodeSlashed", r)
    assert (ev["amount"], ev["recipient"], ev["remainingStake"]) == (5 * COR, env.others[0], STAKE - 5 * COR)
    assert p.cor.functions.balanceOf(env.others[0]).call() == 5 * COR
    # The slash used the lock up: a second one needs another task.
    assert pool.pendingTasksOf(nid).call() == 0
    expect_revert(pool.slash(nid, 1, admin), admin, "NoTaskUnderJudgement(bytes32)", nid)
    env.assert_conserved()


def test_node_reputation(w3: Web3, accounts: list[str], deploy: Deploy) -> None:
    admin, rec = accounts[:2]
    rep = deploy("NodeReputation", admin, 4)
    f = rep.functions
    node = b"\x05" * 32
    expect_revert(f.record(node, "ack", True), rec, MISSING, role_id("RECORDER_ROLE"), rec)
    send(w3, f.grantRole(role_id("RECORDER_ROLE"), rec), admin)
    r = send(w3, f.record(node, "ack", True), rec)
    (ev,) = event_args(rep, "StateRecorded", r)
    assert (ev["node"], ev["state"], ev["success"]) == (node, "ack", True)
    for state, ok in [("commit", False), ("ack", True), ("commit", True), ("ack", False), ("ack", False)]:
        send(w3, f.record(node, state, ok), rec)
    # Window 4 keeps: commit/True, ack/False, ack/False plus ack/True before them.
    outcomes = f.recentOutcomes(node).call()
    assert [o[1] for o in outcomes] == [True, True, False, False]
    assert f.totalRecorded(node).call() == 6 and f.totalSuccess(node).call() == 3
    assert f.recentStats(node, [], 0).call() == [4, 2]
    assert f.recentStats(node, ["ack"], 0).call() == [3, 1]
    assert f.recentStats(node, ["ack"], 2).call() == [2, 0]
    assert f.isEphemeral(node, [], 4, 0, 5_000).call()
    assert not f.isEphemeral(node, [], 5, 0, 0).call()  # not enough activity
    assert not f.isEphemeral(node, ["ack"], 1, 0, 5_000).call()  # 1/3 < 50 %
    assert f.isEphemeral(node, ["commit"], 1, 0, 10_000).call()
    assert not f.isEphemeral(b"\x06" * 32, [], 0, 0, 0).call()  # no activity never qualifies
    # Published per-state counts (lifetime) and timestamps (the kept window of 4).
    assert (f.getAllCount(node, "ack").call(), f.getSuccessCount(node, "ack").call()) == (4, 2)
    assert f.getFailureCount(node, "ack").call() == 2 and f.getAllCount(node, "nope").call() == 0
    assert (f.getAllCount(node, "commit").call(), f.getFailureCount(node, "commit").call()) == (2, 1)
    assert len(f.getAllTimestamps(node, "ack").call()) == 3  # one ack fell out of the window
    assert len(f.getSuccessTimestamps(node, "ack").call()) == 1
    assert len(f.getSuccessTimestamps(node, "commit").call()) == 1
    with pytest.raises(ContractCustomError) as info:
        f.isEphemeral(node, [], 1, 0, 10_001).call()
    assert info.value.data[:10] == "0x" + Web3.keccak(text="InvalidSuccessRate(uint256)")[:4].hex()
    for size in (0, 1025):  # the ring buffer holds 1..1024 outcomes
        with pytest.raises(ContractCustomError) as info:
            deploy("NodeReputation", admin, size)
        assert (
            info.value.data
            == "0x" + (Web3.keccak(text="InvalidWindowSize(uint256)")[:4] + size.to_bytes(32, "big")).hex()
        )


PHASES = ["Request", "Create", "Prepare", "Start", "Precommit", "Commit", "End", "Correctness", "Ping"]


def test_node_stats_per_phase_functions(w3: Web3, accounts: list[str], deploy: Deploy) -> None:
    admin, rec, miner = accounts[:3]
    st = deploy("NodeStats", admin)
    f = st.functions
    node = node_id(miner)
    assert f.getNodeId(miner).call() == node
    expect_revert(f.rewardEnd(node), rec, MISSING, role_id("RECORDER_ROLE"), rec)
    expect_revert(f.modifyCommitPoint(node, 1), rec, MISSING, role_id("RECORDER_ROLE"), rec)
    send(w3, f.grantRole(role_id("RECORDER_ROLE"), rec), admin)
    expect_revert(f.rewardEnd(b"\0" * 32), rec, "ZeroAddress()")
    # Every phase: reward (+10, counted), penalty (-20, counted), counter, signed modify.
    for i, phase in enumerate(PHASES):
        if phase != "Correctness":
            r = send(w3, getattr(f, f"reward{phase}")(node), rec)
            assert event_args(st, "PointsUpdated", r)[0]["phase"] == i
        if phase not in ("Correctness", "Ping"):
            send(w3, getattr(f, f"penalty{phase}")(node), rec)
            send(w3, getattr(f, f"increment{phase}Counter")(node), rec)
        send(w3, getattr(f, f"modify{phase}Point")(node, 7), rec)
    for i, phase in enumerate(PHASES):
        rewarded = phase != "Correctness"
        penalized = phase not in ("Correctness", "Ping")
        want_points = 7 + (10 if rewarded else 0) - (20 if penalized else 0)
        want_count = rewarded + 2 * penalized
        assert f.points(node, i).call() == want_points, phase
        assert f.counters(node, i).call() == want_count, phase
    assert f.getCommitPoint(node).call() == -3 and f.getCommitCounter(node).call() == 3
    assert f.getCreatePoint(node).call() == -3 and f.getCreateCounter(node).call() == 3
    assert f.getPreparePoint(node).call() == -3 and f.getPrepareCounter(node).call() == 3
    assert f.getPrecommitPoint(node).call() == -3 and f.getPrecommitCounter(node).call() == 3
    assert f.getPingPoint(node).call() == 17 and f.getPingCounter(node).call() == 1
    assert f.getCorrectnessPoint(node).call() == 7
    assert f.totalPoints(node).call() == 7 * 9 + 10 * 8 - 20 * 7
    assert f.getLevel(node).call() == 0  # 3 points


def test_node_stats_levels_and_ping(w3: Web3, accounts: list[str], deploy: Deploy) -> None:
    admin, rec, miner = accounts[:3]
    st = deploy("NodeStats", admin)
    f = st.functions
    node = node_id(miner)
    send(w3, f.grantRole(role_id("RECORDER_ROLE"), rec), admin)
    r = send(w3, f.modifyEndPoint(node, 150), rec)
    assert event_args(st, "NodeLevelUpdated", r) == [{"node": node, "newLevel": 1}]
    r = send(w3, f.modifyEndPoint(node, 10), rec)
    assert event_args(st, "NodeLevelUpdated", r) == []
    r = send(w3, f.modifyCommitPoint(node, -1_000), rec)
    assert event_args(st, "NodeLevelUpdated", r) == [{"node": node, "newLevel": 0}]
    assert f.getLevel(node).call() == 0  # negative totals are level 0
    send(w3, f.modifyEndPoint(node, 20_000), rec)
    assert f.getLevel(node).call() == 4
    r = send(w3, f.ping(), miner)
    assert event_args(st, "NodePinged", r) == [{"miner": miner, "nodeId": node, "pingCounter": 1}]
    assert f.lastPingTimestamp(node).call() > 0
    r = send(w3, f.setPointRules(1, 2), admin)
    assert event_args(st, "PointRulesUpdated", r) == [{"rewardPoints": 1, "penaltyPoints": 2}]
    send(w3, f.rewardStart(node), rec)
    assert f.points(node, 3).call() == 1
    expect_revert(f.setLevelThresholds([5, 5]), admin, "InvalidThresholds()")
    expect_revert(f.setLevelThresholds([]), admin, "InvalidThresholds()")
    r = send(w3, f.setLevelThresholds([1, 50_000]), admin)
    assert event_args(st, "LevelThresholdsUpdated", r) == [{"thresholds": [1, 50_000]}]
    assert f.getLevel(node).call() == 1
