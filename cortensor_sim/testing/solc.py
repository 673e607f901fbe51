"""Compile a Solidity source with solc-js (the npm ``solc`` package) under Node.js, when both are there.

Why solc-js: it ships the compiler inside the npm package, so it works offline once installed, the
way the project's own contracts are built (contracts/compile.js). Native solc downloads are not
assumed. The compiler is found with Node's own module resolution, from the source's folder, the
test project's root, and (in a source checkout) the project's contracts/ folder, so a project
with ``npm install solc`` in it uses its own pinned compiler. Imports are read relative to the
importing file, or from node_modules (``@openzeppelin/...``).

The settings mirror contracts/compile.js: evmVersion "prague" (py-evm's newest fork; solc's
default, osaka, may emit CLZ, which py-evm cannot run) and the optimizer at 200 runs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from ..artifacts import Artifact

__all__ = ["DEFAULT_SETTINGS", "SolcError", "SolcUnavailable", "compile_source"]

DEFAULT_SETTINGS: dict[str, Any] = {
    "evmVersion": "prague",
    "optimizer": {"enabled": True, "runs": 200},
    "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}},
}

_PROJECT_CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"

# Reads {"input": <standard JSON>, "paths": [...], "base": dir} on stdin, writes solc's output.
_DRIVER = r"""
const fs = require("fs"), path = require("path");
const job = JSON.parse(fs.readFileSync(0, "utf8"));
let solcPath;
try { solcPath = require.resolve("solc", { paths: job.paths }); }
catch (e) { process.stdout.write(JSON.stringify({ missing: "solc" })); process.exit(0); }
const solc = require(solcPath);
function findImports(name) {
  const local = path.resolve(job.base, name);
  if (fs.existsSync(local)) return { contents: fs.readFileSync(local, "utf8") };
  try { return { contents: fs.readFileSync(require.resolve(name, { paths: job.paths }), "utf8") }; }
  catch (e) { return { error: "file not found: " + name }; }
}
const out = solc.compile(JSON.stringify(job.input), { import: findImports });
process.stdout.write(JSON.stringify({ version: solc.version(), output: JSON.parse(out) }));
"""


class SolcUnavailable(RuntimeError):
    """Node.js or the npm ``solc`` package is not there; the message says what to install."""


class SolcError(RuntimeError):
    """The source did not compile; the message carries solc's formatted errors."""


def _search_paths(source: Path, root: Path | None) -> list[str]:
    paths = [source.parent, *source.parent.parents]
    if root is not None:
        paths.append(root)
    paths.append(_PROJECT_CONTRACTS)
    unique: list[str] = []
    for p in paths:
        if str(p) not in unique:
            unique.append(str(p))
    return unique


def compile_source(
    source: Path, *, root: Path | None = None, settings: dict[str, Any] | None = None
) -> dict[str, Artifact]:
    """Every deployable contract in ``source`` (and what it imports) by contract name."""
    node = shutil.which("node")
    if node is None:
        raise SolcUnavailable(
            f"compiling {source} needs Node.js, and `node` is not on PATH: install Node.js and "
            "`npm install solc` in your project, or deploy a Foundry out/ or Hardhat artifacts/ build instead"
        )
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise SolcError(f"{source}: cannot read: {exc.strerror or exc}") from None
    job = {
        "input": {
            "language": "Solidity",
            "sources": {source.name: {"content": text}},
            "settings": settings or DEFAULT_SETTINGS,
        },
        "paths": _search_paths(source, root),
        "base": str(source.parent),
    }
    run = subprocess.run(
        [node, "-e", _DRIVER], input=json.dumps(job), capture_output=True, text=True, check=False
    )
    if run.returncode != 0:
        raise SolcError(f"compiling {source}: node failed: {run.stderr.strip()[-2000:]}")
    answer = json.loads(run.stdout)
    if answer.get("missing") == "solc":
        raise SolcUnavailable(
            f"compiling {source} needs the npm package solc, which Node.js cannot find from "
            f"{source.parent} or {root}: run `npm install solc` in your project, or deploy a "
            "Foundry out/ or Hardhat artifacts/ build instead"
        )
    output = answer["output"]
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if errors:
        details = "\n".join(e.get("formattedMessage", e.get("message", "")).rstrip() for e in errors)
        raise SolcError(f"{source} does not compile (solc {answer['version']}):\n{details}")
    artifacts: dict[str, Artifact] = {}
    for source_name, contracts in output.get("contracts", {}).items():
        for name, compiled in contracts.items():
            creation = compiled["evm"]["bytecode"]["object"]
            if not creation:
                continue  # an interface or abstract contract: nothing to deploy
            if "__$" in creation:
                raise SolcError(
                    f"{source}: {name} uses an external library that needs linking; "
                    "deploy the library and link it with a Foundry or Hardhat build instead"
                )
            artifacts[name] = Artifact(
                name=name,
                abi=compiled["abi"],
                bytecode=bytes.fromhex(creation),
                deployed_bytecode=bytes.fromhex(compiled["evm"]["deployedBytecode"]["object"]),
                source=source_name,
            )
    return artifacts
