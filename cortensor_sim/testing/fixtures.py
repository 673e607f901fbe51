"""The plugin's fixtures and hooks (registered by :mod:`.plugin` when the plugin is enabled).

Fixtures: ``devnet`` (built once per session, the Cortensor contracts deployed), ``l1``, ``base``,
``arbitrum``, ``l3``, ``solana`` (its chains, by the topology's names), ``accounts`` (the funded dev
accounts with their keys), ``cortensor`` (the deployed Cortensor contracts by name), ``deploy``,
``relay`` (cross-chain messages delivered through the settlement engine) and ``scenario`` (a YAML
scenario run on a devnet of its own). Every import of web3, py-evm or the chains happens inside a
fixture or a hook that runs once the devnet is used: pytest imports this module in every run.
Isolation fixtures (autouse, one per scope) snapshot and revert around every scope that uses the
devnet; a failed test whose exception is a revert gets a section naming the chain, the contract
and the decoded error.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import pytest

from .isolation import DEVNET_FIXTURE, devnet_users, isolated
from .plugin import NO_ISOLATION_MARKER

if TYPE_CHECKING:  # imported where first used: pytest imports this module in every run
    from eth_account.signers.local import LocalAccount
    from solders.keypair import Keypair

    from ..chains.devnet import Devnet
    from ..chains.evm import EvmChain
    from ..chains.solana import SolanaChain
    from .cortensor import CortensorContracts
    from .deployer import Deployer
    from .relay import Relay
    from .reverts import ContractBook, RevertLog
    from .scenarios import ScenarioRunner
    from .settings import Settings

SETTINGS = pytest.StashKey["Settings"]()
STATE = pytest.StashKey["SessionState"]()
USERS = pytest.StashKey[set[str]]()
CACHE_SUBDIR = "cortensor_sim"


def _bundled_abis() -> Iterator[list[dict[str, Any]]]:
    from ..artifacts import available_artifacts, load_artifact

    for name in available_artifacts():
        yield load_artifact(name).abi


def _role_names() -> dict[bytes, str]:
    """The protocol's role ids by name, so a MissingRole revert reads ``role=ADMIN_ROLE (0x...)``."""
    from ..protocol.deployment import ROLE

    return {role: name for name, role in ROLE.items()}


def _revert_log() -> RevertLog:
    from .reverts import RevertLog

    return RevertLog()


def _contract_book() -> ContractBook:
    from .reverts import ContractBook

    return ContractBook(_bundled_abis, words=_role_names())


@dataclass
class SessionState:
    """What the session's fixtures share: the devnet, its contracts, the revert log."""

    devnet: Devnet
    cortensor: CortensorContracts | None
    from_cache: bool
    start_seconds: float
    cache_dir: Path | None
    reverts: RevertLog = field(default_factory=_revert_log)
    book: ContractBook = field(default_factory=_contract_book)


def session_settings(config: pytest.Config) -> Settings:
    """The session's settings. The plugin reads them at configure time when a topology is named
    (so a bad file is a usage error before any test runs); else they are read here on first use,
    so that a run that never touches the devnet never imports the chains (web3, py-evm)."""
    if SETTINGS not in config.stash:
        from .settings import settings_from

        config.stash[SETTINGS] = settings_from(config)
    return config.stash[SETTINGS]


def _start(config: pytest.Config) -> SessionState:
    from .cortensor import CortensorContracts
    from .devnet_cache import session_devnet
    from .reverts import RevertRecorder

    started = time.perf_counter()
    settings = session_settings(config)
    cache = getattr(config, "cache", None)  # absent under -p no:cacheprovider: build every session
    cache_dir = cache.mkdir(CACHE_SUBDIR) if cache is not None else None
    built = session_devnet(settings.topology, protocol=settings.protocol, cache_dir=cache_dir)
    devnet = built.devnet
    cortensor = None
    if built.protocol is not None:
        cortensor = CortensorContracts(built.protocol, devnet.evm(built.protocol.chain))
    state = SessionState(
        devnet=devnet,
        cortensor=cortensor,
        from_cache=built.from_cache,
        start_seconds=time.perf_counter() - started,
        cache_dir=cache_dir,
    )
    for name, chain in devnet.evm_chains.items():
        chain.w3.middleware_onion.add(RevertRecorder.on(name, state.reverts), name="cortensor_sim_reverts")
    if built.protocol is not None:
        for name, entry in built.protocol.contracts.items():
            state.book.register(built.protocol.chain, entry.address, entry.artifact or name, entry.abi)
    return state


