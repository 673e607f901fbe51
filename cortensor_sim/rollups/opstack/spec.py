"""The OP Stack's encodings, as pure functions of their inputs (ethereum-optimism/specs
``specs/protocol/deposits.md``, ``withdrawals.md``, ``proposals.md``; ethereum-optimism/optimism
``packages/contracts-bedrock/src/libraries/Hashing.sol``, ``vendor/AddressAliasHelper.sol``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi import decode, encode
from eth_hash.auto import keccak
from eth_utils import to_checksum_address

ALIAS_OFFSET = 0x1111000000000000000000000000000000001111
TRANSACTION_DEPOSITED = keccak(b"TransactionDeposited(address,address,uint256,bytes)")
MESSAGE_PASSED = keccak(b"MessagePassed(uint256,address,address,uint256,uint256,bytes,bytes32)")
RELAYED_MESSAGE = keccak(b"RelayedMessage(bytes32)")
FAILED_RELAYED_MESSAGE = keccak(b"FailedRelayedMessage(bytes32)")
USER_DEPOSIT_DOMAIN = 0
L1_INFO_DEPOSIT_DOMAIN = 1
SET_L1_BLOCK_VALUES = keccak(
    b"setL1BlockValues(uint64,uint64,uint256,bytes32,uint64,bytes32,uint256,uint256)"
)[:4]


def apply_alias(l1_address: bytes) -> bytes:
    """L1 contract -> its L2 alias: ``l1 + 0x1111000000000000000000000000000000001111`` mod 2^160."""
    return ((int.from_bytes(l1_address, "big") + ALIAS_OFFSET) % 2**160).to_bytes(20, "big")


def undo_alias(l2_address: bytes) -> bytes:
    return ((int.from_bytes(l2_address, "big") - ALIAS_OFFSET) % 2**160).to_bytes(20, "big")


def user_deposit_source_hash(l1_block_hash: bytes, log_index: int) -> bytes:
    """``keccak256(bytes32(0) ++ keccak256(l1BlockHash ++ bytes32(logIndex)))``."""
    inner = keccak(l1_block_hash + log_index.to_bytes(32, "big"))
    return keccak(USER_DEPOSIT_DOMAIN.to_bytes(32, "big") + inner)


def l1_info_source_hash(l1_block_hash: bytes, sequence_number: int) -> bytes:
    """``keccak256(bytes32(1) ++ keccak256(l1BlockHash ++ bytes32(sequenceNumber)))``."""
    inner = keccak(l1_block_hash + sequence_number.to_bytes(32, "big"))
    return keccak(L1_INFO_DEPOSIT_DOMAIN.to_bytes(32, "big") + inner)


def l1_attributes_calldata(
    number: int,
    timestamp: int,
    basefee: int,
    block_hash: bytes,
    sequence: int,
    batcher_hash: bytes = b"\x00" * 32,
    fee_overhead: int = 0,
    fee_scalar: int = 0,
) -> bytes:
    """Calldata of the Bedrock L1 attributes deposit (``L1Block.setL1BlockValues``); the batcher
    hash and the fee parameters are the rollup's SystemConfig values at the L1 origin."""
    args = encode(
        ["uint64", "uint64", "uint256", "bytes32", "uint64", "bytes32", "uint256", "uint256"],
        [number, timestamp, basefee, block_hash, sequence, batcher_hash, fee_overhead, fee_scalar],
    )
    return SET_L1_BLOCK_VALUES + args


@dataclass(frozen=True)
class Deposit:
    """A ``TransactionDeposited`` log (version 0), decoded: what the child chain will run."""

    source_hash: bytes
    sender: bytes
    to: bytes | None
    mint: int
    value: int
    gas_limit: int
    data: bytes
    l1_block_number: int
    l1_tx_hash: bytes


