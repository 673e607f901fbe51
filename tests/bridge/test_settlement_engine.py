"""The settlement engine's shape, pinned with a toy stack: actors on the clock (cadences, long
jumps, step mode), derivation opening each child block, records, the registry, and the engine's
place in snapshots and state files."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_hash.auto import keccak
from pydantic import ValidationError

from cortensor_sim import Devnet
from cortensor_sim.bridge import (
    STACKS,
    Action,
    Actor,
    Leg,
    MessageRecord,
    MessageStatus,
    RecordError,
    SettlementStack,
    UnknownRollup,
)
from cortensor_sim.bridge.records import MessageBook
from cortensor_sim.chains.engine import GenesisAccount, SystemCall
from cortensor_sim.chains.topology import ChainSpec, SettlementSpec, Topology

TICKER = Account.from_key(keccak(b"toy ticker"))
MARKER = b"\x7e" * 20
INTERVAL_MS = 5_000


class Ticker(Actor):
    """Wakes every INTERVAL_MS; a tick sends a transfer on the parent and records a message.

    With nothing waiting on the ticks of a long jump it coalesces them into the last one."""

    def __init__(self, stack: ToyStack) -> None:
        self.stack = stack
        self.name = f"{stack.name}/ticker"

    def due(self, now_ms: int, horizon_ms: int) -> int | None:
        last = self.stack.last_tick_ms
        nxt = last + INTERVAL_MS
        if horizon_ms - last > 10 * INTERVAL_MS:
            return last + (horizon_ms - last) // INTERVAL_MS * INTERVAL_MS
        return nxt

    def act(self, now_ms: int) -> list[Action]:
        parent = self.stack.parent
        assert parent is not None
        nonce = parent.pending_nonce(bytes.fromhex(TICKER.address[2:]))
        raw = TICKER.sign_transaction(
            {
                "to": "0x" + "11" * 20,
                "value": 1,
                "gas": 21_000,
                "gasPrice": 2 * 10**9,
                "nonce": nonce,
                "chainId": parent.chain_id,
            }
        ).raw_transaction
        tx_hash = parent.send_raw_transaction(bytes(raw))
        receipt = parent.w3.eth.get_transaction_receipt(tx_hash)
        self.stack.last_tick_ms = now_ms
        self.stack.ticks.append(now_ms)
        message_id = f"{self.stack.name}:tick:{len(self.stack.ticks)}"
        self.stack.book.add(
            MessageRecord(message_id, "tick", self.stack.name, self.stack.parent_name, MessageStatus.SENT),
            now_ms,
        )
        block = parent.w3.eth.get_block(receipt["blockNumber"])
        leg = Leg(parent.name, "0x" + tx_hash.hex(), receipt["blockNumber"], block["timestamp"])
        self.stack.book.advance(message_id, MessageStatus.RELAYED, now_ms, leg)
        return [Action(self.name, parent.name, "tick", "0x" + tx_hash.hex(), message_id)]


class ToyStack(SettlementStack):
    kind = "nitro"

    def __init__(self, spec: ChainSpec, topology: Topology) -> None:
        super().__init__(spec, topology)
        self.last_tick_ms = topology.genesis_time * 1000
        self.ticks: list[int] = []
        self.derived: list[int] = []
        self._actors = [Ticker(self)]

    def genesis(self, chain: str) -> Mapping[bytes, GenesisAccount]:
        if chain == self.parent_name:
            return {bytes.fromhex(TICKER.address[2:]): GenesisAccount(balance=10**18)}
        return {}

    def derive(self, number: int, timestamp: int) -> Sequence[SystemCall]:
        self.derived.append(number)
        return [SystemCall(sender=MARKER, to=MARKER, source_hash=number.to_bytes(32, "big"))]

    def actors(self) -> Sequence[Actor]:
        return self._actors

    def system_contracts(self) -> dict[str, str]:
        return {"Ticker": TICKER.address}

    def state(self) -> dict[str, Any]:
        return {"last_tick_ms": self.last_tick_ms, "ticks": list(self.ticks)}

    def load_state(self, state: dict[str, Any]) -> None:
        self.last_tick_ms = state["last_tick_ms"]
        self.ticks = list(state["ticks"])


TOPOLOGY = Topology(
    chains=(
        ChainSpec(name="l1", kind="ethereum", chain_id=900, block_time=1),
        ChainSpec(name="arb", kind="nitro", parent="l1", chain_id=901, block_time=1),
    )
)


@pytest.fixture
def devnet(monkeypatch: pytest.MonkeyPatch) -> Iterator[Devnet]:
    monkeypatch.setitem(STACKS, "nitro", ToyStack)
    yield Devnet(TOPOLOGY)


def _toy(devnet: Devnet) -> ToyStack:
    stack = devnet.settlement.stacks["arb"]  # type: ignore[union-attr]
    assert isinstance(stack, ToyStack)
    return stack


def test_actors_act_at_their_own_times_within_one_advance(devnet: Devnet) -> None:
    genesis_ms = TOPOLOGY.genesis_time * 1000
    devnet.advance(17)
    toy = _toy(devnet)
    assert toy.ticks == [genesis_ms + 5_000, genesis_ms + 10_000, genesis_ms + 15_000]
    records = devnet.messages()
    assert [r.id for r in records] == ["arb:tick:1", "arb:tick:2", "arb:tick:3"]
    # each tick's transaction sits in the parent block of the tick's own time, not the advance's end
    assert [r.legs["relayed"].timestamp for r in records] == [TOPOLOGY.genesis_time + s for s in (5, 10, 15)]
    assert devnet.clock.now_ms == genesis_ms + 17_000
    assert all(r.status == MessageStatus.RELAYED and r.done for r in records)


def test_a_long_jump_coalesces_ticks_nothing_waits_on(devnet: Devnet) -> None:
    devnet.advance(7 * 86_400)
    toy = _toy(devnet)
    assert toy.ticks == [TOPOLOGY.genesis_time * 1000 + 7 * 86_400_000]
    # the jump's last slot, then the tick's own automined block
    assert devnet.evm("l1").height == 7 * 86_400 + 1


def test_derivation_opens_every_child_block(devnet: Devnet) -> None:
    sealed = devnet.advance(3)
    child = devnet.evm("arb")
    for block in sealed["arb"]:
        first = child.w3.eth.get_block(block.number, full_transactions=True)["transactions"][0]
        assert first["type"] == 0x7E and first["to"].lower() == "0x" + MARKER.hex()


def test_step_mode_acts_only_on_relay(devnet: Devnet) -> None:
    devnet.settlement.auto = False  # type: ignore[union-attr]
    devnet.advance(12)
    assert devnet.messages() == []
    actions = devnet.relay()
    assert [a.what for a in actions] == ["tick"]
    assert "arb/ticker: tick arb:tick:1 (l1 0x" in str(actions[0])
    assert devnet.relay() == []  # nothing more is due at this time


def test_revert_brings_back_records_and_actor_state(devnet: Devnet) -> None:
    devnet.advance(6)
    snap = devnet.snapshot()
    devnet.advance(10)
    assert len(devnet.messages()) == 3
    devnet.revert(snap)
    assert [r.id for r in devnet.messages()] == ["arb:tick:1"]
    assert len(_toy(devnet).ticks) == 1
    devnet.advance(10)  # the actor resumes from its restored clock
    assert len(devnet.messages()) == 3


def test_a_dumped_devnet_reloads_with_its_records_and_actors(devnet: Devnet, tmp_path: Path) -> None:
    devnet.advance(6)
    path = devnet.dump(tmp_path / "toy.devnet.json.gz")
    loaded = Devnet.load(path)
    assert [r.to_json() for r in loaded.messages()] == [r.to_json() for r in devnet.messages()]
    loaded.advance(5)
    devnet.advance(5)
    assert loaded.state_roots() == devnet.state_roots()
    assert [r.id for r in loaded.messages()] == ["arb:tick:1", "arb:tick:2"]


def test_registry_names_contracts_and_refuses_unknown_rollups(devnet: Devnet) -> None:
    assert devnet.system_contracts("arb") == {"Ticker": TICKER.address}
    with pytest.raises(UnknownRollup, match=r"no rollup 'l1' in this devnet \(rollups: arb\)"):
        devnet.system_contracts("l1")


def test_records_only_move_forward(devnet: Devnet) -> None:
    devnet.advance(5)
    book = _toy(devnet).book
    with pytest.raises(RecordError, match="cannot go back from relayed to proven"):
        book.advance("arb:tick:1", MessageStatus.PROVEN, 0)
    with pytest.raises(RecordError, match="no message 'nope'"):
        book.get("nope")


def test_a_sent_record_starts_at_its_sending_leg_and_a_rescan_keeps_the_first() -> None:
    book = MessageBook()
    leg = Leg("l1", "0xab", 7, 1_700_000_012)
    record = book.add_sent(
        "arb:deposit:1", kind="deposit", source="l1", destination="arb", leg=leg, detail={"n": 1}
    )
    assert (record.status, record.legs, record.times) == (
        MessageStatus.SENT,
        {"sent": leg},
        {"sent": 1_700_000_012_000},
    )
    again = book.add_sent(
        "arb:deposit:1", kind="deposit", source="l1", destination="arb", leg=leg, detail={"n": 2}
    )
    assert again is record and record.detail == {"n": 1} and len(book) == 1


def test_settlement_presets_and_fields() -> None:
    assert SettlementSpec.model_validate("mainnet-like").proof_maturity_delay == 604_800
    assert SettlementSpec.model_validate("mainnet-like").dispute_game_finality_delay == 302_400
    assert SettlementSpec().proposal_interval == 12
    with pytest.raises(ValidationError, match="unknown preset 'fast'"):
        SettlementSpec.model_validate("fast")
    with pytest.raises(ValidationError, match="greater than 0"):
        SettlementSpec(proposal_interval=0)


def test_a_record_prints_on_one_line(devnet: Devnet) -> None:
    devnet.advance(5)
    (record,) = devnet.messages()
    line = str(record)
    assert line.startswith("arb:tick:1 [tick, arb -> l1] relayed: relayed l1#")
    assert "\n" not in line


def test_a_bad_settlement_in_a_topology_file_names_its_line_and_field(tmp_path: Path) -> None:
    from cortensor_sim.scenario.source import InputError, load_yaml_model

    path = tmp_path / "bad.yaml"
    path.write_text(
        "chains:\n"
        "  - {name: l1, kind: ethereum, chain_id: 900, block_time: 12}\n"
        "  - {name: base, kind: op-stack, parent: l1, chain_id: 901, block_time: 2, settlement: weekly}\n"
    )
    expected = r"bad\.yaml:3:\d+: chains\[1\]\.settlement.*unknown preset 'weekly'"
    with pytest.raises(InputError, match=expected):
        load_yaml_model(path, Topology)
