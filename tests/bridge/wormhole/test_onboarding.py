"""A miner onboarded from Solana: its SPL COR stake burned with a registration memo, a transfer with
payload to SolanaOnboarding, and the miner's operator contract active in NodePool; a registration
NodePool refuses is refunded to Solana."""

from __future__ import annotations

import pytest
from coincurve import PrivateKey
from solders.pubkey import Pubkey
from web3.contract import Contract
from wormhole_helpers import conserved, fund_solana

from cortensor_sim import Devnet
from cortensor_sim.bridge import MessageStatus
from cortensor_sim.bridge.wormhole import WormholeStack
from cortensor_sim.protocol.deployment import deploy_contract, deploy_protocol

UNIT = 10**9
STAKE_UNITS = 6_000 * UNIT  # NodePool's minStake, 6,000 COR, in SPL units
NODE_ADDED = 1  # NodePool.NodeStatus.Added

NODE_KEY = PrivateKey(b"\x07" * 32).public_key.format(compressed=False)[1:]
"""The miner's secp256k1 node key (64 bytes, x || y), as NodePool requires for private sessions."""


@pytest.fixture
def protocol(devnet: Devnet, bridge: WormholeStack) -> tuple[Contract, Contract]:
    """NodePool on arbitrum staking l1's COR (what the token bridge locks), and the onboarding
    contract beside it."""
    evm = devnet.evm("arbitrum")
    deployer = evm.accounts[0].address
    pool = deploy_protocol(evm.w3, deployer, cor_address=bridge.system_contracts()["COR"]).node_pool
    onboarding = deploy_contract(
        evm.w3,
        "SolanaOnboarding",
        bridge.system_contracts()["WormholeTokenBridge"],
        pool.address,
        bytes(Pubkey.from_string(bridge.system_contracts()["SolanaMessenger"])),
        sender=deployer,
    )
    return pool, onboarding


def test_miner_onboarded_from_solana_is_active_in_node_pool(
    devnet: Devnet, bridge: WormholeStack, protocol: tuple[Contract, Contract]
) -> None:
    pool, onboarding = protocol
    assert bridge.cor is not None and bridge.solana is not None
    miner = bridge.solana.keypairs[3]
    fund_solana(devnet, bridge, miner.pubkey(), STAKE_UNITS + 5)
    bridge.onboard_from_solana(miner, STAKE_UNITS, onboarding.address, models=[1, 2], public_key=NODE_KEY)
    devnet.advance(20)

    [record] = devnet.messages(kind="onboarding")
    assert record.status == MessageStatus.RELAYED and record.route == "solana -> arbitrum"
    operator = onboarding.functions.operatorOf(bytes(miner.pubkey())).call()
    node_id = pool.functions.getNodeId(operator).call()
    node = pool.functions.getNode(node_id).call()
    assert node[1] == operator and node[2] == NODE_ADDED  # nodeAddress, status
    assert pool.functions.stakeOf(node_id).call() == STAKE_UNITS * UNIT
    assert bridge.cor.balance(miner.pubkey()) == 5 == bridge.cor.supply
    assert bridge.locked() == 5 * UNIT and conserved(bridge)  # the stake left the token bridge for NodePool


def test_a_stake_below_the_minimum_is_refused_and_refunded_to_solana(
    devnet: Devnet, bridge: WormholeStack, protocol: tuple[Contract, Contract]
) -> None:
    _pool, onboarding = protocol
    assert bridge.cor is not None and bridge.solana is not None
    miner = bridge.solana.keypairs[3]
    fund_solana(devnet, bridge, miner.pubkey(), UNIT)
    bridge.onboard_from_solana(miner, UNIT, onboarding.address, models=[1])
    devnet.advance(20)
    [record] = devnet.messages(kind="onboarding")
    assert record.status == MessageStatus.FAILED and "revert" in record.detail["error"]
    [refund] = devnet.messages(kind="refund")
    assert record.detail["refund"] == refund.id and refund.detail["refundOf"] == record.id
    assert refund.route == "arbitrum -> solana" and refund.status == MessageStatus.RELAYED
    assert bridge.cor.balance(miner.pubkey()) == UNIT and bridge.locked() == UNIT * UNIT
    assert onboarding.functions.operatorOf(bytes(miner.pubkey())).call() == "0x" + "0" * 40
    assert conserved(bridge)