# ---------------------------------------------------------------------------------------- hooks
def pytest_report_header(config: pytest.Config) -> str:
    settings = config.stash.get(SETTINGS, None)
    if settings is None:  # the default topology, not read yet: say so without importing the chains
        protocol = "Cortensor deployed" if config.getini("cortensor_protocol") else "no protocol"
        seed = config.getoption("--cortensor-seed") or config.getini("cortensor_seed")
        where = f"seed {seed!r}" if seed else "its own seed"
        return f"cortensor-sim: default topology ({where}; {protocol})"
    chains = ", ".join(spec.name for spec in settings.topology.chains)
    protocol = "Cortensor deployed" if settings.protocol else "no protocol"
    where = f"topology: {settings.topology_source}, seed {settings.topology.seed!r}"
    return f"cortensor-sim: {chains} ({where}; {protocol})"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    state = config.stash.get(STATE, None)
    if state is None:
        return
    if state.from_cache:
        how = f"loaded from the cache ({state.cache_dir})"
    elif state.cache_dir is not None:
        how = f"built and cached for the next session ({state.cache_dir})"
    else:
        how = "built (no cache: the cacheprovider plugin is off)"
    terminalreporter.write_line(f"cortensor-sim: session devnet {how} in {state.start_seconds:.2f} s")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    config.stash[USERS] = devnet_users(items)


def pytest_runtest_setup(item: pytest.Item) -> None:
    state = item.config.stash.get(STATE, None)
    if state is not None:
        state.reverts.clear()


def _library_frames() -> tuple[str, ...]:
    import eth_abi
    import eth_utils
    import web3

    import cortensor_sim

    return tuple(
        str(Path(m.__file__).parent) for m in (web3, eth_utils, eth_abi, cortensor_sim) if m.__file__
    )


def _cut_library_frames(exc: BaseException) -> None:
    """End the exception's traceback at the last frame of the user's code: web3's error formatting
    is a dozen frames deep, and the test's own frames say where it failed."""
    last_own = None
    library = _library_frames()
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.startswith(library) and not filename.endswith(".pyx"):
            last_own = tb
        tb = tb.tb_next
    if last_own is not None:
        last_own.tb_next = None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    state = item.config.stash.get(STATE, None)
    if state is None:  # no test has used the devnet yet: nothing of ours to report
        return (yield)
    from .reverts import revert_data

    if call.excinfo is not None and revert_data(call.excinfo.value) is not None:
        _cut_library_frames(call.excinfo.value)
    report = yield
    if not report.failed or call.excinfo is None:
        return report
    _add_undelivered_messages(item, state, report)
    data = revert_data(call.excinfo.value)
    if data is None:
        return report
    revert = state.reverts.find(data)
    text = state.book.describe(revert) if revert is not None else f"reverted: {state.book.decode(data)}"
    longrepr = report.longrepr
    if hasattr(longrepr, "addsection"):
        longrepr.addsection("cortensor-sim: revert", text)
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None:
        crash.message = f"{type(call.excinfo.value).__name__}: {text}"
    return report


