"""Deploy and wire a Nitro chain's parent-side contracts: Bridge, Inbox, SequencerInbox, Outbox, Rollup,
and COR's token gateways.

The wiring follows nitro-contracts' RollupCreator: the Bridge allows the Inbox as a delayed inbox
and the Outbox as an outbox, and knows the Rollup; the Outbox takes send roots only from the
Rollup; the Rollup names its validators and challengers. The token gateways follow
OffchainLabs/token-bridge-contracts' deployment: the parent gateway learns its child twin in
``initialize``, the child gateway its parent twin in its constructor (so each address is known before
the other is deployed).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import rlp
from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak
from web3 import Web3

from ...artifacts import load_artifact
from ...chains.evm import EvmChain
from .transactions import calldata, receipt, send


@dataclass(frozen=True)
class NitroParentContracts:
    """Checksummed addresses of one Nitro chain's contracts on its parent."""

    bridge: str
    inbox: str
    sequencer_inbox: str
    outbox: str
    rollup: str
    parent_gateway: str | None = None
    """ParentCORGateway on the parent (none for a custom-gas-token chain: its inbox takes no ETH)."""
    child_gateway: str | None = None
    """ChildCORGateway on the child, where the parent gateway sends its deposits."""

    def names(self) -> dict[str, str]:
        """Name -> address, with the names nitro-contracts uses (the gateways by contract name)."""
        named = {
            "Bridge": self.bridge,
            "Inbox": self.inbox,
            "SequencerInbox": self.sequencer_inbox,
            "Outbox": self.outbox,
            "Rollup": self.rollup,
        }
        if self.parent_gateway and self.child_gateway:
            named |= {"ParentCORGateway": self.parent_gateway, "ChildCORGateway": self.child_gateway}
        return named


def create_address(sender: str, nonce: int) -> str:
    """The address a CREATE from ``sender`` at ``nonce`` gives (Yellow Paper eq. 85)."""
    return Web3.to_checksum_address(keccak(rlp.encode([bytes.fromhex(sender[2:]), nonce]))[12:])


def deploy_parent_contracts(
    parent: EvmChain,
    owner: LocalAccount,
    *,
    confirm_period_blocks: int,
    validators: Sequence[str] = (),
    challengers: Sequence[str] = (),
    batch_posters: Sequence[str] = (),
    native_token: str | None = None,
) -> NitroParentContracts:
    """Deploy the five contracts on ``parent`` from ``owner`` (a dev account) and wire them.

    With ``native_token`` (an ERC-20 on ``parent``) the child's currency is that token: an
    ERC20Bridge escrows it and an ERC20Inbox takes deposits in it (an Orbit custom gas token).
    """
    deploy = parent.deploy
    if native_token is None:
        bridge = deploy(load_artifact("Bridge"), sender=owner.address).address
        inbox = deploy(load_artifact("Inbox"), bridge, sender=owner.address).address
    else:
        bridge = deploy(load_artifact("ERC20Bridge"), native_token, sender=owner.address).address
        inbox = deploy(load_artifact("ERC20Inbox"), bridge, sender=owner.address).address
    sequencer_inbox = deploy(load_artifact("SequencerInbox"), bridge, sender=owner.address).address
    rollup = deploy(load_artifact("Rollup"), bridge, confirm_period_blocks, sender=owner.address).address
    outbox = deploy(load_artifact("Outbox"), bridge, rollup, sender=owner.address).address
    wiring = [
        (bridge, calldata("setDelayedInbox(address,bool)", ["address", "bool"], [inbox, True])),
        (bridge, calldata("setOutbox(address,bool)", ["address", "bool"], [outbox, True])),
        (bridge, calldata("setRollup(address)", ["address"], [rollup])),
        (bridge, calldata("setSequencerInbox(address)", ["address"], [sequencer_inbox])),
        *[(sequencer_inbox, _allow("setIsBatchPoster", poster)) for poster in batch_posters],
        (rollup, calldata("setOutbox(address)", ["address"], [outbox])),
        *[(rollup, _allow("setValidator", v)) for v in validators],
        *[(rollup, _allow("setChallenger", c)) for c in challengers],
    ]
    for to, data in wiring:
        receipt(parent, send(parent, owner, to, data))
    addresses = (bridge, inbox, sequencer_inbox, outbox, rollup)
    return NitroParentContracts(*(Web3.to_checksum_address(a) for a in addresses))


def deploy_gateways(
    parent: EvmChain, owner: LocalAccount, contracts: NitroParentContracts
) -> tuple[NitroParentContracts, str]:
    """Deploy ParentCORGateway on ``parent`` wired to ``contracts``' Inbox and Bridge, and
    ChildCORGateway's runtime code (returned with the contracts naming both): the child gateway is
    deployed on ``parent`` too, from the same owner, and the caller lays its code at its address in
    the child's genesis (its runtime code depends only on its constructor's argument)."""
    nonce = parent.w3.eth.get_transaction_count(owner.address)
    child_gateway = create_address(owner.address, nonce + 1)
    gateway = parent.deploy(
        load_artifact("ParentCORGateway"), contracts.inbox, contracts.bridge, sender=owner.address
    ).address
    deployed = parent.deploy(load_artifact("ChildCORGateway"), gateway, sender=owner.address).address
    assert deployed == child_gateway, "the child gateway's address was mispredicted"
    receipt(
        parent, send(parent, owner, gateway, calldata("initialize(address)", ["address"], [child_gateway]))
    )
    named = dataclasses.replace(contracts, parent_gateway=gateway, child_gateway=child_gateway)
    return named, child_gateway


def _allow(setter: str, who: str) -> bytes:
    return calldata(f"{setter}(address,bool)", ["address", "bool"], [who, True])
