"""A retryable whose auto-redeem failed for real (too little gas for its retry), waiting with its
COR escrowed on the parent, then redeemed by hand with ``ArbRetryableTx.redeem``; and the names
and states these steps refuse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cortensor_sim.interfaces.cli import app
from cortensor_sim.scenario.loader import InputError, load_scenario
from cortensor_sim.scenario.runner import run_scenario

HEAD = """\
name: retryables
seed: 4
topology:
  chains:
    - {name: l1, kind: ethereum, chain_id: 900, block_time: 12}
    - {name: base, kind: op-stack, parent: l1, chain_id: 901, block_time: 2}
    - {name: arbitrum, kind: nitro, parent: l1, chain_id: 412346, block_time: 0.25}
parameters: {session_chain: l1}
actors: {users: 1, miners: 1}
timeline:
  - {do: deploy, chain: l1}
  - {do: fund, chain: l1, to: [user0], amount: 1000 COR}
FAULT
  - {do: bridge, from: l1, to: arbitrum, actor: user0, amount: 500 COR}
  - {do: advance, by: 30s}
REDEEM
expectations:
EXPECT
"""


def _write(tmp_path: Path, fault: str = "", redeem: str = "", expect: str = "") -> Path:
    path = tmp_path / "retryables.yaml"
    text = HEAD.replace("FAULT\n", fault).replace("REDEEM\n", redeem)
    path.write_text(text.replace("expectations:\nEXPECT\n", f"expectations:\n{expect}" if expect else ""))
    return path


UNDERFUND = "  - {do: underfund_retryable, chain: arbitrum}\n"
REDEEM = "  - {do: redeem_retryable, chain: arbitrum, actor: user0}\n"


def test_an_underfunded_retryable_waits_with_its_cor_escrowed(tmp_path: Path) -> None:
    expect = """\
  - {expect: messages, route: l1 -> arbitrum, ticket: waiting, count: 1}
  - {expect: messages, route: l1 -> arbitrum, status: included, count: 1}
  - {expect: messages, route: l1 -> arbitrum, status: relayed, count: 0}
  - {expect: balance, of: user0, chain: arbitrum, equals: 0 COR}
  - {expect: balance, of: user0, chain: l1, equals: 500 COR}
"""
    result = run_scenario(load_scenario(_write(tmp_path, UNDERFUND, "", expect)))
    assert result.passed, [e for e in result.expectations if not e.passed]
    (record,) = result.run.bridging.messages()
    assert record.detail["autoRedeem"] == "failed"
    # the auto-redeem ran and ran out of gas: ArbRetryableTx counted one failed try
    assert result.run.bridging.locked_and_minted("arbitrum") == (500 * 10**18, 0)


def test_a_redeem_by_hand_delivers_the_waiting_ticket(tmp_path: Path) -> None:
    expect = """\
  - {expect: messages, route: l1 -> arbitrum, ticket: redeemed, status: relayed, count: 1}
  - {expect: messages, route: l1 -> arbitrum, ticket: waiting, count: 0}
  - {expect: balance, of: user0, chain: arbitrum, equals: 500 COR}
"""
    result = run_scenario(load_scenario(_write(tmp_path, UNDERFUND, REDEEM, expect)))
    assert result.passed, [e for e in result.expectations if not e.passed] or result.failed_step
    (record,) = result.run.bridging.messages()
    assert list(record.times) == ["sent", "included", "relayed"]
    assert record.detail["ticketOutcome"] == "redeemed"
    redeem = result.run.trace[-1]["executed"]
    assert [(t["chain"], t["status"]) for t in redeem] == [("arbitrum", 1)]


def test_redeem_without_a_waiting_ticket_fails_the_step_saying_why(tmp_path: Path) -> None:
    result = run_scenario(load_scenario(_write(tmp_path, "", REDEEM)))
    assert result.failed_step is not None
    assert "no retryable to arbitrum waits for a redeem" in (result.failed_step.error or "")


@pytest.mark.parametrize(
    ("step", "said"),
    [
        ("{do: underfund_retryable, chain: base}", "'base' (op-stack) has no retryables"),
        ("{do: underfund_retryable, chain: l1}", "'l1' is a root chain"),
        ("{do: underfund_retryable, chain: arbitrum, gas_limit: 2000000}", "less than 2000000"),
        ("{do: redeem_retryable, chain: arbitrum, actor: nobody}", "unknown actor 'nobody'"),
        ("{do: redeem_retryable, chain: mars, actor: user0}", "unknown chain 'mars'"),
    ],
)
def test_bad_retryable_steps_are_refused_before_anything_runs(tmp_path: Path, step: str, said: str) -> None:
    path = _write(tmp_path, f"  - {step}\n")
    with pytest.raises(InputError, match=re.escape(said)):
        load_scenario(path)
    outcome = CliRunner().invoke(app, ["validate", str(path)])
    assert outcome.exit_code == 2 and said in outcome.output


def test_a_ticket_filter_on_a_route_without_retryables_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, expect="  - {expect: messages, route: l1 -> base, ticket: redeemed, count: 1}\n")
    with pytest.raises(InputError, match="retryables go to nitro or orbit chains, not to 'base'"):
        load_scenario(path)


def test_a_cancelled_ticket_ends_failed_and_its_cor_stays_stranded_in_the_gateway(tmp_path: Path) -> None:
    cancel = "  - {do: cancel_retryable, chain: arbitrum, actor: user0}\n"
    expect = """\
  - {expect: messages, route: l1 -> arbitrum, ticket: cancelled, status: failed, count: 1}
  - {expect: balance, of: user0, chain: arbitrum, equals: 0 COR}
  - {expect: balance, of: user0, chain: l1, equals: 500 COR}
"""
    result = run_scenario(load_scenario(_write(tmp_path, UNDERFUND, cancel, expect)))
    assert result.passed, [e for e in result.expectations if not e.passed] or result.failed_step
    assert result.run.bridging.locked_and_minted("arbitrum") == (500 * 10**18, 0)  # held by the invariant


def test_only_the_beneficiary_may_cancel(tmp_path: Path) -> None:
    cancel = "  - {do: cancel_retryable, chain: arbitrum, actor: admin}\n"
    result = run_scenario(load_scenario(_write(tmp_path, UNDERFUND, cancel)))
    assert result.failed_step is not None
    assert "only the ticket's beneficiary 0x" in (result.failed_step.error or "")


def test_a_ticket_left_alone_expires_after_its_lifetime(tmp_path: Path) -> None:
    wait = "  - {do: advance, by: 7d}\n  - {do: advance, by: 1m}\n"
    expect = """\
  - {expect: messages, route: l1 -> arbitrum, ticket: expired, status: failed, count: 1}
  - {expect: balance, of: user0, chain: arbitrum, equals: 0 COR}
"""
    result = run_scenario(load_scenario(_write(tmp_path, UNDERFUND, wait, expect)))
    assert result.passed, [e for e in result.expectations if not e.passed] or result.failed_step
