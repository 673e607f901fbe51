"""The payloads VAAs carry, and the memo a Solana user writes to send COR to an EVM chain.

* **Transfer** (wormhole-foundation/wormhole ``ethereum/contracts/bridge/BridgeStructs.sol``,
  payload id 1): ``payloadID u8 ++ amount u256 ++ tokenAddress bytes32 ++ tokenChain u16 ++ to
  bytes32 ++ toChain u16 ++ fee u256`` (133 bytes). Amounts here are SPL COR's raw units (9
  decimals).
* **GuardianSetUpgrade** (``GovernanceStructs.sol``): ``module bytes32 ("Core") ++ action u8 (2) ++
  chain u16 ++ newGuardianSetIndex u32 ++ n u8 ++ n x address``.
* **TransferWithPayload** (payload id 3): the same fields up to ``toChain``, then ``fromAddress
  bytes32 ++ payload``; only the ``to`` contract may redeem it, and it acts on the payload.
* **Bridge memo** (this devnet's convention, since the custody logic lives in the engine): a Memo
  instruction in the same transaction as the SPL transfer into custody, holding JSON
  ``{"wormhole": "transfer", "chain": <wormhole chain id>, "to": "0x<20-byte address>"}``, or, to
  onboard a miner, ``{"wormhole": "register", "chain": ..., "to": "0x<SolanaOnboarding>",
  "models": [<model id>, ...], "publicKey": "0x<hex>"}`` (a transfer with payload
  ``abi.encode(uint256[] models, bytes publicKey)`` to the onboarding contract). Session requests
  go with COR to SolanaSessions: ``"session"`` (``name``, ``model``, ``redundancy``, ``prompts``)
  opens one, ``"tasks"`` (``session``, ``prompts``) adds tasks. Requests without COR (a Memo
  alone, signed by the requester) become :class:`SolanaMessage` s: ``"close"`` (``session``) and
  ``"unbond"`` (a miner's node).
* **SolanaMessage** and **SessionResults**: ABI-encoded (see their classes), since only contracts
  and the engine read them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from eth_abi import decode, encode
from eth_abi.exceptions import DecodingError

TRANSFER_PAYLOAD_ID = 1
TRANSFER_WITH_PAYLOAD_ID = 3
TRANSFER_LENGTH = 133
CORE_MODULE = b"Core".rjust(32, b"\0")
ACTION_GUARDIAN_SET_UPGRADE = 2


class PayloadError(ValueError):
    """A payload or memo that does not parse; says what is wrong."""


@dataclass(frozen=True)
class Transfer:
    amount: int
    token_address: bytes
    token_chain: int
    to: bytes
    to_chain: int
    fee: int = 0

    def encode(self) -> bytes:
        return (
            bytes([TRANSFER_PAYLOAD_ID])
            + self.amount.to_bytes(32, "big")
            + self.token_address.rjust(32, b"\0")
            + self.token_chain.to_bytes(2, "big")
            + self.to.rjust(32, b"\0")
            + self.to_chain.to_bytes(2, "big")
            + self.fee.to_bytes(32, "big")
        )

    @classmethod
    def decode(cls, data: bytes) -> Transfer:
        if len(data) != TRANSFER_LENGTH or data[0] != TRANSFER_PAYLOAD_ID:
            raise PayloadError(f"not a Transfer payload ({len(data)} bytes, id {data[:1].hex() or 'none'})")
        return cls(
            amount=int.from_bytes(data[1:33], "big"),
            token_address=data[33:65],
            token_chain=int.from_bytes(data[65:67], "big"),
            to=data[67:99],
            to_chain=int.from_bytes(data[99:101], "big"),
            fee=int.from_bytes(data[101:133], "big"),
        )


@dataclass(frozen=True)
class TransferWithPayload:
    amount: int
    token_address: bytes
    token_chain: int
    to: bytes
    to_chain: int
    from_address: bytes
    payload: bytes

    def encode(self) -> bytes:
        return (
            bytes([TRANSFER_WITH_PAYLOAD_ID])
            + self.amount.to_bytes(32, "big")
            + self.token_address.rjust(32, b"\0")
            + self.token_chain.to_bytes(2, "big")
            + self.to.rjust(32, b"\0")
            + self.to_chain.to_bytes(2, "big")
            + self.from_address.rjust(32, b"\0")
            + self.payload
        )

    @classmethod
    def decode(cls, data: bytes) -> TransferWithPayload:
        if len(data) < TRANSFER_LENGTH or data[0] != TRANSFER_WITH_PAYLOAD_ID:
            raise PayloadError(
                f"not a TransferWithPayload ({len(data)} bytes, id {data[:1].hex() or 'none'})"
            )
        return cls(
            amount=int.from_bytes(data[1:33], "big"),
            token_address=data[33:65],
            token_chain=int.from_bytes(data[65:67], "big"),
            to=data[67:99],
            to_chain=int.from_bytes(data[99:101], "big"),
            from_address=data[101:133],
            payload=data[133:],
        )


def any_transfer(data: bytes) -> Transfer | TransferWithPayload:
    """Decode a token bridge payload of either kind (by its first byte)."""
    if data[:1] == bytes([TRANSFER_WITH_PAYLOAD_ID]):
        return TransferWithPayload.decode(data)
    return Transfer.decode(data)


def guardian_set_upgrade(chain: int, new_index: int, addresses: tuple[bytes, ...]) -> bytes:
    """The governance payload that installs guardian set ``new_index`` on ``chain`` (0: every chain)."""
    return (
        CORE_MODULE
        + bytes([ACTION_GUARDIAN_SET_UPGRADE])
        + chain.to_bytes(2, "big")
        + new_index.to_bytes(4, "big")
        + bytes([len(addresses)])
        + b"".join(addresses)
    )


MEMO_KINDS = ("transfer", "register", "session", "tasks", "close", "unbond")
"""What a bridge memo may ask (its ``"wormhole"`` field)."""
WITH_PAYLOAD = ("register", "session", "tasks")
"""Memo kinds that go with COR as a transfer with payload to a contract."""
MESSAGES = ("close", "unbond")
"""Memo kinds that carry no COR: a plain message from the Solana messenger emitter."""
SESSION_OPEN, SESSION_SUBMIT, SESSION_CLOSE = 1, 2, 3
"""SolanaSessions' actions (contracts/src/wormhole/SolanaSessions.sol)."""
NODE_UNBOND = 1
"""SolanaOnboarding's action (contracts/src/wormhole/SolanaOnboarding.sol)."""


