"""The lean client path: what the actors use instead of web3 on the hot path.

Why: web3's contract objects re-parse the ABI, run middleware and sign inside the provider on every
call; profiling the scripted pipeline put that client path at about a third of the run. An actor
sends thousands of transactions to the same few functions, so everything that does not change is
built once per contract:

* :class:`ContractCodec` holds, per function, its 4-byte selector and eth-abi types, and per
  event its topic and field layout, all read from the compiled artifact's ABI;
* :class:`Signer` builds EIP-1559 transactions with a locally tracked nonce, signs them with
  coincurve (libsecp256k1) and hands the raw bytes to the chain's raw-transaction entry point
  (:meth:`EvmChain.send_raw_transaction`, the same door ``eth_sendRawTransaction`` uses);
* :class:`LeanClient` makes calls through the engine seam and decodes their output with eth-abi,
  reads the receipts of sealed blocks in bulk, and decodes logs by topic.

Nothing here knows Cortensor; the actors name the functions they call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import rlp
from coincurve import PrivateKey
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_hash.auto import keccak

from ..artifacts import load_artifact
from ..chains.engine import CallRequest, InvalidTransaction
from ..chains.evm import EvmChain

MAX_FEE_PER_GAS = 100 * 10**9
"""Fee cap of every lean transaction (100 gwei): far above the devnet's 1 gwei base fee, so a
transaction is never refused for its fee while its sender pays only base fee plus tip."""

PRIORITY_FEE_PER_GAS = 0
"""The devnet's sequencers order by arrival, not by tip."""


class ClientError(RuntimeError):
    """A call reverted or a transaction was refused; says which function on which chain."""


def _canonical_type(item: Mapping[str, Any]) -> str:
    """An ABI parameter's canonical type string (tuples spelled out, as eth-abi wants them)."""
    kind = str(item["type"])
    if not kind.startswith("tuple"):
        return kind
    inner = ",".join(_canonical_type(c) for c in item["components"])
    return f"({inner}){kind[len('tuple') :]}"


@dataclass(frozen=True)
class FunctionCodec:
    """One function: selector, input and output types; encodes calldata, decodes results."""

    name: str
    signature: str
    selector: bytes
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]

    @classmethod
    def from_abi(cls, item: Mapping[str, Any]) -> FunctionCodec:
        inputs = tuple(_canonical_type(i) for i in item.get("inputs", ()))
        outputs = tuple(_canonical_type(o) for o in item.get("outputs", ()))
        signature = f"{item['name']}({','.join(inputs)})"
        return cls(item["name"], signature, keccak(signature.encode())[:4], inputs, outputs)

    def encode(self, *args: Any) -> bytes:
        return self.selector + abi_encode(self.inputs, args)

    def decode(self, data: bytes) -> tuple[Any, ...]:
        return tuple(abi_decode(self.outputs, data))

    def decode_input(self, calldata: bytes) -> tuple[Any, ...]:
        """The arguments of a call to this function (``calldata`` starts with its selector)."""
        if calldata[:4] != self.selector:
            raise ClientError(f"calldata is not a call to {self.signature}")
        return tuple(abi_decode(self.inputs, calldata[4:]))


@dataclass(frozen=True)
class EventCodec:
    """One event: its topic and which fields sit in topics and which in data."""

    name: str
    topic: bytes
    names: tuple[str, ...]
    indexed: tuple[bool, ...]
    types: tuple[str, ...]

    @classmethod
    def from_abi(cls, item: Mapping[str, Any]) -> EventCodec:
        types = tuple(_canonical_type(i) for i in item["inputs"])
        signature = f"{item['name']}({','.join(types)})"
        return cls(
            item["name"],
            keccak(signature.encode()),
            tuple(i["name"] for i in item["inputs"]),
            tuple(bool(i.get("indexed")) for i in item["inputs"]),
            types,
        )

    def decode(self, topics: Sequence[bytes], data: bytes) -> dict[str, Any]:
        """Field name -> value. Indexed dynamic fields are only their hash (as in Solidity)."""
        data_types = [t for t, ix in zip(self.types, self.indexed, strict=True) if not ix]
        data_values = iter(abi_decode(data_types, data))
        topic_values = iter(topics[1:])
        values: dict[str, Any] = {}
        for name, kind, indexed in zip(self.names, self.types, self.indexed, strict=True):
            if not indexed:
                values[name] = next(data_values)
            elif kind in ("string", "bytes") or kind.endswith("]") or kind.startswith("("):
                values[name] = next(topic_values)
            else:
                values[name] = abi_decode([kind], next(topic_values))[0]
        return values


