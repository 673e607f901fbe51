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
  ``abi.encode(uint256[] models, bytes publicKey)`` to the onboarding contract).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from eth_abi import encode

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


@dataclass(frozen=True)
class BridgeMemo:
    """What a Solana user asks of the bridge, written in the transfer's Memo."""

    chain: int
    to: bytes
    models: tuple[int, ...] | None = None
    """Set for a miner registration (``"wormhole": "register"``)."""
    public_key: bytes = b""

    @property
    def registration(self) -> bool:
        return self.models is not None

    def encode(self) -> str:
        data: dict[str, object] = {"wormhole": "register" if self.registration else "transfer"}
        data.update(chain=self.chain, to="0x" + self.to.hex())
        if self.models is not None:
            data.update(models=list(self.models), publicKey="0x" + self.public_key.hex())
        return json.dumps(data)

    def payload(self) -> bytes:
        """The payload a registration carries to the onboarding contract."""
        assert self.models is not None
        return encode(["uint256[]", "bytes"], [list(self.models), self.public_key])

    @classmethod
    def decode(cls, text: str) -> BridgeMemo:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PayloadError(f"memo is not JSON: {exc}") from None
        if not isinstance(data, dict) or data.get("wormhole") not in ("transfer", "register"):
            raise PayloadError('memo has no "wormhole": "transfer" or "register"')
        chain, to = data.get("chain"), data.get("to")
        if not isinstance(chain, int) or not 0 < chain < 2**16:
            raise PayloadError(f"memo chain {chain!r} is not a Wormhole chain id")
        address = _hex(to, "recipient", 20)
        if data["wormhole"] == "transfer":
            return cls(chain, address)
        models = data.get("models")
        if (
            not isinstance(models, list)
            or not models
            or not all(isinstance(m, int) and 0 <= m < 2**256 for m in models)
        ):
            raise PayloadError(f"memo models {models!r} must be a non-empty list of model ids")
        return cls(chain, address, tuple(models), _hex(data.get("publicKey", "0x"), "publicKey", None))


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
