"""COR's token gateways in genesis on the default devnet (with an ETH-gas l3): named in the registry,
wired at block 0, and carrying COR l1 -> arbitrum -> l3 and back (and ETH l1 <-> arbitrum), driven
by ``devnet.advance`` alone: the engine's inbox reader, validator and outbox executor do every hop."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi import encode
from nitro_helpers import eth_gas_l3
from web3 import Web3

from cortensor_sim import Devnet
from cortensor_sim.artifacts import load_artifact
from cortensor_sim.bridge import MessageStatus

COR = 10**18
ETH = 10**18
SUPPLY = 1_000_000 * COR
GAS, BID = 2_000_000, 2 * 10**9
WITHDRAWAL_WINDOW_S = 72
"""Enough simulated time for the validator to assert, the assertion to confirm, and the executor."""


@pytest.fixture(scope="module")
def base_devnet(nitro_engine: str) -> Devnet:
    return Devnet(eth_gas_l3())


@pytest.fixture
def devnet(base_devnet: Devnet) -> Any:
    mark = base_devnet.snapshot()
    yield base_devnet
    base_devnet.revert(mark)


def _contract(devnet: Devnet, chain: str, rollup: str, name: str) -> Any:
    address = devnet.system_contracts(rollup)[name]
    return devnet.evm(chain).w3.eth.contract(address=address, abi=load_artifact(name).abi)


def _token(devnet: Devnet, chain: str, address: str) -> Any:
    return devnet.evm(chain).w3.eth.contract(address=address, abi=load_artifact("BridgedCORToken").abi)


def _deposit(devnet: Devnet, rollup: str, token: Any, holder: str, amount: int) -> None:
    """``holder`` sends ``amount`` of ``token`` from ``rollup``'s parent to itself through the gateway."""
    parent = devnet.topology.chain(rollup).parent or ""
    gateway = _contract(devnet, parent, rollup, "ParentCORGateway")
    inbox = _contract(devnet, parent, rollup, "Inbox")
    max_submission = 2 * inbox.functions.calculateRetryableSubmissionFee(324, 0).call()
    token.functions.approve(gateway.address, amount).transact({"from": holder})
    data = encode(["uint256", "bytes"], [max_submission, b""])
    gateway.functions.outboundTransfer(token.address, holder, amount, GAS, BID, data).transact(
        {"from": holder, "value": max_submission + GAS * BID}
    )


def _withdraw(devnet: Devnet, rollup: str, l1_token: str, holder: str, amount: int) -> None:
    gateway = _contract(devnet, rollup, rollup, "ChildCORGateway")
    gateway.functions.outboundTransfer(l1_token, holder, amount, b"").transact({"from": holder})


def _records(devnet: Devnet, rollup: str) -> list[Any]:
    return [r for r in devnet.messages() if r.id.startswith(f"{rollup}:")]


def test_gateways_are_in_genesis_and_named(devnet: Devnet) -> None:
    for rollup, parent in (("arbitrum", "l1"), ("l3", "arbitrum")):
        named = devnet.system_contracts(rollup)
        parent_gw = _contract(devnet, parent, rollup, "ParentCORGateway")
        child_gw = _contract(devnet, rollup, rollup, "ChildCORGateway")
        assert parent_gw.functions.childGateway().call(block_identifier=0) == named["ChildCORGateway"]
        assert parent_gw.functions.inbox().call(block_identifier=0) == named["Inbox"]
        assert parent_gw.functions.bridge().call(block_identifier=0) == named["Bridge"]
        assert child_gw.functions.parentGateway().call(block_identifier=0) == named["ParentCORGateway"]
        assert not devnet.evm(parent).engine.get_code(bytes.fromhex(named["ChildCORGateway"][2:]), 0)
    assert (
        devnet.system_contracts("l3")["ParentCORGateway"]
        != devnet.system_contracts("arbitrum")["ParentCORGateway"]
    )


