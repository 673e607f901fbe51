"""Nitro's off-chain actors: the sequencer's delayed-inbox reader, the validator, the outbox executor.

Each reads chains only through what a node exposes (blocks, logs, calls) and writes only through
transactions: system transactions that carry parent messages into the child (as Nitro's sequencer
includes delayed messages), and signed transactions from the actor's own account on the parent.

They speak the settlement engine's verbs (``cortensor_sim/bridge``, docs/settlement.md): ``due(now_ms,
horizon_ms)`` is the earliest time an actor has work, ``act(now_ms)`` does it and returns
:class:`Action` records. The engine's scheduler drives them on the devnet's clock; the tests drive
them with a small loop of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_abi import decode
from eth_account.signers.local import LocalAccount
from eth_hash.auto import keccak

from ...chains.engine import CallRequest, EngineError, SystemCall
from ...chains.evm import EvmChain
from . import send_merkle
from .anytrust import Committee
from .arbsys import ARBSYS, L2_TO_L1_TX
from .batches import BlockContent, compress, encode_segments
from .deployment import NitroParentContracts
from .retryables import ARB_RETRYABLE_TX, ticket_id
from .transactions import ActorTransactionError, address_bytes, call, calldata, receipt, send

MESSAGE_DELIVERED = keccak(b"MessageDelivered(uint256,bytes32,address,uint8,address,bytes32,uint256,uint64)")
INBOX_MESSAGE_DELIVERED = keccak(b"InboxMessageDelivered(uint256,bytes)")

L2_MESSAGE_KIND = 3
SUBMIT_RETRYABLE_TX_KIND = 9
ETH_DEPOSIT_KIND = 12
L2_MESSAGE_SIGNED_TX = 4
SYSTEM_TRANSACTION_TYPE = 0x7E
"""The devnet's type of derived (system) transactions: on a Nitro child, delayed messages."""
"""An L2 message whose body is one signed child-chain transaction (nitro ``arbos/incomingmessage.go``)."""


@dataclass(frozen=True)
class Action:
    """One thing an actor did (the settlement engine's ``Action`` record, field for field)."""

    actor: str
    chain: str
    what: str
    tx_hash: str | None = None
    message_id: str | None = None


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def _word(data: str, index: int) -> int:
    raw = bytes.fromhex(data[2:])
    return int.from_bytes(raw[32 * index : 32 * index + 32], "big")


# ---------------------------------------------------------------------- delayed messages
@dataclass(frozen=True)
class DelayedMessage:
    """A message the parent's Bridge put in the delayed inbox, with the data its Inbox emitted."""

    index: int
    kind: int
    sender: bytes
    """Already aliased by the Inbox, as the Bridge records it."""
    data: bytes
    parent_block: int
    timestamp: int
    base_fee_l1: int


def read_delayed_messages(
    parent: EvmChain, contracts: NitroParentContracts, first: int, last: int
) -> list[DelayedMessage]:
    """The delayed messages delivered in parent blocks ``first..last``, in order."""
    if last < first:
        return []
    engine = parent.engine
    delivered = engine.get_logs(first, last, [address_bytes(contracts.bridge)], [[MESSAGE_DELIVERED]])
    bodies = {
        int(log["topics"][1], 16): decode(["bytes"], bytes.fromhex(log["data"][2:]))[0]
        for log in engine.get_logs(first, last, [address_bytes(contracts.inbox)], [[INBOX_MESSAGE_DELIVERED]])
    }
    messages = []
    for log in delivered:
        _, kind, sender, _, base_fee, timestamp = decode(
            ["address", "uint8", "address", "bytes32", "uint256", "uint64"], bytes.fromhex(log["data"][2:])
        )
        index = int(log["topics"][1], 16)
        messages.append(
            DelayedMessage(
                index=index,
                kind=kind,
                sender=address_bytes(sender),
                data=bodies[index],
                parent_block=int(log["blockNumber"], 16),
                timestamp=timestamp,
                base_fee_l1=base_fee,
            )
        )
    return sorted(messages, key=lambda m: m.index)


