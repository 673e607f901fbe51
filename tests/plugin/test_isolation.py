"""Every test starts from the same devnet: writes, blocks, the clock and Solana are reverted after
each test and each wider scope, also across modules and under pytest-xdist."""

from __future__ import annotations

import pytest

NO_PROTOCOL = "[pytest]\ncortensor_protocol = false\n"

# A test module that writes on every chain, and one that checks nothing is left of it. Pytest runs
# test_a_writes.py before test_b_reads.py; each file also checks its own tests see a fresh devnet.
WRITER = """
import pytest

ALICE, BOB = 0, 1
START = 10_000 * 10**18

def _write_everything(devnet, accounts, l1, base, solana):
    l1.w3.eth.send_transaction({"from": accounts[ALICE].address, "to": accounts[BOB].address, "value": 7})
    base.w3.eth.send_transaction({"from": accounts[ALICE].address, "to": accounts[BOB].address, "value": 7})
    solana.transfer(accounts.solana[0], accounts.solana[1].pubkey(), 5_000)
    devnet.advance(3600)

def _assert_fresh(devnet, accounts, l1, base, solana, genesis):
    assert l1.balance(accounts[BOB].address) == START
    assert base.balance(accounts[BOB].address) == START
    assert devnet.clock.now_ms == genesis["now_ms"]
    assert l1.height == 0 and base.height == 0
    assert solana.balance(accounts.solana[1].pubkey()) == genesis["sol"]

def test_first(devnet, accounts, l1, base, solana, genesis):
    _assert_fresh(devnet, accounts, l1, base, solana, genesis)
    _write_everything(devnet, accounts, l1, base, solana)
    assert l1.balance(accounts[BOB].address) == START + 7
    assert solana.balance(accounts.solana[1].pubkey()) == genesis["sol"] + 5_000

def test_second(devnet, accounts, l1, base, solana, genesis):
    _assert_fresh(devnet, accounts, l1, base, solana, genesis)
    _write_everything(devnet, accounts, l1, base, solana)
"""

GENESIS = """
import pytest

@pytest.fixture(scope="session")
def genesis(devnet, solana, accounts):
    return {"now_ms": devnet.clock.now_ms, "sol": solana.balance(accounts.solana[1].pubkey())}
"""

READER = """
START, BOB = 10_000 * 10**18, 1

def test_nothing_left_from_the_other_module(devnet, accounts, l1, base, solana, genesis):
    assert l1.balance(accounts[BOB].address) == START
    assert base.balance(accounts[BOB].address) == START
    assert devnet.clock.now_ms == genesis["now_ms"]
    assert solana.balance(accounts.solana[1].pubkey()) == genesis["sol"]
    assert l1.height == 0
"""


def test_a_write_in_one_test_is_gone_in_the_next_and_in_the_next_module(pytester: pytest.Pytester) -> None:
    pytester.makeini(NO_PROTOCOL)
    pytester.makeconftest(GENESIS)
    pytester.makepyfile(test_inner_a_writes=WRITER, test_inner_b_reads=READER)
    pytester.runpytest().assert_outcomes(passed=3)


def test_a_module_fixture_lives_for_its_module_only(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_inner_a_module="""
        import pytest

        @pytest.fixture(scope="module")
        def pool_admin(cortensor, accounts):
            role = cortensor.node_pool.functions.ADMIN_ROLE().call()
            cortensor.node_pool.functions.grantRole(role, accounts[7].address).transact(
                {"from": cortensor.deployer}
            )
            return role

        def test_granted(cortensor, accounts, pool_admin):
            assert cortensor.node_pool.functions.hasRole(pool_admin, accounts[7].address).call()
            cortensor.node_pool.functions.grantRole(pool_admin, accounts[8].address).transact(
                {"from": cortensor.deployer}
            )

        def test_still_granted_and_the_test_write_gone(cortensor, accounts, pool_admin):
            assert cortensor.node_pool.functions.hasRole(pool_admin, accounts[7].address).call()
            assert not cortensor.node_pool.functions.hasRole(pool_admin, accounts[8].address).call()
        """,
        test_inner_b_after="""
        def test_module_fixture_reverted(cortensor, accounts):
            role = cortensor.node_pool.functions.ADMIN_ROLE().call()
            assert not cortensor.node_pool.functions.hasRole(role, accounts[7].address).call()
            assert cortensor.node_pool.functions.hasRole(role, cortensor.deployer).call()
        """,
    )
    pytester.runpytest().assert_outcomes(passed=3)