@dataclass(frozen=True)
class ContractCodec:
    """Every function and event of one contract ABI, built once."""

    name: str
    functions: Mapping[str, FunctionCodec]
    """By name, and by full signature for overloaded names (``commit(uint256,uint256,string,bytes32)``)."""
    events: Mapping[bytes, EventCodec]
    """By topic."""

    @classmethod
    def from_abi(cls, name: str, abi: Iterable[Mapping[str, Any]]) -> ContractCodec:
        functions: dict[str, FunctionCodec] = {}
        overloaded: set[str] = set()
        events: dict[bytes, EventCodec] = {}
        for item in abi:
            if item.get("type") == "function":
                codec = FunctionCodec.from_abi(item)
                functions[codec.signature] = codec
                if codec.name in functions and codec.name not in overloaded:
                    overloaded.add(codec.name)
                functions.setdefault(codec.name, codec)
            elif item.get("type") == "event" and not item.get("anonymous"):
                event = EventCodec.from_abi(item)
                events[event.topic] = event
        for bare in overloaded:
            del functions[bare]  # an overloaded name must be called by its signature
        return cls(name, functions, events)

    @classmethod
    def of_artifact(cls, artifact: str) -> ContractCodec:
        return _codec_cache.setdefault(artifact, cls.from_abi(artifact, load_artifact(artifact).abi))

    def fn(self, name: str) -> FunctionCodec:
        try:
            return self.functions[name]
        except KeyError:
            raise ClientError(
                f"{self.name} has no function {name!r} (overloads need a full signature)"
            ) from None

    def event(self, name: str) -> EventCodec:
        for event in self.events.values():
            if event.name == name:
                return event
        raise ClientError(f"{self.name} has no event {name!r}")


_codec_cache: dict[str, ContractCodec] = {}


@dataclass
class Signer:
    """A key that signs EIP-1559 transactions for one chain with a locally tracked nonce."""

    key: bytes
    chain_id: int
    nonce: int
    address: bytes = field(init=False)
    public_key: bytes = field(init=False, repr=False)
    """The 64-byte secp256k1 public key (x || y): the node key NodePool stores for private sessions."""
    _private: PrivateKey = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._private = PrivateKey(self.key)
        self.public_key = self._private.public_key.format(compressed=False)[1:]
        self.address = keccak(self.public_key)[-20:]

    @property
    def hex_address(self) -> str:
        return "0x" + self.address.hex()

    def sign(self, to: bytes, data: bytes, gas: int, value: int = 0) -> bytes:
        """A signed type-2 transaction (EIP-2718 envelope) carrying the next nonce; the nonce moves on."""
        fields = [self.chain_id, self.nonce, PRIORITY_FEE_PER_GAS, MAX_FEE_PER_GAS, gas, to, value, data, []]
        digest = keccak(b"\x02" + rlp.encode(fields))
        signature = self._private.sign_recoverable(digest, hasher=None)
        r = int.from_bytes(signature[:32], "big")
        s = int.from_bytes(signature[32:64], "big")
        self.nonce += 1
        return b"\x02" + rlp.encode([*fields, signature[64], r, s])


@dataclass(frozen=True)
class Receipt:
    """What an actor needs of a receipt: status, gas, fee and the decoded logs of known contracts."""

    tx_hash: bytes
    block: int
    status: bool
    gas_used: int
    fee: int
    logs: tuple[tuple[bytes, Mapping[str, Any]], ...] = ()


@dataclass(frozen=True)
class DecodedLog:
    address: bytes
    block: int
    timestamp: int
    contract: str
    event: str
    args: Mapping[str, Any]
    tx_hash: bytes = b""
    """The transaction that emitted it."""


@dataclass(frozen=True)
class SealedTransaction:
    """What an actor reads of a sealed transaction: who sent it, to whom, with which calldata."""

    tx_hash: bytes
    sender: bytes
    to: bytes | None
    data: bytes


