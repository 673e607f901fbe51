"""Steps that move value between layers through the settlement engine's bridges.

``bridge`` deposits from a parent to its child, ``withdraw_to_parent`` withdraws the other way; both
go through the rollup's real contracts and the engine's actors carry the message (in auto mode as
the clock advances; in step mode when a ``relay`` step asks). A route is a parent and a child that
settles on it: an OP Stack route goes through the standard bridges, a Nitro or Orbit route through
the Inbox and ``ArbSys`` (ETH) or the COR gateways (COR) (``scenario/bridging.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import ConfigDict, Field, field_validator

from ..registry import Names, ReferenceProblem, StepKind, register_step
from ..units import Amount, AmountField

if TYPE_CHECKING:
    from ..runner import Run


def _cor_or_eth(amount: Amount) -> Amount:
    if amount.asset not in ("COR", "ETH"):
        raise ValueError(f"the standard bridge moves COR or ETH (such as '100 COR', '1 ether'), got {amount}")
    if amount.base_units <= 0:
        raise ValueError(f"a bridged amount must be more than nothing, got {amount}")
    return amount


class _Transfer(StepKind):
    """What a deposit and a withdrawal share: a route, the actor who sends, and an amount with units."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)

    source: str = Field(alias="from")
    actor: str
    amount: AmountField

    @field_validator("amount")
    @classmethod
    def _asset(cls, value: Amount) -> Amount:
        return _cor_or_eth(value)

    def _check_actor(self, names: Names) -> None:
        names.actor("actor", self.actor)


@register_step
class Bridge(_Transfer):
    """Deposit ETH or COR from a parent to its child (``from: l1, to: base``) through the parent's
    L1StandardBridge (OP Stack) or Inbox and ParentCORGateway (Nitro, Orbit); the sender receives it
    on the child. COR lands as the child's mintable (OP Stack) or gateway-created (Nitro) COR."""

    do: Literal["bridge"]
    to: str

    def check(self, names: Names) -> None:
        names.rollup("to", self.source, self.to)
        self._check_actor(names)
        if self.amount.asset == "COR":
            names.has_cor("from", self.source)
            names.bridged.add(self.to)  # the protocol there, if any, runs on this same bridged COR

    def run(self, run: Run) -> None:
        run.bridging.deposit(self.to, self.actor, self.amount.asset, self.amount.base_units)

    def label(self) -> str:
        return f"bridge {self.amount} {self.source} -> {self.to} ({self.actor})"


@register_step
class WithdrawToParent(_Transfer):
    """Withdraw ETH or COR from a child to its parent (``from: base``) through the child's
    L2StandardBridge (OP Stack: proposed, proven and finalized once its windows pass) or ArbSys and
    ChildCORGateway (Nitro, Orbit: asserted, confirmed and executed by the parent's Outbox)."""

    do: Literal["withdraw_to_parent"]
    to: str | None = None

    def check(self, names: Names) -> None:
        names.rollup("from", self.to, self.source)
        self._check_actor(names)
        if self.amount.asset == "COR":
            names.has_cor("from", self.source)

    def run(self, run: Run) -> None:
        run.bridging.withdraw(self.source, self.actor, self.amount.asset, self.amount.base_units)

    def label(self) -> str:
        parent = self.to or "its parent"
        return f"withdraw {self.amount} {self.source} -> {parent} ({self.actor})"


@register_step
class ChallengeOutput(StepKind):
    """Fault: the rollup's next proposal claims an invalid output root; its challenger disputes the
    game, the game resolves for the challenger, and withdrawals are proven against a newer valid one."""

    do: Literal["challenge_output"]
    chain: str

    def check(self, names: Names) -> None:
        names.rollup("chain", None, self.chain)
        if names.chains[self.chain] != "op-stack":
            raise ReferenceProblem(
                "chain",
                f"{self.chain!r} ({names.chains[self.chain]}) posts assertions, not output roots: "
                "use `do: invalid_assertion`",
            )

    def run(self, run: Run) -> None:
        run.bridging.corrupt_next_proposal(self.chain)

    def label(self) -> str:
        return f"invalid output root on {self.chain}'s next proposal"


@register_step
class InvalidAssertion(StepKind):
    """Fault: the Nitro or Orbit rollup's validator posts its next assertion with a wrong send root;
    the challenger rejects it inside its window, and withdrawals wait for a valid assertion."""

    do: Literal["invalid_assertion"]
    chain: str

    def check(self, names: Names) -> None:
        names.rollup("chain", None, self.chain)
        if names.chains[self.chain] not in ("nitro", "orbit"):
            raise ReferenceProblem(
                "chain",
                f"{self.chain!r} ({names.chains[self.chain]}) posts output roots, not assertions: "
                "use `do: challenge_output`",
            )

    def run(self, run: Run) -> None:
        run.bridging.corrupt_next_assertion(self.chain)

    def label(self) -> str:
        return f"invalid assertion on {self.chain}'s next one"


@register_step
class Relay(StepKind):
    """Step mode: deliver pending deposits and let every settlement actor act on what is due now
    (with ``auto: false`` in parameters, the clock alone no longer moves messages)."""

    do: Literal["relay"]

    def check(self, names: Names) -> None:
        if not names.settled & set(names.chains):
            raise ReferenceProblem("do", "this topology has no rollup with a settlement engine to relay for")

    def run(self, run: Run) -> None:
        run.devnet.relay()

    def label(self) -> str:
        return "relay what is due"