class DelayedInboxReader:
    """The sequencer's reading of the delayed inbox: each parent message becomes child transactions.

    * an ETH deposit (kind 12, data ``dest ++ value``) mints the value to the aliased sender and
      moves it to ``dest``, as Nitro's ``ArbitrumDepositTx`` does;
    * an L2 message holding a signed transaction (kind 3, first byte 4) runs that transaction;
    * a retryable submission (kind 9) becomes ``ArbRetryableTx.submitRetryable`` from the aliased
      sender with the deposit minted to it, which creates the ticket and auto-redeems it.
    """

    name = "nitro-inbox-reader"

    def __init__(self, parent: EvmChain, child: EvmChain, contracts: NitroParentContracts) -> None:
        self.parent = parent
        self.child = child
        self.contracts = contracts
        self.scanned_to = 0
        self.messages_read = 0

    def due(self, now_ms: int, horizon_ms: int) -> int | None:
        return now_ms if self.parent.height > self.scanned_to else None

    def act(self, now_ms: int) -> list[Action]:
        last = self.parent.height
        messages = read_delayed_messages(self.parent, self.contracts, self.scanned_to + 1, last)
        self.scanned_to = last
        actions = []
        for message in messages:
            actions.extend(self.deliver(message))
            self.messages_read = message.index + 1
        return actions

    def deliver(self, message: DelayedMessage) -> list[Action]:
        message_id = f"{self.child.name}:delayed:{message.index}"
        if message.kind == ETH_DEPOSIT_KIND:
            dest, value = message.data[:20], int.from_bytes(message.data[20:52], "big")
            tx = self.child.send_system_transaction(
                SystemCall(
                    sender=message.sender,
                    to=dest,
                    mint=value,
                    value=value,
                    gas=100_000,
                    source_hash=self.source_hash(message),
                )
            )
            return [Action(self.name, self.child.name, "eth deposit", _hex(tx), message_id)]
        if message.kind == L2_MESSAGE_KIND and message.data[:1] == bytes([L2_MESSAGE_SIGNED_TX]):
            tx = self.child.send_raw_transaction(message.data[1:], from_parent=True)
            return [Action(self.name, self.child.name, "l2 message", _hex(tx), message_id)]
        if message.kind == SUBMIT_RETRYABLE_TX_KIND:
            submission = RetryableSubmission.decode(message)
            tx = self.child.send_system_transaction(
                SystemCall(
                    sender=message.sender,
                    to=ARB_RETRYABLE_TX,
                    mint=submission.deposit,
                    data=submission.calldata(),
                    gas=submission.gas_limit + SUBMISSION_GAS,
                    source_hash=self.source_hash(message),
                )
            )
            ticket = submission.ticket_id(self.child.chain_id)
            return [Action(self.name, self.child.name, f"retryable 0x{ticket.hex()}", _hex(tx), message_id)]
        return [Action(self.name, self.child.name, f"skipped message kind {message.kind}", None, message_id)]

    def source_hash(self, message: DelayedMessage) -> bytes:
        """Makes each delivered message a distinct child transaction."""
        return keccak(self.parent.chain_id.to_bytes(32, "big") + message.index.to_bytes(32, "big"))


