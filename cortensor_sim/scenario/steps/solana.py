"""Steps and expectations for Solana and its guardian bridge (``cortensor_sim.bridge.wormhole``).

``issue_solana_cor`` mints Solana-issued SPL COR to actors. ``bridge_from_solana`` locks an actor's
SPL COR in custody with a bridge memo, and the guardians and relayer mint wrapped COR to the same
actor on the bridge's EVM chain. ``bridge_to_solana`` burns it there with ``transferTokens``, and
the custody authority releases it on Solana. Actors are the same on both sides: the n-th actor
(admin, oracle, validator, router, users, miners) signs with the n-th dev account of the EVM chain
and the n-th dev keypair of the Solana chain. ``expect: solana_cor`` checks an actor's SPL COR, or
the custody's (``of: custody``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import field_validator

from ...bridge.transactions import ActorAccount, ExecutionReverted
from ...bridge.wormhole import BridgeError, WormholeStack
from ...bridge.wormhole.custody import to_spl
from ...chains.solana import SolanaTransactionError
from ..cortensor import StepFailed
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

if TYPE_CHECKING:
    from solders.keypair import Keypair

    from ..runner import Run


def _spl_cor(amount: Amount) -> Amount:
    """COR that SPL COR (9 decimals) can hold exactly."""
    if amount.asset != "COR":
        raise ValueError(f"the guardian bridge moves COR, got {amount}")
    units, dust = to_spl(amount.base_units)
    if units <= 0 or dust:
        raise ValueError(f"{amount} is not a positive whole number of SPL COR units (9 decimals)")
    return amount


def _solana_chain(names: Names) -> str:
    solana = [name for name, kind in names.chains.items() if kind == "solana"]
    if not solana:
        raise ReferenceProblem("do", "this topology has no Solana chain")
    if len(names.chains) == len(solana):
        raise ReferenceProblem("do", "the guardian bridge needs an EVM chain beside Solana")
    return solana[0]


def _bridge(run: Run) -> WormholeStack:
    for stack in run.devnet.settlement.stacks.values():
        if isinstance(stack, WormholeStack):
            return stack
    raise StepFailed("this devnet has no guardian bridge")


def _keypair(run: Run, bridge: WormholeStack, actor: str) -> Keypair:
    actors = ("admin", "oracle", "validator", "router", *run.users, *run.miners)
    assert bridge.solana is not None
    index = actors.index(actor)
    if index >= len(bridge.solana.keypairs):
        raise StepFailed(
            f"{actor} has no Solana dev keypair (the topology has {len(bridge.solana.keypairs)})"
        )
    return bridge.solana.keypairs[index]


class _SolanaStep(StepKind):
    actor: str
    amount: AmountField

    @field_validator("amount")
    @classmethod
    def _cor(cls, value: Amount) -> Amount:
        return _spl_cor(value)

    def check(self, names: Names) -> None:
        _solana_chain(names)
        names.actor("actor", self.actor)


@register_step
class IssueSolanaCOR(_SolanaStep):
    """Mint Solana-issued SPL COR to an actor (the COR treasury signs ``MintTo``)."""

    do: Literal["issue_solana_cor"]

    def run(self, run: Run) -> None:
        bridge = _bridge(run)
        assert bridge.cor is not None
        bridge.cor.issue(_keypair(run, bridge, self.actor).pubkey(), to_spl(self.amount.base_units)[0])

    def label(self) -> str:
        return f"issue {self.amount} on Solana to {self.actor}"


@register_step
class BridgeFromSolana(_SolanaStep):
    """Lock an actor's SPL COR in custody; the same actor gets wrapped COR on the EVM side."""

    do: Literal["bridge_from_solana"]

    def run(self, run: Run) -> None:
        bridge = _bridge(run)
        owner = _keypair(run, bridge, self.actor)
        recipient = run.address_of(self.actor, bridge.parent_name)
        try:
            bridge.send_to_evm(owner, to_spl(self.amount.base_units)[0], recipient)
        except (BridgeError, SolanaTransactionError) as exc:  # a Solana refusal names its program error
            raise StepFailed(f"bridge_from_solana: {exc}") from None

    def label(self) -> str:
        return f"bridge {self.amount} solana -> EVM ({self.actor})"


@register_step
class BridgeToSolana(_SolanaStep):
    """Burn an actor's wrapped COR with ``transferTokens``; custody releases it on Solana."""

    do: Literal["bridge_to_solana"]

    def run(self, run: Run) -> None:
        bridge = _bridge(run)
        evm = run.chain(bridge.parent_name)
        address = bytes.fromhex(run.address_of(self.actor, bridge.parent_name)[2:])
        account = evm.dev_account(address)
        if account is None:
            raise StepFailed(f"{self.actor} has no key on {bridge.parent_name}")
        data = bridge.send_to_solana_calldata(
            self.amount.base_units, _keypair(run, bridge, self.actor).pubkey()
        )
        try:
            ActorAccount(bytes(account.key)).send(evm, bridge.laid.contracts.token_bridge, data)
        except ExecutionReverted as exc:
            raise StepFailed(f"bridge_to_solana: transferTokens reverted: {exc}") from None

    def label(self) -> str:
        return f"bridge {self.amount} EVM -> solana ({self.actor})"


@register_expectation
class SolanaCOR(ExpectationKind):
    """An actor's SPL COR on Solana, or the bridge custody's (``of: custody``)."""

    expect: Literal["solana_cor"]
    of: str
    equals: AmountField

    @field_validator("equals")
    @classmethod
    def _cor(cls, value: Amount) -> Amount:
        if value.asset != "COR":
            raise ValueError(f"SPL COR is COR, got {value}")
        return value

    def check(self, names: Names) -> None:
        _solana_chain(names)
        if self.of != "custody":
            names.actor("of", self.of)

    def evaluate(self, run: Run) -> Outcome:
        bridge = _bridge(run)
        assert bridge.cor is not None
        units = (
            bridge.cor.locked
            if self.of == "custody"
            else bridge.cor.balance(_keypair(run, bridge, self.of).pubkey())
        )
        held = Amount("COR", units * 10**9)
        return Outcome(held.base_units == self.equals.base_units, f"{held}")
