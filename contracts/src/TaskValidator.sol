// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {AccessRoles} from "./AccessRoles.sol";
import {INodePool, INodeReputation, INodeStats, ISessionQueue} from "./Interfaces.sol";

/// @title TaskValidator
/// @notice Proof of Inference verdicts. Off-chain validators compare the redundant results of a
///         Completed task (embedding cosine similarity in Cortensor) and each posts one vote per
///         miner that committed a result (VALIDATOR_ROLE). `finalize` turns the votes into one
///         verdict per assigned miner and applies the consequences; SessionPayment then pays
///         the VALID miners.
///
/// Verdict values (ours):
///   0 None    - no quorum (or the miner never committed): unpaid, penalized, not slashed
///   1 Valid   - result agrees with the accepted answer: paid, rewarded
///   2 Invalid - result disagrees: unpaid, penalized and slashed `slashAmount` (capped by NodePool)
///   3 Retry   - inconclusive, the router should resubmit: unpaid, penalized, not slashed
/// Votes: a vote needs a committed result (NoCommittedResult otherwise), so a miner that never
/// committed can be neither paid nor slashed. A verdict needs `quorum` votes for it, where
/// quorum = the session's numOfValidatorNodes (at least 1): one validator alone cannot slash a
/// miner of a session that asked for more. Checked in order Valid, Invalid, Retry.
/// Consequences at finalize: NodeStats.rewardEnd/penaltyEnd(nodeId), NodeReputation.record(nodeId,
/// "validation", valid); slashing through NodePool.slash to `slashRecipient`; the miners' task
/// locks are released (NodePool.unlockForTask). Needs RECORDER_ROLE on NodeStats and
/// NodeReputation, SLASHER_ROLE on NodePool.
contract TaskValidator is AccessRoles {
    enum Verdict {
        None,
        Valid,
        Invalid,
        Retry
    }

    uint8 private constant STATUS_COMPLETED = 4;

    error InvalidVerdict(uint8 verdict);
    error TaskNotCompleted(uint256 sessionId, uint256 taskId, uint8 status);
    error TaskAlreadyFinalized(uint256 sessionId, uint256 taskId);
    error NoCommittedResult(uint256 sessionId, uint256 taskId, address miner);
    error LengthMismatch(uint256 miners, uint256 verdicts);

    event VerdictPosted(uint256 indexed sessionId, uint256 indexed taskId, address indexed miner, uint8 verdict, address validator);
    event TaskFinalized(uint256 indexed sessionId, uint256 indexed taskId, uint256 validCount, uint256 invalidCount, uint256 slashed);
    event ConfigUpdated(uint256 slashAmount, address slashRecipient);

    ISessionQueue public immutable queue;
    INodePool public immutable nodePool;
    INodeStats public immutable stats;
    INodeReputation public immutable reputation;
    /// @notice COR slashed per INVALID verdict (0 disables slashing). Default 0.
    uint256 public slashAmount;
    address public slashRecipient;

    /// @dev Votes per (task, miner), packed in one word: 64 bits per verdict value, the number
    ///      of validators voting it (one slot written per vote instead of four).
    mapping(uint256 => mapping(uint256 => mapping(address => uint256))) private _votes;
    mapping(uint256 => mapping(uint256 => mapping(address => mapping(address => Verdict)))) private _voteOf;
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

    /// @notice Slash amount per INVALID verdict and where slashed COR goes (ADMIN_ROLE). NodePool
    ///         caps each slash at MAX_SLASH_BPS of the stake whatever is set here.
    function setConfig(uint256 slashAmount_, address slashRecipient_) external onlyRole(ADMIN_ROLE) {
        if (slashRecipient_ == address(0)) revert ZeroAddress();
        slashAmount = slashAmount_;
        slashRecipient = slashRecipient_;
        emit ConfigUpdated(slashAmount_, slashRecipient_);
    }

    /// @notice Cast (or, until finalize, change) this validator's vote on one miner's committed result.
    function submitVerdict(uint256 sessionId, uint256 taskId, address miner, uint8 verdict)
        external
        onlyRole(VALIDATOR_ROLE)
    {
        _checkOpen(sessionId, taskId);
        _vote(sessionId, taskId, miner, verdict);
    }

    /// @notice Batch form of submitVerdict.
    function submitVerdicts(uint256 sessionId, uint256 taskId, address[] calldata miners, uint8[] calldata verdicts)
        external
        onlyRole(VALIDATOR_ROLE)
    {
        if (miners.length != verdicts.length) revert LengthMismatch(miners.length, verdicts.length);
        _checkOpen(sessionId, taskId);
        for (uint256 i = 0; i < miners.length; i++) _vote(sessionId, taskId, miners[i], verdicts[i]);
    }

    /// @notice Turn votes into verdicts and apply rewards, penalties, slashing and unlocking
    ///         (VALIDATOR_ROLE).
    function finalize(uint256 sessionId, uint256 taskId) external onlyRole(VALIDATOR_ROLE) {
        _checkOpen(sessionId, taskId);
        isFinalized[sessionId][taskId] = true;
        uint256 quorum = queue.sessionInfo().validatorQuorum(sessionId);
        address[] memory miners = queue.getTaskMiners(sessionId, taskId);
        address[] memory unlock = new address[](miners.length);
        uint256 unlockCount = 0;
        uint256 validCount = 0;
        uint256 invalidCount = 0;
        uint256 slashedTotal = 0;
        for (uint256 i = 0; i < miners.length; i++) {
            address m = miners[i];
            Verdict v = _tally(_votes[sessionId][taskId][m], quorum);
            _verdicts[sessionId][taskId][m] = v;
            bytes32 nodeId = nodePool.getNodeId(m);
            bool ok = v == Verdict.Valid;
            if (ok) {
                validCount++;
                stats.rewardEnd(nodeId);
            } else {
                stats.penaltyEnd(nodeId);
            }
            reputation.record(nodeId, "validation", ok);
            uint256 slashed = 0;
            if (v == Verdict.Invalid) {
                invalidCount++;
                uint256 cap = (nodePool.stakeOf(nodeId) * nodePool.MAX_SLASH_BPS()) / 10_000;
                uint256 amount = slashAmount < cap ? slashAmount : cap;
                if (amount > 0) slashed = nodePool.slash(nodeId, amount, slashRecipient);
                slashedTotal += slashed;
            }
            if (slashed == 0) unlock[unlockCount++] = m; // a slash used the lock up already
        }
        assembly {
            mstore(unlock, unlockCount)
        }
        nodePool.unlockForTask(unlock);
        emit TaskFinalized(sessionId, taskId, validCount, invalidCount, slashedTotal);
    }

    /// @notice Final verdict as uint8 (see contract NatSpec); 0 until finalize.
    function verdictOf(uint256 sessionId, uint256 taskId, address miner) external view returns (uint8) {
        return uint8(_verdicts[sessionId][taskId][miner]);
    }

    /// @notice Votes cast so far for each verdict value [none, valid, invalid, retry].
    function votesOf(uint256 sessionId, uint256 taskId, address miner) external view returns (uint256[4] memory counts) {
        uint256 packed = _votes[sessionId][taskId][miner];
        for (uint8 i = 0; i < 4; i++) counts[i] = _count(packed, i);
    }

    function _checkOpen(uint256 sessionId, uint256 taskId) private view {
        uint8 status = queue.getTaskStatus(sessionId, taskId);
        if (status != STATUS_COMPLETED) revert TaskNotCompleted(sessionId, taskId, status);
        if (isFinalized[sessionId][taskId]) revert TaskAlreadyFinalized(sessionId, taskId);
    }

    function _vote(uint256 sessionId, uint256 taskId, address miner, uint8 verdict) private {
        if (verdict == 0 || verdict > uint8(Verdict.Retry)) revert InvalidVerdict(verdict);
        if (!queue.hasCommitted(sessionId, taskId, miner)) revert NoCommittedResult(sessionId, taskId, miner);
        uint256 votes = _votes[sessionId][taskId][miner];
        Verdict previous = _voteOf[sessionId][taskId][miner][msg.sender];
        if (previous != Verdict.None) votes -= uint256(1) << (64 * uint8(previous));
        _votes[sessionId][taskId][miner] = votes + (uint256(1) << (64 * verdict));
        _voteOf[sessionId][taskId][miner][msg.sender] = Verdict(verdict);
        emit VerdictPosted(sessionId, taskId, miner, verdict, msg.sender);
    }

    function _count(uint256 packed, uint8 verdict) private pure returns (uint256) {
        return (packed >> (64 * verdict)) & type(uint64).max;
    }

    function _tally(uint256 votes, uint256 quorum) private pure returns (Verdict) {
        if (_count(votes, uint8(Verdict.Valid)) >= quorum) return Verdict.Valid;
        if (_count(votes, uint8(Verdict.Invalid)) >= quorum) return Verdict.Invalid;
        if (_count(votes, uint8(Verdict.Retry)) >= quorum) return Verdict.Retry;
        return Verdict.None;
    }
}