@dataclass(frozen=True)
class RetryableSubmission:
    """A kind-9 message's fields (the Inbox packs them as 32-byte words, then the data)."""

    request_id: bytes
    sender: bytes
    l1_base_fee: int
    to: bytes
    value: int
    deposit: int
    max_submission_fee: int
    fee_refund: bytes
    beneficiary: bytes
    gas_limit: int
    max_fee_per_gas: int
    data: bytes

    @classmethod
    def decode(cls, message: DelayedMessage) -> RetryableSubmission:
        words = [int.from_bytes(message.data[32 * i : 32 * i + 32], "big") for i in range(9)]
        to, value, deposit, max_submission, refund, beneficiary, gas_limit, max_fee, length = words
        return cls(
            request_id=message.index.to_bytes(32, "big"),
            sender=message.sender,
            l1_base_fee=message.base_fee_l1,
            to=to.to_bytes(20, "big"),
            value=value,
            deposit=deposit,
            max_submission_fee=max_submission,
            fee_refund=refund.to_bytes(20, "big"),
            beneficiary=beneficiary.to_bytes(20, "big"),
            gas_limit=gas_limit,
            max_fee_per_gas=max_fee,
            data=message.data[288 : 288 + length],
        )

    def calldata(self) -> bytes:
        return calldata(
            "submitRetryable(bytes32,uint256,uint256,uint256,uint256,uint64,uint256,address,address,address,bytes)",
            ["bytes32", "uint256", "uint256", "uint256", "uint256", "uint64", "uint256", "address", "address",
             "address", "bytes"],
            [self.request_id, self.l1_base_fee, self.deposit, self.value, self.max_fee_per_gas,
             self.gas_limit, self.max_submission_fee, _hex(self.fee_refund), _hex(self.beneficiary),
             _hex(self.to), self.data],
        )  # fmt: skip

    def ticket_id(self, chain_id: int) -> bytes:
        return ticket_id(
            chain_id=chain_id,
            request_id=self.request_id,
            sender=self.sender,
            l1_base_fee=self.l1_base_fee,
            deposit=self.deposit,
            max_fee_per_gas=self.max_fee_per_gas,
            gas_limit=self.gas_limit,
            to=self.to,
            value=self.value,
            beneficiary=self.beneficiary,
            max_submission_fee=self.max_submission_fee,
            fee_refund=self.fee_refund,
            data=self.data,
        )


SUBMISSION_GAS = 500_000
"""Gas a submission needs beyond its retry's gas limit (ticket storage, refunds, events)."""


# ---------------------------------------------------------------------- assertions
ASSERTION_REJECTED = 3


@dataclass
class PostedAssertion:
    number: int
    block_hash: bytes
    send_root: bytes
    send_count: int
    l2_block: int
    parent_block: int
    confirmed: bool = False


