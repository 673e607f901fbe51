"""Each hole a review found in the protocol, reproduced as an attack and shown refused.

Why: a closed hole stays closed only if a test replays the attack; each test below names the
hole it pins (see docs/contracts.md, "Holes closed").
"""

from __future__ import annotations

from collections.abc import Callable

from contract_helpers import (
    COR,
    STAKE,
    V_INVALID,
    V_NONE,
    V_VALID,
    ZERO,
    Env,
    add_node,
    create_session,
    event_args,
    expect_revert,
    node_id,
    result_hash,
    role_id,
    run_task,
    send,
    session_miners,
    submit,
)

from cortensor_sim.protocol.deployment import deploy_contract

MISSING = "MissingRole(bytes32,address)"


def test_reserving_the_pool_costs_a_bond_refunded_on_close(env: Env) -> None:
    """Hole: SessionV2.create needed no deposit, so anyone could reserve the whole pool for free."""
    w3, p = env.w3, env.p
    squatter = env.others[0]  # holds no COR and approved nothing
    fn = p.session.functions.create("grab", "", "0x" + "00" * 20, 4, 4, 1, 0, 0, True, 0, 0, 300, 0)
    expect_revert(
        fn,
        squatter,
        "InsufficientAllowance(address,address,uint256,uint256)",
        squatter,
        p.payment.address,
        0,
        4 * COR,
    )
    assert p.node_pool.functions.ephemeralNodeCount().call() == 4  # nothing reserved
    before = p.cor.functions.balanceOf(env.owner).call()
    sid, r = create_session(env, min_nodes=4, max_nodes=4, redundant=1)
    assert event_args(p.payment, "SessionBondTaken", r) == [
        {"sessionId": sid, "payer": env.owner, "amount": 4 * COR}
    ]
    assert p.cor.functions.balanceOf(env.owner).call() == before - 4 * COR
    r = send(w3, p.session.functions.deactivateSession(sid), env.owner)
    assert event_args(p.payment, "SessionRefunded", r)[0]["amount"] == 4 * COR
    assert p.cor.functions.balanceOf(env.owner).call() == before
    env.assert_conserved()


def test_a_node_is_dedicated_only_with_its_operators_consent(env: Env) -> None:
    """Hole: addDedicatedNode bound any ephemeral node without its operator's consent."""
    w3, s = env.w3, env.p.session.functions
    sid, _ = create_session(env, min_nodes=1, max_nodes=2, redundant=1, mode=2, reserve=False)
    victim = env.miners[0]
    sig = "NodeConsentMissing(uint256,address)"
    expect_revert(s.addDedicatedNode(sid, victim), env.owner, sig, sid, victim)
    send(w3, s.approveDedicatedSession(sid + 7), victim)  # consent for another session does not count
    expect_revert(s.addDedicatedNode(sid, victim), env.owner, sig, sid, victim)
    send(w3, s.approveDedicatedSession(sid), victim)
    send(w3, s.addDedicatedNode(sid, victim), env.owner)
    assert s.dedicatedConsent(victim).call() == 0  # used up
    # NodePool no longer lets the admin bind nodes around SessionV2's check.
    expect_revert(
        env.p.node_pool.functions.addDedicatedNode(node_id(env.miners[1]), sid),
        env.admin,
        MISSING,
        role_id("SESSION_CONTRACT_ROLE"),
        env.admin,
    )


def test_model_ids_and_selection_are_bounded(env: Env) -> None:
    """Hole: one node with 1,200 model ids raised create from 889k to 4.3M gas."""
    w3, p = env.w3, env.p
    heavy = env.others[0]
    send(w3, p.cor.functions.transfer(heavy, STAKE), env.admin)
    send(w3, p.cor.functions.approve(p.node_pool.address, STAKE), heavy)
    add = p.node_pool.functions.addNode(node_id(heavy), list(range(1, 1_201)), b"", STAKE)
    expect_revert(add, heavy, "TooManyModels(uint256,uint256)", 1_200, 16)
    _, light = create_session(env, min_nodes=4, max_nodes=4, redundant=1)
    # The most a node may register, the wanted model last: what selection reads stays bounded.
    add_node(env, heavy, models=[*range(1, 16), 0])
    _, full = create_session(env, min_nodes=1, max_nodes=1, redundant=1)
    assert full["gasUsed"] < light["gasUsed"]  # reserving 1 of the heavy pool < reserving 4
    assert full["gasUsed"] < 1_000_000
    assert p.node_pool.functions.MAX_SELECTION_SCAN().call() == 64


