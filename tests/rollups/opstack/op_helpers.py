"""Helpers for the OP Stack tests: the contracts as a client binds them, and what a user needs to
prove a withdrawal by hand (the output root proof and ``eth_getProof``'s storage proof)."""

from __future__ import annotations

from typing import Any

from eth_hash.auto import keccak
from web3.contract import Contract

from cortensor_sim import Devnet, EvmChain
from cortensor_sim.artifacts import load_artifact
from cortensor_sim.rollups.opstack import Withdrawal, withdrawal_storage_slot

ARTIFACT = {
    "OptimismPortal": "OptimismPortal2",
    "DisputeGameFactory": "DisputeGameFactory",
    "L2ToL1MessagePasser": "L2ToL1MessagePasser",
    "L1Block": "L1Block",
    "SystemConfig": "SystemConfig",
}


def contract(devnet: Devnet, rollup: str, name: str) -> Contract:
    """A system contract of ``rollup``, bound on the side it lives on, at the registry's address."""
    address = devnet.system_contracts(rollup)[name]
    side = rollup if name in ("L2ToL1MessagePasser", "L1Block") else devnet.topology.chain(rollup).parent
    assert side is not None
    return devnet.evm(side).w3.eth.contract(address=address, abi=load_artifact(ARTIFACT[name]).abi)


def messenger(devnet: Devnet, rollup: str, name: str) -> Contract:
    """``L1CrossDomainMessenger`` (on the parent) or ``L2CrossDomainMessenger`` (on the child)."""
    side = rollup if name == "L2CrossDomainMessenger" else devnet.topology.chain(rollup).parent
    assert side is not None
    address = devnet.system_contracts(rollup)[name]
    return devnet.evm(side).w3.eth.contract(address=address, abi=load_artifact(name).abi)


def game(chain: EvmChain, address: str) -> Contract:
    return chain.w3.eth.contract(address=address, abi=load_artifact("PermissionedDisputeGame").abi)


def runtime_deployer(runtime: bytes) -> bytes:
    """Creation code that returns ``runtime`` (CODECOPY it to memory 0, RETURN it)."""
    size = len(runtime)
    assert size < 256
    return bytes([0x60, size, 0x60, 0x0A, 0x5F, 0x39, 0x60, size, 0x5F, 0xF3]) + runtime


def forwarder_runtime(target: str) -> bytes:
    """A contract that forwards its calldata and value to ``target`` and reverts if that call fails."""
    return (
        bytes.fromhex("365f5f37")  # calldatacopy(0, 0, calldatasize)
        + bytes.fromhex("5f5f365f34")  # retSize retOffset argsSize argsOffset value
        + b"\x73"
        + bytes.fromhex(target[2:])  # PUSH20 target
        + bytes.fromhex("5af1")  # GAS CALL
        + bytes.fromhex("15601d57")  # ISZERO PUSH1 0x1d JUMPI
        + b"\x00"  # STOP
        + bytes.fromhex("5b5f5ffd")  # JUMPDEST PUSH0 PUSH0 REVERT
    )


REVERTER_RUNTIME = bytes.fromhex("5f5ffd")
"""Reverts on every call."""


def deploy(chain: EvmChain, runtime: bytes) -> str:
    sender = chain.accounts[0].address
    tx = chain.w3.eth.send_transaction({"from": sender, "data": runtime_deployer(runtime)})
    if chain.mining == "interval":
        chain.mine()
    address = chain.w3.eth.get_transaction_receipt(tx)["contractAddress"]
    assert address is not None
    return str(address)


def withdrawal_from(chain: EvmChain, tx_hash: bytes) -> Withdrawal:
    """The withdrawal the ``MessagePassed`` log of transaction ``tx_hash`` describes."""
    receipt = chain.engine.get_receipt(bytes(tx_hash))
    assert receipt is not None
    topic = "0x" + keccak(b"MessagePassed(uint256,address,address,uint256,uint256,bytes,bytes32)").hex()
    (log,) = [log for log in receipt["logs"] if log["topics"][0] == topic]
    return Withdrawal.from_log(log)


def prove_args(child: EvmChain, withdrawal: Withdrawal, l2_block: int) -> tuple[Any, Any, list[bytes]]:
    """``(tx, outputRootProof, withdrawalProof)`` for ``proveWithdrawalTransaction``, from the child
    node's block header and ``eth_getProof`` of the message passer at ``l2_block``."""
    block = child.w3.eth.get_block(l2_block)
    slot = withdrawal_storage_slot(withdrawal.withdrawal_hash)
    proof = child.w3.eth.get_proof("0x4200000000000000000000000000000000000016", [slot], l2_block)
    output_root_proof = (
        b"\x00" * 32,
        bytes(block["stateRoot"]),
        bytes(proof["storageHash"]),
        bytes(block["hash"]),
    )
    return (
        withdrawal.as_tuple(),
        output_root_proof,
        [bytes(node) for node in proof["storageProof"][0]["proof"]],
    )