def test_cor_goes_l1_to_l3_and_back_on_the_engine(devnet: Devnet) -> None:
    l1 = devnet.evm("l1")
    holder = l1.accounts[1].address
    cor = l1.deploy(load_artifact("CORToken"), holder, SUPPLY)
    arb_gw = _contract(devnet, "arbitrum", "arbitrum", "ChildCORGateway")
    on_arbitrum = _token(devnet, "arbitrum", arb_gw.functions.calculateL2TokenAddress(cor.address).call())
    l3_gw = _contract(devnet, "l3", "l3", "ChildCORGateway")
    on_l3 = _token(devnet, "l3", l3_gw.functions.calculateL2TokenAddress(on_arbitrum.address).call())
    escrow_l1 = devnet.system_contracts("arbitrum")["ParentCORGateway"]
    escrow_arb = devnet.system_contracts("l3")["ParentCORGateway"]

    def supply_holds() -> None:
        """What each child holds is what its parent gateway escrows: COR's supply is l1's."""
        assert cor.functions.totalSupply().call() == SUPPLY
        assert on_arbitrum.functions.totalSupply().call() == cor.functions.balanceOf(escrow_l1).call()
        if devnet.evm("l3").engine.get_code(bytes.fromhex(on_l3.address[2:])):
            assert on_l3.functions.totalSupply().call() == on_arbitrum.functions.balanceOf(escrow_arb).call()

    _deposit(devnet, "arbitrum", cor, holder, 100 * COR)
    devnet.advance(12)
    assert on_arbitrum.functions.balanceOf(holder).call() == 100 * COR
    supply_holds()
    _deposit(devnet, "l3", on_arbitrum, holder, 60 * COR)
    devnet.advance(12)
    assert on_l3.functions.balanceOf(holder).call() == 60 * COR
    supply_holds()
    deposits = [r for r in devnet.messages("retryable") if r.detail.get("sender")]
    assert {r.route for r in deposits} >= {"l1 -> arbitrum", "arbitrum -> l3"}
    assert all(r.status == MessageStatus.RELAYED for r in deposits)

    _withdraw(devnet, "l3", on_arbitrum.address, holder, 25 * COR)
    devnet.advance(WITHDRAWAL_WINDOW_S)
    assert on_arbitrum.functions.balanceOf(holder).call() == 40 * COR + 25 * COR
    supply_holds()
    _withdraw(devnet, "arbitrum", cor.address, holder, 65 * COR)
    devnet.advance(WITHDRAWAL_WINDOW_S)
    assert cor.functions.balanceOf(holder).call() == SUPPLY - 100 * COR + 65 * COR
    supply_holds()
    withdrawals = devnet.messages("withdrawal")
    assert {r.route for r in withdrawals} == {"l3 -> arbitrum", "arbitrum -> l1"}
    assert all(r.status == MessageStatus.RELAYED for r in withdrawals)


def test_eth_round_trip_l1_arbitrum_on_the_engine(devnet: Devnet) -> None:
    l1, arbitrum = devnet.evm("l1"), devnet.evm("arbitrum")
    user = l1.accounts[3].address
    inbox = _contract(devnet, "l1", "arbitrum", "Inbox")
    before_arb = arbitrum.balance(user)
    inbox.functions.depositEth().transact({"from": user, "value": ETH})
    devnet.advance(12)
    assert arbitrum.balance(user) == before_arb + ETH
    arbsys = arbitrum.w3.eth.contract(
        address=devnet.system_contracts("arbitrum")["ArbSys"], abi=_WITHDRAW_ETH
    )
    arbsys.functions.withdrawEth(user).transact({"from": user, "value": ETH})
    before_l1 = l1.balance(user)
    devnet.advance(WITHDRAWAL_WINDOW_S)
    assert l1.balance(user) == before_l1 + ETH
    assert l1.balance(devnet.system_contracts("arbitrum")["Bridge"]) == 0
    (record,) = devnet.messages("withdrawal")
    assert record.status == MessageStatus.RELAYED and record.legs["relayed"].chain == "l1"


def test_a_forged_withdrawal_to_the_parent_gateway_fails_on_the_engine(devnet: Devnet) -> None:
    l1, arbitrum = devnet.evm("l1"), devnet.evm("arbitrum")
    holder = l1.accounts[1].address
    cor = l1.deploy(load_artifact("CORToken"), holder, SUPPLY)
    _deposit(devnet, "arbitrum", cor, holder, 10 * COR)
    devnet.advance(12)
    gateway = _contract(devnet, "l1", "arbitrum", "ParentCORGateway")
    stranger = arbitrum.accounts[3].address
    forged = gateway.functions.finalizeInboundTransfer(cor.address, stranger, stranger, 5 * COR, b"")
    probe = arbitrum.deploy(load_artifact("NitroProbe"))
    probe.functions.sendToParent(
        gateway.address, Web3.to_bytes(hexstr=forged._encode_transaction_data())
    ).transact({"from": stranger})
    devnet.advance(WITHDRAWAL_WINDOW_S)
    (record,) = devnet.messages("withdrawal")
    assert record.status == MessageStatus.FAILED and "would revert" in record.detail["refused"]
    assert cor.functions.balanceOf(stranger).call() == 0
    assert cor.functions.balanceOf(gateway.address).call() == 10 * COR


_WITHDRAW_ETH = [
    {
        "type": "function",
        "name": "withdrawEth",
        "inputs": [{"type": "address", "name": "destination"}],
        "outputs": [{"type": "uint256", "name": ""}],
        "stateMutability": "payable",
    }
]
