"""How each miner of an actor population joins the pool on the session chain, layer by layer.

Cortensor's layers each have a part in a node's life (docs/layers.md): stake is bonded on l1,
miners register at base's welcome center or from Solana, and sessions run on arbitrum. A
population's miners can join by any of these routes, mixed (:data:`ONBOARDING_KINDS`):

* ``on_chain``: COR on the session chain, ``NodePool.addNode`` there (the single-chain path);
* ``l1_stake``: COR bonded in NodeStakeL1 on l1 (the stake record reaches NodePool as a Nitro
  retryable), the node registered on base (base -> l1 through the OP Stack messenger, l1 ->
  arbitrum as a retryable); NodePool accepts an l1-backed node only by that registration route,
  so a node staked on l1 always registers from base;
* ``solana``: the miner runs its node with an EVM key of its own, derived from its Solana secret
  (:func:`node_key`); it sends its SPL COR stake through the guardian bridge to that key (a
  burn and a Transfer VAA, relayed to the token bridge, which unlocks l1's COR), its gas ETH reaches the key
  by a deposit from l1 through the session chain's inbox, and the key stakes with
  ``NodePool.addNode``, as an ``on_chain`` miner does. The key is the node's address, so it acks,
  precommits and commits like any node; its earnings go back to Solana through the token bridge
  (:meth:`LayeredOnboarding.send_earnings_to_solana`).

Every step is a transaction; the settlement engine's actors carry each message, and this module
only advances the clock until they have arrived. Then the validator's network check
(``markEphemeral``) puts the node in the pool, as for any node.

The population runs on l1's COR where it reaches the session chain (the gateways' bridged COR on
arbitrum), each actor's COR a deposit from l1 (:meth:`Population.pay`), and an ``l1_stake``
miner's bond is canonical COR on l1. The guardian bridge locks that same COR for Solana, so a
Solana miner's stake is l1's COR too: deposited from l1, sent to Solana with ``transferTokens``
(:func:`~cortensor_sim.protocol.funding.fund_on_solana`) and back to its node key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, get_args

from eth_hash.auto import keccak
from eth_utils import to_checksum_address
from solders.pubkey import Pubkey

from ..bridge import MessageRecord
from ..bridge.wormhole import WormholeStack
from ..bridge.wormhole.custody import UNITS_PER_SPL, to_spl
from ..chains.devnet import Devnet
from .actors import NODE_STAKE, PoolOnboarding, Population, PopulationConfig, PopulationError
from .actors.population import node_id, register_nodes
from .backends import Backend
from .client import LeanClient, Signer
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
    "node_key",
]

OnboardingKind = Literal["on_chain", "l1_stake", "solana"]
ONBOARDING_KINDS: tuple[str, ...] = get_args(OnboardingKind)

OnboardingMix = Mapping[int, OnboardingKind]
"""Onboarding route per miner index; miners not named join ``on_chain``."""

DELIVERY_TIMEOUT_SECONDS = 3_600
"""Simulated time a Solana onboarding round gets before the population gives up (the l1 routes
use :func:`cortensor_sim.protocol.layers.follow`'s hour)."""

NODE_KEY_DOMAIN = b"cortensor-sim/solana-node-key"
"""Domain of :func:`node_key`'s hash (the simulator's convention; Cortensor publishes none)."""
SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

NODE_GAS = 10**18
"""ETH a Solana miner's node key gets on the session chain for its gas (1 ETH: thousands of
acks, precommits and commits at the devnet's fees)."""
PARENT_GAS_ALLOWANCE = 5 * 10**16
"""ETH the key also gets on the parent chain, to pay for its ``depositEth`` there."""
TRANSFER_GAS = 21_000
DEPOSIT_ETH_GAS = 300_000
BRIDGE_OUT_GAS = 300_000
"""Gas limits of the node key's own transactions (a plain transfer; ``Inbox.depositEth``;
``WormholeTokenBridge.transferTokens``)."""


@dataclass
class LayeredOnboarding:
    """Onboards each miner by its route in ``mix`` (see the module docstring)."""

    mix: OnboardingMix = field(default_factory=dict)
    stake: int = NODE_STAKE
    names: LayerNames = field(default_factory=LayerNames)
    layers: CrossLayer | None = None
    """The cross-layer contracts, deployed at the first l1 miner (kept for slashes and checkpoints)."""
    solana_owners: dict[str, Pubkey] = field(default_factory=dict)
    """Miner name -> the Solana account it onboarded from (its node key is derived from it)."""
    messages: list[MessageRecord] = field(default_factory=list)
    """The cross-layer messages the l1 miners' onboarding followed, in order."""

    def kind_of(self, index: int) -> OnboardingKind:
        return self.mix.get(index, "on_chain")

    def onboard(self, population: Population, miners: Sequence[Signer]) -> None:
        by_kind: dict[str, list[Signer]] = {kind: [] for kind in ONBOARDING_KINDS}
        for index, miner in enumerate(miners):
            by_kind[self.kind_of(index)].append(miner)
        arrived = None
        nodes: list[Signer] = []
        if by_kind["solana"]:
            # The miners' stakes go first: their VAAs travel while the rest moves the clock.
            nodes, arrived = self._send_stakes_from_solana(population, by_kind["solana"])
        if by_kind["on_chain"]:
            PoolOnboarding(self.stake).onboard(population, by_kind["on_chain"])
        if by_kind["l1_stake"]:
            self._onboard_through_l1(population, by_kind["l1_stake"])
        if arrived is not None:
            _advance_until(population.devnet, arrived, "the Solana miners' stakes and gas")
            register_nodes(population, nodes, self.stake)

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
    def _send_stakes_from_solana(
        self, population: Population, miners: Sequence[Signer]
    ) -> tuple[list[Signer], Callable[[], bool]]:
        """Each miner's node key (derived from its Solana secret) replaces its dev account; the
        miner sends its stake from Solana to that key and the key's gas comes by a deposit from
        l1. Returns the node keys, and whether every key holds its stake and gas."""
        bridge = guardian_bridge(population.devnet, population.chain.name)
        locked = bridge.system_contracts()["COR"]
        if population.contracts.cor.address.lower() != locked.lower():
            raise PopulationError(
                "miners onboarding from Solana need the protocol on the COR the guardian bridge "
                f"locks ({locked}, l1's COR on {population.chain.name})"
            )
        assert bridge.cor is not None
        units = _spl_units(self.stake)
        names = [population.names[m.address] for m in miners]
        owners = {name: solana_keypair(population, bridge, name) for name in names}
        fund_on_solana(population.devnet, bridge, {owner.pubkey(): units for owner in owners.values()})
        _resync_nonces(population)
        nodes = []
        for miner in miners:
            name = population.names.pop(miner.address)
            owner = owners[name]
            node = population.handle.client.signer(node_key(owner))
            population.signers[name] = node
            population.names[node.address] = name
            self.solana_owners[name] = owner.pubkey()
            nodes.append(node)
            bridge.send_to_evm(owner, units, node.address)
        gas_landed = fund_node_gas(population, [node.address for node in nodes])

        def arrived() -> bool:
            return gas_landed() and all(bridge.cor_balance(n.address) >= self.stake for n in nodes)

        return nodes, arrived

    def send_earnings_to_solana(self, population: Population) -> dict[str, int]:
        """Each Solana miner's node key claims its payments (``withdrawNodePayment``) and sends
        its COR, in whole SPL units, to its Solana account through the token bridge (``approve``
        and ``transferTokens``, which lock it; the guardians sign, the bridge mints SPL COR).
        Returns the SPL units each miner's Solana account received; waits until they have landed."""
        if not self.solana_owners:
            return {}
        bridge = guardian_bridge(population.devnet, population.chain.name)
        assert bridge.cor is not None
        h = population.handle
        for name in self.solana_owners:
            node = population.signers[name]
            if int(h.call("payment", "claimable", node.hex_address)[0]):
                h.send(name, node, "payment", "withdrawNodePayment")
        population.settle()
        token_bridge = bytes.fromhex(bridge.system_contracts()["WormholeTokenBridge"][2:])
        expected: dict[str, int] = {}
        before = {name: bridge.cor.balance(owner) for name, owner in self.solana_owners.items()}
        for name, owner in self.solana_owners.items():
            node = population.signers[name]
            units, _dust = to_spl(bridge.cor_balance(node.address))
            if units:
                call = bridge.send_to_solana_calldata(units * UNITS_PER_SPL, owner)
                h.send(name, node, "cor", "approve", to_checksum_address(token_bridge), units * UNITS_PER_SPL)
                h.client.send(node, token_bridge, call, BRIDGE_OUT_GAS)
                expected[name] = units
        population.settle()

        cor = bridge.cor

        def landed() -> bool:
            return all(cor.balance(self.solana_owners[n]) >= before[n] + u for n, u in expected.items())

        _advance_until(population.devnet, landed, "the Solana miners' earnings")
        return expected


def node_key(owner: Keypair) -> bytes:
    """The EVM private key of the node a Solana miner runs: keccak256 of a domain and the
    miner's Solana secret (its ed25519 seed), reduced into secp256k1's range. Only the holder of
    the Solana secret can compute it, and the same miner always runs the same node."""
    digest = int.from_bytes(keccak(NODE_KEY_DOMAIN + bytes(owner.secret())), "big")
    return (digest % (SECP256K1_ORDER - 1) + 1).to_bytes(32, "big")


def fund_node_gas(population: Population, nodes: Sequence[bytes]) -> Callable[[], bool]:
    """Send each node key :data:`NODE_GAS` of ETH on the session chain the way a real operator
    gets it: on a root chain the admin (dev account 0) transfers it; on a Nitro rollup the admin
    sends it to the key on the parent chain and the key deposits it with ``Inbox.depositEth``
    (a message the settlement engine delivers). Returns whether every key holds it."""
    devnet, chain = population.devnet, population.chain
    spec = devnet.topology.chain(chain.name)

    def landed() -> bool:
        return all(chain.engine.get_balance(node) >= NODE_GAS for node in nodes)

    if spec.parent is None:
        admin = population.signers["admin"]
        for node in nodes:
            population.handle.client.chain.send_raw_transaction(admin.sign(node, b"", TRANSFER_GAS, NODE_GAS))
        return landed
    if spec.kind not in ("nitro", "orbit"):
        raise PopulationError(
            f"a Solana miner's gas reaches {chain.name!r} only from its parent through a Nitro inbox; "
            f"{chain.name!r} is {spec.kind}"
        )
    parent = devnet.evm(spec.parent)
    client = LeanClient(parent)
    admin = client.signer(bytes(parent.accounts[0].key))
    for node in nodes:
        client.chain.send_raw_transaction(
            admin.sign(node, b"", TRANSFER_GAS, NODE_GAS + PARENT_GAS_ALLOWANCE)
        )
    _advance_until(
        devnet, lambda: all(parent.engine.get_balance(n) >= NODE_GAS for n in nodes), "the node keys' ETH"
    )
    inbox = bytes.fromhex(devnet.system_contracts(chain.name)["Inbox"][2:])
    deposit_eth = keccak(b"depositEth()")[:4]
    for node in nodes:
        key = client.signer(population.signers[population.names[node]].key)
        client.chain.send_raw_transaction(key.sign(inbox, deposit_eth, DEPOSIT_ETH_GAS, NODE_GAS))
    return landed


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
    """Refuse a mix naming a miner the population does not have, or an unknown route."""
    for index, kind in mix.items():
        if not 0 <= index < config.miners:
            raise PopulationError(f"onboarding names miner{index}; the population has {config.miners} miners")
        if kind not in ONBOARDING_KINDS:
            raise PopulationError(
                f"miner{index}: unknown onboarding {kind!r} ({', '.join(ONBOARDING_KINDS)})"
            )


# ---------------------------------------------------------------------- internals
def _advance_until(devnet: Devnet, done: Callable[[], bool], what: str) -> None:
    """Move the clock (and relay, when the settlement engine waits to be told) until ``done``."""
    waited = 0
    while not done():
        if waited >= DELIVERY_TIMEOUT_SECONDS:
            raise PopulationError(f"{what} had not arrived after {DELIVERY_TIMEOUT_SECONDS} s")
        devnet.advance(POLL_SECONDS)
        if devnet.settlement is not None and not getattr(devnet.settlement, "auto", True):
            devnet.relay()
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
