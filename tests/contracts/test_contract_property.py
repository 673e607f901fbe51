"""Stateful property test: random interleavings of sessions, tasks, verdicts and payments.

A hypothesis ``RuleBasedStateMachine`` drives the protocol through every phase: opening bonded
sessions, deposits, submissions, tasks run through assign/ack/precommit/commit/end with some
miners dropping out, validator votes and finalize, allocation, withdrawal, network fees paid by
the owner, deactivation, reclaiming unassigned escrow and refunds. Rules carry preconditions
from a model of the protocol, so each step is a call that can succeed, and the runs reach
commits, allocations and payments (``hypothesis.event`` counts them in ``--hypothesis-show-
statistics``; ``test_the_runs_reach_every_phase`` asserts it).

Invariants after every step:
- COR conservation: every account + NodePool + SessionPayment == totalSupply, and
  SessionPayment's balance equals its buckets (balances + escrow + claimable + bonds);
- nothing paid twice: each (session, task, miner) credited at most once, a task at most
  `redundant` times;
- every session's money accounted for: bond + deposits == balance + bond left + escrow +
  credited to miners + paid to the network + refunded;
- NodePool's enumeration matches every node's status after every reservation and release: the
  listed ids are exactly the registered nodes, the per-status counts equal a walk over them, and
  an active session's nodes are Reserved. (Node churn - unbonding, removal, staking again - is
  kept out of the random rules: it took steps from the payment paths the runs must reach;
  test_node_enumeration.py drives it deterministically.)

Each example runs between a devnet snapshot and its revert, so examples are independent.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from contract_helpers import (
    COR,
    N_EPHEMERAL,
    N_NONE,
    N_RESERVED,
    V_INVALID,
    V_RETRY,
    V_VALID,
    Env,
    create_session,
    event_args,
    node_id,
    result_hash,
    send,
    session_miners,
)
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from web3.logs import DISCARD

REDUNDANT = 2
MAX_SESSIONS = 2
PRICE = COR  # SessionPayment.pricePerMinerPerTask default


@dataclass
class SessionModel:
    sid: int
    miners: list[str]
    active: bool = True
    tasks: dict[int, str] = field(default_factory=dict)  # task id -> queued|assigned|completed|final|done
    money_in: int = 0  # bond + deposits
    money_out: int = 0  # credited to miners + network + refunded


def _machine(env: Env, reached: Counter[str]) -> type[RuleBasedStateMachine]:
    w3, p = env.w3, env.p
    q, v, pay, pool = p.queue.functions, p.validator.functions, p.payment.functions, p.node_pool.functions

    class ProtocolMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.snapshot = w3.testing.snapshot()
            self.sessions: list[SessionModel] = []
            self.credits: Counter[tuple[int, int, str]] = Counter()

        def teardown(self) -> None:
            w3.testing.revert(self.snapshot)

        def _note(self, name: str) -> None:
            event(name)
            reached[name] += 1

        def _credit(self, receipt: Any) -> None:
            for ev in p.payment.events.NodePaymentAllocated().process_receipt(receipt, errors=DISCARD):
                a = ev["args"]
                self.credits[(a["sessionId"], a["taskId"], a["miner"])] += 1
                self.sessions[a["sessionId"]].money_out += a["amount"]
                self._note("miner paid")

        def _refund(self, s: SessionModel, receipt: Any) -> None:
            for ev in event_args(p.payment, "SessionRefunded", receipt):
                s.money_out += ev["amount"]
                self._note("refunded")

        # ------------------------------------------------------------------ rules

        @initialize()
        def open_first_session(self) -> None:
            self.open_session()
            self.submit(0)

        @precondition(
            lambda self: (
                len(self.sessions) < MAX_SESSIONS and p.node_pool.functions.ephemeralNodeCount().call() >= 2
            )
        )
        @rule()
        def open_session(self) -> None:
            sid, _ = create_session(env, min_nodes=2, max_nodes=2, redundant=REDUNDANT)
            s = SessionModel(sid, session_miners(env, sid), money_in=2 * pay.bondPerNode().call())
            self.sessions.append(s)
            self.deposit(len(self.sessions) - 1, 4)

        @rule(k=st.integers(0, MAX_SESSIONS - 1), amount=st.integers(1, 6))
        def deposit(self, k: int, amount: int) -> None:
            s = self.sessions[k % len(self.sessions)]
            if not s.active:
                return
            send(w3, pay.depositToSession(s.sid, amount * COR), env.owner)
            s.money_in += amount * COR

        @rule(k=st.integers(0, MAX_SESSIONS - 1))
        def submit(self, k: int) -> None:
            s = self.sessions[k % len(self.sessions)]
            if not s.active or pay.sessionBalance(s.sid).call() < REDUNDANT * PRICE:
                return
            r = send(w3, p.session.functions.submit(s.sid, 0, "prompt", 0, "", [], ""), env.owner)
            (ev,) = event_args(p.session, "TaskSubmitted", r)
            s.tasks[ev["taskId"]] = "queued"
            self._note("submitted")

        @rule(k=st.integers(0, 99), faults=st.integers(0, 1023), stages=st.integers(1, 3))
        def advance(self, k: int, faults: int, stages: int) -> None:
            """Move one task ``stages`` stages on: run it (queued -> completed), judge it (-> final),
            pay it (-> done). ``faults`` below 256 is a bit field that picks which miners drop out
            before acking or committing, what they answer and the validator's votes (0: everyone
            works, all VALID); 256 and above is a step without faults. Several stages in one step
            let short runs reach payments and withdrawals.

            A quarter of the steps carry faults: with a fault field on every step a miner is paid
            only when it acks, commits and draws a VALID vote (about 1 in 8), and a short run could
            allocate tasks and still pay nobody (a CI run did: 4 allocations, 0 paid)."""
            bits = faults if faults < 256 else 0
            open_tasks = [
                (s, t, stage)
                for s in self.sessions
                for t, stage in s.tasks.items()
                if stage in ("completed", "final") or (stage == "queued" and s.active)
            ]
            if not open_tasks:
                return
            s, t, _ = open_tasks[k % len(open_tasks)]
            for _ in range(stages):
                stage = s.tasks[t]
                if stage == "queued" and s.active:
                    self._run_task(s, t, no_ack=bits & 3, no_commit=(bits >> 2) & 3, answers=(bits >> 4) & 3)
                elif stage == "completed":
                    self._judge(s, t, votes=bits & 15)
                elif stage == "final":
                    self._credit(send(w3, pay.allocateNodePayments(s.sid, t), env.others[0]))
                    s.tasks[t] = "done"
                    self._note("allocated")

        def _run_task(self, s: SessionModel, t: int, no_ack: int, no_commit: int, answers: int) -> None:
            """Assign both miners and run the task to Completed; bit i of ``no_ack`` and
            ``no_commit`` drops miner i before acking or committing, bit i of ``answers`` is its answer."""
            send(w3, q.assignTask(s.sid, t, s.miners), env.owner)
            self._note("assigned")
            acked = [m for i, m in enumerate(s.miners) if not (no_ack >> i) & 1]
            for m in acked:
                send(w3, q.ack(s.sid, t), m)
            send(w3, q.endAck(s.sid, t), env.oracle)
            for i, m in enumerate(acked):
                send(w3, q.precommit(s.sid, t, result_hash(f"r{(answers >> i) & 1}", m), ""), m)
            send(w3, q.endPrecommit(s.sid, t, True), env.oracle)
            for i, m in enumerate(acked):
                if not (no_commit >> i) & 1:
                    send(w3, q.commit(s.sid, t, f"r{(answers >> i) & 1}"), m)
                    self._note("committed")
            send(w3, q.endCommit(s.sid, t, True), env.oracle)
            send(w3, q.end(s.sid, t, False), env.oracle)
            s.tasks[t] = "completed"

        def _judge(self, s: SessionModel, t: int, votes: int) -> None:
            """The validator votes on each committed result (2 bits per miner: VALID, VALID,
            INVALID, RETRY) and finalizes."""
            for i, m in enumerate(s.miners):
                verdict = (V_VALID, V_VALID, V_INVALID, V_RETRY)[(votes >> (2 * i)) & 3]
                if q.hasCommitted(s.sid, t, m).call():
                    send(w3, v.submitVerdict(s.sid, t, m, verdict), env.validator)
            send(w3, v.finalize(s.sid, t), env.validator)
            s.tasks[t] = "final"
            self._note("finalized")

        def _owed(self) -> list[str]:
            return [m for m in env.miners if pay.claimable(m).call()]

        @precondition(lambda self: bool(self._owed()))
        @rule(j=st.integers(0, 3))
        def withdraw(self, j: int) -> None:
            """A miner that is owed takes its payment out (enabled only while someone is owed,
            so every run that pays a miner can go on to a withdrawal)."""
            owed = self._owed()
            m = owed[j % len(owed)]
            r = send(w3, pay.withdrawNodePayment(), m)
            assert event_args(p.payment, "NodePaymentWithdrawn", r), "a withdrawal moves COR"
            assert pay.claimable(m).call() == 0
            self._note("withdrawn")

        @rule(k=st.integers(0, MAX_SESSIONS - 1), quarter=st.integers(1, 4))
        def pay_network(self, k: int, quarter: int) -> None:
            s = self.sessions[k % len(self.sessions)]
            amount = pay.sessionBalance(s.sid).call() * quarter // 4
            if amount:
                send(w3, pay.payFromSessionToNetwork(s.sid, amount), env.owner)
                s.money_out += amount
                self._note("network fee")

        @precondition(lambda self: any(st_ == "done" for s in self.sessions for st_ in s.tasks.values()))
        @rule(k=st.integers(0, MAX_SESSIONS - 1))
        def deactivate(self, k: int) -> None:
            """Close a session (enabled once some task ran to the end: a run that closed its
            sessions at once would never reach a payment)."""
            # Sessions with a never-assigned task come first, so that some runs close one and reach
            # the reclaim path (a closed session's unassigned escrow); k still picks among all.
            active = sorted(
                (s for s in self.sessions if s.active), key=lambda s: "queued" not in s.tasks.values()
            )
            if not active:
                return
            s = active[k % len(active)]
            self._refund(s, send(w3, p.session.functions.deactivateSession(s.sid), env.owner))
            s.active = False
            self._note("deactivated")

        @rule(k=st.integers(0, 99))
        def reclaim(self, k: int) -> None:
            """Unassigned escrow of a closed session goes back, then the refund pays it out."""
            stuck = [
                (s, t) for s in self.sessions if not s.active for t, st_ in s.tasks.items() if st_ == "queued"
            ]
            if not stuck:
                return
            s, t = stuck[k % len(stuck)]
            send(w3, pay.reclaimUnassignedEscrow(s.sid, t), env.others[0])
            s.tasks[t] = "done"
            self._refund(s, send(w3, pay.refund(s.sid), env.others[0]))
            self._note("reclaimed")

        @rule(k=st.integers(0, MAX_SESSIONS - 1))
        def refund(self, k: int) -> None:
            s = self.sessions[k % len(self.sessions)]
            if not s.active:
                self._refund(s, send(w3, pay.refund(s.sid), env.others[0]))

        def _status(self, miner: str) -> int:
            return int(pool.getNodeStatusById(node_id(miner)).call())

        # ------------------------------------------------------------------ invariants

        @invariant()
        def enumeration_matches_node_status(self) -> None:
            ids = pool.getAllNodes().call()
            walked = Counter(pool.getNodeStatusById(nid).call() for nid in ids)
            registered = {node_id(m) for m in env.miners if self._status(m) != N_NONE}
            assert set(ids) == registered and len(ids) == pool.allNodeCount().call()
            assert all(pool.nodeCountByStatus(s_).call() == walked[s_] for s_ in range(6))
            assert pool.ephemeralNodeCount().call() == walked[N_EPHEMERAL]
            for s in self.sessions:
                if s.active:
                    assert all(self._status(m) == N_RESERVED for m in s.miners), s.sid

        @invariant()
        def cor_is_conserved(self) -> None:
            env.assert_conserved()

        @invariant()
        def nothing_is_paid_twice(self) -> None:
            assert all(c == 1 for c in self.credits.values()), self.credits
            per_task = Counter((sid, t) for (sid, t, _) in self.credits)
            assert all(n <= REDUNDANT for n in per_task.values())

        @invariant()
        def every_session_is_accounted_for(self) -> None:
            for s in self.sessions:
                escrow = sum(pay.taskEscrow(s.sid, t).call() for t in s.tasks)
                held = pay.sessionBalance(s.sid).call() + pay.sessionBond(s.sid).call() + escrow
                assert s.money_in == held + s.money_out, (s.sid, s.money_in, held, s.money_out)

    return ProtocolMachine


def _run(env: Env, examples: int, steps: int) -> Counter[str]:
    reached: Counter[str] = Counter()
    machine = _machine(env, reached)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
    return reached


def test_the_runs_reach_every_phase(env: Env) -> None:
    """Conservation, no double payment, full accounting and an exact node enumeration, over runs
    shown to reach payments."""
    reached = _run(env, examples=10, steps=20)
    for phase in (
        "submitted",
        "committed",
        "finalized",
        "allocated",
        "miner paid",
        "withdrawn",
        "deactivated",
        "refunded",
    ):
        assert reached[phase] > 0, (phase, reached)


@pytest.mark.slow
def test_many_random_interleavings(env: Env) -> None:
    reached = _run(env, examples=60, steps=40)
    for phase in (
        "committed",
        "allocated",
        "miner paid",
        "withdrawn",
        "network fee",
        "refunded",
        "reclaimed",
    ):
        assert reached[phase] > 0, (phase, reached)
