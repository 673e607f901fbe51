"""``cortensor-sim demo``: Cortensor on every layer of the default devnet, small and in seconds.

Each layer does its part (docs/layers.md), through transactions only:

* **solana**: one miner comes from Solana: it gets its stake as SPL COR from l1 (locked in
  arbitrum's token bridge) and sends it through the guardian bridge to its node key (derived from
  its Solana secret; the guardians sign, the relayer completes the transfer, the token bridge
  unlocks the COR), the key's gas is ETH deposited from l1, and the key stakes and serves on
  arbitrum like any node;
* **l1**: two miners bond canonical COR in NodeStakeL1 (stake records to arbitrum as retryables);
* **base**: the same two register their nodes at the welcome center (base -> l1 -> arbitrum);
* **arbitrum**: a session with a few tasks run by the actors (router, oracle, validator, a user,
  miners polling every 5 s); one l1-backed miner makes up answers, is judged INVALID and slashed;
  the slash goes back to l1 through ArbSys and the Outbox and takes the bond there; a checkpoint
  of the session's results leaves through the Outbox into l1's CheckpointRegistry;
* **l3**: the actors run a private session on a protocol of its own (the user posts the session
  key to its readers as ECIES envelopes; the router submits sealed prompts, the miners commit
  sealed answers, the validator judges the opened results; one miner lies and is slashed), and
  its checkpoint goes l3 -> arbitrum -> l1.

The clock jumps over the settlement windows (the devnet's dev settings make them short), so the
whole run takes seconds of wall time; ``DemoReport.layers`` says per chain what happened, with
its blocks, transactions and gas.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..bridge import MessageRecord
from ..bridge.wormhole.stack import KIND as TOKEN_TRANSFER
from ..chains.devnet import Devnet
from ..chains.evm import EvmChain
from ..chains.solana import SolanaChain
from .actors import NODE_STAKE, Population, PopulationConfig, Profile, Verdict
from .network import Step
from .onboarding import LayeredOnboarding, OnboardingKind, deploy_population, guardian_bridge, network_of
from .privacy.leaks import Leak, find_leaks

COR = 10**18
SLASH = 50 * COR
"""Stake an INVALID result costs in the demo (the contracts' default is 0)."""

DEFAULT_PROMPTS = (
    "Summarize the benefits of decentralized AI inference.",
    "Translate 'proof of inference' into plain words.",
    "List three uses of an L3 rollup for private inference.",
)
PRIVATE_PROMPTS = (
    "Draft a confidential note on patient 4471's lab results for the clinic.",
    "Rewrite our unreleased Q3 pricing sheet as a one-paragraph sales pitch.",
)
L3_MINERS = 3
L3_CHEAT = 2
"""The l3 miner that makes up every answer: the validator catches it on the opened results."""

MIX: dict[int, OnboardingKind] = {2: "l1_stake", 3: "l1_stake", 4: "solana"}
"""miner0 and miner1 stake on arbitrum; miner2 and miner3 on l1, registered from base; miner4 from
Solana, running its node under a key derived from its Solana secret (docs/actors.md)."""
MINERS, USERS = 5, 1
ACTORS_NEEDED = 4 + USERS + MINERS
"""admin, oracle, validator and router, then the users and the miners (dev accounts in order)."""
CHEAT = 3
"""The l1-backed miner that makes up every answer: its slashes go back to l1."""
LAYERS = ("l1", "base", "arbitrum", "l3", "solana")
"""The default devnet's chains, by their part: stake, onboarding, sessions, privacy, onboarding."""


class DemoUnsupported(ValueError):
    """The devnet cannot host the demo as asked; says which chain and what to change."""


@dataclass(frozen=True)
class TaskOutcome:
    task_id: int
    verdicts: dict[str, Verdict]


@dataclass
class LayerActivity:
    """What the demo did on one chain: a line per thing that happened, and what the chain sealed."""

    chain: str
    happened: list[str] = field(default_factory=list)
    blocks: int = 0
    transactions: int = 0
    gas: int = 0
    """Gas of every transaction sealed during the demo, the settlement engine's included."""


@dataclass
class DemoReport:
    session_id: int
    task_ids: list[int]
    outcomes: list[TaskOutcome]
    layers: dict[str, LayerActivity]
    steps: list[Step]
    """The actors' and the cross-layer operations' transactions on the EVM chains, in order."""
    messages: list[tuple[str, MessageRecord]]
    """Every cross-layer message of the demo, with what it carried, in the order it was sent."""
    population: Population
    onboarding: LayeredOnboarding
    private_population: Population
    """The actors on l3: their own protocol, one private session."""
    private_session: int
    private_tasks: list[int]
    private_outcomes: list[TaskOutcome]
    leaks: list[Leak]
    """Where any private prompt or result can be read on any chain (empty: nowhere)."""
    slashed_on_l1: dict[str, int]
    """COR each l1-backed miner lost on l1, by name (bond before the slashes minus after)."""


def check_demo_devnet(devnet: Devnet) -> None:
    """Refuse, before any transaction, a devnet the demo cannot run on: it needs the default
    devnet's layers (l1, base and arbitrum on it, l3 on arbitrum, Solana bridged to arbitrum),
    sealing at once (it reads each receipt as it sends), and one dev account per actor."""
    if devnet.topology.accounts < ACTORS_NEEDED:
        raise DemoUnsupported(
            f"the topology funds {devnet.topology.accounts} dev accounts per chain; the demo needs "
            f"{ACTORS_NEEDED} (admin, oracle, validator, router, {USERS} user, {MINERS} miners): "
            f"set `accounts: {ACTORS_NEEDED}` or more"
        )
    kinds = {"l1": "ethereum", "base": "op-stack", "arbitrum": "nitro", "l3": "orbit", "solana": "solana"}
    parents = {"base": "l1", "arbitrum": "l1", "l3": "arbitrum"}
    for name, kind in kinds.items():
        spec = next((c for c in devnet.topology.chains if c.name == name), None)
        if spec is None or spec.kind != kind or spec.parent != parents.get(name):
            where = f", on {parents[name]!r}" if name in parents else ""
            raise DemoUnsupported(
                f"the demo runs on every layer: it needs {name!r} ({kind}{where}) "
                "(the default devnet has them all)"
            )
        if kind != "solana" and spec.mining != "auto":
            raise DemoUnsupported(
                f"{name!r} mines on an interval; the demo needs `mining: auto` there "
                "(it reads each receipt as soon as it sends the transaction)"
            )
    try:
        guardian_bridge(devnet, "arbitrum")
    except ValueError as exc:
        raise DemoUnsupported(str(exc)) from None


def run_demo(
    devnet: Devnet | None = None, *, prompts: tuple[str, ...] = DEFAULT_PROMPTS, seed: int = 7
) -> DemoReport:
    devnet = devnet or Devnet()
    check_demo_devnet(devnet)
    watch = _ChainWatch(devnet)

    # Onboarding: on arbitrum, from l1 and base, from Solana.
    config = PopulationConfig(
        miners=MINERS,
        users=USERS,
        redundancy=3,
        spare_nodes=1,
        profiles={CHEAT: Profile("malicious", rate=1.0)},
        seed=seed,
        deposit=100 * COR,
        slash=SLASH,
    )
    population, onboarding = deploy_population(devnet, config, MIX)
    layers = onboarding.layers
    assert layers is not None
    l1_miners = {f"miner{i}": _checksum(population, f"miner{i}") for i, k in MIX.items() if k == "l1_stake"}
    bonds_before = {name: layers.l1_bond(address) for name, address in l1_miners.items()}
    watch.note(
        "solana", f"miner4 gets {_cor(NODE_STAKE)} SPL COR from l1 and sends it to its node key on arbitrum"
    )
    watch.note("l1", "miner2 and miner3 bond 6,000 COR each in NodeStakeL1")
    watch.note("base", "miner2 and miner3 register their nodes at Onboarding")
    watch.note(
        "arbitrum",
        "NodePool records the l1 stakes and registrations; "
        "miner4's node key stakes the COR the token bridge unlocked",
    )

    # Sessions on arbitrum, by the actors.
    population.submit("user0", list(prompts), every_s=1)
    if not population.run_until_idle(3_600):
        raise DemoFailed("the demo's requests did not all return within an hour of simulated time")
    population.withdraw()
    population.close_sessions()
    population.run(5)  # the validator revalidates the released nodes
    session_id = population.sessions["user0"]
    outcomes = _outcomes(population, session_id)
    task_ids = [o.task_id for o in outcomes]
    invalid = sum(v == Verdict.INVALID for o in outcomes for v in o.verdicts.values())
    watch.note(
        "arbitrum",
        f"session {session_id}: {len(task_ids)} tasks by the actors, {invalid} INVALID results slashed",
    )

    # Back to l1: the slashes of l1-backed nodes, the session's checkpoint.
    messages = _solana_messages(devnet) + _onboarding_messages(onboarding, len(l1_miners))
    messages += [("slash", record) for record in layers.deliver_slashes()]
    slashed = {name: bonds_before[name] - layers.l1_bond(address) for name, address in l1_miners.items()}
    watch.note("l1", f"NodeStakeL1 takes {_cor(sum(slashed.values()))} COR of slashes from the Outbox")
    messages += [("checkpoint", record) for record in layers.checkpoint_to_l1(session_id, task_ids)]
    watch.note("arbitrum", "SessionCheckpointer sends the session's roots to l1")
    watch.note("l1", "CheckpointRegistry receives arbitrum's checkpoint through the Outbox")

    # A private session on l3, by the actors, checkpointed l3 -> arbitrum -> l1.
    private, private_session, private_tasks = _private_session(devnet, seed)
    private_outcomes = _outcomes(private, private_session)
    liar = sum(o.verdicts.get(f"miner{L3_CHEAT}") == Verdict.INVALID for o in private_outcomes)
    watch.note(
        "l3",
        f"private session {private_session}: {len(private_tasks)} sealed tasks by the actors, keys as "
        f"ECIES envelopes; {liar} INVALID results of miner{L3_CHEAT} slashed",
    )
    layers.add_l3(network_of(private))
    messages += [("l3 checkpoint", r) for r in layers.checkpoint_l3_to_l1(private_session, private_tasks)]
    watch.note("l3", "SessionCheckpointer sends the private session's roots to l1 through arbitrum")
    watch.note("l1", "CheckpointRegistry receives the l3's checkpoint, forwarded by arbitrum")
    leaks = find_leaks(devnet, private.plaintexts(), public=population.plaintexts(private=False))

    return DemoReport(
        session_id=session_id,
        task_ids=task_ids,
        outcomes=outcomes,
        layers=watch.finish(),
        steps=_steps(population) + layers.network.steps + _steps(private),
        messages=messages,
        population=population,
        onboarding=onboarding,
        private_population=private,
        private_session=private_session,
        private_tasks=private_tasks,
        private_outcomes=private_outcomes,
        leaks=leaks,
        slashed_on_l1=slashed,
    )


class DemoFailed(RuntimeError):
    """The demo's actors did not finish in the simulated time they were given."""


def _private_session(devnet: Devnet, seed: int) -> tuple[Population, int, list[int]]:
    """The actors on l3, on a protocol of their own: one private session, its prompts sealed."""
    config = PopulationConfig(
        miners=L3_MINERS,
        users=USERS,
        redundancy=L3_MINERS,
        profiles={L3_CHEAT: Profile("malicious", rate=1.0)},
        seed=seed,
        deposit=100 * COR,
        slash=SLASH,
        private=True,
    )
    population = Population.deploy(devnet, config, chain="l3")
    population.submit("user0", list(PRIVATE_PROMPTS), every_s=1)
    if not population.run_until_idle(3_600):
        raise DemoFailed("the private requests on l3 did not all return within an hour of simulated time")
    population.withdraw()
    session_id = population.sessions["user0"]
    view = population.handle.view
    task_ids = sorted(t for s, t in view.tasks if s == session_id)
    return population, session_id, task_ids


def _solana_messages(devnet: Devnet) -> list[tuple[str, MessageRecord]]:
    """The guardian bridge's messages: the Solana miner's stake and the admin's COR."""
    what = {TOKEN_TRANSFER: "COR from Solana"}
    return [(what.get(r.kind, r.kind), r) for r in devnet.messages() if r.source == "solana"]


def _onboarding_messages(onboarding: LayeredOnboarding, miners: int) -> list[tuple[str, MessageRecord]]:
    """The l1 miners' messages: ``miners`` stake records, then two hops per registration."""
    records = onboarding.messages
    return [("stake record", r) for r in records[:miners]] + [("registration", r) for r in records[miners:]]


def _outcomes(population: Population, session_id: int) -> list[TaskOutcome]:
    validator = population.validator
    assert validator is not None
    return [
        TaskOutcome(task_id, {population.names[m]: v for m, v in votes.items()})
        for (sid, task_id), votes in sorted(validator.votes.items())
        if sid == session_id
    ]


def _steps(population: Population) -> list[Step]:
    """Every transaction the actors sent, with its block and gas, in order."""
    client = population.handle.client
    steps = []
    for chain, actor, action, tx_hash in population.recorder.transactions():
        receipt = client.receipt(tx_hash)
        if receipt is not None:
            steps.append(Step(actor, action, chain, receipt.block, receipt.gas_used, "0x" + tx_hash.hex()))
    return steps


def _checksum(population: Population, name: str) -> str:
    return population.chain.w3.to_checksum_address(population.signers[name].hex_address)


def _cor(amount: int) -> str:
    return f"{amount / COR:,.0f}"


class _ChainWatch:
    """Blocks, transactions and gas each chain sealed from the demo's start to its end."""

    def __init__(self, devnet: Devnet) -> None:
        self.devnet = devnet
        self.activity = {name: LayerActivity(name) for name in LAYERS}
        self.start = {name: self._height(name) for name in LAYERS}

    def note(self, chain: str, what: str) -> None:
        self.activity[chain].happened.append(what)

    def _height(self, name: str) -> int:
        chain = self.devnet[name]
        if isinstance(chain, SolanaChain):
            return chain.transaction_count
        assert isinstance(chain, EvmChain)
        return chain.height

    def finish(self) -> dict[str, LayerActivity]:
        for name, activity in self.activity.items():
            chain = self.devnet[name]
            end = self._height(name)
            if isinstance(chain, SolanaChain):
                activity.transactions = end - self.start[name]
                continue
            assert isinstance(chain, EvmChain)
            activity.blocks = end - self.start[name]
            for number in range(self.start[name] + 1, end + 1):
                block = chain.engine.get_block(number)
                activity.transactions += len(block["transactions"])
                activity.gas += int(block["gasUsed"], 16)
        return self.activity
