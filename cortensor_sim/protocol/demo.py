"""The first end-to-end session: Cortensor on the devnet's arbitrum chain, settled to l1.

Deploys the protocol on the session chain, registers staked nodes, opens and funds a session,
runs prompts through every phase (assign, ack, precommit, commit, end), judges the redundant
results (Proof of Inference), pays the agreeing miners, refunds the rest, and posts a checkpoint of
the session's results to the CheckpointRegistry on the settlement chain. One miner answers one task
dishonestly, so the report shows a penalty as well as payments.

The checkpoint is posted directly by its poster account; carrying it through the rollup's
messenger comes with the settlement work.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_abi import encode
from eth_utils import keccak

from ..artifacts import load_artifact
from ..chains.devnet import Devnet
from ..chains.evm import EvmChain
from .deployment import ROLE
from .inference import Verdict, honest_answer, judge
from .network import COR, NODE_STAKE, CortensorNetwork, Step

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


class DemoUnsupported(ValueError):
    """The devnet cannot host the demo as asked; says which chain and what to change."""


def check_demo_devnet(devnet: Devnet, chain: str, settlement: str) -> None:
    """Refuse, before any transaction, a devnet the demo cannot run on.

    The demo reads each session id and receipt as soon as it sends the transaction, so both
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
    dishonest_task: int | None = 1,
) -> DemoReport:
    devnet = devnet or Devnet()
    check_demo_devnet(devnet, chain, settlement)
    session_chain: EvmChain = devnet.evm(chain)
    l1: EvmChain = devnet.evm(settlement)

    net = CortensorNetwork.deploy(session_chain, miners=MINERS, users=USERS)
    actors = net.actors
    user = actors.users[0]
    # An INVALID result costs its miner stake (sent to the treasury), so the penalty shows in COR.
    net.configure_validation(reward_points=10, penalty_points=20, slash_amount=SLASH)
    net.fund(user, 1_000 * COR)
    for miner in actors.miners:
        net.fund(miner, NODE_STAKE)
        net.add_node(miner)
    balances_before = net.cor_balances()

    session_id = net.open_session(user, redundancy=3, deposit=100 * COR)
    miners = net.session_miners(session_id)
    first = net.next_task_id(session_id)
    task_ids = list(range(first, first + len(prompts)))
    for task_id, prompt in zip(task_ids, prompts, strict=True):
        net.submit(user, session_id, prompt, task_id)
    devnet.advance(1)

    net.assign(session_id, task_ids, miners)
    net.ack(session_id, task_ids, miners)
    net.end_phase("ack", session_id, task_ids)
    devnet.advance(5)  # miners poll every 5 s (MINER_PULLING_INTERVAL_SECONDS)

    answers: dict[int, dict[str, str]] = {}
    for task_id, prompt in zip(task_ids, prompts, strict=True):
        answers[task_id] = {m: honest_answer(prompt) for m in miners}
        if dishonest_task is not None and task_id == task_ids[min(dishonest_task, len(task_ids) - 1)]:
            answers[task_id][miners[-1]] = "Lorem ipsum: an unrelated, made-up reply."
    net.precommit(session_id, answers)
    net.end_phase("precommit", session_id, task_ids)
    devnet.advance(5)
    net.commit(session_id, answers)
    net.end_phase("commit", session_id, task_ids)
    net.end_phase("end", session_id, task_ids)
    devnet.advance(5)

    outcomes = []
    verdicts: dict[int, dict[str, Verdict]] = {}
    for task_id in task_ids:
        verdicts[task_id] = judge(net.task_results(session_id, task_id), miners)
        outcomes.append(TaskOutcome(task_id, {actors.name_of(m): v for m, v in verdicts[task_id].items()}))
    net.validate(session_id, verdicts)
    net.pay(session_id, task_ids)
    net.withdraw(miners)
    net.close_session(user, session_id)
    net.settle()

    checkpoint_block = _post_checkpoint(net, l1, session_id, task_ids)
    balances_after = net.cor_balances()
    return DemoReport(
        chain=session_chain.name,
        settlement_chain=l1.name,
        session_id=session_id,
        steps=list(net.steps),
        outcomes=outcomes,
        balances_before=balances_before,
        balances_after=balances_after,
        total_supply=net.total_supply(),
        checkpoint_block=checkpoint_block,
    )


def _post_checkpoint(net: CortensorNetwork, l1: EvmChain, session_id: int, task_ids: list[int]) -> int:
    """Anchor the session's results on the settlement chain's CheckpointRegistry."""
    admin = net.actors.admin
    registry = l1.deploy(load_artifact("CheckpointRegistry"), admin, sender=admin)
    l1.w3.eth.wait_for_transaction_receipt(
        registry.functions.grantRole(ROLE["POSTER_ROLE"], admin).transact({"from": admin})
    )
    result_hashes = []
    for task_id in task_ids:
        results = net.task_results(session_id, task_id)
        result_hashes.append(
            keccak(encode(["address[]", "string[]"], [list(results), list(results.values())]))
        )
    result_root = keccak(b"".join(result_hashes))
    session_root = keccak(encode(["uint256", "uint256[]"], [session_id, task_ids]))
    source_block = net.chain.height
    tx = registry.functions.postCheckpoint(net.chain.chain_id, source_block, session_root, result_root)
    receipt = l1.w3.eth.wait_for_transaction_receipt(tx.transact({"from": admin}))
    net.steps.append(
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
