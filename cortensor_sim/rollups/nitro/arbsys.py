"""ArbSys (``0x64``): a Nitro chain's system calls, and the start of every withdrawal to the parent.

Interface: OffchainLabs/nitro-precompile-interfaces ``ArbSys.sol``; behaviour:
OffchainLabs/nitro ``precompiles/ArbSys.go``.

``sendTxToL1`` appends the message's send hash to the send Merkle accumulator (see
:mod:`.send_merkle`), burns the value sent with it (the parent's Bridge pays it out when the
message executes), and emits ``L2ToL1Tx``; ``withdrawEth`` is ``sendTxToL1`` with no data.

Storage at ``0x64``: the accumulator's size and per-level partials, as in ArbOS, and each message's
send hash by index, which ArbOS does not keep (its NodeInterface rebuilds proofs from logs) and the
devnet's NodeInterface reads to build the same proofs.
"""

from __future__ import annotations

from functools import cache

from eth_abi import encode
from eth_hash.auto import keccak

from ...artifacts import load_artifact
from ...chains.engine import PrecompileCall, PrecompileHost, PrecompileRevert
from ...chains.header_info import StorageReader
from . import send_merkle
from .aliasing import apply_alias, undo_alias
from .precompile import NitroPrecompile, Storage, method, precompile_address, slot_of

ARBSYS = precompile_address(0x64)
L2_TO_L1_TX = keccak(b"L2ToL1Tx(address,address,uint256,uint256,uint256,uint256,uint256,uint256,bytes)")
SEND_MERKLE_UPDATE = keccak(b"SendMerkleUpdate(uint256,bytes32,uint256)")

SIZE_SLOT = slot_of("arbsys.send.size")
MAX_LEVELS = 64


def partial_slot(level: int) -> int:
    return slot_of("arbsys.send.partial", level)


def item_slot(index: int) -> int:
    return slot_of("arbsys.send.item", index)


def read_partials(storage: Storage, size: int) -> list[bytes]:
    return [storage.get_bytes32(partial_slot(level)) for level in range(send_merkle.tree_depth(size) + 1)]


def read_send_hashes(storage: Storage, size: int) -> list[bytes]:
    """The send hash of every message so far, in order (what NodeInterface proves against)."""
    return [storage.get_bytes32(item_slot(index)) for index in range(size)]


@cache
def _evm_code() -> bytes:
    return load_artifact("ArbSysPrecompile").deployed_bytecode


def send_state(read: StorageReader) -> tuple[int, bytes]:
    """The send accumulator's ``(size, root)`` in a block's state: what Nitro writes into the block's
    header as ``sendCount`` and ``sendRoot`` (see ...chains.header_info)."""
    size = read(ARBSYS, SIZE_SLOT)
    levels = range(send_merkle.tree_depth(size) + 1) if size else range(0)
    partials = [read(ARBSYS, partial_slot(level)).to_bytes(32, "big") for level in levels]
    return size, send_merkle.accumulator_root(partials)


