"""The Ethereum JSON-RPC methods of an :class:`EvmChain`, as plain functions of JSON values.

This is the one place that speaks the execution API: the in-process web3 provider calls it with no
serialization at all, and an HTTP server can put it on a port unchanged. Answers follow geth's and
anvil's shapes and error codes (``3`` with revert data for a revert, ``-32000`` for a refused
transaction), so clients that handle real nodes handle the devnet.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_hash.auto import keccak
from eth_utils import ValidationError, is_hex_address, to_checksum_address

from .engine import (
    AccountProof,
    BlockId,
    CallRequest,
    EngineError,
    EvmEngine,
    ExecutionReverted,
    InvalidTransaction,
    UnknownBlock,
)
from .rpc_objects import data as _data
from .rpc_objects import quantity as _hex
from .signing import sign_plain_dynamic_fee

if TYPE_CHECKING:
    from .evm import EvmChain

CLIENT_VERSION = "cortensor-sim/0.1.0/py-evm"
PRIORITY_FEE = 1_000_000_000
"""What ``eth_maxPriorityFeePerGas`` suggests (1 gwei); the devnet has no fee market to read it from."""
MAX_BATCH = 1_000
"""Most requests in one batch (geth's default ``--rpc.batch-request-limit``)."""
MAX_LOG_BLOCKS = 100_000
"""Widest block range one ``eth_getLogs`` may scan."""
MAX_FILTERS = 10_000
"""Most filters installed at once (``eth_newFilter`` and kin); the oldest goes first."""
MIN_BLOB_BASE_FEE = 1
"""EIP-4844's ``MIN_BASE_FEE_PER_BLOB_GAS``: the blob base fee while no blob gas is in excess."""


INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603


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
        raise RpcError(-32602, f"invalid params: {what} must be 0x-prefixed hex, got {value!r:.80}")
    try:
        return bytes.fromhex(value[2:] if len(value) % 2 == 0 else "0" + value[2:])
    except ValueError:
        raise RpcError(-32602, f"invalid params: {what} is not hex: {value!r:.80}") from None


def _address(value: Any, what: str = "address") -> bytes:
    if isinstance(value, bytes | bytearray) and len(value) == 20:
        return bytes(value)
    if not isinstance(value, str) or not is_hex_address(value):
        raise RpcError(-32602, f"invalid params: {what} must be a 20-byte hex address, got {value!r:.80}")
    return bytes.fromhex(value[2:])


def _quantity(value: Any, what: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise RpcError(-32602, f"invalid params: {what} must not be negative, got {value}")
        return value
    if not isinstance(value, str) or not value.startswith("0x"):
        raise RpcError(-32602, f"invalid params: {what} must be a hex quantity, got {value!r:.80}")
    try:
        return int(value, 16)
    except ValueError:
        raise RpcError(-32602, f"invalid params: {what} is not a hex quantity: {value!r:.80}") from None


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


@dataclass
class _Filter:
    """An installed filter: what it watches and how far ``eth_getFilterChanges`` has read."""

    kind: str  # "block", "pending" or "logs"
    last_number: int
    criteria: dict[str, Any] = field(default_factory=dict)
    hashes: list[str] = field(default_factory=list)
    watcher: Callable[[str, Any], None] | None = None


class EthRpc:
    """Dispatches JSON-RPC requests to one chain."""

    def __init__(self, chain: EvmChain) -> None:
        self.chain = chain
        self._filters: dict[str, _Filter] = {}
        self._next_filter = 1
        self._impersonated: set[bytes] = set()
        self.methods: dict[str, Callable[..., Any]] = {
            "web3_clientVersion": lambda: CLIENT_VERSION,
            "web3_sha3": lambda data: _data(keccak(_bytes(data, "data"))),
            "net_version": lambda: str(self.chain.chain_id),
            "net_listening": lambda: True,
            "net_peerCount": lambda: _hex(0),
            "eth_syncing": lambda: False,
            "eth_mining": lambda: self.chain.mining == "interval",
            "eth_hashrate": lambda: _hex(0),
            "eth_chainId": lambda: _hex(self.chain.chain_id),
            "eth_protocolVersion": lambda: "0x41",
            "eth_blockNumber": lambda: _hex(self.chain.height),
            "eth_accounts": lambda: [a.address for a in self.chain.accounts],
            "eth_coinbase": lambda: "0x" + "00" * 20,
            "eth_gasPrice": self.gas_price,
            "eth_maxPriorityFeePerGas": lambda: _hex(PRIORITY_FEE),
            "eth_blobBaseFee": lambda: _hex(MIN_BLOB_BASE_FEE),
            "eth_feeHistory": self.fee_history,
            "eth_getBalance": self.get_balance,
            "eth_getCode": self.get_code,
            "eth_getStorageAt": self.get_storage_at,
            "eth_getTransactionCount": self.get_transaction_count,
            "eth_call": self.call,
            "eth_estimateGas": self.estimate_gas,
            "eth_createAccessList": self.create_access_list,
            "eth_sendRawTransaction": self.send_raw_transaction,
            "eth_sendTransaction": self.send_transaction,
            "eth_sign": self.sign,
            "eth_signTransaction": self.sign_transaction,
            "eth_signTypedData_v4": self.sign_typed_data,
            "eth_getTransactionByHash": self.get_transaction_by_hash,
            "eth_getRawTransactionByHash": self.get_raw_transaction_by_hash,
            "eth_getTransactionReceipt": self.get_transaction_receipt,
            "eth_getBlockByNumber": self.get_block,
            "eth_getBlockByHash": self.get_block,
            "eth_getBlockTransactionCountByNumber": self.get_block_transaction_count,
            "eth_getBlockTransactionCountByHash": self.get_block_transaction_count,
            "eth_getTransactionByBlockNumberAndIndex": self.get_transaction_by_block_and_index,
            "eth_getTransactionByBlockHashAndIndex": self.get_transaction_by_block_and_index,
            "eth_getRawTransactionByBlockNumberAndIndex": self.get_raw_transaction_by_block_and_index,
            "eth_getRawTransactionByBlockHashAndIndex": self.get_raw_transaction_by_block_and_index,
            "eth_getBlockReceipts": self.get_block_receipts,
            "eth_getUncleCountByBlockNumber": lambda _block: _hex(0),
            "eth_getUncleCountByBlockHash": lambda _block: _hex(0),
            "eth_getLogs": self.get_logs,
            "eth_getProof": self.get_proof,
            "eth_newFilter": self.new_filter,
            "eth_newBlockFilter": self.new_block_filter,
            "eth_newPendingTransactionFilter": self.new_pending_transaction_filter,
            "eth_getFilterChanges": self.get_filter_changes,
            "eth_getFilterLogs": self.get_filter_logs,
            "eth_uninstallFilter": self.uninstall_filter,
            "evm_mine": self.mine,
            "evm_setAutomine": self.set_automine,
            "anvil_setBalance": self.set_balance,
            "hardhat_setBalance": self.set_balance,
            "anvil_setCode": self.set_code,
            "hardhat_setCode": self.set_code,
            "anvil_setStorageAt": self.set_storage_at,
            "hardhat_setStorageAt": self.set_storage_at,
            "anvil_setNonce": self.set_nonce,
            "hardhat_setNonce": self.set_nonce,
            "anvil_impersonateAccount": self.impersonate,
            "hardhat_impersonateAccount": self.impersonate,
            "anvil_stopImpersonatingAccount": self.stop_impersonating,
            "hardhat_stopImpersonatingAccount": self.stop_impersonating,
            "evm_snapshot": lambda: _hex(self.chain.rpc_snapshot()),
            "evm_revert": lambda snapshot_id: self.chain.rpc_revert(_quantity(snapshot_id, "snapshot id")),
        }

    # ------------------------------------------------------------------ dispatch
    def handle(self, method: str, params: Any) -> Any:
        """Answer one request; raises :class:`RpcError` for an error answer."""
        handler = self.methods.get(method) if isinstance(method, str) else None
        if handler is None:
            raise RpcError(METHOD_NOT_FOUND, f"the method {method} does not exist/is not available")
        if params is None:
            params = []
        if not isinstance(params, list | tuple):
            raise RpcError(INVALID_PARAMS, f"invalid params for {method}: expected a list")
        try:
            return handler(*params)
        except RpcError:
            raise
        except ExecutionReverted as exc:
            raise RpcError(3, str(exc), _data(exc.data)) from None
        except UnknownBlock as exc:
            raise RpcError(-32001, str(exc)) from None
        except (InvalidTransaction, EngineError) as exc:
            raise RpcError(-32000, str(exc)) from None
        except (TypeError, ValueError, KeyError, IndexError, AttributeError, ValidationError) as exc:
            # Wrong arity, a wrong type deep in a param: the caller's mistake, answered as such.
            raise RpcError(INVALID_PARAMS, f"invalid params for {method}: {exc}"[:500]) from None

    def answer(self, message: Any) -> Any:
        """A decoded JSON-RPC message (one request or a batch) to its response; None for none.

        Requests without an ``id`` are notifications and get no response (JSON-RPC 2.0 §4.1).
        """
        if isinstance(message, list):
            if not message:
                return error_response(None, RpcError(INVALID_REQUEST, "invalid request: empty batch"))
            if len(message) > MAX_BATCH:
                return error_response(
                    None,
                    RpcError(INVALID_REQUEST, f"batch of {len(message)} exceeds the limit of {MAX_BATCH}"),
                )
            answers = [self.answer_one(request) for request in message]
            kept = [a for a in answers if a is not None]
            return kept or None
        return self.answer_one(message)

    def answer_one(self, request: Any) -> dict[str, Any] | None:
        """One request object to its response object (errors included, never raised)."""
        if not isinstance(request, dict):
            return error_response(None, RpcError(INVALID_REQUEST, "invalid request: not an object"))
        request_id = request.get("id")
        if not isinstance(request_id, str | int | type(None)) or isinstance(request_id, bool):
            return error_response(None, RpcError(INVALID_REQUEST, "invalid request: bad id"))
        if request.get("jsonrpc", "2.0") != "2.0" or not isinstance(request.get("method"), str):
            return error_response(
                request_id, RpcError(INVALID_REQUEST, "invalid request: needs jsonrpc 2.0 and a method")
            )
        try:
            result = self.handle(request["method"], request.get("params"))
        except RpcError as exc:
            response = error_response(request_id, exc)
        except RecursionError:
            response = error_response(
                request_id, RpcError(INVALID_PARAMS, "invalid params: nested too deeply")
            )
        else:
            response = {"jsonrpc": "2.0", "id": request_id, "result": result}
        return response if "id" in request else None

    # ------------------------------------------------------------------ fees
    def _next_base_fee(self) -> int:
        return int(self.chain.engine.get_block("latest")["baseFeePerGas"], 16)

    def gas_price(self) -> str:
        return _hex(self._next_base_fee() + PRIORITY_FEE)

    def fee_history(self, count: Any, newest: Any, percentiles: Any = None) -> dict[str, Any]:
        blocks = max(1, min(_quantity(count, "blockCount"), 1024))
        newest_number = self._number(_block_id(newest))
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
        history: dict[str, Any] = {
            "oldestBlock": _hex(oldest),
            "baseFeePerGas": base_fees,
            "gasUsedRatio": ratios,
        }
        if percentiles:
            history["reward"] = rewards
        return history

    # ------------------------------------------------------------------ state
    def _read(self, block: Any, read: Callable[[BlockId], Any]) -> Any:
        """``read`` at ``block``; the ``pending`` tag reads the pending block (pool applied)."""
        block_id = _block_id(block)
        if block_id == "pending":
            return self.chain.pending_view(lambda: read("latest"))
        return read(block_id)

    def get_balance(self, address: Any, block: Any = "latest") -> str:
        raw = _address(address)
        return _hex(self._read(block, lambda b: self.chain.engine.get_balance(raw, b)))

    def get_code(self, address: Any, block: Any = "latest") -> str:
        raw = _address(address)
        return _data(self._read(block, lambda b: self.chain.engine.get_code(raw, b)))

    def get_storage_at(self, address: Any, slot: Any, block: Any = "latest") -> str:
        raw, key = _address(address), _quantity(slot, "slot")
        value = self._read(block, lambda b: self.chain.engine.get_storage(raw, key, b))
        return _data(value.to_bytes(32, "big"))

    def get_transaction_count(self, address: Any, block: Any = "latest") -> str:
        raw = _address(address)
        if block == "pending":
            return _hex(self.chain.pending_nonce(raw))
        return _hex(self.chain.engine.get_nonce(raw, _block_id(block)))

    def get_proof(self, address: Any, slots: Any, block: Any = "latest") -> dict[str, Any]:
        raw = _address(address)
        keys = [_quantity(s, "storage key") for s in _list(slots, "storage keys")]
        return format_proof(self._read(block, lambda b: self.chain.engine.get_proof(raw, keys, b)))

    # ------------------------------------------------------------------ execution
    @staticmethod
    def _call_request(tx: Any) -> CallRequest:
        if not isinstance(tx, dict):
            raise RpcError(INVALID_PARAMS, "invalid params: the call object must be an object")
        data = tx.get("data", tx.get("input")) or "0x"
        return CallRequest(
            sender=_address(tx["from"], "from") if tx.get("from") else None,
            to=_address(tx["to"], "to") if tx.get("to") else None,
            data=_bytes(data, "data"),
            value=_quantity(tx.get("value") or 0, "value"),
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

    def _execute(self, run: Callable[..., Any], tx: Any, block: Any, overrides: Any) -> Any:
        """``run`` a message call at ``block``, with a geth state override set applied if given.

        Overrides are dev writes made inside an engine snapshot that is reverted afterwards, so
        nothing of them outlives the call. They apply to the newest state only.
        """
        request = self._call_request(tx)
        block_id = _block_id(block)
        if not overrides:
            if block_id == "pending":
                return self.chain.pending_view(lambda: run(request, "latest", **self._now("latest")))
            return run(request, block_id, **self._now(block_id))
        writes = _state_override_writes(overrides)
        if block_id not in ("latest", "pending"):
            raise RpcError(INVALID_PARAMS, "invalid params: state overrides apply to the latest block only")
        engine = self.chain.engine
        mark = engine.snapshot()
        try:
            for write in writes:
                write(engine)
            return run(request, "latest", **self._now("latest"))
        finally:
            engine.revert(mark)

    def call(self, tx: Any, block: Any = "latest", overrides: Any = None, *_block_overrides: Any) -> str:
        if _block_overrides and _block_overrides[0]:
            raise RpcError(INVALID_PARAMS, "invalid params: block overrides are not supported")
        return _data(self._execute(self.chain.engine.call, tx, block, overrides))

    def estimate_gas(self, tx: Any, block: Any = "latest", overrides: Any = None) -> str:
        return _hex(self._execute(self.chain.engine.estimate_gas, tx, block, overrides))

    def create_access_list(self, tx: Any, block: Any = "latest") -> dict[str, Any]:
        found = self._execute(self.chain.engine.create_access_list, tx, block, None)
        entries = [
            {"address": _data(address), "storageKeys": [_data(slot.to_bytes(32, "big")) for slot in slots]}
            for address, slots in found.entries
        ]
        return {"accessList": entries, "gasUsed": _hex(found.gas_used)}

    def send_raw_transaction(self, raw: Any) -> str:
        return _data(self.chain.send_raw_transaction(_bytes(raw, "transaction")))

    def _signer(self, address: Any) -> Any:
        account = self.chain.dev_account(_address(address, "from"))
        if account is None:
            raise RpcError(-32000, f"unknown account {address}: only the dev accounts are unlocked")
        return account

    def _unsigned(self, tx: Any) -> dict[str, Any]:
        """An ``eth_sendTransaction`` object completed as a node does: nonce, gas and fees filled in."""
        if not isinstance(tx, dict) or "from" not in tx:
            raise RpcError(INVALID_PARAMS, "invalid params: the transaction needs a 'from'")
        sender = _address(tx["from"], "from")
        request = self._call_request(tx)
        unsigned: dict[str, Any] = {
            "chainId": self.chain.chain_id,
            "nonce": _quantity(tx["nonce"], "nonce") if "nonce" in tx else self.chain.pending_nonce(sender),
            "value": request.value,
            "data": request.data,
        }
        if request.to is not None:
            unsigned["to"] = to_checksum_address(request.to)  # eth-account refuses lower-case
        if tx.get("accessList"):
            unsigned["accessList"] = _access_list(tx["accessList"])
        if tx.get("authorizationList"):
            unsigned["authorizationList"] = _authorization_list(tx["authorizationList"])
        if "gasPrice" in tx and "maxFeePerGas" not in tx:
            unsigned["gasPrice"] = _quantity(tx["gasPrice"], "gasPrice")
        else:
            priority = _quantity(tx.get("maxPriorityFeePerGas", PRIORITY_FEE), "maxPriorityFeePerGas")
            unsigned["maxPriorityFeePerGas"] = priority
            unsigned["maxFeePerGas"] = _quantity(
                tx.get("maxFeePerGas", 2 * self._next_base_fee() + priority), "maxFeePerGas"
            )
        if request.gas is not None:
            unsigned["gas"] = request.gas
        elif "authorizationList" in unsigned:
            raise RpcError(INVALID_PARAMS, "invalid params: give 'gas' with an authorizationList")
        else:
            unsigned["gas"] = self.chain.engine.estimate_gas(request, "latest", **self._now("latest"))
        return unsigned

    def send_transaction(self, tx: Any) -> str:
        """Sign with a dev account's key and send: the devnet's accounts are unlocked, as anvil's.

        From an impersonated account, the transaction is sent unsigned as that account.
        """
        sender = _address(tx.get("from") if isinstance(tx, dict) else None, "from")
        if sender in self._impersonated and self.chain.dev_account(sender) is None:
            unsigned = self._unsigned(tx)
            if "authorizationList" in unsigned:
                raise RpcError(
                    INVALID_PARAMS, "invalid params: an impersonated account cannot sign authorizations"
                )
            raw = self.chain.engine.impersonated_transaction(unsigned, sender)
            return _data(self.chain.send_raw_transaction(raw))
        account = self._signer(tx["from"])
        unsigned = self._unsigned(tx)
        raw = sign_plain_dynamic_fee(bytes(account.key), unsigned)
        if raw is None:
            raw = bytes(account.sign_transaction(unsigned).raw_transaction)
        return _data(self.chain.send_raw_transaction(raw))

    def impersonate(self, address: Any) -> None:
        """``anvil_impersonateAccount``: ``eth_sendTransaction`` from ``address`` needs no key."""
        self._impersonated.add(_address(address))

    def stop_impersonating(self, address: Any) -> None:
        self._impersonated.discard(_address(address))

    def sign_transaction(self, tx: Any) -> str:
        """``eth_signTransaction``: the signed raw transaction, not sent (anvil's answer shape)."""
        account = self._signer(tx.get("from") if isinstance(tx, dict) else None)
        return _data(bytes(account.sign_transaction(self._unsigned(tx)).raw_transaction))

    def sign(self, address: Any, message: Any) -> str:
        """``eth_sign``: an EIP-191 personal-message signature of ``message``'s bytes."""
        signed = self._signer(address).sign_message(encode_defunct(_bytes(message, "message")))
        return _data(bytes(signed.signature))

    def sign_typed_data(self, address: Any, typed_data: Any) -> str:
        """``eth_signTypedData_v4``: an EIP-712 signature; the data as an object or a JSON string."""
        if isinstance(typed_data, str):
            typed_data = json.loads(typed_data)
        if not isinstance(typed_data, dict):
            raise RpcError(INVALID_PARAMS, "invalid params: typed data must be an EIP-712 object")
        signed = Account.sign_typed_data(self._signer(address).key, full_message=typed_data)
        return _data(bytes(signed.signature))

    def mine(self, *_args: Any) -> str:
        self.chain.mine()
        return "0x0"

    # ------------------------------------------------------------------ dev methods (anvil, Hardhat)
    # The one place state is written without a transaction: only when a user asks for it.
    def set_balance(self, address: Any, balance: Any) -> bool:
        self.chain.engine.set_balance(_address(address), _quantity(balance, "balance"))
        return True

    def set_code(self, address: Any, code: Any) -> bool:
        self.chain.engine.set_code(_address(address), _bytes(code, "code"))
        return True

    def set_storage_at(self, address: Any, slot: Any, value: Any) -> bool:
        word = _bytes(value, "value")
        if len(word) > 32:
            raise RpcError(INVALID_PARAMS, "invalid params: a storage value is at most 32 bytes")
        self.chain.engine.set_storage(_address(address), _quantity(slot, "slot"), int.from_bytes(word, "big"))
        return True

    def set_nonce(self, address: Any, nonce: Any) -> bool:
        raw = _address(address)
        if raw in self.chain.pooled_senders():
            raise RpcError(-32000, f"{address} has pooled transactions: mine them before setting its nonce")
        self.chain.engine.set_nonce(raw, _quantity(nonce, "nonce"))
        return True

    def set_automine(self, enabled: Any) -> bool:
        """``evm_setAutomine``: on seals the pool now and each transaction at once from then on."""
        if not isinstance(enabled, bool):
            raise RpcError(INVALID_PARAMS, "invalid params: evm_setAutomine takes true or false")
        self.chain.set_mining("auto" if enabled else "interval")
        return True

    # ------------------------------------------------------------------ history
    def get_transaction_by_hash(self, tx_hash: Any) -> dict[str, Any] | None:
        raw_hash = _bytes(tx_hash, "transaction hash")
        found = self.chain.engine.get_transaction(raw_hash)
        if found is None:
            pooled = self.chain.pooled_transaction(raw_hash)
            if pooled is not None:
                return self.chain.engine.decode_transaction(pooled)  # blockHash null: pending
        return found

    def get_raw_transaction_by_hash(self, tx_hash: Any) -> str | None:
        raw_hash = _bytes(tx_hash, "transaction hash")
        raw = self.chain.pooled_transaction(raw_hash) or self.chain.engine.get_raw_transaction(raw_hash)
        return None if raw is None else _data(raw)

    def get_transaction_receipt(self, tx_hash: Any) -> dict[str, Any] | None:
        return self.chain.engine.get_receipt(_bytes(tx_hash, "transaction hash"))

    def _block(self, block: Any, full: bool) -> dict[str, Any] | None:
        block_id = _block_id(block)
        if block_id == "pending":
            return self.pending_block(full)
        try:
            return self.chain.engine.get_block(block_id, full)
        except UnknownBlock:
            return None

    def pending_block(self, full: bool) -> dict[str, Any]:
        """The block the pool would make now; like geth, with no hash, nonce or miner yet."""
        block = self.chain.pending_view(lambda: self.chain.engine.get_block("latest", full))
        if self.chain.pending == 0:
            # Nothing pooled: the next block would be empty, on top of the newest one.
            latest = block
            block = dict(latest) | {
                "number": _hex(int(latest["number"], 16) + 1),
                "parentHash": latest["hash"],
                "transactions": [],
                "gasUsed": "0x0",
                "timestamp": _hex(max(int(latest["timestamp"], 16), int(self.chain.now))),
            }
        return block | {"hash": None, "nonce": None, "miner": None}

    def get_block(self, block: Any, full: Any = False) -> dict[str, Any] | None:
        return self._block(block, bool(full))

    def get_block_transaction_count(self, block: Any) -> str | None:
        found = self._block(block, False)
        return None if found is None else _hex(len(found["transactions"]))

    def get_transaction_by_block_and_index(self, block: Any, index: Any) -> dict[str, Any] | None:
        found = self._block(block, True)
        position = _quantity(index, "index")
        if found is None or position >= len(found["transactions"]):
            return None
        return found["transactions"][position]  # type: ignore[no-any-return]

    def get_raw_transaction_by_block_and_index(self, block: Any, index: Any) -> str | None:
        found = self.get_transaction_by_block_and_index(block, index)
        return None if found is None else self.get_raw_transaction_by_hash(found["hash"])

    def get_block_receipts(self, block: Any) -> list[dict[str, Any]] | None:
        block_id = _block_id(block)
        if block_id == "pending":
            return None
        found = self._block(block_id, False)
        if found is None:
            return None
        engine = self.chain.engine
        return [engine.get_receipt(_bytes(h, "transaction hash")) for h in found["transactions"]]  # type: ignore[misc]

    def _log_range(self, criteria: Any) -> tuple[int, int]:
        if not isinstance(criteria, dict):
            raise RpcError(INVALID_PARAMS, "invalid params: the filter must be an object")
        if "blockHash" in criteria:
            if "fromBlock" in criteria or "toBlock" in criteria:
                raise RpcError(INVALID_PARAMS, "invalid params: blockHash excludes fromBlock and toBlock")
            number = self._number(_bytes(criteria["blockHash"], "blockHash"))
            return number, number
        first = self._number(_block_id(criteria.get("fromBlock") or "latest"))
        last = self._number(_block_id(criteria.get("toBlock") or "latest"))
        if first > last:
            raise RpcError(
                INVALID_PARAMS, f"invalid block range params: fromBlock {first} is after toBlock {last}"
            )
        if last - first >= MAX_LOG_BLOCKS:
            raise RpcError(INVALID_PARAMS, f"invalid block range params: more than {MAX_LOG_BLOCKS} blocks")
        return first, last

    def logs_between(self, criteria: dict[str, Any], first: int, last: int) -> list[dict[str, Any]]:
        addresses = criteria.get("address") or []
        if isinstance(addresses, str):
            addresses = [addresses]
        topics: list[list[bytes] | None] = []
        for entry in _list(criteria.get("topics") or [], "topics"):
            if entry is None:
                topics.append(None)
            elif isinstance(entry, str | bytes | bytearray):
                topics.append([_bytes(entry, "topic")])
            else:
                topics.append([_bytes(t, "topic") for t in _list(entry, "topic options")])
        wanted = [_address(a) for a in _list(addresses, "address")]
        return self.chain.engine.get_logs(first, min(last, self.chain.height), wanted, topics)

    def get_logs(self, criteria: Any) -> list[dict[str, Any]]:
        first, last = self._log_range(criteria)
        return self.logs_between(criteria, first, last)

    def _number(self, block: BlockId) -> int:
        """A block id as a number; a number in a clock jump's gap stays as it is."""
        if isinstance(block, int):
            return block
        if block == "pending":
            return self.chain.height + 1
        return int(self.chain.engine.get_block(block)["number"], 16)

    # ------------------------------------------------------------------ filters
    def _install(self, installed: _Filter) -> str:
        filter_id = _hex(self._next_filter)
        self._next_filter += 1
        self._filters[filter_id] = installed
        if len(self._filters) > MAX_FILTERS:
            self.uninstall_filter(next(iter(self._filters)))
        return filter_id

    def new_filter(self, criteria: Any) -> str:
        if not isinstance(criteria, dict):
            raise RpcError(INVALID_PARAMS, "invalid params: the filter must be an object")
        self.logs_between(criteria, 1, 0)  # refuse bad addresses or topics now, not at the first poll
        return self._install(_Filter("logs", self.chain.height, dict(criteria)))

    def new_block_filter(self) -> str:
        return self._install(_Filter("block", self.chain.height))

    def new_pending_transaction_filter(self) -> str:
        installed = _Filter("pending", self.chain.height)
        filter_id = self._install(installed)

        def collect(event: str, value: Any) -> None:
            if event == "transaction" and filter_id in self._filters:
                installed.hashes.append(_data(value))

        installed.watcher = collect
        self.chain.watchers.append(collect)
        return filter_id

    def _filter(self, filter_id: Any) -> _Filter:
        found = self._filters.get(filter_id) if isinstance(filter_id, str) else None
        if found is None:
            raise RpcError(-32000, "filter not found")
        return found

    def get_filter_changes(self, filter_id: Any) -> list[Any]:
        """What happened since the last poll: new block hashes, pending tx hashes or logs."""
        installed = self._filter(filter_id)
        head = self.chain.height
        since, installed.last_number = min(installed.last_number, head), head
        if installed.kind == "pending":
            hashes, installed.hashes = installed.hashes, []
            return hashes
        if installed.kind == "block":
            return [block["hash"] for block in self._blocks_after(since)]
        first, last = since + 1, head
        criteria = installed.criteria
        if "blockHash" in criteria:
            return []  # a filter on one block has nothing new after it was installed
        tags = (None, "latest", "pending", "safe", "finalized", "earliest")
        if criteria.get("fromBlock") not in tags:
            first = max(first, _quantity(criteria["fromBlock"], "fromBlock"))
        if criteria.get("toBlock") not in tags:
            last = min(last, _quantity(criteria["toBlock"], "toBlock"))
        return self.logs_between(criteria, first, last) if first <= last else []

    def get_filter_logs(self, filter_id: Any) -> list[dict[str, Any]]:
        installed = self._filter(filter_id)
        if installed.kind != "logs":
            raise RpcError(-32000, "filter is not a log filter")
        return self.get_logs(installed.criteria)

    def uninstall_filter(self, filter_id: Any) -> bool:
        installed = self._filters.pop(filter_id, None) if isinstance(filter_id, str) else None
        if installed is None:
            return False
        if installed.watcher in self.chain.watchers:
            self.chain.watchers.remove(installed.watcher)
        return True

    def _blocks_after(self, number: int) -> list[dict[str, Any]]:
        """The canonical blocks above ``number``, oldest first (gaps hold none)."""
        engine = self.chain.engine
        blocks: list[dict[str, Any]] = []
        block = engine.get_block("latest")
        while int(block["number"], 16) > number and len(blocks) < MAX_LOG_BLOCKS:
            blocks.append(block)
            if block["number"] == "0x0":
                break
            block = engine.get_block(_bytes(block["parentHash"], "parent hash"))
        return blocks[::-1]


def error_response(request_id: Any, error: RpcError) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": error.as_json()}


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise RpcError(INVALID_PARAMS, f"invalid params: {what} must be a list, got {value!r:.80}")
    return list(value)


StateWrite = Callable[[EvmEngine], None]


def _state_override_writes(overrides: Any) -> list[StateWrite]:
    """geth's state override set as dev writes: ``balance``, ``nonce``, ``code``, ``stateDiff``.

    ``state`` (replace the whole storage) and ``movePrecompileToAddress`` are refused: the engine
    seam has no verb to clear an account's storage or move a precompile, and silently ignoring an
    override would answer a different question than the one asked.
    """
    if not isinstance(overrides, dict):
        raise RpcError(INVALID_PARAMS, "invalid params: the state override set must be an object")
    writes: list[StateWrite] = []
    for key, override in overrides.items():
        address = _address(key, "state override address")
        if not isinstance(override, dict):
            raise RpcError(INVALID_PARAMS, f"invalid params: state override of {key} must be an object")
        unsupported = set(override) - {"balance", "nonce", "code", "stateDiff"}
        if unsupported:
            raise RpcError(
                INVALID_PARAMS,
                f"invalid params: state override field(s) {', '.join(sorted(unsupported))} of {key} are not "
                "supported (supported: balance, nonce, code, stateDiff)",
            )
        if "balance" in override:
            balance = _quantity(override["balance"], "balance")
            writes.append(lambda e, a=address, v=balance: e.set_balance(a, v))
        if "nonce" in override:
            nonce = _quantity(override["nonce"], "nonce")
            writes.append(lambda e, a=address, v=nonce: e.set_nonce(a, v))
        if "code" in override:
            code = _bytes(override["code"], "code")
            writes.append(lambda e, a=address, v=code: e.set_code(a, v))
        diff = override.get("stateDiff") or {}
        if not isinstance(diff, dict):
            raise RpcError(INVALID_PARAMS, f"invalid params: stateDiff of {key} must be an object")
        for slot, value in diff.items():
            s, v = _quantity(slot, "slot"), int.from_bytes(_bytes(value, "slot value"), "big")
            writes.append(lambda e, a=address, s=s, v=v: e.set_storage(a, s, v))
    return writes


def _access_list(entries: Any) -> list[dict[str, Any]]:
    return [
        {
            "address": e["address"],
            "storageKeys": [_data(_bytes(k, "storage key")) for k in e.get("storageKeys", [])],
        }
        for e in _list(entries, "accessList")
    ]


def _authorization_list(entries: Any) -> list[dict[str, Any]]:
    """Signed EIP-7702 authorizations, their quantities as ints (what eth-account signs with)."""
    return [
        {
            "chainId": _quantity(e["chainId"], "chainId"),
            "address": to_checksum_address(_address(e["address"])),
            "nonce": _quantity(e["nonce"], "nonce"),
            "yParity": _quantity(e["yParity"], "yParity"),
            "r": _quantity(e["r"], "r"),
            "s": _quantity(e["s"], "s"),
        }
        for e in _list(entries, "authorizationList")
    ]


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
