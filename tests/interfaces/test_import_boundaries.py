"""Which libraries each entry point imports: the lazy boundaries that keep start-up quick.

Each check runs in a fresh interpreter (this process has imported everything already) and lists
the modules of a few libraries found in ``sys.modules`` afterwards. The boundaries, and why:

- ``import cortensor_sim`` (every pytest run imports it for the plugin) loads no chain library;
- the command line's module (what ``cortensor-sim --help`` runs) loads no chain library, and not
  pydantic or yaml either: the commands import what they need in their bodies;
- a devnet loaded from a state file (the pytest plugin's warm start) loads neither solana-py's
  ``spl`` helpers (its pydantic models, only needed to mint or send a memo) nor the protocol,
  scenario or report layers (plotly, jinja2, rich).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CHAIN_LIBRARIES = ("web3", "eth", "eth_account", "py_ecc", "solders", "spl", "solana")
REPORT_LIBRARIES = ("plotly", "jinja2", "rich", "typer")


def imported_after(code: str, watched: tuple[str, ...]) -> list[str]:
    """The watched top-level packages (and ``cortensor_sim.*`` prefixes) that ``code`` leaves in
    ``sys.modules``, run in a fresh interpreter."""
    probe = (
        f"{code}\nimport json, sys\n"
        f"watched = {watched!r}\n"
        "print(json.dumps(sorted(w for w in watched if any(m == w or m.startswith(w + '.') "
        "for m in sys.modules))))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_probe_sees_an_import() -> None:
    """The check can fail: a module that is imported is reported."""
    assert imported_after("import yaml", ("yaml", "web3")) == ["yaml"]


def test_importing_the_package_loads_no_chain_library() -> None:
    assert imported_after("import cortensor_sim", CHAIN_LIBRARIES + REPORT_LIBRARIES + ("pydantic",)) == []


def test_the_command_line_module_loads_no_chain_library() -> None:
    watched = (*CHAIN_LIBRARIES, "pydantic", "yaml", "cortensor_sim.chains.devnet", "cortensor_sim.scenario")
    assert imported_after("import cortensor_sim.interfaces.cli", watched) == []


def test_help_runs_without_the_chains() -> None:
    code = (
        "import sys\nfrom cortensor_sim.interfaces.cli import app\n"
        "try:\n    app(['--help'], standalone_mode=False)\nexcept SystemExit:\n    pass"
    )
    assert imported_after(code, (*CHAIN_LIBRARIES, "cortensor_sim.chains.devnet")) == []


@pytest.fixture(scope="module")
def state_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cortensor_sim import Devnet

    return Devnet().dump(tmp_path_factory.mktemp("state") / "devnet.json.gz")


def test_a_loaded_devnet_leaves_spl_and_the_upper_layers_alone(state_file: Path) -> None:
    code = f"from cortensor_sim import Devnet\nDevnet.load({str(state_file)!r})"
    watched = (
        "spl",
        "solana",
        *REPORT_LIBRARIES,
        "cortensor_sim.protocol",
        "cortensor_sim.scenario",
        "cortensor_sim.testing",
        "solders",
    )
    assert imported_after(code, watched) == ["solders"]  # the solana chain itself is there
