"""Steps that drive the Cortensor protocol on one chain, through :mod:`..cortensor` only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator

from ..cortensor import Deployment
from ..registry import Names, ReferenceProblem, StepKind, register_step
from ..units import Amount, AmountField

if TYPE_CHECKING:
    from ..runner import Run, SessionRecord

DEFAULT_PROMPTS = (
    "Summarize the benefits of decentralized AI inference.",
    "Translate 'proof of inference' into plain words.",
    "List three uses of an L3 rollup for private inference.",
    "Explain optimistic rollup challenge windows to a new developer.",
    "Write a haiku about redundant miners agreeing on an answer.",
)


def _cor(amount: Amount) -> Amount:
    if amount.asset != "COR":
        raise ValueError(f"expected an amount of COR (such as '100 COR'), got {amount}")
    return amount


def _expand(names: list[str], run_or_names: Names | Run) -> list[str]:
    """Actor names, with the groups ``users`` and ``miners`` spelled out."""
    users, miners = run_or_names.users, run_or_names.miners
    out: list[str] = []
    for name in names:
        out += list(users) if name == "users" else list(miners) if name == "miners" else [name]
    return out


@register_step
class Deploy(StepKind):
    """Deploy and wire the protocol contracts on a chain (default: the session chain)."""

    do: Literal["deploy"]
    chain: str | None = None

    def check(self, names: Names) -> None:
        chain = self.chain or names.session_chain
        names.sealing_at_once("chain", chain, "the protocol (a session's id is read from its receipt)")
        names.deployed.add(chain)

    def run(self, run: Run) -> None:
        chain = self.chain or run.parameters.session_chain
        p = run.parameters
        deployment = run.deployments[chain] = Deployment.deploy(
            run.devnet,
            chain,
            users=run.scenario.actors.users,
            miners=run.scenario.actors.miners,
            validation={
                "reward_points": p.reward_points,
                "penalty_points": p.penalty_points,
                "slash_amount": p.slash.base_units,
            },
        )
        run.bridging.cor[chain] = deployment.address_of("CORToken")  # l1's COR: known from the start


@register_step
class Fund(StepKind):
    """Actors get COR (``to: [miners]`` for all miners): on l1 by the admin's transfers; on a rollup
    by deposits from the admin's COR on l1 through each bridge on the way (COR gateways' retryables,
    the OP Stack standard bridge, a COR-gas chain's inbox wrapping it), waited for until they land."""

    do: Literal["fund"]
    to: list[str] = Field(min_length=1)
    amount: AmountField
    chain: str | None = None

    @field_validator("amount")
    @classmethod
    def _amount_in_cor(cls, value: Amount) -> Amount:
        return _cor(value)

    def check(self, names: Names) -> None:
        names.protocol_on("chain", self.chain or names.session_chain)
        for index, name in enumerate(self.to):
            if name not in ("users", "miners"):
                names.actor(f"to[{index}]", name, (*names.users, *names.miners))

    def run(self, run: Run) -> None:
        run.deployment(self.chain).fund(_expand(self.to, run), self.amount.base_units)


@register_step
class RegisterNodes(StepKind):
    """Miners approve and stake COR, register their node, and the validator marks it ephemeral."""

    do: Literal["register_nodes"]
    miners: list[str] = Field(default_factory=lambda: ["miners"], min_length=1)
    stake: AmountField | None = None
    chain: str | None = None

    @field_validator("stake")
    @classmethod
    def _stake_in_cor(cls, value: Amount | None) -> Amount | None:
        return None if value is None else _cor(value)

    def check(self, names: Names) -> None:
        names.protocol_on("chain", self.chain or names.session_chain)
        for index, name in enumerate(self.miners):
            if name != "miners":
                names.actor(f"miners[{index}]", name, names.miners)

    def run(self, run: Run) -> None:
        stake = (self.stake or run.parameters.node_stake).base_units
        deployment = run.deployment(self.chain)
        for miner in _expand(self.miners, run):
            deployment.register_node(miner, stake)


@register_step
class OpenSession(StepKind):
    """A user creates a session (reserving ``redundancy`` nodes) and funds it with a deposit."""

    do: Literal["open_session"]
    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")
    user: str = "user0"
    redundancy: int | None = Field(default=None, ge=1, le=16)
    deposit: AmountField | None = None
    chain: str | None = None

    @field_validator("deposit")
    @classmethod
    def _deposit_in_cor(cls, value: Amount | None) -> Amount | None:
        return None if value is None else _cor(value)

    def check(self, names: Names) -> None:
        chain = self.chain or names.session_chain
        names.protocol_on("chain", chain)
        names.actor("user", self.user, names.users)
        if self.name in names.sessions:
            raise ReferenceProblem("name", f"session {self.name!r} is opened twice")
        names.sessions[self.name] = chain

    def run(self, run: Run) -> None:
        from ..runner import SessionRecord

        chain = self.chain or run.parameters.session_chain
        deployment = run.deployment(chain)
        session_id = deployment.open_session(
            self.user,
            name=self.name,
            redundancy=self.redundancy or run.parameters.redundancy,
            deposit=(self.deposit or run.parameters.deposit).base_units,
        )
        run.sessions[self.name] = SessionRecord(chain, self.user, session_id)