class Validator:
    """Posts an assertion of the child's newest block (block hash, send root) every ``interval_ms``
    and confirms each one whose ``confirmPeriodBlocks`` have passed, from its own account."""

    name = "nitro-validator"

    def __init__(
        self,
        parent: EvmChain,
        child: EvmChain,
        contracts: NitroParentContracts,
        account: LocalAccount,
        *,
        interval_ms: int,
        reader: DelayedInboxReader,
    ) -> None:
        self.parent = parent
        self.child = child
        self.contracts = contracts
        self.account = account
        self.interval_ms = interval_ms
        self.reader = reader
        self.next_tick_ms: int | None = None
        self.assertions: list[PostedAssertion] = []
        self.corrupt_next = False
        """Fault hook: the next assertion claims a wrong send root (a faulty or dishonest validator),
        for a challenger to reject."""

    def due(self, now_ms: int, horizon_ms: int) -> int | None:
        if self.next_tick_ms is None:
            return now_ms
        return self.next_tick_ms

    def act(self, now_ms: int) -> list[Action]:
        self.next_tick_ms = now_ms + self.interval_ms
        self.forget_rejected()
        return [*self.confirm_due(), *self.post()]

    def assertion_status(self, number: int) -> int:
        """The Rollup's status of assertion ``number`` (1 pending, 2 confirmed, 3 rejected)."""
        out = call(self.parent, self.contracts.rollup, calldata("getAssertion(uint64)", ["uint64"], [number]))
        return decode(["(bytes32,bytes32,uint64,uint64,uint64,uint64,uint8)"], out)[0][-1]

    def forget_rejected(self) -> None:
        """Drop assertions a challenger rejected: the next one is posted on the last that stands."""
        self.assertions = [
            a for a in self.assertions if a.confirmed or self.assertion_status(a.number) != ASSERTION_REJECTED
        ]

    def send_tree_at(self, block: int) -> tuple[int, bytes]:
        """The child's send tree (size, root) after ``block``, as ArbSys reports it."""
        return send_tree_at(self.child, block)

    def post(self) -> list[Action]:
        head = self.child.engine.get_block("latest")
        number = int(head["number"], 16)
        if self.assertions and self.assertions[-1].l2_block == number:
            return []  # nothing new to assert
        size, root = self.send_tree_at(number)
        if self.corrupt_next:
            root, self.corrupt_next = keccak(b"invalid send root" + root), False
        block_hash = bytes.fromhex(head["hash"][2:])
        data = calldata(
            "createAssertion(bytes32,bytes32,uint64,uint64)",
            ["bytes32", "bytes32", "uint64", "uint64"],
            [block_hash, root, self.reader.messages_read, number],
        )
        tx = send(self.parent, self.account, self.contracts.rollup, data)
        found = receipt(self.parent, tx)
        assertion_number = int(found["logs"][0]["topics"][1], 16)
        self.assertions.append(
            PostedAssertion(assertion_number, block_hash, root, size, number, int(found["blockNumber"], 16))
        )
        return [Action(self.name, self.parent.name, f"assertion {assertion_number}", _hex(tx))]

    def confirmable(self, assertion: PostedAssertion) -> bool:
        data = calldata("confirmAssertion(uint64)", ["uint64"], [assertion.number])
        try:
            self.parent.engine.estimate_gas(
                _request(self.account, self.contracts.rollup, data),
                at_time=int(self.parent.now),
                **self.parent.l1_context(),
            )
        except EngineError:
            return False
        return True

    def confirm_due(self) -> list[Action]:
        actions = []
        for assertion in self.assertions:
            if assertion.confirmed:
                continue
            if not self.confirmable(assertion):
                break  # assertions confirm in order
            data = calldata("confirmAssertion(uint64)", ["uint64"], [assertion.number])
            tx = send(self.parent, self.account, self.contracts.rollup, data)
            receipt(self.parent, tx)
            assertion.confirmed = True
            actions.append(
                Action(self.name, self.parent.name, f"confirmed assertion {assertion.number}", _hex(tx))
            )
        return actions

    def latest_confirmed(self) -> PostedAssertion | None:
        confirmed = [a for a in self.assertions if a.confirmed]
        return confirmed[-1] if confirmed else None


def send_tree_at(child: EvmChain, block: int) -> tuple[int, bytes]:
    """The child's send tree (size, root) after ``block``, as ArbSys reports it."""
    size, root, _ = decode(
        ["uint256", "bytes32", "bytes32[]"],
        call(child, ARBSYS, calldata("sendMerkleTreeState()", [], []), block=block),
    )
    return size, root


ASSERTION_PENDING = 1
ASSERTION_TYPES = ["(bytes32,bytes32,uint64,uint64,uint64,uint64,uint8)"]
"""The Rollup's ``Assertion``: blockHash, sendRoot, inboxMaxCount, l2BlockNumber, prevNum,
createdAtBlock, status."""


