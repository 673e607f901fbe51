// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {AccessRoles} from "./AccessRoles.sol";
import {INodePool, INodeReputation, INodeStats, ISessionQueue} from "./Interfaces.sol";

/// @title TaskValidator
/// @notice Proof of Inference verdicts. Off-chain validators compare the redundant results of a
///         Completed task (embedding cosine similarity in Cortensor) and post one verdict per
///         assigned miner (VALIDATOR_ROLE). `finalize` freezes the verdicts and applies
///         consequences; SessionPayment.allocateNodePayments then pays the VALID miners.
///
/// Verdict values (ours):
///   0 None    - no verdict posted (a missing miner): unpaid, penalized, not slashed
///   1 Valid   - result agrees with the accepted answer: paid, rewarded
///   2 Invalid - result disagrees: unpaid, penalized and slashed `slashAmount` (capped at stake)
///   3 Retry   - inconclusive, the router should resubmit: unpaid, penalized, not slashed
/// Consequences at finalize: NodeStats.reward/penalize(miner, phase End = 6, points) and
/// NodeReputation.record(nodeId, "validation", valid); slashing goes through NodePool.slash to
/// `slashRecipient`. Needs RECORDER_ROLE on NodeStats and NodeReputation, SLASHER_ROLE on NodePool.
contract TaskValidator is AccessRoles {
    enum Verdict {
        None,
        Valid,
        Invalid,
        Retry
    }

    uint8 public constant PHASE_END = 6;
    uint8 private constant STATUS_COMPLETED = 4;

    error InvalidVerdict(uint8 verdict);
    error TaskNotCompleted(uint256 sessionId, uint256 taskId, uint8 status);
    error TaskAlreadyFinalized(uint256 sessionId, uint256 taskId);
    error NotAssignedMiner(uint256 sessionId, uint256 taskId, address miner);
    error LengthMismatch(uint256 miners, uint256 verdicts);

    event VerdictPosted(uint256 indexed sessionId, uint256 indexed taskId, address indexed miner, uint8 verdict, address validator);
    event TaskFinalized(uint256 indexed sessionId, uint256 indexed taskId, uint256 validCount, uint256 invalidCount, uint256 slashed);
    event ConfigUpdated(uint256 rewardPoints, uint256 penaltyPoints, uint256 slashAmount, address slashRecipient);

    ISessionQueue public immutable queue;
    INodePool public immutable nodePool;
    INodeStats public immutable stats;
    INodeReputation public immutable reputation;
    uint256 public rewardPoints = 10;
    uint256 public penaltyPoints = 20;
    /// @notice COR slashed per INVALID verdict (0 disables slashing). Default 0.
    uint256 public slashAmount;
    address public slashRecipient;

    mapping(uint256 => mapping(uint256 => mapping(address => Verdict))) private _verdicts;
    mapping(uint256 => mapping(uint256 => bool)) public isFinalized;

    constructor(
        address admin,
        ISessionQueue queue_,
        INodePool nodePool_,
        INodeStats stats_,
        INodeReputation reputation_,
        address slashRecipient_
    ) AccessRoles(admin) {
        if (
            address(queue_) == address(0) || address(nodePool_) == address(0) || address(stats_) == address(0)
                || address(reputation_) == address(0) || slashRecipient_ == address(0)
        ) revert ZeroAddress();
        queue = queue_;
        nodePool = nodePool_;
        stats = stats_;
        reputation = reputation_;
        slashRecipient = slashRecipient_;
    }

    function setConfig(uint256 rewardPoints_, uint256 penaltyPoints_, uint256 slashAmount_, address slashRecipient_)
        external
        onlyRole(ADMIN_ROLE)
    {
        if (slashRecipient_ == address(0)) revert ZeroAddress();
        rewardPoints = rewardPoints_;
        penaltyPoints = penaltyPoints_;
        slashAmount = slashAmount_;
        slashRecipient = slashRecipient_;
        emit ConfigUpdated(rewardPoints_, penaltyPoints_, slashAmount_, slashRecipient_);
    }

    /// @notice Post (or, until finalize, overwrite) the verdict for one miner of a Completed task.
    function submitVerdict(uint256 sessionId, uint256 taskId, address miner, uint8 verdict)
        external
        onlyRole(VALIDATOR_ROLE)
    {
        _checkOpen(sessionId, taskId);
        _post(sessionId, taskId, miner, verdict);
    }

    /// @notice Batch form of submitVerdict.
    function submitVerdicts(uint256 sessionId, uint256 taskId, address[] calldata miners, uint8[] calldata verdicts)
        external
        onlyRole(VALIDATOR_ROLE)
    {
        if (miners.length != verdicts.length) revert LengthMismatch(miners.length, verdicts.length);
        _checkOpen(sessionId, taskId);
        for (uint256 i = 0; i < miners.length; i++) _post(sessionId, taskId, miners[i], verdicts[i]);
    }

    /// @notice Freeze verdicts and apply rewards, penalties and slashing (VALIDATOR_ROLE).
    function finalize(uint256 sessionId, uint256 taskId) external onlyRole(VALIDATOR_ROLE) {
        _checkOpen(sessionId, taskId);
        isFinalized[sessionId][taskId] = true;
        address[] memory miners = queue.getTaskMiners(sessionId, taskId);
        uint256 validCount = 0;
        uint256 invalidCount = 0;
        uint256 slashedTotal = 0;
        for (uint256 i = 0; i < miners.length; i++) {
            address m = miners[i];
            Verdict v = _verdicts[sessionId][taskId][m];
            bytes32 nodeId = nodePool.nodeIdOf(m);
            bool ok = v == Verdict.Valid;
            if (ok) {
                validCount++;
                stats.reward(m, PHASE_END, rewardPoints);
            } else {
                stats.penalize(m, PHASE_END, penaltyPoints);
            }
            if (nodeId != bytes32(0)) {
                reputation.record(nodeId, "validation", ok);
                if (v == Verdict.Invalid) {
                    invalidCount++;
                    uint256 stake = nodePool.stakeOf(nodeId);
                    uint256 amount = slashAmount < stake ? slashAmount : stake;
                    if (amount > 0) slashedTotal += nodePool.slash(nodeId, amount, slashRecipient);
                }
            } else if (v == Verdict.Invalid) {
                invalidCount++;
            }
        }
        emit TaskFinalized(sessionId, taskId, validCount, invalidCount, slashedTotal);
    }

    /// @notice Verdict as uint8 (see contract NatSpec).
    function verdictOf(uint256 sessionId, uint256 taskId, address miner) external view returns (uint8) {
        return uint8(_verdicts[sessionId][taskId][miner]);
    }

    function _checkOpen(uint256 sessionId, uint256 taskId) private view {
        uint8 status = queue.getTaskStatus(sessionId, taskId);
        if (status != STATUS_COMPLETED) revert TaskNotCompleted(sessionId, taskId, status);
        if (isFinalized[sessionId][taskId]) revert TaskAlreadyFinalized(sessionId, taskId);
    }

    function _post(uint256 sessionId, uint256 taskId, address miner, uint8 verdict) private {
        if (verdict == 0 || verdict > uint8(Verdict.Retry)) revert InvalidVerdict(verdict);
        if (!queue.isAssigned(sessionId, taskId, miner)) revert NotAssignedMiner(sessionId, taskId, miner);
        _verdicts[sessionId][taskId][miner] = Verdict(verdict);
        emit VerdictPosted(sessionId, taskId, miner, verdict, msg.sender);
    }
}