@register_step
class SubmitTasks(StepKind):
    """The session's user submits ``count`` prompts (its own, or built-in ones in turn)."""

    do: Literal["submit_tasks"]
    session: str
    count: int = Field(default=1, ge=1, le=1000)
    prompts: list[str] = Field(default_factory=list)

    def check(self, names: Names) -> None:
        names.session("session", self.session)

    def run(self, run: Run) -> None:
        record = run.sessions[self.session]
        pool = self.prompts or list(DEFAULT_PROMPTS)
        first = len(record.task_ids)
        prompts = [pool[(first + i) % len(pool)] for i in range(self.count)]
        task_ids = self.submit(run, record, prompts)
        for task_id, prompt in zip(task_ids, prompts, strict=True):
            record.task_ids.append(task_id)
            record.prompts[task_id] = prompt
            record.submitted_at[task_id] = run.now

    def submit(self, run: Run, record: SessionRecord, prompts: list[str]) -> list[int]:
        """Send the prompts; returns their task ids (the private step seals them instead)."""
        return run.deployment(record.chain).submit(record.user, record.session_id, prompts)


@register_step
class RunTasks(StepKind):
    """Every submitted task of the session through assign, ack, precommit, commit and end, then
    Proof of Inference, verdicts, finalize (penalties, slashing) and payment. Miners answer as
    their behaviour says (``actors.behaviour``); the oracle moves each phase after the poll interval
    (forcing it past a silent miner)."""

    do: Literal["run_tasks"]
    session: str

    def check(self, names: Names) -> None:
        names.session("session", self.session)

    def run(self, run: Run) -> None:
        record = run.sessions[self.session]
        deployment = run.deployment(record.chain)
        tasks = [t for t in record.task_ids if t not in record.processed]
        if not tasks:
            return
        poll = run.parameters.poll_interval
        miners = deployment.session_miners(record.session_id)
        deployment.assign_and_ack(record.session_id, tasks, miners)
        run.advance(poll)
        answers: dict[int, dict[str, str]] = {}
        for task_id in tasks:
            given = {m: run.answer(m, task_id, record.prompts[task_id]) for m in miners}
            answers[task_id] = {m: a for m, a in given.items() if a is not None}
        deployment.precommit(record.session_id, answers)
        run.advance(poll)
        deployment.commit_and_end(record.session_id, answers)
        run.advance(poll)
        record.verdicts |= deployment.judge_and_pay(record.session_id, tasks, miners)
        record.processed += tasks
        for task_id in tasks:
            record.finished_at[task_id] = run.now


@register_step
class Withdraw(StepKind):
    """Miners withdraw what they were paid (those with nothing to claim send nothing)."""

    do: Literal["withdraw"]
    miners: list[str] = Field(default_factory=lambda: ["miners"], min_length=1)
    chain: str | None = None

    def check(self, names: Names) -> None:
        names.protocol_on("chain", self.chain or names.session_chain)
        for index, name in enumerate(self.miners):
            if name != "miners":
                names.actor(f"miners[{index}]", name, names.miners)

    def run(self, run: Run) -> None:
        run.deployment(self.chain).withdraw(_expand(self.miners, run))


@register_step
class CloseSession(StepKind):
    """The user deactivates the session: its nodes are released and the unspent deposit refunded."""

    do: Literal["close_session"]
    session: str

    def check(self, names: Names) -> None:
        names.session("session", self.session)

    def run(self, run: Run) -> None:
        record = run.sessions[self.session]
        run.deployment(record.chain).close_session(record.user, record.session_id)


@register_step
class Checkpoint(StepKind):
    """Anchor the session's task results (a session root and a result root) in CheckpointRegistry
    on the settlement chain (posted by the admin; carrying it through a messenger comes with
    the settlement steps)."""

    do: Literal["checkpoint"]
    session: str
    to: str | None = None

    def check(self, names: Names) -> None:
        names.session("session", self.session)
        names.sealing_at_once("to", self.to or names.settlement_chain, "a checkpoint")

    def run(self, run: Run) -> None:
        record = run.sessions[self.session]
        settlement = run.chain(self.to or run.parameters.settlement_chain)
        run.deployment(record.chain).post_checkpoint(settlement, record.session_id, record.processed)
