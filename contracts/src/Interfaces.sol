// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title Protocol interfaces
/// @notice The narrow cross-contract surfaces the protocol contracts call on each other. Kept in
///         one file so the wiring is visible in one place; none of these is deployed on its own.

/// @notice What SessionV2, the queue and TaskValidator need from NodePool.
interface INodePool {
    function reserveRandomBySession(uint256 sessionId, uint256 minCount, uint256 maxCount, uint256 modelId)
        external
        returns (bytes32[] memory);
    function releaseFromSession(uint256 sessionId, bytes32 nodeId) external returns (bool);
    function addDedicatedNode(bytes32 nodeId, uint256 sessionId) external;
    function removeDedicatedNode(bytes32 nodeId, uint256 sessionId) external;
    function isNodeIdleInReservedState(bytes32 nodeId, uint256 idleThreshold) external view returns (bool);
    function isReserved(bytes32 nodeId) external view returns (bool);
    function getAssignedSessionId(bytes32 nodeId) external view returns (uint256);
    function recordActivity(address[] calldata nodeAddresses) external;
    function nodeAddressOf(bytes32 nodeId) external view returns (address);
    function stakeOf(bytes32 nodeId) external view returns (uint256);
    function lockForTask(address[] calldata nodeAddresses) external;
    function unlockForTask(address[] calldata nodeAddresses) external;
    function slash(bytes32 nodeId, uint256 amount, address recipient) external returns (uint256);
    function getNodeId(address nodeAddress) external pure returns (bytes32);
    // solhint-disable-next-line func-name-mixedcase
    function MAX_SLASH_BPS() external view returns (uint256);
}

/// @notice What the queue, payment and private-session contracts ask SessionV2.
interface ISessionInfo {
    function sessionOwner(uint256 sessionId) external view returns (address);
    function isSessionActive(uint256 sessionId) external view returns (bool);
    function isSessionMiner(uint256 sessionId, address miner) external view returns (bool);
    function canRoute(uint256 sessionId, address account) external view returns (bool);
    function taskSlots(uint256 sessionId) external view returns (uint256);
    /// @notice Validator votes a verdict needs: the session's numOfValidatorNodes, at least 1.
    function validatorQuorum(uint256 sessionId) external view returns (uint256);
    /// @notice Called by the queue on assignment; SessionV2 emits the published TaskAssigned.
    function noteTaskAssigned(uint256 sessionId, uint256 taskId, address[] calldata miners) external;
    /// @notice The model the session was created for (checked by the 4-argument assignTask).
    function sessionModel(uint256 sessionId) external view returns (uint256);
    /// @notice The session's nodes, ephemeral then dedicated (what a task's miners are drawn from).
    function sessionNodes(uint256 sessionId) external view returns (address[] memory);
}

/// @notice What SessionV2, TaskValidator, SessionPayment and PrivateSessionV2 use on the queue.
interface ISessionQueue {
    function sessionInfo() external view returns (ISessionInfo);
    function enqueueTask(
        uint256 sessionId,
        string calldata taskData,
        uint256 promptType,
        string calldata promptTemplate,
        uint256[] calldata llmParams,
        uint256[] calldata requestParams
    ) external returns (uint256);
    function hasCommitted(uint256 sessionId, uint256 taskId, address miner) external view returns (bool);
    function getTaskStatus(uint256 sessionId, uint256 taskId) external view returns (uint8);
    function getTaskMiners(uint256 sessionId, uint256 taskId) external view returns (address[] memory);
    function isAssigned(uint256 sessionId, uint256 taskId, address miner) external view returns (bool);
    function getTaskResults(uint256 sessionId, uint256 taskId)
        external
        view
        returns (address[] memory miners, string[] memory results);
    function taskCount(uint256 sessionId) external view returns (uint256);
}

/// @notice What SessionV2 uses on SessionPayment.
interface ISessionPayment {
    function takeSessionBond(uint256 sessionId, address payer, uint256 nodes) external;
    function reserveTaskFunds(uint256 sessionId, uint256 taskId, uint256 slots) external;
    function refund(uint256 sessionId) external returns (uint256);
}

/// @notice What SessionPayment reads from TaskValidator.
interface ITaskValidator {
    function isFinalized(uint256 sessionId, uint256 taskId) external view returns (bool);
    function verdictOf(uint256 sessionId, uint256 taskId, address miner) external view returns (uint8);
}

/// @notice What TaskValidator writes to NodeStats.
interface INodeStats {
    function rewardEnd(bytes32 node) external;
    function penaltyEnd(bytes32 node) external;
}

/// @notice What TaskValidator writes to, and NodePool reads from, NodeReputation.
interface INodeReputation {
    function record(bytes32 node, string calldata state, bool success) external;
    function isEphemeral(
        bytes32 node,
        string[] calldata states,
        uint256 minRecentActivityCount,
        uint256 recentWindow,
        uint256 minSuccessRate
    ) external view returns (bool);
}

/// @notice What SessionV2 asks PrivateSessionV2.
interface IPrivateSessions {
    function isPrivate(uint256 sessionId) external view returns (bool);
}

/// @notice SessionV2's user entry points that other contracts call (SolanaSessions opens, feeds and
///         closes sessions through them). SessionV2 implements it, so the compiler keeps the two in
///         step: `create` is Cortensor's published 13-parameter signature.
interface ISessionV2 {
    function create(
        string memory name,
        string memory metadata,
        address variableAddress,
        uint256 minNumOfNodes,
        uint256 maxNumOfNodes,
        uint256 redundant,
        uint256 numOfValidatorNodes,
        uint256 mode,
        bool reserveEphemeralNodes,
        uint256 sla,
        uint256 modelIdentifier,
        uint256 reservePeriod,
        uint256 maxTaskExecutionCount
    ) external;
    function sessionCount() external view returns (uint256);
    function submit(
        uint256 sessionId,
        uint256 nodeType,
        string calldata taskData,
        uint256 promptType,
        string calldata promptTemplate,
        uint256[] calldata llmParams,
        string calldata clientReference
    ) external;
    function deactivateSession(uint256 sessionId) external;
}
