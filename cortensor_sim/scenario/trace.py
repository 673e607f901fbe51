"""The run's event trace, read from what the chains executed.

A step's entry lists every transaction every EVM chain included while the step ran, in block
order, with its outcome (status, gas, a digest of its logs): the scenario's own transactions, the
actors', the settlement engine's and those of any step that signs its own. Two runs that differ in
any transaction differ in their trace, and so in its sha256, the trace hash. Solana chains enter
through their state digest, in the step's ``heads``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from ..chains.evm import EvmChain


def log_digest(logs: list[Any]) -> str:
    """sha256 of a receipt's logs (emitter, topics, data, in order): what the transaction said."""
    said = [[str(log["address"]).lower(), [str(t) for t in log["topics"]], str(log["data"])] for log in logs]
    return hashlib.sha256(json.dumps(said, separators=(",", ":")).encode()).hexdigest()


def executed_in(chain: EvmChain, block: dict[str, Any]) -> list[dict[str, Any]]:
    """Each transaction of one of ``chain``'s blocks: its hash, status, gas and logs' digest."""
    number = int(block["number"], 16)
    rows = []
    for tx_hash in block["transactions"]:
        receipt = chain.engine.get_receipt(bytes.fromhex(str(tx_hash)[2:]))
        assert receipt is not None, f"{chain.name} block {number} lists {tx_hash} without a receipt"
        rows.append(
            {
                "chain": chain.name,
                "block": number,
                "tx": str(tx_hash),
                "status": int(receipt["status"], 16),
                "gas": int(receipt["gasUsed"], 16),
                "logs": log_digest(receipt["logs"]),
            }
        )
    return rows


def blocks_after(chain: EvmChain, number: int) -> list[dict[str, Any]]:
    """``chain``'s canonical blocks above ``number``, oldest first. Found by walking parent hashes
    down from the head: block numbers may skip (a slot chain leaves empty slots unsealed)."""
    blocks = []
    block = chain.engine.get_block("latest")
    while int(block["number"], 16) > number:
        blocks.append(block)
        if int(block["number"], 16) == 0:
            break
        block = chain.engine.get_block(bytes.fromhex(str(block["parentHash"])[2:]))
    return blocks[::-1]


@dataclass
class ExecutionCursor:
    """How far the trace has read each EVM chain: the next step's entry starts after it."""

    read_to: dict[str, int] = field(default_factory=dict)  # chain -> last block read

    def take(self, chains: dict[str, Any]) -> list[dict[str, Any]]:
        """Every transaction the EVM chains included since the last call, chain by chain in
        ``chains``' order, block by block."""
        rows: list[dict[str, Any]] = []
        for name, chain in chains.items():
            if not isinstance(chain, EvmChain):
                continue
            for block in blocks_after(chain, self.read_to.get(name, -1)):
                rows += executed_in(chain, block)
            self.read_to[name] = chain.height
        return rows
