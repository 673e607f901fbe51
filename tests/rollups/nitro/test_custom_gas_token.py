"""COR as the l3's gas token: an ERC20Bridge and ERC20Inbox on arbitrum, deposits minted as the l3's
native currency and spent on fees, withdrawals paid out in COR on arbitrum, and the refusals."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from nitro_helpers import ETH, NitroRollup, expect_revert, nitro_rollup
from web3 import Web3
from web3.contract import Contract

from cortensor_sim import Devnet
from cortensor_sim.artifacts import load_artifact
from cortensor_sim.rollups.nitro import ARBSYS
from cortensor_sim.rollups.nitro.aliasing import apply_alias
from cortensor_sim.rollups.nitro.transactions import calldata, receipt, send

COR = 10**18
SUPPLY = 1_000_000 * COR


@pytest.fixture(scope="module")
def l3_world(nitro_engine: str) -> tuple[NitroRollup, Contract]:
    devnet = Devnet()
    arbitrum = devnet.evm("arbitrum")
    cor = arbitrum.deploy(load_artifact("CORToken"), arbitrum.accounts[1].address, SUPPLY)
    return nitro_rollup(devnet, "l3", native_token=cor.address), cor


@pytest.fixture
def world(l3_world: tuple[NitroRollup, Contract]) -> Iterator[tuple[NitroRollup, Contract]]:
    rollup, cor = l3_world
    mark = rollup.devnet.snapshot()
    saved = rollup.save()
    yield rollup, cor
    rollup.devnet.revert(mark)
    rollup.restore(saved)


def _funded_newcomer(rollup: NitroRollup, cor: Contract, amount: int) -> LocalAccount:
    """A fresh account holding ``amount`` COR and some ETH for gas on arbitrum, nothing on l3."""
    newcomer = Account.from_key(b"\x61" * 32)
    arbitrum = rollup.parent
    holder = arbitrum.accounts[1].address
    cor.functions.transfer(newcomer.address, amount).transact({"from": holder})
    arbitrum.w3.eth.send_transaction({"from": holder, "to": newcomer.address, "value": ETH})
    assert rollup.child.balance(newcomer.address) == 0
    return newcomer


def _deposit(rollup: NitroRollup, cor: Contract, account: LocalAccount, amount: int) -> None:
    arbitrum = rollup.parent
    inbox = rollup.contracts.inbox
    receipt(
        arbitrum,
        send(
            arbitrum,
            account,
            cor.address,
            calldata("approve(address,uint256)", ["address", "uint256"], [inbox, amount]),
        ),
    )
    receipt(
        arbitrum, send(arbitrum, account, inbox, calldata("depositERC20(uint256)", ["uint256"], [amount]))
    )


def test_cor_deposited_to_the_l3_is_its_gas(world: tuple[NitroRollup, Contract]) -> None:
    rollup, cor = world
    newcomer = _funded_newcomer(rollup, cor, 100 * COR)
    _deposit(rollup, cor, newcomer, 40 * COR)
    assert cor.functions.balanceOf(rollup.contracts.bridge).call() == 40 * COR
    assert cor.functions.balanceOf(newcomer.address).call() == 60 * COR
    rollup.drive(1, [rollup.reader])
    l3 = rollup.child
    assert l3.balance(newcomer.address) == 40 * COR  # minted as the l3's native currency
    friend = l3.accounts[5].address
    before = l3.balance(friend)
    tx = send(l3, newcomer, friend, b"", value=COR)
    found = receipt(l3, tx)
    fee = int(found["gasUsed"], 16) * int(found["effectiveGasPrice"], 16)
    assert fee > 0
    assert l3.balance(newcomer.address) == 40 * COR - COR - fee  # the fee was paid in COR
    assert l3.balance(friend) == before + COR


def test_cor_withdrawn_from_the_l3_is_paid_out_by_the_erc20_bridge(
    world: tuple[NitroRollup, Contract],
) -> None:
    rollup, cor = world
    newcomer = _funded_newcomer(rollup, cor, 100 * COR)
    _deposit(rollup, cor, newcomer, 40 * COR)
    rollup.drive(1, [rollup.reader])
    data = calldata("withdrawEth(address)", ["address"], [newcomer.address])
    receipt(rollup.child, send(rollup.child, newcomer, ARBSYS, data, value=15 * COR))
    rollup.drive(60)
    assert rollup.executor.executed == {0}
    assert cor.functions.balanceOf(newcomer.address).call() == 60 * COR + 15 * COR
    assert cor.functions.balanceOf(rollup.contracts.bridge).call() == 25 * COR


def test_a_retryable_paid_in_cor_reaches_its_l3_target_from_the_aliased_sender(
    world: tuple[NitroRollup, Contract],
) -> None:
    rollup, cor = world
    sender = rollup.parent.accounts[1]
    target = rollup.child.deploy(load_artifact("RetryTarget"), sender.address, True)
    inbox = rollup.contract("ERC20Inbox")
    payload = bytes.fromhex(target.functions.enter(b"cor")._encode_transaction_data()[2:])
    total = 7 + 300_000 * 2 * 10**9
    args = [target.address, 7, 0, sender.address, sender.address, 300_000, 2 * 10**9]
    expect_revert(
        inbox.functions.createRetryableTicket(*args, total - 1, payload),
        {"from": sender.address},
        "InsufficientValue(uint256,uint256)",
        total,
        total - 1,
    )
    with pytest.raises(Exception, match="payable"):
        inbox.functions.createRetryableTicket(*args, total, payload).transact(
            {"from": sender.address, "value": 1}
        )
    cor.functions.approve(inbox.address, total).transact({"from": sender.address})
    inbox.functions.createRetryableTicket(*args, total, payload).transact({"from": sender.address})
    rollup.drive(1, [rollup.reader])
    assert target.functions.entered().call() == 1
    assert rollup.child.balance(target.address) == 7
    aliased = Web3.to_checksum_address(apply_alias(bytes.fromhex(sender.address[2:])))
    assert rollup.child.balance(aliased) == 0


def test_the_erc20_bridge_takes_no_eth(world: tuple[NitroRollup, Contract]) -> None:
    rollup, _ = world
    bridge = rollup.contract("ERC20Bridge")
    user = rollup.parent.accounts[2].address
    expect_revert(
        bridge.functions.enqueueDelayedMessage(12, user, b"\x00" * 32),
        {"from": user, "value": 1},
        "EthNotAccepted()",
    )
    assert bridge.functions.nativeToken().call() == world[1].address