class Challenger:
    """Checks every assertion the Rollup holds against the child's own chain (the block hash at the
    asserted block, the send root ArbSys reports there) and rejects a wrong one inside its window,
    from its own (whitelisted) account. Stands in for BoLD's challenge game, which a wrong assertion
    loses: the rejection is the game's outcome, not its moves (docs/nitro.md)."""

    name = "nitro-challenger"

    def __init__(
        self, parent: EvmChain, child: EvmChain, contracts: NitroParentContracts, account: LocalAccount
    ) -> None:
        self.parent = parent
        self.child = child
        self.contracts = contracts
        self.account = account
        self.checked = 0
        """Assertions up to this number have been checked (0 is the genesis assertion)."""
        self.rejected: list[int] = []
        self._quiet_at: int | None = None
        """A cache: the parent's height when the last look found nothing new."""

    def forget_quiet(self) -> None:
        """Drop the cache (after the parent was reverted, a height no longer names one chain)."""
        self._quiet_at = None

    def assertion_count(self) -> int:
        out = call(self.parent, self.contracts.rollup, calldata("assertionCount()", [], []))
        return int.from_bytes(out[:32], "big")

    def due(self, now_ms: int, horizon_ms: int) -> int | None:
        head = self.parent.height
        if head == self._quiet_at:
            return None  # the parent made no block since the last look: nothing new to check
        if self.assertion_count() > self.checked + 1:
            return now_ms
        self._quiet_at = head
        return None

    def act(self, now_ms: int) -> list[Action]:
        actions = []
        for number in range(self.checked + 1, self.assertion_count()):
            self.checked = number
            out = call(
                self.parent, self.contracts.rollup, calldata("getAssertion(uint64)", ["uint64"], [number])
            )
            block_hash, send_root, _, l2_block, _, _, status = decode(ASSERTION_TYPES, out)[0]
            if status != ASSERTION_PENDING or self.holds(block_hash, send_root, l2_block):
                continue
            data = calldata("rejectAssertion(uint64)", ["uint64"], [number])
            try:
                tx = send(self.parent, self.account, self.contracts.rollup, data)
                receipt(self.parent, tx)
            except ActorTransactionError as exc:  # reported, never raised out of advance()
                actions.append(Action(self.name, self.parent.name, f"rejection of {number} refused: {exc}"))
                continue
            self.rejected.append(number)
            actions.append(Action(self.name, self.parent.name, f"rejected assertion {number}", _hex(tx)))
        return actions

    def holds(self, block_hash: bytes, send_root: bytes, l2_block: int) -> bool:
        """Whether the child's chain has ``block_hash`` at ``l2_block`` and ``send_root`` after it."""
        if l2_block > self.child.height:
            return False
        actual = self.child.engine.get_block(l2_block)["hash"]
        return bytes.fromhex(actual[2:]) == block_hash and send_tree_at(self.child, l2_block)[1] == send_root


def _request(account: LocalAccount, to: str, data: bytes) -> CallRequest:
    return CallRequest(sender=address_bytes(account.address), to=address_bytes(to), data=data)


# ---------------------------------------------------------------------- the outbox
@dataclass(frozen=True)
class OutgoingMessage:
    """A message a child contract sent to the parent (``ArbSys.sendTxToL1``), from its event."""

    position: int
    caller: bytes
    destination: bytes
    arb_block: int
    eth_block: int
    timestamp: int
    value: int
    data: bytes
    send_hash: bytes = field(repr=False)

    @classmethod
    def from_log(cls, log: dict[str, Any]) -> OutgoingMessage:
        caller, arb_block, eth_block, timestamp, value, data = decode(
            ["address", "uint256", "uint256", "uint256", "uint256", "bytes"], bytes.fromhex(log["data"][2:])
        )
        return cls(
            position=int(log["topics"][3], 16),
            caller=address_bytes(caller),
            destination=bytes.fromhex(log["topics"][1][-40:]),
            arb_block=arb_block,
            eth_block=eth_block,
            timestamp=timestamp,
            value=value,
            data=data,
            send_hash=bytes.fromhex(log["topics"][2][2:]),
        )


def outgoing_messages(
    child: EvmChain, up_to_block: int | None = None, from_block: int = 0
) -> list[OutgoingMessage]:
    """Every ``L2ToL1Tx`` the child emitted in blocks ``from_block..up_to_block``, by position.

    A scanner that keeps a cursor passes ``from_block``: reading from block 0 at every block
    makes a long run quadratic in the child's length."""
    last = child.height if up_to_block is None else up_to_block
    logs = child.engine.get_logs(from_block, last, [ARBSYS], [[L2_TO_L1_TX]])
    return sorted((OutgoingMessage.from_log(log) for log in logs), key=lambda m: m.position)


