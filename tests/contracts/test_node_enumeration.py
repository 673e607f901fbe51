"""NodePool's published enumeration and SessionV2's node timing, as a dashboard or router reads them.

Why: Cortensor's published NodePool ABI lists the whole pool (`getAllNodes`, `getAllNodeAddresses`,
`getAllNodeEntries`, `nodeIds(i)`, `allNodeCount`, `getCount`) and counts nodes per status
(`getNodeStatusCount`, `reservedNodeCount`, `releasedNodeCount`); its SessionV2 ABI tells when a
node was assigned (`getNodeAssignedTimestamp`). Every registration path (a staked `addNode`, an
l1-backed `registerL1Node`) must enter the list, every removal must leave it, and the counts must
follow every status change, or a dashboard shows nodes that are gone and a router misses nodes
that are there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from contract_helpers import (
    COR,
    N_ADDED,
    N_EPHEMERAL,
    N_RELEASED,
    N_RESERVED,
    N_UNBONDING,
    STAKE,
    Env,
    add_node,
    create_session,
    event_args,
    expect_revert,
    node_id,
    node_public_key,
    role_id,
    send,
    session_miners,
)
from eth_abi import decode as abi_decode
from web3 import Web3

from cortensor_sim.chains import default_topology

NODE_INFO = ["address", "uint256", "uint256", "uint256", "uint256", "uint256", "uint8"]
# Arbitrum's L1 -> L2 address alias offset (Nitro's AddressAliasHelper).
ALIAS_OFFSET = 0x1111000000000000000000000000000000001111
# Stand-ins for NodeStakeL1 and OnboardingRelayL1 on l1, and an operator staked there.
L1_STAKING = Web3.to_checksum_address("0x" + "a1" * 20)
L1_ONBOARDING = Web3.to_checksum_address("0x" + "b2" * 20)
OPERATOR = Web3.to_checksum_address("0x" + "c3" * 20)


def listed_statuses(env: Env) -> Counter[int]:
    """Count statuses by walking the published list node by node (what the counters must match)."""
    pool = env.p.node_pool.functions
    return Counter(pool.getNodeStatusById(nid).call() for nid in pool.getAllNodes().call())


def impersonate_aliases(w3: Web3, *l1_contracts: str) -> list[str]:
    """The aliased senders of l1 contracts on arbitrum, impersonated and funded for gas."""
    aliases = []
    for l1_contract in l1_contracts:
        alias = Web3.to_checksum_address(f"0x{(int(l1_contract, 16) + ALIAS_OFFSET) % 2**160:040x}")
        w3.provider.make_request("anvil_impersonateAccount", [alias])  # type: ignore[arg-type]
        w3.provider.make_request("anvil_setBalance", [alias, hex(10**18)])  # type: ignore[arg-type]
        w3.eth.send_transaction({"from": alias, "to": alias, "value": 0})
        aliases.append(alias)
    return aliases


def assert_counts_match_the_list(env: Env) -> None:
    pool = env.p.node_pool.functions
    ids = pool.getAllNodes().call()
    walked = listed_statuses(env)
    assert len(set(ids)) == len(ids) == pool.allNodeCount().call() == pool.getCount().call()
    assert [pool.nodeIds(i).call() for i in range(len(ids))] == ids
    assert pool.getAllNodeAddresses().call() == [pool.nodeAddressOf(nid).call() for nid in ids]
    assert pool.getNodeStatusCount().call() == [
        walked[s] for s in (N_ADDED, N_EPHEMERAL, N_RESERVED, N_RELEASED)
    ]
    assert pool.reservedNodeCount().call() == walked[N_RESERVED]
    assert pool.releasedNodeCount().call() == walked[N_RELEASED]
    assert pool.ephemeralNodeCount().call() == walked[N_EPHEMERAL]
    assert all(pool.nodeCountByStatus(s).call() == walked[s] for s in range(6))
    assert 0 not in walked  # a removed node is not listed


def test_the_pool_lists_every_node_and_counts_each_status_change(
    env: Env, advance: Callable[[float], None]
) -> None:
    w3, p = env.w3, env.p
    pool = p.node_pool.functions
    ids = [node_id(m) for m in env.miners]
    assert pool.getAllNodes().call() == ids  # registration order
    assert pool.getAllNodeAddresses().call() == env.miners
    assert pool.getNodeStatusCount().call() == [0, 4, 0, 0]
    assert_counts_match_the_list(env)

    newcomer = env.others[0]
    add_node(env, newcomer, ephemeral=False)  # staked, not yet validated
    assert pool.getAllNodes().call() == [*ids, node_id(newcomer)]
    assert pool.getNodeStatusCount().call() == [1, 4, 0, 0]

    sid, _ = create_session(env, min_nodes=2, max_nodes=2, redundant=2)
    assert pool.getNodeStatusCount().call() == [1, 2, 2, 0]
    assert pool.reservedNodeCount().call() == 2
    assert_counts_match_the_list(env)

    send(w3, p.session.functions.deactivateSession(sid), env.owner)
    assert pool.getNodeStatusCount().call() == [1, 2, 0, 2]
    assert pool.releasedNodeCount().call() == 2
    leaving = next(nid for nid in ids if pool.getNodeStatusById(nid).call() == N_RELEASED)
    leaver = pool.nodeAddressOf(leaving).call()
    send(w3, pool.requestRemoval(leaving), leaver)
    assert pool.nodeCountByStatus(N_UNBONDING).call() == 1
    assert pool.getNodeStatusCount().call() == [1, 2, 0, 1]
    assert_counts_match_the_list(env)

    advance(pool.unbondingPeriod().call() + 1)
    send(w3, pool.removeNode(leaving), leaver)
    listed = pool.getAllNodes().call()
    assert leaving not in listed and len(listed) == 4
    assert listed[ids.index(leaving)] == node_id(newcomer)  # the last id moved into the gap
    assert pool.nodeCountByStatus(N_UNBONDING).call() == 0
    assert_counts_match_the_list(env)

    add_node(env, leaver, ephemeral=False)  # the operator stakes again: listed last, Added
    assert pool.getAllNodes().call() == [*listed, leaving]
    assert pool.getNodeStatusCount().call() == [2, 2, 0, 1]
    assert_counts_match_the_list(env)


def test_all_node_entries_decode_as_the_published_node_info(env: Env) -> None:
    w3, p = env.w3, env.p
    pool = p.node_pool.functions
    sid, receipt = create_session(env, min_nodes=1, max_nodes=1, redundant=1)
    entries = pool.getAllNodeEntries().call()
    assert len(entries) == 4
    for nid, entry in zip(pool.getAllNodes().call(), entries, strict=True):
        address, *rest = abi_decode(NODE_INFO, entry)
        assert [Web3.to_checksum_address(address), *rest] == list(pool.getNodeInfo(nid).call())
    (reserved,) = session_miners(env, sid)
    entry = entries[pool.getAllNodes().call().index(node_id(reserved))]
    address, *_, reserved_at, _released, session, status = abi_decode(NODE_INFO, entry)
    assert (Web3.to_checksum_address(address), session, status) == (reserved, sid, N_RESERVED)
    assert reserved_at == w3.eth.get_block(receipt["blockNumber"])["timestamp"]


def test_an_l1_backed_registration_is_listed_and_its_unbonding_counted(env: Env) -> None:
    """The l1 path (NodeStakeL1's stake record, OnboardingRelayL1's registration) reaches NodePool
    as retryables from the aliased l1 contracts; here their aliased senders are impersonated on
    the devnet (the full cross-chain path runs in tests/protocol/test_layers_flow.py)."""
    w3, p = env.w3, env.p
    pool = p.node_pool.functions
    r = send(w3, pool.setL1Sources(L1_STAKING, L1_ONBOARDING), env.admin)
    assert event_args(p.node_pool, "L1SourcesUpdated", r) == [
        {"l1Staking": L1_STAKING, "l1Onboarding": L1_ONBOARDING}
    ]
    staking_alias, onboarding_alias = impersonate_aliases(w3, L1_STAKING, L1_ONBOARDING)
    operator = OPERATOR
    expect_revert(
        pool.registerL1Node(operator, [0], node_public_key(operator)),
        env.admin,
        "NotFromL1Contract(address,address)",
        env.admin,
        onboarding_alias,
    )
    r = send(w3, pool.recordL1Stake(operator, STAKE), staking_alias)
    assert event_args(p.node_pool, "L1StakeRecorded", r) == [{"operator": operator, "stake": STAKE}]
    send(w3, pool.registerL1Node(operator, [0], node_public_key(operator)), onboarding_alias)
    nid = node_id(operator)
    assert pool.isL1Backed(nid).call()
    assert pool.getAllNodes().call()[-1] == nid and pool.getAllNodeAddresses().call()[-1] == operator
    assert pool.getNodeStatusCount().call() == [1, 4, 0, 0]
    assert_counts_match_the_list(env)
    send(w3, pool.recordL1Stake(operator, 0), staking_alias)  # unbonded on l1: out of the pool
    assert pool.getNodeStatusById(nid).call() == N_UNBONDING
    assert pool.getNodeStatusCount().call() == [0, 4, 0, 0]
    assert_counts_match_the_list(env)


def test_an_l1_backed_node_slashed_on_arbitrum_sends_the_slash_to_l1(env: Env) -> None:
    """The slash of an l1-backed node leaves through ArbSys.sendTxToL1 (L1SlashSent); arbitrum
    only: the revm run hosts the contracts on base, which has no ArbSys."""
    w3, p = env.w3, env.p
    arbitrum = next(c for c in default_topology().model_dump()["chains"] if c["name"] == "arbitrum")
    if w3.eth.chain_id != arbitrum["chain_id"]:
        pytest.skip("ArbSys exists only on the Nitro chain")
    pool = p.node_pool.functions
    send(w3, pool.setL1Sources(L1_STAKING, L1_ONBOARDING), env.admin)
    staking_alias, onboarding_alias = impersonate_aliases(w3, L1_STAKING, L1_ONBOARDING)
    operator = OPERATOR
    send(w3, pool.recordL1Stake(operator, STAKE), staking_alias)
    send(w3, pool.registerL1Node(operator, [0], node_public_key(operator)), onboarding_alias)
    nid = node_id(operator)
    # The admin stands in for SessionV2 (a task lock) and TaskValidator (the slash).
    for role in ("SESSION_CONTRACT_ROLE", "SLASHER_ROLE"):
        send(w3, pool.grantRole(role_id(role), env.admin), env.admin)
    send(w3, pool.lockForTask([operator]), env.admin)
    held = p.cor.functions.balanceOf(p.node_pool.address).call()
    r = send(w3, pool.slash(nid, 100 * COR, env.admin), env.admin)
    (sent,) = event_args(p.node_pool, "L1SlashSent", r)
    assert (sent["nodeId"], sent["operator"], sent["amount"]) == (nid, operator, 100 * COR)
    assert pool.stakeOf(nid).call() == STAKE - 100 * COR == pool.l1StakeOf(operator).call()
    assert p.cor.functions.balanceOf(p.node_pool.address).call() == held  # the stake is taken on l1


def test_shuffle_index_list_is_a_permutation_seeded_by_block_and_caller(env: Env) -> None:
    pool = env.p.node_pool.functions
    items = list(range(20))
    a, b = env.others[0], env.others[1]
    shuffled = pool.shuffleIndexList(items, a).call()
    assert sorted(shuffled) == items and shuffled != items
    assert pool.shuffleIndexList(items, a).call() == shuffled  # same block, same caller
    assert pool.shuffleIndexList(items, b).call() != shuffled  # another caller, another order
    assert pool.shuffleIndexList([], a).call() == [] and pool.shuffleIndexList([7], a).call() == [7]


def test_node_assigned_timestamp_is_the_reservation_time_while_assigned(
    env: Env, advance: Callable[[float], None]
) -> None:
    w3, p = env.w3, env.p
    s = p.session.functions
    sid, receipt = create_session(env, min_nodes=2, max_nodes=2, redundant=2)
    created_at = w3.eth.get_block(receipt["blockNumber"])["timestamp"]
    held = session_miners(env, sid)
    idle = [m for m in env.miners if m not in held]
    assert [s.getNodeAssignedTimestamp(m).call() for m in held] == [created_at, created_at]
    assert [s.getNodeAssignedTimestamp(m).call() for m in idle] == [0, 0]
    assert s.getNodeAssignedTimestamp(env.others[0]).call() == 0  # not a node at all
    advance(60)
    sid2, receipt2 = create_session(env, min_nodes=2, max_nodes=2, redundant=2)
    later = w3.eth.get_block(receipt2["blockNumber"])["timestamp"]
    assert later > created_at
    assert [s.getNodeAssignedTimestamp(m).call() for m in session_miners(env, sid2)] == [later, later]
    send(w3, s.deactivateSession(sid), env.owner)
    assert [s.getNodeAssignedTimestamp(m).call() for m in held] == [0, 0]  # released: serves none


def test_a_session_claims_its_idle_nodes_for_at_most_max_reserve_period(
    env: Env, advance: Callable[[float], None]
) -> None:
    """Without a bound, a session created with reservePeriod near 2**256 held its idle nodes for
    ever (and a stranger's releaseByNodeId overflowed instead of answering NodeNotIdle)."""
    w3, p = env.w3, env.p
    s = p.session.functions
    limit = s.MAX_RESERVE_PERIOD().call()
    assert limit == 86_400
    args = ("hoard", "", "0x" + "00" * 20, 1, 1, 1, 0, 0, True, 0, 0)
    for too_long in (limit + 1, 2**256 - 1):
        expect_revert(
            s.create(*args, too_long, 0), env.owner, "InvalidReservePeriod(uint256,uint256)", too_long, limit
        )
    r = send(w3, s.create(*args, limit, 0), env.owner)
    (created,) = event_args(p.session, "SessionCreated", r)
    (node,) = created["miners"]
    nid = node_id(node)
    stranger = env.others[0]
    expect_revert(s.releaseByNodeId(nid), stranger, "NodeNotIdle(bytes32)", nid)
    advance(limit + 1)
    r = send(w3, s.releaseByNodeId(nid), stranger)
    assert event_args(p.session, "NodeReleased", r) == [{"nodeId": nid, "sessionId": created["sessionId"]}]
