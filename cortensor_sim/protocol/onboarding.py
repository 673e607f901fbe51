"""How each miner of an actor population joins the pool on the session chain, layer by layer.

Cortensor's layers each have a part in a node's life (docs/layers.md): stake is bonded on l1,
miners register at base's welcome center or from Solana, and sessions run on arbitrum. A
population's miners can join by any of these routes, mixed (:data:`ONBOARDING_KINDS`):

* ``on_chain``: COR on the session chain, ``NodePool.addNode`` there (the single-chain path);
* ``l1_stake``: COR bonded in NodeStakeL1 on l1 (the stake record reaches NodePool as a Nitro
  retryable), the node registered on base (base -> l1 through the OP Stack messenger, l1 ->
  arbitrum as a retryable); NodePool accepts an l1-backed node only by that registration route,
  so a node staked on l1 always registers from base;
* ``solana``: SPL COR (brought to the miner from l1 through the guardian bridge) burned with a
  registration memo; the guardians sign the VAA and the relayer hands it to SolanaOnboarding, which
  receives the COR the token bridge unlocks and stakes it for the miner's SolanaNodeOperator in
  NodePool.

Every step is a transaction; the settlement engine's actors carry each message, and this module
only advances the clock until they have arrived. Then the validator's network check
(``markEphemeral``) puts the node in the pool, as for any node.

A Solana miner's node address in NodePool is its SolanaNodeOperator contract, which can register
but not ack or commit, so Solana nodes stay ``Added`` (registered, staked, not reservable) until
tasks can be served from Solana; sessions draw their nodes from the other miners.

The population runs on l1's COR where it reaches the session chain (the gateways' bridged COR on
arbitrum), each actor's COR a deposit from l1 (:meth:`Population.pay`), and an ``l1_stake``
miner's bond is canonical COR on l1. The guardian bridge locks that same COR for Solana, so a
Solana miner's stake is l1's COR too: deposited from l1, sent to Solana with ``transferTokens``
(:func:`~cortensor_sim.protocol.funding.fund_on_solana`) and back with its registration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, get_args

from eth_utils import to_checksum_address
from solders.pubkey import Pubkey

from ..bridge import MessageRecord
from ..bridge.wormhole import WormholeStack
from ..bridge.wormhole.custody import to_spl
from ..chains.devnet import Devnet
from .actors import NODE_STAKE, PoolOnboarding, Population, PopulationConfig, PopulationError
from .actors.population import node_id
from .backends import Backend
from .client import Signer
from .deployment import deploy_contract
from .funding import fund_on_solana
from .layers import CrossLayer
from .layers.deployment import LayerNames
from .layers.messages import POLL_SECONDS
from .network import Actors, CortensorNetwork

if TYPE_CHECKING:
    from solders.keypair import Keypair

__all__ = [
    "ONBOARDING_KINDS",
    "LayeredOnboarding",
    "OnboardingKind",
    "OnboardingMix",
    "deploy_population",
]

OnboardingKind = Literal["on_chain", "l1_stake", "solana"]
ONBOARDING_KINDS: tuple[str, ...] = get_args(OnboardingKind)

OnboardingMix = Mapping[int, OnboardingKind]
"""Onboarding route per miner index; miners not named join ``on_chain``."""

DELIVERY_TIMEOUT_SECONDS = 3_600
"""Simulated time a Solana onboarding round gets before the population gives up (the l1 routes
use :func:`cortensor_sim.protocol.layers.follow`'s hour)."""


@dataclass
class LayeredOnboarding:
    """Onboards each miner by its route in ``mix`` (see the module docstring)."""

    mix: OnboardingMix = field(default_factory=dict)
    stake: int = NODE_STAKE
    names: LayerNames = field(default_factory=LayerNames)
    layers: CrossLayer | None = None
    """The cross-layer contracts, deployed at the first l1 miner (kept for slashes and checkpoints)."""
    solana_operators: dict[str, str] = field(default_factory=dict)
    """Miner name -> its SolanaNodeOperator (the node's address in NodePool)."""
    messages: list[MessageRecord] = field(default_factory=list)
    """The cross-layer messages the l1 miners' onboarding followed, in order."""

    def kind_of(self, index: int) -> OnboardingKind:
        return self.mix.get(index, "on_chain")

    def onboard(self, population: Population, miners: Sequence[Signer]) -> None:
        by_kind: dict[str, list[Signer]] = {kind: [] for kind in ONBOARDING_KINDS}
        for index, miner in enumerate(miners):
            by_kind[self.kind_of(index)].append(miner)
        arrived = None
        if by_kind["solana"]:
            # The miners' registrations go first: their VAAs travel while the rest moves the clock.
            arrived = self._lock_on_solana(population, by_kind["solana"])
        if by_kind["on_chain"]:
            PoolOnboarding(self.stake).onboard(population, by_kind["on_chain"])
        if by_kind["l1_stake"]:
            self._onboard_through_l1(population, by_kind["l1_stake"])
        if arrived is not None:
            _advance_until(population.devnet, arrived, "Solana registrations")
            population.handle.view.refresh()

    def cross_layer(self, population: Population) -> CrossLayer:
        """The cross-layer contracts around the population's protocol, deployed the first time."""
        if self.layers is None:
            self.layers = CrossLayer.deploy(population.devnet, network_of(population), names=self.names)
            _resync_nonces(population)
        return self.layers

    def _onboard_through_l1(self, population: Population, miners: Sequence[Signer]) -> None:
        """Bond on l1, then register from base; each round's messages travel together."""
        layers = self.cross_layer(population)
        operators = [_checksummed(miner) for miner in miners]
        for operator in operators:
            layers.fund_on_l1(operator, self.stake)
        bonds = [layers.send_bond(operator, self.stake) for operator in operators]
        for operator, tx in zip(operators, bonds, strict=True):  # the first wait carries them all
            self.messages += layers.delivered(tx, hops=1, what=f"stake record of {operator}")
        registrations = [layers.send_registration(_checksummed(m), [0], m.public_key) for m in miners]
        for operator, tx in zip(operators, registrations, strict=True):
            self.messages += layers.delivered(tx, hops=2, what=f"registration of {operator}")
        self._mark_ephemeral(population, [m.address for m in miners])

    def _mark_ephemeral(self, population: Population, nodes: Sequence[bytes]) -> None:
        validator = population.signers["validator"]
        for address in nodes:
            population.handle.send("validator", validator, "node_pool", "markEphemeral", node_id(address))
        population.settle()

    # ------------------------------------------------------------------ Solana
    def _lock_on_solana(self, population: Population, miners: Sequence[Signer]) -> Callable[[], bool]:
        """Each miner gets its stake as SPL COR from l1 and burns it with a registration memo;
        returns whether all the registrations have arrived in NodePool (recording each miner's
        operator when so)."""
        bridge = guardian_bridge(population.devnet, population.chain.name)
        locked = bridge.system_contracts()["COR"]
        if population.contracts.cor.address.lower() != locked.lower():
            raise PopulationError(
                "miners onboarding from Solana need the protocol on the COR the guardian bridge "
                f"locks ({locked}, l1's COR on {population.chain.name})"
            )
        chain, admin = population.chain, _checksummed(population.signers["admin"])
        onboarding = deploy_contract(
            chain.w3,
            "SolanaOnboarding",
            bridge.system_contracts()["WormholeTokenBridge"],
            population.contracts.node_pool.address,
            bytes(Pubkey.from_string(bridge.system_contracts()["SolanaMessenger"])),
            sender=admin,
        )
        _resync_nonces(population)
        assert bridge.cor is not None
        units = _spl_units(self.stake)
        keypairs = {
            population.names[m.address]: solana_keypair(population, bridge, population.names[m.address])
            for m in miners
        }
        fund_on_solana(population.devnet, bridge, {k.pubkey(): units for k in keypairs.values()})
        _resync_nonces(population)
        owners = {}
        for miner in miners:
            name = population.names[miner.address]
            owner = keypairs[name]
            owners[name] = bytes(owner.pubkey())
            bridge.onboard_from_solana(owner, units, onboarding.address, [0], miner.public_key)

        def arrived() -> bool:
            found = {n: onboarding.functions.operatorOf(key).call() for n, key in owners.items()}
            self.solana_operators.update({n: a for n, a in found.items() if int(a, 16)})
            return all(n in self.solana_operators for n in owners)

        return arrived


def network_of(population: Population) -> CortensorNetwork:
    """The population's protocol as the cross-layer operations address it (web3, dev accounts)."""
    address = {name: signer.hex_address for name, signer in population.signers.items()}
    web3_address = {name: population.chain.w3.to_checksum_address(a) for name, a in address.items()}
    users = tuple(web3_address[u] for u in sorted(n for n in address if n.startswith("user")))
    miners = tuple(web3_address[f"miner{i}"] for i in range(population.config.miners))
    actors = Actors(
        admin=web3_address["admin"],
        oracle=web3_address["oracle"],
        validator=web3_address["validator"],
        router=web3_address["router"],
        users=users,
        miners=miners,
    )
    return CortensorNetwork(population.chain, population.contracts, actors)


def guardian_bridge(devnet: Devnet, evm_chain: str) -> WormholeStack:
    """The guardian bridge between Solana and ``evm_chain``; refuses a devnet without one."""
    for stack in devnet.settlement.stacks.values():
        if isinstance(stack, WormholeStack) and stack.parent_name == evm_chain:
            return stack
    raise PopulationError(f"this devnet has no guardian bridge between Solana and {evm_chain!r}")


def solana_keypair(population: Population, bridge: WormholeStack, name: str) -> Keypair:
    """The n-th Solana dev keypair for the n-th actor (the same order as the EVM dev accounts)."""
    assert bridge.solana is not None
    index = list(population.signers).index(name)
    if index >= len(bridge.solana.keypairs):
        raise PopulationError(f"{name} has no Solana dev keypair ({len(bridge.solana.keypairs)} exist)")
    return bridge.solana.keypairs[index]


def deploy_population(
    devnet: Devnet,
    config: PopulationConfig,
    mix: OnboardingMix,
    *,
    chain: str = "arbitrum",
    backend: Backend | None = None,
    names: LayerNames | None = None,
) -> tuple[Population, LayeredOnboarding]:
    """A population whose miners onboard by ``mix`` (on l1's COR, which Solana miners bring too)."""
    check_mix(config, mix)
    parent = devnet.topology.chain(chain).parent or "l1"
    onboarding = LayeredOnboarding(dict(mix), names=names or LayerNames(l1=parent, arbitrum=chain))
    population = Population.deploy(devnet, config, chain=chain, backend=backend, onboarding=onboarding)
    return population, onboarding


def check_mix(config: PopulationConfig, mix: OnboardingMix) -> None:
    """Refuse a mix naming a miner the population does not have, an unknown route, or too few
    miners that can serve for the sessions' nodes."""
    for index, kind in mix.items():
        if not 0 <= index < config.miners:
            raise PopulationError(f"onboarding names miner{index}; the population has {config.miners} miners")
        if kind not in ONBOARDING_KINDS:
            raise PopulationError(
                f"miner{index}: unknown onboarding {kind!r} ({', '.join(ONBOARDING_KINDS)})"
            )
    serving = config.miners - sum(kind == "solana" for kind in mix.values())
    nodes = config.users * (config.redundancy + config.spare_nodes)
    if nodes > serving:
        raise PopulationError(
            f"{config.users} sessions of {config.redundancy + config.spare_nodes} nodes need {nodes} "
            f"miners that serve tasks; {serving} do (miners from Solana register but cannot serve yet)"
        )


# ---------------------------------------------------------------------- internals
def _advance_until(devnet: Devnet, done: Callable[[], bool], what: str) -> None:
    waited = 0
    while not done():
        if waited >= DELIVERY_TIMEOUT_SECONDS:
            raise PopulationError(f"{what} had not arrived after {DELIVERY_TIMEOUT_SECONDS} s")
        devnet.advance(POLL_SECONDS)
        waited += POLL_SECONDS


def _checksummed(signer: Signer) -> str:
    return to_checksum_address(signer.address)


def _spl_units(amount: int) -> int:
    units, dust = to_spl(amount)
    if dust:
        raise PopulationError(f"{amount} wei is not a whole number of SPL COR units (10^9 wei)")
    return units


def _resync_nonces(population: Population) -> None:
    """web3 sends from the actors' accounts on the session chain: re-read their nonces."""
    for signer in population.signers.values():
        signer.nonce = population.chain.pending_nonce(signer.address)
