"""``OpStack``: one OP Stack rollup's off-chain half (its child chain and the parent it settles to).

It watches the parent's OptimismPortal for deposits and the child's L2ToL1MessagePasser for
withdrawals, keeps a record of each, and runs three actors: the proposer (output roots into
permissioned dispute games), the challenger (disputes a wrong root, resolves games whose clock ran
out) and the relayer (proves withdrawals with ``eth_getProof`` and finalizes them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from eth_abi import decode
from eth_hash.auto import keccak
from eth_utils import to_checksum_address

from ...chains.accounts import dev_accounts
from ...chains.engine import Genesis, GenesisAccount, SystemCall
from ...chains.topology import ChainSpec, Topology
from ...rollups.opstack.addresses import (
    L2_CROSS_DOMAIN_MESSENGER,
    L2_TO_L1_MESSAGE_PASSER,
    PREDEPLOYS,
    SystemAddresses,
)
from ...rollups.opstack.genesis import ACTOR_BALANCE, child_genesis, parent_genesis, system_config
from ...rollups.opstack.spec import MESSAGE_PASSED, Withdrawal, messenger_outcome, output_root
from ..records import Leg, MessageRecord, MessageStatus
from ..stack import Actor, SettlementStack
from ..transactions import ActorAccount
from .challenger import Challenger
from .derivation import (
    Origin,
    deposit_call,
    deposits_between,
    find_origin,
    l1_info_call,
    read_system_config,
)
from .proposer import Proposer
from .relayer import Relayer

DISPUTE_GAME_CREATED = keccak(b"DisputeGameCreated(address,uint32,bytes32)")


@dataclass
class Game:
    """A dispute game the factory created, as the actors track it."""

    index: int
    address: str
    root_claim: str
    l2_block: int
    created_at: int
    tx_hash: str
    block: int
    challenged: bool = False
    resolved: bool = False
    status: int = 0  # GameStatus: 0 IN_PROGRESS, 1 CHALLENGER_WINS, 2 DEFENDER_WINS
    checked: bool = False


class OpStack(SettlementStack):
    kind = "op-stack"

    def __init__(self, spec: ChainSpec, topology: Topology) -> None:
        super().__init__(spec, topology)
        self.settings = spec.settlement
        self.addresses = SystemAddresses.of(spec.name)
        seed = hashlib.sha256(topology.seed.encode()).digest()
        self.proposer_account = ActorAccount(keccak(seed + f":{spec.name}:proposer".encode()))
        self.challenger_account = ActorAccount(keccak(seed + f":{spec.name}:challenger".encode()))
        self.relayer_account = ActorAccount(keccak(seed + f":{spec.name}:relayer".encode()))
        self.origin: Origin | None = None
        self.sequence = 0
        self.deposit_cursor = 0
        """Parent blocks up to this one have been scanned for deposits."""
        self.withdrawal_cursor = 0
        """Child blocks up to this one have been scanned for withdrawals."""
        self.game_cursor = 0
        self.games: list[Game] = []
        self.proposer = Proposer(self)
        self.challenger = Challenger(self)
        self.relayer = Relayer(self)

    # ------------------------------------------------------------------ genesis and registry
    def genesis(self, chain: str) -> Mapping[bytes, GenesisAccount]:
        if chain == self.name:
            return child_genesis(self.addresses)
        actors = {
            account.address: ACTOR_BALANCE
            for account in (self.proposer_account, self.challenger_account, self.relayer_account)
        }
        owner = dev_accounts(self.topology.accounts)[0].address
        child = self.topology.chain(self.name)
        assert child.chain_id is not None  # an EVM rollup: the topology checked it
        config = system_config(self.addresses, bytes.fromhex(owner[2:]), child.chain_id, Genesis.gas_limit)
        return parent_genesis(
            self.addresses,
            self.settings,
            self.proposer_account.address,
            self.challenger_account.address,
            actors,
            config,
        )

    def system_contracts(self) -> dict[str, str]:
        named = {**self.addresses.named(), **PREDEPLOYS}
        return {name: to_checksum_address(address) for name, address in named.items()}

    def actors(self) -> Sequence[Actor]:
        return (self.challenger, self.proposer, self.relayer)

    @property
    def parent_chain(self) -> Any:
        assert self.parent is not None
        return self.parent

    @property
    def child_chain(self) -> Any:
        assert self.child is not None
        return self.child

    # ------------------------------------------------------------------ derivation
    def derive(self, number: int, timestamp: int) -> Sequence[SystemCall]:
        origin = find_origin(self.parent_chain, timestamp, self.origin)
        if origin is None:  # no parent block at or before this one: genesis-aligned start
            return []
        calls: list[SystemCall] = []
        if self.origin is None or origin.number > self.origin.number:
            first = 1 if self.origin is None else self.origin.number + 1
            self.sequence = 0
            origin = read_system_config(self.parent_chain, self.addresses.system_config, origin)
            calls.append(l1_info_call(origin, 0))
            for deposit in deposits_between(
                self.parent_chain, self.addresses.optimism_portal, first, origin.number
            ):
                call = deposit_call(deposit)
                record = self._record_deposit(deposit, timestamp * 1000)
                record.detail["l2_tx"] = "0x" + self.child_chain.engine.system_transaction_hash(call).hex()
                calls.append(call)
            self.origin = origin
        else:
            self.sequence += 1
            calls.append(l1_info_call(origin, self.sequence))
        return calls

    def pending_deposits(self) -> bool:
        head = self.parent_chain.height
        if self.origin is not None and head <= self.origin.number:
            return False
        first = 1 if self.origin is None else self.origin.number + 1
        return bool(deposits_between(self.parent_chain, self.addresses.optimism_portal, first, head))

    # ------------------------------------------------------------------ watching
    def observe(self, now_ms: int) -> None:
        self._scan_deposits(now_ms)
        self._settle_deposits(now_ms)
        self._scan_withdrawals(now_ms)
        self._scan_games()
        self._mark_proposed(now_ms)
        self._read_outcomes()
        self.relayer.observe(now_ms)

    def _mark_proposed(self, now_ms: int) -> None:
        """A withdrawal is ``proposed`` once a game on the parent covers its block, whoever proves
        it and whenever (a paused relayer does not hold the record back)."""
        for record in self.book.pending("withdrawal"):
            if record.source != self.name or record.status != MessageStatus.SENT:
                continue
            game = self.relayer.covering_game(record)
            if game is not None:
                self.book.advance(record.id, MessageStatus.PROPOSED, now_ms, self.relayer.game_leg(game))

    def _record_deposit(self, deposit: Any, now_ms: int) -> MessageRecord:
        parent = self.parent_chain
        block = parent.engine.get_block(deposit.l1_block_number)
        leg = Leg(
            parent.name, "0x" + deposit.l1_tx_hash.hex(), deposit.l1_block_number, int(block["timestamp"], 16)
        )
        return self.book.add_sent(
            f"{self.name}:deposit:0x{deposit.source_hash.hex()}",
            kind="deposit",
            source=self.parent_name,
            destination=self.name,
            leg=leg,
            detail={
                "from": to_checksum_address(deposit.sender),
                "to": to_checksum_address(deposit.to) if deposit.to else None,
                "mint": deposit.mint,
                "value": deposit.value,
                "sourceHash": "0x" + deposit.source_hash.hex(),
            },
        )

    def _scan_deposits(self, now_ms: int) -> None:
        parent = self.parent_chain
        head = parent.height
        if head <= self.deposit_cursor:
            return
        for deposit in deposits_between(
            parent, self.addresses.optimism_portal, self.deposit_cursor + 1, head
        ):
            self._record_deposit(deposit, now_ms)
        self.deposit_cursor = head

    def _settle_deposits(self, now_ms: int) -> None:
        child = self.child_chain
        for record in self.book.pending("deposit"):
            if record.source != self.parent_name or record.destination != self.name:
                continue
            tx = record.detail.get("l2_tx")
            receipt = child.engine.get_receipt(bytes.fromhex(tx[2:])) if tx else None
            if receipt is None:
                continue
            block = child.engine.get_block(int(receipt["blockNumber"], 16))
            leg = Leg(child.name, tx, int(receipt["blockNumber"], 16), int(block["timestamp"], 16))
            ok = int(receipt["status"], 16) == 1
            messenger = messenger_outcome(receipt, L2_CROSS_DOMAIN_MESSENGER)
            if messenger is not None:
                record.detail["messenger"] = messenger
                ok = ok and messenger == "relayed"
            self.book.advance(record.id, MessageStatus.RELAYED if ok else MessageStatus.FAILED, now_ms, leg)

    def _scan_withdrawals(self, now_ms: int) -> None:
        child = self.child_chain
        head = child.height
        if head <= self.withdrawal_cursor:
            return
        logs = child.engine.get_logs(
            self.withdrawal_cursor + 1, head, [L2_TO_L1_MESSAGE_PASSER], [[MESSAGE_PASSED]]
        )
        logs.sort(key=lambda log: (int(log["blockNumber"], 16), int(log["logIndex"], 16)))
        for log in logs:
            withdrawal = Withdrawal.from_log(log)
            number = int(log["blockNumber"], 16)
            block = child.engine.get_block(number)
            leg = Leg(child.name, log["transactionHash"], number, int(block["timestamp"], 16))
            self.book.add_sent(
                f"{self.name}:withdrawal:0x{withdrawal.withdrawal_hash.hex()}",
                kind="withdrawal",
                source=self.name,
                destination=self.parent_name,
                leg=leg,
                detail={"withdrawal": withdrawal.to_json(), "l2Block": number},
            )
        self.withdrawal_cursor = head

    def _scan_games(self) -> None:
        parent = self.parent_chain
        head = parent.height
        if head <= self.game_cursor:
            return
        logs = parent.engine.get_logs(
            self.game_cursor + 1, head, [self.addresses.dispute_game_factory], [[DISPUTE_GAME_CREATED]]
        )
        logs.sort(key=lambda log: (int(log["blockNumber"], 16), int(log["logIndex"], 16)))
        for log in logs:
            game = bytes.fromhex(log["topics"][1][2:])[12:]
            number = int(log["blockNumber"], 16)
            (l2_block,) = decode(["uint256"], self._game_call(game, "l2BlockNumber()"))
            (created_at,) = decode(["uint64"], self._game_call(game, "createdAt()"))
            self.games.append(
                Game(
                    index=len(self.games),
                    address=to_checksum_address(game),
                    root_claim=log["topics"][3],
                    l2_block=l2_block,
                    created_at=created_at,
                    tx_hash=log["transactionHash"],
                    block=number,
                )
            )
        self.game_cursor = head

    def _read_outcomes(self) -> None:
        """Read back the outcome of each game resolved since the last look (anyone may resolve)."""
        for game in self.games:
            clock_out = game.created_at + round(self.settings.game_clock_duration)
            if game.status == 0 and (game.resolved or self.parent_chain.now >= clock_out):
                status = self.game_status(game)
                if status != 0:
                    game.status = status
                    game.resolved = True

    def _game_call(self, game: bytes, signature: str) -> bytes:
        from ...chains.engine import CallRequest

        return self.parent_chain.engine.call(CallRequest(to=game, data=keccak(signature.encode())[:4]))

    def game_status(self, game: Game) -> int:
        (status,) = decode(["uint8"], self._game_call(bytes.fromhex(game.address[2:]), "status()"))
        return int(status)

    def honest_output_root(self, l2_block: int) -> bytes:
        """The output root of child block ``l2_block`` as the child's node reports it."""
        child = self.child_chain
        block = child.engine.get_block(l2_block)
        proof = child.engine.get_proof(L2_TO_L1_MESSAGE_PASSER, [], l2_block)
        return output_root(
            bytes.fromhex(block["stateRoot"][2:]), proof.storage_hash, bytes.fromhex(block["hash"][2:])
        )

    # ------------------------------------------------------------------ state
    def state(self) -> dict[str, Any]:
        return {
            "origin": None
            if self.origin is None
            else {
                **asdict(self.origin),
                "hash": self.origin.hash.hex(),
                "batcher_hash": self.origin.batcher_hash.hex(),
            },
            "sequence": self.sequence,
            "deposit_cursor": self.deposit_cursor,
            "withdrawal_cursor": self.withdrawal_cursor,
            "game_cursor": self.game_cursor,
            "games": [asdict(game) for game in self.games],
            "proposer": self.proposer.state(),
            "challenger": self.challenger.state(),
            "relayer": self.relayer.state(),
        }

    def load_state(self, state: dict[str, Any]) -> None:
        if not state:
            return
        origin = state["origin"]
        self.origin = (
            None
            if origin is None
            else Origin(
                **{
                    **origin,
                    "hash": bytes.fromhex(origin["hash"]),
                    # state files written before SystemConfig existed carry no batcher hash
                    "batcher_hash": bytes.fromhex(origin.get("batcher_hash", "00" * 32)),
                }
            )
        )
        self.sequence = int(state["sequence"])
        self.deposit_cursor = int(state["deposit_cursor"])
        self.withdrawal_cursor = int(state["withdrawal_cursor"])
        self.game_cursor = int(state["game_cursor"])
        self.games = [Game(**game) for game in state["games"]]
        self.proposer.load_state(state["proposer"])
        self.challenger.load_state(state["challenger"])
        self.relayer.load_state(state["relayer"])
