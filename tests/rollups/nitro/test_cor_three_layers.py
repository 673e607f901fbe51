"""COR l1 -> arbitrum -> l3 and back, each hop with its own proof and confirmation: the gateways
between l1 and arbitrum, and the l3's ERC20Bridge holding arbitrum's bridged COR as the l3's gas."""

from __future__ import annotations

from eth_abi import encode

from cortensor_sim import Devnet
from cortensor_sim.artifacts import load_artifact
from cortensor_sim.rollups.nitro import ARBSYS
from cortensor_sim.rollups.nitro.harness import nitro_rollup
from cortensor_sim.rollups.nitro.transactions import calldata, receipt, send

COR = 10**18
SUPPLY = 1_000_000 * COR


def test_cor_goes_l1_to_l3_and_comes_back_to_l1() -> None:
    devnet = Devnet()
    l1, arbitrum = devnet.evm("l1"), devnet.evm("arbitrum")
    arb = nitro_rollup(devnet, "arbitrum")
    holder = l1.accounts[1]
    cor = l1.deploy(load_artifact("CORToken"), holder.address, SUPPLY)
    parent_gw = l1.deploy(load_artifact("ParentCORGateway"), arb.contracts.inbox, arb.contracts.bridge)
    child_gw = arbitrum.deploy(load_artifact("ChildCORGateway"), parent_gw.address)
    parent_gw.functions.initialize(child_gw.address).transact({"from": l1.accounts[0].address})
    bridged = arbitrum.w3.eth.contract(
        address=child_gw.functions.calculateL2TokenAddress(cor.address).call(),
        abi=load_artifact("BridgedCORToken").abi,
    )
    l3 = nitro_rollup(devnet, "l3", native_token=bridged.address)

    # l1 -> arbitrum through the gateways
    max_submission = 2 * arb.contract("Inbox").functions.calculateRetryableSubmissionFee(324, 0).call()
    cor.functions.approve(parent_gw.address, 100 * COR).transact({"from": holder.address})
    parent_gw.functions.outboundTransfer(
        cor.address,
        holder.address,
        100 * COR,
        2_000_000,
        2 * 10**9,
        encode(["uint256", "bytes"], [max_submission, b""]),
    ).transact({"from": holder.address, "value": max_submission + 2_000_000 * 2 * 10**9})
    arb.drive(1, [arb.reader])
    assert bridged.functions.balanceOf(holder.address).call() == 100 * COR

    # arbitrum -> l3: bridged COR becomes the l3's native currency
    approve = calldata("approve(address,uint256)", ["address", "uint256"], [l3.contracts.inbox, 60 * COR])
    receipt(arbitrum, send(arbitrum, holder, bridged.address, approve))
    receipt(
        arbitrum,
        send(
            arbitrum, holder, l3.contracts.inbox, calldata("depositERC20(uint256)", ["uint256"], [60 * COR])
        ),
    )
    l3.drive(1, [l3.reader])
    assert l3.child.balance(holder.address) >= 60 * COR  # a dev account: genesis balance plus the deposit

    # l3 -> arbitrum: withdrawn, asserted on arbitrum, confirmed, executed by arbitrum's Outbox
    receipt(
        l3.child,
        send(
            l3.child,
            holder,
            ARBSYS,
            calldata("withdrawEth(address)", ["address"], [holder.address]),
            value=25 * COR,
        ),
    )
    for _ in range(30):
        l3.drive(4, step=4)
        if l3.executor.executed:
            break
    assert bridged.functions.balanceOf(holder.address).call() == 40 * COR + 25 * COR

    # arbitrum -> l1: through the child gateway, asserted on l1, confirmed, executed by l1's Outbox
    child_gw.functions.outboundTransfer(cor.address, holder.address, 65 * COR, b"").transact(
        {"from": holder.address}
    )
    for _ in range(40):
        arb.drive(4, step=4)
        if arb.executor.executed:
            break
    assert cor.functions.balanceOf(holder.address).call() == SUPPLY - 100 * COR + 65 * COR
    # the supply is l1's: l1's escrow backs arbitrum's bridged COR, which backs the l3's escrow
    assert (
        cor.functions.balanceOf(parent_gw.address).call()
        == bridged.functions.totalSupply().call()
        == 35 * COR
    )
    assert bridged.functions.balanceOf(l3.contracts.bridge).call() == 35 * COR