def test_a_miner_that_never_committed_is_neither_judged_nor_paid(env: Env) -> None:
    """Hole: a miner that never committed was judged VALID and paid."""
    w3, p = env.w3, env.p
    v = p.validator.functions
    sid, _ = create_session(env, min_nodes=3, max_nodes=3, redundant=3)
    send(w3, p.payment.functions.depositToSession(sid, 10 * COR), env.owner)
    tid = submit(env, sid)
    a, b, c = session_miners(env, sid)
    q = p.queue.functions
    send(w3, q.assignTask(sid, tid, [a, b, c]), env.owner)
    for m in (a, b, c):
        send(w3, q.ack(sid, tid), m)
    send(w3, q.endAck(sid, tid), env.owner)
    send(w3, q.precommit(sid, tid, result_hash("4", a), ""), a)
    send(w3, q.precommit(sid, tid, result_hash("4", b), ""), b)  # c stays silent
    send(w3, q.endPrecommit(sid, tid, False), env.oracle)
    send(w3, q.commit(sid, tid, "4"), a)
    send(w3, q.endCommit(sid, tid, False), env.oracle)  # b never reveals
    send(w3, q.end(sid, tid, False), env.owner)
    for lazy in (b, c):
        expect_revert(
            v.submitVerdict(sid, tid, lazy, V_VALID),
            env.validator,
            "NoCommittedResult(uint256,uint256,address)",
            sid,
            tid,
            lazy,
        )
    send(w3, v.submitVerdict(sid, tid, a, V_VALID), env.validator)
    send(w3, v.finalize(sid, tid), env.validator)
    assert [v.verdictOf(sid, tid, m).call() for m in (a, b, c)] == [V_VALID, V_NONE, V_NONE]
    r = send(w3, p.payment.functions.allocateNodePayments(sid, tid), env.others[0])
    assert [e["miner"] for e in event_args(p.payment, "NodePaymentAllocated", r)] == [a]
    env.assert_conserved()


def test_slashing_needs_the_sessions_validator_quorum(env: Env) -> None:
    """Hole: one validator alone could slash any assigned miner."""
    w3, p = env.w3, env.p
    v = p.validator.functions
    send(w3, v.setConfig(50 * COR, env.admin), env.admin)
    send(w3, v.grantRole(role_id("VALIDATOR_ROLE"), env.others[0]), env.admin)
    sid, _ = create_session(env, min_nodes=2, max_nodes=2, redundant=2, validators=2)
    send(w3, p.payment.functions.depositToSession(sid, 10 * COR), env.owner)
    t0, t1 = submit(env, sid), submit(env, sid)
    a, b = session_miners(env, sid)
    run_task(env, sid, t0, {a: "x", b: "y"})
    run_task(env, sid, t1, {a: "x", b: "y"})
    # One rogue validator votes b INVALID: below the quorum of 2, nobody is slashed.
    send(w3, v.submitVerdict(sid, t0, b, V_INVALID), env.validator)
    r = send(w3, v.finalize(sid, t0), env.validator)
    assert event_args(p.validator, "TaskFinalized", r)[0]["slashed"] == 0
    assert v.verdictOf(sid, t0, b).call() == V_NONE
    assert p.node_pool.functions.stakeOf(node_id(b)).call() == STAKE
    # Two validators agree: the verdict stands and the slash happens.
    send(w3, v.submitVerdict(sid, t1, b, V_INVALID), env.validator)
    send(w3, v.submitVerdict(sid, t1, b, V_INVALID), env.others[0])
    r = send(w3, v.finalize(sid, t1), env.validator)
    assert event_args(p.validator, "TaskFinalized", r)[0]["slashed"] == 50 * COR
    assert p.node_pool.functions.stakeOf(node_id(b)).call() == STAKE - 50 * COR
    env.assert_conserved()


def test_stake_stays_bonded_until_the_verdict(env: Env, advance: Callable[[float], None]) -> None:
    """Hole: a node could unbond and leave before a pending verdict slashed it."""
    w3, p = env.w3, env.p
    pool, v = p.node_pool.functions, p.validator.functions
    send(w3, v.setConfig(50 * COR, env.admin), env.admin)
    sid, _ = create_session(env, min_nodes=2, max_nodes=2, redundant=2)
    send(w3, p.payment.functions.depositToSession(sid, 10 * COR), env.owner)
    tid = submit(env, sid)
    a, b = session_miners(env, sid)
    run_task(env, sid, tid, {a: "x", b: "wrong"})
    send(w3, p.session.functions.deactivateSession(sid), env.owner)  # b is released...
    nb = node_id(b)
    send(w3, pool.requestRemoval(nb), b)  # ...and starts unbonding at once
    advance(pool.unbondingPeriod().call() + 1)
    expect_revert(pool.removeNode(nb), b, "NodeHasPendingTasks(bytes32,uint256)", nb, 1)
    send(w3, v.submitVerdicts(sid, tid, [a, b], [V_VALID, V_INVALID]), env.validator)
    send(w3, v.finalize(sid, tid), env.validator)
    assert pool.stakeOf(nb).call() == STAKE - 50 * COR  # the slash reached it
    r = send(w3, pool.removeNode(nb), b)
    assert event_args(p.node_pool, "NodeRemoved", r)[0]["nodeId"] == nb
    env.assert_conserved()


