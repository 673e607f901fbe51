"""The Cortensor contracts of the session's devnet, as web3 contract objects found by name.

The contracts are deployed by the protocol's own helper
(:func:`cortensor_sim.protocol.deployment.deploy_protocol`) and nothing else: this module only
names what it returned, so the fixture follows the helper when the contracts change shape. A
deployment is recorded as a :class:`ProtocolManifest` (chain, and per contract its address, ABI and
artifact name) because that is what survives a state file: the devnet cache stores the manifest
beside the dumped chains and rebuilds the same contract objects from it.

The protocol runs on l1's COR, as everywhere on the devnet (``protocol/funding.py``): canonical COR
on l1, where the deployer (dev account 0) holds the supply; on a rollup the COR its bridges bring,
with :data:`DEPLOYER_COR` of it deposited to the deployer from l1 so that a test can hand COR out.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from web3.contract import Contract

from ..artifacts import available_artifacts, load_artifact
from ..chains.devnet import Devnet
from ..chains.evm import EvmChain
from ..chains.topology import Topology

__all__ = ["DEPLOYER_COR", "CortensorContracts", "ProtocolManifest", "deploy_cortensor", "protocol_chain"]

DEPLOYER_COR = 1_000_000 * 10**18
"""COR deposited from l1 to the deployer when the protocol's chain is a rollup."""


def protocol_chain(topology: Topology) -> str:
    """The chain Cortensor's sessions live on: ``arbitrum`` when there is one (as in the default
    topology), else the first Nitro or Orbit chain, else the first EVM chain."""
    evm = [spec for spec in topology.chains if spec.is_evm]
    if not evm:
        raise ValueError("the topology has no EVM chain to deploy the Cortensor contracts on")
    for spec in evm:
        if spec.name == "arbitrum":
            return spec.name
    for spec in evm:
        if spec.kind in ("nitro", "orbit"):
            return spec.name
    return evm[0].name


@dataclass(frozen=True)
class DeployedContract:
    address: str
    abi: list[dict[str, Any]]
    artifact: str | None
    """The bundled artifact whose ABI this contract has (e.g. ``"NodePool"``), if one matches."""


@dataclass(frozen=True)
class ProtocolManifest:
    """What :func:`deploy_cortensor` deployed: the chain, and each contract under the helper's name."""

    chain: str
    deployer: str
    contracts: dict[str, DeployedContract]

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ProtocolManifest:
        data = json.loads(text)
        contracts = {name: DeployedContract(**entry) for name, entry in data["contracts"].items()}
        return cls(chain=data["chain"], deployer=data["deployer"], contracts=contracts)


def _named_contracts(deployed: object) -> dict[str, Contract]:
    """The helper's result as name -> contract, whether it returns a dataclass or a mapping."""
    if dataclasses.is_dataclass(deployed) and not isinstance(deployed, type):
        items = {f.name: getattr(deployed, f.name) for f in dataclasses.fields(deployed)}
    elif isinstance(deployed, Mapping):
        items = dict(deployed)
    else:
        kind = type(deployed).__name__
        raise TypeError(f"deploy_protocol returned {kind}, expected a dataclass or a mapping")
    return {name: c for name, c in items.items() if isinstance(c, Contract)}


def _artifact_by_abi() -> dict[str, str]:
    """Canonical ABI JSON -> bundled artifact name, to name each deployed contract's source."""
    return {json.dumps(load_artifact(n).abi, sort_keys=True): n for n in available_artifacts()}


def deploy_cortensor(devnet: Devnet, chain: str) -> ProtocolManifest:
    """Deploy the Cortensor contracts on ``chain`` from its first dev account, with the helper's
    defaults, on l1's COR (see the module's docstring)."""
    # imported here: a warm session loads the manifest instead
    from ..protocol.deployment import deploy_protocol
    from ..protocol.funding import GatewayFunding, cor_address, cor_route

    evm = devnet.evm(chain)
    deployer = evm.accounts[0].address
    contracts = _named_contracts(deploy_protocol(evm.w3, deployer, cor_address=cor_address(devnet, chain)))
    if cor_route(devnet, chain):  # a rollup: the deployer's COR comes from l1 through the bridges
        GatewayFunding(devnet, chain).fund({deployer: DEPLOYER_COR}, [])
    names = _artifact_by_abi()
    entries = {}
    for name, contract in contracts.items():
        abi = list(contract.abi)
        artifact = names.get(json.dumps(abi, sort_keys=True))
        entries[name] = DeployedContract(address=contract.address, abi=abi, artifact=artifact)
    return ProtocolManifest(chain=chain, deployer=deployer, contracts=entries)


class CortensorContracts(Mapping[str, Contract]):
    """The deployed contracts by the helper's names (``cortensor["node_pool"]``,
    ``cortensor.node_pool``) or by artifact name (``cortensor["NodePool"]``).

    Each web3 contract object is made on first use and kept: web3 builds a class per ABI (about
    6 ms a contract), and most tests touch two or three of the ten, so the session's start-up does
    not pay for the rest.
    """

    def __init__(self, manifest: ProtocolManifest, chain: EvmChain) -> None:
        self.manifest = manifest
        self.chain = chain
        self._contracts: dict[str, Contract] = {}
        self._by_artifact = {
            entry.artifact: name for name, entry in manifest.contracts.items() if entry.artifact is not None
        }

    def __getitem__(self, name: str) -> Contract:
        key = self._by_artifact.get(name, name)
        if key not in self._contracts:
            entry = self.manifest.contracts.get(key)
            if entry is None:
                known = ", ".join([*self.manifest.contracts, *self._by_artifact])
                raise KeyError(f"no Cortensor contract {name!r} on {self.chain.name} (known: {known})")
            self._contracts[key] = self.chain.w3.eth.contract(address=entry.address, abi=entry.abi)  # type: ignore[call-overload]
        return self._contracts[key]

    def __getattr__(self, name: str) -> Contract:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(exc.args[0]) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.manifest.contracts)

    def __len__(self) -> int:
        return len(self.manifest.contracts)

    @property
    def deployer(self) -> str:
        """The dev account that deployed the contracts and holds ADMIN_ROLE and the COR supply."""
        return self.manifest.deployer

    def addresses(self) -> dict[str, str]:
        return {name: entry.address for name, entry in self.manifest.contracts.items()}

    def __repr__(self) -> str:
        return f"CortensorContracts(on {self.chain.name}: {', '.join(self.manifest.contracts)})"
