"""Protocol steps on an interval chain skip web3's request path and send what web3 would send."""

from __future__ import annotations

from typing import Any

import pytest
from eth_utils import keccak

from cortensor_sim import Devnet
from cortensor_sim.protocol.network import COR, PHASE_GAS, CortensorNetwork, StepFailed, calldata


@pytest.fixture(scope="module")
def devnet() -> Devnet:
    return Devnet()


@pytest.fixture(scope="module")
def network(devnet: Devnet) -> CortensorNetwork:
    net = CortensorNetwork.deploy(devnet.evm("arbitrum"), miners=3, users=1)
    net.fund(net.actors.users[0], 1_000 * COR)
    return net


def requests_of(net: CortensorNetwork, send: Any, *args: Any) -> list[tuple[str, Any]]:
    """Every JSON-RPC request the chain's handler answers while ``send(*args)`` runs."""
    rpc = net.chain.w3.provider.rpc
    seen: list[tuple[str, Any]] = []
    handle = rpc.handle

    def recording(method: str, params: Any) -> Any:
        seen.append((method, list(params)))
        return handle(method, params)

    rpc.handle = recording
    try:
        send(*args)
    finally:
        del rpc.handle
    return seen


def test_an_interval_step_sends_web3s_eth_send_transaction_and_nothing_else(
    devnet: Devnet, network: CortensorNetwork
) -> None:
    net = network
    user, admin = net.actors.users[0], net.actors.admin
    role = "0x" + keccak(text="ROUTER_ROLE").hex()  # a hex string: web3 turns it into bytes32
    steps = [
        (net.contracts.cor.functions.approve(net.contracts.payment.address, 5 * COR), user),
        (net.contracts.cor.functions.transfer(net.actors.router, 7), user),
        (net.contracts.session.functions.grantRole(role, net.actors.router), admin),
    ]
    net.chain.mining = "interval"
    try:
        for fn, sender in steps:
            by_web3 = requests_of(net, fn.transact, {"from": sender, "gas": PHASE_GAS})
            lean = requests_of(net, net._send, "someone", "a step", fn, sender)
            assert lean == [request for request in by_web3 if request[0] == "eth_sendTransaction"]
            assert lean[0][1][0]["gas"] == hex(PHASE_GAS)
        devnet.advance(1)
        assert len(net.settle()) == len(steps)  # every lean one sealed with status 1
    finally:
        net.chain.mining = "auto"


def test_calldata_equals_web3s_encoding_also_for_arguments_web3_normalizes(network: CortensorNetwork) -> None:
    functions = network.contracts.queue.functions
    as_bytes = functions.commit(1, 2, "answer", keccak(text="digest"))
    as_hex_string = functions.commit(1, 2, "answer", "0x" + keccak(text="digest").hex())
    for fn in (as_bytes, as_hex_string):
        assert calldata(fn) == fn._encode_transaction_data()
    assert calldata(as_bytes) == calldata(as_hex_string)


def test_a_refused_interval_step_names_the_actor_and_the_chain(network: CortensorNetwork) -> None:
    net = network
    stranger = "0x" + "11" * 20  # not a dev account: the node cannot sign for it
    net.chain.mining = "interval"
    try:
        with pytest.raises(StepFailed, match="stranger could not transfer on arbitrum: unknown account"):
            net._send("stranger", "transfer", net.contracts.cor.functions.transfer(stranger, 1), stranger)
    finally:
        net.chain.mining = "auto"