def test_a_class_fixture_lives_for_its_class_only(pytester: pytest.Pytester) -> None:
    pytester.makeini(NO_PROTOCOL)
    pytester.makepyfile(
        test_inner_classes="""
        import pytest

        class TestFunded:
            @pytest.fixture(scope="class", autouse=True)
            def funded(self, l1, accounts):
                l1.w3.eth.send_transaction(
                    {"from": accounts[0].address, "to": accounts[9].address, "value": 10**18}
                )

            def test_one(self, l1, accounts):
                assert l1.balance(accounts[9].address) == 10_001 * 10**18

            def test_two(self, l1, accounts):
                assert l1.balance(accounts[9].address) == 10_001 * 10**18

        def test_outside_the_class(l1, accounts):
            assert l1.balance(accounts[9].address) == 10_000 * 10**18
        """
    )
    pytester.runpytest().assert_outcomes(passed=3)


def test_no_isolation_marker_lets_tests_build_on_each_other(pytester: pytest.Pytester) -> None:
    pytester.makeini(NO_PROTOCOL)
    pytester.makepyfile(
        test_inner_chain_of_steps="""
        import pytest

        def _bob(l1, accounts):
            return l1.balance(accounts[1].address) - 10_000 * 10**18

        @pytest.mark.cortensor_no_isolation
        def test_step_one(l1, accounts):
            l1.w3.eth.send_transaction({"from": accounts[0].address, "to": accounts[1].address, "value": 1})

        @pytest.mark.cortensor_no_isolation
        def test_step_two_sees_step_one(l1, accounts):
            assert _bob(l1, accounts) == 1
            l1.w3.eth.send_transaction({"from": accounts[0].address, "to": accounts[1].address, "value": 1})

        def test_an_isolated_test_starts_from_what_they_left(l1, accounts):
            assert _bob(l1, accounts) == 2
            l1.w3.eth.send_transaction({"from": accounts[0].address, "to": accounts[1].address, "value": 1})

        def test_and_its_own_write_is_reverted(l1, accounts):
            assert _bob(l1, accounts) == 2
        """,
        test_inner_later_module="""
        def test_the_module_end_reverts_the_steps(l1, accounts):
            assert l1.balance(accounts[1].address) == 10_000 * 10**18
        """,
    )
    pytester.runpytest().assert_outcomes(passed=5)


def test_a_test_without_the_devnet_never_builds_one(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_inner_plain="""
        def test_plain(request):
            from cortensor_sim.testing.fixtures import STATE
            assert STATE not in request.config.stash
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


@pytest.mark.slow  # three fresh processes (controller and two workers): CI's second step runs it
def test_isolation_holds_under_xdist_with_one_devnet_per_worker(pytester: pytest.Pytester) -> None:
    pytester.makeini(NO_PROTOCOL)
    pytester.makepyfile(
        **{
            f"test_inner_worker_{n}": f"""
            import os

            def _send(l1, accounts):
                tx = {{"from": accounts[0].address, "to": accounts[1].address, "value": 3}}
                l1.w3.eth.send_transaction(tx)

            def test_write_{n}(l1, accounts):
                assert l1.balance(accounts[1].address) == 10_000 * 10**18
                assert l1.height == 0
                _send(l1, accounts)
                print("\\nWORKER", os.environ["PYTEST_XDIST_WORKER"], id(l1))

            def test_again_{n}(l1, accounts):
                assert l1.balance(accounts[1].address) == 10_000 * 10**18
                _send(l1, accounts)
            """
            for n in range(4)
        }
    )
    result = pytester.runpytest_subprocess("-n", "2", "-rA")
    result.assert_outcomes(passed=8)
    workers = {line.split()[1] for line in result.outlines if line.startswith("WORKER")}
    assert workers == {"gw0", "gw1"}