def _add_undelivered_messages(item: pytest.Item, state: SessionState, report: pytest.TestReport) -> None:
    """A failed devnet test with messages still on their way gets a section listing them (route,
    status, the transaction of each step): the usual reason a cross-chain assertion fails."""
    if DEVNET_FIXTURE not in getattr(item, "fixturenames", ()) or state.devnet.settlement is None:
        return
    from .relay import describe_messages

    pending = [record for record in state.devnet.messages() if not record.done]
    longrepr = report.longrepr
    if pending and hasattr(longrepr, "addsection"):
        longrepr.addsection("cortensor-sim: messages not delivered", describe_messages(pending, indent=""))


# ---------------------------------------------------------------------------------------- devnet
@pytest.fixture(scope="session", name=DEVNET_FIXTURE)
def _session_devnet(request: pytest.FixtureRequest) -> SessionState:
    config = request.config
    if STATE not in config.stash:
        config.stash[STATE] = _start(config)
    return config.stash[STATE]


@pytest.fixture(scope="session")
def devnet(_cortensor_session_devnet: SessionState) -> Devnet:
    """The session's devnet (every chain of the topology, the Cortensor contracts deployed),
    built once per session (per worker under pytest-xdist); each test starts from the same state."""
    return _cortensor_session_devnet.devnet


def _chain(devnet: Devnet, name: str) -> Any:
    if name not in devnet.chains:
        pytest.fail(
            f"the cortensor-sim devnet has no chain {name!r} (chains: {', '.join(devnet.chains)}); "
            "use devnet[...] with one of those, or --cortensor-topology with a topology that has it",
            pytrace=False,
        )
    return devnet.chains[name]


@pytest.fixture(scope="session")
def l1(devnet: Devnet) -> EvmChain:
    """The devnet's chain named ``l1`` (Ethereum)."""
    return _chain(devnet, "l1")


@pytest.fixture(scope="session")
def base(devnet: Devnet) -> EvmChain:
    """The devnet's chain named ``base`` (an OP Stack rollup on l1)."""
    return _chain(devnet, "base")


@pytest.fixture(scope="session")
def arbitrum(devnet: Devnet) -> EvmChain:
    """The devnet's chain named ``arbitrum`` (a Nitro rollup on l1; the Cortensor contracts live here)."""
    return _chain(devnet, "arbitrum")


@pytest.fixture(scope="session")
def l3(devnet: Devnet) -> EvmChain:
    """The devnet's chain named ``l3`` (an Orbit chain on arbitrum)."""
    return _chain(devnet, "l3")


@pytest.fixture(scope="session")
def solana(devnet: Devnet) -> SolanaChain:
    """The devnet's chain named ``solana`` (LiteSVM)."""
    return _chain(devnet, "solana")


class DevAccounts(Sequence["LocalAccount"]):
    """The funded dev accounts (the anvil/Hardhat mnemonic), the same on every EVM chain:
    ``accounts[0].address``, ``accounts[0].key``; ``accounts.solana`` holds the funded Solana keypairs."""

    def __init__(self, evm: Sequence[LocalAccount], solana: Sequence[Keypair]) -> None:
        self.evm = tuple(evm)
        self.solana = tuple(solana)

    @overload
    def __getitem__(self, index: int) -> LocalAccount: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[LocalAccount]: ...
    def __getitem__(self, index: int | slice) -> LocalAccount | Sequence[LocalAccount]:
        return self.evm[index]

    def __len__(self) -> int:
        return len(self.evm)

    def __repr__(self) -> str:
        return f"DevAccounts({len(self.evm)} EVM accounts, {len(self.solana)} Solana keypairs)"


@pytest.fixture(scope="session")
def accounts(devnet: Devnet) -> DevAccounts:
    """The funded dev accounts with their keys (``accounts[0]`` deployed the Cortensor contracts)."""
    from ..chains.solana import SolanaChain

    evm = next(iter(devnet.evm_chains.values()), None)
    sol = next((c for c in devnet if isinstance(c, SolanaChain)), None)
    return DevAccounts(evm.accounts if evm else (), sol.keypairs if sol else ())


