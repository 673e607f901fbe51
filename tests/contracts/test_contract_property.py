"""Property test: random interleavings of the session/queue/validation/payment calls.

Invariants after every example (and every few steps):
- COR conservation: balances of all accounts + NodePool + SessionPayment == totalSupply, and
  SessionPayment's balance equals its internal buckets (session balances + escrow + claimable);
- no miner is ever credited twice for the same task (counted from NodePaymentAllocated events);
- what miners were credited for a task never exceeds the price * redundancy escrowed for it.

Each example runs between ``w3.testing.snapshot()`` and ``revert()`` (evm_snapshot/evm_revert),
so examples start from the same deployed protocol.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from contract_helpers import COR, Env, create_session, result_hash, send, session_miners
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3 import Web3
from web3.exceptions import ContractCustomError
from web3.logs import DISCARD

OPS = (
    "submit", "assign", "ack", "endAck", "precommit", "endPrecommit", "commit", "endCommit",
    "end", "verdict", "finalize", "allocate", "withdraw", "deposit", "network", "deactivate",
)  # fmt: skip
REDUNDANT = 3

op_strategy = st.tuples(st.sampled_from(OPS), st.integers(0, 7), st.integers(0, 7))


def _try(w3: Web3, fn: Any, sender: str) -> Any | None:
    """Send; a custom-error revert is an allowed outcome of a random call."""
    try:
        return send(w3, fn, sender)
    except ContractCustomError:
        return None


def _step(env: Env, sid: int, miners: list[str], op: str, i: int, j: int) -> Any | None:
    w3, p = env.w3, env.p
    q, v, pay = p.queue.functions, p.validator.functions, p.payment.functions
    n_tasks = q.taskCount(sid).call()
    tid = i % n_tasks if n_tasks else 0
    m = miners[j % len(miners)]
    if op == "submit":
        return _try(w3, p.session.functions.submit(sid, 0, f"t{i}", 0, "", [], ""), env.owner)
    if n_tasks == 0 and op not in ("withdraw", "deposit", "network", "deactivate"):
        return None
    if op == "assign":
        chosen = [x for k, x in enumerate(miners) if (j >> k) & 1][:REDUNDANT] or [m]
        return _try(w3, q.assignTask(sid, tid, chosen), env.owner)
    if op == "ack":
        return _try(w3, q.ack(sid, tid), m)
    if op == "endAck":
        return _try(w3, q.endAck(sid, tid), env.oracle)
    if op == "precommit":
        return _try(w3, q.precommit(sid, tid, result_hash(f"r{j % 2}", m), ""), m)
    if op == "endPrecommit":
        return _try(w3, q.endPrecommit(sid, tid, bool(j % 2)), env.oracle)
    if op == "commit":
        return _try(w3, q.commit(sid, tid, f"r{j % 2}"), m)
    if op == "endCommit":
        return _try(w3, q.endCommit(sid, tid, bool(j % 2)), env.oracle)
    if op == "end":
        return _try(w3, q.end(sid, tid, j % 2 == 0), env.oracle)
    if op == "verdict":
        return _try(w3, v.submitVerdict(sid, tid, m, 1 + j % 3), env.validator)
    if op == "finalize":
        return _try(w3, v.finalize(sid, tid), env.validator)
    if op == "allocate":
        return _try(w3, pay.allocateNodePayments(sid, tid), env.others[0])
    if op == "withdraw":
        return _try(w3, pay.withdrawNodePayment(), m)
    if op == "deposit":
        return _try(w3, pay.depositToSession(sid, (i + 1) * COR), env.owner)
    if op == "network":
        return _try(w3, pay.payFromSessionToNetwork(sid, (j + 1) * COR // 4), env.admin)
    if op == "deactivate" and i == 7 and j == 7:  # rare: ends the session for the example
        return _try(w3, p.session.functions.deactivateSession(sid), env.owner)
    return None


def test_random_interleavings_conserve_cor_and_never_pay_twice(env: Env) -> None:
    w3 = env.w3
    sid, _ = create_session(env, min_nodes=4, max_nodes=4, redundant=REDUNDANT)
    miners = session_miners(env, sid)
    send(w3, env.p.payment.functions.depositToSession(sid, 8 * COR), env.owner)
    pay = env.p.payment

    @settings(
        max_examples=10,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(ops=st.lists(op_strategy, min_size=1, max_size=25))
    def run(ops: list[tuple[str, int, int]]) -> None:
        snap = w3.testing.snapshot()
        try:
            credits: Counter[tuple[int, int, str]] = Counter()
            for n, (op, i, j) in enumerate(ops):
                receipt = _step(env, sid, miners, op, i, j)
                if receipt is not None:
                    for ev in pay.events.NodePaymentAllocated().process_receipt(receipt, errors=DISCARD):
                        a = ev["args"]
                        credits[(a["sessionId"], a["taskId"], a["miner"])] += 1
                if n % 6 == 5:
                    env.assert_conserved()
            env.assert_conserved()
            assert all(c == 1 for c in credits.values()), credits
            per_task: Counter[int] = Counter(t for (_, t, _) in credits)
            for t, count in per_task.items():
                assert count <= REDUNDANT
                assert pay.functions.taskEscrow(sid, t).call() == 0  # allocated -> escrow gone
        finally:
            w3.testing.revert(snap)

    run()
