"""``deploy``: bundled artifacts by name, Foundry and Hardhat builds, Solidity sources via solc-js."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from bytecode import ANSWER_ABI, ANSWER_RUNTIME, foundry_artifact, hardhat_artifact

from cortensor_sim.testing import solc

NO_PROTOCOL = "[pytest]\ncortensor_protocol = false\n"


def _write(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


@pytest.fixture
def builds(pytester: pytest.Pytester) -> Path:
    """A project with a Foundry out/ and a Hardhat artifacts/ tree (with the files each tool adds)."""
    root = pytester.path
    _write(root / "out" / "Answer.sol" / "Answer.json", foundry_artifact(ANSWER_ABI, ANSWER_RUNTIME))
    _write(root / "out" / "build-info" / "abc.json", {"not": "an artifact"})
    hardhat = root / "artifacts" / "contracts" / "Oracle.sol"
    _write(hardhat / "Oracle.json", hardhat_artifact("Oracle", ANSWER_ABI, ANSWER_RUNTIME))
    _write(hardhat / "Oracle.dbg.json", {"buildInfo": "../../build-info/x.json"})
    pytester.makeini(NO_PROTOCOL)
    return root


def test_foundry_and_hardhat_artifacts_deploy_by_file_and_by_name(
    pytester: pytest.Pytester, builds: Path
) -> None:
    pytester.makepyfile(
        test_inner_builds="""
        def test_foundry_file(deploy, base):
            answer = deploy("out/Answer.sol/Answer.json", chain="base")
            assert answer.functions.answer().call() == 42
            assert base.w3.eth.get_code(answer.address) != b""

        def test_foundry_by_name(deploy, l1):
            answer = deploy("Answer", project=".")
            assert answer.functions.answer().call() == 42
            assert l1.w3.eth.get_code(answer.address) != b""  # the first EVM chain by default

        def test_hardhat_file(deploy, arbitrum, accounts):
            oracle = deploy("artifacts/contracts/Oracle.sol/Oracle.json", chain=arbitrum, sender=accounts[3])
            assert oracle.functions.answer().call() == 42
            assert arbitrum.w3.eth.get_transaction_count(accounts[3].address) == 1

        def test_hardhat_by_name_in_its_tree(deploy):
            assert deploy("Oracle", project="artifacts", chain="l3").functions.answer().call() == 42

        def test_a_build_directory_with_name(deploy):
            assert deploy("out", name="Answer").functions.answer().call() == 42
        """
    )
    pytester.runpytest().assert_outcomes(passed=5)


def test_a_bundled_artifact_deploys_by_contract_name(pytester: pytest.Pytester) -> None:
    pytester.makeini(NO_PROTOCOL)
    pytester.makepyfile(
        test_inner_bundled="""
        def test_cor_token(deploy, accounts):
            cor = deploy("CORToken", accounts[0].address, 10**24, chain="base")
            assert cor.functions.totalSupply().call() == 10**24
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_what_cannot_be_deployed_is_named_with_the_reason(pytester: pytest.Pytester, builds: Path) -> None:
    pytester.makepyfile(
        test_inner_bad="""
        import pytest
        from cortensor_sim.testing.deployer import DeployError

        @pytest.mark.parametrize("what, kwargs, message", [
            ("NoSuchContract", {}, "artifact 'NoSuchContract' not found in"),
            ("Missing", {"project": "."}, "artifact 'Missing' not found under"),
            ("out/Nope.json", {}, "cannot read artifact"),
            ("out", {}, "a build directory needs name="),
            ("Answer", {"project": ".", "chain": "solana"}, "not an EVM chain"),
            ("Answer", {"project": ".", "chain": "l9"}, "no chain 'l9'"),
        ])
        def test_refused(deploy, what, kwargs, message):
            with pytest.raises(DeployError, match=message):
                deploy(what, **kwargs)
        """
    )
    pytester.runpytest().assert_outcomes(passed=6)


