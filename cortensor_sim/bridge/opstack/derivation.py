"""op-node's derivation, reduced to what a devnet needs: each child block opens with the L1
attributes deposit of its L1 origin, then, in the first block of a new origin, the user deposits
that origin (and any parent blocks since the previous origin) emitted.

The origin of a child block is the newest parent block whose timestamp is not after the child
block's (no confirmation depth, no sequencer drift: a devnet's parent is final at once). Every
parent block is some child block's origin unless the parent sealed several between two child
blocks (a parent with the shorter block time); their deposits then all open the next child block,
in parent order. Spec: ethereum-optimism/specs ``specs/protocol/derivation.md``, ``deposits.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ...chains.engine import SystemCall
from ...rollups.opstack.addresses import DEPOSITOR_ACCOUNT, L1_BLOCK
from ...rollups.opstack.spec import (
    TRANSACTION_DEPOSITED,
    Deposit,
    decode_deposit_log,
    l1_attributes_calldata,
    l1_info_source_hash,
)
from ..transactions import call

if TYPE_CHECKING:
    from ...chains.evm import EvmChain

L1_INFO_GAS = 1_000_000
"""Gas of the L1 attributes deposit (specs/protocol/deposits.md, post-Regolith)."""


@dataclass
class Origin:
    number: int
    hash: bytes
    timestamp: int
    base_fee: int
    batcher_hash: bytes = b"\x00" * 32
    """SystemConfig's batcher hash as of this parent block."""
    fee_scalar: int = 0
    """SystemConfig's ``scalar()`` as of this parent block."""


def read_system_config(parent: EvmChain, system_config: bytes, origin: Origin) -> Origin:
    """``origin`` with the rollup's SystemConfig values as they stood in that parent block: what
    op-node carries into the L1 attributes deposit (specs/protocol/system-config.md)."""
    (batcher_hash,) = call(parent, system_config, "batcherHash()", ["bytes32"], block=origin.number)
    (scalar,) = call(parent, system_config, "scalar()", ["uint256"], block=origin.number)
    return replace(origin, batcher_hash=batcher_hash, fee_scalar=int(scalar))


def find_origin(parent: EvmChain, timestamp: int, current: Origin | None) -> Origin | None:
    """The newest parent block at or before ``timestamp`` (walking back from the head by parent
    hash, so a long jump's gap costs nothing); ``current`` if no newer one qualifies."""
    block: dict[str, Any] = parent.engine.get_block("latest")
    while int(block["timestamp"], 16) > timestamp:
        number = int(block["number"], 16)
        if number == 0 or (current is not None and number <= current.number):
            return current
        block = parent.engine.get_block(bytes.fromhex(block["parentHash"][2:]))
    number = int(block["number"], 16)
    if current is not None and number <= current.number:
        return current
    return Origin(
        number=number,
        hash=bytes.fromhex(block["hash"][2:]),
        timestamp=int(block["timestamp"], 16),
        base_fee=int(block.get("baseFeePerGas", "0x0"), 16),
    )


def deposits_between(parent: EvmChain, portal: bytes, first: int, last: int) -> list[Deposit]:
    """The user deposits the portal emitted in parent blocks ``first..last``, in log order."""
    if last < first:
        return []
    logs = parent.engine.get_logs(first, last, [portal], [[TRANSACTION_DEPOSITED]])
    logs.sort(key=lambda log: (int(log["blockNumber"], 16), int(log["logIndex"], 16)))
    return [decode_deposit_log(log) for log in logs]


def l1_info_call(origin: Origin, sequence: int) -> SystemCall:
    """The L1 attributes deposit: the depositor account calls ``L1Block.setL1BlockValues``."""
    return SystemCall(
        sender=DEPOSITOR_ACCOUNT,
        to=L1_BLOCK,
        data=l1_attributes_calldata(
            origin.number,
            origin.timestamp,
            origin.base_fee,
            origin.hash,
            sequence,
            batcher_hash=origin.batcher_hash,
            fee_scalar=origin.fee_scalar,
        ),
        gas=L1_INFO_GAS,
        source_hash=l1_info_source_hash(origin.hash, sequence),
    )


def deposit_call(deposit: Deposit) -> SystemCall:
    """A user deposit as the child runs it: from the (already aliased) sender, ``mint`` = msg.value."""
    return SystemCall(
        sender=deposit.sender,
        to=deposit.to,
        data=deposit.data,
        value=deposit.value,
        gas=deposit.gas_limit,
        mint=deposit.mint,
        source_hash=deposit.source_hash,
    )
