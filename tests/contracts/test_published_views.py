"""The published client surface behaves: session lookup and pagination, task listing, results,
task decoration, node ids derived from addresses, per-miner result state, endCommit's bool.

Why: the signature test proves the selectors exist; these prove each returns what a client
decoding it with Cortensor's published ABI expects.
"""

from __future__ import annotations

from contract_helpers import (
    COMMITTED,
    COMPLETED,
    COR,
    QUEUED,
    Env,
    create_session,
    event_args,
    expect_revert,
    node_id,
    result_hash,
    run_task,
    send,
    session_miners,
    submit,
)
from eth_abi import decode as abi_decode
from eth_utils import function_signature_to_4byte_selector, keccak
from web3 import Web3

# tensorme-simple's getSession tuple (17 fields): a client built against the older ABI.
OLD_SESSION = (
    "(uint256,bytes32,string,string,uint8,uint256,uint256,address,address[],address[],"
    "uint256,uint256,uint256,uint256,uint256,string[],address[])"
)


def test_node_id_is_keccak_of_the_address(env: Env) -> None:
    m = env.miners[0]
    want = keccak(bytes.fromhex(m[2:]))
    for contract in (env.p.session, env.p.queue, env.p.node_pool, env.p.node_stats):
        assert contract.functions.getNodeId(m).call() == want
    assert env.p.node_pool.functions.nodeIdOf(m).call() == want == node_id(m)


def test_session_lookup_and_pagination(env: Env) -> None:
    w3, s = env.w3, env.p.session.functions
    expect_revert(s.getLatestSessionId(env.owner), env.owner, "NoSessionForAddress(address)", env.owner)
    assert s.getSessionsByAddressByPage(env.owner, 0, 999).call() == []
    ids = [create_session(env, min_nodes=1, max_nodes=1, redundant=1)[0] for _ in range(3)]
    assert ids == [0, 1, 2]
    assert s.getLatestSessionId(env.owner).call() == 2
    assert s.getSessionCount().call() == 3 and s.getSessionCountByAddress(env.owner).call() == 3
    assert s.getSessionIds(env.owner).call() == ids == s.getUserSessions(env.owner).call()
    assert s.userSessions(env.owner, 1).call() == 1
    assert s.doesSessionExist(2).call() and not s.doesSessionExist(3).call()
    assert [x[0] for x in s.getSessionsByAddress(env.owner).call()] == ids
    assert [x[0] for x in s.getSessionsByAddressByPage(env.owner, 1, 5).call()] == [1, 2]
    assert [x[0] for x in s.getSessionsByAddressByPage(env.owner, 0, 2).call()] == [0, 1]
    assert s.getSessionsByAddressByPage(env.owner, 7, 2).call() == []
    send(w3, s.deactivateSession(1), env.owner)
    assert [x[0] for x in s.getActiveSessionsByAddress(env.owner).call()] == [0, 2]
    assert s.getSession(1).call()[4] == 2  # state: deactivated
    assert s.getSessionsByAddress(env.others[0]).call() == []
    assert s.getVariableAddress(0).call() == "0x" + "00" * 20


def test_get_session_decodes_with_the_older_published_tuple(env: Env) -> None:
    """chaplin's 21-field tuple extends tensorme-simple's 17: older clients still decode it."""
    sid, _ = create_session(env, min_nodes=2, max_nodes=2, redundant=2)
    data = function_signature_to_4byte_selector("getSession(uint256)") + sid.to_bytes(32, "big")
    raw = env.w3.eth.call({"to": env.p.session.address, "data": Web3.to_hex(data)})
    (old,) = abi_decode([OLD_SESSION], raw)
    assert old[0] == sid and old[7].lower() == env.owner.lower() and old[13] == 2
    assert sorted(a.lower() for a in old[8]) == sorted(m.lower() for m in session_miners(env, sid))