def test_every_cor_that_enters_a_session_can_leave(env: Env) -> None:
    """Hole: escrow of a never-assigned task was stuck after deactivation, and a session whose
    node list fell out of sync with NodePool could never be closed."""
    w3, p = env.w3, env.p
    pay = p.payment.functions
    sid, _ = create_session(env, min_nodes=2, max_nodes=2, redundant=2)
    send(w3, pay.depositToSession(sid, 10 * COR), env.owner)
    t0, t1 = submit(env, sid), submit(env, sid)
    a, b = session_miners(env, sid)
    expect_revert(pay.reclaimUnassignedEscrow(sid, t0), env.others[0], "SessionStillActive(uint256)", sid)
    send(w3, p.queue.functions.assignTask(sid, t1, [a, b]), env.owner)
    # NodePool drops node a behind the session's back (an admin holding the session role).
    send(w3, p.node_pool.functions.grantRole(role_id("SESSION_CONTRACT_ROLE"), env.admin), env.admin)
    send(w3, p.node_pool.functions.releaseFromSession(sid, node_id(a)), env.admin)
    r = send(w3, p.session.functions.deactivateSession(sid), env.owner)  # still closes
    assert event_args(p.session, "NodeReleased", r) == [{"nodeId": node_id(b), "sessionId": sid}]
    # t0 was never assigned: anyone returns its escrow, then the refund pays it out.
    expect_revert(
        pay.reclaimUnassignedEscrow(sid, t1), env.others[0], "TaskWasAssigned(uint256,uint256)", sid, t1
    )
    r = send(w3, pay.reclaimUnassignedEscrow(sid, t0), env.others[0])
    assert event_args(p.payment, "UnassignedEscrowReclaimed", r) == [
        {"sessionId": sid, "taskId": t0, "amount": 2 * COR}
    ]
    expect_revert(
        pay.reclaimUnassignedEscrow(sid, t0), env.others[0], "TaskAlreadyAllocated(uint256,uint256)", sid, t0
    )
    # t1 was assigned: its phases run out on deadlines (anyone), validators finalize, escrow returns.
    q = p.queue.functions
    send(w3, q.endAck(sid, t1), env.oracle)
    send(w3, q.endPrecommit(sid, t1, False), env.others[0])
    send(w3, q.endCommit(sid, t1, False), env.others[0])
    send(w3, q.end(sid, t1, False), env.others[0])
    send(w3, p.validator.functions.finalize(sid, t1), env.validator)
    send(w3, pay.allocateNodePayments(sid, t1), env.others[0])
    r = send(w3, pay.refund(sid), env.others[0])
    assert event_args(p.payment, "SessionRefunded", r)[0]["amount"] == 4 * COR
    assert pay.sessionBalance(sid).call() == pay.sessionBond(sid).call() == 0
    assert pay.taskEscrow(sid, t0).call() == pay.taskEscrow(sid, t1).call() == 0
    env.assert_conserved()


def test_the_admin_cannot_take_deposits_or_stake(env: Env) -> None:
    """Hole: the admin could move deposits to itself, grant itself the slasher role and take a
    node's whole stake, and set the minimum stake and the unbonding period to 0."""
    w3, p = env.w3, env.p
    pool = p.node_pool.functions
    sid, _ = create_session(env, min_nodes=1, max_nodes=1, redundant=1)
    send(w3, p.payment.functions.depositToSession(sid, 10 * COR), env.owner)
    grab = p.payment.functions.payFromSessionToNetwork(sid, 10 * COR)
    expect_revert(grab, env.admin, "NotSessionOwner(uint256,address)", sid, env.admin)
    r = send(w3, pool.grantRole(role_id("SLASHER_ROLE"), env.admin), env.admin)
    assert event_args(p.node_pool, "RoleGranted", r)[0]["account"] == env.admin  # visible
    victim = node_id(env.miners[0])
    expect_revert(pool.slash(victim, STAKE, env.admin), env.admin, "NoTaskUnderJudgement(bytes32)", victim)
    expect_revert(pool.setStakeLimits(0, STAKE), env.admin, "InvalidStakeLimits(uint256,uint256)", 0, STAKE)
    expect_revert(pool.setUnbondingPeriod(0), env.admin, "InvalidUnbondingPeriod(uint256,uint256)", 0, 3600)
    assert p.cor.functions.balanceOf(p.node_pool.address).call() == 4 * STAKE


