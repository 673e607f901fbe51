"""``deploy``: a contract from a bundled artifact, a Foundry or Hardhat build, or a Solidity source.

What to deploy is said the way a developer has it at hand:

* ``deploy("NodePool", token)``: a bundled cortensor-sim artifact, by contract name (a bare name
  that is a file or folder under the rootdir is read as that path);
* ``deploy("out/Counter.sol/Counter.json")`` or ``deploy("artifacts/contracts/Counter.sol/Counter.json")``:
  one Foundry or Hardhat artifact file;
* ``deploy("Counter", project=".")`` or ``deploy("Counter", project="out")``: found by name in a Foundry
  ``out/`` or Hardhat ``artifacts/`` tree;
* ``deploy("contracts/Counter.sol")``: compiled with solc-js (``name=`` picks one of several contracts);
* an :class:`~cortensor_sim.artifacts.Artifact` object.

Relative paths are read from the pytest rootdir, so a test does not depend on the folder pytest
was started in. Every deployed contract is entered in the :class:`~.reverts.ContractBook`, so a
revert in it is reported by name with its custom errors decoded.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from web3.contract import Contract

from ..artifacts import Artifact, ArtifactError, find_artifact, load_artifact, read_artifact
from ..chains.devnet import Devnet
from ..chains.evm import EvmChain
from .reverts import ContractBook
from .solc import SolcError, compile_source

__all__ = ["DeployError", "Deployer"]


class DeployError(ValueError):
    """What to deploy could not be found or built; the message says what was asked and why not."""


def _looks_like_path(what: str) -> bool:
    return "/" in what or os.sep in what or what.endswith((".json", ".sol"))


class Deployer:
    """The ``deploy`` fixture's callable, bound to the session's devnet."""

    def __init__(self, devnet: Devnet, book: ContractBook, root: Path, default_chain: str) -> None:
        self.devnet = devnet
        self.book = book
        self.root = root
        self.default_chain = default_chain
        self._compiled: dict[tuple[Path, float], dict[str, Artifact]] = {}

    def __call__(
        self,
        what: str | os.PathLike[str] | Artifact,
        *args: Any,
        chain: str | EvmChain | None = None,
        sender: str | LocalAccount | None = None,
        value: int = 0,
        name: str | None = None,
        project: str | os.PathLike[str] | None = None,
    ) -> Contract:
        """Deploy ``what`` with constructor ``args`` on ``chain`` (default: the first EVM chain)."""
        target = self._chain(chain)
        artifact = self.artifact(what, name=name, project=project)
        from_ = sender.address if isinstance(sender, LocalAccount) else sender
        contract = target.deploy(artifact, *args, sender=from_, value=value)
        self.book.register(target.name, contract.address, artifact.name, artifact.abi)
        return contract

    def _chain(self, chain: str | EvmChain | None) -> EvmChain:
        if isinstance(chain, EvmChain):
            return chain
        name = chain or self.default_chain
        try:
            return self.devnet.evm(name)
        except (KeyError, TypeError) as exc:
            raise DeployError(f"deploy(chain={name!r}): {exc.args[0]}") from None

    def _path(self, what: str | os.PathLike[str]) -> Path:
        path = Path(what)
        return path if path.is_absolute() else self.root / path

    def artifact(
        self,
        what: str | os.PathLike[str] | Artifact,
        *,
        name: str | None = None,
        project: str | os.PathLike[str] | None = None,
    ) -> Artifact:
        """Resolve ``what`` (see the module's docstring) to an artifact, without deploying it."""
        if isinstance(what, Artifact):
            return what
        try:
            if project is not None:
                return find_artifact(str(what), self._path(project))
            if isinstance(what, str) and not _looks_like_path(what) and not self._path(what).exists():
                return load_artifact(what)
            path = self._path(what)
            if path.suffix == ".sol":
                return self._from_source(path, name)
            if path.is_dir():
                if name is None:
                    raise DeployError(
                        f"deploy({str(what)!r}): a build directory needs name= (the contract to deploy)"
                    )
                return find_artifact(name, path)
            return read_artifact(path)
        except (ArtifactError, SolcError) as exc:
            raise DeployError(f"deploy({str(what)!r}): {exc}") from None

    def _from_source(self, path: Path, name: str | None) -> Artifact:
        if not path.is_file():
            raise DeployError(f"deploy({str(path)!r}): no such Solidity file")
        key = (path, path.stat().st_mtime)
        if key not in self._compiled:  # compile once per session (and again if the file changes)
            self._compiled[key] = compile_source(path, root=self.root)
        artifacts = self._compiled[key]
        if name is not None:
            if name not in artifacts:
                raise DeployError(
                    f"deploy({str(path)!r}, name={name!r}): no such contract (has: {', '.join(artifacts)})"
                )
            return artifacts[name]
        if path.stem in artifacts:
            return artifacts[path.stem]
        if len(artifacts) == 1:
            return next(iter(artifacts.values()))
        raise DeployError(
            f"deploy({str(path)!r}): {len(artifacts)} contracts compiled ({', '.join(artifacts) or 'none'}); "
            "say which with name="
        )
