"""A population of Cortensor actors on one session chain, from deployment to metrics.

:meth:`Population.deploy` lays the protocol on the session chain (arbitrum by default, any EVM
chain of the devnet), onboards the miners, opens one session per user with the router added as
its router, and builds the actors: one router, one oracle, one validator, the users and the
miners, each with its behaviour profile. :meth:`Population.run` then lets them act on the clock.

How a miner becomes an active node is a seam (:class:`Onboarding`): today
:class:`PoolOnboarding` (COR on the session chain, ``NodePool.addNode``, the validator's
``markEphemeral``); staking on l1 and registering from base can replace it without touching the
actors.

Where the actors' COR comes from follows COR's supply (``protocol/funding.py``): on a chain l1's
COR reaches through the COR gateways (arbitrum by default) the protocol runs on the gateways'
bridged COR and each actor gets its COR by a deposit from l1's holder, landed by the settlement
engine; on l1 itself the admin holds canonical COR; a population given ``cor_address`` or on a
chain COR does not reach pays from the admin's holdings there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from eth_hash.auto import keccak
from eth_utils import to_checksum_address

from ...chains.devnet import Devnet
from ...chains.evm import EvmChain
from ..backends import Backend, BuiltinBackend, OutageBackend
from ..client import Signer
from ..deployment import ProtocolContracts, deploy_protocol
from ..funding import GatewayFunding, cor_route
from ..funding import cor_address as l1_cor_on
from ..metrics import MetricsRecorder, RunMetrics
from ..network import Step
from .base import ProtocolHandle
from .miner import Miner, Profile
from .oracle import Oracle
from .private import Keyring, Reader, make_private, node_public_key, population_entropy
from .router import Router
from .scheduler import ActorScheduler
from .user import User
from .validator import Validator

COR = 10**18
NODE_STAKE = 6_000 * COR
"""Cortensor testnet phase 1's stake per node."""
ROLES = ("admin", "oracle", "validator", "router")
"""The first dev accounts, in order; then the users, then the miners."""


class PopulationError(ValueError):
    """The devnet cannot host the population as asked; says what to change."""


@dataclass
class PopulationConfig:
    miners: int = 3
    users: int = 1
    redundancy: int = 3
    spare_nodes: int = 0
    """Nodes each session holds beyond its redundancy (somewhere to reassign to)."""
    profiles: Mapping[int, Profile] = field(default_factory=dict)
    """Profile per miner index; the others are honest."""
    seed: int = 0
    deposit: int = 1_000 * COR
    slash: int = 50 * COR
    deadlines: tuple[int, int, int] | None = None
    """(ack, precommit, commit) windows in seconds; the contract's defaults when None."""
    max_attempts: int = 3
    private: bool = False
    """Private sessions (docs/private-inference.md): each user makes its session private and posts
    its key to the router, the session's nodes and the validator; prompts and results go on chain
    sealed."""


class Onboarding(Protocol):
    """How a miner becomes an active node of the pool on the session chain."""

    def onboard(self, population: Population, miners: Sequence[Signer]) -> None: ...


class PoolOnboarding:
    """Today's path: the admin pays each miner its stake in COR on the session chain, the miner
    stakes it with ``NodePool.addNode``, and the validator's network check makes it ephemeral."""

    def __init__(self, stake: int = NODE_STAKE) -> None:
        self.stake = stake

    def onboard(self, population: Population, miners: Sequence[Signer]) -> None:
        population.pay({population.names[miner.address]: self.stake for miner in miners})
        register_nodes(population, miners, self.stake)


def register_nodes(population: Population, miners: Sequence[Signer], stake: int) -> None:
    """Miners holding ``stake`` COR on the session chain stake it (``approve``,
    ``NodePool.addNode`` under their own key), then the validator's network check makes each
    node ephemeral (``markEphemeral``)."""
    h = population.handle
    pool = "0x" + h.addresses["node_pool"].hex()
    for miner in miners:
        name = population.names[miner.address]
        h.send(name, miner, "cor", "approve", pool, stake)
        h.send(name, miner, "node_pool", "addNode", node_id(miner.address), [0], miner.public_key, stake)
    population.settle()
    for miner in miners:
        h.send(
            "validator", population.signers["validator"], "node_pool", "markEphemeral", node_id(miner.address)
        )
    population.settle()


def node_id(address: bytes) -> bytes:
    """NodePool's derived node id: keccak256 of the address."""
    return keccak(address)


