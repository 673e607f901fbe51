"""``NitroStack``: one Arbitrum Nitro (or Orbit) rollup's off-chain half, on the engine's clock.

The parent-side contracts (Bridge, Inbox, SequencerInbox, Outbox, Rollup) are laid in the parent's
genesis (``rollups/nitro/genesis.py``); the child's precompiles come with its chain kind's rules.
Four actors from ``rollups/nitro/actors.py`` run when due: the sequencer's delayed-inbox reader
(deposits and retryables into the child), the validator (assertions, then confirmations), the
outbox executor (child-to-parent messages once confirmed) and the batch poster.

Records: each delayed message is ``<child>:delayed:<index>`` (kind ``deposit``, ``retryable`` or
``l2-message``), ``sent`` on the parent, ``relayed`` once its child transaction succeeded (for a
retryable: once its ticket was redeemed, by its auto-redeem or by hand) or ``failed`` (for a ticket:
cancelled or expired, ``detail.ticketOutcome`` says which). Each ``ArbSys`` send is
``<child>:outbox:<position>`` (kind ``withdrawal``): ``sent``, ``proposed`` once an assertion
covers it, ``finalizable`` once that assertion is confirmed, ``relayed`` once the Outbox executed it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak
from eth_utils import to_checksum_address

from ...chains.engine import EngineError, GenesisAccount, SystemCall
from ...chains.topology import ChainSpec, Topology
from ...rollups.cor_token import CANONICAL_COR, calculate_l2_token_address
from ...rollups.nitro import CHILD_SYSTEM_CONTRACTS
from ...rollups.nitro.actors import (
    ETH_DEPOSIT_KIND,
    MESSAGE_DELIVERED,
    SUBMIT_RETRYABLE_TX_KIND,
    BatchPoster,
    BatchRecord,
    Challenger,
    DelayedInboxReader,
    OutboxExecutor,
    PostedAssertion,
    RetryableSubmission,
    Validator,
    outgoing_messages,
    read_delayed_messages,
)
from ...rollups.nitro.arbsys import ARBSYS, L2_TO_L1_TX
from ...rollups.nitro.genesis import NitroGenesis, NitroGenesisParameters, NitroGenesisRoles, parent_genesis
from ...rollups.nitro.precompile import slot_of
from ...rollups.nitro.retryables import ARB_RETRYABLE_TX, CANCELED, REDEEM_SCHEDULED
from ...rollups.nitro.transactions import ActorTransactionError, address_bytes, call, calldata
from ..records import Leg, MessageRecord, MessageStatus
from ..stack import Action, Actor, SettlementStack

ACTOR_BALANCE = 1_000 * 10**18
"""What each off-chain actor (validator, batch poster, executor) holds at genesis to pay for gas."""
CONFIRM_PERIOD_BLOCKS = 2
"""Parent blocks an assertion waits before it can be confirmed (dev cadence)."""
BATCH_INTERVAL_MS = 6_000
"""The poster's own timer (unused on the engine: it posts behind each assertion)."""

_DELAYED_KINDS = {ETH_DEPOSIT_KIND: "deposit", SUBMIT_RETRYABLE_TX_KIND: "retryable"}


class _Wrapped(Actor):
    """A Nitro actor seen through the engine's :class:`Actor` (same verbs, the engine's records)."""

    def __init__(self, stack: NitroStack, inner: Any) -> None:
        self.stack = stack
        self.inner = inner
        self.name = f"{stack.name}/{inner.name}"

    def due(self, now_ms: int, horizon_ms: int) -> int | None:
        return self.inner.due(now_ms, horizon_ms)

    def act(self, now_ms: int) -> list[Action]:
        done = self.inner.act(now_ms)
        actions = [Action(self.name, a.chain, a.what, a.tx_hash, a.message_id) for a in done]
        for action in actions:
            self.stack.took(action, now_ms)
        return actions


