"""The Ethereum JSON-RPC methods of an :class:`EvmChain`, as plain functions of JSON values.

This is the one place that speaks the execution API: the in-process web3 provider calls it with no
serialization at all, and an HTTP server can put it on a port unchanged. Answers follow geth's and
anvil's shapes and error codes (``3`` with revert data for a revert, ``-32000`` for a refused
transaction), so clients that handle real nodes handle the devnet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from eth_utils import is_hex_address

from .engine import (
    AccountProof,
    BlockId,
    CallRequest,
    EngineError,
    ExecutionReverted,
    InvalidTransaction,
    UnknownBlock,
)

if TYPE_CHECKING:
    from .evm import EvmChain

CLIENT_VERSION = "cortensor-sim/0.1.0/py-evm"
PRIORITY_FEE = 1_000_000_000
"""What ``eth_maxPriorityFeePerGas`` suggests (1 gwei); the devnet has no fee market to read it from."""


class RpcError(Exception):
    """An error answer: JSON-RPC ``code``, ``message`` and optional ``data``."""

    def __init__(self, code: int, message: str, data: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def as_json(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


def _bytes(value: Any, what: str) -> bytes:
    if isinstance(value, bytes | bytearray):  # in process, web3 hands over HexBytes unencoded
        return bytes(value)
    if not isinstance(value, str) or not value.startswith("0x"):
        raise RpcError(-32602, f"invalid params: {what} must be 0x-prefixed hex, got {value!r}")
    try:
        return bytes.fromhex(value[2:] if len(value) % 2 == 0 else "0" + value[2:])
    except ValueError:
        raise RpcError(-32602, f"invalid params: {what} is not hex: {value!r}") from None


def _address(value: Any, what: str = "address") -> bytes:
    if isinstance(value, bytes | bytearray) and len(value) == 20:
        return bytes(value)
    if not isinstance(value, str) or not is_hex_address(value):
        raise RpcError(-32602, f"invalid params: {what} must be a 20-byte hex address, got {value!r}")
    return bytes.fromhex(value[2:])


def _quantity(value: Any, what: str) -> int:
    if isinstance(value, int):
        return value
    if not isinstance(value, str) or not value.startswith("0x"):
        raise RpcError(-32602, f"invalid params: {what} must be a hex quantity, got {value!r}")
    try:
        return int(value, 16)
    except ValueError:
        raise RpcError(-32602, f"invalid params: {what} is not a hex quantity: {value!r}") from None


def _block_id(value: Any) -> BlockId:
    if value is None:
        return "latest"
    if isinstance(value, dict):
        if "blockHash" in value:
            return _bytes(value["blockHash"], "blockHash")
        if "blockNumber" in value:
            return _quantity(value["blockNumber"], "blockNumber")
        raise RpcError(-32602, "invalid params: block object needs blockHash or blockNumber")
    if value in ("latest", "earliest", "pending", "safe", "finalized"):
        return value  # type: ignore[no-any-return]
    if isinstance(value, str) and len(value) == 66:
        return _bytes(value, "block hash")
    return _quantity(value, "block number")


def _hex(value: int) -> str:
    return hex(value)


def _data(value: bytes) -> str:
    return "0x" + value.hex()


class EthRpc:
    """Dispatches JSON-RPC requests to one chain."""

    def __init__(self, chain: EvmChain) -> None:
        self.chain = chain
        self.methods: dict[str, Callable[..., Any]] = {
            "web3_clientVersion": lambda: CLIENT_VERSION,
            "net_version": lambda: str(self.chain.chain_id),
            "net_listening": lambda: True,
            "eth_syncing": lambda: False,
            "eth_mining": lambda: self.chain.mining == "interval",
            "eth_chainId": lambda: _hex(self.chain.chain_id),
            "eth_blockNumber": lambda: _hex(self.chain.height),
            "eth_accounts": lambda: [a.address for a in self.chain.accounts],
            "eth_coinbase": lambda: "0x" + "00" * 20,
            "eth_gasPrice": self.gas_price,
            "eth_maxPriorityFeePerGas": lambda: _hex(PRIORITY_FEE),
            "eth_feeHistory": self.fee_history,
            "eth_getBalance": self.get_balance,
            "eth_getCode": self.get_code,
            "eth_getStorageAt": self.get_storage_at,
            "eth_getTransactionCount": self.get_transaction_count,
            "eth_call": self.call,
            "eth_estimateGas": self.estimate_gas,
            "eth_sendRawTransaction": self.send_raw_transaction,
            "eth_sendTransaction": self.send_transaction,
            "eth_getTransactionByHash": self.get_transaction_by_hash,
            "eth_getTransactionReceipt": self.get_transaction_receipt,
            "eth_getBlockByNumber": self.get_block,
            "eth_getBlockByHash": self.get_block,
            "eth_getLogs": self.get_logs,
            "eth_getProof": self.get_proof,
            "evm_mine": self.mine,
            "evm_snapshot": lambda: _hex(self.chain.rpc_snapshot()),
            "evm_revert": lambda snapshot_id: self.chain.rpc_revert(_quantity(snapshot_id, "snapshot id")),
        }

    def handle(self, method: str, params: Any) -> Any:
        """Answer one request; raises :class:`RpcError` for an error answer."""
        handler = self.methods.get(method)
        if handler is None:
            raise RpcError(-32601, f"the method {method} does not exist/is not available")
        if params is None:
            params = []
        if not isinstance(params, list | tuple):
            raise RpcError(-32602, f"invalid params for {method}: expected a list")
        try:
            return handler(*params)
        except TypeError as exc:
            raise RpcError(-32602, f"invalid params for {method}: {exc}") from None
        except ExecutionReverted as exc:
            raise RpcError(3, str(exc), _data(exc.data)) from None
        except UnknownBlock as exc:
            raise RpcError(-32001, str(exc)) from None
        except InvalidTransaction as exc:
            raise RpcError(-32000, str(exc)) from None
        except EngineError as exc:
            raise RpcError(-32000, str(exc)) from None

    # ------------------------------------------------------------------ fees
    def _next_base_fee(self) -> int:
        return int(self.chain.engine.get_block("latest")["baseFeePerGas"], 16)

    def gas_price(self) -> str:
        return _hex(self._next_base_fee() + PRIORITY_FEE)

    def fee_history(self, count: Any, newest: Any, percentiles: Any = None) -> dict[str, Any]:
        blocks = max(1, min(_quantity(count, "blockCount"), 1024))
        newest_id = _block_id(newest)
        newest_number = int(self.chain.engine.get_block(newest_id)["number"], 16)
        base_fees, ratios, rewards = [], [], []
        oldest = newest_number
        for number in range(max(0, newest_number - blocks + 1), newest_number + 1):
            try:
                block = self.chain.engine.get_block(number)
            except UnknownBlock:
                continue
            oldest = min(oldest, number)
            base_fees.append(block["baseFeePerGas"])
            ratios.append(int(block["gasUsed"], 16) / int(block["gasLimit"], 16))
            rewards.append([_hex(PRIORITY_FEE) for _ in percentiles or []])
        base_fees.append(_hex(self._next_base_fee()))
        return {
            "oldestBlock": _hex(oldest),
            "baseFeePerGas": base_fees,
            "gasUsedRatio": ratios,
            "reward": rewards,
        }

    # ------------------------------------------------------------------ state
    def get_balance(self, address: Any, block: Any = "latest") -> str:
        return _hex(self.chain.engine.get_balance(_address(address), _block_id(block)))

    def get_code(self, address: Any, block: Any = "latest") -> str:
        return _data(self.chain.engine.get_code(_address(address), _block_id(block)))

    def get_storage_at(self, address: Any, slot: Any, block: Any = "latest") -> str:
        value = self.chain.engine.get_storage(_address(address), _quantity(slot, "slot"), _block_id(block))
        return _data(value.to_bytes(32, "big"))

    def get_transaction_count(self, address: Any, block: Any = "latest") -> str:
        raw = _address(address)
        if block == "pending":
            return _hex(self.chain.pending_nonce(raw))
        return _hex(self.chain.engine.get_nonce(raw, _block_id(block)))

    def get_proof(self, address: Any, slots: Any, block: Any = "latest") -> dict[str, Any]:
        proof = self.chain.engine.get_proof(
            _address(address), [_quantity(s, "storage key") for s in slots], _block_id(block)
        )
        return format_proof(proof)

    # ------------------------------------------------------------------ execution
    @staticmethod
    def _call_request(tx: Any) -> CallRequest:
        if not isinstance(tx, dict):
            raise RpcError(-32602, "invalid params: the call object must be an object")
        data = tx.get("data", tx.get("input")) or "0x"
        return CallRequest(
            sender=_address(tx["from"], "from") if tx.get("from") else None,
            to=_address(tx["to"], "to") if tx.get("to") else None,
            data=_bytes(data, "data"),
            value=_quantity(tx.get("value", 0), "value"),
            gas=_quantity(tx["gas"], "gas") if tx.get("gas") is not None else None,
        )

    def _at_time(self, block: BlockId) -> int | None:
        """Calls against the newest state run at the clock's time (see ``EvmEngine.call``)."""
        return int(self.chain.now) if block in ("latest", "pending") else None

    def _now(self, block: BlockId) -> dict[str, int]:
        """Calls against the newest state see the clock's time and, on a Nitro chain, L1's number now."""
        at_time = self._at_time(block)
        if at_time is None:
            return {}
        return {"at_time": at_time, **self.chain.l1_context()}

    def call(self, tx: Any, block: Any = "latest", *_overrides: Any) -> str:
        block_id = _block_id(block)
        return _data(self.chain.engine.call(self._call_request(tx), block_id, **self._now(block_id)))

    def estimate_gas(self, tx: Any, block: Any = "latest", *_overrides: Any) -> str:
        block_id = _block_id(block)
        request = self._call_request(tx)
        return _hex(self.chain.engine.estimate_gas(request, block_id, **self._now(block_id)))

    def send_raw_transaction(self, raw: Any) -> str:
        return _data(self.chain.send_raw_transaction(_bytes(raw, "transaction")))

    def send_transaction(self, tx: Any) -> str:
        """Sign with a dev account's key and send: the devnet's accounts are unlocked, as anvil's."""
        if not isinstance(tx, dict) or "from" not in tx:
            raise RpcError(-32602, "invalid params: eth_sendTransaction needs a 'from'")
        sender = _address(tx["from"], "from")
        account = self.chain.dev_account(sender)
        if account is None:
            raise RpcError(-32000, f"unknown account {tx['from']}: only the dev accounts are unlocked")
        request = self._call_request(tx)
        unsigned: dict[str, Any] = {
            "chainId": self.chain.chain_id,
            "nonce": _quantity(tx["nonce"], "nonce") if "nonce" in tx else self.chain.pending_nonce(sender),
            "value": request.value,
            "data": request.data,
            "gas": request.gas
            if request.gas is not None
            else self.chain.engine.estimate_gas(request, "latest", **self._now("latest")),
        }
        if request.to is not None:
            unsigned["to"] = tx["to"]
        if "gasPrice" in tx:
            unsigned["gasPrice"] = _quantity(tx["gasPrice"], "gasPrice")
        else:
            priority = _quantity(tx.get("maxPriorityFeePerGas", PRIORITY_FEE), "maxPriorityFeePerGas")
            unsigned["maxPriorityFeePerGas"] = priority
            unsigned["maxFeePerGas"] = _quantity(
                tx.get("maxFeePerGas", 2 * self._next_base_fee() + priority), "maxFeePerGas"
            )
        signed = account.sign_transaction(unsigned)
        return _data(self.chain.send_raw_transaction(bytes(signed.raw_transaction)))

    def mine(self, *_args: Any) -> str:
        self.chain.mine()
        return "0x0"

    # ------------------------------------------------------------------ history
    def get_transaction_by_hash(self, tx_hash: Any) -> dict[str, Any] | None:
        return self.chain.engine.get_transaction(_bytes(tx_hash, "transaction hash"))

    def get_transaction_receipt(self, tx_hash: Any) -> dict[str, Any] | None:
        return self.chain.engine.get_receipt(_bytes(tx_hash, "transaction hash"))

    def get_block(self, block: Any, full: Any = False) -> dict[str, Any] | None:
        try:
            return self.chain.engine.get_block(_block_id(block), bool(full))
        except UnknownBlock:
            return None

    def get_logs(self, criteria: Any) -> list[dict[str, Any]]:
        if not isinstance(criteria, dict):
            raise RpcError(-32602, "invalid params: the filter must be an object")
        engine = self.chain.engine
        if "blockHash" in criteria:
            first = last = self._number(_bytes(criteria["blockHash"], "blockHash"))
        else:
            first = self._number(_block_id(criteria.get("fromBlock", "latest")))
            last = self._number(_block_id(criteria.get("toBlock", "latest")))
        addresses = criteria.get("address") or []
        if isinstance(addresses, str):
            addresses = [addresses]
        topics = []
        for entry in criteria.get("topics") or []:
            if entry is None:
                topics.append(None)
            elif isinstance(entry, str | bytes | bytearray):
                topics.append([_bytes(entry, "topic")])
            else:
                topics.append([_bytes(t, "topic") for t in entry])
        return engine.get_logs(first, last, [_address(a) for a in addresses], topics)

    def _number(self, block: BlockId) -> int:
        """A block id as a number; a number in a clock jump's gap stays as it is."""
        if isinstance(block, int):
            return block
        return int(self.chain.engine.get_block(block)["number"], 16)


def format_proof(proof: AccountProof) -> dict[str, Any]:
    """EIP-1186's answer shape for an :class:`AccountProof`."""
    return {
        "address": "0x" + proof.address.hex(),
        "balance": _hex(proof.balance),
        "nonce": _hex(proof.nonce),
        "codeHash": _data(proof.code_hash),
        "storageHash": _data(proof.storage_hash),
        "accountProof": [_data(node) for node in proof.account_proof],
        "storageProof": [
            {
                "key": _hex(entry.key),
                "value": _hex(entry.value),
                "proof": [_data(node) for node in entry.proof],
            }
            for entry in proof.storage_proof
        ],
    }
