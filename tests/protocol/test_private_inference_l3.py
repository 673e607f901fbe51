"""Private inference on l3 of the default devnet: a private session completes with every payload
encrypted, the allowlist decides who can read, and no plaintext reaches any chain."""

from __future__ import annotations

from dataclasses import dataclass

import ecies
import pytest
from eth_utils import function_signature_to_4byte_selector
from web3.exceptions import ContractCustomError

from cortensor_sim import Devnet
from cortensor_sim.protocol.funding import deploy_network
from cortensor_sim.protocol.inference import Verdict, honest_answer
from cortensor_sim.protocol.privacy.crypto import (
    DecryptionFailed,
    Entropy,
    open_payload,
    public_key_of,
    unwrap_key,
)
from cortensor_sim.protocol.privacy.leaks import find_leaks
from cortensor_sim.protocol.privacy.sessions import KeyNotDelivered, PrivateInference, node_public_key

PROMPTS = (
    "Draft a confidential merger memo for the board of Acme Robotics, due Friday.",
    "Summarize patient 4471's lab results: glucose 182 mg/dL, HbA1c 8.9 percent.",
)


@dataclass
class PrivateRun:
    devnet: Devnet
    inference: PrivateInference
    session_id: int
    task_ids: list[int]
    verdicts: dict[int, dict[str, Verdict]]
    outsider: str  # a registered miner the session neither reserved nor allowlisted
    claimable_before: dict[str, int]


def _honest(miner: str, task_id: int, prompt: str) -> str:
    return honest_answer(prompt)


@pytest.fixture(scope="module")
def private_run() -> PrivateRun:
    devnet = Devnet()
    network = deploy_network(devnet, "l3", miners=4, users=1)
    actors = network.actors
    for miner in actors.miners:
        network.fund(miner, 6_000 * 10**18)
        network.add_node(miner)
    network.fund(actors.users[0], 1_000 * 10**18)
    inference = PrivateInference(network, Entropy(b"test seed"))
    session_id = inference.open_session(actors.users[0], redundancy=3, readers=[actors.validator])
    session_miners = network.session_miners(session_id)
    (outsider,) = [m for m in actors.miners if m not in session_miners]
    payment = network.contracts.payment.functions
    claimable = {m: payment.claimable(m).call() for m in session_miners}
    task_ids = inference.submit(session_id, list(PROMPTS))
    devnet.advance(1)
    verdicts = inference.run_tasks(session_id, task_ids, _honest, devnet.advance)
    return PrivateRun(devnet, inference, session_id, task_ids, verdicts, outsider, claimable)


def test_a_private_session_on_l3_goes_through_every_phase_and_pays_its_miners(
    private_run: PrivateRun,
) -> None:
    run = private_run
    network = run.inference.network
    assert network.chain.name == "l3"
    queue = network.contracts.queue.functions
    assert [queue.getTaskStatus(run.session_id, t).call() for t in run.task_ids] == [4, 4]  # Completed
    actions = {s.action.split()[0] for s in network.steps}
    for phase in (
        "submitPrivate",
        "assignTask",
        "ack",
        "precommit",
        "commit",
        "endCommit",
        "end",
        "finalize",
    ):
        assert phase in actions, phase
    miners = network.session_miners(run.session_id)
    assert all(set(vs.values()) == {Verdict.VALID} for vs in run.verdicts.values())
    payment = network.contracts.payment.functions
    for miner in miners:  # 1 COR per valid result, 2 tasks
        assert payment.claimable(miner).call() - run.claimable_before[miner] == 2 * 10**18
    # The owner reads every answer back, and they are the model's answers to the prompts.
    owner = run.inference.sessions[run.session_id].owner
    for task_id, prompt in zip(run.task_ids, PROMPTS, strict=True):
        results = run.inference.read_results(owner, run.session_id, task_id)
        assert results == dict.fromkeys(miners, honest_answer(prompt))


def test_only_ciphertexts_and_commitments_are_posted(private_run: PrivateRun) -> None:
    run = private_run
    network = run.inference.network
    for task_id in run.task_ids:
        results = network.task_results(run.session_id, task_id)
        assert results and all(r.startswith("private:0x") for r in results.values())
        task = network.contracts.queue.functions.getTask(run.session_id, task_id).call()
        assert "private:0x" in str(task)
    # Every registered node key is the real public key of the miner's account.
    pool = network.contracts.node_pool.functions
    for miner in network.actors.miners:
        stored = node_public_key(network.contracts.node_pool, pool.nodeIdOf(miner).call())
        assert stored == public_key_of(network.account_key(miner))


def test_a_miner_off_the_allowlist_is_refused_the_key_and_cannot_decrypt(private_run: PrivateRun) -> None:
    run = private_run
    inference, network = run.inference, run.inference.network
    private = network.contracts.private_sessions.functions
    session = inference.sessions[run.session_id]
    # Refused on chain: the owner cannot even post it an envelope.
    envelope = ecies.encrypt(inference.reader_public_key(run.outsider), session.key)
    with pytest.raises(ContractCustomError) as refused:
        private.postSessionKey(run.session_id, run.outsider, envelope).call({"from": session.owner})
    selector = function_signature_to_4byte_selector("NotAllowed(uint256,address)")
    assert str(refused.value.data).startswith("0x" + selector.hex())
    with pytest.raises(KeyNotDelivered):
        inference.session_key(run.outsider, run.session_id)
    # Everything on chain is readable, but nothing opens with the outsider's key.
    outsider_key = network.account_key(run.outsider)
    some_miner = network.session_miners(run.session_id)[0]
    posted = bytes(private.sessionKeyOf(run.session_id, some_miner).call())
    with pytest.raises(DecryptionFailed):
        unwrap_key(outsider_key, posted)
    sealed = bytes(private.getPrivateTask(run.session_id, run.task_ids[0]).call()[0])
    guessed = Entropy(b"outsider").draw("a guess at the session key")
    with pytest.raises(DecryptionFailed):
        open_payload(guessed, sealed, inference._associated("prompt", run.session_id, run.task_ids[0]))
    # The allowlisted miner it copied the envelope from does read the prompt.
    assert inference.read_prompt(some_miner, run.session_id, run.task_ids[0]) == PROMPTS[0]


def test_no_plaintext_prompt_or_result_appears_on_any_chain(private_run: PrivateRun) -> None:
    run = private_run
    plaintexts = run.inference.plaintexts()
    assert set(PROMPTS) <= set(plaintexts) and len(plaintexts) == 2 + 2 * 3
    assert set(run.devnet.evm_chains) >= {"l1", "base", "arbitrum", "l3"}
    assert find_leaks(run.devnet, plaintexts) == []


def test_the_leak_scan_finds_a_prompt_submitted_in_clear(private_run: PrivateRun) -> None:
    """The scan above can fail: a clear-text task on the same chain shows in all three places."""
    run = private_run
    network = run.inference.network
    user = network.actors.users[0]
    clear = "This clear-text prompt is long enough to span two storage slots of the queue."
    session_id = network.open_session(user, name="clear", redundancy=1, deposit=10 * 10**18)
    network.submit(user, session_id, clear, network.next_task_id(session_id))
    places = {(leak.chain, leak.place) for leak in find_leaks(run.devnet, [clear, *PROMPTS])}
    assert places == {("l3", "calldata"), ("l3", "log"), ("l3", "storage")}
