"""NodeInterface (0xC8): outbox proofs as clients build them, retryable estimates, and virtual-only."""

from __future__ import annotations

import pytest
from nitro_helpers import ETH, NitroRollup
from web3 import Web3
from web3.exceptions import ContractLogicError

from cortensor_sim.artifacts import load_artifact
from cortensor_sim.rollups.nitro import ARBSYS, NODE_INTERFACE, send_merkle
from cortensor_sim.rollups.nitro.actors import outbox_proof, outgoing_messages

ADDRESS = Web3.to_checksum_address(NODE_INTERFACE)
ABI = [
    {
        "type": "function",
        "name": "constructOutboxProof",
        "stateMutability": "view",
        "inputs": [{"type": "uint64", "name": "size"}, {"type": "uint64", "name": "leaf"}],
        "outputs": [
            {"type": "bytes32", "name": "send"},
            {"type": "bytes32", "name": "root"},
            {"type": "bytes32[]", "name": "proof"},
        ],
    },
    {
        "type": "function",
        "name": "estimateRetryableTicket",
        "stateMutability": "nonpayable",
        "inputs": [
            {"type": t, "name": n}
            for t, n in [
                ("address", "sender"),
                ("uint256", "deposit"),
                ("address", "to"),
                ("uint256", "l2CallValue"),
                ("address", "excessFeeRefundAddress"),
                ("address", "callValueRefundAddress"),
                ("bytes", "data"),
            ]
        ],
        "outputs": [],
    },
]
WITHDRAW_ETH = Web3.keccak(text="withdrawEth(address)")[:4]


def test_construct_outbox_proof_matches_the_proof_built_from_logs(rollup: NitroRollup) -> None:
    chain = rollup.child
    user = chain.accounts[0].address
    for amount in (1, 2, 3, 4, 5):
        data = WITHDRAW_ETH + bytes(12) + bytes.fromhex(user[2:])
        chain.w3.eth.send_transaction(
            {"from": user, "to": Web3.to_checksum_address(ARBSYS), "data": data, "value": amount}
        )
    node = chain.w3.eth.contract(address=ADDRESS, abi=ABI)
    messages = outgoing_messages(chain)
    for size, leaf in [(5, 0), (5, 4), (3, 2), (1, 0)]:
        send, root, proof = node.functions.constructOutboxProof(size, leaf).call()
        leaves = [send_merkle.leaf(m.send_hash) for m in messages[:size]]
        assert send == messages[leaf].send_hash
        assert root == send_merkle.root(leaves)
        assert proof == outbox_proof(chain, size, leaf)
        assert send_merkle.calculate_root(proof, leaf, send_merkle.leaf(send)) == root
    with pytest.raises(ContractLogicError):
        node.functions.constructOutboxProof(6, 0).call()


def test_node_interface_is_virtual(rollup: NitroRollup) -> None:
    chain = rollup.child
    node = chain.w3.eth.contract(address=ADDRESS, abi=ABI)
    tx = node.functions.constructOutboxProof(0, 0).build_transaction(
        {"from": chain.accounts[0].address, "gas": 100_000}
    )
    receipt = chain.w3.eth.get_transaction_receipt(chain.w3.eth.send_transaction(tx))
    assert receipt["status"] == 0


def test_estimate_retryable_ticket_runs_the_retry_from_the_aliased_sender(rollup: NitroRollup) -> None:
    chain = rollup.child
    parent_sender = rollup.parent.accounts[1].address
    target = chain.deploy(load_artifact("RetryTarget"), parent_sender, True)
    node = chain.w3.eth.contract(address=ADDRESS, abi=ABI)
    payload = bytes.fromhex(target.functions.enter(b"hi")._encode_transaction_data()[2:])
    anyone = chain.accounts[0].address
    estimate = node.functions.estimateRetryableTicket(
        parent_sender, ETH, target.address, 5, anyone, anyone, payload
    ).estimate_gas({"from": anyone})
    assert 40_000 < estimate < 300_000
    assert target.functions.entered().call() == 0  # nothing was kept
    stranger = rollup.parent.accounts[3].address
    with pytest.raises(ContractLogicError):
        node.functions.estimateRetryableTicket(
            stranger, ETH, target.address, 5, anyone, anyone, payload
        ).estimate_gas({"from": anyone})
