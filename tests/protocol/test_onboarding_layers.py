"""Actors onboarding through the layers: a miner staked on l1 and registered from base, and one
registered from Solana, join the population's pool on arbitrum; the actors then run a task."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from cortensor_sim import Devnet
from cortensor_sim.protocol.actors import NODE_STAKE, Population, PopulationConfig, PopulationError
from cortensor_sim.protocol.actors.population import node_id
from cortensor_sim.protocol.funding import cor_address
from cortensor_sim.protocol.onboarding import LayeredOnboarding, check_mix, deploy_population, guardian_bridge
from cortensor_sim.scenario.loader import load_scenario
from cortensor_sim.scenario.runner import run_scenario
from cortensor_sim.scenario.source import InputError

L1_MINER, SOLANA_MINER = 0, 3
NODE_STATUS_ADDED, NODE_STATUS_RESERVED = 1, 3


@dataclass
class Onboarded:
    devnet: Devnet
    population: Population
    onboarding: LayeredOnboarding


@pytest.fixture(scope="module")
def onboarded() -> Onboarded:
    devnet = Devnet()
    config = PopulationConfig(miners=4, users=1, redundancy=3, seed=1)
    population, onboarding = deploy_population(devnet, config, {L1_MINER: "l1_stake", SOLANA_MINER: "solana"})
    population.submit("user0", ["Explain how a node staked on l1 serves tasks on arbitrum."], every_s=1)
    assert population.run_until_idle(900)
    return Onboarded(devnet, population, onboarding)


def test_a_node_staked_on_l1_and_registered_from_base_is_assigned_a_task_on_arbitrum(
    onboarded: Onboarded,
) -> None:
    population, layers = onboarded.population, onboarded.onboarding.layers
    assert layers is not None
    miner = population.signers[f"miner{L1_MINER}"]
    operator = layers.network.chain.w3.to_checksum_address(miner.hex_address)
    assert layers.l1_bond(operator) == NODE_STAKE  # the COR sits bonded on l1
    pool = population.contracts.node_pool.functions
    assert pool.isL1Backed(node_id(miner.address)).call()
    assert pool.getNode(node_id(miner.address)).call()[2] == NODE_STATUS_RESERVED  # in the session
    view = population.handle.view
    assigned = [task for task in view.tasks.values() if miner.address in task.miners]
    assert assigned and all(task.finalized for task in assigned)
    assert view.earned[miner.address] > 0  # paid on arbitrum for its result


def test_the_l1_miner_arrived_through_base_and_l1_messages(onboarded: Onboarded) -> None:
    routes = [(r.source, r.destination, str(r.status)) for r in onboarded.onboarding.messages]
    assert routes == [
        ("l1", "arbitrum", "relayed"),  # the stake record, a retryable
        ("base", "l1", "relayed"),  # the registration: proven, finalized, relayed on l1
        ("l1", "arbitrum", "relayed"),  # forwarded by OnboardingRelayL1
    ]


def test_a_miner_from_solana_is_registered_with_its_stake_of_l1_cor(onboarded: Onboarded) -> None:
    population = onboarded.population
    operator = onboarded.onboarding.solana_operators[f"miner{SOLANA_MINER}"]
    pool = population.contracts.node_pool.functions
    _, address, status, stake, *_ = pool.getNode(pool.getNodeId(operator).call()).call()
    assert (address, status, stake) == (operator, NODE_STATUS_ADDED, NODE_STAKE)
    locked = guardian_bridge(onboarded.devnet, "arbitrum").system_contracts()["COR"]
    assert population.contracts.cor.address == locked == cor_address(onboarded.devnet, "arbitrum")


def test_a_mix_is_refused_when_too_few_miners_can_serve() -> None:
    config = PopulationConfig(miners=3, users=1, redundancy=3)
    with pytest.raises(PopulationError, match="need 3 miners that serve tasks; 2 do"):
        check_mix(config, {2: "solana"})
    with pytest.raises(PopulationError, match="names miner5"):
        check_mix(config, {5: "l1_stake"})


# ---------------------------------------------------------------------- the scenario field
def _scenario(tmp_path: Path, timeline: str, topology: str = "default") -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(
        f"name: onboarding-mix\nseed: 3\ntopology: {topology}\nactors: {{users: 1, miners: 3}}\n"
        f"timeline:\n{timeline}"
    )
    return path


def test_run_network_onboards_a_miner_from_l1_and_base_that_then_earns(tmp_path: Path) -> None:
    path = _scenario(
        tmp_path,
        "  - {do: run_network, tasks: 1, onboarding: {miner1: l1_stake}}\n"
        "expectations:\n  - {expect: network, metric: earnings_wei.miner1, at_least: 1}\n",
    )
    result = run_scenario(load_scenario(path))
    assert result.passed, [(e.name, e.observed) for e in result.expectations if not e.passed]
    routes = {(r.source, r.destination) for r in result.run.devnet.messages()}
    assert {("l1", "arbitrum"), ("base", "l1")} <= routes


L1_ONLY = (
    "{accounts: 8, chains: [{name: l1, kind: ethereum, chain_id: 900, block_time: 12}, "
    "{name: arbitrum, kind: nitro, parent: l1, chain_id: 412346, block_time: 0.25}]}"
)


@pytest.mark.parametrize(
    ("timeline", "topology", "message"),
    [
        ("  - {do: run_network, onboarding: {miner7: l1_stake}}\n", "default", "unknown actor 'miner7'"),
        ("  - {do: run_network, onboarding: {miner0: teleport}}\n", "default", "on_chain"),
        ("  - {do: run_network, onboarding: {miner0: l1_stake}}\n", L1_ONLY, "op-stack chain 'base'"),
        ("  - {do: run_network, onboarding: {miner0: solana}}\n", L1_ONLY, "needs a Solana chain"),
    ],
)
def test_a_bad_onboarding_mix_is_refused_with_where_and_why(
    tmp_path: Path, timeline: str, topology: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        load_scenario(_scenario(tmp_path, timeline, topology))