def test_task_listing_data_and_decoration(env: Env) -> None:
    w3, p = env.w3, env.p
    q = p.queue.functions
    sid, _ = create_session(env, min_nodes=3, max_nodes=3, redundant=2)
    send(w3, p.payment.functions.depositToSession(sid, 10 * COR), env.owner)
    expect_revert(q.getLatestTask(sid), env.owner, "UnknownTask(uint256,uint256)", sid, 0)
    llm = [512, 7, 9, 40, 1, 2]
    fn = p.session.functions.submit(sid, 0, "first prompt", 3, "tmpl {x}", llm, "ref-a")
    send(w3, fn, env.owner)
    tid = submit(env, sid, "second prompt")
    assert q.getLatestTask(sid).call() == "second prompt"
    assert q.getTaskData(sid, 0).call() == "first prompt"
    assert q.getTaskCountBySessionId(sid).call() == 2 and q.getTaskCountBySessionIds([sid, 9]).call() == [
        2,
        0,
    ]
    deco = q.getTaskDecoration(sid, 0).call()
    assert deco == (0, sid, 0, 3, "tmpl {x}", 512, 7, 9, 40, 1, 2)
    getters = ["PromptType", "PromptTemplate", "MaxTokens", "Temperature", "TopP", "TopK"]
    getters += ["PresencePenalty", "FrequencyPenalty"]
    got = [getattr(q, f"getTaskDecoration{g}")(sid, 0).call() for g in getters]
    assert got == [3, "tmpl {x}", 512, 7, 9, 40, 1, 2]
    too_many = p.session.functions.submit(sid, 0, "x", 0, "", list(range(9)), "r")
    expect_revert(too_many, env.owner, "TooManyLlmParams(uint256,uint256)", 9, 8)

    miners = session_miners(env, sid)
    r = send(w3, q.assignTask(sid, tid, miners[:2]), env.owner)
    (assigned,) = event_args(p.session, "TaskAssigned", r)  # published: node ids
    assert assigned["nodeIds"] == [node_id(m) for m in miners[:2]]
    tasks = q.getTasksBySessionId(sid).call()
    assert [t[0] for t in tasks] == [0, 1] and tasks[1][3] == "second prompt"
    assert tasks[1][4] == miners[:2] and tasks[1][6] == QUEUED and tasks[1][5] is False
    assert q.getTask(sid, 1).call() == tasks[1]


def test_results_hashes_timestamps_and_result_state(env: Env) -> None:
    w3, p = env.w3, env.p
    q = p.queue.functions
    sid, _ = create_session(env, min_nodes=3, max_nodes=3, redundant=3)
    send(w3, p.payment.functions.depositToSession(sid, 10 * COR), env.owner)
    t0, t1 = submit(env, sid), submit(env, sid)
    a, b, c = session_miners(env, sid)
    run_task(env, sid, t0, {a: "four", b: "4"})
    assert [q.getTaskResultState(sid, t0, m).call() for m in (a, b, c)] == [4, 4, 0]
    assert q.getTaskResultData(sid, t0, a).call() == "four"
    miners, hashes = q.getTaskResultHashes(sid, t0).call()
    assert miners == [a, b] and hashes == [result_hash("four", a), result_hash("4", b)]
    assert (
        q.getTaskResultCommitTimestamp(sid, t0, a).call()
        >= q.getTaskResultPrecommitTimestamp(sid, t0, a).call()
        > 0
    )
    for getter in ("Acked", "Precommit", "Commit"):
        who, when = getattr(q, f"getAllTaskResult{getter}Timestamps")(sid, t0).call()
        assert who == [a, b] and all(x > 0 for x in when)
    assert q.isAcked(sid, t0).call() and not q.isAcked(sid, t1).call()
    all_miners, all_results, all_hashes = q.getAllTaskResults(sid).call()
    assert all_miners == [[a, b], []] and all_results == [["four", "4"], []]
    assert all_hashes[0] == hashes
    task = q.getTask(sid, t0).call()
    assert task[5] is True and task[6] == COMPLETED and task[10] >= task[9] >= task[8] > 0
    assert q.getHash("abc").call() == keccak(b"abc") and q.verifyHash("abc", keccak(b"abc")).call()
    assert not q.verifyHash("abd", keccak(b"abc")).call()


def test_end_commit_returns_whether_anything_was_committed(env: Env) -> None:
    w3, p = env.w3, env.p
    q = p.queue.functions
    sid, _ = create_session(env, min_nodes=3, max_nodes=3, redundant=2)
    send(w3, p.payment.functions.depositToSession(sid, 10 * COR), env.owner)
    t0, t1 = submit(env, sid), submit(env, sid)
    a, b, _ = session_miners(env, sid)
    for tid, commits in ((t0, True), (t1, False)):
        send(w3, q.assignTask(sid, tid, [a, b]), env.owner)
        for m in (a, b):
            send(w3, q.ack(sid, tid), m)
        send(w3, q.endAck(sid, tid), env.owner)
        if commits:
            send(w3, q.precommit(sid, tid, result_hash("x", a), ""), a)
        send(w3, q.endPrecommit(sid, tid, False), env.oracle)
        if commits:
            send(w3, q.commit(sid, tid, "x"), a)
        assert q.endCommit(sid, tid, False).call({"from": env.oracle}) is commits
        send(w3, q.endCommit(sid, tid, False), env.oracle)
        assert q.getTaskStatus(sid, tid).call() == COMMITTED
