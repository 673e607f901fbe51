"""Retryables whose auto-redeem failed, and the redeem by hand that delivers them (docs/nitro.md).

``underfund_retryable`` gives the next COR deposit to a Nitro or Orbit chain too little gas for its
retry (the ``maxGas`` of ``ParentCORGateway.outboundTransfer``): the auto-redeem runs out of gas on
the child, and the ticket stays in ``ArbRetryableTx``, its message ``included`` with
``autoRedeem: failed``. ``redeem_retryable`` is what a user does then on Arbitrum: an actor sends
``ArbRetryableTx.redeem(ticketId)`` on the child with enough gas, the retry runs again and the
engine marks the message ``relayed`` (``ticketOutcome: redeemed``). Nothing writes state: the
failure and the redeem are transactions, as on Arbitrum (OffchainLabs/nitro
``precompiles/ArbRetryableTx.go``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from ...bridge import MessageRecord, MessageStatus
from ...bridge.transactions import ActorAccount, EngineError, ExecutionReverted, calldata, receipt_of
from ...chains.engine import CallRequest
from ...rollups.nitro.retryables import ARB_RETRYABLE_TX
from ..bridging import GATEWAY_GAS_LIMIT
from ..cortensor import StepFailed
from ..registry import Names, ReferenceProblem, StepKind, register_step

if TYPE_CHECKING:
    from ..runner import Run

NITRO_KINDS = ("nitro", "orbit")

REDEEM_GAS = 4_000_000
"""Gas a ``redeem`` transaction carries: ArbRetryableTx donates all but its reserve to the retry,
enough for the first deposit's retry, which creates the child's BridgedCORToken."""

WAIT_SECONDS = 600
"""Simulated time a redeem step gives the engine to see the ticket end before it gives up."""
WAIT_TICK_SECONDS = 1


def _nitro_child(names: Names, field_name: str, chain: str) -> None:
    """``chain`` must be a Nitro or Orbit rollup the settlement engine runs (retryables live there)."""
    names.rollup(field_name, None, chain)
    if names.chains[chain] not in NITRO_KINDS:
        raise ReferenceProblem(
            field_name, f"{chain!r} ({names.chains[chain]}) has no retryables: name a nitro or orbit chain"
        )


def waiting_tickets(run: Run, chain: str) -> list[MessageRecord]:
    """Retryables to ``chain`` whose auto-redeem failed and whose ticket is still open, oldest first."""
    return [
        r
        for r in run.bridging.messages()
        if r.destination == chain
        and r.kind == "retryable"
        and r.detail.get("autoRedeem") == "failed"
        and r.status == MessageStatus.INCLUDED
    ]


def _ticket_call(method: str, ticket: str) -> bytes:
    return calldata(f"{method}(bytes32)", bytes.fromhex(ticket[2:]))


def _ticket_open(run: Run, chain: str, ticket: str) -> bool:
    """Whether ArbRetryableTx still holds ``ticket`` (``getTimeout`` reverts once it is gone)."""
    evm = run.chain(chain)
    try:
        evm.engine.call(
            CallRequest(to=ARB_RETRYABLE_TX, data=_ticket_call("getTimeout", ticket)), at_time=int(evm.now)
        )
    except EngineError:
        return False
    return True


def _beneficiary(run: Run, chain: str, ticket: str) -> bytes:
    """The address ``ArbRetryableTx.getBeneficiary`` names for ``ticket`` (who may cancel it)."""
    evm = run.chain(chain)
    request = CallRequest(to=ARB_RETRYABLE_TX, data=_ticket_call("getBeneficiary", ticket))
    return evm.engine.call(request, at_time=int(evm.now))[12:32]


def _wait(run: Run, done: Callable[[], bool]) -> None:
    """Run the clock (and, in step mode, the settlement actors) a block at a time until ``done``,
    at most :data:`WAIT_SECONDS`."""
    waited = 0.0
    while not done() and waited < WAIT_SECONDS:
        run.advance(WAIT_TICK_SECONDS)
        if run.parameters.settlement == "step":
            run.devnet.relay()
        waited += WAIT_TICK_SECONDS


@register_step
class UnderfundRetryable(StepKind):
    """Fault: the next COR deposit to ``chain`` (a ``bridge`` step) gives its retryable only
    ``gas_limit`` gas, too little for the child gateway's ``finalizeInboundTransfer``: its
    auto-redeem fails and the ticket waits, redeemable by hand (``do: redeem_retryable``)."""

    do: Literal["underfund_retryable"]
    chain: str
    gas_limit: int = Field(
        default=21_000,
        ge=21_000,
        lt=GATEWAY_GAS_LIMIT,
        description="the retry's gas (a COR deposit's retry needs more; the gateway gives 2,000,000)",
    )

    def check(self, names: Names) -> None:
        _nitro_child(names, "chain", self.chain)

    def run(self, run: Run) -> None:
        run.bridging.retry_gas[self.chain] = self.gas_limit

    def label(self) -> str:
        return f"the next COR deposit to {self.chain} gets {self.gas_limit:,} gas for its retry"


class _TicketStep(StepKind):
    """What a redeem and a cancel share: an actor sends one ArbRetryableTx call for the oldest
    waiting ticket on ``chain``, and the clock runs until the engine has seen the ticket end."""

    chain: str
    actor: str

    def check(self, names: Names) -> None:
        _nitro_child(names, "chain", self.chain)
        names.actor("actor", self.actor)

    def _send(self, run: Run, method: str, gas: int | None) -> MessageRecord:
        """Send ``method(ticketId)`` for the oldest waiting ticket; returns its message's record once
        the transaction succeeded (raises StepFailed, naming the cause, otherwise)."""
        waiting = waiting_tickets(run, self.chain)
        if not waiting:
            raise StepFailed(
                f"no retryable to {self.chain} waits for a redeem (every auto-redeem succeeded, or none "
                "was sent yet: advance the clock after the deposit)"
            )
        record = waiting[0]
        ticket = str(record.detail["ticket"])
        evm = run.chain(self.chain)
        actors = ("admin", "oracle", "validator", "router", *run.users, *run.miners)
        sender = ActorAccount(bytes(evm.accounts[actors.index(self.actor)].key))
        what = f"{method} of ticket {ticket} by {self.actor} on {self.chain}"
        if method == "cancel":
            beneficiary = _beneficiary(run, self.chain, ticket)
            if beneficiary != sender.address:
                raise StepFailed(
                    f"{what} refused: only the ticket's beneficiary 0x{beneficiary.hex()} may cancel it "
                    f"({self.actor} is {sender.checksum})"
                )
        try:
            tx_hash = sender.send(evm, ARB_RETRYABLE_TX, _ticket_call(method, ticket), gas=gas)
        except (EngineError, ExecutionReverted) as exc:
            raise StepFailed(f"{what} refused: {exc}") from None
        _wait(run, lambda: receipt_of(evm, tx_hash) is not None)
        receipt = receipt_of(evm, tx_hash)
        if receipt is None or int(receipt["status"], 16) != 1:
            raise StepFailed(f"{what} reverted")
        if _ticket_open(run, self.chain, ticket):
            raise StepFailed(f"{what}: the ticket is still open (its retry failed again)")
        _wait(run, lambda: record.status != MessageStatus.INCLUDED)
        return record


@register_step
class RedeemRetryable(_TicketStep):
    """``actor`` redeems the oldest ticket on ``chain`` whose auto-redeem failed:
    ``ArbRetryableTx.redeem(ticketId)``, then the clock runs until the engine has seen the ticket
    end. Fails, naming the cause, if no ticket waits, the redeem reverts or the retry fails again."""

    do: Literal["redeem_retryable"]

    def run(self, run: Run) -> None:
        record = self._send(run, "redeem", REDEEM_GAS)
        if record.status != MessageStatus.RELAYED:
            raise StepFailed(f"message {record.id} is {record.status} after its ticket was redeemed")

    def label(self) -> str:
        return f"{self.actor} redeems the oldest waiting retryable on {self.chain}"


@register_step
class CancelRetryable(_TicketStep):
    """``actor``, the ticket's beneficiary, cancels the oldest ticket on ``chain`` whose auto-redeem
    failed (``ArbRetryableTx.cancel``): the call value goes back to the beneficiary, the message
    ends ``failed`` (ticket ``cancelled``), and a gateway deposit's COR stays in the parent gateway."""

    do: Literal["cancel_retryable"]

    def run(self, run: Run) -> None:
        record = self._send(run, "cancel", None)
        if record.status != MessageStatus.FAILED:
            raise StepFailed(f"message {record.id} is {record.status} after its ticket was cancelled")

    def label(self) -> str:
        return f"{self.actor} cancels the oldest waiting retryable on {self.chain}"
