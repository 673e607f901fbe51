"""Wormhole chain ids and the devnet's fixed keys for the guardian bridge.

Chain ids are Wormhole's own (wormhole-foundation/wormhole ``sdk/rust/core/src/chain.rs`` and the
``ChainID`` list in ``node/pkg/vaa/structs.go``): Solana 1, Ethereum 2, Arbitrum 23, Base 30. A
devnet chain is mapped by its kind (and its name for the well-known ones).
"""

from __future__ import annotations

import hashlib

from eth_account import Account
from solders.keypair import Keypair

SOLANA_CHAIN_ID = 1
GOVERNANCE_CHAIN_ID = 1
GOVERNANCE_EMITTER = (4).to_bytes(32, "big")
"""Wormhole's governance emitter: chain 1, address 0x...04."""

_KIND_CHAIN_IDS = {"ethereum": 2, "nitro": 23, "op-stack": 30, "orbit": 23, "solana": 1}
_NAME_CHAIN_IDS = {"l1": 2, "arbitrum": 23, "base": 30}
SOLANA_CONSISTENCY_FINALIZED = 32
"""Solana's ``Finalized`` commitment as Wormhole's Solana emitters put it in a VAA."""


def wormhole_chain_id(name: str, kind: str) -> int:
    """The Wormhole chain id of devnet chain ``name`` (of ``kind``)."""
    return _NAME_CHAIN_IDS.get(name, _KIND_CHAIN_IDS[kind])


def _material(seed: bytes, role: str) -> bytes:
    return hashlib.sha256(b"cortensor-sim/wormhole/" + role.encode() + b"\0" + seed).digest()


def solana_keypair(seed: bytes, role: str) -> Keypair:
    """A Solana keypair of the bridge (``custody`` authority, COR ``mint``), from the devnet seed."""
    return Keypair.from_seed(_material(seed, "solana/" + role))


def messenger_address(seed: bytes) -> bytes:
    """The Solana emitter of requests without COR (close a session, unbond a node): on Wormhole, a
    program-derived emitter of the program that posts them; here a key from the seed, never used
    to sign (the guardians attest what the engine observed)."""
    return bytes(solana_keypair(seed, "messenger").pubkey())


def evm_key(seed: bytes, role: str) -> bytes:
    """An EVM private key of the bridge (``deployer``, ``relayer``), from the devnet seed."""
    return _material(seed, "evm/" + role)


def evm_address(seed: bytes, role: str) -> bytes:
    return bytes.fromhex(Account.from_key(evm_key(seed, role)).address[2:])
