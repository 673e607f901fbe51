"""Function signatures read once for the settlement actors and the Nitro precompiles: the
selector is the ABI's, and parameter types keep tuples and arrays whole."""

from __future__ import annotations

from cortensor_sim.chains.abi_signatures import parameter_types, selector


def test_the_selector_is_the_solidity_abis() -> None:
    assert selector("transfer(address,uint256)") == bytes.fromhex("a9059cbb")


def test_parameter_types_keep_tuples_and_arrays_whole() -> None:
    assert parameter_types("f()") == []
    assert parameter_types("sendTxToL1(address,bytes)") == ["address", "bytes"]
    assert parameter_types("f(address,(uint256,bytes)[],bytes32[2])") == [
        "address",
        "(uint256,bytes)[]",
        "bytes32[2]",
    ]
