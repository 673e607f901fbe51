// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {AccessRoles} from "./AccessRoles.sol";
import {ISessionInfo, ISessionQueue, IPrivateSessions} from "./Interfaces.sol";

/// @notice The SessionV2 entry point reserved for this contract.
interface ISessionV2Private {
    function submitPrivate(
        uint256 sessionId,
        address submitter,
        uint256 nodeType,
        string calldata taskData,
        uint256 promptType,
        uint256[] calldata llmParams,
        string calldata clientReference
    ) external returns (uint256 taskId);
}

/// @title PrivateSessionV2
/// @notice Private mode for SessionV2 sessions (used on the L3). The owner switches a session
///         to private before its first task; from then on SessionV2.submit refuses clear-text
///         tasks, and tasks enter through submitPrivate as ciphertext + commitment. Clear text
///         is never stored or emitted: the queue only sees the descriptor
///         "private:0x<commitment hex>". The owner (or a session router) delivers the payload
///         key to each allowlisted, assigned miner with postPayloadKey (encrypted to the node's
///         NodePool publicKey off-chain).
/// @dev The commitment is chosen by the submitter; we recommend
///      keccak256(abi.encodePacked(plaintext, salt)). Miners should commit results encrypted to
///      the owner's key: the queue cannot enforce that.
contract PrivateSessionV2 is AccessRoles, IPrivateSessions {
    struct PrivateTask {
        bytes ciphertext;
        bytes32 commitment;
    }

    error NotSessionOwner(uint256 sessionId, address caller);
    error NotOwnerOrRouter(uint256 sessionId, address caller);
    error SessionNotActive(uint256 sessionId);
    error SessionHasTasks(uint256 sessionId);
    error AlreadyPrivate(uint256 sessionId);
    error NotPrivateSession(uint256 sessionId);
    error EmptyCiphertext();
    error ZeroCommitment();
    error EmptyKey();
    error MinerNotAllowed(uint256 sessionId, address miner);
    error MinerNotAssigned(uint256 sessionId, uint256 taskId, address miner);

    event SessionMadePrivate(uint256 indexed sessionId, address indexed owner);
    event MinerAllowed(uint256 indexed sessionId, address indexed miner);
    event MinerDisallowed(uint256 indexed sessionId, address indexed miner);
    event PrivateTaskSubmitted(uint256 indexed sessionId, uint256 indexed taskId, bytes32 commitment, bytes ciphertext);
    event PayloadKeyPosted(uint256 indexed sessionId, uint256 indexed taskId, address indexed miner, bytes encryptedKey);

    ISessionInfo public immutable sessions;
    ISessionQueue public immutable queue;

    mapping(uint256 => bool) public isPrivate;
    mapping(uint256 => mapping(address => bool)) public isMinerAllowed;
    mapping(uint256 => mapping(uint256 => PrivateTask)) private _tasks;
    mapping(uint256 => mapping(uint256 => mapping(address => bytes))) private _keys;

    constructor(address admin, ISessionInfo sessions_, ISessionQueue queue_) AccessRoles(admin) {
        if (address(sessions_) == address(0) || address(queue_) == address(0)) revert ZeroAddress();
        sessions = sessions_;
        queue = queue_;
    }

    /// @notice Make a session private (owner; active; before any task was queued).
    function enablePrivate(uint256 sessionId) external {
        _onlyOwner(sessionId);
        if (!sessions.isSessionActive(sessionId)) revert SessionNotActive(sessionId);
        if (isPrivate[sessionId]) revert AlreadyPrivate(sessionId);
        if (queue.taskCount(sessionId) != 0) revert SessionHasTasks(sessionId);
        isPrivate[sessionId] = true;
        emit SessionMadePrivate(sessionId, msg.sender);
    }

    /// @notice Allow `miner` to receive payload keys for the session (owner).
    function allowMiner(uint256 sessionId, address miner) external {
        _onlyOwner(sessionId);
        if (miner == address(0)) revert ZeroAddress();
        isMinerAllowed[sessionId][miner] = true;
        emit MinerAllowed(sessionId, miner);
    }

    function disallowMiner(uint256 sessionId, address miner) external {
        _onlyOwner(sessionId);
        isMinerAllowed[sessionId][miner] = false;
        emit MinerDisallowed(sessionId, miner);
    }

    /// @notice Submit an encrypted task (owner or session router). Funding rules are SessionV2's.
    function submitPrivate(
        uint256 sessionId,
        uint256 nodeType,
        bytes calldata ciphertext,
        bytes32 commitment,
        uint256 promptType,
        uint256[] calldata llmParams,
        string calldata clientReference
    ) external returns (uint256 taskId) {
        if (!isPrivate[sessionId]) revert NotPrivateSession(sessionId);
        if (ciphertext.length == 0) revert EmptyCiphertext();
        if (commitment == bytes32(0)) revert ZeroCommitment();
        taskId = ISessionV2Private(address(sessions)).submitPrivate(
            sessionId, msg.sender, nodeType, _descriptor(commitment), promptType, llmParams, clientReference
        );
        _tasks[sessionId][taskId] = PrivateTask(ciphertext, commitment);
        emit PrivateTaskSubmitted(sessionId, taskId, commitment, ciphertext);
    }

    /// @notice Deliver the payload key to an allowlisted miner assigned to the task
    ///         (owner or session router).
    function postPayloadKey(uint256 sessionId, uint256 taskId, address miner, bytes calldata encryptedKey) external {
        if (!isPrivate[sessionId]) revert NotPrivateSession(sessionId);
        if (!sessions.canRoute(sessionId, msg.sender)) revert NotOwnerOrRouter(sessionId, msg.sender);
        if (!isMinerAllowed[sessionId][miner]) revert MinerNotAllowed(sessionId, miner);
        if (!queue.isAssigned(sessionId, taskId, miner)) revert MinerNotAssigned(sessionId, taskId, miner);
        if (encryptedKey.length == 0) revert EmptyKey();
        _keys[sessionId][taskId][miner] = encryptedKey;
        emit PayloadKeyPosted(sessionId, taskId, miner, encryptedKey);
    }

    function getPrivateTask(uint256 sessionId, uint256 taskId) external view returns (PrivateTask memory) {
        return _tasks[sessionId][taskId];
    }

    function payloadKeyOf(uint256 sessionId, uint256 taskId, address miner) external view returns (bytes memory) {
        return _keys[sessionId][taskId][miner];
    }

    function _onlyOwner(uint256 sessionId) private view {
        if (sessions.sessionOwner(sessionId) != msg.sender) revert NotSessionOwner(sessionId, msg.sender);
    }

    /// @dev "private:0x" followed by the 64 lowercase hex digits of the commitment.
    function _descriptor(bytes32 commitment) private pure returns (string memory) {
        bytes memory hexChars = "0123456789abcdef";
        bytes memory out = new bytes(74);
        bytes memory prefix = "private:0x";
        for (uint256 i = 0; i < 10; i++) out[i] = prefix[i];
        for (uint256 i = 0; i < 32; i++) {
            uint8 b = uint8(commitment[i]);
            out[10 + 2 * i] = hexChars[b >> 4];
            out[11 + 2 * i] = hexChars[b & 0x0f];
        }
        return string(out);
    }
}
