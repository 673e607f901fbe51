"""Standard bridges: ETH and ERC-20 both ways; COR on base is an OptimismMintableERC20 the factory
created, minted only by the bridge, so COR above l1 is always COR locked in l1's bridge."""

from __future__ import annotations

import pytest
from op_helpers import messenger
from web3.contract import Contract
from web3.exceptions import ContractCustomError, ContractLogicError

from cortensor_sim import Devnet
from cortensor_sim.artifacts import load_artifact
from cortensor_sim.bridge import MessageStatus

ETH = 10**18
COR = 10**18
SUPPLY = 1_000_000 * COR


def bridge(devnet: Devnet, name: str) -> Contract:
    side = "base" if name == "L2StandardBridge" else "l1"
    address = devnet.system_contracts("base")[name]
    return devnet.evm(side).w3.eth.contract(address=address, abi=load_artifact(name).abi)


def bridged_cor(devnet: Devnet) -> tuple[Contract, Contract]:
    """COR on l1 (the whole supply to account 0), and its OptimismMintableERC20 on base, created
    through the factory predeploy."""
    l1, base = devnet.evm("l1"), devnet.evm("base")
    cor_l1 = l1.deploy(load_artifact("CORToken"), l1.accounts[0].address, SUPPLY)
    factory = base.w3.eth.contract(
        address=devnet.system_contracts("base")["OptimismMintableERC20Factory"],
        abi=load_artifact("OptimismMintableERC20Factory").abi,
    )
    receipt = base.w3.eth.get_transaction_receipt(
        factory.functions.createOptimismMintableERC20(cor_l1.address, "Cortensor", "COR").transact(
            {"from": base.accounts[0].address}
        )
    )
    (created,) = factory.events.OptimismMintableERC20Created().process_receipt(receipt)
    assert created["args"]["remoteToken"] == cor_l1.address
    cor_base = base.w3.eth.contract(
        address=created["args"]["localToken"], abi=load_artifact("OptimismMintableERC20").abi
    )
    return cor_l1, cor_base


def test_eth_through_the_standard_bridges_both_ways(devnet: Devnet) -> None:
    l1, base = devnet.evm("l1"), devnet.evm("base")
    alice = l1.accounts[1].address
    bob = "0x000000000000000000000000000000000000b0b0"
    l1_bridge, l2_bridge = bridge(devnet, "L1StandardBridge"), bridge(devnet, "L2StandardBridge")
    assert l1_bridge.functions.otherBridge().call() == l2_bridge.address
    l1_bridge.functions.bridgeETHTo(bob, 200_000, b"x").transact({"from": alice, "value": 2 * ETH})
    devnet.advance(2)
    assert base.balance(bob) == 2 * ETH
    (deposit,) = devnet.messages("deposit")
    assert deposit.status == MessageStatus.RELAYED and deposit.detail["messenger"] == "relayed"

    l2_bridge.functions.bridgeETHTo(alice, 200_000, b"").transact(
        {"from": base.accounts[2].address, "value": ETH}
    )
    before = l1.balance(alice)
    devnet.advance(60)
    (withdrawal,) = devnet.messages("withdrawal")
    assert withdrawal.status == MessageStatus.RELAYED
    assert l1.balance(alice) == before + ETH
    portal = devnet.system_contracts("base")["OptimismPortal"]
    assert l1.balance(portal) == ETH  # 2 deposited, 1 withdrawn


def test_cor_reaches_base_as_a_mintable_token_and_comes_back(devnet: Devnet) -> None:
    l1 = devnet.evm("l1")
    holder = l1.accounts[0].address
    cor_l1, cor_base = bridged_cor(devnet)
    assert cor_base.functions.remoteToken().call() == cor_l1.address
    assert cor_base.functions.bridge().call() == devnet.system_contracts("base")["L2StandardBridge"]
    assert cor_base.functions.supportsInterface(bytes.fromhex("ec4fc8e3")).call()
    l1_bridge, l2_bridge = bridge(devnet, "L1StandardBridge"), bridge(devnet, "L2StandardBridge")
    cor_l1.functions.approve(l1_bridge.address, 500 * COR).transact({"from": holder})
    l1_bridge.functions.bridgeERC20(cor_l1.address, cor_base.address, 500 * COR, 200_000, b"").transact(
        {"from": holder}
    )
    devnet.advance(4)  # creating the token took base's slot 1 (automine): the deposit opens slot 2's block
    assert cor_base.functions.balanceOf(holder).call() == 500 * COR
    assert cor_base.functions.totalSupply().call() == 500 * COR
    assert l1_bridge.functions.deposits(cor_l1.address, cor_base.address).call() == 500 * COR
    assert cor_l1.functions.balanceOf(l1_bridge.address).call() == 500 * COR

    l2_bridge.functions.bridgeERC20(cor_base.address, cor_l1.address, 200 * COR, 200_000, b"").transact(
        {"from": holder}
    )
    assert cor_base.functions.totalSupply().call() == 300 * COR  # burned at once
    devnet.advance(60)
    assert cor_l1.functions.balanceOf(holder).call() == SUPPLY - 300 * COR
    assert l1_bridge.functions.deposits(cor_l1.address, cor_base.address).call() == 300 * COR
    assert cor_l1.functions.balanceOf(l1_bridge.address).call() == cor_base.functions.totalSupply().call()
    with pytest.raises(ContractCustomError):
        cor_base.functions.mint(holder, 1).call({"from": holder})  # OnlyBridge


def test_a_finalize_not_from_the_other_bridge_is_refused(devnet: Devnet) -> None:
    l1, base = devnet.evm("l1"), devnet.evm("base")
    l2_bridge = bridge(devnet, "L2StandardBridge")
    mallory = l1.accounts[8].address
    with pytest.raises(ContractLogicError, match="can only be called from the other bridge"):
        l2_bridge.functions.finalizeBridgeETH(mallory, mallory, 0, b"").call(
            {"from": base.accounts[8].address}
        )
    # through the messenger, but sent by mallory rather than the L1 bridge: the relay fails
    data = l2_bridge.functions.finalizeBridgeETH(mallory, mallory, 0, b"")._encode_transaction_data()
    messenger(devnet, "base", "L1CrossDomainMessenger").functions.sendMessage(
        l2_bridge.address, bytes.fromhex(data[2:]), 200_000
    ).transact({"from": mallory})
    devnet.advance(2)
    (record,) = devnet.messages("deposit")
    assert record.status == MessageStatus.FAILED and record.detail["messenger"] == "failed"
