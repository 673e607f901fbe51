"""End-to-end: a full session on one chain, with COR conservation checked throughout."""

from __future__ import annotations

from contract_helpers import (
    COMPLETED,
    COR,
    N_RELEASED,
    N_RESERVED,
    V_INVALID,
    V_VALID,
    Env,
    create_session,
    event_args,
    node_id,
    run_task,
    send,
    session_miners,
    submit,
)


def test_full_session_lifecycle(env: Env) -> None:
    w3, p = env.w3, env.p
    env.assert_conserved()
    send(w3, p.validator.functions.setConfig(100 * COR, env.admin), env.admin)

    sid, receipt = create_session(env, min_nodes=3, max_nodes=3, redundant=3)
    (created,) = event_args(p.session, "SessionCreated", receipt)
    miners = session_miners(env, sid)
    assert sorted(created["miners"]) == sorted(miners) and len(miners) == 3
    assert created["owner"] == env.owner
    (assigned,) = event_args(p.session, "NewNodeAssignedToSession", receipt)
    assert sorted(assigned["nodeAddresses"]) == sorted(miners) and assigned["newNodeCount"] == 3
    assert len(event_args(p.node_pool, "NodeReserved", receipt)) == 3
    for m in miners:
        assert p.node_pool.functions.getNodeStatusById(node_id(m)).call() == N_RESERVED

    owner_start = p.cor.functions.balanceOf(env.owner).call()
    send(w3, p.payment.functions.depositToSession(sid, 10 * COR), env.owner)
    env.assert_conserved()

    # Two tasks: all agree on the first; on the second the last miner is judged INVALID.
    t0 = submit(env, sid, "what is 2+2?")
    t1 = submit(env, sid, "capital of France?")
    assert (t0, t1) == (0, 1)
    assert p.payment.functions.sessionBalance(sid).call() == 10 * COR - 2 * 3 * COR
    run_task(env, sid, t0, {m: "4" for m in miners})
    run_task(env, sid, t1, {miners[0]: "Paris", miners[1]: "Paris", miners[2]: "Lyon"})
    assert p.queue.functions.getTaskStatus(sid, t1).call() == COMPLETED
    got_miners, results = p.session.functions.getTaskResults(sid, t1).call()
    assert dict(zip(got_miners, results, strict=True)) == {
        miners[0]: "Paris",
        miners[1]: "Paris",
        miners[2]: "Lyon",
    }
    env.assert_conserved()

    v = p.validator.functions
    send(w3, v.submitVerdicts(sid, t0, miners, [V_VALID] * 3), env.validator)
    send(w3, v.submitVerdicts(sid, t1, miners, [V_VALID, V_VALID, V_INVALID]), env.validator)
    send(w3, v.finalize(sid, t0), env.validator)
    fin = send(w3, v.finalize(sid, t1), env.validator)
    (finalized,) = event_args(p.validator, "TaskFinalized", fin)
    assert (finalized["validCount"], finalized["invalidCount"]) == (2, 1)
    assert finalized["slashed"] == 100 * COR
    assert p.node_pool.functions.stakeOf(node_id(miners[2])).call() == 6_000 * COR - 100 * COR
    assert p.node_stats.functions.totalPoints(node_id(miners[0])).call() == 20
    assert p.node_stats.functions.totalPoints(node_id(miners[2])).call() == 10 - 20
    env.assert_conserved()

    pay = p.payment.functions
    r0 = send(w3, pay.allocateNodePayments(sid, t0), env.others[0])  # permissionless
    r1 = send(w3, pay.allocateNodePayments(sid, t1), env.others[0])
    assert len(event_args(p.payment, "NodePaymentAllocated", r0)) == 3
    (summary,) = event_args(p.payment, "TaskPaymentsAllocated", r1)
    assert (summary["paid"], summary["returned"]) == (2 * COR, 1 * COR)
    assert pay.claimable(miners[0]).call() == 2 * COR
    assert pay.claimable(miners[2]).call() == 1 * COR
    env.assert_conserved()

    before = p.cor.functions.balanceOf(miners[0]).call()
    send(w3, pay.withdrawNodePayment(), miners[0])
    assert p.cor.functions.balanceOf(miners[0]).call() == before + 2 * COR

    # Deactivate: nodes released; unspent deposit (10 - 6 + 1 returned) and bond (3 nodes) refunded.
    rec = send(w3, p.session.functions.deactivateSession(sid), env.owner)
    (deact,) = event_args(p.session, "SessionDeactivated", rec)
    assert deact["deactivator"] == env.owner
    (refund,) = event_args(p.payment, "SessionRefunded", rec)
    assert refund["amount"] == 5 * COR + 3 * COR
    assert p.cor.functions.balanceOf(env.owner).call() == owner_start - 5 * COR + 3 * COR
    assert len(event_args(p.node_pool, "NodeReleased", rec)) == 3
    assert len(event_args(p.session, "NodeReleased", rec)) == 3
    for m in miners:
        assert p.node_pool.functions.getNodeStatusById(node_id(m)).call() == N_RELEASED
    assert pay.sessionBalance(sid).call() == 0
    env.assert_conserved()