class Population:
    def __init__(
        self,
        devnet: Devnet,
        chain: EvmChain,
        contracts: ProtocolContracts,
        config: PopulationConfig,
        backend: Backend,
        funding: GatewayFunding | None = None,
    ) -> None:
        self.devnet = devnet
        self.chain = chain
        self.contracts = contracts
        self.config = config
        self.recorder = MetricsRecorder(devnet)
        self.handle = ProtocolHandle(chain, contracts.addresses(), self.recorder)
        accounts = chain.accounts
        self.signers: dict[str, Signer] = {}
        self.names: dict[bytes, str] = {}
        users = [f"user{i}" for i in range(config.users)]
        miners = [f"miner{i}" for i in range(config.miners)]
        for name, account in zip([*ROLES, *users, *miners], accounts, strict=False):
            signer = self.handle.client.signer(bytes(account.key))
            self.signers[name] = signer
            self.names[signer.address] = name
        self.backend = backend
        self.funding = funding
        """Deposits from l1's holder through the COR gateways, when the protocol runs on bridged COR."""
        if funding is not None:
            by_address = {s.hex_address.lower(): n for n, s in self.signers.items()}
            funding.name_of = lambda address: by_address.get(address.lower(), address)
        self.funding_steps: list[Step] = []
        """The l1 transactions (approvals, deposits) that brought the actors their COR."""
        entropy = population_entropy(config.seed)
        self.keyrings = {name: Keyring(self.handle, signer, entropy) for name, signer in self.signers.items()}
        """Each actor's keys of private sessions (unused by clear sessions)."""
        self.sessions: dict[str, int] = {}
        self.router: Router | None = None
        self.users: dict[str, User] = {}
        self.miners: dict[str, Miner] = {}
        self.oracle: Oracle | None = None
        self.validator: Validator | None = None
        self.scheduler: ActorScheduler | None = None

    # ------------------------------------------------------------------ building
    @classmethod
    def deploy(
        cls,
        devnet: Devnet,
        config: PopulationConfig | None = None,
        *,
        chain: str = "arbitrum",
        backend: Backend | None = None,
        onboarding: Onboarding | None = None,
        cor_address: str | None = None,
    ) -> Population:
        """Deploy the protocol on ``chain``, onboard the miners, open the sessions.

        The protocol stakes and pays in ``cor_address`` when given (a token the admin holds or
        is given there); else in l1's COR where it
        reaches ``chain`` (canonical on l1; on a rollup the gateways' bridged COR, the actors
        funded by deposits from l1); else in a new CORToken whose supply the admin holds."""
        config = config or PopulationConfig()
        check_devnet(devnet, chain, config)
        funding = None
        if cor_address is None and (route := cor_route(devnet, chain)) is not None:
            cor_address = l1_cor_on(devnet, chain)
            funding = GatewayFunding(devnet, chain) if route else None
        session_chain = devnet.evm(chain)
        admin, oracle, validator, router = (a.address for a in session_chain.accounts[:4])

        def settle() -> None:
            devnet.advance(session_chain.block_time_ms / 1000)

        contracts = deploy_protocol(
            session_chain.w3,
            admin,
            oracles=[oracle],
            validators=[validator],
            routers=[router],
            cor_address=cor_address,
            settle=settle if session_chain.mining == "interval" else None,
        )
        population = cls(
            devnet, session_chain, contracts, config, backend or BuiltinBackend(config.seed), funding
        )
        population._configure()
        miners = [population.signers[f"miner{i}"] for i in range(config.miners)]
        (onboarding or PoolOnboarding()).onboard(population, miners)
        population._open_sessions()
        population._build_actors()
        return population

    def settle(self) -> None:
        """Seal what the actors' setup sent, moving the simulated clock block by block."""
        for _ in range(64):
            self.handle.view.refresh()
            if not self.chain.pending:
                return
            self.devnet.advance(self.chain.block_time_ms / 1000)
        raise PopulationError(f"{self.chain.name}'s pool did not drain in 64 blocks")

    def pay(self, payments: Mapping[str, int]) -> None:
        """Bring each named actor its COR on the session chain, landed when this returns: by
        deposits from l1 through the COR gateways when the protocol runs on bridged COR, else by
        the admin's transfers there."""
        if self.funding is not None:
            deposits = {to_checksum_address(self.signers[n].address): v for n, v in payments.items()}
            self.funding.fund(deposits, self.funding_steps)
            self.handle.view.refresh()
            return
        admin = self.signers["admin"]
        for name, amount in payments.items():
            self.handle.send("admin", admin, "cor", "transfer", self.signers[name].hex_address, amount)
        self.settle()

    def _configure(self) -> None:
        h, admin = self.handle, self.signers["admin"]
        h.send("admin", admin, "validator", "setConfig", self.config.slash, admin.hex_address)
        if self.config.deadlines:
            h.send("admin", admin, "queue", "setDeadlines", *self.config.deadlines)
        self.settle()
        if self.config.deadlines:
            self.handle.deadlines = type(self.handle.deadlines)(*self.config.deadlines)

    def _open_sessions(self) -> None:
        h, c = self.handle, self.config
        nodes = c.redundancy + c.spare_nodes
        bond = int(h.call("payment", "bondPerNode")[0]) * nodes
        payment = "0x" + h.addresses["payment"].hex()
        users = [f"user{i}" for i in range(c.users)]
        self.pay({user: bond + c.deposit for user in users})
        for user in users:
            signer = self.signers[user]
            h.send(user, signer, "cor", "approve", payment, bond + c.deposit)
            h.send(
                user, signer, "session", "create",
                user, "{}", "0x" + "00" * 20, nodes, nodes, c.redundancy, 0, 0, True, 0, 0, 300, 0,
            )  # fmt: skip
            self.settle()  # one session at a time: each draws its nodes from what the last left
        by_owner = {s.owner: s.session_id for s in h.view.sessions.values()}
        for user in users:
            signer = self.signers[user]
            session_id = by_owner.get(signer.address)
            if session_id is None:
                raise PopulationError(f"{user}'s session was not created on {self.chain.name}")
            self.sessions[user] = session_id
            h.redundancy_of[session_id] = c.redundancy
            h.send(
                user,
                signer,
                "session",
                "addRouter",
                session_id,
                self.signers["router"].hex_address,
                "router0",
            )
            h.send(user, signer, "payment", "depositToSession", session_id, c.deposit)
            if c.private:
                make_private(user, self.keyrings[user], session_id, self._readers(session_id))
        self.settle()

    def _readers(self, session_id: int) -> list[Reader]:
        """Who gets a private session's key besides its owner: the router (it seals the prompts),
        the nodes the session reserved (their keys as NodePool stores them), the validator."""
        readers = [Reader("router", self.signers["router"].hex_address, self.signers["router"].public_key)]
        for miner in self.handle.view.sessions[session_id].miners:
            readers.append(
                Reader(
                    self.names.get(miner, miner.hex()),
                    "0x" + miner.hex(),
                    node_public_key(self.handle, node_id(miner)),
                )
            )
        validator = self.signers["validator"]
        readers.append(Reader("validator", validator.hex_address, validator.public_key))
        return readers

    def _build_actors(self) -> None:
        c, h = self.config, self.handle
        self.router = Router(
            "router",
            h,
            self.signers["router"],
            self.sessions,
            h.redundancy_of,
            max_attempts=c.max_attempts,
            keyring=self.keyrings["router"],
        )
        self.oracle = Oracle("oracle", h, self.signers["oracle"])
        self.validator = Validator(
            "validator", h, self.signers["validator"], self.backend, keyring=self.keyrings["validator"]
        )
        now = self.devnet.clock.now_ms
        for i in range(c.miners):
            name = f"miner{i}"
            offset = _offset_ms(c.seed, name)
            backend = OutageBackend(self.backend, lambda: self.devnet.clock.now_ms)
            self.miners[name] = Miner(
                name,
                h,
                self.signers[name],
                backend,
                c.profiles.get(i, Profile()),
                seed=c.seed,
                first_wake_ms=now + offset,
                keyring=self.keyrings[name],
            )
        for user in self.sessions:
            self.users[user] = User(user, self.router, [])
        actors = [self.router, self.oracle, self.validator, *self.users.values(), *self.miners.values()]
        self.scheduler = ActorScheduler(self.devnet, h.view, actors)

    # ------------------------------------------------------------------ running
    def submit(self, user: str, prompts: Sequence[str], *, every_s: float = 0.0) -> None:
        """``user`` hands the router ``prompts``, starting now, one every ``every_s`` seconds."""
        now = self.devnet.clock.now_ms
        self.users[user].add([(now + round(i * every_s * 1000), p) for i, p in enumerate(prompts)], now)

    def idle(self) -> bool:
        return all(not u.outstanding and u.next_wake_ms is None for u in self.users.values())

    def run(self, seconds: float) -> None:
        assert self.scheduler is not None
        self.scheduler.run(seconds)

    def run_until_idle(self, limit_s: float = 3_600) -> bool:
        """Run until every request is returned (True) or ``limit_s`` has passed (False)."""
        assert self.scheduler is not None
        self.scheduler.run(limit_s, stop=self.idle)
        return self.idle()

    # ------------------------------------------------------------------ results
    def metrics(self) -> RunMetrics:
        assert self.router is not None and self.oracle is not None and self.validator is not None
        m = self.recorder.finish({self.chain.name: self.handle.client})
        view = self.handle.view
        view.refresh()
        requests = [r for u in self.users.values() for r in u.requests]
        outcomes = [
            self.router.outcomes[r.reference] for r in requests if r.reference in self.router.outcomes
        ]
        m.tasks_requested = len(requests)
        m.tasks_completed = sum(o.result_valid for o in outcomes)
        m.tasks_failed = sum(not o.result_valid for o in outcomes)
        m.tasks_reassigned = sum(o.attempts - 1 for o in outcomes)
        m.latencies_s = [o.returned_at_ms / 1000 - o.submitted_at_s for o in outcomes if o.result_valid]
        m.earnings = {self.names.get(a, a.hex()): v for a, v in view.earned.items()}
        m.penalties = {self.names.get(a, a.hex()): v for a, v in view.slashed.items()}
        by_node = {node_id(a): n for a, n in self.names.items()}
        m.reputation = {
            by_node.get(node, node.hex()): {"success": sum(r), "failure": len(r) - sum(r)}
            for node, r in view.reputation.items()
        }
        m.forced_phases = self.oracle.forced
        m.backend_failures = sum(miner.missed_backend for miner in self.miners.values())
        m.left_pool = [self.names.get(a, a.hex()) for a in self.validator.left_pool]
        return m

    def plaintexts(self, *, private: bool = True) -> list[str]:
        """Every prompt of the private sessions and every result committed in them as their owners
        read it (opened with the session key): what must never be on any chain. With
        ``private=False``, the same of the clear sessions: what is on chain by design."""
        view = self.handle.view
        view.refresh()
        owners = {
            sid: user
            for user, sid in self.sessions.items()
            if sid in view.sessions and view.sessions[sid].private == private
        }
        texts = [r.prompt for user in owners.values() for r in self.users[user].requests]
        for key, task in sorted(view.tasks.items()):
            if key[0] not in owners:
                continue
            keyring = self.keyrings[owners[key[0]]]
            results = self.handle.committed_results(task) or {}
            if private:
                texts += [keyring.open_result(task, miner, result) for miner, result in results.items()]
            else:
                texts += results.values()
        return texts

    def withdraw(self) -> None:
        """Every miner with a payment to claim withdraws it (``withdrawNodePayment``)."""
        for name, miner in self.miners.items():
            if int(self.handle.call("payment", "claimable", "0x" + miner.address.hex())[0]):
                self.handle.send(name, miner.signer, "payment", "withdrawNodePayment")

    def close_sessions(self) -> None:
        """Every user deactivates its session (its nodes are released for revalidation)."""
        for user, session_id in self.sessions.items():
            self.handle.send(user, self.signers[user], "session", "deactivateSession", session_id)


