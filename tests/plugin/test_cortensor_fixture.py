"""``cortensor``: the contracts the deployment helper deployed, by its names and by contract name."""

from __future__ import annotations

import pytest

from cortensor_sim import Topology, default_topology
from cortensor_sim.testing.cortensor import protocol_chain


def test_contracts_by_helper_name_and_by_contract_name(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_inner_cortensor="""
        import pytest
        from cortensor_sim.protocol.deployment import ROLE

        def test_names(cortensor, arbitrum, accounts):
            assert cortensor.chain is arbitrum
            assert cortensor.deployer == accounts[0].address
            pool = cortensor.node_pool.address
            assert cortensor["node_pool"].address == pool == cortensor["NodePool"].address
            assert set(cortensor) == set(cortensor.addresses())
            for contract in cortensor.values():
                assert arbitrum.w3.eth.get_code(contract.address) != b""

        def test_the_deployer_is_admin(cortensor):
            assert cortensor.node_pool.functions.hasRole(ROLE["ADMIN_ROLE"], cortensor.deployer).call()

        def test_unknown_names_list_the_known_ones(cortensor):
            known = "no Cortensor contract 'Nope' on arbitrum .known: cor, .*NodePool"
            with pytest.raises(KeyError, match=known):
                cortensor["Nope"]
            with pytest.raises(AttributeError, match="no Cortensor contract 'nope'"):
                cortensor.nope
        """
    )
    pytester.runpytest().assert_outcomes(passed=3)


def test_without_the_protocol_the_fixture_says_why(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ncortensor_protocol = false\n")
    pytester.makepyfile(test_inner_none="def test_none(cortensor):\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*the Cortensor contracts are not deployed: the ini sets cortensor_protocol = false*"]
    )


def _topology(*chains: dict[str, object]) -> Topology:
    return Topology.model_validate({"chains": list(chains)})


L1 = {"name": "l1", "kind": "ethereum", "chain_id": 900, "block_time": 12}


def test_the_protocol_chain_is_arbitrum_else_a_nitro_chain_else_the_first_evm_chain() -> None:
    assert protocol_chain(default_topology()) == "arbitrum"
    nitro = {"name": "arb", "kind": "nitro", "parent": "l1", "chain_id": 42, "block_time": 0.25}
    op = {"name": "op", "kind": "op-stack", "parent": "l1", "chain_id": 10, "block_time": 2}
    assert protocol_chain(_topology(L1, op, nitro)) == "arb"
    assert protocol_chain(_topology(L1, op)) == "l1"
    with pytest.raises(ValueError, match="no EVM chain"):
        protocol_chain(_topology({"name": "solana", "kind": "solana", "block_time": 0.4}))