class ArbSys(NitroPrecompile):
    address = ARBSYS
    name = "ArbSys"

    @property
    def evm_code(self) -> bytes:  # type: ignore[override]
        """This precompile as EVM code (contracts/src/nitro-precompiles/ArbSysPrecompile.sol), with
        the same storage layout, for the revm engine (see docs/engines.md)."""
        return _evm_code()

    # -- chain facts --
    @method("arbBlockNumber()", returns=("uint256",))
    def arb_block_number(self, call: PrecompileCall, host: PrecompileHost) -> int:
        return call.block_number

    @method("arbBlockHash(uint256)", returns=("bytes32",))
    def arb_block_hash(self, call: PrecompileCall, host: PrecompileHost, number: int) -> bytes:
        if not call.block_number - 256 <= number < call.block_number:
            raise PrecompileRevert("invalid block number for ArbBlockHash")
        return host.block_hash(number)

    @method("arbChainID()", returns=("uint256",))
    def arb_chain_id(self, call: PrecompileCall, host: PrecompileHost) -> int:
        return call.chain_id

    @method("getStorageGasAvailable()", returns=("uint256",))
    def get_storage_gas_available(self, call: PrecompileCall, host: PrecompileHost) -> int:
        return 0  # Nitro has no separate storage gas; it answers 0 too

    # -- who is calling --
    @method("isTopLevelCall()", returns=("bool",))
    def is_top_level_call(self, call: PrecompileCall, host: PrecompileHost) -> bool:
        return call.depth <= 2

    def _callers_caller_is_origin(self, call: PrecompileCall) -> bool:
        return call.depth < 2 or call.frame_senders[call.depth - 2] == call.origin

    @method("wasMyCallersAddressAliased()", returns=("bool",))
    def was_my_callers_address_aliased(self, call: PrecompileCall, host: PrecompileHost) -> bool:
        """True in a message from the parent chain, asked by the contract that message called."""
        return call.deposit and self._callers_caller_is_origin(call)

    @method("myCallersAddressWithoutAliasing()", returns=("address",))
    def my_callers_address_without_aliasing(self, call: PrecompileCall, host: PrecompileHost) -> str:
        address = call.frame_senders[call.depth - 2] if call.depth > 1 else b"\x00" * 20
        if self.was_my_callers_address_aliased(call, host):
            address = undo_alias(address)
        return "0x" + address.hex()

    @method("mapL1SenderContractAddressToL2Alias(address,address)", returns=("address",))
    def map_l1_sender(self, call: PrecompileCall, host: PrecompileHost, sender: str, _unused: str) -> str:
        return "0x" + apply_alias(bytes.fromhex(sender[2:])).hex()

    # -- messages to the parent chain --
    @method("sendTxToL1(address,bytes)", returns=("uint256",), payable=True)
    def send_tx_to_l1(self, call: PrecompileCall, host: PrecompileHost, destination: str, data: bytes) -> int:
        to = bytes.fromhex(destination[2:])
        storage = self.storage(host)
        item = send_merkle.send_hash(
            call.caller, to, call.block_number, call.l1_block_number, call.timestamp, call.value, data
        )
        size = storage.get(SIZE_SLOT)
        partials, completed = send_merkle.append(size, read_partials(storage, size), item)
        for level, partial in enumerate(partials):
            storage.set_bytes32(partial_slot(level), partial)
        storage.set(SIZE_SLOT, size + 1)
        storage.set_bytes32(item_slot(size), item)
        if call.value:
            # The value came to this precompile with the call; it leaves the chain here.
            host.add_balance(ARBSYS, -call.value)
        for level, node in enumerate(completed, start=1):
            position = (level << 192) | size
            self.emit(host, [SEND_MERKLE_UPDATE, bytes(32), node, position.to_bytes(32, "big")], b"")
        self.emit(
            host,
            [L2_TO_L1_TX, bytes(12) + to, item, size.to_bytes(32, "big")],
            encode(
                ["address", "uint256", "uint256", "uint256", "uint256", "bytes"],
                [
                    "0x" + call.caller.hex(),
                    call.block_number,
                    call.l1_block_number,
                    call.timestamp,
                    call.value,
                    data,
                ],
            ),
        )
        return size

    @method("withdrawEth(address)", returns=("uint256",), payable=True)
    def withdraw_eth(self, call: PrecompileCall, host: PrecompileHost, destination: str) -> int:
        return self.send_tx_to_l1(call, host, destination, b"")

    @method("sendMerkleTreeState()", returns=("uint256", "bytes32", "bytes32[]"))
    def send_merkle_tree_state(
        self, call: PrecompileCall, host: PrecompileHost
    ) -> tuple[int, bytes, list[bytes]]:
        storage = self.storage(host)
        size = storage.get(SIZE_SLOT)
        partials = read_partials(storage, size) if size else []
        return size, send_merkle.accumulator_root(partials), partials
