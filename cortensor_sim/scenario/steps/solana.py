"""Steps and expectations for Solana and its guardian bridge (``cortensor_sim.bridge.wormhole``).

``issue_solana_cor`` mints Solana-issued SPL COR to actors. ``bridge_from_solana`` locks an actor's
SPL COR in custody with a bridge memo, and the guardians and relayer mint wrapped COR to the same
actor on the bridge's EVM chain. ``bridge_to_solana`` burns it there with ``transferTokens``, and
the custody authority releases it on Solana. Actors are the same on both sides: the n-th actor
(admin, oracle, validator, router, users, miners) signs with the n-th dev account of the EVM chain
and the n-th dev keypair of the Solana chain. ``expect: solana_cor`` checks an actor's SPL COR, or
the custody's (``of: custody``).

Onboarding: ``deploy_solana_pool`` deploys the protocol on the bridge's EVM chain with wrapped COR
as its stake token, and SolanaOnboarding beside its NodePool; ``onboard_from_solana`` registers a
miner from Solana (stake and memo into custody); ``expect: solana_miner`` reads its NodePool status.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Literal

from coincurve import PrivateKey
from eth_utils import keccak
from pydantic import field_validator

from ...bridge.transactions import ActorAccount, ExecutionReverted
from ...bridge.wormhole import BridgeError, WormholeStack
from ...bridge.wormhole.custody import to_spl
from ...chains.solana import SolanaTransactionError
from ...protocol.deployment import deploy_contract, deploy_protocol
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
    from web3.contract import Contract

    from ..runner import Run


def _spl_cor(amount: Amount) -> Amount:
    """COR that SPL COR (9 decimals) can hold exactly."""
    if amount.asset != "COR":
        raise ValueError(f"the guardian bridge moves COR, got {amount}")
    units, dust = to_spl(amount.base_units)
    if units <= 0 or dust:
        raise ValueError(f"{amount} is not a positive whole number of SPL COR units (9 decimals)")
    if units >= 2**64:
        raise ValueError(f"{amount} is more than an SPL token account holds (a u64 of units)")
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


# ---------------------------------------------------------------------- onboarding from Solana
_POOLS: weakref.WeakKeyDictionary[Run, tuple[Contract, Contract]] = weakref.WeakKeyDictionary()
"""Per run: the NodePool that stakes wrapped COR, and SolanaOnboarding beside it."""
NODE_STATUSES = ("none", "added", "ephemeral", "reserved", "released", "unbonding")
"""NodePool.NodeStatus, in its order (contracts/src/NodePool.sol)."""


def _pool(run: Run) -> tuple[Contract, Contract]:
    try:
        return _POOLS[run]
    except KeyError:
        raise StepFailed(
            "no pool for Solana miners yet: add a `do: deploy_solana_pool` step before"
        ) from None


@register_step
class DeploySolanaPool(StepKind):
    """Deploy the protocol on the bridge's EVM chain staking wrapped COR (so stake can come from
    Solana), and SolanaOnboarding beside its NodePool; the admin deploys."""

    do: Literal["deploy_solana_pool"]

    def check(self, names: Names) -> None:
        _solana_chain(names)

    def run(self, run: Run) -> None:
        bridge = _bridge(run)
        evm = run.chain(bridge.parent_name)
        admin = evm.accounts[0].address
        contracts = bridge.system_contracts()
        pool = deploy_protocol(evm.w3, admin, cor_address=contracts["WrappedCOR"]).node_pool
        onboarding = deploy_contract(
            evm.w3, "SolanaOnboarding", contracts["WormholeTokenBridge"], pool.address, sender=admin
        )
        _POOLS[run] = (pool, onboarding)

    def label(self) -> str:
        return "deploy a NodePool staking wrapped Solana COR, with SolanaOnboarding"


@register_step
class OnboardFromSolana(_SolanaStep):
    """A miner registers from Solana: its SPL COR stake goes to custody with a registration memo;
    the relayer hands the VAA to SolanaOnboarding, which registers it in NodePool."""

    do: Literal["onboard_from_solana"]
    models: tuple[int, ...] = (1,)

    def check(self, names: Names) -> None:
        _solana_chain(names)
        names.actor("actor", self.actor, among=names.miners)
        if not self.models:
            raise ReferenceProblem("models", "a miner serves at least one model")

    def run(self, run: Run) -> None:
        bridge = _bridge(run)
        _pool_contract, onboarding = _pool(run)
        owner = _keypair(run, bridge, self.actor)
        units = to_spl(self.amount.base_units)[0]
        try:
            node_key = solana_node_key(owner)
            bridge.onboard_from_solana(owner, units, onboarding.address, self.models, node_key)
        except (BridgeError, SolanaTransactionError) as exc:
            raise StepFailed(f"onboard_from_solana: {exc}") from None

    def label(self) -> str:
        return f"onboard {self.actor} from Solana with {self.amount} stake"


def solana_node_key(owner: Keypair) -> bytes:
    """The secp256k1 node key a Solana miner registers (64 bytes, x || y): NodePool stores it so
    that private sessions can wrap keys to the node. A Solana keypair is ed25519, so the miner holds a
    second key; here it is derived from its Solana secret, so a scenario replays the same."""
    secret = keccak(b"cortensor-sim:node-key:" + bytes(owner))
    return PrivateKey(secret).public_key.format(compressed=False)[1:]


@register_expectation
class SolanaMiner(ExpectationKind):
    """The NodePool status of a miner who onboarded from Solana (``none`` if it never arrived)."""

    expect: Literal["solana_miner"]
    of: str
    status: Literal[NODE_STATUSES]  # type: ignore[valid-type]

    def check(self, names: Names) -> None:
        _solana_chain(names)
        names.actor("of", self.of, among=names.miners)

    def evaluate(self, run: Run) -> Outcome:
        bridge = _bridge(run)
        pool, onboarding = _pool(run)
        operator = onboarding.functions.operatorOf(bytes(_keypair(run, bridge, self.of).pubkey())).call()
        status = 0
        if int(operator, 16):
            status = pool.functions.getNode(pool.functions.getNodeId(operator).call()).call()[2]
        name = NODE_STATUSES[status] if status < len(NODE_STATUSES) else str(status)
        return Outcome(name == self.status, name)
