"""Where a population's COR comes from: on the default devnet's arbitrum the protocol stakes and
pays in the COR gateways' bridged COR, each actor funded by a deposit from l1's holder (no COR is
minted on arbitrum), so COR over the chains stays l1's supply; on base the same through the OP
Stack standard bridge."""

from __future__ import annotations

import pytest
from actor_helpers import PROMPTS, small_devnet
from web3.contract import Contract

from cortensor_sim import Devnet
from cortensor_sim.artifacts import load_artifact
from cortensor_sim.protocol.actors import NODE_STAKE, Population, PopulationConfig
from cortensor_sim.protocol.funding import cor_address
from cortensor_sim.rollups.cor_token import CANONICAL_COR, COR_HOLDER, COR_SUPPLY

CONFIG = PopulationConfig(miners=3, users=1)


@pytest.fixture(scope="module")
def population() -> Population:
    return Population.deploy(Devnet(), CONFIG)


def _l1_cor(devnet: Devnet) -> Contract:
    return devnet.evm("l1").w3.eth.contract(address=CANONICAL_COR, abi=load_artifact("CORToken").abi)


def _funded(population: Population) -> int:
    """COR the actors were brought: each miner's stake, each user's session bond and deposit."""
    bond = int(population.handle.call("payment", "bondPerNode")[0])
    return CONFIG.miners * NODE_STAKE + CONFIG.users * (bond * CONFIG.redundancy + CONFIG.deposit)


def test_miners_stake_the_gateways_bridged_cor(population: Population) -> None:
    cor = population.contracts.cor
    assert cor.address == cor_address(population.devnet, "arbitrum")
    assert cor.address != CANONICAL_COR
    staked = cor.functions.balanceOf(population.contracts.node_pool.address).call()
    assert staked == CONFIG.miners * NODE_STAKE


def test_each_actor_is_funded_by_a_deposit_from_l1_that_landed(population: Population) -> None:
    deposits = [s for s in population.funding_steps if s.action.startswith("deposit")]
    assert [s.chain for s in population.funding_steps] == ["l1"] * len(population.funding_steps)
    assert sorted(s.action.rsplit(" to ", 1)[1] for s in deposits) == sorted(
        [f"miner{i} on arbitrum" for i in range(CONFIG.miners)] + ["user0 on arbitrum"]
    )
    retryables = [r for r in population.devnet.messages("retryable") if r.route == "l1 -> arbitrum"]
    assert len(retryables) >= len(deposits) and all(r.done for r in retryables)


def test_l1s_supply_is_the_sum_over_chains_after_onboarding(population: Population) -> None:
    devnet = population.devnet
    l1_cor = _l1_cor(devnet).functions
    escrow = l1_cor.balanceOf(devnet.system_contracts("arbitrum")["ParentCORGateway"]).call()
    assert l1_cor.totalSupply().call() == COR_SUPPLY
    on_arbitrum = population.contracts.cor.functions
    l3_backing = on_arbitrum.balanceOf(devnet.system_contracts("l3")["Bridge"]).call()  # the l3's gas
    assert escrow == _funded(population) + l3_backing
    assert l1_cor.balanceOf(COR_HOLDER).call() + escrow == COR_SUPPLY
    assert on_arbitrum.totalSupply().call() == escrow  # what arbitrum holds, l1 escrows


def test_a_task_runs_on_the_bridged_cor(population: Population) -> None:
    population.submit("user0", PROMPTS[:1])
    assert population.run_until_idle(600)
    metrics = population.metrics()
    assert metrics.tasks_completed == 1 and sum(metrics.earnings.values()) > 0


def test_on_base_the_population_runs_on_the_standard_bridges_cor() -> None:
    """On base the protocol stakes and pays in COR's OptimismMintableERC20, funded by deposits from
    l1 through the L1StandardBridge: what base holds is what l1's bridge escrows."""
    devnet = Devnet()
    held_on_l1 = _l1_cor(devnet).functions.balanceOf(COR_HOLDER).call()
    population = Population.deploy(devnet, PopulationConfig(miners=3), chain="base")
    cor = population.contracts.cor
    assert cor.address == cor_address(devnet, "base") and population.funding is not None
    assert cor.functions.balanceOf(population.contracts.node_pool.address).call() == 3 * NODE_STAKE
    escrow = devnet.system_contracts("base")["L1StandardBridge"]
    assert _l1_cor(devnet).functions.balanceOf(escrow).call() == cor.functions.totalSupply().call()
    assert (
        _l1_cor(devnet).functions.balanceOf(COR_HOLDER).call()
        == held_on_l1 - cor.functions.totalSupply().call()
    )
    deposits = [r for r in devnet.messages() if r.route == "l1 -> base"]
    assert deposits and all(r.done for r in deposits)


def test_on_l1_the_admin_pays_in_canonical_cor() -> None:
    """On l1 the protocol runs on canonical COR, whose supply the admin (dev account 0) holds."""
    devnet = small_devnet()
    population = Population.deploy(devnet, PopulationConfig(miners=3), chain="l1")
    cor = population.contracts.cor
    assert cor.address == CANONICAL_COR and population.funding is None
    assert cor.functions.balanceOf(population.contracts.node_pool.address).call() == 3 * NODE_STAKE
    assert cor.functions.totalSupply().call() == COR_SUPPLY
