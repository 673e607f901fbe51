"""NodeInterface (``0xC8``): the node's answers that clients such as @arbitrum/sdk ask for.

Interface: OffchainLabs/nitro-precompile-interfaces ``NodeInterface.sol``; behaviour: OffchainLabs/nitro
``execution/nodeInterface/NodeInterface.go``. On Nitro it is virtual, reachable only through
``eth_call``/``eth_estimateGas``; here too: a transaction calling it reverts.

* ``constructOutboxProof(size, leaf)`` -> ``(send, root, proof)``: the proof of message ``leaf`` in
  the send tree of ``size`` messages, which the parent's Outbox checks (see :mod:`.send_merkle`).
* ``estimateRetryableTicket(sender, deposit, to, l2CallValue, excessFeeRefundAddress,
  callValueRefundAddress, data)``: runs the retry from the aliased ``sender`` with ``deposit`` credited,
  so that ``eth_estimateGas`` of it is the gas the retryable's auto-redeem needs.
"""

from __future__ import annotations

from ...chains.engine import PrecompileCall, PrecompileHost, PrecompileRevert
from . import send_merkle
from .aliasing import apply_alias
from .arbsys import ARBSYS, SIZE_SLOT, item_slot
from .precompile import NitroPrecompile, method, precompile_address

NODE_INTERFACE = precompile_address(0xC8)
ESTIMATE_RESERVE = 20_000


class NodeInterface(NitroPrecompile):
    address = NODE_INTERFACE
    name = "NodeInterface"

    def run(self, call: PrecompileCall, host: PrecompileHost) -> bytes:
        if not call.simulated:
            raise PrecompileRevert("NodeInterface is virtual: use eth_call or eth_estimateGas")
        return super().run(call, host)

    @method("constructOutboxProof(uint64,uint64)", returns=("bytes32", "bytes32", "bytes32[]"))
    def construct_outbox_proof(
        self, call: PrecompileCall, host: PrecompileHost, size: int, leaf: int
    ) -> tuple[bytes, bytes, list[bytes]]:
        sent = host.get_storage(ARBSYS, SIZE_SLOT)
        if not leaf < size <= sent:
            raise PrecompileRevert(f"leaf {leaf} is not in a send tree of {size} (the chain has sent {sent})")
        items = [host.get_storage(ARBSYS, item_slot(i)).to_bytes(32, "big") for i in range(size)]
        host.charge_gas(800 * size)
        leaves = [send_merkle.leaf(item) for item in items]
        return items[leaf], send_merkle.root(leaves), send_merkle.proof(leaves, leaf)

    @method("estimateRetryableTicket(address,uint256,address,uint256,address,address,bytes)")
    def estimate_retryable_ticket(
        self,
        call: PrecompileCall,
        host: PrecompileHost,
        sender: str,
        deposit: int,
        to: str,
        value: int,
        _excess_fee_refund: str,
        _call_value_refund: str,
        data: bytes,
    ) -> None:
        aliased = apply_alias(bytes.fromhex(sender[2:]))
        host.add_balance(aliased, deposit)  # only ever under eth_call: nothing is kept
        outcome = host.call(aliased, bytes.fromhex(to[2:]), value, data, max(0, call.gas - ESTIMATE_RESERVE))
        if not outcome.success:
            raise PrecompileRevert("the retryable's call reverts", outcome.output)

    @method("nitroGenesisBlock()", returns=("uint256",))
    def nitro_genesis_block(self, call: PrecompileCall, host: PrecompileHost) -> int:
        return 0