def _solc_js_available() -> bool:
    node = shutil.which("node")
    if node is None:
        return False
    probe = f"require.resolve('solc', {{paths: [{json.dumps(str(solc._PROJECT_CONTRACTS))}]}})"
    return subprocess.run([node, "-e", probe], capture_output=True, check=False).returncode == 0


COUNTER = """
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./Limits.sol";

contract Counter {
    uint256 public count;

    function add(uint256 amount) external {
        if (count + amount > Limits.MAX) revert TooMuch(count + amount, Limits.MAX);
        count += amount;
    }
}
"""

LIMITS = """
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

error TooMuch(uint256 wanted, uint256 limit);

library Limits {
    uint256 internal constant MAX = 10;
}
"""


@pytest.mark.skipif(not _solc_js_available(), reason="needs Node.js and npm solc (cd contracts && npm ci)")
def test_a_solidity_source_compiles_with_solc_js_and_deploys(pytester: pytest.Pytester) -> None:
    pytester.makeini(NO_PROTOCOL)
    (pytester.path / "src").mkdir()
    (pytester.path / "src" / "Counter.sol").write_text(COUNTER)
    (pytester.path / "src" / "Limits.sol").write_text(LIMITS)
    pytester.makepyfile(
        test_inner_source="""
        def test_counter(deploy, accounts):
            counter = deploy("src/Counter.sol", chain="base")
            counter.functions.add(4).transact({"from": accounts[0].address})
            assert counter.functions.count().call() == 4

        def test_counter_reverts_readably(deploy, accounts):
            counter = deploy("src/Counter.sol", chain="base")
            counter.functions.add(11).transact({"from": accounts[0].address})
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["base: Counter at 0x* reverted (eth_estimateGas): TooMuch(wanted=11, limit=10)"]
    )


def test_without_node_the_message_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    source = tmp_path / "Counter.sol"
    source.write_text(COUNTER)
    monkeypatch.setattr(solc.shutil, "which", lambda name: None)
    with pytest.raises(
        solc.SolcUnavailable, match=r"needs Node.js, and `node` is not on PATH.*npm install solc"
    ):
        solc.compile_source(source)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_without_npm_solc_the_message_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    source = tmp_path / "Counter.sol"
    source.write_text(COUNTER)
    monkeypatch.setattr(solc, "_PROJECT_CONTRACTS", tmp_path / "nowhere")
    with pytest.raises(solc.SolcUnavailable, match=r"needs the npm package solc.*npm install solc"):
        solc.compile_source(source, root=tmp_path)


@pytest.mark.skipif(not _solc_js_available(), reason="needs Node.js and npm solc (cd contracts && npm ci)")
def test_a_compile_error_is_reported_with_solcs_message(tmp_path: Path) -> None:
    source = tmp_path / "Broken.sol"
    source.write_text(
        "pragma solidity ^0.8.20;\ncontract Broken { function f() external { undefined_name; } }\n"
    )
    with pytest.raises(solc.SolcError, match=r"(?s)Broken.sol does not compile.*Undeclared identifier"):
        solc.compile_source(source)


def test_a_module_fixture_deploys_for_its_module_only(pytester: pytest.Pytester, builds: Path) -> None:
    pytester.makepyfile(
        test_inner_deploy_module="""
        import pytest

        @pytest.fixture(scope="module")
        def answer(deploy):
            return deploy("Answer", project=".", chain="base")

        def test_one(answer):
            assert answer.functions.answer().call() == 42

        def test_two(answer, base):
            assert answer.functions.answer().call() == 42
            print("\\nADDRESS", answer.address)
        """
    )
    first = pytester.runpytest("-s", "test_inner_deploy_module.py")
    first.assert_outcomes(passed=2)
    address = next(line.split()[1] for line in first.outlines if line.startswith("ADDRESS"))
    pytester.makepyfile(
        test_inner_deploy_later=f"""
        def test_gone(base):
            assert base.w3.eth.get_code("{address}") == b""
        """
    )
    pytester.runpytest("test_inner_deploy_module.py", "test_inner_deploy_later.py").assert_outcomes(passed=3)
