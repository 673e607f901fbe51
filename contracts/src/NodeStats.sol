// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {AccessRoles} from "./AccessRoles.sol";

/// @title NodeStats
/// @notice Points and counters per node id and task phase, and the level derived from points,
///         with the per-phase functions of Cortensor's published NodeStats ABI
///         (cortensor/community-projects, apps/tensorme-advanced/resources/src/abi/NodeStats.json
///         in the repository's history): reward<Phase>, penalty<Phase>, increment<Phase>Counter,
///         modify<Phase>Point, get<Phase>Counter, get<Phase>Point, getLevel, ping.
///
/// Phases (ours, indexes of `points` and `counters`): 0 Request, 1 Create, 2 Prepare, 3 Start,
/// 4 Precommit, 5 Commit, 6 End, 7 Correctness, 8 Ping.
/// reward<Phase> adds `rewardPoints` and counts one event of the phase; penalty<Phase>
/// subtracts `penaltyPoints` and counts one; modify<Phase>Point adds a signed delta and
/// increment<Phase>Counter counts only. Writers hold RECORDER_ROLE (TaskValidator, oracles);
/// `ping` is the miner's own liveness signal (rewardPing is the recorder's).
/// Level: the number of `levelThresholds` entries the node's total points (sum over phases,
/// negative counts as 0) reach; defaults 100, 500, 2000, 10000 -> levels 0..4.
contract NodeStats is AccessRoles {
    uint8 public constant REQUEST = 0;
    uint8 public constant CREATE = 1;
    uint8 public constant PREPARE = 2;
    uint8 public constant START = 3;
    uint8 public constant PRECOMMIT = 4;
    uint8 public constant COMMIT = 5;
    uint8 public constant END = 6;
    uint8 public constant CORRECTNESS = 7;
    uint8 public constant PING = 8;
    uint8 public constant PHASE_COUNT = 9;

    error InvalidThresholds();

    event NodePinged(address miner, bytes32 nodeId, uint256 pingCounter);
    event NodeLevelUpdated(bytes32 indexed node, uint256 newLevel);
    event PointsUpdated(bytes32 indexed node, uint8 indexed phase, int256 delta, int256 totalPoints);
    event LevelThresholdsUpdated(uint256[] thresholds);
    event PointRulesUpdated(uint256 rewardPoints, uint256 penaltyPoints);

    /// @notice points[node][phase], signed (penalties may take a phase below zero).
    mapping(bytes32 => int256[9]) public points;
    /// @notice counters[node][phase].
    mapping(bytes32 => uint256[9]) public counters;
    mapping(bytes32 => int256) public totalPoints;
    mapping(bytes32 => uint256) public lastPingTimestamp;
    uint256 public rewardPoints = 10;
    uint256 public penaltyPoints = 20;
    uint256[] private _thresholds;

    constructor(address admin) AccessRoles(admin) {
        _thresholds.push(100);
        _thresholds.push(500);
        _thresholds.push(2000);
        _thresholds.push(10000);
    }

    /// @notice Replace level thresholds (strictly increasing, non-empty). Levels of existing
    ///         nodes change lazily: NodeLevelUpdated fires on their next point change.
    function setLevelThresholds(uint256[] calldata thresholds) external onlyRole(ADMIN_ROLE) {
        if (thresholds.length == 0) revert InvalidThresholds();
        for (uint256 i = 1; i < thresholds.length; i++) {
            if (thresholds[i] <= thresholds[i - 1]) revert InvalidThresholds();
        }
        _thresholds = thresholds;
        emit LevelThresholdsUpdated(thresholds);
    }

    /// @notice Points one reward adds and one penalty subtracts (ADMIN_ROLE).
    function setPointRules(uint256 rewardPoints_, uint256 penaltyPoints_) external onlyRole(ADMIN_ROLE) {
        rewardPoints = rewardPoints_;
        penaltyPoints = penaltyPoints_;
        emit PointRulesUpdated(rewardPoints_, penaltyPoints_);
    }

    function rewardRequest(bytes32 node) external onlyRole(RECORDER_ROLE) {
        _modify(node, REQUEST, int256(rewardPoints), true);
    }
    function penaltyRequest(bytes32 node) external onlyRole(RECORDER_ROLE) {
        _modify(node, REQUEST, -int256(penaltyPoints), true);
    }
    function incrementRequestCounter(bytes32 node) external onlyRole(RECORDER_ROLE) {
        _count(node, REQUEST);
    }
    function modifyRequestPoint(bytes32 node, int256 delta) external onlyRole(RECORDER_ROLE) {
        _modify(node, REQUEST, delta, false);
    }
    function rewardCreate(bytes32 node) external onlyRole(RECORDER_ROLE) {
        _modify(node, CREATE, int256(rewardPoints), true);
    }
    function penaltyCreate(bytes32 node) external onlyRole(RECORDER_ROLE) {
        _modify(node, CREATE, -int256(penaltyPoints), true);
    }
    function incrementCreateCounter(bytes32 node) external onlyRole(RECORDER_ROLE) {
        _count(node, CREATE);
    }
    function modifyCreatePoint(bytes32 node, int256 delta) external onlyRole(RECORDER_ROLE) {
        _modify(node, CREATE, delta, false);
    }
    function rewardPrepare(bytes32 node) external onlyRole(RECORDER_ROLE) {
        _modify(node, PREPARE, int256(rewardPoints), true);
    }
    function penaltyPrepare(bytes32 node) external onlyRole(RECORDER_ROLE) {
        _modify(node, PREPARE, -int256(penaltyPoints), true);
    }
    function incrementPrepareCounter(bytes32 node) external onlyRole(RECORDER_ROLE) {
        _count(node, PREPARE);
    }
    function modifyPreparePoint(bytes32 node, int256 delta) external onlyRole(RECORDER_ROLE) {
        _modify(node, PREPARE, delta, false);
    }
    function rewardStart(bytes32 node) external onlyRole(RECORDER_ROLE) {
        _modify(node, START, int256(rewardPoints), true);
    }
    function penaltyStart(bytes32 node) external onlyRole(RECORDER_ROLE) {
        _modify(node, START, -int256(penaltyPoints), true);
    }
    function incrementStartCounter(bytes32 node) external onlyRole(RECORDER_ROLE) {
        _count(node, START);
    }
    function modifyStartPoint(bytes32 node, int256 delta) external onlyRole(RECORDER_ROLE) {
        _modify(node, START, delta, false);
    }
    function rewardPrecommit(bytes32 node) external onlyRole(RECORDER_ROLE) {
        _modify(node, PRECOMMIT, int256(rewardPoints), true);
    }
    function penaltyPrecommit(bytes32 node) external onlyRole(RECORDER_ROLE) {
        _modify(node, PRECOMMIT, -int256(penaltyPoints), true);
    }
    function incrementPrecommitCounter(bytes32 node) external onlyRole(RECORDER_ROLE) {
        _count(node, PRECOMMIT);
    }
    function modifyPrecommitPoint(bytes32 node, int256 delta) external onlyRole(RECORDER_ROLE) {
        _modify(node, PRECOMMIT, delta, false);
    }
    function rewardCommit(bytes32 node) external onlyRole(RECORDER_ROLE) {
        _modify(node, COMMIT, int256(rewardPoints), true);
    }
    function penaltyCommit(bytes32 node) external onlyRole(RECORDER_ROLE) {
        _modify(node, COMMIT, -int256(penaltyPoints), true);
    }
    function incrementCommitCounter(bytes32 node) external onlyRole(RECORDER_ROLE) {
        _count(node, COMMIT);
    }
    function modifyCommitPoint(bytes32 node, int256 delta) external onlyRole(RECORDER_ROLE) {
        _modify(node, COMMIT, delta, false);
    }
    function rewardEnd(bytes32 node) external onlyRole(RECORDER_ROLE) {
        _modify(node, END, int256(rewardPoints), true);
    }
    function penaltyEnd(bytes32 node) external onlyRole(RECORDER_ROLE) {
        _modify(node, END, -int256(penaltyPoints), true);
    }
    function incrementEndCounter(bytes32 node) external onlyRole(RECORDER_ROLE) {
        _count(node, END);
    }
    function modifyEndPoint(bytes32 node, int256 delta) external onlyRole(RECORDER_ROLE) {
        _modify(node, END, delta, false);
    }
    function modifyCorrectnessPoint(bytes32 node, int256 delta) external onlyRole(RECORDER_ROLE) {
        _modify(node, CORRECTNESS, delta, false);
    }
    function rewardPing(bytes32 node) external onlyRole(RECORDER_ROLE) {
        _modify(node, PING, int256(rewardPoints), true);
    }
    function modifyPingPoint(bytes32 node, int256 delta) external onlyRole(RECORDER_ROLE) {
        _modify(node, PING, delta, false);
    }

    /// @notice Liveness signal from a miner: counts a ping for the caller's node id.
    function ping() external {
        bytes32 node = getNodeId(msg.sender);
        _count(node, PING);
        lastPingTimestamp[node] = block.timestamp;
        _notePingWindows(node);
        emit NodePinged(msg.sender, node, counters[node][PING]);
    }

    // ------------------------------------------------------------------ ping windows (published)
    //
    // A node is active while it pinged at least nodePingThreshold times within the last
    // nodePingSlidingWindow seconds; its last MAX_PING_TIMESTAMPS ping times are kept in a ring,
    // so the window check reads a bounded amount of storage whatever the node's history. The
    // network-wide counter counts pings of the current global window (restarting once
    // globalPingSlidingWindow seconds passed since the window opened) and emits
    // GlobalPingThresholdReached once per window when it reaches globalPingThreshold.

    /// @notice Ping times kept per node (the ring's size); the node threshold may not exceed it.
    uint256 public constant MAX_PING_TIMESTAMPS = 32;

    error InvalidPingSetting(uint256 value);

    event GlobalPingThresholdReached(uint256 globalPingCounter);
    event PingWindowsUpdated(
        uint256 nodePingSlidingWindow, uint256 nodePingThreshold, uint256 globalPingSlidingWindow, uint256 globalPingThreshold
    );

    uint256 public nodePingSlidingWindow = 3600;
    uint256 public nodePingThreshold = 1;
    uint256 public globalPingSlidingWindow = 3600;
    uint256 public globalPingThreshold = 100;
    uint256 public globalPingCounter;
    uint256 public globalLastPingTimestamp;
    /// @notice When the current global ping window opened (ours).
    uint256 public globalPingWindowStart;
    mapping(bytes32 => uint256[MAX_PING_TIMESTAMPS]) private _pingRing;

    function setPingSlidingWindow(uint256 seconds_) external onlyRole(ADMIN_ROLE) {
        if (seconds_ == 0) revert InvalidPingSetting(seconds_);
        nodePingSlidingWindow = seconds_;
        _emitPingWindows();
    }

    function setNodePingThreshold(uint256 count) external onlyRole(ADMIN_ROLE) {
        if (count == 0 || count > MAX_PING_TIMESTAMPS) revert InvalidPingSetting(count);
        nodePingThreshold = count;
        _emitPingWindows();
    }

    function setGlobalPingSlidingWindow(uint256 seconds_) external onlyRole(ADMIN_ROLE) {
        if (seconds_ == 0) revert InvalidPingSetting(seconds_);
        globalPingSlidingWindow = seconds_;
        _emitPingWindows();
    }

    function setGlobalPingThreshold(uint256 count) external onlyRole(ADMIN_ROLE) {
        if (count == 0) revert InvalidPingSetting(count);
        globalPingThreshold = count;
        _emitPingWindows();
    }

    function getPingSlidingWindow() external view returns (uint256) {
        return nodePingSlidingWindow;
    }

    function getNodePingThreshold() external view returns (uint256) {
        return nodePingThreshold;
    }

    function getGlobalPingSlidingWindow() external view returns (uint256) {
        return globalPingSlidingWindow;
    }

    function getGlobalPingThreshold() external view returns (uint256) {
        return globalPingThreshold;
    }

    /// @notice The node's kept ping times, oldest first (at most MAX_PING_TIMESTAMPS).
    function getNodePingTimestamps(bytes32 node) public view returns (uint256[] memory times) {
        uint256 count = counters[node][PING];
        uint256 n = count < MAX_PING_TIMESTAMPS ? count : MAX_PING_TIMESTAMPS;
        times = new uint256[](n);
        uint256[MAX_PING_TIMESTAMPS] storage ring = _pingRing[node];
        for (uint256 i = 0; i < n; i++) times[i] = ring[(count - n + i) % MAX_PING_TIMESTAMPS];
    }

    /// @notice True if the node pinged at least nodePingThreshold times in the sliding window.
    function isNodeActive(bytes32 node) external view returns (bool) {
        uint256[] memory times = getNodePingTimestamps(node);
        uint256 since = block.timestamp > nodePingSlidingWindow ? block.timestamp - nodePingSlidingWindow : 0;
        uint256 recent = 0;
        for (uint256 i = 0; i < times.length; i++) {
            if (times[i] >= since) recent++;
        }
        return recent >= nodePingThreshold;
    }

    function _notePingWindows(bytes32 node) private {
        _pingRing[node][(counters[node][PING] - 1) % MAX_PING_TIMESTAMPS] = block.timestamp;
        if (block.timestamp >= globalPingWindowStart + globalPingSlidingWindow) {
            globalPingWindowStart = block.timestamp;
            globalPingCounter = 0;
        }
        uint256 counter = ++globalPingCounter;
        globalLastPingTimestamp = block.timestamp;
        if (counter == globalPingThreshold) emit GlobalPingThresholdReached(counter);
    }

    function _emitPingWindows() private {
        emit PingWindowsUpdated(nodePingSlidingWindow, nodePingThreshold, globalPingSlidingWindow, globalPingThreshold);
    }

    // ------------------------------------------------------------------ views

    /// @notice A node's id: keccak256 of its address, as NodePool derives it.
    function getNodeId(address nodeAddress) public pure returns (bytes32) {
        return keccak256(abi.encodePacked(nodeAddress));
    }

    function getCreateCounter(bytes32 node) external view returns (uint256) {
        return counters[node][CREATE];
    }
    function getPrepareCounter(bytes32 node) external view returns (uint256) {
        return counters[node][PREPARE];
    }
    function getPrecommitCounter(bytes32 node) external view returns (uint256) {
        return counters[node][PRECOMMIT];
    }
    function getCommitCounter(bytes32 node) external view returns (uint256) {
        return counters[node][COMMIT];
    }
    function getPingCounter(bytes32 node) external view returns (uint256) {
        return counters[node][PING];
    }
    function getCreatePoint(bytes32 node) external view returns (int256) {
        return points[node][CREATE];
    }
    function getPreparePoint(bytes32 node) external view returns (int256) {
        return points[node][PREPARE];
    }
    function getPrecommitPoint(bytes32 node) external view returns (int256) {
        return points[node][PRECOMMIT];
    }
    function getCommitPoint(bytes32 node) external view returns (int256) {
        return points[node][COMMIT];
    }
    function getPingPoint(bytes32 node) external view returns (int256) {
        return points[node][PING];
    }
    function getCorrectnessPoint(bytes32 node) external view returns (int256) {
        return points[node][CORRECTNESS];
    }

    /// @notice Level derived from the node's total points (see contract NatSpec).
    function getLevel(bytes32 node) public view returns (uint256 level) {
        int256 pts = totalPoints[node];
        if (pts <= 0) return 0;
        while (level < _thresholds.length && uint256(pts) >= _thresholds[level]) level++;
    }

    function levelThresholds() external view returns (uint256[] memory) {
        return _thresholds;
    }

    // ------------------------------------------------------------------ internals

    function _count(bytes32 node, uint8 phase) private {
        if (node == bytes32(0)) revert ZeroAddress();
        counters[node][phase] += 1;
    }

    function _modify(bytes32 node, uint8 phase, int256 delta, bool counted) private {
        if (node == bytes32(0)) revert ZeroAddress();
        uint256 oldLevel = getLevel(node);
        if (counted) counters[node][phase] += 1;
        points[node][phase] += delta;
        int256 total = totalPoints[node] + delta;
        totalPoints[node] = total;
        emit PointsUpdated(node, phase, delta, total);
        uint256 newLevel = getLevel(node);
        if (newLevel != oldLevel) emit NodeLevelUpdated(node, newLevel);
    }
}
