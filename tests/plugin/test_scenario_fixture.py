"""The ``scenario`` fixture: a YAML scenario run inside a test, its outcome inspected."""

from __future__ import annotations

import pytest

DEPOSIT = """
name: eth-deposit
seed: 1
topology:
  seed: eth-deposit
  accounts: 10
  chains:
    - {name: l1,   kind: ethereum,             chain_id: 900, block_time: 12}
    - {name: base, kind: op-stack, parent: l1, chain_id: 901, block_time: 2}
parameters:
  session_chain: l1
actors:
  users: 1
  miners: 1
timeline:
  - {do: bridge, from: l1, to: base, actor: user0, amount: 1 ether}
  - {do: advance, by: 1m}
expectations:
  - {expect: messages, route: l1 -> base, status: relayed, count: COUNT}
"""


def _project(pytester: pytest.Pytester, count: int = 1) -> None:
    pytester.makeini("[pytest]\ncortensor_protocol = false\n")
    pytester.path.joinpath("deposit.yaml").write_text(DEPOSIT.replace("COUNT", str(count)))


def test_a_scenario_runs_inside_a_test_and_its_outcome_is_inspected(pytester: pytest.Pytester) -> None:
    _project(pytester)
    pytester.makepyfile(
        test_inner_scenario="""
        def test_deposit(scenario, devnet):
            outcome = scenario("deposit.yaml")
            outcome.assert_passed()
            assert outcome.passed and outcome.failures == [] and outcome.failed_step is None
            assert [e.passed for e in outcome.expectations] == [True, True]  # invariant, messages
            assert len(outcome.trace_hash) == 64
            assert scenario("deposit.yaml").trace_hash == outcome.trace_hash  # same scenario, same seed
            assert scenario("deposit.yaml", seed=2).trace_hash != outcome.trace_hash
            (message,) = outcome.messages()
            assert message.route == "l1 -> base" and message.done
            # the devnet as the run left it: user0's ether arrived on base; the session's is untouched
            user = outcome.address_of("user0", "base")
            assert outcome.chain("base").w3.eth.get_balance(user) > 10_000 * 10**18
            assert list(outcome.devnet.chains) == ["l1", "base"]
            assert "arbitrum" in devnet.chains and devnet.messages() == []
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_failed_expectation_fails_the_test_with_what_was_observed(pytester: pytest.Pytester) -> None:
    _project(pytester, count=2)
    pytester.makepyfile(
        test_inner_failing="""
        def test_deposit(scenario):
            outcome = scenario("deposit.yaml")
            assert not outcome.passed and len(outcome.failures) == 1
            outcome.assert_passed()
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*scenario 'eth-deposit' (*deposit.yaml), trace *", "*FAIL*l1 -> base*"])
    assert "Traceback" not in result.stdout.str()


def test_a_bad_scenario_fails_the_test_naming_file_line_and_field(pytester: pytest.Pytester) -> None:
    _project(pytester)
    text = pytester.path.joinpath("deposit.yaml").read_text().replace("to: base, actor", "to: nowhere, actor")
    pytester.path.joinpath("bad.yaml").write_text(text)
    pytester.makepyfile(test_inner_bad="def test_bad(scenario):\n    scenario('bad.yaml')\n")
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*cortensor-sim: scenario 'bad.yaml': *bad.yaml:*: timeline[[]0[]].to: *nowhere*"]
    )
    assert "Traceback" not in result.stdout.str()
