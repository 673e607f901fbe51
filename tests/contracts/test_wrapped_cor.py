"""WrappedCOR: the protocol's ERC-20 COR on a chain whose native currency is COR. It issues exactly
the native COR it holds (WETH9's rule), wraps for another account (aeWETH's ``depositTo``, which a
retryable from the parent calls), and moves like the other COR tokens (same errors as ERC20Base)."""

from __future__ import annotations

from collections.abc import Callable

from contract_helpers import COR, ZERO, event_args, expect_revert, send
from web3 import Web3
from web3.contract import Contract

Deploy = Callable[..., Contract]
MAX = 2**256 - 1


def _backed(w3: Web3, wrapped: Contract) -> bool:
    """Its supply is the native COR it holds, and no more."""
    return bool(wrapped.functions.totalSupply().call() == w3.eth.get_balance(wrapped.address))


def test_wrapping_issues_exactly_the_native_cor_sent(w3: Web3, accounts: list[str], deploy: Deploy) -> None:
    a, b = accounts[:2]
    wrapped = deploy("WrappedCOR")
    f = wrapped.functions
    assert (f.name().call(), f.symbol().call(), f.decimals().call()) == ("Wrapped COR", "WCOR", 18)
    r = send(w3, f.deposit(), a, value=3 * COR)
    assert event_args(wrapped, "Deposit", r) == [{"to": a, "amount": 3 * COR}]
    assert event_args(wrapped, "Transfer", r) == [{"from": ZERO, "to": a, "value": 3 * COR}]
    r = send(w3, f.depositTo(b), a, value=2 * COR)  # the sender pays, b is credited
    assert event_args(wrapped, "Deposit", r) == [{"to": b, "amount": 2 * COR}]
    w3.eth.wait_for_transaction_receipt(
        w3.eth.send_transaction({"from": a, "to": wrapped.address, "value": COR})
    )
    assert (f.balanceOf(a).call(), f.balanceOf(b).call()) == (4 * COR, 2 * COR)
    assert f.totalSupply().call() == 6 * COR and _backed(w3, wrapped)
    expect_revert(f.depositTo(ZERO), a, "InvalidReceiver(address)", ZERO)


def test_unwrapping_pays_native_cor_back(w3: Web3, accounts: list[str], deploy: Deploy) -> None:
    a, b = accounts[:2]
    wrapped = deploy("WrappedCOR")
    f = wrapped.functions
    send(w3, f.deposit(), a, value=5 * COR)
    before = w3.eth.get_balance(b)
    r = send(w3, f.withdrawTo(b, 2 * COR), a)
    assert event_args(wrapped, "Withdrawal", r) == [{"from": a, "amount": 2 * COR}]
    assert event_args(wrapped, "Transfer", r) == [{"from": a, "to": ZERO, "value": 2 * COR}]
    assert w3.eth.get_balance(b) == before + 2 * COR
    send(w3, f.withdraw(COR), a)
    assert f.balanceOf(a).call() == 2 * COR and f.totalSupply().call() == 2 * COR and _backed(w3, wrapped)
    expect_revert(
        f.withdraw(2 * COR + 1), a, "InsufficientBalance(address,uint256,uint256)", a, 2 * COR, 2 * COR + 1
    )
    expect_revert(f.withdrawTo(ZERO, 1), a, "InvalidReceiver(address)", ZERO)
    refuses_ether = deploy("CheckpointRegistry", a)  # no receive(): the native transfer fails
    expect_revert(
        f.withdrawTo(refuses_ether.address, COR),
        a,
        "NativeTransferFailed(address,uint256)",
        refuses_ether.address,
        COR,
    )
    assert f.balanceOf(a).call() == 2 * COR and _backed(w3, wrapped)  # the refusal lost nothing


def test_transfer_approve_and_transfer_from_as_erc20(w3: Web3, accounts: list[str], deploy: Deploy) -> None:
    a, b, c = accounts[:3]
    wrapped = deploy("WrappedCOR")
    f = wrapped.functions
    send(w3, f.deposit(), a, value=100)
    r = send(w3, f.transfer(b, 30), a)
    assert event_args(wrapped, "Transfer", r) == [{"from": a, "to": b, "value": 30}]
    expect_revert(f.transfer(c, 31), b, "InsufficientBalance(address,uint256,uint256)", b, 30, 31)
    expect_revert(f.transfer(ZERO, 1), a, "InvalidReceiver(address)", ZERO)
    expect_revert(f.approve(ZERO, 1), a, "InvalidReceiver(address)", ZERO)
    r = send(w3, f.approve(c, 20), a)
    assert event_args(wrapped, "Approval", r) == [{"owner": a, "spender": c, "value": 20}]
    expect_revert(
        f.transferFrom(a, c, 21), c, "InsufficientAllowance(address,address,uint256,uint256)", a, c, 20, 21
    )
    send(w3, f.transferFrom(a, c, 20), c)
    assert f.allowance(a, c).call() == 0 and f.balanceOf(c).call() == 20
    send(w3, f.approve(c, MAX), a)
    send(w3, f.transferFrom(a, b, 10), c)
    assert f.allowance(a, c).call() == MAX  # infinite, as in ERC20Base
    send(w3, f.transferFrom(a, b, 5), a)  # an owner moves its own without an allowance
    assert (f.balanceOf(a).call(), f.balanceOf(b).call()) == (35, 45)
    assert f.totalSupply().call() == 100 and _backed(w3, wrapped)