def decode_deposit_log(log: dict[str, Any]) -> Deposit:
    """Decode a ``TransactionDeposited`` log: ``opaqueData = abi.encodePacked(uint256 mint,
    uint256 value, uint64 gasLimit, bool isCreation, bytes data)``."""
    topics = [bytes.fromhex(t[2:]) for t in log["topics"]]
    if topics[0] != TRANSACTION_DEPOSITED or int.from_bytes(topics[3], "big") != 0:
        raise ValueError("not a version-0 TransactionDeposited log")
    (opaque,) = decode(["bytes"], bytes.fromhex(log["data"][2:]))
    mint = int.from_bytes(opaque[0:32], "big")
    value = int.from_bytes(opaque[32:64], "big")
    gas_limit = int.from_bytes(opaque[64:72], "big")
    is_creation = opaque[72] != 0
    block_hash = bytes.fromhex(log["blockHash"][2:])
    return Deposit(
        source_hash=user_deposit_source_hash(block_hash, int(log["logIndex"], 16)),
        sender=topics[1][12:],
        to=None if is_creation else topics[2][12:],
        mint=mint,
        value=value,
        gas_limit=gas_limit,
        data=bytes(opaque[73:]),
        l1_block_number=int(log["blockNumber"], 16),
        l1_tx_hash=bytes.fromhex(log["transactionHash"][2:]),
    )


@dataclass(frozen=True)
class Withdrawal:
    """A ``MessagePassed`` log, decoded: the withdrawal transaction OptimismPortal2 proves."""

    nonce: int
    sender: bytes
    target: bytes
    value: int
    gas_limit: int
    data: bytes
    withdrawal_hash: bytes

    @classmethod
    def from_log(cls, log: dict[str, Any]) -> Withdrawal:
        topics = [bytes.fromhex(t[2:]) for t in log["topics"]]
        if topics[0] != MESSAGE_PASSED:
            raise ValueError("not a MessagePassed log")
        value, gas_limit, data, withdrawal_hash = decode(
            ["uint256", "uint256", "bytes", "bytes32"], bytes.fromhex(log["data"][2:])
        )
        return cls(
            int.from_bytes(topics[1], "big"),
            topics[2][12:],
            topics[3][12:],
            value,
            gas_limit,
            data,
            withdrawal_hash,
        )

    @property
    def computed_hash(self) -> bytes:
        """``keccak256(abi.encode(nonce, sender, target, value, gasLimit, data))``."""
        return keccak(
            encode(
                ["uint256", "address", "address", "uint256", "uint256", "bytes"],
                [self.nonce, self.sender, self.target, self.value, self.gas_limit, self.data],
            )
        )

    def as_tuple(self) -> tuple[int, str, str, int, int, bytes]:
        """``Types.WithdrawalTransaction`` as eth-abi encodes a tuple."""
        return (
            self.nonce,
            to_checksum_address(self.sender),
            to_checksum_address(self.target),
            self.value,
            self.gas_limit,
            self.data,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "nonce": self.nonce,
            "sender": "0x" + self.sender.hex(),
            "target": "0x" + self.target.hex(),
            "value": self.value,
            "gasLimit": self.gas_limit,
            "data": "0x" + self.data.hex(),
            "withdrawalHash": "0x" + self.withdrawal_hash.hex(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Withdrawal:
        return cls(
            int(data["nonce"]),
            bytes.fromhex(data["sender"][2:]),
            bytes.fromhex(data["target"][2:]),
            int(data["value"]),
            int(data["gasLimit"]),
            bytes.fromhex(data["data"][2:]),
            bytes.fromhex(data["withdrawalHash"][2:]),
        )


def withdrawal_storage_slot(withdrawal_hash: bytes) -> int:
    """``sentMessages[hash]``'s slot in L2ToL1MessagePasser: ``keccak256(abi.encode(hash, uint256(0)))``."""
    return int.from_bytes(keccak(withdrawal_hash + b"\x00" * 32), "big")


def output_root(state_root: bytes, message_passer_storage_root: bytes, block_hash: bytes) -> bytes:
    """Version 0: ``keccak256(abi.encode(bytes32(0), stateRoot, messagePasserStorageRoot, blockHash))``."""
    return keccak(b"\x00" * 32 + state_root + message_passer_storage_root + block_hash)


def messenger_outcome(receipt: dict[str, Any], messenger: bytes) -> str | None:
    """``"relayed"`` or ``"failed"`` if ``messenger`` relayed a message in this transaction."""
    address = "0x" + messenger.hex()
    for log in receipt["logs"]:
        if log["address"].lower() != address:
            continue
        topic = bytes.fromhex(log["topics"][0][2:])
        if topic == RELAYED_MESSAGE:
            return "relayed"
        if topic == FAILED_RELAYED_MESSAGE:
            return "failed"
    return None
