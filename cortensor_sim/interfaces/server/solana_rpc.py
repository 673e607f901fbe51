"""A Solana JSON-RPC subset over a :class:`SolanaChain`, for solana-py and @solana/web3.js.

Answers follow the shapes of the Solana JSON-RPC API (https://solana.com/docs/rpc, and the
``solana-rpc-client-api`` types that solders mirrors), with ``context.slot`` on every
``RpcResponse``. The devnet has one commitment level: a landed transaction is final at once, so
every status reads ``finalized``. A transaction refused at preflight is an error answer (code
-32002, with the program logs), as a validator's preflight is; nothing of it lands.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

from solders.account import Account
from solders.message import Message
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.token.state import Mint, TokenAccount
from solders.transaction import VersionedTransaction

from ...chains import SolanaChain
from ...chains.rpc import INTERNAL_ERROR, INVALID_PARAMS, METHOD_NOT_FOUND, RpcError, error_response
from ...chains.solana import MAX_PROCESSING_AGE, TOKEN_PROGRAM_ID, SolanaTransactionError
from .json_input import MalformedJson, decode_json

SOLANA_CORE_VERSION = "2.2.0"
"""The Agave version whose RPC answers this subset follows (reported by ``getVersion``)."""
SIGNATURE_STATUS_LIMIT = 256
"""Most signatures one ``getSignatureStatuses`` takes (the validator's own limit)."""
MULTIPLE_ACCOUNTS_LIMIT = 100
"""Most accounts one ``getMultipleAccounts`` takes (the validator's own limit)."""
PREFLIGHT_FAILURE = -32002
MAX_BATCH = 1_000
LAMPORTS_PER_SIGNATURE = 5_000
"""The base fee per signature (the cluster default, which LiteSVM charges too)."""
TOKEN_ACCOUNT_SIZE = 165
"""Bytes of an SPL Token account (a mint is 82): how token accounts are told from mints."""


class SolanaRpc:
    """Dispatches Solana JSON-RPC requests to one :class:`SolanaChain`."""

    def __init__(self, chain: SolanaChain) -> None:
        self.chain = chain
        self._sent: dict[Signature, bytes] = {}
        """Wire bytes of the transactions sent through this port, for ``getTransaction``."""
        self.methods: dict[str, Callable[..., Any]] = {
            "getVersion": lambda: {"solana-core": SOLANA_CORE_VERSION, "feature-set": 0},
            "getHealth": lambda: "ok",
            "getSlot": lambda config=None: self.chain.slot,
            "getBlockHeight": lambda config=None: self.chain.height,
            "getBalance": self.get_balance,
            "getAccountInfo": self.get_account_info,
            "getMultipleAccounts": self.get_multiple_accounts,
            "getLatestBlockhash": self.get_latest_blockhash,
            "isBlockhashValid": self.is_blockhash_valid,
            "sendTransaction": self.send_transaction,
            "simulateTransaction": self.simulate_transaction,
            "getSignatureStatuses": self.get_signature_statuses,
            "getTransaction": self.get_transaction,
            "requestAirdrop": self.request_airdrop,
            "getMinimumBalanceForRentExemption": self.minimum_balance,
            "getTokenAccountBalance": self.get_token_account_balance,
            "getTokenAccountsByOwner": self.get_token_accounts_by_owner,
        }

    def rebind(self, chain: SolanaChain) -> None:
        """Serve ``chain`` from now on (a loaded devnet's); what was sent before is forgotten."""
        self.chain = chain
        self._sent.clear()

    # ------------------------------------------------------------------ dispatch
    def reply(self, body: bytes | str) -> str | None:
        """The JSON text answering one HTTP body (a request or a batch)."""
        try:
            message = decode_json(body)
        except MalformedJson as exc:
            return json.dumps(error_response(None, RpcError(-32700, f"parse error: {exc}")))
        if isinstance(message, list):
            if not message or len(message) > MAX_BATCH:
                error = RpcError(-32600, f"invalid request: a batch holds 1 to {MAX_BATCH} requests")
                return json.dumps(error_response(None, error))
            return json.dumps([self.answer_one(request) for request in message])
        return json.dumps(self.answer_one(message))

    def answer_one(self, request: Any) -> dict[str, Any]:
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            return error_response(None, RpcError(-32600, "invalid request: needs a method"))
        request_id = request.get("id")
        handler = self.methods.get(request["method"])
        params = request.get("params") or []
        try:
            if handler is None:
                raise RpcError(METHOD_NOT_FOUND, f"Method not found: {request['method']}")
            if not isinstance(params, list):
                raise RpcError(INVALID_PARAMS, "invalid params: expected a list")
            result = handler(*params)
        except RpcError as exc:
            return error_response(request_id, exc)
        except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
            return error_response(request_id, RpcError(INVALID_PARAMS, f"Invalid params: {exc}"[:300]))
        except Exception as exc:  # a bug costs one answer, never the server
            return error_response(request_id, RpcError(INTERNAL_ERROR, f"internal error: {exc}"[:300]))
        return {"jsonrpc": "2.0", "id": request_id, "result": result}

    def _context(self, value: Any) -> dict[str, Any]:
        return {"context": {"slot": self.chain.slot, "apiVersion": SOLANA_CORE_VERSION}, "value": value}

    # ------------------------------------------------------------------ accounts
    def get_balance(self, pubkey: Any, config: Any = None) -> dict[str, Any]:
        return self._context(self.chain.balance(_pubkey(pubkey)))

    def get_account_info(self, pubkey: Any, config: Any = None) -> dict[str, Any]:
        account = self.chain.get_account(_pubkey(pubkey))
        return self._context(_ui_account(account, _encoding(config)))

    def get_multiple_accounts(self, pubkeys: Any, config: Any = None) -> dict[str, Any]:
        if not isinstance(pubkeys, list) or len(pubkeys) > MULTIPLE_ACCOUNTS_LIMIT:
            raise RpcError(
                INVALID_PARAMS, f"Invalid params: give a list of at most {MULTIPLE_ACCOUNTS_LIMIT} keys"
            )
        encoding = _encoding(config)
        return self._context([_ui_account(self.chain.get_account(_pubkey(k)), encoding) for k in pubkeys])

    def minimum_balance(self, size: Any, config: Any = None) -> int:
        if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= 10 * 1024 * 1024:
            raise RpcError(INVALID_PARAMS, "Invalid params: data length must be 0 to 10 MiB")
        return int(self.chain.svm.minimum_balance_for_rent_exemption(size))

    # ------------------------------------------------------------------ blockhashes and transactions
    def get_latest_blockhash(self, config: Any = None) -> dict[str, Any]:
        value = {
            "blockhash": str(self.chain.latest_blockhash()),
            "lastValidBlockHeight": self.chain.height + MAX_PROCESSING_AGE,
        }
        return self._context(value)

    def is_blockhash_valid(self, blockhash: Any, config: Any = None) -> dict[str, Any]:
        from solders.hash import Hash

        return self._context(self.chain.is_blockhash_valid(Hash.from_string(_text(blockhash, "blockhash"))))

    def _transaction(self, wire: Any, config: Any) -> tuple[VersionedTransaction, bytes]:
        encoding = config.get("encoding", "base58") if isinstance(config, dict) else "base58"
        if encoding != "base64":
            raise RpcError(INVALID_PARAMS, "Invalid params: send transactions with encoding base64")
        try:
            raw = base64.b64decode(_text(wire, "transaction"), validate=True)
        except ValueError:
            raise RpcError(INVALID_PARAMS, "Invalid params: the transaction is not base64") from None
        try:
            return VersionedTransaction.from_bytes(raw), raw
        except Exception as exc:  # solders raises its own error types for bad bytes
            raise RpcError(
                INVALID_PARAMS, f"Invalid params: cannot decode the transaction: {exc}"[:300]
            ) from None

    def send_transaction(self, wire: Any, config: Any = None) -> str:
        tx, raw = self._transaction(wire, config)
        skip = bool(config.get("skipPreflight")) if isinstance(config, dict) else False
        try:
            signature = self.chain.send(tx, skip_preflight=skip)
        except SolanaTransactionError as exc:
            if exc.landed and exc.signature is not None:
                self._sent[exc.signature] = raw
                return str(exc.signature)
            data = {"err": _error(exc.error), "logs": exc.logs, "accounts": None, "unitsConsumed": 0}
            raise RpcError(PREFLIGHT_FAILURE, f"Transaction simulation failed: {exc.error}", data) from None
        self._sent[signature] = raw
        return str(signature)

    def simulate_transaction(self, wire: Any, config: Any = None) -> dict[str, Any]:
        """Run the transaction on a snapshot and undo it: its error and logs, nothing kept."""
        tx, _ = self._transaction(wire, config)
        mark = self.chain.snapshot()
        err: Any = None
        logs: list[str] = []
        units = 0
        try:
            signature = self.chain.send(tx)
            record = self.chain.get_transaction(signature)
            if record is not None and record.meta is not None:
                logs = record.logs
                units = int(record.meta.compute_units_consumed())
        except SolanaTransactionError as exc:
            err, logs = _error(exc.error), exc.logs
        finally:
            self.chain.revert(mark)
        return self._context({"err": err, "logs": logs, "accounts": None, "unitsConsumed": units})

    def get_signature_statuses(self, signatures: Any, config: Any = None) -> dict[str, Any]:
        if not isinstance(signatures, list) or len(signatures) > SIGNATURE_STATUS_LIMIT:
            raise RpcError(INVALID_PARAMS, f"Invalid params: give a list of at most {SIGNATURE_STATUS_LIMIT}")
        statuses: list[Any] = []
        for text in signatures:
            record = self.chain.get_transaction(_signature(text))
            if record is None:
                statuses.append(None)
                continue
            statuses.append(
                {
                    "slot": record.slot,
                    "confirmations": None,
                    "err": _error(record.error),
                    "status": {"Ok": None} if record.error is None else {"Err": _error(record.error)},
                    "confirmationStatus": "finalized",
                }
            )
        return self._context(statuses)

    def get_transaction(self, signature: Any, config: Any = None) -> dict[str, Any] | None:
        """A landed transaction sent through this port, with its status and logs; else null."""
        parsed = _signature(signature)
        record = self.chain.get_transaction(parsed)
        raw = self._sent.get(parsed)
        if record is None or raw is None:
            return None
        encoding = config.get("encoding", "json") if isinstance(config, dict) else "json"
        if encoding != "base64":
            raise RpcError(
                INVALID_PARAMS, "Invalid params: this devnet serves transactions with encoding base64"
            )
        tx = VersionedTransaction.from_bytes(raw)
        meta = record.meta
        return {
            "slot": record.slot,
            "blockTime": self.chain.unix_timestamp,
            "transaction": [base64.b64encode(raw).decode(), "base64"],
            "meta": {
                "err": _error(record.error),
                "status": {"Ok": None} if record.error is None else {"Err": _error(record.error)},
                "fee": int(meta.fee()) if meta is not None else LAMPORTS_PER_SIGNATURE * len(tx.signatures),
                "preBalances": [],
                "postBalances": [],
                "innerInstructions": [],
                "logMessages": record.logs,
                "preTokenBalances": [],
                "postTokenBalances": [],
                "rewards": [],
                "computeUnitsConsumed": int(meta.compute_units_consumed()) if meta is not None else 0,
            },
            "version": "legacy" if isinstance(tx.message, Message) else 0,
        }

    def request_airdrop(self, pubkey: Any, lamports: Any, config: Any = None) -> str:
        if not isinstance(lamports, int) or isinstance(lamports, bool):
            raise RpcError(INVALID_PARAMS, "Invalid params: lamports must be a whole number")
        try:
            return str(self.chain.airdrop(_pubkey(pubkey), lamports))
        except (ValueError, SolanaTransactionError) as exc:
            raise RpcError(-32600, f"airdrop refused: {exc}") from None

    # ------------------------------------------------------------------ SPL tokens
    def get_token_account_balance(self, pubkey: Any, config: Any = None) -> dict[str, Any]:
        key = _pubkey(pubkey)
        account = self.chain.get_account(key)
        if account is None or account.owner != TOKEN_PROGRAM_ID:
            raise RpcError(INVALID_PARAMS, f"Invalid param: {key} is not a token account")
        token = TokenAccount.from_bytes(bytes(account.data))
        mint = self.chain.get_account(token.mint)
        decimals = Mint.from_bytes(bytes(mint.data)).decimals if mint is not None else 0
        return self._context(_token_amount(token.amount, decimals))

    def get_token_accounts_by_owner(self, owner: Any, selector: Any, config: Any = None) -> dict[str, Any]:
        owner_key = _pubkey(owner)
        if not isinstance(selector, dict) or len(selector) != 1 or not {"mint", "programId"} & set(selector):
            raise RpcError(INVALID_PARAMS, "Invalid params: give {mint: ...} or {programId: ...}")
        mint = _pubkey(selector["mint"]) if "mint" in selector else None
        if "programId" in selector and _pubkey(selector["programId"]) != TOKEN_PROGRAM_ID:
            return self._context([])  # only SPL Token accounts are indexed here
        encoding = _encoding(config)
        found = []
        for key, account in self.chain.svm.get_program_accounts(TOKEN_PROGRAM_ID):
            if len(account.data) != TOKEN_ACCOUNT_SIZE:
                continue  # a mint, not a token account
            token = TokenAccount.from_bytes(bytes(account.data))
            if token.owner == owner_key and (mint is None or token.mint == mint):
                found.append({"pubkey": str(key), "account": _ui_account(account, encoding)})
        return self._context(found)


# ---------------------------------------------------------------------- params and shapes
def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or len(value) > 2_000_000:
        raise RpcError(INVALID_PARAMS, f"Invalid params: {what} must be a string")
    return value


def _pubkey(value: Any) -> Pubkey:
    try:
        return Pubkey.from_string(_text(value, "pubkey"))
    except ValueError:
        raise RpcError(INVALID_PARAMS, f"Invalid param: {value!r:.60} is not a base58 pubkey") from None


def _signature(value: Any) -> Signature:
    try:
        return Signature.from_string(_text(value, "signature"))
    except ValueError:
        raise RpcError(INVALID_PARAMS, f"Invalid param: {value!r:.100} is not a base58 signature") from None


def _encoding(config: Any) -> str:
    encoding = config.get("encoding", "base64") if isinstance(config, dict) else "base64"
    if encoding != "base64":
        raise RpcError(INVALID_PARAMS, f"Invalid params: encoding {encoding!r:.40} (served: base64)")
    return "base64"


def _ui_account(account: Account | None, encoding: str) -> dict[str, Any] | None:
    if account is None:
        return None
    data = bytes(account.data)
    encoded = base64.b64encode(data).decode()
    return {
        "lamports": account.lamports,
        "owner": str(account.owner),
        "data": [encoded, encoding],
        "executable": account.executable,
        "rentEpoch": account.rent_epoch,
        "space": len(data),
    }


def _token_amount(amount: int, decimals: int) -> dict[str, Any]:
    ui = amount / 10**decimals
    text = f"{amount / 10**decimals:.{decimals}f}".rstrip("0").rstrip(".") if decimals else str(amount)
    return {"amount": str(amount), "decimals": decimals, "uiAmount": ui, "uiAmountString": text}


_FIELDLESS = re.compile(r"^TransactionErrorFieldless\.(\w+)$")
_CUSTOM = re.compile(
    r"^TransactionErrorInstructionError\(\((\d+), Tagged\(InstructionErrorCustom\((\d+)\)\)\)\)$"
)
_INSTRUCTION = re.compile(r"^TransactionErrorInstructionError\(\((\d+), Fieldless\((\w+)\)\)\)$")
_DUPLICATE = re.compile(r"^TransactionErrorDuplicateInstruction\((\d+)\)$")


def _error(error: str | None) -> Any:
    """A recorded error (solders' text of a ``TransactionError``) as the RPC's ``TransactionError`` JSON.

    ``"AccountNotFound"``, ``{"InstructionError": [0, {"Custom": 1}]}``, ... as the validator
    serializes them (clients like solana-py refuse any other shape). Forms not listed here pass
    through as text.
    """
    if error is None:
        return None
    if match := _FIELDLESS.match(error):
        return match[1]
    if match := _CUSTOM.match(error):
        return {"InstructionError": [int(match[1]), {"Custom": int(match[2])}]}
    if match := _INSTRUCTION.match(error):
        return {"InstructionError": [int(match[1]), match[2]]}
    if match := _DUPLICATE.match(error):
        return {"DuplicateInstruction": int(match[1])}
    return error


class SignatureWatches:
    """``signatureSubscribe`` over a Solana WebSocket (what @solana/web3.js confirms with).

    One per connection. A subscription fires once, when the signature has landed (at once if it
    already has), and is then gone, as on a validator. The server calls :meth:`due` after every
    message and on a short timer, since transactions also land in process.
    """

    LIMIT = 1_000

    def __init__(self, rpc: SolanaRpc) -> None:
        self.rpc = rpc
        self.pending: dict[int, Signature] = {}
        self._next_id = 0

    def reply(self, body: bytes | str) -> str | None:
        try:
            request = decode_json(body)
        except MalformedJson:
            return self.rpc.reply(body)
        if not isinstance(request, dict) or request.get("method") not in (
            "signatureSubscribe",
            "signatureUnsubscribe",
        ):
            return self.rpc.reply(body)
        request_id = request.get("id")
        params = request.get("params") or []
        try:
            if not isinstance(params, list) or not params:
                raise RpcError(INVALID_PARAMS, f"Invalid params: {request['method']} needs a parameter")
            if request["method"] == "signatureUnsubscribe":
                if not isinstance(params[0], int) or not 0 < params[0] <= self._next_id:
                    raise RpcError(INVALID_PARAMS, "Invalid subscription id.")
                self.pending.pop(params[0], None)
                result: Any = True
            else:
                if len(self.pending) >= self.LIMIT:
                    raise RpcError(-32000, f"too many signature subscriptions (limit {self.LIMIT})")
                self._next_id += 1
                self.pending[self._next_id] = _signature(params[0])
                result = self._next_id
        except RpcError as exc:
            return json.dumps(error_response(request_id, exc))
        return json.dumps({"jsonrpc": "2.0", "id": request_id, "result": result})

    def due(self) -> list[str]:
        """Notifications for the watched signatures that have landed since the last call."""
        notes = []
        for subscription, signature in tuple(self.pending.items()):
            record = self.rpc.chain.get_transaction(signature)
            if record is None:
                continue
            del self.pending[subscription]
            value = self.rpc._context({"err": _error(record.error)})
            value["context"] = {"slot": record.slot}
            params = {"result": value, "subscription": subscription}
            notes.append(json.dumps({"jsonrpc": "2.0", "method": "signatureNotification", "params": params}))
        return notes