def outbox_proof(child: EvmChain, size: int, position: int) -> list[bytes]:
    """The proof of message ``position`` in the send tree of ``size`` messages.

    Built from the child's ``L2ToL1Tx`` logs, the way Nitro's ``NodeInterface.constructOutboxProof``
    is (it too reads the leaves from the chain's history, not from state).
    """
    messages = outgoing_messages(child)[:size]
    leaves = [send_merkle.leaf(m.send_hash) for m in messages]
    return send_merkle.proof(leaves, position)


def execute_transaction_data(proof: list[bytes], message: OutgoingMessage) -> bytes:
    """Calldata of ``Outbox.executeTransaction`` for ``message`` with ``proof``."""
    return calldata(
        "executeTransaction(bytes32[],uint256,address,address,uint256,uint256,uint256,uint256,bytes)",
        ["bytes32[]", "uint256", "address", "address", "uint256", "uint256", "uint256", "uint256", "bytes"],
        [
            proof,
            message.position,
            _hex(message.caller),
            _hex(message.destination),
            message.arb_block,
            message.eth_block,
            message.timestamp,
            message.value,
            message.data,
        ],
    )


class OutboxExecutor:
    """Executes each child-to-parent message once a confirmed assertion covers it.

    On Arbitrum anyone may execute a confirmed message (usually its owner, through @arbitrum/sdk);
    this actor does it for every message, from its own account, the way a devnet's relayer would.
    """

    name = "nitro-outbox-executor"

    def __init__(
        self,
        parent: EvmChain,
        child: EvmChain,
        contracts: NitroParentContracts,
        account: LocalAccount,
        validator: Validator,
    ) -> None:
        self.parent = parent
        self.child = child
        self.contracts = contracts
        self.account = account
        self.validator = validator
        self.executed: set[int] = set()
        self.refused: dict[int, str] = {}
        """Messages whose execution would revert (say, a Bridge holding less than they carry), with
        the reason: tried once, reported, not retried on every tick."""

    def pending(self) -> list[OutgoingMessage]:
        confirmed = self.validator.latest_confirmed()
        if confirmed is None:
            return []
        covered = outgoing_messages(self.child, confirmed.l2_block)[: confirmed.send_count]
        return [m for m in covered if m.position not in self.executed and m.position not in self.refused]

    def due(self, now_ms: int, horizon_ms: int) -> int | None:
        return now_ms if self.pending() else None

    def act(self, now_ms: int) -> list[Action]:
        confirmed = self.validator.latest_confirmed()
        actions = []
        for message in self.pending():
            assert confirmed is not None
            proof = outbox_proof(self.child, confirmed.send_count, message.position)
            message_id = f"{self.child.name}:outbox:{message.position}"
            try:
                tx = send(
                    self.parent, self.account, self.contracts.outbox, execute_transaction_data(proof, message)
                )
            except ActorTransactionError as exc:
                self.refused[message.position] = str(exc)
                actions.append(Action(self.name, self.parent.name, "refused: would revert", None, message_id))
                continue
            receipt(self.parent, tx)
            self.executed.add(message.position)
            actions.append(Action(self.name, self.parent.name, "executed", _hex(tx), message_id))
        return actions


# ---------------------------------------------------------------------- batches
@dataclass(frozen=True)
class BatchRecord:
    """One batch the poster posted: what it covers, its sizes, and what the parent charged."""

    sequence_number: int
    first_block: int
    last_block: int
    transactions: int
    segment_bytes: int
    """The uncompressed segment stream."""
    compressed_bytes: int
    """``0x00 ++ brotli(stream)``."""
    posted_bytes: int
    """What went to the parent: the compressed batch, or an AnyTrust certificate."""
    parent_gas: int
    anytrust: bool
    tx_hash: str


