"""Deploy the cross-layer contracts of the default devnet and wire them to the protocol on arbitrum.

One contract per role and layer (docs/layers.md):

| chain    | contract            | role                                                          |
| -------- | ------------------- | ------------------------------------------------------------- |
| l1       | CORToken            | canonical COR (unless an existing token is given)              |
| l1       | NodeStakeL1         | node stake; sends stake records, takes slashes from the Outbox |
| l1       | OnboardingRelayL1   | base -> arbitrum hop of a registration                         |
| l1       | CheckpointRegistry  | checkpoints, from arbitrum's Outbox only                       |
| base     | Onboarding          | registration (and its COR fee)                                 |
| arbitrum | SessionCheckpointer | computes checkpoints from SessionQueueV2 and sends them to l1  |
| l3       | SessionCheckpointer | the same on the l3 (with :func:`deploy_l3_checkpoints`)        |
| arbitrum | CheckpointForwarder | the l3's checkpoints, from the l3's Outbox on to l1            |

Contracts on two chains that must know each other are deployed first and told about each other
with a one-time ``initialize`` by their deployer (addresses on another chain cannot be passed to a
constructor without predicting them).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from web3 import Web3
from web3.contract import Contract

from ...artifacts import load_artifact
from ...chains.devnet import Devnet
from ...rollups.cor_token import CANONICAL_COR
from ..deployment import DEFAULT_COR_SUPPLY, deploy_contract, transact
from ..funding import ensure_mintable_cor
from ..network import CortensorNetwork

__all__ = ["CrossLayerContracts", "L3Checkpoints", "LayerNames", "deploy_l3_checkpoints", "deploy_layers"]

#: l1's unbonding period for node stake: a week, longer than a slash takes to come back through
#: arbitrum's Outbox even with mainnet-like confirmation (about 6.4 days).
UNBONDING_PERIOD = 7 * 24 * 3600
#: Gas and fee cap of every retryable the cross-layer contracts send to arbitrum.
RETRYABLE_GAS_LIMIT = 1_000_000
MAX_FEE_PER_GAS = 2 * 10**9
#: ETH kept in OnboardingRelayL1 for the retryables it sends on behalf of base.
RELAY_FUNDS = 10**18


@dataclass(frozen=True)
class LayerNames:
    """Which chain plays which layer (the default devnet's names)."""

    l1: str = "l1"
    base: str = "base"
    arbitrum: str = "arbitrum"
    l3: str = "l3"


@dataclass(frozen=True)
class CrossLayerContracts:
    """The cross-layer contracts, each on its own chain (see the module's table)."""

    cor_l1: Contract
    stake: Contract
    onboarding_relay: Contract
    registry: Contract
    onboarding: Contract
    checkpointer: Contract
    cor_base: Contract | None = None  # COR's OptimismMintableERC20 on base, when a fee is charged

    def addresses(self) -> dict[str, str]:
        return {f.name: c.address for f in fields(self) if (c := getattr(self, f.name)) is not None}


def deploy_layers(
    devnet: Devnet,
    network: CortensorNetwork,
    *,
    names: LayerNames | None = None,
    cor_l1: str | None = None,
    registration_fee: int = 0,
) -> CrossLayerContracts:
    """Deploy the cross-layer contracts around ``network`` (the protocol on arbitrum) and wire
    NodePool to trust the l1 contracts' aliased addresses.

    The network's admin deploys everything, on every chain (the dev accounts are the same on each).
    ``cor_l1``: canonical COR on l1 (when None: the one l1's genesis holds, else a new CORToken
    with its supply to the admin).
    ``registration_fee``: COR a registration costs on base, paid in COR's OptimismMintableERC20
    there (created for l1's COR through base's factory; none when 0).
    """
    names = names or LayerNames()
    admin = network.actors.admin
    l1, base, arb = devnet.evm(names.l1), devnet.evm(names.base), devnet.evm(names.arbitrum)
    op = devnet.system_contracts(names.base)
    nitro = devnet.system_contracts(names.arbitrum)
    pool = network.contracts.node_pool

    if cor_l1 is None and l1.engine.get_code(bytes.fromhex(CANONICAL_COR[2:])):
        cor_l1 = CANONICAL_COR  # l1's COR from genesis, its supply with dev account 0 (the admin)
    if cor_l1 is None:
        cor = deploy_contract(l1.w3, "CORToken", admin, DEFAULT_COR_SUPPLY, sender=admin)
    else:
        cor = l1.w3.eth.contract(address=Web3.to_checksum_address(cor_l1), abi=load_artifact("CORToken").abi)
    stake = deploy_contract(
        l1.w3, "NodeStakeL1", cor.address, nitro["Inbox"], nitro["Bridge"], UNBONDING_PERIOD, sender=admin
    )
    relay = deploy_contract(
        l1.w3,
        "OnboardingRelayL1",
        op["L1CrossDomainMessenger"],
        nitro["Inbox"],
        RETRYABLE_GAS_LIMIT,
        MAX_FEE_PER_GAS,
        admin,
        sender=admin,
    )
    registry = deploy_contract(l1.w3, "CheckpointRegistry", admin, sender=admin)
    cor_base = _mintable_cor(devnet, names.base, admin) if registration_fee else None
    onboarding = deploy_contract(
        base.w3,
        "Onboarding",
        op["L2CrossDomainMessenger"],
        cor_base.address if cor_base else "0x" + "00" * 20,
        registration_fee,
        admin,
        sender=admin,
    )
    checkpointer = deploy_contract(
        arb.w3, "SessionCheckpointer", network.contracts.queue.address, sender=admin
    )

    transact(l1.w3, stake.functions.initialize(pool.address), admin)
    transact(l1.w3, relay.functions.initialize(onboarding.address, pool.address), admin)
    l1.w3.eth.wait_for_transaction_receipt(
        l1.w3.eth.send_transaction({"from": admin, "to": relay.address, "value": RELAY_FUNDS})
    )
    transact(l1.w3, registry.functions.setRoute(nitro["Bridge"], checkpointer.address, arb.chain_id), admin)
    transact(base.w3, onboarding.functions.initialize(relay.address), admin)
    transact(arb.w3, checkpointer.functions.initialize(registry.address), admin)
    transact(arb.w3, pool.functions.setL1Sources(stake.address, relay.address), admin)
    return CrossLayerContracts(
        cor_l1=cor,
        stake=stake,
        onboarding_relay=relay,
        registry=registry,
        onboarding=onboarding,
        checkpointer=checkpointer,
        cor_base=cor_base,
    )


def _mintable_cor(devnet: Devnet, base: str, admin: str) -> Contract:
    """COR's OptimismMintableERC20 on base: the protocol's COR there too, created by base's factory
    for l1's COR on first use (``funding.ensure_mintable_cor``)."""
    token, _ = ensure_mintable_cor(devnet, base, admin)
    return devnet.evm(base).w3.eth.contract(address=token, abi=load_artifact("OptimismMintableERC20").abi)


@dataclass(frozen=True)
class L3Checkpoints:
    """The l3 -> arbitrum -> l1 checkpoint route: SessionCheckpointer on the l3, CheckpointForwarder
    on arbitrum, and the route CheckpointRegistry on l1 was given for the forwarder."""

    checkpointer: Contract
    forwarder: Contract


def deploy_l3_checkpoints(
    devnet: Devnet,
    layers: CrossLayerContracts,
    l3_network: CortensorNetwork,
    *,
    names: LayerNames | None = None,
) -> L3Checkpoints:
    """Checkpoint the protocol on the l3 (``l3_network``) into l1's CheckpointRegistry through
    arbitrum: deploy the l3's checkpointer and arbitrum's forwarder, wire them, route the
    forwarder on the registry to the l3's chain id. The l3 network's admin deploys and wires."""
    names = names or LayerNames()
    admin = l3_network.actors.admin
    l1, arb, l3 = devnet.evm(names.l1), devnet.evm(names.arbitrum), devnet.evm(names.l3)
    l3_bridge = devnet.system_contracts(names.l3)["Bridge"]
    arb_bridge = devnet.system_contracts(names.arbitrum)["Bridge"]
    checkpointer = deploy_contract(
        l3.w3, "SessionCheckpointer", l3_network.contracts.queue.address, sender=admin
    )
    forwarder = deploy_contract(arb.w3, "CheckpointForwarder", l3_bridge, sender=admin)
    transact(l3.w3, checkpointer.functions.initialize(forwarder.address), admin)
    transact(arb.w3, forwarder.functions.initialize(checkpointer.address, layers.registry.address), admin)
    transact(l1.w3, layers.registry.functions.setRoute(arb_bridge, forwarder.address, l3.chain_id), admin)
    return L3Checkpoints(checkpointer=checkpointer, forwarder=forwarder)