class _OnDemandValidator(_Wrapped):
    """The validator, waking only while there is something to settle: sends no assertion covers
    yet, or assertions to confirm. An idle devnet's parent then carries no settlement traffic (its
    block numbers keep following its slots), and a withdrawal is asserted at the next tick."""

    def due(self, now_ms: int, horizon_ms: int) -> int | None:
        validator = self.inner
        asserted = validator.assertions[-1].send_count if validator.assertions else 0
        unconfirmed = any(not a.confirmed for a in validator.assertions)
        if unconfirmed or self.stack.sends > asserted:
            return validator.due(now_ms, horizon_ms)
        return None


class _ExecutorAfterRelayDelay(_Wrapped):
    """The outbox executor, holding back ``relay_delay`` once a message is executable, so that a
    user's own client (@arbitrum/sdk's ``ChildToParentMessage.execute``) can execute it first."""

    def __init__(self, stack: NitroStack, inner: OutboxExecutor, delay_ms: int) -> None:
        super().__init__(stack, inner)
        self.delay_ms = delay_ms
        self.executable_since: dict[int, int] = {}

    def due(self, now_ms: int, horizon_ms: int) -> int | None:
        waiting = self.inner.pending()
        if not waiting:
            return None
        for message in waiting:
            self.executable_since.setdefault(message.position, now_ms)
        return min(self.executable_since[m.position] for m in waiting) + self.delay_ms

    def act(self, now_ms: int) -> list[Action]:
        ready_at = self.due(now_ms, now_ms)
        return super().act(now_ms) if ready_at is not None and ready_at <= now_ms else []


