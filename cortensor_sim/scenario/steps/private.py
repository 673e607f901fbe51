"""Steps for private sessions (encrypted prompts and results, docs/private-inference.md), and the
expectation that none of their plaintext reached any chain. Through :mod:`..cortensor` only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator

from ..cortensor import find_leaks
from ..registry import (
    ExpectationKind,
    Names,
    Outcome,
    ReferenceProblem,
    StepKind,
    register_expectation,
    register_step,
)
from ..units import Amount, AmountField
from .network import built_population
from .protocol import SubmitTasks

if TYPE_CHECKING:
    from ..runner import Run, SessionRecord


def _cor(amount: Amount | None) -> Amount | None:
    if amount is not None and amount.asset != "COR":
        raise ValueError(f"expected an amount of COR (such as '100 COR'), got {amount}")
    return amount


@register_step
class OpenPrivateSession(StepKind):
    """A user opens a session and makes it private: it draws a session key and posts it, wrapped by
    ECIES, to itself, to each miner the session reserved and to ``readers`` (allowlisting each)."""

    do: Literal["open_private_session"]
    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")
    user: str = "user0"
    redundancy: int | None = Field(default=None, ge=1, le=16)
    deposit: AmountField | None = None
    readers: list[str] = Field(default_factory=lambda: ["validator"])
    chain: str | None = None

    @field_validator("deposit")
    @classmethod
    def _deposit_in_cor(cls, value: Amount | None) -> Amount | None:
        return _cor(value)

    def check(self, names: Names) -> None:
        chain = self.chain or names.session_chain
        names.protocol_on("chain", chain)
        names.actor("user", self.user, names.users)
        for index, reader in enumerate(self.readers):
            names.actor(f"readers[{index}]", reader, names.actors)
        if self.name in names.sessions:
            raise ReferenceProblem("name", f"session {self.name!r} is opened twice")
        names.sessions[self.name] = chain

    def run(self, run: Run) -> None:
        from ..runner import SessionRecord

        chain = self.chain or run.parameters.session_chain
        session_id = run.deployment(chain).open_private_session(
            self.user,
            name=self.name,
            redundancy=self.redundancy or run.parameters.redundancy,
            deposit=(self.deposit or run.parameters.deposit).base_units,
            readers=self.readers,
            seed=f"{run.seed}",
        )
        run.sessions[self.name] = SessionRecord(chain, self.user, session_id)


@register_step
class SubmitPrivateTasks(SubmitTasks):
    """The session's owner seals ``count`` prompts under the session key and submits each as
    ciphertext + commitment (PrivateSessionV2.submitPrivate)."""

    do: Literal["submit_private_tasks"]  # type: ignore[assignment]

    def submit(self, run: Run, record: SessionRecord, prompts: list[str]) -> list[int]:
        return run.deployment(record.chain).submit_private(record.session_id, prompts)


@register_step
class RunPrivateTasks(StepKind):
    """Every submitted task of a private session through every phase: each miner opens its
    envelope and the prompt, answers as its behaviour says, and precommits / commits its sealed
    answer; the validator opens the results to judge them; verdicts, finalize and payment follow."""

    do: Literal["run_private_tasks"]
    session: str

    def check(self, names: Names) -> None:
        names.session("session", self.session)

    def run(self, run: Run) -> None:
        record = run.sessions[self.session]
        tasks = [t for t in record.task_ids if t not in record.processed]
        if not tasks:
            return
        verdicts = run.deployment(record.chain).run_private_tasks(
            record.session_id, tasks, run.answer, run.advance, run.parameters.poll_interval
        )
        record.verdicts |= verdicts
        record.processed += tasks
        for task_id in tasks:
            record.finished_at[task_id] = run.now


@register_expectation
class NoPlaintext(ExpectationKind):
    """No prompt or result of the private sessions (all, or those named) is readable on any EVM
    chain of the devnet: not in any transaction's calldata, any log, or any contract's storage
    (searched as UTF-8 and as hex). Without names, the actors' private sessions
    (``run_network`` with ``private: true``) are searched for as well."""

    expect: Literal["no_plaintext"]
    sessions: list[str] = Field(default_factory=list)

    def check(self, names: Names) -> None:
        for index, name in enumerate(self.sessions):
            names.session(f"sessions[{index}]", name)

    def evaluate(self, run: Run) -> Outcome:
        plaintexts: list[str] = []
        for name, record in run.sessions.items():
            if self.sessions and name not in self.sessions:
                continue
            deployment = run.deployment(record.chain)
            if deployment.is_private(record.session_id):
                plaintexts += deployment.private_plaintexts([record.session_id])
            elif self.sessions:
                return Outcome(False, f"session {name!r} is not private")
        public: list[str] = []
        population = built_population(run)
        if population is not None and not self.sessions:
            plaintexts += population.plaintexts()
            public += population.plaintexts(private=False)
        if not plaintexts:
            return Outcome(False, "no private session with tasks to check")
        leaks = find_leaks(run.devnet, plaintexts, public=public)
        chains = len(run.devnet.evm_chains)
        if leaks:
            return Outcome(False, f"{len(leaks)} found: " + "; ".join(str(leak) for leak in leaks[:3]))
        return Outcome(True, f"none of {len(plaintexts)} plaintexts on {chains} chains")
