"""The challenger on the engine: an assertion with a wrong send root (the validator's fault hook) is
rejected inside its window by the whitelisted challenger, never confirmed, and the withdrawal it
covered waits for the validator's next, valid assertion, then executes once."""

from __future__ import annotations

from typing import Any

import pytest

from cortensor_sim import Devnet
from cortensor_sim.artifacts import load_artifact
from cortensor_sim.bridge import MessageStatus
from cortensor_sim.bridge.nitro.stack import NitroStack

ETH = 10**18
ASSERTION_REJECTED = 3
WITHDRAW_ETH_ABI = [
    {
        "type": "function",
        "name": "withdrawEth",
        "inputs": [{"type": "address", "name": "destination"}],
        "outputs": [{"type": "uint256", "name": ""}],
        "stateMutability": "payable",
    }
]


@pytest.fixture(scope="module")
def base_devnet(nitro_engine: str) -> Devnet:
    return Devnet()


@pytest.fixture
def devnet(base_devnet: Devnet) -> Any:
    mark = base_devnet.snapshot()
    yield base_devnet
    base_devnet.revert(mark)


def _stack(devnet: Devnet) -> NitroStack:
    stack = devnet.settlement.stacks["arbitrum"]
    assert isinstance(stack, NitroStack)
    return stack


def _deposit_and_withdraw(devnet: Devnet, amount: int) -> str:
    l1, arb = devnet.evm("l1"), devnet.evm("arbitrum")
    user = l1.accounts[2].address
    named = devnet.system_contracts("arbitrum")
    inbox = l1.w3.eth.contract(address=named["Inbox"], abi=load_artifact("Inbox").abi)
    inbox.functions.depositEth().transact({"from": user, "value": amount})
    devnet.advance(1)
    arbsys = arb.w3.eth.contract(address=named["ArbSys"], abi=WITHDRAW_ETH_ABI)
    arbsys.functions.withdrawEth(user).transact({"from": user, "value": amount})
    return user


def _status(devnet: Devnet, number: int) -> int:
    rollup = devnet.evm("l1").w3.eth.contract(
        address=devnet.system_contracts("arbitrum")["Rollup"], abi=load_artifact("Rollup").abi
    )
    return int(rollup.functions.getAssertion(number).call()[-1])


def test_an_invalid_assertion_is_rejected_and_the_withdrawal_waits_for_a_valid_one(devnet: Devnet) -> None:
    stack = _stack(devnet)
    stack.validator.corrupt_next = True  # type: ignore[union-attr]
    user = _deposit_and_withdraw(devnet, ETH // 10)
    before = devnet.evm("l1").balance(user)
    devnet.advance(2)
    assert stack.challenger.rejected == [1]  # type: ignore[union-attr]
    assert _status(devnet, 1) == ASSERTION_REJECTED
    (record,) = devnet.messages("withdrawal")
    assert record.status == MessageStatus.PROPOSED
    assert devnet.evm("l1").balance(user) == before
    devnet.advance(72)
    assert record.status == MessageStatus.RELAYED
    assert devnet.evm("l1").balance(user) == before + ETH // 10
    valid = stack.validator.latest_confirmed()  # type: ignore[union-attr]
    assert valid is not None and valid.number > 1 and valid.send_count == 1
    assert stack.disputes() == (1, stack.challenger.checked)  # type: ignore[union-attr]
    assert stack.challenger.checked >= 2  # type: ignore[union-attr]
    rejections = [a for a in devnet.settlement.log if "rejected assertion" in a.what]
    assert len(rejections) == 1 and rejections[0].chain == "l1"


def test_valid_assertions_are_left_alone(devnet: Devnet) -> None:
    stack = _stack(devnet)
    _deposit_and_withdraw(devnet, ETH // 10)
    devnet.advance(72)
    (record,) = devnet.messages("withdrawal")
    assert record.status == MessageStatus.RELAYED
    assert stack.challenger.rejected == [] and stack.challenger.checked >= 1  # type: ignore[union-attr]


def test_the_fault_hook_and_the_challenger_survive_a_revert(devnet: Devnet) -> None:
    stack = _stack(devnet)
    mark = devnet.snapshot()
    stack.validator.corrupt_next = True  # type: ignore[union-attr]
    _deposit_and_withdraw(devnet, ETH // 10)
    devnet.advance(2)
    assert stack.challenger.rejected == [1]  # type: ignore[union-attr]
    devnet.revert(mark)
    assert stack.challenger.rejected == [] and not stack.validator.corrupt_next  # type: ignore[union-attr]
    _deposit_and_withdraw(devnet, ETH // 10)
    devnet.advance(72)
    assert stack.challenger.rejected == []  # type: ignore[union-attr]
    assert devnet.messages("withdrawal")[0].status == MessageStatus.RELAYED
