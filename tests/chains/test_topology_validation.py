"""Every invalid topology is refused with a message that names the field and says why."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from cortensor_sim.chains import Devnet, Topology, default_topology


def _l1(**extra: Any) -> dict[str, Any]:
    return {"name": "l1", "kind": "ethereum", "chain_id": 900, "block_time": 12, **extra}


def _refused(chains: list[dict[str, Any]], *fragments: str, **top: Any) -> str:
    with pytest.raises(ValidationError) as info:
        Devnet({"chains": chains, **top})
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    # the model refuses the same way when used directly
    with pytest.raises(ValidationError):
        Topology.model_validate({"chains": chains, **top})
    return message


CASES: dict[str, tuple[list[dict[str, Any]], tuple[str, ...]]] = {
    "unknown kind": (
        [_l1(), {"name": "zk", "kind": "zksync", "parent": "l1", "chain_id": 5, "block_time": 1}],
        ("chains.1.kind", "zksync", "'op-stack'"),
    ),
    "unknown parent": (
        [_l1(), {"name": "base", "kind": "op-stack", "parent": "l0", "chain_id": 901, "block_time": 2}],
        ("chains[1].parent", "unknown parent 'l0'", "chains: l1, base"),
    ),
    "rollup without parent": (
        [_l1(), {"name": "base", "kind": "op-stack", "chain_id": 901, "block_time": 2}],
        ("chains[1].parent", "is a rollup and needs a parent", "ethereum, op-stack"),
    ),
    "nitro without parent": (
        [{"name": "arb", "kind": "nitro", "chain_id": 901, "block_time": 0.25}],
        ("chains[0].parent", "needs a parent"),
    ),
    "cycle": (
        [
            _l1(),
            {"name": "a", "kind": "op-stack", "parent": "b", "chain_id": 1, "block_time": 2},
            {"name": "b", "kind": "op-stack", "parent": "a", "chain_id": 2, "block_time": 2},
        ],
        ("parent cycle", "a -> b -> a"),
    ),
    "self parent": (
        [{"name": "a", "kind": "op-stack", "parent": "a", "chain_id": 1, "block_time": 2}],
        ("chains[0].parent", "parent cycle a -> a"),
    ),
    "duplicate names": (
        [_l1(), _l1(chain_id=901)],
        ("chains[1].name", "duplicate chain name 'l1'", "also chains[0]"),
    ),
    "duplicate chain ids": (
        [_l1(), {"name": "base", "kind": "op-stack", "parent": "l1", "chain_id": 900, "block_time": 2}],
        ("chains[1].chain_id", "duplicate chain id 900", "also chains[0]"),
    ),
    "orbit on ethereum": (
        [_l1(), {"name": "l3", "kind": "orbit", "parent": "l1", "chain_id": 3, "block_time": 1}],
        ("chains[1].parent", "an L3 whose parent is not a rollup", "nitro or op-stack"),
    ),
    "nitro on a rollup": (
        [
            _l1(),
            {"name": "base", "kind": "op-stack", "parent": "l1", "chain_id": 901, "block_time": 2},
            {"name": "arb", "kind": "nitro", "parent": "base", "chain_id": 3, "block_time": 1},
        ],
        ("chains[2].parent", "cannot settle to 'base' (op-stack)", "ethereum"),
    ),
    "ethereum with a parent": (
        [_l1(), _l1(name="l1b", chain_id=5, parent="l1")],
        ("chains[1].parent", "has no parent chain"),
    ),
    "block time zero": ([_l1(block_time=0)], ("chains.0.block_time", "must be positive, got 0")),
    "block time negative": (
        [_l1(block_time=-2)],
        ("chains.0.block_time", "must be positive, got -2"),
    ),
    "block time below a millisecond": (
        [_l1(block_time=0.0005)],
        ("chains.0.block_time", "whole number of milliseconds"),
    ),
    "solana with chain id": (
        [{"name": "solana", "kind": "solana", "chain_id": 7, "block_time": 0.4}],
        ("chains[0].chain_id", "a solana chain has no EVM chain id"),
    ),
    "evm without chain id": (
        [{"name": "l1", "kind": "ethereum", "block_time": 12}],
        ("chains[0].chain_id", "needs a chain id"),
    ),
    "chain id zero": ([_l1(chain_id=0)], ("chains.0.chain_id", "greater than 0")),
    "extra field on a chain": ([_l1(gas_limit=1)], ("chains.0.gas_limit", "Extra inputs")),
    "bad name": ([_l1(name="L1 chain")], ("chains.0.name", "pattern")),
    "no chains": ([], ("chains", "at least 1")),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_invalid_topology_is_refused_with_a_clear_message(case: str) -> None:
    chains, fragments = CASES[case]
    _refused(chains, *fragments)


def test_extra_top_level_field_is_refused() -> None:
    _refused([_l1()], "colour", "Extra inputs are not permitted", colour="blue")


def test_valid_topologies_are_accepted() -> None:
    assert Topology.model_validate(default_topology().model_dump()) == default_topology()
    devnet = Devnet(
        {
            "seed": "x",
            "chains": [
                _l1(),
                {"name": "base", "kind": "op-stack", "parent": "l1", "chain_id": 8453, "block_time": 2},
                {"name": "orb", "kind": "orbit", "parent": "base", "chain_id": 9, "block_time": 0.25},
                {"name": "l3op", "kind": "op-stack", "parent": "base", "chain_id": 10, "block_time": 1},
            ],
        }
    )
    assert devnet.topology.layer("orb") == 3
    assert devnet.evm("orb").chain_id == 9


@pytest.mark.parametrize("block_time", [1.001, 2.002, 2.007])
def test_whole_millisecond_block_times_are_accepted(block_time: float) -> None:
    devnet = Devnet({"chains": [_l1(block_time=block_time)]})
    assert devnet.evm("l1").block_time_ms == round(block_time * 1000)
