"""What every Nitro precompile shares: ABI dispatch by selector, and ArbOS's gas for what it touches.

A Nitro precompile is Go code behind a Solidity interface; here it is Python behind the same
interface (OffchainLabs/nitro-precompile-interfaces), run by the engine seam's
:class:`~cortensor_sim.chains.engine.Precompile` hook. State lives in the storage of the precompile's
own address, so snapshots, state files and state roots cover it.

Gas follows ArbOS's storage pricing (OffchainLabs/nitro ``arbos/storage/storage.go``): a read costs
800 (``params.SloadGasEIP2200``), a write 20,000 to set a zero slot and 5,000 otherwise, and each
log the LOG opcode's price; calling a method costs a flat 100 on top, as a warm call would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from eth_abi import decode, encode
from eth_abi.exceptions import DecodingError
from eth_hash.auto import keccak

from ...chains.abi_signatures import parameter_types, selector
from ...chains.engine import Precompile, PrecompileCall, PrecompileHost, PrecompileRevert

METHOD_GAS = 100
STORAGE_READ_GAS = 800
STORAGE_SET_GAS = 20_000
STORAGE_RESET_GAS = 5_000


def precompile_address(number: int) -> bytes:
    return number.to_bytes(20, "big")


def error_data(signature: str, types: Sequence[str] = (), values: Sequence[Any] = ()) -> bytes:
    """A Solidity custom error as revert data (selector ++ ABI-encoded arguments)."""
    return selector(signature) + encode(list(types), list(values))


@dataclass(frozen=True)
class Method:
    """One function of a precompile's Solidity interface."""

    signature: str
    returns: tuple[str, ...]
    payable: bool
    handler: Callable[..., Any]

    @property
    def inputs(self) -> list[str]:
        return parameter_types(self.signature)


def method(signature: str, returns: Sequence[str] = (), payable: bool = False) -> Callable[..., Any]:
    """Mark a handler as the implementation of ``signature`` returning ``returns``."""

    def mark(handler: Callable[..., Any]) -> Callable[..., Any]:
        handler.__nitro_method__ = (signature, tuple(returns), payable)  # type: ignore[attr-defined]
        return handler

    return mark


class Storage:
    """One precompile's storage, charged as ArbOS charges it."""

    def __init__(self, host: PrecompileHost, address: bytes) -> None:
        self.host = host
        self.address = address

    def get(self, slot: int) -> int:
        self.host.charge_gas(STORAGE_READ_GAS)
        return self.host.get_storage(self.address, slot)

    def set(self, slot: int, value: int) -> None:
        current = self.host.get_storage(self.address, slot)
        self.host.charge_gas(STORAGE_SET_GAS if current == 0 and value != 0 else STORAGE_RESET_GAS)
        self.host.set_storage(self.address, slot, value)

    def get_bytes32(self, slot: int) -> bytes:
        return self.get(slot).to_bytes(32, "big")

    def set_bytes32(self, slot: int, value: bytes) -> None:
        self.set(slot, int.from_bytes(value, "big"))


def slot_of(name: str, *keys: int | bytes) -> int:
    """A storage slot derived from a name and keys: ``keccak256(name ++ key...)``."""
    raw = name.encode() + b"".join(k if isinstance(k, bytes) else k.to_bytes(32, "big") for k in keys)
    return int.from_bytes(keccak(raw), "big")


class NitroPrecompile(Precompile):
    """A precompile whose methods are the handlers marked with :func:`method`."""

    address: bytes
    name: ClassVar[str]
    _methods: ClassVar[dict[bytes, Method]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._methods = {}
        for attribute in vars(cls).values():
            marked = getattr(attribute, "__nitro_method__", None)
            if marked is not None:
                signature, returns, payable = marked
                cls._methods[selector(signature)] = Method(signature, returns, payable, attribute)

    def run(self, call: PrecompileCall, host: PrecompileHost) -> bytes:
        host.charge_gas(METHOD_GAS)
        found = self._methods.get(call.data[:4])
        if found is None:
            raise PrecompileRevert(f"{self.name}: unknown selector 0x{call.data[:4].hex()}")
        if call.value and not found.payable:
            raise PrecompileRevert(f"{self.name}.{found.signature} is not payable")
        try:
            args = decode(found.inputs, call.data[4:])
        except (DecodingError, ValueError) as exc:
            raise PrecompileRevert(f"{self.name}.{found.signature}: bad arguments ({exc})") from exc
        result = found.handler(self, call, host, *args)
        if not found.returns:
            return b""
        values = result if len(found.returns) > 1 else (result,)
        return encode(list(found.returns), list(values))

    def storage(self, host: PrecompileHost) -> Storage:
        return Storage(host, self.address)

    def emit(self, host: PrecompileHost, topics: Sequence[bytes], data: bytes) -> None:
        host.charge_gas(375 + 375 * len(topics) + 8 * len(data))
        host.emit_log(self.address, topics, data)