def _offset_ms(seed: int, name: str, tick_ms: int = 250, interval_ms: int = 5_000) -> int:
    """A miner's seeded phase within its polling interval, on a 250 ms grid (Arbitrum's block
    time), so that a hundred miners wake at twenty distinct times, not a hundred."""
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % (interval_ms // tick_ms) * tick_ms


def check_devnet(devnet: Devnet, chain: str, config: PopulationConfig) -> None:
    """Refuse, before any transaction, a devnet or a configuration the population cannot use."""
    if chain not in devnet.evm_chains:
        raise PopulationError(
            f"session chain {chain!r} is not an EVM chain of this devnet ({', '.join(devnet.evm_chains)})"
        )
    needed = len(ROLES) + config.users + config.miners
    if devnet.topology.accounts < needed:
        raise PopulationError(
            f"the topology funds {devnet.topology.accounts} dev accounts per chain; {needed} are needed "
            f"({len(ROLES)} roles, {config.users} users, {config.miners} miners): "
            f"set `accounts: {needed}` or more"
        )
    nodes = config.users * (config.redundancy + config.spare_nodes)
    if config.redundancy < 1 or nodes > config.miners:
        raise PopulationError(
            f"{config.users} sessions of {config.redundancy + config.spare_nodes} nodes need {nodes} miners, "
            f"there are {config.miners}"
        )
