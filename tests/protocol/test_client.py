"""The lean client path agrees with web3 and its transactions are accepted by every engine."""

from __future__ import annotations

from typing import Any

import pytest
from eth_utils import keccak

from cortensor_sim.chains import Devnet
from cortensor_sim.protocol.client import ContractCodec, LeanClient
from cortensor_sim.protocol.deployment import deploy_protocol

ENGINES = [
    "py-evm",
    pytest.param(
        "revm",
        marks=pytest.mark.skipif(
            __import__("importlib").util.find_spec("pyrevm") is None, reason="needs pyrevm"
        ),
    ),
]

MINER = "0x" + "11" * 20
NODE = keccak(b"node")
SALT = keccak(b"salt")

# (artifact, function, arguments): every function the actors send or call.
USED: list[tuple[str, str, tuple[Any, ...]]] = [
    ("CORToken", "transfer", (MINER, 5)),
    ("CORToken", "approve", (MINER, 7)),
    ("CORToken", "balanceOf", (MINER,)),
    ("NodePool", "addNode", (NODE, [0, 3], b"\x04" * 65, 6_000 * 10**18)),
    ("NodePool", "markEphemeral", (NODE,)),
    ("NodePool", "promoteByReputation", (NODE,)),
    ("SessionV2", "create", ("s", "{}", "0x" + "00" * 20, 1, 3, 3, 0, 0, True, 0, 0, 300, 0)),
    (
        "SessionV2",
        "submit(uint256,uint256,string,uint256,string,uint256[],string)",
        (4, 0, "prompt", 0, "", [256, 7, 9, 40, 0, 0], "ref-1"),
    ),
    ("SessionV2", "deactivateSession", (4,)),
    ("SessionV2", "getEphemeralNodes", (4,)),
    ("SessionQueueV2", "assignTask(uint256,uint256,address[])", (4, 2, [MINER])),
    ("SessionQueueV2", "ack", (4, 2)),
    ("SessionQueueV2", "endAck", (4, 2)),
    ("SessionQueueV2", "precommit", (4, 2, SALT, "")),
    ("SessionQueueV2", "endPrecommit", (4, 2, True)),
    ("SessionQueueV2", "commit(uint256,uint256,string,bytes32)", (4, 2, "answer", SALT)),
    ("SessionQueueV2", "endCommit", (4, 2, True)),
    ("SessionQueueV2", "end", (4, 2, True)),
    ("SessionQueueV2", "getTaskResults", (4, 2)),
    ("SessionPayment", "depositToSession", (4, 10)),
    ("SessionPayment", "allocateNodePayments", (4, 2)),
    ("SessionPayment", "withdrawNodePayment", ()),
    ("TaskValidator", "submitVerdicts", (4, 2, [MINER], [1])),
    ("TaskValidator", "finalize", (4, 2)),
]


def _devnet(engine: str) -> Devnet:
    return Devnet(
        {"chains": [{"name": "l1", "kind": "ethereum", "chain_id": 900, "block_time": 12, "engine": engine}]}
    )


@pytest.mark.parametrize(("artifact", "function", "args"), USED, ids=[f"{a}.{f}" for a, f, _ in USED])
def test_every_encoder_the_actors_use_agrees_with_web3(
    artifact: str, function: str, args: tuple[Any, ...]
) -> None:
    from web3 import Web3

    from cortensor_sim.artifacts import load_artifact

    contract = Web3().eth.contract(abi=load_artifact(artifact).abi)
    ours = ContractCodec.of_artifact(artifact).fn(function).encode(*args)
    name = function.partition("(")[0]
    if "(" in function:
        web3_fn = contract.get_function_by_signature(function)(*args)
    else:
        web3_fn = contract.get_function_by_name(name)(*args)
    assert "0x" + ours.hex() == web3_fn._encode_transaction_data()


def test_an_overloaded_name_must_be_called_by_its_signature() -> None:
    from cortensor_sim.protocol.client import ClientError

    with pytest.raises(ClientError, match="commit"):
        ContractCodec.of_artifact("SessionQueueV2").fn("commit")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_lean_transaction_is_accepted_and_its_logs_decoded(engine: str) -> None:
    devnet = _devnet(engine)
    chain = devnet.evm("l1")
    admin = chain.accounts[0]
    contracts = deploy_protocol(chain.w3, admin.address)
    cor = bytes.fromhex(contracts.cor.address[2:])
    codec = ContractCodec.of_artifact("CORToken")
    client = LeanClient(chain)
    client.register(cor, codec)
    signer = client.signer(bytes(admin.key))
    assert signer.hex_address.lower() == admin.address.lower()
    start = chain.height
    tx_hash = client.send(signer, cor, codec.fn("transfer").encode(MINER, 12345), 100_000)
    receipt = client.receipt(tx_hash)
    assert receipt is not None and receipt.status and receipt.gas_used > 21_000 and receipt.fee > 0
    assert client.call(cor, codec.fn("balanceOf"), MINER) == (12345,)
    (log,) = [entry for entry in client.logs(start + 1, chain.height) if entry.event == "Transfer"]
    assert log.args["value"] == 12345 and log.args["to"].lower() == MINER
    # web3 sees the same transaction: the lean path changes nothing a user can observe
    assert chain.w3.eth.get_transaction(tx_hash)["nonce"] == signer.nonce - 1


@pytest.mark.parametrize("engine", ENGINES)
def test_a_stale_local_nonce_is_read_again_from_the_chain(engine: str) -> None:
    devnet = _devnet(engine)
    chain = devnet.evm("l1")
    admin = chain.accounts[0]
    client = LeanClient(chain)
    signer = client.signer(bytes(admin.key))
    signer.nonce += 3  # as after a transaction dropped from a block
    tx_hash = client.send(signer, bytes.fromhex(MINER[2:]), b"", 21_000)
    receipt = client.receipt(tx_hash)
    assert receipt is not None and receipt.status
