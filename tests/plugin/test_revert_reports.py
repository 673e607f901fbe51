"""A failing test whose exception is a revert says which chain, which contract and which error."""

from __future__ import annotations

import json

import pytest
from bytecode import ANSWER_ABI, foundry_artifact, reverting_runtime
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector

from cortensor_sim.testing.reverts import ContractBook, RecordedRevert, RevertLog


def test_a_cortensor_revert_names_chain_contract_and_decoded_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_inner_role="""
        def test_outsider_grants_a_role(cortensor, accounts):
            role = cortensor.node_pool.functions.ADMIN_ROLE().call()
            cortensor.node_pool.functions.grantRole(role, accounts[3].address).transact(
                {"from": accounts[5].address}
            )
        """
    )
    result = pytester.runpytest("-vv")  # -vv: the short summary line is not cut at 80 columns
    result.assert_outcomes(failed=1)
    pool = "0x[0-9a-fA-F]*"
    result.stdout.re_match_lines(
        [
            r"-+ cortensor-sim: revert -+",
            rf"arbitrum: NodePool at {pool} reverted \(eth_estimateGas\): MissingRole\(role=ADMIN_ROLE "
            rf"\(0x[0-9a-f]{{64}}\), account=0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc\)",
        ]
    )
    result.stdout.fnmatch_lines(
        ["FAILED test_inner_role.py::test_outsider_grants_a_role - ContractCustomError: arbitrum: *"]
    )
    # web3's dozen frames of error formatting are cut: the traceback ends in the test's own line
    assert "error_formatters_utils.py" not in result.stdout.str()


def test_a_foundry_contracts_custom_error_is_decoded_from_its_abi(pytester: pytest.Pytester) -> None:
    abi = [
        *ANSWER_ABI,
        {"type": "error", "name": "TooLate", "inputs": [{"name": "deadline", "type": "uint256"}]},
    ]
    out = pytester.path / "out" / "Gate.sol"
    out.mkdir(parents=True)
    (out / "Gate.json").write_text(
        json.dumps(foundry_artifact(abi, reverting_runtime("TooLate(uint256)", 7)))
    )
    pytester.makeini("[pytest]\ncortensor_protocol = false\n")
    pytester.makepyfile(
        test_inner_gate="""
        def test_gate(deploy):
            gate = deploy("Gate", project=".", chain="l3")
            gate.functions.answer().call()
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["l3: Gate at 0x* reverted (eth_call): TooLate(deadline=7)"])


def test_a_failure_that_is_not_a_revert_is_left_alone(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ncortensor_protocol = false\n")
    pytester.makepyfile(test_inner_plain="def test_plain(l1):\n    assert l1.height == 99\n")
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    assert "cortensor-sim: revert" not in result.stdout.str()


def _error(signature: str, types: list[str], values: list[object]) -> bytes:
    return function_signature_to_4byte_selector(signature) + encode(types, values)


def test_reasons_panics_and_unknown_errors_decode_to_words() -> None:
    book = ContractBook()
    assert (
        book.decode(_error("Error(string)", ["string"], ["not enough stake"])) == "reason 'not enough stake'"
    )
    assert (
        book.decode(_error("Panic(uint256)", ["uint256"], [0x11]))
        == "panic 0x11 (arithmetic overflow or underflow)"
    )
    assert book.decode(b"") == "no revert data (a bare revert(), or out of gas)"
    unknown = _error("Nope(uint256)", ["uint256"], [1])
    assert book.decode(unknown) == f"unknown custom error 0x{unknown[:4].hex()} (data 0x{unknown.hex()})"
    assert book.decode(unknown[:4] + b"\x01").startswith("unknown custom error")


def test_custom_errors_decode_with_argument_names_tuples_and_known_words() -> None:
    role = bytes(range(32))
    abi = [
        {
            "type": "error",
            "name": "Bad",
            "inputs": [
                {"name": "who", "type": "address"},
                {"name": "role", "type": "bytes32"},
                {
                    "name": "",
                    "type": "tuple",
                    "components": [{"name": "a", "type": "uint8"}, {"name": "b", "type": "string"}],
                },
            ],
        }
    ]
    book = ContractBook(words={role: "KEEPER_ROLE"})
    book.register("base", "0x" + "11" * 20, "Vault", abi)
    who = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"
    data = _error(
        "Bad(address,bytes32,(uint8,string))", ["address", "bytes32", "(uint8,string)"], [who, role, (3, "x")]
    )
    assert book.decode(data) == f"Bad(who={who}, role=KEEPER_ROLE (0x{role.hex()}), arg2=(3, 'x'))"
    revert = RecordedRevert(chain="base", method="eth_call", to="0x" + "11" * 20, data=data, message="")
    assert book.describe(revert).startswith(
        "base: Vault at 0x1111111111111111111111111111111111111111 reverted (eth_call): Bad("
    )


def test_truncated_custom_error_data_says_it_cannot_be_decoded() -> None:
    abi = [{"type": "error", "name": "Short", "inputs": [{"name": "x", "type": "uint256"}]}]
    book = ContractBook()
    book.register("l1", "0x" + "22" * 20, "C", abi)
    data = function_signature_to_4byte_selector("Short(uint256)") + b"\x01\x02"
    assert book.decode(data).startswith(f"undecodable revert data 0x{data.hex()}")


def test_the_revert_log_finds_the_newest_matching_revert() -> None:
    log = RevertLog(size=2)
    first = RecordedRevert("l1", "eth_call", None, b"\x01", "")
    again = RecordedRevert("base", "eth_call", None, b"\x01", "")
    log.record(first)
    log.record(again)
    assert log.find(b"\x01") is again
    log.record(RecordedRevert("l3", "eth_call", None, b"\x02", ""))
    log.record(RecordedRevert("l3", "eth_call", None, b"\x03", ""))
    assert log.find(b"\x01") is None  # bounded: the oldest are forgotten
