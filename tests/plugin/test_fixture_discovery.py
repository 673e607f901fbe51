"""The plugin is on once the package is installed, can be turned off, and reads its options."""

from __future__ import annotations

import pytest

FIXTURES = ("devnet", "l1", "base", "arbitrum", "l3", "solana", "accounts", "cortensor", "deploy", "relay")


def _listed(output: str) -> set[str]:
    names = set()
    for line in output.splitlines():
        head = line.split(" ", 1)[0]
        if head.isidentifier():
            names.add(head)
    return names


def test_fixtures_appear_in_a_bare_project(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner_nothing="def test_nothing():\n    pass\n")
    result = pytester.runpytest_subprocess("--fixtures")
    assert result.ret == 0
    listed = _listed(result.stdout.str())
    assert set(FIXTURES) <= listed, set(FIXTURES) - listed
    result.stdout.fnmatch_lines(["devnet [[]session scope[]]*fixtures.py*", "*built once per session*"])


def test_dash_p_no_turns_it_off(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner_nothing="def test_nothing():\n    pass\n")
    result = pytester.runpytest_subprocess("--fixtures", "-p", "no:cortensor_sim")
    assert result.ret == 0
    assert not set(FIXTURES) & _listed(result.stdout.str())


def test_ini_option_turns_it_off(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ncortensor_enabled = false\n")
    pytester.makepyfile(test_inner_it="def test_it(devnet):\n    pass\n")
    result = pytester.runpytest_subprocess()
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*fixture 'devnet' not found*"])


def test_seed_option_sets_the_devnets_seed(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ncortensor_protocol = false\n")
    pytester.makepyfile(
        test_inner_seed="""
        def test_seed(devnet):
            assert devnet.topology.seed == "my-seed"
        """
    )
    result = pytester.runpytest("--cortensor-seed", "my-seed")
    result.assert_outcomes(passed=1)
    # the default topology is read when the devnet is first used, so the header names it only
    result.stdout.fnmatch_lines(["cortensor-sim: default topology (seed 'my-seed'; no protocol)"])


def test_seed_changes_the_chains_state(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ncortensor_protocol = false\n")
    pytester.makepyfile(
        test_inner_roots="""
        def test_roots(devnet, request):
            print("\\nROOT", devnet.state_roots()["solana"])
        """
    )
    roots = []
    for seed in ("one", "two"):
        result = pytester.runpytest("-s", "--cortensor-seed", seed)
        result.assert_outcomes(passed=1)
        roots.append(next(line for line in result.outlines if line.startswith("ROOT")))
    assert roots[0] != roots[1]


def test_topology_option_builds_that_topology(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".yaml",
        topology="""
        seed: custom
        chains:
          - {name: l1, kind: ethereum, chain_id: 900, block_time: 12}
          - {name: base, kind: op-stack, parent: l1, chain_id: 901, block_time: 2}
          - {name: l3, kind: op-stack, parent: base, chain_id: 902, block_time: 2}
        """,
    )
    pytester.makepyfile(
        test_inner_topology="""
        def test_chains(devnet, l3, cortensor):
            assert list(devnet.chains) == ["l1", "base", "l3"]
            assert l3.chain_id == 902
            # no arbitrum and no nitro chain: the contracts go to the first EVM chain
            assert cortensor.chain.name == "l1"

        def test_missing_chain(arbitrum):
            pass
        """
    )
    result = pytester.runpytest("--cortensor-topology", "topology.yaml")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*the cortensor-sim devnet has no chain 'arbitrum' (chains: l1, base, l3)*"])


def test_topology_from_the_ini_file(pytester: pytest.Pytester) -> None:
    pytester.mkdir("conf")
    pytester.path.joinpath("conf", "net.yaml").write_text(
        "chains:\n  - {name: l1, kind: ethereum, chain_id: 900, block_time: 12}\n"
    )
    pytester.makeini("[pytest]\ncortensor_topology = conf/net.yaml\ncortensor_protocol = false\n")
    pytester.makepyfile(test_inner_it="def test_it(devnet):\n    assert list(devnet.chains) == ['l1']\n")
    pytester.runpytest().assert_outcomes(passed=1)


def test_bad_topology_is_a_usage_error_naming_file_line_and_field(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".yaml",
        bad="""
        chains:
          - {name: l1, kind: ethereum, chain_id: 900, block_time: 12}
          - {name: base, kind: op-stack, parent: l2, chain_id: 901, block_time: 2}
        """,
    )
    pytester.makepyfile(test_inner_it="def test_it():\n    pass\n")
    result = pytester.runpytest_subprocess("--cortensor-topology", "bad.yaml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: cortensor-sim: --cortensor-topology: "
            "bad.yaml:3:42: chains[[]1[]].parent: unknown parent 'l2'*"
        ]
    )
    assert "Traceback" not in result.stderr.str()


def test_missing_topology_file_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--cortensor-topology", "nowhere.yaml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*nowhere.yaml: cannot read*"])


def test_accounts_are_funded_with_their_keys(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ncortensor_protocol = false\n")
    pytester.makepyfile(
        test_inner_accounts="""
        from eth_account import Account

        def test_accounts(accounts, l1, base, solana):
            assert accounts[0].address == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
            for account in accounts:
                assert Account.from_key(account.key).address == account.address
                assert l1.balance(account.address) > 0 and base.balance(account.address) > 0
            assert len(accounts.solana) == len(accounts)
            assert all(solana.balance(kp.pubkey()) > 0 for kp in accounts.solana)
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_run_that_never_uses_the_devnet_imports_neither_web3_nor_py_evm(pytester: pytest.Pytester) -> None:
    """The plugin is imported in every pytest run where cortensor-sim is installed: until a fixture
    asks for the devnet it must cost next to nothing (web3 and py-evm take a second to import)."""
    pytester.makepyfile(
        test_inner_light="""
        import sys

        def test_nothing_heavy_was_imported():
            heavy = ("web3", "eth", "eth_account", "cortensor_sim.chains")
            assert [name for name in heavy if name in sys.modules] == []
            assert "cortensor_sim.testing.fixtures" in sys.modules  # the plugin is active
        """
    )
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