def test_a_salted_precommit_hides_short_answers(env: Env) -> None:
    """Hole: precommit hashes were keccak(data ++ miner), so short answers could be guessed."""
    w3, p = env.w3, env.p
    q = p.queue.functions
    sid, _ = create_session(env, min_nodes=1, max_nodes=1, redundant=1)
    send(w3, p.payment.functions.depositToSession(sid, 10 * COR), env.owner)
    tid = submit(env, sid)
    (a,) = session_miners(env, sid)
    salt = b"\x42" * 32
    send(w3, q.assignTask(sid, tid, [a]), env.owner)
    send(w3, q.ack(sid, tid), a)
    send(w3, q.endAck(sid, tid), env.owner)
    send(w3, q.precommit(sid, tid, result_hash("4", a, salt), ""), a)
    _, (posted,) = q.getTaskResultHashes(sid, tid).call()
    guesses = {result_hash(str(n), a) for n in range(100)}  # an observer's dictionary, unsalted
    assert posted not in guesses
    send(w3, q.endPrecommit(sid, tid, False), env.owner)
    expect_revert(
        q.commit(sid, tid, "4"), a, "CommitMismatch(bytes32,bytes32)", posted, result_hash("4", a)
    )  # the reveal needs the salt
    send(w3, q.commit(sid, tid, "4", salt), a)
    assert q.getTaskResults(sid, tid).call() == [[a], ["4"]]


def test_node_ids_cannot_be_squatted(env: Env) -> None:
    """Hole: node ids were chosen by the caller, so addNode could be front-run to squat one."""
    w3, p = env.w3, env.p
    squatter, operator = env.others[0], env.others[1]
    send(w3, p.cor.functions.transfer(squatter, STAKE), env.admin)
    send(w3, p.cor.functions.approve(p.node_pool.address, STAKE), squatter)
    wanted = node_id(operator)
    expect_revert(
        p.node_pool.functions.addNode(wanted, [0], b"", STAKE),
        squatter,
        "NodeIdNotDerived(bytes32,bytes32)",
        wanted,
        node_id(squatter),
    )
    add_node(env, operator)
    assert p.node_pool.functions.nodeAddressOf(wanted).call() == operator


def test_the_admin_cannot_take_deposits_by_rewiring_the_payment_module(env: Env) -> None:
    """Hole: the admin deploys its own SessionV2, where it owns a closed session with the victim's
    id, points SessionPayment at it and calls the open refund, which pays that contract's "owner".
    Refused: SessionPayment is wired once (ContractsAlreadySet), so its ``sessions`` stays the real
    SessionV2 and the deposit stays the victim's. This is also why Cortensor's module setters
    (setSessionPayment, setSessionData, ...) stay out (published_catalog REASONS["WIRING"])."""
    w3, p = env.w3, env.p
    cor, pay = p.cor.functions, p.payment.functions
    sid, _ = create_session(env, min_nodes=1, max_nodes=1, redundant=1)
    send(w3, pay.depositToSession(sid, 10 * COR), env.owner)
    before = cor.balanceOf(env.admin).call()
    impostor = deploy_contract(w3, "SessionV2", env.admin, sender=env.admin)
    send(
        w3,
        impostor.functions.setContracts(p.node_pool.address, p.queue.address, p.payment.address, ZERO),
        env.admin,
    )
    send(w3, pay.grantRole(role_id("SESSION_CONTRACT_ROLE"), impostor.address), env.admin)
    send(w3, cor.approve(p.payment.address, 2**256 - 1), env.admin)
    while impostor.functions.sessionCount().call() <= sid:  # the impostor's session `sid`, dedicated mode
        send(w3, impostor.functions.create("x", "", ZERO, 1, 1, 1, 0, 2, False, 0, 0, 300, 0), env.admin)
    rewire = pay.setContracts(impostor.address, p.queue.address, p.validator.address)
    expect_revert(rewire, env.admin, "ContractsAlreadySet()")
    # the impostor's close asks SessionPayment to refund `sid`, which it judges by the real SessionV2
    deactivate = impostor.functions.deactivateSession(sid)
    expect_revert(deactivate, env.admin, "SessionStillActive(uint256)", sid)
    assert cor.balanceOf(env.admin).call() <= before, "the admin took the session's deposit"
    assert pay.sessionBalance(sid).call() == 10 * COR
    assert pay.sessions().call() == p.session.address
