"""The protocol on bridged COR: a scenario's ``deploy`` on arbitrum runs on the gateway's COR and
``fund`` brings actors their COR from l1 through the gateway (retryables, relayed), so l1's COR
supply is what every chain holds of it, checked after every step; a token minted outside the
bridge breaks that check."""

from __future__ import annotations

from pathlib import Path

import pytest

from cortensor_sim.artifacts import load_artifact
from cortensor_sim.rollups.cor_token import CANONICAL_COR, COR_HOLDER, COR_SUPPLY, mapping_slot
from cortensor_sim.scenario.loader import load_scenario
from cortensor_sim.scenario.runner import RunResult, run_scenario

COR = 10**18

SCENARIO = """\
name: bridged-cor
seed: 5
topology:
  chains:
    - {name: l1, kind: ethereum, chain_id: 900, block_time: 12}
    - {name: arbitrum, kind: nitro, parent: l1, chain_id: 412346, block_time: 0.25}
    - {name: l3, kind: orbit, parent: arbitrum, chain_id: 333333, block_time: 0.25, native_token: COR}
parameters: {session_chain: arbitrum}
actors: {users: 1, miners: 2}
timeline:
  - do: deploy
  - {do: fund, to: [user0], amount: 300 COR}
  - {do: fund, to: [miners], amount: 7000 COR}
  - do: register_nodes
expectations:
  - {expect: balance, of: user0, equals: 300 COR}
  - {expect: balance, of: miner1, equals: 1000 COR}
  - {expect: messages, route: l1 -> arbitrum, status: relayed, count: 3}
"""


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    path = Path(tmp_path_factory.mktemp("bridged-cor")) / "scenario.yaml"
    path.write_text(SCENARIO)
    return run_scenario(load_scenario(path))


def test_deploy_on_arbitrum_runs_on_the_gateways_cor(result: RunResult) -> None:
    assert result.passed, [(e.name, e.observed) for e in result.expectations if not e.passed]
    devnet = result.run.devnet
    child_gateway = devnet.system_contracts("arbitrum")["ChildCORGateway"]
    gateway = devnet.evm("arbitrum").w3.eth.contract(
        address=child_gateway, abi=load_artifact("ChildCORGateway").abi
    )
    cor = result.run.deployments["arbitrum"].network.contracts.cor
    assert cor.address == gateway.functions.calculateL2TokenAddress(CANONICAL_COR).call()
    retryables = [r for r in devnet.messages("retryable") if r.route == "l1 -> arbitrum"]
    assert len(retryables) == 3 and all(r.done for r in retryables)


def test_fund_leaves_l1s_supply_equal_to_the_sum_over_chains(result: RunResult) -> None:
    devnet = result.run.devnet
    l1_cor = devnet.evm("l1").w3.eth.contract(address=CANONICAL_COR, abi=load_artifact("CORToken").abi)
    escrow = l1_cor.functions.balanceOf(devnet.system_contracts("arbitrum")["ParentCORGateway"]).call()
    on_arbitrum = result.run.deployments["arbitrum"].network.contracts.cor
    assert l1_cor.functions.totalSupply().call() == COR_SUPPLY
    assert l1_cor.functions.balanceOf(COR_HOLDER).call() + escrow == COR_SUPPLY
    assert on_arbitrum.functions.totalSupply().call() == escrow  # what arbitrum holds, l1 escrows
    funded = 300 * COR + 2 * 7000 * COR
    l3_backing = on_arbitrum.functions.balanceOf(devnet.system_contracts("l3")["Bridge"]).call()
    assert escrow == funded + l3_backing
    assert result.run.bridging.cor_across_chains() == (COR_SUPPLY, COR_SUPPLY)
    invariant = result.expectations[0]
    assert invariant.passed and "held at all" in invariant.observed


def test_cor_minted_outside_the_bridge_breaks_the_sum(result: RunResult) -> None:
    """The check can fail: COR written into a balance on arbitrum (a dev write, no escrow behind it)."""
    run = result.run
    arbitrum = run.devnet.evm("arbitrum")
    token = run.deployments["arbitrum"].network.contracts.cor.address
    user = run.address_of("user0", "arbitrum")
    slot = mapping_slot(user, 3)
    before = arbitrum.engine.get_storage(bytes.fromhex(token[2:]), slot)
    arbitrum.engine.set_storage(bytes.fromhex(token[2:]), slot, before + 5 * COR)
    try:
        supply, counted = run.bridging.cor_across_chains()
        assert counted == supply + 5 * COR
    finally:
        arbitrum.engine.set_storage(bytes.fromhex(token[2:]), slot, before)
