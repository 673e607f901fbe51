// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IERC20} from "../ERC20Base.sol";
import {ISessionQueue, ISessionV2, ITaskValidator} from "../Interfaces.sol";
import {SolanaReceiver} from "./SolanaReceiver.sol";
import {WormholeTokenBridge} from "./WormholeTokenBridge.sol";

interface ISolanaSessionPayment {
    function bondPerNode() external view returns (uint256);
    function depositToSession(uint256 sessionId, uint256 amount) external;
}

/// @title SolanaSessions
/// @notice Cortensor sessions for Solana users. A Solana user sends SPL COR with a session request;
///         this contract, redeeming the transfer, opens a SessionV2 session funded with the
///         COR the token bridge unlocks and submits the request's prompts. A request it refuses
///         (no node can serve it, not the session's owner, a closed session) is refunded to the
///         sender on Solana (SolanaReceiver). The session is owned by this contract,
///         on behalf of the Solana account that sent the request (ownerOf): only requests signed
///         by that account add tasks to it or close it. Results go back by `publishResults`
///         (permissionless: it publishes only what the chain holds), a Wormhole message the
///         relayer delivers to Solana; a close refunds the unspent COR to the owner on Solana
///         through the token bridge.
///
///         Request payload (transfer with payload): abi.encode(uint8 action, uint256 sessionId,
///         string name, uint256 model, uint256 redundancy, string[] prompts), action OPEN (1) or
///         SUBMIT (2). Message body (no COR): abi.encode(uint8 action, uint256 sessionId), action
///         CLOSE (3). Results payload: abi.encode(bytes32 solanaOwner, uint256 sessionId,
///         uint256[] taskIds, bytes32[] digests, string[] results), a result being the first VALID
///         miner's (keccak256 of it as digest; empty and zero when no miner was VALID).
contract SolanaSessions is SolanaReceiver {
    uint8 public constant OPEN = 1;
    uint8 public constant SUBMIT = 2;
    uint8 public constant CLOSE = 3;
    uint8 public constant VERDICT_VALID = 1;
    uint8 public constant CONSISTENCY_FINALIZED = 1;

    event SessionOpenedFromSolana(bytes32 indexed solanaOwner, uint256 indexed sessionId, uint256 deposit);
    event TasksSubmittedFromSolana(
        bytes32 indexed solanaOwner, uint256 indexed sessionId, uint256 firstTaskId, uint256 count
    );
    event ResultsPublished(bytes32 indexed solanaOwner, uint256 indexed sessionId, uint64 sequence, uint256 tasks);
    event SessionClosedFromSolana(bytes32 indexed solanaOwner, uint256 indexed sessionId, uint256 refunded);

    ISessionV2 public immutable session;
    ISolanaSessionPayment public immutable payment;
    ISessionQueue public immutable queue;
    ITaskValidator public immutable validator;
    IERC20 public immutable cor;

    /// @notice The Solana account each session was opened for (zero: not a Solana session).
    mapping(uint256 => bytes32) public ownerOf;

    constructor(
        WormholeTokenBridge tokenBridge_,
        bytes32 solanaMessenger_,
        ISessionV2 session_,
        ISolanaSessionPayment payment_,
        ISessionQueue queue_,
        ITaskValidator validator_
    ) SolanaReceiver(tokenBridge_, solanaMessenger_) {
        session = session_;
        payment = payment_;
        queue = queue_;
        validator = validator_;
        cor = IERC20(address(tokenBridge_.cor()));
    }

    /// @notice Redeem a session request sent with COR from Solana (open, or add tasks); a refused
    ///         request sends its COR back to Solana and returns 0.
    function redeem(bytes calldata encodedVm) external returns (uint256 sessionId) {
        sessionId = _redeemOrRefund(encodedVm);
    }

    function _act(bytes32 from, uint256 funds, bytes memory payload) internal override returns (uint256 sessionId) {
        (
            uint8 action,
            uint256 requested,
            string memory name,
            uint256 model,
            uint256 redundancy,
            string[] memory prompts
        ) = abi.decode(payload, (uint8, uint256, string, uint256, uint256, string[]));
        if (action == OPEN) {
            sessionId = _open(from, funds, name, model, redundancy);
        } else if (action == SUBMIT) {
            sessionId = requested;
            _ownedBy(sessionId, from);
            require(cor.approve(address(payment), funds), "approve failed");
            payment.depositToSession(sessionId, funds);
        } else {
            revert("unknown session request");
        }
        _submit(sessionId, from, prompts);
    }

    function receiveMessage(bytes calldata encodedVm) external {
        (bytes32 from, bytes memory body) = _receiveMessage(encodedVm);
        (uint8 action, uint256 sessionId) = abi.decode(body, (uint8, uint256));
        require(action == CLOSE, "unknown session message");
        _ownedBy(sessionId, from);
        uint256 before = cor.balanceOf(address(this));
        session.deactivateSession(sessionId);
        uint256 refunded = _sendToSolana(cor.balanceOf(address(this)) - before, from);
        emit SessionClosedFromSolana(from, sessionId, refunded);
    }

    /// @notice Publish the results of finalized tasks of a Solana session for the guardians to
    ///         carry to Solana. Anyone may call: the payload is read from the chain.
    function publishResults(uint256 sessionId, uint256[] calldata taskIds) external returns (uint64 sequence) {
        bytes32 owner = ownerOf[sessionId];
        require(owner != bytes32(0), "not a Solana session");
        require(taskIds.length > 0, "no tasks");
        bytes32[] memory digests = new bytes32[](taskIds.length);
        string[] memory results = new string[](taskIds.length);
        for (uint256 i = 0; i < taskIds.length; i++) {
            require(validator.isFinalized(sessionId, taskIds[i]), "task not finalized");
            (address[] memory miners, string[] memory given) = queue.getTaskResults(sessionId, taskIds[i]);
            for (uint256 j = 0; j < miners.length; j++) {
                if (validator.verdictOf(sessionId, taskIds[i], miners[j]) == VERDICT_VALID) {
                    results[i] = given[j];
                    digests[i] = keccak256(bytes(given[j]));
                    break;
                }
            }
        }
        sequence = wormhole.publishMessage(
            0, abi.encode(owner, sessionId, taskIds, digests, results), CONSISTENCY_FINALIZED
        );
        emit ResultsPublished(owner, sessionId, sequence, taskIds.length);
    }

    function _open(bytes32 from, uint256 funds, string memory name, uint256 model, uint256 redundancy)
        private
        returns (uint256 sessionId)
    {
        uint256 bond = payment.bondPerNode() * redundancy;
        require(funds > bond, "budget does not cover the session bond");
        require(cor.approve(address(payment), funds), "approve failed");
        sessionId = session.sessionCount();
        session.create(name, "{}", address(0), 1, redundancy, redundancy, 0, 0, true, 0, model, 300, 0);
        ownerOf[sessionId] = from;
        payment.depositToSession(sessionId, funds - bond);
        emit SessionOpenedFromSolana(from, sessionId, funds - bond);
    }

    function _submit(uint256 sessionId, bytes32 from, string[] memory prompts) private {
        uint256 first = queue.taskCount(sessionId);
        uint256[] memory llmParams = new uint256[](6);
        llmParams[0] = 256; // maxTokens, temperature x10, topP x10, topK, presence, frequency penalty
        llmParams[1] = 7;
        llmParams[2] = 9;
        llmParams[3] = 40;
        for (uint256 i = 0; i < prompts.length; i++) {
            session.submit(sessionId, 0, prompts[i], 0, "", llmParams, "solana");
        }
        emit TasksSubmittedFromSolana(from, sessionId, first, prompts.length);
    }

    function _ownedBy(uint256 sessionId, bytes32 from) private view {
        require(from != bytes32(0) && ownerOf[sessionId] == from, "not the session's Solana owner");
    }
}