class LeanClient:
    """Calls, raw transactions, receipts and logs on one EVM chain, without web3."""

    def __init__(self, chain: EvmChain) -> None:
        self.chain = chain
        self.contracts: dict[bytes, ContractCodec] = {}
        """Known contracts by address, for decoding logs."""

    def register(self, address: bytes, codec: ContractCodec) -> None:
        self.contracts[address] = codec

    def signer(self, key: bytes) -> Signer:
        """A signer for ``key`` whose nonce starts at the chain's pending nonce."""
        signer = Signer(key, self.chain.chain_id, 0)
        signer.nonce = self.chain.pending_nonce(signer.address)
        return signer

    def send(self, signer: Signer, to: bytes, data: bytes, gas: int) -> bytes:
        """Sign and hand over one transaction; returns its hash.

        A refused nonce (a transaction dropped from a block leaves the local count ahead of the
        chain's) is re-read from the chain and the transaction signed again, once.
        """
        try:
            return self.chain.send_raw_transaction(signer.sign(to, data, gas))
        except InvalidTransaction as exc:
            if "nonce" not in str(exc):
                raise ClientError(f"{self.chain.name} refused a transaction: {exc}") from exc
            signer.nonce = self.chain.pending_nonce(signer.address)
            try:
                return self.chain.send_raw_transaction(signer.sign(to, data, gas))
            except InvalidTransaction as again:
                raise ClientError(f"{self.chain.name} refused a transaction: {again}") from again

    def call(self, to: bytes, fn: FunctionCodec, *args: Any, sender: bytes | None = None) -> tuple[Any, ...]:
        """``eth_call`` against the newest state as of the clock's time, decoded."""
        request = CallRequest(sender=sender, to=to, data=fn.encode(*args))
        try:
            out = self.chain.engine.call(request, at_time=int(self.chain.now), **_l1_number(self.chain))
        except Exception as exc:  # the engine raises ExecutionReverted and kin
            raise ClientError(f"{fn.signature} reverted on {self.chain.name}: {exc}") from exc
        return fn.decode(out)

    def receipt(self, tx_hash: bytes) -> Receipt | None:
        """The receipt of ``tx_hash`` if it is sealed (fee = gas used x effective gas price)."""
        raw = self.chain.engine.get_receipt(tx_hash)
        if raw is None:
            return None
        gas = int(raw["gasUsed"], 16)
        price = int(raw.get("effectiveGasPrice", "0x0"), 16)
        return Receipt(tx_hash, int(raw["blockNumber"], 16), raw["status"] == "0x1", gas, gas * price)

    def transaction(self, tx_hash: bytes) -> SealedTransaction | None:
        """The sealed transaction ``tx_hash`` (``eth_getTransactionByHash``), or None."""
        raw = self.chain.engine.get_transaction(tx_hash)
        if raw is None or raw.get("blockNumber") is None:
            return None
        to = bytes.fromhex(raw["to"][2:]) if raw.get("to") else None
        return SealedTransaction(tx_hash, bytes.fromhex(raw["from"][2:]), to, bytes.fromhex(raw["input"][2:]))

    def receipts(self, tx_hashes: Iterable[bytes]) -> dict[bytes, Receipt]:
        """The receipts of every sealed transaction among ``tx_hashes``, by hash."""
        found: dict[bytes, Receipt] = {}
        for tx_hash in tx_hashes:
            receipt = self.receipt(tx_hash)
            if receipt is not None:
                found[tx_hash] = receipt
        return found

    def logs(self, first: int, last: int) -> list[DecodedLog]:
        """Every log of a registered contract in blocks ``first..last``, decoded by topic, in order."""
        if last < first or not self.contracts:
            return []
        raw_logs = self.chain.engine.get_logs(first, last, tuple(self.contracts))
        raw_logs.sort(key=lambda log: (int(log["blockNumber"], 16), int(log["logIndex"], 16)))
        decoded: list[DecodedLog] = []
        for log in raw_logs:
            address = bytes.fromhex(log["address"][2:])
            topics = [bytes.fromhex(t[2:]) for t in log["topics"]]
            codec = self.contracts.get(address)
            event = codec.events.get(topics[0]) if codec and topics else None
            if codec is None or event is None:
                continue
            args = event.decode(topics, bytes.fromhex(log["data"][2:]))
            block, timestamp = int(log["blockNumber"], 16), int(log.get("blockTimestamp", "0x0"), 16)
            tx_hash = bytes.fromhex(log["transactionHash"][2:])
            decoded.append(DecodedLog(address, block, timestamp, codec.name, event.name, args, tx_hash))
        return decoded


def _l1_number(chain: EvmChain) -> dict[str, int]:
    return chain.l1_context()