class _BatchPosterBehindAssertions(_Wrapped):
    """The batch poster, posting the child's blocks up to each new assertion (an assertion covers
    posted batches), rather than on a timer whenever the child has any block."""

    def due(self, now_ms: int, horizon_ms: int) -> int | None:
        assertions = self.stack.validator.assertions if self.stack.validator else []
        if assertions and assertions[-1].l2_block > self.inner.posted_to:
            return now_ms
        return None

    def act(self, now_ms: int) -> list[Action]:
        poster = self.inner
        assert self.stack.validator is not None
        last = self.stack.validator.assertions[-1].l2_block
        try:
            done = poster.post(range(poster.posted_to + 1, last + 1), now_ms // 1000)
        except ActorTransactionError as exc:  # reported, never raised out of advance()
            poster.posted_to = last
            return [Action(self.name, self.stack.parent_name, f"batch refused: {exc}")]
        return [Action(self.name, done.chain, done.what, done.tx_hash, done.message_id)]


class NitroStack(SettlementStack):
    kind = "nitro"

    def __init__(self, spec: ChainSpec, topology: Topology) -> None:
        super().__init__(spec, topology)
        self.settings = spec.settlement
        keys = _role_keys(spec.name, topology)
        self.accounts: dict[str, LocalAccount] = {role: Account.from_key(k) for role, k in keys.items()}
        self.native_token: str | None = None
        """The child's gas token on the parent (its COR-as-gas bridged COR), or ``None`` for ETH."""
        if spec.native_token == "COR":
            parent_rollup = parent_genesis(_genesis_parameters(topology.chain(self.parent_name), topology))
            assert parent_rollup.contracts.child_gateway is not None  # the topology checked the parent
            self.native_token = calculate_l2_token_address(
                parent_rollup.contracts.child_gateway, CANONICAL_COR
            )
        self._genesis_parameters = _genesis_parameters(spec, topology, self.native_token)
        self.delayed_cursor = 0
        """Parent blocks up to this one have been scanned for delayed messages."""
        self.withdrawal_cursor = 0
        """Child blocks up to this one have been scanned for ``L2ToL1Tx``."""
        self.reader: DelayedInboxReader | None = None
        self.validator: Validator | None = None
        self.executor: OutboxExecutor | None = None
        self.challenger: Challenger | None = None
        self.poster: BatchPoster | None = None
        self._actors: tuple[Actor, ...] = ()

    def _address(self, role: str) -> bytes:
        return bytes.fromhex(self.accounts[role].address[2:])

    @property
    def laid(self) -> NitroGenesis:
        """The parent contracts this rollup lays in genesis (computed once per process)."""
        return parent_genesis(self._genesis_parameters)

    # ------------------------------------------------------------------ genesis and registry
    def genesis(self, chain: str) -> Mapping[bytes, GenesisAccount]:
        if chain == self.name:
            return self.laid.child_accounts
        funded = {self._address(r): GenesisAccount(balance=ACTOR_BALANCE) for r in _FUNDED_ROLES}
        return {**self.laid.accounts, **funded}

    def system_contracts(self) -> dict[str, str]:
        child = {name: to_checksum_address(address) for name, address in CHILD_SYSTEM_CONTRACTS.items()}
        return {**self.laid.contracts.names(), **child}

    def attach(self, parent: Any, child: Any, book: Any) -> None:
        super().attach(parent, child, book)
        contracts = self.laid.contracts
        interval_ms = round(self.settings.proposal_interval * 1000)
        self.reader = DelayedInboxReader(parent, child, contracts)
        self.validator = Validator(
            parent, child, contracts, self.accounts["validator"], interval_ms=interval_ms, reader=self.reader
        )
        self.executor = OutboxExecutor(parent, child, contracts, self.accounts["executor"], self.validator)
        self.challenger = Challenger(parent, child, contracts, self.accounts["challenger"])
        self.poster = BatchPoster(
            parent,
            child,
            contracts,
            self.accounts["poster"],
            interval_ms=BATCH_INTERVAL_MS,
            reader=self.reader,
        )
        self._actors = (
            _Wrapped(self, self.reader),
            _OnDemandValidator(self, self.validator),
            _Wrapped(self, self.challenger),
            _ExecutorAfterRelayDelay(self, self.executor, round(self.settings.relay_delay * 1000))
            if self.settings.relay_delay
            else _Wrapped(self, self.executor),
            _BatchPosterBehindAssertions(self, self.poster),
        )

    def actors(self) -> Sequence[Actor]:
        return self._actors

    def derive(self, number: int, timestamp: int) -> Sequence[SystemCall]:
        """Nothing: Nitro's sequencer (the reader actor) delivers delayed messages as transactions."""
        return []

    def disputes(self) -> tuple[int, int]:
        """How many assertions the challenger rejected, of all it checked."""
        assert self.challenger is not None
        return len(self.challenger.rejected), self.challenger.checked

    @property
    def sends(self) -> int:
        """How many ``ArbSys`` sends the child has made (as scanned so far)."""
        return sum(1 for r in self.book if r.kind == "withdrawal" and r.source == self.name)

    # ------------------------------------------------------------------ records
    def took(self, action: Action, now_ms: int) -> None:
        """Note the transaction an actor sent for a message (a delivery or an outbox execution)."""
        if action.message_id is None or action.tx_hash is None:
            return
        if action.message_id not in self.book and self.parent is not None and self.child is not None:
            # sent in this same instant by another stack's actor (an OP Stack relay on l1 whose
            # target sends a retryable), so not scanned yet: record it before noting its delivery
            self._scan_delayed(now_ms)
            self._scan_withdrawals(now_ms)
        if action.message_id not in self.book:
            return
        record = self.book.get(action.message_id)
        key = "childTx" if record.kind != "withdrawal" else "outboxTx"
        record.detail[key] = action.tx_hash

    def observe(self, now_ms: int) -> None:
        if self.parent is None or self.child is None:
            return
        self._scan_delayed(now_ms)
        self._scan_withdrawals(now_ms)
        self._settle(now_ms)

    def _scan_delayed(self, now_ms: int) -> None:
        parent = self.parent
        assert parent is not None and self.child is not None
        head = parent.height
        if head <= self.delayed_cursor:
            return
        for message in read_delayed_messages(parent, self.laid.contracts, self.delayed_cursor + 1, head):
            block = parent.engine.get_block(message.parent_block)
            bridge = self.laid.contracts.bridge
            tx_hash = _tx_of(parent, message.parent_block, bridge, MESSAGE_DELIVERED, 1, message.index)
            leg = Leg(parent.name, tx_hash, message.parent_block, int(block["timestamp"], 16))
            detail: dict[str, Any] = {"index": message.index, "messageKind": message.kind,
                                      "sender": to_checksum_address(message.sender)}  # fmt: skip
            if message.kind == SUBMIT_RETRYABLE_TX_KIND:
                ticket = RetryableSubmission.decode(message).ticket_id(self.child.chain_id)
                detail["ticket"] = "0x" + ticket.hex()
            self.book.add_sent(
                f"{self.name}:delayed:{message.index}",
                kind=_DELAYED_KINDS.get(message.kind, "l2-message"),
                source=self.parent_name,
                destination=self.name,
                leg=leg,
                detail=detail,
            )
        self.delayed_cursor = head

    def _scan_withdrawals(self, now_ms: int) -> None:
        child = self.child
        assert child is not None
        head = child.height
        if head <= self.withdrawal_cursor:
            return
        for message in outgoing_messages(child, head, from_block=self.withdrawal_cursor + 1):
            if message.arb_block <= self.withdrawal_cursor:
                continue
            block = child.engine.get_block(message.arb_block)
            tx_hash = _tx_of(child, message.arb_block, ARBSYS, L2_TO_L1_TX, 3, message.position)
            leg = Leg(child.name, tx_hash, message.arb_block, int(block["timestamp"], 16))
            self.book.add_sent(
                f"{self.name}:outbox:{message.position}",
                kind="withdrawal",
                source=self.name,
                destination=self.parent_name,
                leg=leg,
                detail={
                    "position": message.position,
                    "caller": to_checksum_address(message.caller),
                    "destination": to_checksum_address(message.destination),
                    "value": message.value,
                },
            )
        self.withdrawal_cursor = head

    def _settle(self, now_ms: int) -> None:
        for record in self.book.pending():
            if record.destination == self.name and record.source == self.parent_name:
                self._settle_delayed(record, now_ms)
            elif record.source == self.name and record.kind == "withdrawal":
                self._settle_withdrawal(record, now_ms)

    def _leg(self, chain: Any, tx_hash: str) -> tuple[Leg, bool] | None:
        found = chain.engine.get_receipt(bytes.fromhex(tx_hash[2:]))
        if found is None:
            return None
        number = int(found["blockNumber"], 16)
        block = chain.engine.get_block(number)
        return Leg(chain.name, tx_hash, number, int(block["timestamp"], 16)), int(found["status"], 16) == 1

    def _settle_delayed(self, record: MessageRecord, now_ms: int) -> None:
        tx = record.detail.get("childTx")
        outcome = self._leg(self.child, tx) if tx else None
        if outcome is None:
            return
        leg, ok = outcome
        if ok and record.kind == "retryable" and record.detail.get("autoRedeem") == "failed":
            self._settle_ticket(record, now_ms)
            return
        if ok and record.kind == "retryable" and self._ticket_open(record.detail["ticket"]):
            record.detail["autoRedeem"] = "failed"  # redeemable by hand until it expires
            if record.status == MessageStatus.SENT:
                self.book.advance(record.id, MessageStatus.INCLUDED, now_ms, leg)
            return
        self.book.advance(record.id, MessageStatus.RELAYED if ok else MessageStatus.FAILED, now_ms, leg)

    def _settle_ticket(self, record: MessageRecord, now_ms: int) -> None:
        """A ticket whose auto-redeem failed ends one of three ways (``detail.ticketOutcome``):
        ``cancelled`` by its beneficiary (``failed``, the value went back to the beneficiary),
        ``expired`` (``failed``, never reaped: its value stays in escrow) or ``redeemed`` by hand
        (``relayed``, the successful redeem's transaction as the leg)."""
        if self._ticket_open(record.detail["ticket"]):
            return
        ticket = bytes.fromhex(record.detail["ticket"][2:])
        cancels = self._ticket_transactions(CANCELED, ticket)
        if cancels:
            ending, status, tx = "cancelled", MessageStatus.FAILED, cancels[-1]
        elif self._ticket_exists(ticket):  # deleted on success or cancel, kept on expiry
            ending, status, tx = "expired", MessageStatus.FAILED, None
        else:
            redeems = [
                t
                for t in self._ticket_transactions(REDEEM_SCHEDULED, ticket)
                if t != record.detail["childTx"]
            ]
            ending, status, tx = "redeemed", MessageStatus.RELAYED, redeems[-1]
        record.detail["ticketOutcome"] = ending
        found = self._leg(self.child, tx) if tx else None
        self.book.advance(record.id, status, now_ms, found[0] if found else None)

    def _ticket_transactions(self, event: bytes, ticket: bytes) -> list[str]:
        """The child transactions that emitted ArbRetryableTx's ``event`` for ``ticket``, oldest first."""
        child = self.child
        assert child is not None
        logs = child.engine.get_logs(0, child.height, [ARB_RETRYABLE_TX], [[event], [ticket]])
        return [str(log["transactionHash"]) for log in logs]

    def _ticket_exists(self, ticket: bytes) -> bool:
        """Whether the ticket is still stored (it is deleted once redeemed or cancelled, not on expiry)."""
        assert self.child is not None
        return bool(self.child.engine.get_storage(ARB_RETRYABLE_TX, slot_of("retryable.exists", ticket)))

    def _ticket_open(self, ticket: str) -> bool:
        data = calldata("getTimeout(bytes32)", ["bytes32"], [bytes.fromhex(ticket[2:])])
        try:
            call(self.child, ARB_RETRYABLE_TX, data)  # type: ignore[arg-type]
        except EngineError:
            return False
        return True

    def _settle_withdrawal(self, record: MessageRecord, now_ms: int) -> None:
        assert self.validator is not None
        position = int(record.detail["position"])
        covering = [a for a in self.validator.assertions if a.send_count > position]
        if record.status == MessageStatus.SENT and covering:
            self.book.advance(record.id, MessageStatus.PROPOSED, now_ms)
        if record.status == MessageStatus.PROPOSED and any(a.confirmed for a in covering):
            self.book.advance(record.id, MessageStatus.FINALIZABLE, now_ms)
        refusal = self.executor.refused.get(position) if self.executor else None
        if refusal is not None:
            record.detail["refused"] = refusal
            self.book.advance(record.id, MessageStatus.FAILED, now_ms)
            return
        tx = record.detail.get("outboxTx")
        outcome = self._leg(self.parent, tx) if tx else None
        if outcome is not None:
            leg, ok = outcome
            self.book.advance(record.id, MessageStatus.RELAYED if ok else MessageStatus.FAILED, now_ms, leg)

    # ------------------------------------------------------------------ state
    def state(self) -> dict[str, Any]:
        assert self.reader and self.validator and self.executor and self.poster and self.challenger
        poster = self.poster
        return {
            "delayed_cursor": self.delayed_cursor,
            "withdrawal_cursor": self.withdrawal_cursor,
            "reader": {"scanned_to": self.reader.scanned_to, "messages_read": self.reader.messages_read},
            "validator": {
                "next_tick_ms": self.validator.next_tick_ms,
                "corrupt_next": self.validator.corrupt_next,
                "assertions": [
                    {**asdict(a), "block_hash": a.block_hash.hex(), "send_root": a.send_root.hex()}
                    for a in self.validator.assertions
                ],
            },
            "challenger": {"checked": self.challenger.checked, "rejected": list(self.challenger.rejected)},
            "executor": {
                "executed": sorted(self.executor.executed),
                "refused": {str(p): why for p, why in self.executor.refused.items()},
            },
            "poster": {
                "next_tick_ms": poster.next_tick_ms,
                "posted_to": poster.posted_to,
                "delayed_read": poster.delayed_read,
                "timestamp": poster.timestamp,
                "l1_block_number": poster.l1_block_number,
                "batches": [asdict(b) for b in poster.batches],
            },
        }

    def load_state(self, state: dict[str, Any]) -> None:
        if not state:
            return
        assert self.reader and self.validator and self.executor and self.poster and self.challenger
        self.delayed_cursor = int(state["delayed_cursor"])
        self.withdrawal_cursor = int(state["withdrawal_cursor"])
        self.reader.scanned_to = int(state["reader"]["scanned_to"])
        self.reader.messages_read = int(state["reader"]["messages_read"])
        self.validator.next_tick_ms = state["validator"]["next_tick_ms"]
        self.validator.assertions = [
            PostedAssertion(
                **{
                    **a,
                    "block_hash": bytes.fromhex(a["block_hash"]),
                    "send_root": bytes.fromhex(a["send_root"]),
                }
            )
            for a in state["validator"]["assertions"]
        ]
        challenger = state.get("challenger", {"checked": 0, "rejected": []})  # none before it existed
        self.challenger.checked = int(challenger["checked"])
        self.challenger.rejected = [int(n) for n in challenger["rejected"]]
        self.challenger.forget_quiet()
        self.validator.corrupt_next = bool(state["validator"].get("corrupt_next", False))
        self.executor.executed = {int(p) for p in state["executor"]["executed"]}
        self.executor.refused = {int(p): why for p, why in state["executor"]["refused"].items()}
        poster = state["poster"]
        self.poster.next_tick_ms = poster["next_tick_ms"]
        self.poster.posted_to = int(poster["posted_to"])
        self.poster.delayed_read = int(poster["delayed_read"])
        self.poster.timestamp = int(poster["timestamp"])
        self.poster.l1_block_number = int(poster["l1_block_number"])
        self.poster.batches = [BatchRecord(**b) for b in poster["batches"]]


def _role_keys(rollup: str, topology: Topology) -> dict[str, bytes]:
    """The keys of a rollup's owner and actors, derived from the topology's seed and its name."""
    seed = hashlib.sha256(topology.seed.encode()).digest()
    return {role: keccak(seed + f":{rollup}:nitro-{role}".encode()) for role in _ROLES}


def _genesis_parameters(
    spec: ChainSpec, topology: Topology, native_token: str | None = None
) -> NitroGenesisParameters:
    """The parameters of :func:`parent_genesis` for rollup ``spec``: a COR-gas chain (``native_token``,
    the parent's bridged COR) gets ERC20Bridge and ERC20Inbox and no gateways, others the gateways."""
    parent = topology.chain(spec.parent or "")
    assert parent.chain_id is not None  # a rollup's parent is an EVM chain
    keys = _role_keys(spec.name, topology)
    address = {role: bytes.fromhex(Account.from_key(k).address[2:]) for role, k in keys.items()}
    roles = NitroGenesisRoles(
        owner=address["owner"],
        owner_key=keys["owner"],
        validator=address["validator"],
        challenger=address["challenger"],
        batch_poster=address["poster"],
    )
    return NitroGenesisParameters(
        parent_kind=parent.kind,
        parent_chain_id=parent.chain_id,
        genesis_time=topology.genesis_time,
        roles=roles,
        confirm_period_blocks=CONFIRM_PERIOD_BLOCKS,
        gateways=native_token is None,
        native_token=native_token,
    )


def _tx_of(chain: Any, block: int, address: str | bytes, event: bytes, topic: int, key: int) -> str:
    """The transaction whose ``event`` log (indexed ``key`` in topic ``topic``) is in ``block``."""
    for log in chain.engine.get_logs(block, block, [address_bytes(address)], [[event]]):
        if int(log["topics"][topic], 16) == key:
            return str(log["transactionHash"])
    return "0x"


_ROLES = ("owner", "validator", "challenger", "poster", "executor")
_FUNDED_ROLES = ("validator", "challenger", "poster", "executor")
