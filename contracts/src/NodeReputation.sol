// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {AccessRoles} from "./AccessRoles.sol";

/// @title NodeReputation
/// @notice Per-node ring buffer of recent outcomes ("state" + success flag), written by
///         RECORDER_ROLE (TaskValidator, oracles) and read by NodePool.promoteByReputation and
///         routers. Only the last `WINDOW_SIZE` outcomes are kept; lifetime totals are kept too.
/// @dev States are free-form strings (e.g. "ack", "precommit", "commit", "validation"); they are
///      stored as keccak256 hashes and matched by hash. Lifetime counts per (node, state) back
///      the published getAllCount/getSuccessCount/getFailureCount; getAllTimestamps and
///      getSuccessTimestamps read the kept window (Cortensor's published NodeReputation ABI,
///      cortensor/community-projects apps/tensorme-advanced/resources/src/abi/NodeReputation.json).
contract NodeReputation is AccessRoles {
    struct Outcome {
        bytes32 stateHash;
        bool success;
        uint64 timestamp;
    }

    error InvalidWindowSize(uint256 size);
    error InvalidSuccessRate(uint256 minSuccessRate);

    event StateRecorded(bytes32 indexed node, string state, uint256 timestamp, bool success);

    /// @notice Ring buffer capacity per node (fixed at construction, 1..1024).
    uint256 public immutable WINDOW_SIZE;

    mapping(bytes32 => mapping(uint256 => Outcome)) private _ring;
    /// @notice Lifetime number of outcomes recorded for a node (also the ring write cursor).
    mapping(bytes32 => uint256) public totalRecorded;
    /// @notice Lifetime number of successful outcomes for a node.
    mapping(bytes32 => uint256) public totalSuccess;
    /// @dev Lifetime counts per (node, state hash): all in the high 128 bits, successes in the low.
    mapping(bytes32 => mapping(bytes32 => uint256)) private _stateCounts;

    constructor(address admin, uint256 windowSize) AccessRoles(admin) {
        if (windowSize == 0 || windowSize > 1024) revert InvalidWindowSize(windowSize);
        WINDOW_SIZE = windowSize;
    }

    /// @notice Record one outcome for `node` (RECORDER_ROLE).
    function record(bytes32 node, string calldata state, bool success) external onlyRole(RECORDER_ROLE) {
        uint256 idx = totalRecorded[node];
        bytes32 stateHash = keccak256(bytes(state));
        _ring[node][idx % WINDOW_SIZE] =
            Outcome({stateHash: stateHash, success: success, timestamp: uint64(block.timestamp)});
        totalRecorded[node] = idx + 1;
        if (success) totalSuccess[node] += 1;
        _stateCounts[node][stateHash] += (uint256(1) << 128) + (success ? 1 : 0);
        emit StateRecorded(node, state, block.timestamp, success);
    }

    /// @notice Whether `node` qualifies as ephemeral (healthy enough to serve sessions).
    /// @param states only outcomes with one of these states count; empty = all states
    /// @param minRecentActivityCount minimum number of matching outcomes in the window (>= 1 is
    ///        implied: a node with no matching activity never qualifies)
    /// @param recentWindow how many of the most recent outcomes to look at (a COUNT, not
    ///        seconds), capped at WINDOW_SIZE and at what was recorded; 0 means WINDOW_SIZE
    /// @param minSuccessRate required successes / matching outcomes in BASIS POINTS (0..10000;
    ///        8500 = 85 %)
    function isEphemeral(
        bytes32 node,
        string[] calldata states,
        uint256 minRecentActivityCount,
        uint256 recentWindow,
        uint256 minSuccessRate
    ) external view returns (bool) {
        if (minSuccessRate > 10_000) revert InvalidSuccessRate(minSuccessRate);
        (uint256 activity, uint256 successes) = _recent(node, states, recentWindow);
        if (activity == 0 || activity < minRecentActivityCount) return false;
        return successes * 10_000 >= minSuccessRate * activity;
    }

    /// @notice Matching activity and successes among the last `recentWindow` outcomes.
    function recentStats(bytes32 node, string[] calldata states, uint256 recentWindow)
        external
        view
        returns (uint256 activity, uint256 successes)
    {
        return _recent(node, states, recentWindow);
    }

    /// @notice The kept outcomes for `node`, oldest first.
    function recentOutcomes(bytes32 node) external view returns (Outcome[] memory out) {
        uint256 total = totalRecorded[node];
        uint256 n = total < WINDOW_SIZE ? total : WINDOW_SIZE;
        out = new Outcome[](n);
        for (uint256 i = 0; i < n; i++) out[i] = _ring[node][(total - n + i) % WINDOW_SIZE];
    }

    /// @notice Lifetime number of outcomes of `state` recorded for `node`.
    function getAllCount(bytes32 node, string calldata state) external view returns (uint256) {
        return _stateCounts[node][keccak256(bytes(state))] >> 128;
    }

    /// @notice Lifetime number of successful outcomes of `state` for `node`.
    function getSuccessCount(bytes32 node, string calldata state) external view returns (uint256) {
        return uint128(_stateCounts[node][keccak256(bytes(state))]);
    }

    /// @notice Lifetime number of failed outcomes of `state` for `node`.
    function getFailureCount(bytes32 node, string calldata state) external view returns (uint256) {
        uint256 packed = _stateCounts[node][keccak256(bytes(state))];
        return (packed >> 128) - uint128(packed);
    }

    /// @notice Timestamps of the kept outcomes of `state`, oldest first.
    function getAllTimestamps(bytes32 node, string calldata state) external view returns (uint256[] memory) {
        return _timestamps(node, keccak256(bytes(state)), false);
    }

    /// @notice Timestamps of the kept successful outcomes of `state`, oldest first.
    function getSuccessTimestamps(bytes32 node, string calldata state) external view returns (uint256[] memory) {
        return _timestamps(node, keccak256(bytes(state)), true);
    }

    function _timestamps(bytes32 node, bytes32 stateHash, bool successOnly) private view returns (uint256[] memory out) {
        uint256 total = totalRecorded[node];
        uint256 n = total < WINDOW_SIZE ? total : WINDOW_SIZE;
        out = new uint256[](n);
        uint256 k = 0;
        for (uint256 i = 0; i < n; i++) {
            Outcome storage o = _ring[node][(total - n + i) % WINDOW_SIZE];
            if (o.stateHash == stateHash && (o.success || !successOnly)) out[k++] = o.timestamp;
        }
        assembly {
            mstore(out, k)
        }
    }

    function _recent(bytes32 node, string[] calldata states, uint256 recentWindow)
        private
        view
        returns (uint256 activity, uint256 successes)
    {
        uint256 total = totalRecorded[node];
        uint256 n = recentWindow == 0 || recentWindow > WINDOW_SIZE ? WINDOW_SIZE : recentWindow;
        if (n > total) n = total;
        bytes32[] memory hashes = new bytes32[](states.length);
        for (uint256 s = 0; s < states.length; s++) hashes[s] = keccak256(bytes(states[s]));
        for (uint256 i = 0; i < n; i++) {
            Outcome storage o = _ring[node][(total - 1 - i) % WINDOW_SIZE];
            bool matches = hashes.length == 0;
            for (uint256 s = 0; s < hashes.length && !matches; s++) matches = hashes[s] == o.stateHash;
            if (matches) {
                activity++;
                if (o.success) successes++;
            }
        }
    }
}
