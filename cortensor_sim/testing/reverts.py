"""Readable reverts: which chain, which contract, and the decoded custom error or reason.

web3 raises ``ContractCustomError`` with nothing but hex (``0x7c6d1a2f0000...``) and no word of
the chain it came from; on a devnet of five chains both matter. A :class:`RevertRecorder` sits in
each chain's web3 middleware and notes every revert answer (JSON-RPC error code 3, as geth and
anvil give it) with the chain, the method and the contract called. When a test fails on a revert,
the plugin finds the note whose data matches the exception's and :class:`ContractBook` decodes it
against every ABI it knows: the bundled artifacts, the Cortensor contracts and whatever the
``deploy`` fixture deployed.

Solidity's encodings (the ``Error(string)`` and ``Panic(uint256)`` builtins, custom errors as a
4-byte selector plus ABI-encoded arguments) are described in the Solidity documentation,
"Error handling: Assert, Require, Revert and Exceptions" (ethereum/solidity, docs/control-structures.rst).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
from eth_utils import function_signature_to_4byte_selector, to_checksum_address
from eth_utils.abi import collapse_if_tuple
from web3.exceptions import ContractLogicError

__all__ = [
    "PANIC_REASONS",
    "ContractBook",
    "RecordedRevert",
    "RevertLog",
    "RevertRecorder",
    "revert_data",
]

ERROR_STRING = function_signature_to_4byte_selector("Error(string)")
PANIC = function_signature_to_4byte_selector("Panic(uint256)")

PANIC_REASONS: dict[int, str] = {
    0x00: "generic compiler panic",
    0x01: "assert failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division or modulo by zero",
    0x21: "conversion to an enum out of range",
    0x22: "incorrectly encoded storage byte array",
    0x31: "pop() on an empty array",
    0x32: "array index out of bounds",
    0x41: "out of memory (allocation too large)",
    0x51: "call to a zero-initialized internal function",
}
"""Solidity's panic codes (docs/control-structures.rst, "Panic via assert and Error via require")."""


@dataclass(frozen=True)
class RecordedRevert:
    chain: str
    method: str
    to: str | None
    data: bytes
    message: str


class RevertLog:
    """The latest reverts the devnet's chains answered, newest last (a bounded history)."""

    def __init__(self, size: int = 64) -> None:
        self._entries: deque[RecordedRevert] = deque(maxlen=size)

    def record(self, entry: RecordedRevert) -> None:
        self._entries.append(entry)

    def clear(self) -> None:
        self._entries.clear()

    def find(self, data: bytes) -> RecordedRevert | None:
        """The newest revert whose payload is ``data``."""
        for entry in reversed(self._entries):
            if entry.data == data:
                return entry
        return None


def _hex_bytes(value: object) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, str):
        text = value[2:] if value.startswith("0x") else value
        try:
            return bytes.fromhex(text)
        except ValueError:
            return b""
    return b""


def _call_target(params: Any) -> str | None:
    if isinstance(params, list | tuple) and params and isinstance(params[0], dict):
        to = params[0].get("to")
        if isinstance(to, bytes | bytearray):
            return to_checksum_address(bytes(to))
        if isinstance(to, str) and to:
            return to_checksum_address(to)
    return None


