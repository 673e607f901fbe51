"""The withdrawal relayer: once a game covers a withdrawal's block it proves the withdrawal
(``proveWithdrawalTransaction`` with the storage proof ``eth_getProof`` gives on the child), and once
the proof matured and the game resolved it finalizes it. If the game it proved against resolves
for the challenger, it proves again against a newer valid game.

Timing follows OptimismPortal2's strict checks: a proof must come after the game's creation
second, and ``block.timestamp - provenAt > proofMaturityDelaySeconds`` and ``block.timestamp -
resolvedAt > disputeGameFinalityDelaySeconds`` at finalization, so each step waits one second past
its bound (plus the topology's ``relay_delay``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from eth_abi import decode

from ...chains.engine import ExecutionReverted
from ...rollups.opstack.addresses import L2_TO_L1_MESSAGE_PASSER
from ...rollups.opstack.spec import Withdrawal, messenger_outcome, withdrawal_storage_slot
from ..records import Leg, MessageRecord, MessageStatus
from ..stack import Action, Actor
from ..transactions import call, calldata

if TYPE_CHECKING:
    from .stack import Game, OpStack

WITHDRAWAL_TX = "(uint256,address,address,uint256,uint256,bytes)"
PROVE = f"proveWithdrawalTransaction({WITHDRAWAL_TX},uint256,(bytes32,bytes32,bytes32,bytes32),bytes[])"
FINALIZE = f"finalizeWithdrawalTransaction({WITHDRAWAL_TX})"
CHALLENGER_WINS = 1


class Relayer(Actor):
    def __init__(self, stack: OpStack) -> None:
        self.stack = stack
        self.name = f"{stack.name}/relayer"
        settings = stack.settings
        self.delay_ms = round(settings.relay_delay * 1000)
        self.maturity_s = round(settings.proof_maturity_delay)
        self.finality_s = round(settings.dispute_game_finality_delay)
        self.clock_s = round(settings.game_clock_duration)
        self.pending: dict[str, dict[str, str]] = {}
        """Message id -> the step and transaction hash of a transaction not yet in a block."""
        self.retry_at: dict[str, int] = {}

    # ------------------------------------------------------------------ which work, when
    def _mine(self) -> list[MessageRecord]:
        return [r for r in self.stack.book.pending("withdrawal") if r.source == self.stack.name]

    def covering_game(self, record: MessageRecord) -> Game | None:
        l2_block = int(record.detail["l2Block"])
        for game in reversed(self.stack.games):
            if game.l2_block >= l2_block and not (game.resolved and game.status == CHALLENGER_WINS):
                return game
        return None

    def _needs_proof(self, record: MessageRecord) -> bool:
        if record.status in (MessageStatus.SENT, MessageStatus.PROPOSED):
            return True
        game = self.stack.games[int(record.detail["game"])]
        return game.resolved and game.status == CHALLENGER_WINS

    def _ready_at(self, record: MessageRecord) -> int | None:
        if self._needs_proof(record):
            game = self.covering_game(record)
            if game is None or (
                record.status == MessageStatus.PROVEN and game.index == record.detail["game"]
            ):
                return None
            ready = (game.created_at + 1) * 1000
        else:
            game = self.stack.games[int(record.detail["game"])]
            proven_at = int(record.detail["provenAt"])
            ready = max(proven_at + self.maturity_s, game.created_at + self.clock_s + self.finality_s) + 1
            ready *= 1000
        return max(ready + self.delay_ms, self.retry_at.get(record.id, 0))

    def due(self, now_ms: int, horizon_ms: int) -> int | None:
        times = [t for r in self._mine() if r.id not in self.pending and (t := self._ready_at(r)) is not None]
        return min(times, default=None)

    def act(self, now_ms: int) -> list[Action]:
        actions: list[Action] = []
        for record in self._mine():
            if record.id in self.pending:
                continue
            ready = self._ready_at(record)
            if ready is None or ready > now_ms:
                continue
            step = self._prove if self._needs_proof(record) else self._finalize
            action = step(record, now_ms)
            if action is not None:
                actions.append(action)
        self.observe(now_ms)
        return actions

    # ------------------------------------------------------------------ the two steps
    def _retry_later(self, record: MessageRecord, now_ms: int) -> None:
        self.retry_at[record.id] = now_ms + self.stack.parent_chain.block_time_ms

    def _send(self, record: MessageRecord, step: str, data: bytes, now_ms: int) -> Action | None:
        stack = self.stack
        parent = stack.parent_chain
        try:
            tx = stack.relayer_account.send(parent, stack.addresses.optimism_portal, data)
        except ExecutionReverted:
            self._retry_later(record, now_ms)
            return None
        self.pending[record.id] = {"step": step, "tx": "0x" + tx.hex()}
        return Action(self.name, parent.name, step, "0x" + tx.hex(), record.id)

    def _prove(self, record: MessageRecord, now_ms: int) -> Action | None:
        stack = self.stack
        game = self.covering_game(record)
        assert game is not None
        withdrawal = Withdrawal.from_json(record.detail["withdrawal"])
        child = stack.child_chain
        block = child.engine.get_block(game.l2_block)
        slot = withdrawal_storage_slot(withdrawal.withdrawal_hash)
        proof = child.engine.get_proof(L2_TO_L1_MESSAGE_PASSER, [slot], game.l2_block)
        output_root_proof = (
            b"\x00" * 32,
            bytes.fromhex(block["stateRoot"][2:]),
            proof.storage_hash,
            bytes.fromhex(block["hash"][2:]),
        )
        data = calldata(
            PROVE, withdrawal.as_tuple(), game.index, output_root_proof, list(proof.storage_proof[0].proof)
        )
        if record.status == MessageStatus.SENT:
            self.stack.book.advance(record.id, MessageStatus.PROPOSED, now_ms, self.game_leg(game))
        record.detail["provingGame"] = game.index
        return self._send(record, "prove", data, now_ms)

    def _finalize(self, record: MessageRecord, now_ms: int) -> Action | None:
        stack = self.stack
        withdrawal = Withdrawal.from_json(record.detail["withdrawal"])
        try:
            call(
                stack.parent_chain,
                stack.addresses.optimism_portal,
                "checkWithdrawal(bytes32,address)",
                [],
                withdrawal.withdrawal_hash,
                "0x" + stack.relayer_account.address.hex(),
            )
        except ExecutionReverted:
            self._retry_later(record, now_ms)
            return None
        if record.status == MessageStatus.PROVEN:
            stack.book.advance(record.id, MessageStatus.FINALIZABLE, now_ms)
        return self._send(record, "finalize", calldata(FINALIZE, withdrawal.as_tuple()), now_ms)

    def game_leg(self, game: Game) -> Leg:
        parent = self.stack.parent_chain
        timestamp = int(parent.engine.get_block(game.block)["timestamp"], 16)
        return Leg(parent.name, game.tx_hash, game.block, timestamp)

    # ------------------------------------------------------------------ receipts
    def observe(self, now_ms: int) -> None:
        """Move records whose transactions made it into a block."""
        parent = self.stack.parent_chain
        for message_id, sent in list(self.pending.items()):
            receipt = parent.engine.get_receipt(bytes.fromhex(sent["tx"][2:]))
            if receipt is None:
                continue
            del self.pending[message_id]
            number = int(receipt["blockNumber"], 16)
            leg = Leg(parent.name, sent["tx"], number, int(parent.engine.get_block(number)["timestamp"], 16))
            record = self.stack.book.get(message_id)
            if int(receipt["status"], 16) != 1:
                self._retry_later(record, now_ms)
                continue
            if sent["step"] == "prove":
                record.detail["game"] = record.detail.pop("provingGame")
                record.detail["provenAt"] = leg.timestamp
                self.stack.book.advance(message_id, MessageStatus.PROVEN, now_ms, leg)
            else:
                (success,) = decode(["bool"], bytes.fromhex(receipt["logs"][-1]["data"][2:]))
                record.detail["success"] = bool(success)
                status = MessageStatus.FINALIZED if success else MessageStatus.FAILED
                self.stack.book.advance(message_id, status, now_ms, leg)
                messenger = messenger_outcome(receipt, self.stack.addresses.l1_cross_domain_messenger)
                if success and messenger is not None:
                    record.detail["messenger"] = messenger
                    final = MessageStatus.RELAYED if messenger == "relayed" else MessageStatus.FAILED
                    self.stack.book.advance(message_id, final, now_ms, leg)

    def state(self) -> dict[str, Any]:
        return {"pending": dict(self.pending), "retry_at": dict(self.retry_at)}

    def load_state(self, state: dict[str, Any]) -> None:
        self.pending = {k: dict(v) for k, v in state["pending"].items()}
        self.retry_at = {k: int(v) for k, v in state["retry_at"].items()}