@dataclass(frozen=True)
class BridgeMemo:
    """What a Solana user asks of the bridge, written in the transaction's Memo."""

    chain: int
    to: bytes
    models: tuple[int, ...] | None = None
    """Set for a miner registration (``"wormhole": "register"``)."""
    public_key: bytes = b""
    kind: str = ""
    """One of :data:`MEMO_KINDS`; defaults to ``register`` with models, else ``transfer``."""
    session: int = 0
    """The session a ``tasks`` or ``close`` request is for."""
    name: str = ""
    model: int = 0
    redundancy: int = 0
    prompts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.kind:
            object.__setattr__(self, "kind", "register" if self.models is not None else "transfer")

    @property
    def registration(self) -> bool:
        return self.kind == "register"

    @property
    def with_payload(self) -> bool:
        """Goes with COR to a contract that acts on the payload (a transfer with payload)."""
        return self.kind in WITH_PAYLOAD

    @property
    def message(self) -> bool:
        """Carries no COR: a plain message to a contract."""
        return self.kind in MESSAGES

    def encode(self) -> str:
        data: dict[str, object] = {"wormhole": self.kind, "chain": self.chain, "to": "0x" + self.to.hex()}
        if self.kind == "register":
            assert self.models is not None
            data.update(models=list(self.models), publicKey="0x" + self.public_key.hex())
        elif self.kind == "session":
            data.update(
                name=self.name, model=self.model, redundancy=self.redundancy, prompts=list(self.prompts)
            )
        elif self.kind == "tasks":
            data.update(session=self.session, prompts=list(self.prompts))
        elif self.kind == "close":
            data.update(session=self.session)
        return json.dumps(data, separators=(",", ":"))

    def payload(self) -> bytes:
        """What the contract receives: the payload of a transfer with payload, or a message's body."""
        if self.kind == "register":
            assert self.models is not None
            return encode(["uint256[]", "bytes"], [list(self.models), self.public_key])
        if self.kind in ("session", "tasks"):
            action = SESSION_OPEN if self.kind == "session" else SESSION_SUBMIT
            return encode(
                ["uint8", "uint256", "string", "uint256", "uint256", "string[]"],
                [action, self.session, self.name, self.model, self.redundancy, list(self.prompts)],
            )
        if self.kind == "close":
            return encode(["uint8", "uint256"], [SESSION_CLOSE, self.session])
        if self.kind == "unbond":
            return encode(["uint8", "uint256"], [NODE_UNBOND, 0])
        raise PayloadError(f"a {self.kind} memo has no payload")

    @classmethod
    def decode(cls, text: str) -> BridgeMemo:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PayloadError(f"memo is not JSON: {exc}") from None
        if not isinstance(data, dict) or data.get("wormhole") not in MEMO_KINDS:
            raise PayloadError(f'memo has no "wormhole": one of {", ".join(MEMO_KINDS)}')
        kind = data["wormhole"]
        chain, to = data.get("chain"), data.get("to")
        if not isinstance(chain, int) or not 0 < chain < 2**16:
            raise PayloadError(f"memo chain {chain!r} is not a Wormhole chain id")
        address = _hex(to, "recipient", 20)
        if kind in ("transfer", "unbond"):
            return cls(chain, address, kind=kind)
        if kind == "register":
            models = data.get("models")
            if (
                not isinstance(models, list)
                or not models
                or not all(isinstance(m, int) and 0 <= m < 2**256 for m in models)
            ):
                raise PayloadError(f"memo models {models!r} must be a non-empty list of model ids")
            public_key = _hex(data.get("publicKey", "0x"), "publicKey", None)
            return cls(chain, address, tuple(models), public_key)
        if kind == "session":
            name, model, redundancy = data.get("name"), data.get("model"), data.get("redundancy")
            if not isinstance(name, str):
                raise PayloadError(f"memo session name {name!r} is not a string")
            if not isinstance(model, int) or not 0 <= model < 2**256:
                raise PayloadError(f"memo model {model!r} is not a model id")
            if not isinstance(redundancy, int) or not 1 <= redundancy <= 16:
                raise PayloadError(f"memo redundancy {redundancy!r} is not 1 to 16 miners")
            return cls(
                chain,
                address,
                kind=kind,
                name=name,
                model=model,
                redundancy=redundancy,
                prompts=_prompts(data),
            )
        session = data.get("session")
        if not isinstance(session, int) or not 0 <= session < 2**256:
            raise PayloadError(f"memo session {session!r} is not a session id")
        prompts = _prompts(data) if kind == "tasks" else ()
        return cls(chain, address, kind=kind, session=session, prompts=prompts)