class RevertRecorder:
    """web3 middleware (``w3.middleware_onion.add(RevertRecorder.on(chain, log))``) that notes reverts."""

    def __init__(self, chain: str, log: RevertLog) -> None:
        self.chain = chain
        self.log = log

    @classmethod
    def on(cls, chain: str, log: RevertLog) -> Callable[[Any], RevertRecorder]:
        """A middleware factory for web3's onion, which instantiates middleware with the ``Web3``."""
        recorder = cls(chain, log)
        return lambda _w3: recorder

    def wrap_make_request(self, make_request: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        def middleware(method: Any, params: Any) -> Any:
            response = make_request(method, params)
            error = response.get("error") if isinstance(response, dict) else None
            if isinstance(error, dict) and error.get("code") == 3:
                self.log.record(
                    RecordedRevert(
                        chain=self.chain,
                        method=str(method),
                        to=_call_target(params),
                        data=_hex_bytes(error.get("data")),
                        message=str(error.get("message", "")),
                    )
                )
            return response

        return middleware

    def wrap_make_batch_request(self, make_batch_request: Callable[[Any], Any]) -> Callable[[Any], Any]:
        return make_batch_request


def revert_data(exc: BaseException) -> bytes | None:
    """The revert payload of a web3 contract error, or None if ``exc`` is not one."""
    if not isinstance(exc, ContractLogicError):
        return None
    data = exc.data
    if isinstance(data, dict):
        data = data.get("data")
    return _hex_bytes(data)


def _signature(error_abi: dict[str, Any]) -> str:
    types = ",".join(collapse_if_tuple(dict(i)) for i in error_abi.get("inputs", []))
    return f"{error_abi['name']}({types})"


class ContractBook:
    """Contract names by (chain, address), and every known custom error by selector."""

    def __init__(
        self,
        abis: Callable[[], Iterable[list[dict[str, Any]]]] = lambda: (),
        words: dict[bytes, str] | None = None,
    ) -> None:
        self._words = dict(words or {})
        """Names of well-known 32-byte values (role ids), shown beside the hex."""
        self._names: dict[tuple[str, str], str] = {}
        self._errors: dict[bytes, dict[str, Any]] = {}
        self._lazy_abis: Callable[[], Iterable[list[dict[str, Any]]]] | None = abis

    def register(self, chain: str, address: str, name: str, abi: list[dict[str, Any]]) -> None:
        self._names[(chain, to_checksum_address(address))] = name
        self._add_errors(abi)

    def _add_errors(self, abi: list[dict[str, Any]]) -> None:
        for entry in abi:
            if entry.get("type") == "error":
                self._errors.setdefault(function_signature_to_4byte_selector(_signature(entry)), entry)

    def name_of(self, chain: str, address: str | None) -> str | None:
        if address is None:
            return None
        return self._names.get((chain, to_checksum_address(address)))

    def _error(self, selector: bytes) -> dict[str, Any] | None:
        if selector not in self._errors and self._lazy_abis is not None:
            for abi in self._lazy_abis():  # the bundled artifacts, read only when first needed
                self._add_errors(abi)
            self._lazy_abis = None
        return self._errors.get(selector)

    def decode(self, data: bytes) -> str:
        """``reason "..."``, ``panic 0x11 (arithmetic overflow or underflow)``, ``Name(arg=value)``."""
        if not data:
            return "no revert data (a bare revert(), or out of gas)"
        selector, body = data[:4], data[4:]
        try:
            if selector == ERROR_STRING:
                (reason,) = abi_decode(["string"], body)
                return f"reason {reason!r}"
            if selector == PANIC:
                (code,) = abi_decode(["uint256"], body)
                return f"panic {code:#04x} ({PANIC_REASONS.get(code, 'unknown panic code')})"
            error = self._error(selector)
            if error is None:
                return f"unknown custom error 0x{selector.hex()} (data 0x{data.hex()})"
            inputs = error.get("inputs", [])
            values = abi_decode([collapse_if_tuple(dict(i)) for i in inputs], body) if inputs else ()
        except DecodingError as exc:
            return f"undecodable revert data 0x{data.hex()} ({exc})"
        args = ", ".join(
            f"{i.get('name') or f'arg{n}'}={self._show(i.get('type', ''), v)}"
            for n, (i, v) in enumerate(zip(inputs, values, strict=True))
        )
        return f"{error['name']}({args})"

    def describe(self, revert: RecordedRevert) -> str:
        """One line: where it reverted and why."""
        where = revert.chain
        name = self.name_of(revert.chain, revert.to)
        if revert.to is not None:
            where += f": {name} at {revert.to}" if name else f": {revert.to}"
        return f"{where} reverted ({revert.method}): {self.decode(revert.data)}"

    def _show(self, abi_type: str, value: object) -> str:
        if abi_type == "address" and isinstance(value, str):
            return to_checksum_address(value)
        if isinstance(value, bytes):
            word = self._words.get(value)
            return f"{word} (0x{value.hex()})" if word else "0x" + value.hex()
        if isinstance(value, tuple | list):
            return "(" + ", ".join(self._show("", v) for v in value) + ")"
        return repr(value) if isinstance(value, str) else str(value)
