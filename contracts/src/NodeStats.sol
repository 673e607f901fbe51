// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {AccessRoles} from "./AccessRoles.sol";

/// @title NodeStats
/// @notice Points and counters per miner address and task phase, and the level derived from
///         points. Rewards/penalties come from RECORDER_ROLE (TaskValidator, oracles); `ping`
///         is called by the miner itself as a liveness signal.
///
/// Phase values (ours): 0 Request, 1 Create, 2 Prepare, 3 Start, 4 Precommit, 5 Commit, 6 End.
/// Level: the number of `levelThresholds` entries that points reach (defaults 100, 500, 2000,
/// 10000 -> levels 0..4). Points never go below zero (penalties saturate).
/// @dev Keyed by miner ADDRESS (not node id) because `ping()` identifies the caller by msg.sender.
contract NodeStats is AccessRoles {
    uint8 public constant PHASE_COUNT = 7;

    struct PhaseStats {
        uint256 rewardCount;
        uint256 penaltyCount;
        uint256 rewardPoints;
        uint256 penaltyPoints;
    }

    error InvalidPhase(uint8 phase);
    error InvalidThresholds();

    event NodeRewarded(address indexed node, uint8 indexed phase, uint256 points, uint256 totalPoints);
    event NodePenalized(address indexed node, uint8 indexed phase, uint256 points, uint256 totalPoints);
    event NodePinged(address indexed node, uint256 timestamp);
    event NodeLevelUpdated(address indexed node, uint256 oldLevel, uint256 newLevel);
    event LevelThresholdsUpdated(uint256[] thresholds);

    mapping(address => uint256) public points;
    mapping(address => uint256) public pingCount;
    mapping(address => uint256) public lastPing;
    mapping(address => mapping(uint8 => PhaseStats)) private _phase;
    uint256[] private _thresholds;

    constructor(address admin) AccessRoles(admin) {
        _thresholds.push(100);
        _thresholds.push(500);
        _thresholds.push(2000);
        _thresholds.push(10000);
    }

    /// @notice Replace level thresholds (strictly increasing, non-empty). Levels of existing
    ///         nodes change lazily: NodeLevelUpdated fires on their next reward/penalty.
    function setLevelThresholds(uint256[] calldata thresholds) external onlyRole(ADMIN_ROLE) {
        if (thresholds.length == 0) revert InvalidThresholds();
        for (uint256 i = 1; i < thresholds.length; i++) {
            if (thresholds[i] <= thresholds[i - 1]) revert InvalidThresholds();
        }
        _thresholds = thresholds;
        emit LevelThresholdsUpdated(thresholds);
    }

    /// @notice Add `amount` points to `node` for `phase` (RECORDER_ROLE).
    function reward(address node, uint8 phase, uint256 amount) external onlyRole(RECORDER_ROLE) {
        PhaseStats storage p = _stats(node, phase);
        uint256 oldLevel = getLevel(node);
        p.rewardCount += 1;
        p.rewardPoints += amount;
        points[node] += amount;
        emit NodeRewarded(node, phase, amount, points[node]);
        _levelChanged(node, oldLevel);
    }

    /// @notice Subtract `amount` points (saturating at 0) from `node` for `phase` (RECORDER_ROLE).
    function penalize(address node, uint8 phase, uint256 amount) external onlyRole(RECORDER_ROLE) {
        PhaseStats storage p = _stats(node, phase);
        uint256 oldLevel = getLevel(node);
        p.penaltyCount += 1;
        p.penaltyPoints += amount;
        uint256 cur = points[node];
        points[node] = cur > amount ? cur - amount : 0;
        emit NodePenalized(node, phase, amount, points[node]);
        _levelChanged(node, oldLevel);
    }

    /// @notice Liveness signal from a miner.
    function ping() external {
        pingCount[msg.sender] += 1;
        lastPing[msg.sender] = block.timestamp;
        emit NodePinged(msg.sender, block.timestamp);
    }

    /// @notice Level derived from current points (see contract NatSpec).
    function getLevel(address node) public view returns (uint256 level) {
        uint256 pts = points[node];
        while (level < _thresholds.length && pts >= _thresholds[level]) level++;
    }

    function getPhaseStats(address node, uint8 phase) external view returns (PhaseStats memory) {
        if (phase >= PHASE_COUNT) revert InvalidPhase(phase);
        return _phase[node][phase];
    }

    function levelThresholds() external view returns (uint256[] memory) {
        return _thresholds;
    }

    function _stats(address node, uint8 phase) private view returns (PhaseStats storage) {
        if (phase >= PHASE_COUNT) revert InvalidPhase(phase);
        if (node == address(0)) revert ZeroAddress();
        return _phase[node][phase];
    }

    function _levelChanged(address node, uint256 oldLevel) private {
        uint256 newLevel = getLevel(node);
        if (newLevel != oldLevel) emit NodeLevelUpdated(node, oldLevel, newLevel);
    }
}
