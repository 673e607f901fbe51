// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IBridge, IOutbox} from "./NitroInterfaces.sol";

/// @title Rollup
/// @notice Holds a Nitro chain's assertions about its state (child block hash and send root) and
///         confirms them after confirmPeriodBlocks parent blocks, which hands the send root to the
///         Outbox. A challenger may reject a pending assertion inside its window; the assertions
///         built on it fall with it, and the validator asserts again from the last confirmed one.
///
///         This is the shape of OffchainLabs/nitro-contracts src/rollup/ (assertions, a confirm
///         period counted in parent blocks, Outbox.updateSendRoot on confirmation) without BoLD's
///         interactive challenge game: a whitelisted challenger's rejection stands in for a lost
///         challenge, and whitelisted validators stand in for stakers.
contract Rollup {
    enum Status {
        None,
        Pending,
        Confirmed,
        Rejected
    }

    struct Assertion {
        bytes32 blockHash;
        bytes32 sendRoot;
        uint64 inboxMaxCount;
        uint64 l2BlockNumber;
        uint64 prevNum;
        uint64 createdAtBlock;
        Status status;
    }

    error NotOwner(address sender);
    error NotValidator(address sender);
    error NotChallenger(address sender);
    error NoSuchAssertion(uint64 assertionNum);
    error NotPending(uint64 assertionNum, Status status);
    error PreviousNotConfirmed(uint64 assertionNum, uint64 prevNum);
    error ConfirmPeriodNotOver(uint64 assertionNum, uint256 confirmableAtBlock);
    error ChallengeWindowOver(uint64 assertionNum, uint256 deadlineBlock);
    error InboxNotAdvancing(uint64 inboxMaxCount, uint256 delayedMessageCount);

    event AssertionCreated(
        uint64 indexed assertionNum,
        uint64 indexed prevNum,
        bytes32 blockHash,
        bytes32 sendRoot,
        uint64 inboxMaxCount,
        uint64 l2BlockNumber
    );
    event AssertionConfirmed(uint64 indexed assertionNum, bytes32 blockHash, bytes32 sendRoot);
    event AssertionRejected(uint64 indexed assertionNum);

    address public immutable owner;
    IBridge public immutable bridge;
    IOutbox public outbox;
    uint64 public immutable confirmPeriodBlocks;
    mapping(address => bool) public isValidator;
    mapping(address => bool) public isChallenger;

    /// @dev Assertion 0 is genesis: confirmed from the start.
    Assertion[] private _assertions;
    uint64 public latestConfirmed;
    /// @notice The assertion the next one builds on: the newest pending one, or the latest confirmed.
    uint64 public latestCreated;

    constructor(IBridge bridge_, uint64 confirmPeriodBlocks_) {
        owner = msg.sender;
        bridge = bridge_;
        confirmPeriodBlocks = confirmPeriodBlocks_;
        _assertions.push(Assertion(bytes32(0), bytes32(0), 0, 0, 0, uint64(block.number), Status.Confirmed));
    }

    function setOutbox(IOutbox outbox_) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        outbox = outbox_;
    }

    function setValidator(address validator, bool allowed) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        isValidator[validator] = allowed;
    }

    function setChallenger(address challenger, bool allowed) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        isChallenger[challenger] = allowed;
    }

    function assertionCount() external view returns (uint256) {
        return _assertions.length;
    }

    function getAssertion(uint64 assertionNum) external view returns (Assertion memory) {
        return _assertion(assertionNum);
    }

    function _assertion(uint64 assertionNum) internal view returns (Assertion storage) {
        if (assertionNum >= _assertions.length) revert NoSuchAssertion(assertionNum);
        return _assertions[assertionNum];
    }

    /// @notice Assert the child's state after it has read inboxMaxCount delayed messages.
    function createAssertion(bytes32 blockHash, bytes32 sendRoot, uint64 inboxMaxCount, uint64 l2BlockNumber)
        external
        returns (uint64 assertionNum)
    {
        if (!isValidator[msg.sender]) revert NotValidator(msg.sender);
        uint256 delayed = bridge.delayedMessageCount();
        if (inboxMaxCount > delayed) revert InboxNotAdvancing(inboxMaxCount, delayed);
        assertionNum = uint64(_assertions.length);
        uint64 prevNum = latestCreated;
        _assertions.push(
            Assertion(blockHash, sendRoot, inboxMaxCount, l2BlockNumber, prevNum, uint64(block.number), Status.Pending)
        );
        latestCreated = assertionNum;
        emit AssertionCreated(assertionNum, prevNum, blockHash, sendRoot, inboxMaxCount, l2BlockNumber);
    }

    /// @notice Confirm a pending assertion whose window has passed unchallenged; anyone may.
    function confirmAssertion(uint64 assertionNum) external {
        Assertion storage assertion = _assertion(assertionNum);
        if (assertion.status != Status.Pending) revert NotPending(assertionNum, assertion.status);
        if (assertion.prevNum != latestConfirmed) revert PreviousNotConfirmed(assertionNum, assertion.prevNum);
        uint256 confirmableAt = uint256(assertion.createdAtBlock) + confirmPeriodBlocks;
        if (block.number < confirmableAt) revert ConfirmPeriodNotOver(assertionNum, confirmableAt);
        assertion.status = Status.Confirmed;
        latestConfirmed = assertionNum;
        outbox.updateSendRoot(assertion.sendRoot, assertion.blockHash);
        emit AssertionConfirmed(assertionNum, assertion.blockHash, assertion.sendRoot);
    }

    /// @notice Reject a pending assertion inside its window (a challenge won against it). The
    ///         assertions built on it are rejected with it.
    function rejectAssertion(uint64 assertionNum) external {
        if (!isChallenger[msg.sender]) revert NotChallenger(msg.sender);
        Assertion storage assertion = _assertion(assertionNum);
        if (assertion.status != Status.Pending) revert NotPending(assertionNum, assertion.status);
        uint256 deadline = uint256(assertion.createdAtBlock) + confirmPeriodBlocks;
        if (block.number >= deadline) revert ChallengeWindowOver(assertionNum, deadline);
        // Assertions form one chain (each builds on the newest before it): every later one builds
        // on the rejected one, directly or not, and falls with it.
        for (uint64 num = assertionNum; num < _assertions.length; num++) {
            if (_assertions[num].status == Status.Pending) {
                _assertions[num].status = Status.Rejected;
                emit AssertionRejected(num);
            }
        }
        latestCreated = assertion.prevNum;
    }
}
