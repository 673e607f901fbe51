"""Shared moves of the Nitro tests (not a test module): the rollup harness, and revert and event
assertions."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi import decode
from eth_utils import function_signature_to_4byte_selector
from web3.contract import Contract
from web3.exceptions import ContractCustomError
from web3.logs import DISCARD

from cortensor_sim.chains.topology import Topology, default_topology
from cortensor_sim.rollups.nitro.harness import ETH, NitroRollup, nitro_rollup

__all__ = ["ETH", "NitroRollup", "eth_gas_l3", "events", "expect_revert", "nitro_rollup", "selector"]


def eth_gas_l3() -> Topology:
    """The default topology with an l3 whose gas is ETH: COR's gateways then reach the l3 too (a
    COR-gas l3, the default, has an ERC20Inbox instead and no gateways)."""
    topology = default_topology()
    chains = [c.model_copy(update={"native_token": "ETH"}) if c.name == "l3" else c for c in topology.chains]
    return Topology.model_validate({**topology.model_dump(), "chains": [c.model_dump() for c in chains]})


def selector(signature: str) -> str:
    return "0x" + function_signature_to_4byte_selector(signature).hex()


def expect_revert(fn: Any, tx: dict[str, Any], signature: str, *expected: Any) -> tuple[Any, ...]:
    """Assert ``fn`` reverts with custom error ``signature`` (and arguments ``expected``, if given)."""
    with pytest.raises(ContractCustomError) as info:
        fn.transact(tx)
    data = info.value.data
    assert isinstance(data, str) and data[:10] == selector(signature), (
        f"expected {signature}, got {data[:10]}"
    )
    inner = signature[signature.index("(") + 1 : -1]
    types = [t for t in inner.split(",") if t]
    decoded = tuple(decode(types, bytes.fromhex(data[10:]))) if types else ()
    if expected:
        assert decoded == tuple(e.lower() if isinstance(e, str) and len(e) == 42 else e for e in expected)
    return decoded


def events(contract: Contract, name: str, receipt: Any) -> list[dict[str, Any]]:
    return [dict(e["args"]) for e in contract.events[name]().process_receipt(receipt, errors=DISCARD)]