class BatchPoster:
    """Posts the child's blocks to the parent's SequencerInbox every ``interval_ms``: brotli batches,
    or with a ``committee`` (AnyTrust) the committee's certificate of the batch instead."""

    name = "nitro-batch-poster"
    certificate_lifetime_s = 14 * 24 * 3600

    def __init__(
        self,
        parent: EvmChain,
        child: EvmChain,
        contracts: NitroParentContracts,
        account: LocalAccount,
        *,
        interval_ms: int,
        committee: Committee | None = None,
        reader: DelayedInboxReader | None = None,
    ) -> None:
        """With ``reader``, the delayed messages a batch reports read are capped at what that
        reader delivered: the child may also carry another deployment's messages (the tests'
        harness beside the engine's genesis contracts), which this Bridge never held."""
        self.parent = parent
        self.child = child
        self.contracts = contracts
        self.account = account
        self.interval_ms = interval_ms
        self.committee = committee
        self.reader = reader
        self.next_tick_ms: int | None = None
        self.posted_to = 0
        self.delayed_read = 0
        self.timestamp = child.genesis_time
        self.l1_block_number = 0
        self.batches: list[BatchRecord] = []

    def due(self, now_ms: int, horizon_ms: int) -> int | None:
        return now_ms if self.next_tick_ms is None else self.next_tick_ms

    def act(self, now_ms: int) -> list[Action]:
        self.next_tick_ms = now_ms + self.interval_ms
        last = self.child.height
        if last <= self.posted_to:
            return []
        return [self.post(range(self.posted_to + 1, last + 1), now_ms // 1000)]

    def block_content(self, number: int) -> BlockContent:
        engine = self.child.engine
        block = engine.get_block(number, full_transactions=True)
        delayed, signed = 0, []
        for tx in block["transactions"]:
            if int(tx["type"], 16) == SYSTEM_TRANSACTION_TYPE:
                delayed += 1
            else:
                raw = engine.get_raw_transaction(bytes.fromhex(tx["hash"][2:]))
                assert raw is not None
                signed.append(raw)
        return BlockContent(
            int(block["timestamp"], 16), int(block.get("l1BlockNumber", "0x0"), 16), delayed, tuple(signed)
        )

    def post(self, numbers: range, now_s: int) -> Action:
        contents = [self.block_content(n) for n in numbers]
        stream = encode_segments(contents, self.timestamp, self.l1_block_number)
        compressed = compress(stream)
        posted = compressed
        if self.committee is not None:
            posted = self.committee.certify(compressed, now_s + self.certificate_lifetime_s).encode()
        sequence = decode(
            ["uint256"], call(self.parent, self.contracts.bridge, calldata("sequencerMessageCount()", [], []))
        )[0]
        delayed_read = self.delayed_read + sum(c.delayed_messages for c in contents)
        if self.reader is not None:  # only what this rollup's inbox reader delivered counts
            delayed_read = min(delayed_read, self.reader.messages_read)
        data = calldata(
            "addSequencerL2BatchFromOrigin(uint256,bytes,uint256,address,uint256,uint256)",
            ["uint256", "bytes", "uint256", "address", "uint256", "uint256"],
            [sequence, posted, delayed_read, "0x" + "00" * 20, self.posted_to, numbers[-1]],
        )
        tx = send(self.parent, self.account, self.contracts.sequencer_inbox, data)
        found = receipt(self.parent, tx)
        self.batches.append(
            BatchRecord(
                sequence_number=sequence,
                first_block=numbers[0],
                last_block=numbers[-1],
                transactions=sum(len(c.transactions) for c in contents),
                segment_bytes=len(stream),
                compressed_bytes=len(compressed),
                posted_bytes=len(posted),
                parent_gas=int(found["gasUsed"], 16),
                anytrust=self.committee is not None,
                tx_hash=_hex(tx),
            )
        )
        self.posted_to, self.delayed_read = numbers[-1], delayed_read
        self.timestamp, self.l1_block_number = (
            contents[-1].timestamp,
            max(self.l1_block_number, contents[-1].l1_block_number),
        )
        return Action(self.name, self.parent.name, f"batch {sequence}", _hex(tx))
