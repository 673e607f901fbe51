"""The actors' own accounts: each signs and sends its transactions like any client of the chain.

Calldata is encoded once with eth-abi and the transaction signed with eth-account, then handed to
the chain as raw bytes (no web3 middleware on the actors' hot path). In ``auto`` mining the receipt
exists at once; in ``interval`` mining the transaction waits for the chain's next block, and the
actor finds its receipt on a later wake.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from eth_abi import decode, encode
from eth_account import Account
from eth_utils import to_checksum_address

from ..chains.abi_signatures import parameter_types, selector
from ..chains.engine import CallRequest, EngineError, ExecutionReverted

if TYPE_CHECKING:
    from ..chains.evm import EvmChain


def calldata(signature: str, *args: Any) -> bytes:
    """``selector(signature) ++ abi.encode(args)``, the argument types read from the signature."""
    types = parameter_types(signature)
    return selector(signature) + encode(types, list(args))


def call(
    chain: EvmChain, to: bytes, signature: str, returns: list[str], *args: Any, block: int | None = None
) -> tuple[Any, ...]:
    """A view call at the clock's time, or against ``block``'s state when given; raises
    :class:`ExecutionReverted` with the reason."""
    request = CallRequest(to=to, data=calldata(signature, *args))
    if block is None:
        output = chain.engine.call(request, at_time=int(chain.now))
    else:
        output = chain.engine.call(request, block)
    return tuple(decode(returns, output))


class ActorAccount:
    """A funded key an actor signs with (its address funded in the parent's genesis)."""

    def __init__(self, key: bytes) -> None:
        self._account = Account.from_key(key)
        self.address = bytes.fromhex(self._account.address[2:])

    @property
    def checksum(self) -> str:
        return str(self._account.address)

    def send(self, chain: EvmChain, to: bytes, data: bytes, value: int = 0, gas: int | None = None) -> bytes:
        """Sign and send; gas is estimated (with headroom) unless given. Raises
        :class:`ExecutionReverted` if the estimate reverts: nothing is sent then."""
        if gas is None:
            request = CallRequest(sender=self.address, to=to, data=data, value=value)
            gas = chain.engine.estimate_gas(request, at_time=int(chain.now)) * 5 // 4 + 20_000
        base_fee = int(chain.engine.get_block("latest")["baseFeePerGas"], 16)
        tx = {
            "type": 2,
            "chainId": chain.chain_id,
            "nonce": chain.pending_nonce(self.address),
            "to": to_checksum_address(to),
            "value": value,
            "data": data,
            "gas": gas,
            "maxFeePerGas": 2 * base_fee + 10**9,
            "maxPriorityFeePerGas": 10**9,
        }
        raw = bytes(self._account.sign_transaction(tx).raw_transaction)
        return chain.send_raw_transaction(raw)


def receipt_of(chain: EvmChain, tx_hash: bytes) -> dict[str, Any] | None:
    """The receipt, or ``None`` while the transaction waits for a block."""
    return chain.engine.get_receipt(tx_hash)


__all__ = ["ActorAccount", "EngineError", "ExecutionReverted", "call", "calldata", "receipt_of", "selector"]
