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
///         "private:0x<commitment hex>".
///
///         Keys: the owner draws one symmetric session key per private session and encrypts
///         every prompt with it. The key reaches a reader only as an ECIES envelope (secp256k1,
///         to the reader's public key, e.g. the node's NodePool publicKey), posted here by the
///         owner or a session router. A per-session allowlist, managed by the owner with an
///         event for every change, says who may be sent an envelope besides the owner.
/// @dev Byte layouts (docs/private-inference.md), checked here by length only:
///      - ciphertext: nonce (16) || AES-256-GCM tag (16) || encrypted bytes (>= 1)
///      - envelope: ephemeral public key (65, 0x04 || x || y) || nonce (16) || tag (16) ||
///        encrypted 32-byte session key (32) = 129 bytes, eciespy's default format.
///      The commitment is chosen by the submitter: keccak256(plaintext ++ salt).
///      Disallowing an account deletes its stored envelope; it cannot make it forget a key it
///      already read (rotating the session key is the remedy, not built here).
contract PrivateSessionV2 is AccessRoles, IPrivateSessions {
    struct PrivateTask {
        bytes ciphertext;
        bytes32 commitment;
    }

    /// @notice nonce (16) + tag (16) + at least one encrypted byte.
    uint256 public constant MIN_CIPHERTEXT_LENGTH = 33;
    /// @notice 65-byte ephemeral public key + 16 nonce + 16 tag + 32-byte key.
    uint256 public constant ENVELOPE_LENGTH = 129;

    error NotSessionOwner(uint256 sessionId, address caller);
    error NotOwnerOrRouter(uint256 sessionId, address caller);
    error SessionNotActive(uint256 sessionId);
    error SessionHasTasks(uint256 sessionId);
    error AlreadyPrivate(uint256 sessionId);
    error NotPrivateSession(uint256 sessionId);
    error CiphertextTooShort(uint256 length, uint256 minimum);
    error ZeroCommitment();
    error MalformedEnvelope(uint256 length);
    error AlreadyAllowed(uint256 sessionId, address account);
    error NotAllowed(uint256 sessionId, address account);

    event SessionMadePrivate(uint256 indexed sessionId, address indexed owner);
    event AccountAllowed(uint256 indexed sessionId, address indexed account);
    event AccountDisallowed(uint256 indexed sessionId, address indexed account);
    event PrivateTaskSubmitted(uint256 indexed sessionId, uint256 indexed taskId, bytes32 commitment, bytes ciphertext);
    event SessionKeyPosted(uint256 indexed sessionId, address indexed recipient, bytes envelope);

    ISessionInfo public immutable sessions;
    ISessionQueue public immutable queue;

    mapping(uint256 => bool) public isPrivate;
    mapping(uint256 => mapping(address => bool)) public isAllowed;
    mapping(uint256 => mapping(uint256 => PrivateTask)) private _tasks;
    mapping(uint256 => mapping(address => bytes)) private _envelopes;

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

    /// @notice Put `account` (a miner, a validator) on the session's allowlist (owner).
    function allow(uint256 sessionId, address account) external {
        _onlyOwner(sessionId);
        if (account == address(0)) revert ZeroAddress();
        if (isAllowed[sessionId][account]) revert AlreadyAllowed(sessionId, account);
        isAllowed[sessionId][account] = true;
        emit AccountAllowed(sessionId, account);
    }

    /// @notice Take `account` off the allowlist and delete its stored envelope (owner).
    function disallow(uint256 sessionId, address account) external {
        _onlyOwner(sessionId);
        if (!isAllowed[sessionId][account]) revert NotAllowed(sessionId, account);
        isAllowed[sessionId][account] = false;
        delete _envelopes[sessionId][account];
        emit AccountDisallowed(sessionId, account);
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
        if (ciphertext.length < MIN_CIPHERTEXT_LENGTH) {
            revert CiphertextTooShort(ciphertext.length, MIN_CIPHERTEXT_LENGTH);
        }
        if (commitment == bytes32(0)) revert ZeroCommitment();
        taskId = ISessionV2Private(address(sessions)).submitPrivate(
            sessionId, msg.sender, nodeType, _descriptor(commitment), promptType, llmParams, clientReference
        );
        _tasks[sessionId][taskId] = PrivateTask(ciphertext, commitment);
        emit PrivateTaskSubmitted(sessionId, taskId, commitment, ciphertext);
    }

    /// @notice Post the session key, wrapped by ECIES to `recipient`'s public key (owner or
    ///         session router). The recipient is the owner or an allowlisted account.
    function postSessionKey(uint256 sessionId, address recipient, bytes calldata envelope) external {
        if (!isPrivate[sessionId]) revert NotPrivateSession(sessionId);
        if (!sessions.canRoute(sessionId, msg.sender)) revert NotOwnerOrRouter(sessionId, msg.sender);
        if (recipient != sessions.sessionOwner(sessionId) && !isAllowed[sessionId][recipient]) {
            revert NotAllowed(sessionId, recipient);
        }
        if (envelope.length != ENVELOPE_LENGTH || envelope[0] != 0x04) revert MalformedEnvelope(envelope.length);
        _envelopes[sessionId][recipient] = envelope;
        emit SessionKeyPosted(sessionId, recipient, envelope);
    }

    function getPrivateTask(uint256 sessionId, uint256 taskId) external view returns (PrivateTask memory) {
        return _tasks[sessionId][taskId];
    }

    /// @notice The envelope posted for `recipient` (empty if none, or since disallowed).
    function sessionKeyOf(uint256 sessionId, address recipient) external view returns (bytes memory) {
        return _envelopes[sessionId][recipient];
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
