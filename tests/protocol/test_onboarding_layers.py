"""Actors onboarding through the layers: a miner staked on l1 and registered from base, and one
from Solana running its node under a key derived from its Solana secret, join the population's
pool on arbitrum; the actors then run tasks, and both serve them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from cortensor_sim import Devnet
from cortensor_sim.protocol.actors import NODE_STAKE, Population, PopulationConfig, PopulationError
from cortensor_sim.protocol.actors.population import node_id
from cortensor_sim.protocol.funding import cor_address
from cortensor_sim.protocol.onboarding import (
    NODE_GAS,
    LayeredOnboarding,
    check_mix,
    deploy_population,
    guardian_bridge,
    node_key,
    solana_keypair,
)
from cortensor_sim.scenario.loader import load_scenario
from cortensor_sim.scenario.runner import run_scenario
from cortensor_sim.scenario.source import InputError

L1_MINER, SOLANA_MINER = 0, 2
NODE_STATUS_RESERVED = 3
TASKS = 2


@dataclass
class Onboarded:
    devnet: Devnet
    population: Population
    onboarding: LayeredOnboarding


@pytest.fixture(scope="module")
def onboarded() -> Onboarded:
    devnet = Devnet()
    config = PopulationConfig(miners=3, users=1, redundancy=3, seed=1)
    population, onboarding = deploy_population(devnet, config, {L1_MINER: "l1_stake", SOLANA_MINER: "solana"})
    prompts = [f"Explain how node {i} staked elsewhere serves tasks on arbitrum." for i in range(TASKS)]
    population.submit("user0", prompts, every_s=1)
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


def test_a_miner_from_solana_commits_and_is_paid_under_its_own_node_key(onboarded: Onboarded) -> None:
    """The node key derived from the miner's Solana secret is the address NodePool registers, the
    one that commits the results on arbitrum, and the one SessionPayment credits."""
    population, devnet = onboarded.population, onboarded.devnet
    name = f"miner{SOLANA_MINER}"
    node = population.signers[name]
    bridge = guardian_bridge(devnet, "arbitrum")
    owner = solana_keypair(population, bridge, name)
    assert onboarded.onboarding.solana_owners[name] == owner.pubkey()
    assert node.key == node_key(owner)
    assert node.hex_address not in {a.address.lower() for a in population.chain.accounts}  # not a dev account
    w3 = population.chain.w3
    address = w3.to_checksum_address(node.hex_address)
    pool = population.contracts.node_pool.functions
    _, registered, status, stake, *_ = pool.getNode(node_id(node.address)).call()
    assert (registered, status, stake) == (address, NODE_STATUS_RESERVED, NODE_STAKE)
    assert not pool.isL1Backed(node_id(node.address)).call()
    commits = population.contracts.queue.events.TaskCommitted().get_logs(from_block=0)
    assert sorted(log["args"]["taskId"] for log in commits if log["args"]["miner"] == address) == list(
        range(TASKS)
    )
    credits = population.contracts.payment.events.NodePaymentAllocated().get_logs(
        from_block=0, argument_filters={"miner": address}
    )
    assert len(credits) == TASKS and all(log["args"]["amount"] > 0 for log in credits)
    assert population.metrics().earnings[name] == sum(log["args"]["amount"] for log in credits)


def test_the_solana_miners_stake_and_gas_crossed_by_messages(onboarded: Onboarded) -> None:
    """Its stake is l1's COR that went to Solana and back through the guardians (unlocked by the
    token bridge to the key, now staked in NodePool); its gas is ETH deposited from l1 through
    arbitrum's inbox, not written by hand."""
    population, devnet = onboarded.population, onboarded.devnet
    node = population.signers[f"miner{SOLANA_MINER}"]
    contracts = guardian_bridge(devnet, "arbitrum").system_contracts()
    assert population.contracts.cor.address == contracts["COR"] == cor_address(devnet, "arbitrum")
    received = population.contracts.cor.events.Transfer().get_logs(
        from_block=0, argument_filters={"to": population.chain.w3.to_checksum_address(node.hex_address)}
    )
    assert [log["args"]["value"] for log in received] == [NODE_STAKE]
    assert received[0]["args"]["from"] == contracts["WormholeTokenBridge"]  # unlocked on a VAA
    l1 = devnet.evm("l1")
    assert l1.engine.get_nonce(node.address) == 1  # its depositEth on l1
    assert 0 < population.chain.engine.get_balance(node.address) < NODE_GAS  # paid its own gas


def test_a_solana_miners_earnings_go_back_to_solana(onboarded: Onboarded) -> None:
    population, onboarding = onboarded.population, onboarded.onboarding
    name = f"miner{SOLANA_MINER}"
    bridge = guardian_bridge(onboarded.devnet, "arbitrum")
    assert bridge.cor is not None
    owner = onboarding.solana_owners[name]
    earned = population.metrics().earnings[name]
    before = bridge.cor.balance(owner)
    sent = onboarding.send_earnings_to_solana(population)
    assert sent == {name: earned // 10**9}
    assert bridge.cor.balance(owner) == before + earned // 10**9
    assert bridge.cor_balance(population.signers[name].address) == earned % 10**9  # the dust stays


def test_a_mix_is_refused_when_it_names_an_unknown_miner_or_route() -> None:
    config = PopulationConfig(miners=3, users=1, redundancy=3)
    check_mix(config, {2: "solana"})  # a Solana miner serves: three miners are enough
    with pytest.raises(PopulationError, match="names miner5"):
        check_mix(config, {5: "l1_stake"})
    with pytest.raises(PopulationError, match="unknown onboarding 'teleport'"):
        check_mix(config, {1: "teleport"})  # type: ignore[dict-item]


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


def test_run_network_onboards_a_miner_from_solana_whose_node_completes_tasks(tmp_path: Path) -> None:
    path = _scenario(
        tmp_path,
        "  - {do: run_network, tasks: 2, onboarding: {miner2: solana}}\n"
        "expectations:\n"
        "  - {expect: network, metric: tasks.completed, equals: 2}\n"
        "  - {expect: network, metric: earnings_wei.miner2, at_least: 1}\n"
        "  - {expect: network, metric: reputation.miner2.success, equals: 2}\n",
    )
    result = run_scenario(load_scenario(path))
    assert result.passed, [(e.name, e.observed) for e in result.expectations if not e.passed]
    routes = {(r.source, r.destination) for r in result.run.devnet.messages()}
    assert {("solana", "arbitrum"), ("l1", "arbitrum")} <= routes  # the stake; the node key's gas


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