@pytest.fixture(scope="session")
def cortensor(_cortensor_session_devnet: SessionState) -> CortensorContracts:
    """The deployed Cortensor contracts as web3 contract objects, by name: ``cortensor.node_pool``,
    ``cortensor["NodePool"]``; ``cortensor.chain`` is the chain they live on."""
    contracts = _cortensor_session_devnet.cortensor
    if contracts is None:
        pytest.fail(
            "the Cortensor contracts are not deployed: the ini sets cortensor_protocol = false", pytrace=False
        )
    return contracts


@pytest.fixture(scope="session")
def deploy(_cortensor_session_devnet: SessionState, request: pytest.FixtureRequest) -> Deployer:
    """``deploy(what, *args, chain="l1", sender=None, value=0, name=None, project=None)``: deploy a
    bundled artifact by name, a Foundry/Hardhat artifact file or build tree, or a .sol source
    (compiled with solc-js); returns the web3 contract object. Session scope, so module and session
    fixtures can deploy too; what a test deploys is reverted with the rest of the test."""
    from .deployer import Deployer

    state = _cortensor_session_devnet
    first_evm = next(iter(state.devnet.evm_chains))
    return Deployer(state.devnet, state.book, request.config.rootpath, first_evm)


@pytest.fixture(scope="session")
def relay(devnet: Devnet) -> Relay:
    """Deliver cross-chain messages through the settlement engine: ``relay()`` acts on what is due
    now, ``relay.past_window()`` passes the longest challenge window (proposals, proofs,
    finalizations on the way), ``relay.until_delivered(tx_hash)`` runs the clock until that
    message arrives or fails the test with its route, status and transactions."""
    from .relay import Relay

    return Relay(devnet)


# ---------------------------------------------------------------------------------------- isolation
def _scope_isolation(request: pytest.FixtureRequest, kind: type[pytest.Node]) -> Iterator[None]:
    # A class-scoped fixture of a test outside any class is handed the test itself as its node
    # (and a package-scoped one outside any package, the session): only real scopes snapshot.
    if not isinstance(request.node, kind) or request.node.nodeid not in request.config.stash.get(
        USERS, set()
    ):
        yield
        return
    state: SessionState = request.getfixturevalue(DEVNET_FIXTURE)
    with isolated(state.devnet):
        yield


@pytest.fixture(scope="package", autouse=True)
def _cortensor_package_isolation(request: pytest.FixtureRequest) -> Iterator[None]:
    yield from _scope_isolation(request, pytest.Package)


@pytest.fixture(scope="module", autouse=True)
def _cortensor_module_isolation(request: pytest.FixtureRequest) -> Iterator[None]:
    yield from _scope_isolation(request, pytest.Module)


@pytest.fixture(scope="class", autouse=True)
def _cortensor_class_isolation(request: pytest.FixtureRequest) -> Iterator[None]:
    yield from _scope_isolation(request, pytest.Class)


@pytest.fixture(autouse=True)
def _cortensor_function_isolation(request: pytest.FixtureRequest) -> Iterator[None]:
    if DEVNET_FIXTURE not in request.fixturenames or request.node.get_closest_marker(NO_ISOLATION_MARKER):
        yield
        return
    state: SessionState = request.getfixturevalue(DEVNET_FIXTURE)
    with isolated(state.devnet):
        yield


# ---------------------------------------------------------------------------------------- scenarios
@pytest.fixture
def scenario(request: pytest.FixtureRequest) -> ScenarioRunner:
    """``scenario("default")`` or ``scenario("path/to.yaml", seed=3)``: run a YAML scenario (a
    bundled name, or a path relative to the rootdir) on its own devnet and return its outcome:
    ``.passed``, ``.expectations``, ``.failures``, ``.trace_hash``, ``.messages()``, ``.devnet``,
    ``.assert_passed()``. The session's devnet is not touched."""
    from .scenarios import ScenarioRunner

    return ScenarioRunner(request.config.rootpath)
