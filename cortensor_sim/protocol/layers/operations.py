"""What miners, the network's validators and anyone else do across the layers, as transactions.

Each operation sends one transaction on one chain and then follows the messages it started to
their end on the simulated clock (:func:`follow`), returning their records. A message that the
engine marks ``failed`` (its call reverted on the destination) raises
:class:`LayerOperationFailed` with the record, so a caller never mistakes a refused registration
for a done one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ...artifacts import load_artifact
from ...bridge import MessageRecord, MessageStatus
from ...chains.devnet import Devnet
from ...chains.evm import EvmChain
from ..network import CortensorNetwork, Step, StepFailed
from ..privacy.crypto import public_key_of
from .deployment import (
    MAX_FEE_PER_GAS,
    RETRYABLE_GAS_LIMIT,
    CrossLayerContracts,
    L3Checkpoints,
    LayerNames,
    deploy_l3_checkpoints,
    deploy_layers,
)
from .messages import auto_redeem_failed, follow

__all__ = ["CrossLayer", "LayerOperationFailed"]

#: NodePool.recordL1Stake's calldata: selector and two words.
STAKE_RECORD_LENGTH = 4 + 2 * 32


class LayerOperationFailed(StepFailed):
    """A cross-layer transaction was refused, or a message it sent failed on its destination."""


@dataclass
class CrossLayer:
    """The cross-layer contracts of a devnet and the protocol on arbitrum they serve."""

    devnet: Devnet
    network: CortensorNetwork
    contracts: CrossLayerContracts
    names: LayerNames = field(default_factory=LayerNames)
    l3: L3Checkpoints | None = None
    l3_network: CortensorNetwork | None = None

    @classmethod
    def deploy(cls, devnet: Devnet, network: CortensorNetwork, **options: Any) -> CrossLayer:
        """Deploy the cross-layer contracts around ``network`` (see :func:`deploy_layers`)."""
        names = options.pop("names", LayerNames())
        return cls(devnet, network, deploy_layers(devnet, network, names=names, **options), names)

    # ------------------------------------------------------------------ l1: stake
    def fund_on_l1(self, operator: str, amount: int) -> None:
        """The admin hands ``operator`` canonical COR on l1 (a plain transfer)."""
        cor = self.contracts.cor_l1.functions
        self._send(self.names.l1, cor.transfer(operator, amount), self.network.actors.admin, "transfer COR")

    def stake_on_l1(self, operator: str, amount: int) -> list[MessageRecord]:
        """``operator`` bonds ``amount`` COR on l1; the new total reaches NodePool as a retryable."""
        tx = self.send_bond(operator, amount)
        return self.delivered(tx, hops=1, what=f"stake record of {operator}")

    def send_bond(self, operator: str, amount: int) -> str:
        """``operator`` approves and bonds ``amount`` COR on l1; returns the bond's transaction
        without waiting for its stake record (follow it with :meth:`delivered`)."""
        stake = self.contracts.stake
        cor = self.contracts.cor_l1.functions
        self._send(self.names.l1, cor.approve(stake.address, amount), operator, "approve stake")
        fees, value = self._stake_record_fees()
        return self._send(self.names.l1, stake.functions.bond(amount, fees), operator, "bond", value=value)

    def unbond_on_l1(self, operator: str, amount: int) -> list[MessageRecord]:
        """``operator`` starts unbonding ``amount`` on l1; NodePool learns the lower stake."""
        fees, value = self._stake_record_fees()
        fn = self.contracts.stake.functions.requestUnbond(amount, fees)
        tx = self._send(self.names.l1, fn, operator, "requestUnbond", value=value)
        return self.delivered(tx, hops=1, what=f"stake record of {operator}")

    def l1_bond(self, operator: str) -> int:
        """COR ``operator`` has bonded (not unbonding) on l1."""
        return int(self.contracts.stake.functions.bondedOf(operator).call())

    # ------------------------------------------------------------------ base: onboarding
    def cor_to_base(self, operator: str, amount: int) -> list[MessageRecord]:
        """``operator`` moves COR from l1 to base through L1StandardBridge (for the registration
        fee); base's L2StandardBridge mints it as COR's OptimismMintableERC20."""
        if self.contracts.cor_base is None:
            raise LayerOperationFailed("no COR on base: deploy the layers with a registration_fee")
        bridge_address = self.devnet.system_contracts(self.names.base)["L1StandardBridge"]
        l1 = self.devnet.evm(self.names.l1)
        bridge = l1.w3.eth.contract(address=bridge_address, abi=load_artifact("L1StandardBridge").abi)
        cor = self.contracts.cor_l1
        self._send(self.names.l1, cor.functions.approve(bridge_address, amount), operator, "approve bridge")
        fn = bridge.functions.bridgeERC20(cor.address, self.contracts.cor_base.address, amount, 200_000, b"")
        tx = self._send(self.names.l1, fn, operator, "bridgeERC20")
        return self.delivered(tx, hops=1, what=f"COR to base for {operator}")

    def register_from_base(
        self, operator: str, model_ids: Sequence[int] = (0,), public_key: bytes | None = None
    ) -> list[MessageRecord]:
        """``operator`` registers its node on base; the registration goes base -> l1 (messenger)
        -> arbitrum (retryable) and NodePool adds the node. Returns both hops' records."""
        tx = self.send_registration(operator, model_ids, public_key)
        return self.delivered(tx, hops=2, what=f"registration of {operator}")

    def send_registration(
        self, operator: str, model_ids: Sequence[int] = (0,), public_key: bytes | None = None
    ) -> str:
        """``operator`` registers on base (paying the fee, if any); returns the registration's
        transaction without waiting for its two hops (follow them with :meth:`delivered`)."""
        onboarding = self.contracts.onboarding
        fee = int(onboarding.functions.fee().call())
        if fee and self.contracts.cor_base is not None:
            approve = self.contracts.cor_base.functions.approve(onboarding.address, fee)
            self._send(self.names.base, approve, operator, "approve fee")
        # The node's secp256k1 key (64 bytes, x || y), which NodePool checks and private sessions use.
        key = public_key if public_key is not None else public_key_of(self.network.account_key(operator))
        fn = onboarding.functions.register(list(model_ids), key)
        return self._send(self.names.base, fn, operator, "register")

    def mark_ephemeral(self, operator: str) -> None:
        """The validator's network check passes the node: Added -> Ephemeral, in the pool."""
        pool = self.network.contracts.node_pool.functions
        node_id = pool.getNodeId(operator).call()
        self._send(
            self.names.arbitrum, pool.markEphemeral(node_id), self.network.actors.validator, "markEphemeral"
        )

    # ------------------------------------------------------------------ arbitrum -> l1
    def checkpoint_to_l1(
        self, session_id: int, task_ids: Sequence[int], sender: str | None = None
    ) -> list[MessageRecord]:
        """Checkpoint a session's results from arbitrum into l1's CheckpointRegistry (anyone may)."""
        fn = self.contracts.checkpointer.functions.checkpoint(session_id, list(task_ids))
        tx = self._send(self.names.arbitrum, fn, sender or self.network.actors.oracle, "checkpoint")
        return self.delivered(tx, hops=1, what=f"checkpoint of session {session_id}")

    def add_l3(self, l3_network: CortensorNetwork) -> L3Checkpoints:
        """Open the l3 -> arbitrum -> l1 checkpoint route for the protocol on the l3."""
        self.l3 = deploy_l3_checkpoints(self.devnet, self.contracts, l3_network, names=self.names)
        self.l3_network = l3_network
        return self.l3

    def checkpoint_l3_to_l1(
        self, session_id: int, task_ids: Sequence[int], sender: str | None = None
    ) -> list[MessageRecord]:
        """Checkpoint a session on the l3 into l1's CheckpointRegistry: l3 -> arbitrum (the l3's
        Outbox executes CheckpointForwarder), arbitrum -> l1 (arbitrum's Outbox executes the
        registry). Returns both hops' records."""
        if self.l3 is None or self.l3_network is None:
            raise LayerOperationFailed("no l3 checkpoint route: call add_l3 with the l3's protocol first")
        fn = self.l3.checkpointer.functions.checkpoint(session_id, list(task_ids))
        tx = self._send(self.names.l3, fn, sender or self.l3_network.actors.oracle, "checkpoint")
        return self.delivered(tx, hops=2, what=f"l3 checkpoint of session {session_id}")

    def deliver_slashes(self, since_block: int = 0) -> list[MessageRecord]:
        """Follow every slash NodePool sent to l1 since ``since_block`` on arbitrum to its end."""
        pool = self.network.contracts.node_pool
        logs = pool.events.L1SlashSent().get_logs(from_block=since_block)
        txs = sorted({log["transactionHash"].to_0x_hex() for log in logs})
        records: list[MessageRecord] = []
        for tx in txs:
            records += self.delivered(tx, hops=1, what="slash")
        return records

    # ------------------------------------------------------------------ internals
    def _stake_record_fees(self) -> tuple[tuple[int, int, int], int]:
        inbox = self.devnet.system_contracts(self.names.arbitrum)["Inbox"]
        l1 = self.devnet.evm(self.names.l1)
        quote = l1.w3.eth.contract(address=inbox, abi=load_artifact("Inbox").abi)
        submission = 2 * int(quote.functions.calculateRetryableSubmissionFee(STAKE_RECORD_LENGTH, 0).call())
        fees = (submission, RETRYABLE_GAS_LIMIT, MAX_FEE_PER_GAS)
        return fees, submission + RETRYABLE_GAS_LIMIT * MAX_FEE_PER_GAS

    def _send(self, chain_name: str, fn: Any, sender: str, action: str, value: int = 0) -> str:
        chain: EvmChain = self.devnet.evm(chain_name)
        try:
            tx_hash = fn.transact({"from": sender, "value": value})
        except Exception as exc:  # web3 raises a family of errors for a call that would revert
            raise LayerOperationFailed(f"{action} by {sender} refused on {chain_name}: {exc}") from exc
        receipt = chain.w3.eth.wait_for_transaction_receipt(tx_hash)
        if receipt["status"] != 1:
            raise LayerOperationFailed(
                f"{action} by {sender} reverted on {chain_name} ({tx_hash.to_0x_hex()})"
            )
        who = self.network.actors.name_of(sender)
        self.network.steps.append(
            Step(who, action, chain_name, receipt["blockNumber"], receipt["gasUsed"], tx_hash.to_0x_hex())
        )
        return str(tx_hash.to_0x_hex())

    def delivered(self, tx: str, *, hops: int, what: str) -> list[MessageRecord]:
        """Follow ``tx``'s messages ``hops`` hops to their end; raise if one failed or is missing."""
        records = follow(self.devnet, tx, hops=hops)
        for record in records:
            if record.status == MessageStatus.FAILED:
                raise LayerOperationFailed(f"{what}: message failed on its destination: {record}")
            if auto_redeem_failed(record):
                raise LayerOperationFailed(
                    f"{what}: the retryable's call reverted on {record.destination}; its ticket "
                    f"{record.detail['ticket']} stays redeemable until it expires: {record}"
                )
        if len(records) < hops:
            raise LayerOperationFailed(f"{what}: {len(records)} of {hops} hops delivered: {records}")
        return records
