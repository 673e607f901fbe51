"""CORToken, BridgedCORToken, AccessRoles and CheckpointRegistry."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from contract_helpers import COR, ZERO, event_args, expect_revert, role_id, send
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractCustomError

Deploy = Callable[..., Contract]
MAX = 2**256 - 1


def test_cor_token_metadata_and_supply(w3: Web3, accounts: list[str], deploy: Deploy) -> None:
    tok = deploy("CORToken", accounts[1], 1_000 * COR)
    f = tok.functions
    assert (f.name().call(), f.symbol().call(), f.decimals().call()) == ("Cortensor", "COR", 18)
    assert f.totalSupply().call() == 1_000 * COR
    assert f.balanceOf(accounts[1]).call() == 1_000 * COR


def test_cor_transfer_approve_transfer_from(w3: Web3, accounts: list[str], deploy: Deploy) -> None:
    a, b, c = accounts[:3]
    tok = deploy("CORToken", a, 100)
    f = tok.functions
    r = send(w3, f.transfer(b, 30), a)
    assert event_args(tok, "Transfer", r) == [{"from": a, "to": b, "value": 30}]
    expect_revert(f.transfer(c, 31), b, "InsufficientBalance(address,uint256,uint256)", b, 30, 31)
    expect_revert(f.transfer(ZERO, 1), a, "InvalidReceiver(address)", ZERO)
    expect_revert(f.approve(ZERO, 1), a, "InvalidReceiver(address)", ZERO)

    r = send(w3, f.approve(c, 20), a)
    assert event_args(tok, "Approval", r) == [{"owner": a, "spender": c, "value": 20}]
    expect_revert(
        f.transferFrom(a, c, 21),
        c,
        "InsufficientAllowance(address,address,uint256,uint256)",
        a,
        c,
        20,
        21,
    )
    send(w3, f.transferFrom(a, c, 15), c)
    assert f.allowance(a, c).call() == 5
    assert f.balanceOf(c).call() == 15
    send(w3, f.approve(c, MAX), a)
    send(w3, f.transferFrom(a, c, 10), c)
    assert f.allowance(a, c).call() == MAX  # infinite allowance is not decreased
    assert sum(f.balanceOf(x).call() for x in (a, b, c)) == f.totalSupply().call()


def test_bridged_token_only_bridge(w3: Web3, accounts: list[str], deploy: Deploy) -> None:
    bridge, user, other = accounts[:3]
    tok = deploy("BridgedCORToken", bridge)
    f = tok.functions
    assert f.bridge().call() == bridge
    assert (f.name().call(), f.symbol().call()) == ("Cortensor", "COR")
    r = send(w3, f.mint(user, 50), bridge)
    assert event_args(tok, "Mint", r) == [{"to": user, "amount": 50}]
    assert event_args(tok, "Transfer", r) == [{"from": ZERO, "to": user, "value": 50}]
    expect_revert(f.mint(user, 1), other, "OnlyBridge(address)", other)
    expect_revert(f.burn(user, 1), user, "OnlyBridge(address)", user)
    expect_revert(f.burn(user, 51), bridge, "InsufficientBalance(address,uint256,uint256)", user, 50, 51)
    r = send(w3, f.burn(user, 20), bridge)
    assert event_args(tok, "Burn", r) == [{"from": user, "amount": 20}]
    assert f.totalSupply().call() == 30 == f.balanceOf(user).call()
    with pytest.raises(ContractCustomError):
        deploy("BridgedCORToken", ZERO)


def test_access_roles(w3: Web3, accounts: list[str], deploy: Deploy) -> None:
    admin, alice, bob = accounts[:3]
    reg = deploy("CheckpointRegistry", admin)
    f = reg.functions
    poster = role_id("POSTER_ROLE")
    admin_role = role_id("ADMIN_ROLE")
    assert f.ADMIN_ROLE().call() == admin_role
    for name in ("SESSION_CONTRACT_ROLE", "ORACLE_ROLE", "VALIDATOR_ROLE", "RECORDER_ROLE"):
        assert getattr(f, name)().call() == role_id(name)
    assert f.hasRole(admin_role, admin).call()
    expect_revert(f.grantRole(poster, bob), alice, "MissingRole(bytes32,address)", admin_role, alice)
    expect_revert(f.grantRole(poster, ZERO), admin, "ZeroAddress()")
    r = send(w3, f.grantRole(poster, alice), admin)
    assert event_args(reg, "RoleGranted", r) == [{"role": poster, "account": alice, "sender": admin}]
    assert f.hasRole(poster, alice).call()
    assert send(w3, f.grantRole(poster, alice), admin)["logs"] == []  # idempotent, no event
    expect_revert(f.revokeRole(poster, alice), bob, "MissingRole(bytes32,address)", admin_role, bob)
    r = send(w3, f.revokeRole(poster, alice), admin)
    assert event_args(reg, "RoleRevoked", r) == [{"role": poster, "account": alice, "sender": admin}]
    assert not f.hasRole(poster, alice).call()
    with pytest.raises(ContractCustomError):
        deploy("CheckpointRegistry", ZERO)


def test_checkpoint_registry(w3: Web3, accounts: list[str], deploy: Deploy) -> None:
    admin, poster = accounts[:2]
    reg = deploy("CheckpointRegistry", admin)
    f = reg.functions
    send(w3, f.grantRole(role_id("POSTER_ROLE"), poster), admin)
    s1, r1 = b"\x01" * 32, b"\x02" * 32
    expect_revert(
        f.postCheckpoint(10, 5, s1, r1),
        admin,
        "MissingRole(bytes32,address)",
        role_id("POSTER_ROLE"),
        admin,
    )
    expect_revert(f.latestCheckpoint(10), poster, "NoCheckpoint(uint256)", 10)
    rec = send(w3, f.postCheckpoint(10, 5, s1, r1), poster)
    (ev,) = event_args(reg, "CheckpointPosted", rec)
    assert ev == {
        "sourceChainId": 10,
        "blockNumber": 5,
        "index": 0,
        "sessionRoot": s1,
        "resultRoot": r1,
        "poster": poster,
    }
    expect_revert(
        f.postCheckpoint(10, 5, s1, r1),
        poster,
        "NonMonotonicBlockNumber(uint256,uint256,uint256)",
        10,
        5,
        5,
    )
    expect_revert(
        f.postCheckpoint(10, 4, s1, r1),
        poster,
        "NonMonotonicBlockNumber(uint256,uint256,uint256)",
        10,
        5,
        4,
    )
    send(w3, f.postCheckpoint(10, 9, r1, s1), poster)
    send(w3, f.postCheckpoint(42, 1, s1, s1), poster)  # chains are independent
    latest = f.latestCheckpoint(10).call()
    assert (latest[0], latest[1], latest[2], latest[4]) == (9, r1, s1, poster)
    assert f.checkpointAt(10, 0).call()[0] == 5
    assert f.checkpointCount(10).call() == 2
    expect_revert(
        f.checkpointAt(10, 2), poster, "CheckpointIndexOutOfRange(uint256,uint256,uint256)", 10, 2, 2
    )
