"""``cortensor-sim demo``: Cortensor's actors on the devnet's arbitrum chain, settled to l1.

A small population on the clock: a router, an oracle, a validator, one user and four miners that
poll every 5 s, one of which makes up its answer on part of its tasks. The user hands the router a
few prompts; the actors take them through every phase (assign, ack, precommit, commit, end), the
validator judges the redundant results (Proof of Inference and of Useful Work), the router pays
the agreeing miners, and the made-up answers cost their miner stake. Then the miners withdraw,
the user closes its session (the validator revalidates the released nodes by reputation) and a
checkpoint of the session's results is posted to the CheckpointRegistry on the
settlement chain.

The checkpoint is posted directly by its poster account; carrying it through the rollup's
messenger is the cross-layer work of the same issue.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_abi import encode
from eth_utils import keccak

from ..artifacts import load_artifact
from ..chains.devnet import Devnet
from ..chains.evm import EvmChain
from .actors import Population, PopulationConfig, Profile, Verdict
from .deployment import ROLE
from .network import Step

COR = 10**18
SLASH = 50 * COR
"""Stake an INVALID result costs in the demo (the contracts' default is 0)."""

DEFAULT_PROMPTS = (
    "Summarize the benefits of decentralized AI inference.",
    "Translate 'proof of inference' into plain words.",
    "List three uses of an L3 rollup for private inference.",
)


@dataclass(frozen=True)
class TaskOutcome:
    task_id: int
    verdicts: dict[str, Verdict]


@dataclass(frozen=True)
class DemoReport:
    chain: str
    settlement_chain: str
    session_id: int
    steps: list[Step]
    outcomes: list[TaskOutcome]
    balances_before: dict[str, int]
    balances_after: dict[str, int]
    total_supply: int
    checkpoint_block: int

    @property
    def conserved(self) -> bool:
        """COR held by every account and contract adds up to the supply, before and after."""
        return sum(self.balances_before.values()) == sum(self.balances_after.values()) == self.total_supply


MINERS, USERS = 4, 1
ACTORS_NEEDED = 4 + USERS + MINERS
"""admin, oracle, validator and router, then the users and the miners (dev accounts in order)."""
CHEAT = 3
"""The miner that makes up answers (on about half of its tasks, drawn from the seed)."""


class DemoUnsupported(ValueError):
    """The devnet cannot host the demo as asked; says which chain and what to change."""


def check_demo_devnet(devnet: Devnet, chain: str, settlement: str) -> None:
    """Refuse, before any transaction, a devnet the demo cannot run on.

    The demo posts its checkpoint as soon as the run ends and shows every step's receipt, so both
    chains must seal at once (``mining: auto``); it needs one dev account per actor.
    """
    for role, name in (("session chain", chain), ("settlement chain", settlement)):
        if name not in devnet.evm_chains:
            known = ", ".join(devnet.evm_chains)
            raise DemoUnsupported(f"{role} {name!r} is not an EVM chain of this devnet ({known})")
        spec = devnet.topology.chain(name)
        if spec.mining != "auto":
            raise DemoUnsupported(
                f"{role} {name!r} mines on an interval; the demo needs `mining: auto` there "
                "(it reads each receipt as soon as it sends the transaction)"
            )
    if devnet.topology.accounts < ACTORS_NEEDED:
        raise DemoUnsupported(
            f"the topology funds {devnet.topology.accounts} dev accounts per chain; the demo needs "
            f"{ACTORS_NEEDED} (admin, oracle, validator, router, {USERS} user, {MINERS} miners): "
            f"set `accounts: {ACTORS_NEEDED}` or more"
        )


def run_demo(
    devnet: Devnet | None = None,
    *,
    chain: str = "arbitrum",
    settlement: str = "l1",
    prompts: tuple[str, ...] = DEFAULT_PROMPTS,
    seed: int = 7,
) -> DemoReport:
    devnet = devnet or Devnet()
    check_demo_devnet(devnet, chain, settlement)
    config = PopulationConfig(
        miners=MINERS,
        users=USERS,
        redundancy=3,
        spare_nodes=1,
        profiles={CHEAT: Profile("malicious", rate=0.5)},
        seed=seed,
        deposit=100 * COR,
        slash=SLASH,
    )
    population = Population.deploy(devnet, config, chain=chain)
    balances_before = cor_balances(population)
    population.submit("user0", list(prompts), every_s=1)
    if not population.run_until_idle(3_600):
        raise RuntimeError("the demo's requests did not all return within an hour of simulated time")
    population.withdraw()
    population.close_sessions()
    population.run(5)  # the validator revalidates the released nodes

    session_id = population.sessions["user0"]
    validator = population.validator
    assert validator is not None
    outcomes = [
        TaskOutcome(task_id, {population.names[m]: v for m, v in votes.items()})
        for (sid, task_id), votes in sorted(validator.votes.items())
        if sid == session_id
    ]
    steps = _steps(population)
    l1 = devnet.evm(settlement)
    checkpoint_block = _post_checkpoint(population, l1, session_id, [o.task_id for o in outcomes], steps)
    return DemoReport(
        chain=population.chain.name,
        settlement_chain=l1.name,
        session_id=session_id,
        steps=steps,
        outcomes=outcomes,
        balances_before=balances_before,
        balances_after=cor_balances(population),
        total_supply=int(population.handle.call("cor", "totalSupply")[0]),
        checkpoint_block=checkpoint_block,
    )


def cor_balances(population: Population) -> dict[str, int]:
    """COR held by every actor and by the contracts that hold COR, by display name."""
    h = population.handle
    holders = {name: signer.address for name, signer in population.signers.items()}
    holders |= {"NodePool (stakes)": h.addresses["node_pool"], "SessionPayment": h.addresses["payment"]}
    return {name: int(h.call("cor", "balanceOf", "0x" + a.hex())[0]) for name, a in holders.items()}


def _steps(population: Population) -> list[Step]:
    """Every transaction the actors sent during the demo, with its block and gas, in order."""
    client = population.handle.client
    steps = []
    for chain, actor, action, tx_hash in population.recorder.transactions():
        receipt = client.receipt(tx_hash)
        if receipt is not None:
            steps.append(Step(actor, action, chain, receipt.block, receipt.gas_used, "0x" + tx_hash.hex()))
    return steps


def _post_checkpoint(
    population: Population, l1: EvmChain, session_id: int, task_ids: list[int], steps: list[Step]
) -> int:
    """Anchor the session's results on the settlement chain's CheckpointRegistry."""
    admin = l1.accounts[0].address
    registry = l1.deploy(load_artifact("CheckpointRegistry"), admin, sender=admin)
    l1.w3.eth.wait_for_transaction_receipt(
        registry.functions.grantRole(ROLE["POSTER_ROLE"], admin).transact({"from": admin})
    )
    result_hashes = []
    for task_id in task_ids:
        miners, results = population.handle.call("queue", "getTaskResults", session_id, task_id)
        result_hashes.append(keccak(encode(["address[]", "string[]"], [list(miners), list(results)])))
    result_root = keccak(b"".join(result_hashes))
    session_root = keccak(encode(["uint256", "uint256[]"], [session_id, task_ids]))
    source_block = population.chain.height
    tx = registry.functions.postCheckpoint(population.chain.chain_id, source_block, session_root, result_root)
    receipt = l1.w3.eth.wait_for_transaction_receipt(tx.transact({"from": admin}))
    steps.append(
        Step(
            "admin",
            "postCheckpoint",
            l1.name,
            receipt["blockNumber"],
            receipt["gasUsed"],
            receipt["transactionHash"].to_0x_hex(),
        )
    )
    return int(receipt["blockNumber"])
