"""The protocol on base and on the COR-gas l3 runs on l1's COR: on base the OP Stack standard
bridge's OptimismMintableERC20 for canonical COR, on l3 the wrapped native COR (``WrappedCOR``,
its native COR escrowed as arbitrum's bridged COR in the l3's ERC20Bridge). ``fund`` brings each
actor its COR from l1 through those bridges (deposits the engine relays), so the cross-chain
supply check covers every chain the protocol runs on, after every step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cortensor_sim.artifacts import load_artifact
from cortensor_sim.rollups.cor_token import (
    BALANCE_OF_SLOT,
    CANONICAL_COR,
    COR_SUPPLY,
    WRAPPED_COR,
    mapping_slot,
)
from cortensor_sim.scenario.loader import load_scenario
from cortensor_sim.scenario.runner import RunResult, run_scenario

COR = 10**18

SCENARIO = """\
name: cor-on-base-and-l3
seed: 11
topology:
  accounts: 8
  chains:
    - {name: l1, kind: ethereum, chain_id: 900, block_time: 12}
    - {name: base, kind: op-stack, parent: l1, chain_id: 901, block_time: 2}
    - {name: arbitrum, kind: nitro, parent: l1, chain_id: 412346, block_time: 0.25}
    - {name: l3, kind: orbit, parent: arbitrum, chain_id: 333333, block_time: 0.25, native_token: COR}
parameters: {session_chain: base}
actors: {users: 1, miners: 1}
timeline:
  - {do: deploy, chain: base}
  - {do: deploy, chain: l3}
  - {do: fund, chain: base, to: [user0, miner0], amount: 300 COR}
  - {do: fund, chain: l3, to: [user0, miner0], amount: 6000 COR}
  - {do: register_nodes, chain: l3}
expectations:
  - {expect: balance, of: user0, chain: base, equals: 300 COR}
  - {expect: balance, of: user0, chain: l3, equals: 6000 COR}
  - {expect: balance, of: NodePool, chain: l3, equals: 6000 COR}
  - {expect: messages, route: l1 -> base, status: relayed, count: 2}
  - {expect: messages, route: l1 -> arbitrum, status: relayed, count: 1}
  - {expect: messages, route: arbitrum -> l3, status: relayed, count: 2}
"""


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    path = Path(tmp_path_factory.mktemp("cor-on-base-and-l3")) / "scenario.yaml"
    path.write_text(SCENARIO)
    return run_scenario(load_scenario(path))


def _contract(result: RunResult, chain: str, address: str, name: str) -> Any:
    return result.run.devnet.evm(chain).w3.eth.contract(address=address, abi=load_artifact(name).abi)


def test_the_scenario_passes_with_its_supply_checked_after_every_step(result: RunResult) -> None:
    assert result.passed, [(e.name, e.observed) for e in result.expectations if not e.passed]
    assert result.run.invariant_failure is None
    assert result.run.invariant_checks > 0


def test_base_runs_on_the_standard_bridges_mintable_cor(result: RunResult) -> None:
    devnet = result.run.devnet
    token = result.run.deployments["base"].network.contracts.cor.address
    mintable = _contract(result, "base", token, "OptimismMintableERC20")
    assert mintable.functions.remoteToken().call() == CANONICAL_COR
    assert mintable.functions.bridge().call() == devnet.system_contracts("base")["L2StandardBridge"]
    factory_logs = [
        step for step in result.run.deployments["base"].steps if "OptimismMintableERC20" in step.action
    ]
    assert len(factory_logs) == 1  # created once, by the first funding, through base's factory


def test_l3_runs_on_wrapped_native_cor(result: RunResult) -> None:
    devnet = result.run.devnet
    cor = result.run.deployments["l3"].network.contracts.cor
    assert cor.address == WRAPPED_COR
    wrapped = _contract(result, "l3", WRAPPED_COR, "WrappedCOR")
    native = devnet.evm("l3").w3.eth.get_balance(WRAPPED_COR)
    assert wrapped.functions.totalSupply().call() == native == 12000 * COR
    assert wrapped.functions.symbol().call() == "WCOR"


def test_funding_went_through_the_bridges_as_relayed_messages(result: RunResult) -> None:
    devnet = result.run.devnet
    by_route: dict[str, int] = {}
    for record in devnet.messages():
        assert record.done, record
        by_route[record.route] = by_route.get(record.route, 0) + 1
    assert by_route == {"l1 -> base": 2, "l1 -> arbitrum": 1, "arbitrum -> l3": 2}
    l1_steps = [s for s in result.run.deployments["base"].steps if s.chain == "l1"]
    assert [s.action for s in l1_steps] == [
        "approve 600 COR to base's standard bridge",
        "deposit 300 COR to user0 on base",
        "deposit 300 COR to miner0 on base",
    ]
    l3_hops = [s.chain for s in result.run.deployments["l3"].steps if s.action.startswith("deposit")]
    assert l3_hops == ["l1", "arbitrum", "arbitrum"]  # l1 -> arbitrum (the holder), then into l3


def test_l1s_supply_is_what_every_chain_holds(result: RunResult) -> None:
    run = result.run
    devnet = run.devnet
    l1_cor = _contract(result, "l1", CANONICAL_COR, "CORToken")
    base_cor = run.deployments["base"].network.contracts.cor
    l1_bridge = devnet.system_contracts("base")["L1StandardBridge"]
    assert l1_cor.functions.totalSupply().call() == COR_SUPPLY
    assert (
        l1_cor.functions.balanceOf(l1_bridge).call() == base_cor.functions.totalSupply().call() == 600 * COR
    )
    assert run.bridging.cor_across_chains() == (COR_SUPPLY, COR_SUPPLY)
    assert "base" in run.bridging.cor_routes() and "l3" not in run.bridging.cor_routes()


def test_cor_minted_outside_the_bridge_on_base_breaks_the_sum(result: RunResult) -> None:
    """The check covers base: COR written into a balance there (no escrow behind it) shows."""
    run = result.run
    base = run.devnet.evm("base")
    token = bytes.fromhex(run.deployments["base"].network.contracts.cor.address[2:])
    slot = mapping_slot(run.address_of("user0", "base"), BALANCE_OF_SLOT)
    before = base.engine.get_storage(token, slot)
    base.engine.set_storage(token, slot, before + 7 * COR)
    try:
        supply, counted = run.bridging.cor_across_chains()
        assert counted == supply + 7 * COR
    finally:
        base.engine.set_storage(token, slot, before)
