"""Which session nodes serve a task is drawn from the oracle's seed chain, not picked by the owner.

Why: on Arbitrum `block.prevrandao` is 1 and `block.number` is l1's, so nothing in a block is a
seed a session owner cannot predict, and the published `assignTask` lets its caller name the
miners. Once ADMIN_ROLE anchors a seed chain (anchor = keccak256^n(secret), held by the oracle),
a task enqueued afterwards draws from the first seed revealed after it, and the session's owner
(and its own routers) may assign only the drawn miners.
"""

from __future__ import annotations

from itertools import permutations
from typing import Any

from contract_helpers import (
    COR,
    Env,
    create_session,
    event_args,
    expect_revert,
    role_id,
    send,
    session_miners,
    submit,
)
from eth_utils import keccak


def funded_session(env: Env, **shape: Any) -> int:
    """A session (create_session's shape) with 20 COR deposited, so tasks can be submitted."""
    sid, _ = create_session(env, **shape)
    send(env.w3, env.p.payment.functions.depositToSession(sid, 20 * COR), env.owner)
    return sid


def seed_chain(secret: bytes, length: int) -> list[bytes]:
    """[secret, H(secret), H(H(secret)), ...]: the anchor is the last, reveals walk backwards."""
    chain = [secret]
    for _ in range(length):
        chain.append(keccak(chain[-1]))
    return chain


def expected_draw(seed: bytes, sid: int, tid: int, nodes: list[str], count: int) -> list[str]:
    """The draw as the contract computes it (a partial Fisher-Yates on the session's nodes)."""
    word = lambda n: n.to_bytes(32, "big")  # noqa: E731
    rand = keccak(seed + word(sid) + word(tid))
    nodes = list(nodes)
    for i in range(count):
        j = i + int.from_bytes(keccak(rand + word(i)), "big") % (len(nodes) - i)
        nodes[i], nodes[j] = nodes[j], nodes[i]
    return nodes[:count]


def test_the_session_owner_cannot_pick_the_node_for_a_task(env: Env) -> None:
    w3, q = env.w3, env.p.queue.functions
    sid = funded_session(env, min_nodes=3, max_nodes=3, redundant=2)
    nodes = session_miners(env, sid)
    chain = seed_chain(b"\x07" * 32, 4)
    r = send(w3, q.setSeedAnchor(chain[-1]), env.admin)
    assert event_args(env.p.queue, "SeedAnchorSet", r) == [{"anchor": chain[-1]}]

    tid = submit(env, sid)
    assert q.getTaskSeedRound(sid, tid).call() == 1
    # Before the reveal nobody but the oracle knows the seed: no assignment by the owner goes through.
    for pair in permutations(nodes, 2):
        expect_revert(
            q.assignTask(sid, tid, list(pair)),
            env.owner,
            "SeedNotRevealed(uint256,uint256,uint256)",
            sid,
            tid,
            1,
        )

    # The reveal must hash to the anchor and comes from the oracle only.
    expect_revert(q.revealSeed(chain[-1]), env.oracle, "BadSeedReveal(bytes32,bytes32)", chain[-1], chain[-1])
    expect_revert(
        q.revealSeed(chain[-2]), env.owner, "MissingRole(bytes32,address)", role_id("ORACLE_ROLE"), env.owner
    )
    r = send(w3, q.revealSeed(chain[-2]), env.oracle)
    assert event_args(env.p.queue, "SeedRevealed", r) == [{"round": 1, "seed": chain[-2]}]

    drawn = q.drawMiners(sid, tid).call()
    assert drawn == expected_draw(chain[-2], sid, tid, nodes, 2)
    for pair in permutations(nodes, 2):
        if list(pair) != drawn:
            expect_revert(
                q.assignTask(sid, tid, list(pair)), env.owner, "NotDrawnMiners(uint256,uint256)", sid, tid
            )
    expect_revert(q.assignTask(sid, tid, drawn[:1]), env.owner, "NotDrawnMiners(uint256,uint256)", sid, tid)
    r = send(w3, q.assignTask(sid, tid, drawn), env.owner)
    assert event_args(env.p.queue, "TaskAssigned", r)[0]["miners"] == drawn


def test_each_task_draws_from_the_first_seed_revealed_after_it(env: Env) -> None:
    w3, q = env.w3, env.p.queue.functions
    sid = funded_session(env, min_nodes=3, max_nodes=3, redundant=2)
    before = submit(env, sid)  # no anchor yet: nothing to draw, the owner assigns as before
    assert q.getTaskSeedRound(sid, before).call() == 0
    assert q.drawMiners(sid, before).call() == []
    chain = seed_chain(b"\x09" * 32, 3)
    send(w3, q.setSeedAnchor(chain[-1]), env.admin)
    first = submit(env, sid)
    send(w3, q.revealSeed(chain[-2]), env.oracle)
    second = submit(env, sid)  # enqueued after round 1 was public: waits for round 2
    assert (q.getTaskSeedRound(sid, first).call(), q.getTaskSeedRound(sid, second).call()) == (1, 2)
    expect_revert(
        q.drawMiners(sid, second), env.owner, "SeedNotRevealed(uint256,uint256,uint256)", sid, second, 2
    )
    send(w3, q.revealSeed(chain[-3]), env.oracle)
    nodes = session_miners(env, sid)
    assert q.drawMiners(sid, second).call() == expected_draw(chain[-3], sid, second, nodes, 2)
    assert q.seedRound().call() == 2 and q.seedAnchor().call() == chain[-3]
    send(w3, q.assignTask(sid, before, nodes[1:]), env.owner)


def test_network_routers_and_the_admin_anchor_are_role_bound(env: Env) -> None:
    """A ROUTER_ROLE holder (a network router, granted by the role admin) still assigns freely,
    as docs/contracts.md says; only ADMIN_ROLE anchors a chain."""
    w3, q = env.w3, env.p.queue.functions
    expect_revert(
        q.setSeedAnchor(b"\x01" * 32),
        env.oracle,
        "MissingRole(bytes32,address)",
        role_id("ADMIN_ROLE"),
        env.oracle,
    )
    router = env.others[0]
    send(w3, q.grantRole(role_id("ROUTER_ROLE"), router), env.admin)
    sid = funded_session(env, min_nodes=3, max_nodes=3, redundant=2)
    send(w3, q.setSeedAnchor(seed_chain(b"\x03" * 32, 2)[-1]), env.admin)
    tid = submit(env, sid)
    nodes = session_miners(env, sid)
    send(w3, q.assignTask(sid, tid, nodes[:2]), router)
    assert q.getTaskMiners(sid, tid).call() == nodes[:2]
