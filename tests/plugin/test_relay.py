"""The ``relay`` fixture: messages delivered through the settlement engine, readable reports of a
message that never arrives, and isolation of the engine's pending messages between tests."""

from __future__ import annotations

import pytest

NO_PROTOCOL = "[pytest]\ncortensor_protocol = false\n"

# A plain transfer to OptimismPortal deposits to the sender; one to L2ToL1MessagePasser withdraws
# the value to the sender (docs/opstack.md). The portal must hold what a withdrawal takes out.
WITHDRAW = """
PASSER = "0x4200000000000000000000000000000000000016"

def deposit(devnet, l1, account, value=10**18):
    portal = devnet.system_contracts("base")["OptimismPortal"]
    tx = {"from": account.address, "to": portal, "value": value, "gas": 200_000}
    return l1.w3.eth.send_transaction(tx)

def withdraw(base, account, value=10**17):
    tx = {"from": account.address, "to": PASSER, "value": value, "gas": 200_000}
    return base.w3.eth.send_transaction(tx)
"""


def test_until_delivered_finalizes_a_withdrawal_and_past_window_passes_the_window(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(NO_PROTOCOL)
    pytester.makepyfile(
        withdrawals=WITHDRAW,
        test_inner_relay="""
        from withdrawals import deposit, withdraw

        def test_until_delivered(devnet, base, l1, relay, accounts):
            (deposited,) = relay.until_delivered(deposit(devnet, l1, accounts[3]))
            assert deposited.status == "relayed" and deposited.route == "l1 -> base"
            before = l1.balance(accounts[3].address)
            tx = withdraw(base, accounts[3])
            assert [m.status for m in devnet.messages("withdrawal")] == ["sent"]
            (record,) = relay.until_delivered(tx)
            assert record.status == "finalized" and record.route == "base -> l1"
            assert set(record.legs) >= {"sent", "proposed", "proven", "finalized"}
            assert l1.balance(accounts[3].address) == before + 10**17

        def test_past_window(devnet, base, l1, relay, accounts):
            relay.until_delivered(deposit(devnet, l1, accounts[4]))
            withdraw(base, accounts[4])
            relay()
            assert devnet.messages("withdrawal")[0].status != "finalized"
            relay.past_window()
            assert [m.status for m in devnet.messages("withdrawal")] == ["finalized"]

        def test_step_mode_relays_only_when_asked(devnet, base, l1, relay, accounts):
            relay.until_delivered(deposit(devnet, l1, accounts[7]))
            devnet.settlement.auto = False  # the engine's actors act only under relay()
            tx = withdraw(base, accounts[7])
            devnet.advance(120)  # blocks are sealed, but no proposer, prover or finalizer acts
            assert [m.status for m in devnet.messages("withdrawal")] == ["sent"]
            (record,) = relay.until_delivered(tx)
            assert record.status == "finalized"

        def test_auto_mode_is_back_after_a_step_mode_test(devnet):
            assert devnet.settlement.auto is True

        def test_every_pending_message_when_none_is_named(devnet, base, l1, relay, accounts):
            relay.until_delivered(deposit(devnet, l1, accounts[5]))
            withdraw(base, accounts[5])
            withdraw(base, accounts[6])
            records = relay.until_delivered()
            assert [r.status for r in records] == ["finalized", "finalized"]
        """,
    )
    pytester.runpytest().assert_outcomes(passed=5)


def test_a_message_sent_in_one_test_is_gone_in_the_next(pytester: pytest.Pytester) -> None:
    pytester.makeini(NO_PROTOCOL)
    pytester.makepyfile(
        withdrawals=WITHDRAW,
        test_inner_a_sends="""
        from withdrawals import withdraw

        def test_sends_and_leaves_it_in_flight(devnet, base, accounts):
            withdraw(base, accounts[3])
            devnet.advance(14)  # proposed, not yet final
            assert [m.status for m in devnet.messages()] != ["sent"] and not devnet.messages()[0].done
        """,
        test_inner_b_finds_nothing="""
        def test_no_message_is_left(devnet, relay):
            assert devnet.messages() == []
            relay.past_window()
            assert devnet.messages() == []
        """,
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_a_message_that_never_arrives_is_reported_with_its_route_status_and_transactions(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(NO_PROTOCOL)
    pytester.makepyfile(
        withdrawals=WITHDRAW,
        test_inner_late="""
        from withdrawals import withdraw

        def test_too_short_a_wait(base, relay, accounts):
            relay.until_delivered(withdraw(base, accounts[3]), within=4)

        def test_an_assertion_with_a_message_in_flight(devnet, base, l1, accounts):
            withdraw(base, accounts[3])
            assert l1.balance(accounts[3].address) > 10_000 * 10**18

        def test_a_transaction_that_sent_nothing(base, relay, accounts):
            to = accounts[4].address
            tx = base.w3.eth.send_transaction({"from": accounts[3].address, "to": to, "value": 1})
            relay.until_delivered(tx)
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(
        [
            "*MessageNotDelivered: 1 message(s) was not delivered within 4 s of simulated time*",
            "*base:withdrawal:0x* ?withdrawal, base -> l1? sent: sent base#1 0x*",
            "*cortensor-sim: messages not delivered*",
            "base:withdrawal:0x* ?withdrawal, base -> l1? sent: sent base#*",
            "*MessageNotDelivered: transaction 0x* sent no cross-chain message*",
        ]
    )
