"""Shared steps of the guardian bridge tests: an EVM user's transferTokens, the core contract's
verdict on a VAA, and conservation."""

from __future__ import annotations

from eth_abi import decode

from cortensor_sim import Devnet
from cortensor_sim.bridge.transactions import ActorAccount, calldata
from cortensor_sim.bridge.wormhole import WormholeStack
from cortensor_sim.chains.engine import CallRequest

VM_TYPE = (
    "(uint8,uint32,uint32,uint16,bytes32,uint64,uint8,bytes,uint32,(bytes32,bytes32,uint8,uint8)[],bytes32)"
)


def evm_user(devnet: Devnet, index: int = 1) -> ActorAccount:
    return ActorAccount(bytes(devnet.evm("arbitrum").accounts[index].key))


def send_to_solana(
    devnet: Devnet, bridge: WormholeStack, user: ActorAccount, wei: int, recipient: object
) -> bytes:
    data = bridge.send_to_solana_calldata(wei, recipient)  # type: ignore[arg-type]
    return user.send(devnet.evm("arbitrum"), bridge.laid.contracts.token_bridge, data)


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
    """COR locked in Solana custody equals wrapped COR on the EVM side (at rest)."""
    assert bridge.cor is not None
    return bridge.cor.locked * 10**9 == bridge.wrapped_supply()
