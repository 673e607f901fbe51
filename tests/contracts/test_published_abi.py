"""Cortensor's published ABIs, pinned: names, full types, return types and indexed flags.

Why: clients written against the ABIs Cortensor publishes (cortensor/community-projects:
apps/tensorme-simple/resources/src/abi/ for SessionV2 and SessionQueueV2, apps/chaplin/backend/abis/
for the newer SessionV2 `create` and `getSession` tuple, and apps/tensorme-advanced/resources/src/abi/
in that repository's history for NodePool, NodeReputation and NodeStats) must find every function
and event below with the same selector, return layout and topics. The signatures are written here as
facts, not read from the published files, so a drift in our contracts fails CI. docs/contracts.md
lists what is not (yet) implemented and every deliberate difference.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from published_catalog import HOLE_TESTS, LEFT_OUT, PUBLISHED_ALL, REASONS, coverage

from cortensor_sim.artifacts import load_artifact

# The published tuples: getSession (chaplin's 21 fields), the task and the task decoration.
SESSION = (
    "(uint256,bytes32,string,string,uint8,uint256,uint256,address,address[],address[],"
    "uint256,uint256,uint256,uint256,uint256,string[],address[],uint256,uint256,uint256,uint256)"
)
TASK = "(uint256,uint256,uint256,string,address[],bool,uint8,uint256,uint256,uint256,uint256)"
DECORATION = "(uint256,uint256,uint256,uint256,string,uint256,uint256,uint256,uint256,uint256,uint256)"
CREATE = (
    "create(string,string,address,uint256,uint256,uint256,uint256,uint256,bool,"
    "uint256,uint256,uint256,uint256)"
)

PUBLISHED: dict[str, list[str]] = {
    "SessionV2": [
        "addDedicatedNode(uint256,address) returns ()",
        "addRouter(uint256,address,string) returns ()",
        f"{CREATE} returns ()",
        "deactivateSession(uint256) returns ()",
        "doesSessionExist(uint256) returns (bool)",
        "event DedicatedNodeAdded(address indexed)",
        "event DedicatedNodeRemoved(address indexed)",
        "event NewNodeAssignedToSession(uint256 indexed,address[],uint256,uint256)",
        "event NodeReleased(bytes32,uint256)",
        "event RouterAdded(address,string)",
        "event RouterRemoved(address)",
        "event SessionCreated(uint256,bytes32,address,address[])",
        "event SessionDeactivated(uint256 indexed,address indexed)",
        "event SessionUpdated(uint256 indexed,address indexed,uint256,uint256,uint256)",
        "event TaskAssigned(uint256,uint256,bytes32[])",
        "event TaskSubmitted(uint256,uint256,string,string)",
        f"getActiveSessionsByAddress(address) returns ({SESSION}[])",
        "getDedicatedNodeExists(uint256,address) returns (bool)",
        "getDedicatedNodes(uint256) returns (address[])",
        "getEphemeralNodes(uint256) returns (address[])",
        "getLatestSessionId(address) returns (uint256)",
        "getNodeId(address) returns (bytes32)",
        "getNodeSessionId(address) returns (uint256)",
        "getRouterCount(uint256) returns (uint256)",
        "getRouterInfo(uint256,address) returns (string)",
        f"getSession(uint256) returns ({SESSION})",
        "getSessionCount() returns (uint256)",
        "getSessionCountByAddress(address) returns (uint256)",
        "getSessionIds(address) returns (uint256[])",
        f"getSessionsByAddressByPage(address,uint256,uint256) returns ({SESSION}[])",
        "getTaskResults(uint256,uint256) returns (address[],string[])",
        "getUserSessions(address) returns (uint256[])",
        "isNodeAssignedToAnySession(address) returns (bool)",
        "releaseByNodeId(bytes32) returns ()",
        "removeDedicatedNode(uint256,address) returns ()",
        "removeRouter(uint256,address) returns ()",
        "submit(uint256,uint256,string,uint256,string,uint256[],string) returns ()",
        "submit(uint256,uint256,string,uint256,string,uint256[],uint256[],string) returns ()",
        "owner() returns (address)",
        "transferOwnership(address) returns ()",
        "renounceOwnership() returns ()",
        "event OwnershipTransferred(address indexed,address indexed)",
        "update(string,string,uint256,uint256,uint256,uint256,uint256,uint256) returns ()",
        "userSessions(address,uint256) returns (uint256)",
    ],
    "SessionQueueV2": [
        "ack(uint256,uint256) returns ()",
        "assignTask(uint256,uint256,address[]) returns ()",
        "commit(uint256,uint256,string) returns ()",
        "end(uint256,uint256,bool) returns ()",
        "endAck(uint256,uint256) returns ()",
        "endCommit(uint256,uint256,bool) returns (bool)",
        "endPrecommit(uint256,uint256,bool) returns ()",
        "enqueueTask(uint256,string,uint256,string,uint256[]) returns (uint256)",
        "enqueueTask(uint256,string,uint256,string,uint256[],uint256[]) returns (uint256)",
        "assignTask(uint256,uint256,address[],uint256) returns ()",
        "event TaskAcked(uint256,uint256,address)",
        "event TaskAllCommitted(uint256,uint256,address[])",
        "event TaskAllPrecommitted(uint256,uint256,address[])",
        "event TaskAssigned(uint256,uint256,address[])",
        "event TaskCommitEnded(uint256,uint256)",
        "event TaskCommitted(uint256,uint256,address)",
        "event TaskEnded(uint256,uint256,address[])",
        "event TaskPrecommitEnded(uint256,uint256)",
        "event TaskPrecommitted(uint256,uint256,address)",
        "event TaskQueued(uint256,uint256,uint256,string)",
        "getAllTaskResultAckedTimestamps(uint256,uint256) returns (address[],uint256[])",
        "getAllTaskResultCommitTimestamps(uint256,uint256) returns (address[],uint256[])",
        "getAllTaskResultPrecommitTimestamps(uint256,uint256) returns (address[],uint256[])",
        "getAllTaskResults(uint256) returns (address[][],string[][],bytes32[][])",
        "getHash(string) returns (bytes32)",
        "getLatestTask(uint256) returns (string)",
        "getNodeId(address) returns (bytes32)",
        "getTaskCountBySessionId(uint256) returns (uint256)",
        "getTaskCountBySessionIds(uint256[]) returns (uint256[])",
        "getTaskData(uint256,uint256) returns (string)",
        f"getTaskDecoration(uint256,uint256) returns ({DECORATION})",
        "getTaskDecorationFrequencyPenalty(uint256,uint256) returns (uint256)",
        "getTaskDecorationMaxTokens(uint256,uint256) returns (uint256)",
        "getTaskDecorationPresencePenalty(uint256,uint256) returns (uint256)",
        "getTaskDecorationPromptTemplate(uint256,uint256) returns (string)",
        "getTaskDecorationPromptType(uint256,uint256) returns (uint256)",
        "getTaskDecorationTemperature(uint256,uint256) returns (uint256)",
        "getTaskDecorationTopK(uint256,uint256) returns (uint256)",
        "getTaskDecorationTopP(uint256,uint256) returns (uint256)",
        "getTaskResultCommitTimestamp(uint256,uint256,address) returns (uint256)",
        "getTaskResultData(uint256,uint256,address) returns (string)",
        "getTaskResultHashes(uint256,uint256) returns (address[],bytes32[])",
        "getTaskResultPrecommitTimestamp(uint256,uint256,address) returns (uint256)",
        "getTaskResultState(uint256,uint256,address) returns (uint8)",
        "getTaskResults(uint256,uint256) returns (address[],string[])",
        "getTaskStatus(uint256,uint256) returns (uint8)",
        f"getTasksBySessionId(uint256) returns ({TASK}[])",
        "isAcked(uint256,uint256) returns (bool)",
        "precommit(uint256,uint256,bytes32,string) returns ()",
        "verifyHash(string,bytes32) returns (bool)",
    ],
    "NodePool": [
        "doesNodeExist(bytes32) returns (bool)",
        "ephemeralNodeCount() returns (uint256)",
        "event NodeAdded(bytes32 indexed,address indexed,uint256)",
        "event NodeEphemeral(bytes32 indexed,address indexed,uint256)",
        "event NodeReleased(bytes32 indexed,address indexed,uint256)",
        "event NodeRemoved(bytes32 indexed,address indexed,uint256)",
        "event NodeReserved(bytes32 indexed,address indexed,uint256)",
        "get(address) returns ((address,uint256,uint256,uint256,uint256,uint256,uint8))",
        "getAssignedSessionId(bytes32) returns (uint256)",
        "getNodeId(address) returns (bytes32)",
        "getNodeInfo(bytes32) returns ((address,uint256,uint256,uint256,uint256,uint256,uint8))",
        "getNodeStatus(address) returns (uint8)",
        "getNodeStatusById(bytes32) returns (uint8)",
        "isNodeIdleInReservedState(bytes32,uint256) returns (bool)",
        "removeNode(bytes32) returns ()",
    ],
    "NodeStats": [
        "event NodeLevelUpdated(bytes32 indexed,uint256)",
        "event NodePinged(address,bytes32,uint256)",
        "getCommitCounter(bytes32) returns (uint256)",
        "getCommitPoint(bytes32) returns (int256)",
        "getCorrectnessPoint(bytes32) returns (int256)",
        "getCreateCounter(bytes32) returns (uint256)",
        "getCreatePoint(bytes32) returns (int256)",
        "getLevel(bytes32) returns (uint256)",
        "getNodeId(address) returns (bytes32)",
        "getPingCounter(bytes32) returns (uint256)",
        "getPingPoint(bytes32) returns (int256)",
        "getPrecommitCounter(bytes32) returns (uint256)",
        "getPrecommitPoint(bytes32) returns (int256)",
        "getPrepareCounter(bytes32) returns (uint256)",
        "getPreparePoint(bytes32) returns (int256)",
        "incrementCommitCounter(bytes32) returns ()",
        "incrementCreateCounter(bytes32) returns ()",
        "incrementEndCounter(bytes32) returns ()",
        "incrementPrecommitCounter(bytes32) returns ()",
        "incrementPrepareCounter(bytes32) returns ()",
        "incrementRequestCounter(bytes32) returns ()",
        "incrementStartCounter(bytes32) returns ()",
        "modifyCommitPoint(bytes32,int256) returns ()",
        "modifyCorrectnessPoint(bytes32,int256) returns ()",
        "modifyCreatePoint(bytes32,int256) returns ()",
        "modifyEndPoint(bytes32,int256) returns ()",
        "modifyPingPoint(bytes32,int256) returns ()",
        "modifyPrecommitPoint(bytes32,int256) returns ()",
        "modifyPreparePoint(bytes32,int256) returns ()",
        "modifyRequestPoint(bytes32,int256) returns ()",
        "modifyStartPoint(bytes32,int256) returns ()",
        "penaltyCommit(bytes32) returns ()",
        "penaltyCreate(bytes32) returns ()",
        "penaltyEnd(bytes32) returns ()",
        "penaltyPrecommit(bytes32) returns ()",
        "penaltyPrepare(bytes32) returns ()",
        "penaltyRequest(bytes32) returns ()",
        "penaltyStart(bytes32) returns ()",
        "ping() returns ()",
        "rewardCommit(bytes32) returns ()",
        "rewardCreate(bytes32) returns ()",
        "rewardEnd(bytes32) returns ()",
        "rewardPing(bytes32) returns ()",
        "rewardPrecommit(bytes32) returns ()",
        "rewardPrepare(bytes32) returns ()",
        "rewardRequest(bytes32) returns ()",
        "rewardStart(bytes32) returns ()",
    ],
    "NodeReputation": [
        "event StateRecorded(bytes32 indexed,string,uint256,bool)",
        "getAllCount(bytes32,string) returns (uint256)",
        "getAllTimestamps(bytes32,string) returns (uint256[])",
        "getFailureCount(bytes32,string) returns (uint256)",
        "getSuccessCount(bytes32,string) returns (uint256)",
        "getSuccessTimestamps(bytes32,string) returns (uint256[])",
        "isEphemeral(bytes32,string[],uint256,uint256,uint256) returns (bool)",
        "record(bytes32,string,bool) returns ()",
    ],
}

# What the published web clients call (tensorme-simple, tensorme-advanced, chaplin, cortigpt).
CLIENT_CALLS = {
    "SessionV2": [
        "create",
        "submit",
        "getSession",
        "getSessionsByAddressByPage",
        "getLatestSessionId",
        "getTaskResults",
        "getNodeId",
    ],
    "SessionQueueV2": [
        "getTaskStatus",
        "getTaskResults",
        "getLatestTask",
        "getTasksBySessionId",
        "getAllTaskResults",
        "getTaskData",
        "getTaskResultState",
        "endCommit",
    ],
}


def _type(param: dict[str, Any]) -> str:
    kind = str(param["type"])
    if kind.startswith("tuple"):
        return "(" + ",".join(_type(c) for c in param["components"]) + ")" + kind[len("tuple") :]
    return kind


def signature(entry: dict[str, Any]) -> str:
    """One ABI entry as the strings above: selector inputs, outputs, indexed flags."""
    inputs = entry.get("inputs", [])
    if entry["type"] == "event":
        params = ",".join(_type(p) + (" indexed" if p.get("indexed") else "") for p in inputs)
        return f"event {entry['name']}({params})"
    outputs = ",".join(_type(p) for p in entry.get("outputs", []))
    return f"{entry['name']}({','.join(_type(p) for p in inputs)}) returns ({outputs})"


def compiled_signatures(contract: str) -> set[str]:
    abi = load_artifact(contract).abi
    return {signature(e) for e in abi if e["type"] in ("function", "event")}


@pytest.mark.parametrize("contract", sorted(PUBLISHED))
def test_published_signatures_present(contract: str) -> None:
    missing = sorted(set(PUBLISHED[contract]) - compiled_signatures(contract))
    assert missing == [], f"{contract} lacks published entries: {missing}"


@pytest.mark.parametrize("contract", sorted(CLIENT_CALLS))
def test_what_clients_call_is_pinned(contract: str) -> None:
    pinned_names = {s.split("(")[0] for s in PUBLISHED[contract] if not s.startswith("event")}
    assert set(CLIENT_CALLS[contract]) <= pinned_names


def test_signature_strings_match_the_abi_encoding() -> None:
    """The helper renders tuples and indexed flags the way the pinned strings spell them."""
    entry = {
        "type": "function",
        "name": "f",
        "inputs": [{"type": "tuple[]", "components": [{"type": "uint8"}, {"type": "string[]"}]}],
        "outputs": [{"type": "bytes32"}],
    }
    assert signature(entry) == "f((uint8,string[])[]) returns (bytes32)"
    event = {
        "type": "event",
        "name": "E",
        "inputs": [{"type": "uint256", "indexed": True}, {"type": "address"}],
    }
    assert signature(event) == "event E(uint256 indexed,address)"


# ---------------------------------------------------------------------- coverage of every published entry


@pytest.mark.parametrize("contract", sorted(PUBLISHED_ALL))
def test_every_published_entry_is_present_or_left_out_with_a_reason(contract: str) -> None:
    """All of the published ABI, not only what the web clients call: each entry is compiled
    with its published types and flags, or listed in published_catalog.LEFT_OUT with a reason
    that docs/contracts.md repeats. The per-contract figures print with `pytest -s`."""
    report = coverage(contract, compiled_signatures(contract))
    print(report.summary())
    assert report.missing == (), f"{report.summary()}; neither compiled nor listed: {report.missing}"
    assert report.stale == (), f"{contract}: listed as left out but compiled: {report.stale}"
    assert all(LEFT_OUT[contract][s] in REASONS for s in report.left_out)


def test_pinned_entries_are_in_the_published_catalog() -> None:
    """The hand-pinned strings above are a subset of the catalog (no invented 'published' entry)."""
    for contract, pinned in PUBLISHED.items():
        assert set(pinned) <= set(PUBLISHED_ALL[contract]), set(pinned) - set(PUBLISHED_ALL[contract])


def test_coverage_reports_a_missing_entry() -> None:
    """The helper can fail: an entry absent from the compiled set and from LEFT_OUT is missing."""
    published = set(PUBLISHED_ALL["SessionV2"])
    report = coverage("SessionV2", published - {"owner() returns (address)"})
    assert report.missing == ("owner() returns (address)",)
    listed = next(iter(LEFT_OUT["SessionV2"]))
    assert coverage("SessionV2", published).stale and listed in coverage("SessionV2", published).stale


def test_each_security_reason_names_tests_that_exist() -> None:
    """A reason that rests on a hole points at the tests replaying it; a renamed or deleted test
    would leave the reason without its argument, so this fails."""
    here = Path(__file__).resolve().parent
    for reason, tests in HOLE_TESTS.items():
        assert reason in REASONS
        assert any(reason in listed.values() for listed in LEFT_OUT.values()), f"{reason} is used by no entry"
        for test in tests:
            module, name = test.split("::")
            tree = ast.parse((here / module).read_text())
            defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
            assert name in defined, f"{reason}: {test} does not exist"
