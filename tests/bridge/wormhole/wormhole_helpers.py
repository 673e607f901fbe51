"""Shared steps of the guardian bridge tests: SPL COR brought from l1, an EVM user's transferTokens,
the core contract's verdict on a VAA, and conservation."""

from __future__ import annotations

import weakref

from eth_abi import decode
from solders.pubkey import Pubkey

from cortensor_sim import Devnet
from cortensor_sim.bridge import MessageRecord
from cortensor_sim.bridge.transactions import ActorAccount, calldata
from cortensor_sim.bridge.wormhole import WormholeStack
from cortensor_sim.chains.engine import CallRequest
from cortensor_sim.protocol.funding import fund_on_solana

VM_TYPE = (
    "(uint8,uint32,uint32,uint16,bytes32,uint64,uint8,bytes,uint32,(bytes32,bytes32,uint8,uint8)[],bytes32)"
)


def evm_user(devnet: Devnet, index: int = 1) -> ActorAccount:
    return ActorAccount(bytes(devnet.evm("arbitrum").accounts[index].key))


_FUNDED: weakref.WeakKeyDictionary[Devnet, set[str]] = weakref.WeakKeyDictionary()
"""Per devnet: the messages its tests' funding sent (the gateway deposit, the transfer to Solana)."""


def fund_solana(devnet: Devnet, bridge: WormholeStack, owner: Pubkey, units: int) -> None:
    """``units`` of SPL COR for ``owner``, brought from l1's holder (gateway, then transferTokens);
    :func:`moved` leaves out the messages this sent."""
    before = {m.id for m in devnet.messages()}
    fund_on_solana(devnet, bridge, {owner: units})
    _FUNDED.setdefault(devnet, set()).update(m.id for m in devnet.messages() if m.id not in before)


def moved(devnet: Devnet, kind: str | None = "token-transfer") -> list[MessageRecord]:
    """The devnet's messages of ``kind`` but the ones :func:`fund_solana` sent."""
    funded = _FUNDED.get(devnet, set())
    return [m for m in devnet.messages(kind=kind) if m.id not in funded]


def send_to_solana(
    devnet: Devnet, bridge: WormholeStack, user: ActorAccount, wei: int, recipient: Pubkey
) -> bytes:
    del devnet  # the bridge knows its EVM chain
    return bridge.send_to_solana(user, wei, recipient)


def core_verdict(devnet: Devnet, bridge: WormholeStack, vaa: bytes) -> tuple[bool, str]:
    """``WormholeCore.parseAndVerifyVM(vaa)`` at the chain's time: (valid, reason)."""
    evm = devnet.evm("arbitrum")
    request = CallRequest(to=bridge.laid.contracts.core, data=calldata("parseAndVerifyVM(bytes)", vaa))
    output = evm.engine.call(request, at_time=int(evm.now))
    _vm, valid, reason = decode([VM_TYPE, "bool", "string"], output)
    return bool(valid), str(reason)


def settle(devnet: Devnet, seconds: float = 20) -> None:
    devnet.advance(seconds)
    assert all(m.done for m in devnet.messages(kind="token-transfer"))


def conserved(bridge: WormholeStack) -> bool:
    """COR locked in the token bridge equals SPL COR's supply plus what is in flight or stranded."""
    return bridge.locked() == bridge.minted() + bridge.in_flight() + bridge.stranded()
