"""Load compiled contract artifacts without Node.js at run time.

Why: the simulator deploys Solidity contracts into its chains, but only the build machine runs
solc (``contracts/compile.js``). At run time we read the JSON artifacts it produced: either the
ones bundled in the wheel (``cortensor_sim/_artifacts/``, force-included from
``contracts/artifacts``) or, in a source checkout, ``<repo>/contracts/artifacts``. Users may also
bring their own Foundry or Hardhat builds, so :func:`read_artifact` understands those formats.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "Artifact",
    "ArtifactError",
    "artifact_dirs",
    "available_artifacts",
    "find_artifact",
    "load_artifact",
    "read_artifact",
]

_PACKAGE_DIR = Path(__file__).resolve().parent
_BUNDLED_DIR = _PACKAGE_DIR / "_artifacts"
_REPO_DIR = _PACKAGE_DIR.parent / "contracts" / "artifacts"

# solc leaves `__$<34 hex chars>$__` where a library address must be linked in.
_LINK_PLACEHOLDER = re.compile(r"__\$[0-9a-fA-F]{34}\$__")
_NOT_ARTIFACTS = {"build-info.json"}


class ArtifactError(ValueError):
    """An artifact is missing or unusable; the message names the file and the problem."""


@dataclass(frozen=True)
class Artifact:
    """A deployable contract: ABI plus creation and runtime bytecode.

    ``source`` is the Solidity source name when the format records it (ours: ``sourceName``;
    Hardhat: ``sourceName``; Foundry: ``ast.absolutePath`` if present), else ``None``.
    """

    name: str
    abi: list[dict[str, Any]]
    bytecode: bytes
    deployed_bytecode: bytes
    source: str | None = None


def artifact_dirs() -> list[Path]:
    """Directories searched by :func:`load_artifact`, in order (existing ones only)."""
    return [d for d in (_BUNDLED_DIR, _REPO_DIR) if d.is_dir()]


def available_artifacts() -> list[str]:
    """Names of the bundled contracts :func:`load_artifact` can load."""
    names: set[str] = set()
    for d in artifact_dirs():
        names.update(p.stem for p in d.glob("*.json") if p.name not in _NOT_ARTIFACTS)
    return sorted(names)


def load_artifact(name: str) -> Artifact:
    """Load one of our bundled contracts by contract name (e.g. ``"SessionV2"``).

    The installed package directory wins over the source checkout so an installed wheel always
    uses the artifacts it was built with.
    """
    dirs = artifact_dirs()
    if not dirs:
        raise ArtifactError(
            f"no artifact directory found (looked for {_BUNDLED_DIR} and {_REPO_DIR}); "
            "run `cd contracts && npm ci && node compile.js`"
        )
    for d in dirs:
        path = d / f"{name}.json"
        if path.is_file():
            return read_artifact(path)
    raise ArtifactError(
        f"artifact {name!r} not found in {', '.join(str(d) for d in dirs)}; "
        f"available: {', '.join(available_artifacts()) or '(none)'}"
    )


def read_artifact(path: str | Path) -> Artifact:
    """Read one artifact file in our format, Foundry's or Hardhat's (detected from its keys)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ArtifactError(f"{path}: cannot read artifact: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ArtifactError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(data, dict):
        raise ArtifactError(f"{path}: not an artifact (top level is {type(data).__name__})")

    if "abi" not in data:
        raise ArtifactError(f"{path}: missing 'abi'")
    abi = data["abi"]
    if not isinstance(abi, list):
        raise ArtifactError(f"{path}: 'abi' must be a list, got {type(abi).__name__}")

    source: str | None
    if data.get("_format") == "hh-sol-artifact-1":  # Hardhat
        name = _str_field(path, data, "contractName")
        creation = _hex_field(path, data.get("bytecode"), "bytecode")
        runtime = _hex_field(path, data.get("deployedBytecode"), "deployedBytecode")
        source = data.get("sourceName")
    elif isinstance(data.get("bytecode"), dict):  # Foundry: {"object": "0x..."}
        name = path.stem
        creation = _hex_field(path, data["bytecode"].get("object"), "bytecode.object")
        deployed = data.get("deployedBytecode")
        runtime_hex = deployed.get("object") if isinstance(deployed, dict) else deployed
        runtime = _hex_field(path, runtime_hex, "deployedBytecode.object")
        ast = data.get("ast")
        source = ast.get("absolutePath") if isinstance(ast, dict) else None
    else:  # ours
        name = _str_field(path, data, "contractName")
        creation = _hex_field(path, data.get("bytecode"), "bytecode")
        runtime = _hex_field(path, data.get("deployedBytecode"), "deployedBytecode")
        source = data.get("sourceName")
    return Artifact(
        name=name,
        abi=abi,
        bytecode=creation,
        deployed_bytecode=runtime,
        source=source if isinstance(source, str) else None,
    )


def find_artifact(name: str, root: str | Path) -> Artifact:
    """Find contract ``name`` in a Foundry ``out/`` or Hardhat ``artifacts/`` tree under ``root``.

    Looks in ``root/out/*.sol/<name>.json`` (Foundry), ``root/artifacts/**/<name>.json``
    (Hardhat, skipping ``*.dbg.json`` and ``build-info``), and ``root`` itself if it is one of
    those directories. Ambiguous names (same contract name in two sources) are an error.
    """
    root = Path(root)
    if not root.is_dir():
        raise ArtifactError(f"{root}: not a directory")
    matches = sorted({p.resolve() for p in _candidates(root) if p.stem == name})
    if not matches:
        names = sorted({p.stem for p in _candidates(root)})
        raise ArtifactError(
            f"artifact {name!r} not found under {root}; "
            f"available: {', '.join(names) or '(none: no out/ or artifacts/ tree)'}"
        )
    if len(matches) > 1:
        raise ArtifactError(
            f"artifact {name!r} is ambiguous under {root}: {', '.join(str(m) for m in matches)}"
        )
    return read_artifact(matches[0])


def _candidates(root: Path) -> Iterator[Path]:
    """Artifact-looking JSON files of Foundry/Hardhat trees under root."""
    trees = [root / "out", root / "artifacts"]
    if root.name in ("out", "artifacts"):
        trees.append(root)
    for tree in trees:
        if not tree.is_dir():
            continue
        for p in tree.rglob("*.json"):
            rel = p.relative_to(tree).parts
            if p.name.endswith(".dbg.json") or "build-info" in rel or p.name in _NOT_ARTIFACTS:
                continue
            yield p


def _str_field(path: Path, data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ArtifactError(f"{path}: missing or empty '{key}'")
    return value


def _hex_field(path: Path, value: object, key: str) -> bytes:
    """Decode a 0x-hex bytecode field, refusing unlinked library placeholders."""
    if not isinstance(value, str):
        raise ArtifactError(f"{path}: missing '{key}' (expected a hex string)")
    placeholder = _LINK_PLACEHOLDER.search(value)
    if placeholder:
        raise ArtifactError(
            f"{path}: '{key}' has unlinked library placeholder {placeholder.group(0)}; "
            "link the library addresses before loading"
        )
    hex_str = value[2:] if value.startswith(("0x", "0X")) else value
    try:
        return bytes.fromhex(hex_str)
    except ValueError as exc:
        raise ArtifactError(f"{path}: '{key}' is not valid hex ({exc})") from exc
