"""Deploying on an interval-mined chain moves the simulated clock; it never waits on the wall clock."""

from __future__ import annotations

import time

import pytest
from actor_helpers import small_devnet

from cortensor_sim.protocol.deployment import DeploymentError, deploy_protocol


def test_deploying_on_an_interval_chain_advances_the_simulated_clock() -> None:
    devnet = small_devnet(mining="interval")
    chain = devnet.evm("arbitrum")
    started_ms, wall = devnet.clock.now_ms, time.monotonic()
    contracts = deploy_protocol(
        chain.w3, chain.accounts[0].address, settle=lambda: devnet.advance(chain.block_time_ms / 1000)
    )
    assert chain.w3.eth.get_code(contracts.session.address)
    assert devnet.clock.now_ms > started_ms  # the clock moved, block by block
    assert time.monotonic() - wall < 60  # web3's receipt wait alone would have taken 120 s


def test_without_a_way_to_move_the_clock_the_deploy_says_so_at_once() -> None:
    devnet = small_devnet(mining="interval")
    chain = devnet.evm("arbitrum")
    wall = time.monotonic()
    with pytest.raises(DeploymentError, match="interval-mined chain: deploy with settle="):
        deploy_protocol(chain.w3, chain.accounts[0].address)
    assert time.monotonic() - wall < 30