def _prompts(data: dict[str, object]) -> tuple[str, ...]:
    prompts = data.get("prompts")
    if not isinstance(prompts, list) or not prompts or not all(isinstance(p, str) and p for p in prompts):
        raise PayloadError(f"memo prompts {prompts!r} must be a non-empty list of non-empty strings")
    return tuple(prompts)  # type: ignore[arg-type]


@dataclass(frozen=True)
class SolanaMessage:
    """A message from the Solana messenger emitter to an EVM contract (no COR):
    ``abi.encode(bytes32 to, uint16 toChain, bytes32 from, bytes body)`` (SolanaReceiver.sol), where
    ``from`` is the Solana account that signed the request."""

    to: bytes
    to_chain: int
    from_address: bytes
    body: bytes

    def encode(self) -> bytes:
        return encode(
            ["bytes32", "uint16", "bytes32", "bytes"],
            [self.to.rjust(32, b"\0"), self.to_chain, self.from_address.rjust(32, b"\0"), self.body],
        )

    @classmethod
    def decode(cls, data: bytes) -> SolanaMessage:
        try:
            to, to_chain, sender, body = decode(["bytes32", "uint16", "bytes32", "bytes"], data)
        except (DecodingError, ValueError) as exc:
            raise PayloadError(f"not a Solana message: {exc}") from None
        return cls(to, to_chain, sender, body)


@dataclass(frozen=True)
class SessionResults:
    """Results a Solana session's contract published for Solana (SolanaSessions.publishResults):
    ``abi.encode(bytes32 owner, uint256 session, uint256[] taskIds, bytes32[] digests, string[]
    results)``; a task with no VALID miner has an empty result and a zero digest."""

    owner: bytes
    session: int
    task_ids: tuple[int, ...]
    digests: tuple[bytes, ...]
    results: tuple[str, ...]

    @classmethod
    def decode(cls, data: bytes) -> SessionResults:
        try:
            owner, session, tasks, digests, results = decode(
                ["bytes32", "uint256", "uint256[]", "bytes32[]", "string[]"], data
            )
        except (DecodingError, ValueError) as exc:
            raise PayloadError(f"not session results: {exc}") from None
        if not len(tasks) == len(digests) == len(results):
            raise PayloadError("session results: task ids, digests and results differ in length")
        return cls(owner, session, tuple(tasks), tuple(digests), tuple(results))


def _hex(value: object, what: str, length: int | None) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise PayloadError(f"memo {what} {value!r} is not 0x-prefixed hex")
    try:
        raw = bytes.fromhex(value[2:])
    except ValueError:
        raise PayloadError(f"memo {what} {value!r} is not hex") from None
    if length is not None and len(raw) != length:
        raise PayloadError(f"memo {what} {value!r} is not a 0x-prefixed {length}-byte address")
    return raw
