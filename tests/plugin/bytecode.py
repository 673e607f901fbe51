"""Tiny hand-assembled contracts, so the deploy tests need neither solc nor the bundled contracts."""

from __future__ import annotations

from eth_utils import function_signature_to_4byte_selector

ANSWER_ABI = [
    {
        "type": "function",
        "name": "answer",
        "inputs": [],
        "outputs": [{"name": "", "type": "uint256"}],
        "stateMutability": "view",
    }
]


def creation(runtime: bytes) -> bytes:
    """Init code that returns ``runtime``: CODECOPY it from behind this 12-byte prefix, RETURN it."""
    n = len(runtime)
    assert n < 256
    return bytes([0x60, n, 0x60, 0x0C, 0x60, 0x00, 0x39, 0x60, n, 0x60, 0x00, 0xF3]) + runtime


ANSWER_RUNTIME = bytes.fromhex("602a60005260206000f3")
"""Returns 42 to any call: PUSH1 42, PUSH1 0, MSTORE, PUSH1 32, PUSH1 0, RETURN."""


def reverting_runtime(signature: str, argument: int) -> bytes:
    """Reverts every call with custom error ``signature`` carrying one uint8-sized argument."""
    selector = function_signature_to_4byte_selector(signature)
    return (
        b"\x63"
        + selector
        + bytes.fromhex("60e01b600052")  # PUSH4 sel, SHL 224, MSTORE at 0
        + bytes([0x60, argument])
        + bytes.fromhex("600452")  # MSTORE the argument at 4
        + bytes.fromhex("60246000fd")  # REVERT(0, 36)
    )


def foundry_artifact(abi: list[dict[str, object]], runtime: bytes) -> dict[str, object]:
    return {
        "abi": abi,
        "bytecode": {"object": "0x" + creation(runtime).hex(), "linkReferences": {}},
        "deployedBytecode": {"object": "0x" + runtime.hex(), "linkReferences": {}},
        "ast": {"absolutePath": "src/Answer.sol"},
    }


def hardhat_artifact(name: str, abi: list[dict[str, object]], runtime: bytes) -> dict[str, object]:
    return {
        "_format": "hh-sol-artifact-1",
        "contractName": name,
        "sourceName": f"contracts/{name}.sol",
        "abi": abi,
        "bytecode": "0x" + creation(runtime).hex(),
        "deployedBytecode": "0x" + runtime.hex(),
        "linkReferences": {},
        "deployedLinkReferences": {},
    }
