"""Where the protocol's COR is on each chain: canonical on l1, the gateways' bridged COR on the
chains they reach (one hop or two), the standard bridge's OptimismMintableERC20 on an OP Stack
chain, wrapped native COR on a COR-gas l3, none on Solana."""

from __future__ import annotations

import pytest

from cortensor_sim import Devnet
from cortensor_sim.chains.topology import Topology
from cortensor_sim.protocol.funding import (
    FundingFailed,
    GatewayFunding,
    cor_address,
    cor_route,
    ensure_mintable_cor,
)
from cortensor_sim.protocol.network import COR, CortensorNetwork
from cortensor_sim.rollups.cor_token import (
    CANONICAL_COR,
    WRAPPED_COR,
    calculate_l2_token_address,
    optimism_mintable_address,
)
from cortensor_sim.scenario.loader import bundled_topologies
from cortensor_sim.scenario.source import load_yaml_model


@pytest.fixture(scope="module")
def devnet() -> Devnet:
    return Devnet()


def test_cor_on_the_default_devnet(devnet: Devnet) -> None:
    arbitrum_gateway = devnet.system_contracts("arbitrum")["ChildCORGateway"]
    assert cor_route(devnet, "l1") == [] and cor_address(devnet, "l1") == CANONICAL_COR
    assert cor_route(devnet, "arbitrum") == ["arbitrum"]
    assert cor_address(devnet, "arbitrum") == calculate_l2_token_address(arbitrum_gateway, CANONICAL_COR)
    op = devnet.system_contracts("base")
    assert cor_route(devnet, "base") == ["base"]
    assert cor_address(devnet, "base") == optimism_mintable_address(
        op["OptimismMintableERC20Factory"], op["L2StandardBridge"], CANONICAL_COR
    )
    assert cor_route(devnet, "l3") == ["arbitrum", "l3"] and cor_address(devnet, "l3") == WRAPPED_COR
    assert cor_route(devnet, "solana") is None and cor_address(devnet, "solana") is None


def test_the_predicted_mintable_address_is_where_base_s_factory_creates_it(devnet: Devnet) -> None:
    """The CREATE2 prediction matches the factory's real deployment (one transaction on base)."""
    token, receipt = ensure_mintable_cor(devnet, "base", devnet.evm("base").accounts[0].address)
    assert receipt is not None and receipt["status"] == 1
    assert token == cor_address(devnet, "base")
    assert devnet.evm("base").engine.get_code(bytes.fromhex(token[2:]))
    assert ensure_mintable_cor(devnet, "base", devnet.evm("base").accounts[0].address) == (token, None)


def test_an_eth_gas_orbit_chain_gets_cor_in_two_hops() -> None:
    devnet = Devnet(load_yaml_model(bundled_topologies()["two-orbits"], Topology))
    assert cor_route(devnet, "acme") == ["arbitrum", "acme"]
    on_arbitrum = cor_address(devnet, "arbitrum")
    assert on_arbitrum is not None
    acme_gateway = devnet.system_contracts("acme")["ChildCORGateway"]
    assert cor_address(devnet, "acme") == calculate_l2_token_address(acme_gateway, on_arbitrum)


def test_gateway_funding_refuses_a_chain_no_bridge_reaches(devnet: Devnet) -> None:
    for chain in ("l1", "solana"):
        with pytest.raises(ValueError, match=f"COR reaches {chain} through no bridge"):
            GatewayFunding(devnet, chain)


def test_a_deposit_that_does_not_land_fails_naming_the_actor() -> None:
    devnet = Devnet(
        {
            "chains": [
                {"name": "l1", "kind": "ethereum", "chain_id": 900, "block_time": 12},
                {"name": "arbitrum", "kind": "nitro", "parent": "l1", "chain_id": 412346, "block_time": 0.25},
            ]
        }
    )
    funding = GatewayFunding(devnet, "arbitrum")
    network = CortensorNetwork.deploy(
        devnet.evm("arbitrum"),
        miners=1,
        users=1,
        cor_address=cor_address(devnet, "arbitrum"),
        funding=funding,
    )
    funding.name_of = network.actors.name_of
    user = network.actors.users[0]
    network.fund(user, 10 * COR)
    assert network.cor_balance(user) == 10 * COR
    devnet.sequencer_outage("arbitrum", 600)  # arbitrum seals nothing: the retryable cannot land
    with pytest.raises(FundingFailed, match="COR deposited to user0 did not land on arbitrum in 120 s"):
        network.fund(user, 5 * COR)
    assert network.cor_balance(user) == 10 * COR
