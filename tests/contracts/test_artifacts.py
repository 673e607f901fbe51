"""The artifact loader (ours, Foundry, Hardhat; every error case) and artifact staleness."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from cortensor_sim.artifacts import (
    Artifact,
    ArtifactError,
    available_artifacts,
    find_artifact,
    load_artifact,
    read_artifact,
)

REPO = Path(__file__).resolve().parents[2]
CONTRACTS = REPO / "contracts"
ARTIFACTS = CONTRACTS / "artifacts"
ABI = [{"type": "function", "name": "f", "inputs": [], "outputs": [], "stateMutability": "view"}]
EXPECTED = {
    "BridgedCORToken", "CORToken", "CheckpointRegistry", "NodePool", "NodeReputation",
    "NodeStats", "PrivateSessionV2", "SessionPayment", "SessionQueueV2", "SessionV2",
    "TaskValidator", "WrappedCOR",
    # OP Stack (contracts/src/opstack)
    "DisputeGameFactory", "L1Block", "L2ToL1MessagePasser", "OpMerkleTrie", "OpRLPReader", "OpTypes",
    "OptimismPortal2", "PermissionedDisputeGame", "L1CrossDomainMessenger", "L2CrossDomainMessenger",
    "L1StandardBridge", "L2StandardBridge", "OptimismMintableERC20", "OptimismMintableERC20Factory",
    "SystemConfig",
    # Nitro (contracts/src/nitro)
    "NitroProbe", "ParentReceiver", "RetryTarget", "Bridge", "Inbox", "SequencerInbox", "Outbox",
    "Rollup", "ERC20Bridge", "ERC20Inbox", "ParentCORGateway", "ChildCORGateway",
    # Nitro precompiles as EVM code, for the revm engine (contracts/src/nitro-precompiles)
    "ArbSysPrecompile", "ArbGasInfoPrecompile",
    # Guardian bridge (contracts/src/wormhole)
    "WormholeCore", "WormholeTokenBridge", "SolanaOnboarding", "SolanaNodeOperator", "SolanaSessions",
    # Cortensor across the layers (contracts/src/crosslayer)
    "CheckpointForwarder", "NodeStakeL1", "Onboarding", "OnboardingRelayL1", "SessionCheckpointer",
    # test fixtures (contracts/src/testing)
    "FalseReturnToken",
}  # fmt: skip


def _write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def test_bundled_artifacts_load() -> None:
    assert set(available_artifacts()) >= EXPECTED
    art = load_artifact("SessionV2")
    assert isinstance(art, Artifact)
    assert art.name == "SessionV2" and art.source == "src/SessionV2.sol"
    assert art.bytecode and art.deployed_bytecode and len(art.deployed_bytecode) <= 24_576
    assert any(e.get("name") == "SessionCreated" for e in art.abi)
    with pytest.raises(ArtifactError, match=r"'Nope' not found .*available: .*SessionV2"):
        load_artifact("Nope")


def test_build_info_matches_sources() -> None:
    import hashlib

    info = json.loads((ARTIFACTS / "build-info.json").read_text())
    assert info["settings"]["evmVersion"] == "prague"
    assert info["settings"]["optimizer"] == {"enabled": True, "runs": 200}
    assert info["compiler"]["version"].startswith("0.8.37")
    src = CONTRACTS / "src"
    sources = {f"src/{p.relative_to(src).as_posix()}": p for p in sorted(src.rglob("*.sol"))}
    assert set(info["sources"]) == set(sources)
    for key, path in sources.items():
        assert info["sources"][key] == hashlib.sha256(path.read_bytes()).hexdigest(), key
    assert set(info["contracts"]) == EXPECTED


def test_read_our_format(tmp_path: Path) -> None:
    p = _write(tmp_path / "X.json", {
        "contractName": "X", "sourceName": "src/X.sol", "abi": ABI,
        "bytecode": "0x6001", "deployedBytecode": "0x60",
    })  # fmt: skip
    assert read_artifact(p) == Artifact("X", ABI, b"\x60\x01", b"\x60", "src/X.sol")


def test_read_and_find_foundry(tmp_path: Path) -> None:
    _write(tmp_path / "out" / "Token.sol" / "Token.json", {
        "abi": ABI, "bytecode": {"object": "0x6002"}, "deployedBytecode": {"object": "0x6003"},
        "ast": {"absolutePath": "src/Token.sol"},
    })  # fmt: skip
    _write(tmp_path / "out" / "build-info" / "abc.json", {"not": "an artifact"})
    art = find_artifact("Token", tmp_path)
    assert art == Artifact("Token", ABI, b"\x60\x02", b"\x60\x03", "src/Token.sol")
    with pytest.raises(ArtifactError, match=r"'Missing' not found under .*available: Token"):
        find_artifact("Missing", tmp_path)


def test_read_and_find_hardhat(tmp_path: Path) -> None:
    _write(tmp_path / "artifacts" / "contracts" / "Pool.sol" / "Pool.json", {
        "_format": "hh-sol-artifact-1", "contractName": "Pool", "sourceName": "contracts/Pool.sol",
        "abi": ABI, "bytecode": "0x6004", "deployedBytecode": "0x6005",
        "linkReferences": {}, "deployedLinkReferences": {},
    })  # fmt: skip
    _write(tmp_path / "artifacts" / "contracts" / "Pool.sol" / "Pool.dbg.json", {"buildInfo": "x"})
    art = find_artifact("Pool", tmp_path)
    assert art == Artifact("Pool", ABI, b"\x60\x04", b"\x60\x05", "contracts/Pool.sol")
    # Same name in two sources is ambiguous.
    _write(tmp_path / "artifacts" / "other" / "Pool.sol" / "Pool.json", {
        "_format": "hh-sol-artifact-1", "contractName": "Pool", "abi": ABI,
        "bytecode": "0x", "deployedBytecode": "0x",
    })  # fmt: skip
    with pytest.raises(ArtifactError, match="ambiguous"):
        find_artifact("Pool", tmp_path)


def test_loader_errors(tmp_path: Path) -> None:
    bad = _write(tmp_path / "Bad.json", "{not json")
    with pytest.raises(ArtifactError, match=r"Bad\.json: not JSON"):
        read_artifact(bad)
    lst = _write(tmp_path / "List.json", [1, 2])
    with pytest.raises(ArtifactError, match=r"List\.json: not an artifact \(top level is list\)"):
        read_artifact(lst)
    no_abi = _write(
        tmp_path / "NoAbi.json", {"contractName": "N", "bytecode": "0x", "deployedBytecode": "0x"}
    )
    with pytest.raises(ArtifactError, match=r"NoAbi\.json: missing 'abi'"):
        read_artifact(no_abi)
    abi_type = _write(tmp_path / "AbiType.json", {"abi": {}, "bytecode": "0x"})
    with pytest.raises(ArtifactError, match="'abi' must be a list"):
        read_artifact(abi_type)
    placeholder = "__$" + "ab" * 17 + "$__"
    linked = _write(tmp_path / "Linked.json", {
        "contractName": "L", "abi": ABI, "bytecode": "0x73" + placeholder + "00",
        "deployedBytecode": "0x",
    })  # fmt: skip
    with pytest.raises(ArtifactError, match=r"Linked\.json: 'bytecode' has unlinked library placeholder"):
        read_artifact(linked)
    foundry_linked = _write(tmp_path / "FL.json", {
        "abi": ABI, "bytecode": {"object": "0x" + placeholder}, "deployedBytecode": {"object": "0x"},
    })  # fmt: skip
    with pytest.raises(ArtifactError, match=r"bytecode\.object' has unlinked library placeholder"):
        read_artifact(foundry_linked)
    no_code = _write(tmp_path / "NoCode.json", {"contractName": "N", "abi": ABI})
    with pytest.raises(ArtifactError, match=r"NoCode\.json: missing 'bytecode'"):
        read_artifact(no_code)
    bad_hex = _write(
        tmp_path / "Hex.json", {"contractName": "N", "abi": ABI, "bytecode": "0xzz", "deployedBytecode": "0x"}
    )
    with pytest.raises(ArtifactError, match=r"Hex\.json: 'bytecode' is not valid hex"):
        read_artifact(bad_hex)
    no_name = _write(tmp_path / "NoName.json", {"abi": ABI, "bytecode": "0x", "deployedBytecode": "0x"})
    with pytest.raises(ArtifactError, match=r"NoName\.json: missing or empty 'contractName'"):
        read_artifact(no_name)
    with pytest.raises(ArtifactError, match="cannot read artifact"):
        read_artifact(tmp_path / "absent.json")
    with pytest.raises(ArtifactError, match="not a directory"):
        find_artifact("X", tmp_path / "nowhere")
    assert issubclass(ArtifactError, ValueError)


def test_committed_artifacts_are_fresh(tmp_path: Path) -> None:
    """Recompile into a temp dir; the committed artifacts must be byte-identical.

    Needs Node.js. Uses contracts/node_modules if present, else tries an offline `npm ci` in a
    temporary copy; skips (with the reason) when neither works.
    """
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js (`node`) is not on PATH: cannot recompile the contracts")
    workdir = CONTRACTS
    if not (CONTRACTS / "node_modules" / "solc").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("contracts/node_modules is missing and `npm` is not on PATH")
        workdir = tmp_path / "contracts"
        workdir.mkdir()
        for name in ("package.json", "package-lock.json", "compile.js"):
            shutil.copy2(CONTRACTS / name, workdir / name)
        shutil.copytree(CONTRACTS / "src", workdir / "src")
        proc = subprocess.run(
            [npm, "ci", "--prefer-offline", "--no-audit", "--no-fund"],
            cwd=workdir, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        if proc.returncode != 0:
            pytest.skip(f"contracts/node_modules is missing and `npm ci` failed: {proc.stderr[-300:]}")
    out = tmp_path / "fresh-artifacts"
    proc = subprocess.run(
        [node, str(workdir / "compile.js"), str(out)],
        cwd=workdir, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    fresh = {p.name: p.read_bytes() for p in out.glob("*.json")}
    committed = {p.name: p.read_bytes() for p in ARTIFACTS.glob("*.json")}
    assert sorted(fresh) == sorted(committed), "artifact set differs: rerun `node compile.js`"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"stale artifacts (rerun `cd contracts && node compile.js`): {stale}"
