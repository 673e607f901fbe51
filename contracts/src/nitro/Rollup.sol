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
///         period counted in parent blocks, Outbox.updateSendRoot on confirmation) without the
///         interactive challenge game: a whitelisted challenger's rejection stands in for a lost
///         challenge, and whitelisted validators stand in for stakers.
///
///         Clients read it through the legacy (pre-BoLD, nitro-contracts v1/v2) rollup interface,
///         the one the Arbitrum SDK (npm arbitrum/sdk)'s ChildToParentMessageNitro takes when extraChallengeTimeBlocks()
///         answers: assertions are "nodes" numbered from 0 (genesis), latestConfirmed() and
///         latestNodeCreated() name them, getNode(uint64) returns IRollupCore's Node struct, and
///         NodeCreated / NodeConfirmed / NodeRejected carry IRollupCore's published signatures. The
///         NodeCreated assertion's afterState.globalState.bytes32Vals are (child block hash, send
///         root), as Nitro's GlobalState has them.
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

    /// @dev nitro-contracts src/state/GlobalState.sol: bytes32Vals = (block hash, send root),
    ///      u64Vals = (inbox position, position in message).
    struct GlobalState {
        bytes32[2] bytes32Vals;
        uint64[2] u64Vals;
    }

    /// @dev nitro-contracts src/state/Machine.sol MachineStatus: RUNNING, FINISHED, ERRORED, TOO_FAR.
    enum MachineStatus {
        Running,
        Finished,
        Errored,
        TooFar
    }

    struct ExecutionState {
        GlobalState globalState;
        MachineStatus machineStatus;
    }

    /// @dev nitro-contracts v2 src/rollup/RollupLib.sol Assertion: the state before and after.
    struct StateTransition {
        ExecutionState beforeState;
        ExecutionState afterState;
        uint64 numBlocks;
    }

    /// @dev nitro-contracts v2 src/rollup/Node.sol Node, as getNode returns it.
    struct Node {
        bytes32 stateHash;
        bytes32 challengeHash;
        bytes32 confirmData;
        uint64 prevNum;
        uint64 deadlineBlock;
        uint64 noChildConfirmedBeforeBlock;
        uint64 stakerCount;
        uint64 childStakerCount;
        uint64 firstChildBlock;
        uint64 latestChildNumber;
        uint64 createdAtBlock;
        bytes32 nodeHash;
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

    /// @dev IRollupCore's events (nitro-contracts v2 src/rollup/IRollupCore.sol).
    event NodeCreated(
        uint64 indexed nodeNum,
        bytes32 indexed parentNodeHash,
        bytes32 indexed nodeHash,
        bytes32 executionHash,
        StateTransition assertion,
        bytes32 afterInboxBatchAcc,
        bytes32 wasmModuleRoot,
        uint256 inboxMaxCount
    );
    event NodeConfirmed(uint64 indexed nodeNum, bytes32 blockHash, bytes32 sendRoot);
    event NodeRejected(uint64 indexed nodeNum);

    address public immutable owner;
    IBridge public immutable bridge;
    IOutbox public outbox;
    uint64 public immutable confirmPeriodBlocks;
    mapping(address => bool) public isValidator;
    mapping(address => bool) public isChallenger;

    /// @dev Assertion 0 is genesis: confirmed from the start.
    Assertion[] private _assertions;
    /// @dev Each assertion's node hash, which the next one's NodeCreated names as its parent's.
    bytes32[] private _nodeHashes;
    uint64 public latestConfirmed;
    /// @notice The assertion the next one builds on: the newest pending one, or the latest confirmed.
    uint64 public latestCreated;

    constructor(IBridge bridge_, uint64 confirmPeriodBlocks_) {
        owner = msg.sender;
        bridge = bridge_;
        confirmPeriodBlocks = confirmPeriodBlocks_;
        _assertions.push(Assertion(bytes32(0), bytes32(0), 0, 0, 0, uint64(block.number), Status.Confirmed));
        _emitNodeCreated(0);
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

    /// @notice No interactive challenges here, so none gets extra time; answering at all is what
    ///         tells the Arbitrum SDK (npm arbitrum/sdk) this rollup speaks the legacy (pre-BoLD) interface.
    function extraChallengeTimeBlocks() external pure returns (uint64) {
        return 0;
    }

    /// @notice The newest assertion ever created (a rejected one included), as the legacy rollup counts.
    function latestNodeCreated() external view returns (uint64) {
        return uint64(_assertions.length - 1);
    }

    /// @notice An assertion as the legacy rollup's Node. Fields without a counterpart here (no
    ///         stakes, no challenges, no sibling bookkeeping) are zero; the deadline is the end of the
    ///         confirm period.
    function getNode(uint64 nodeNum) external view returns (Node memory node) {
        Assertion storage assertion = _assertion(nodeNum);
        uint64 deadline = assertion.createdAtBlock + (nodeNum == 0 ? 0 : confirmPeriodBlocks);
        node.stateHash = _stateHash(assertion);
        node.confirmData = keccak256(abi.encodePacked(assertion.blockHash, assertion.sendRoot));
        node.prevNum = assertion.prevNum;
        node.deadlineBlock = deadline;
        node.noChildConfirmedBeforeBlock = deadline;
        node.createdAtBlock = assertion.createdAtBlock;
        node.nodeHash = _nodeHashes[nodeNum];
    }

    function _stateHash(Assertion storage assertion) internal view returns (bytes32) {
        return keccak256(abi.encode(_executionState(assertion), assertion.inboxMaxCount));
    }

    function _executionState(Assertion storage assertion) internal view returns (ExecutionState memory state) {
        state.globalState.bytes32Vals = [assertion.blockHash, assertion.sendRoot];
        state.globalState.u64Vals = [assertion.inboxMaxCount, uint64(0)];
        state.machineStatus = MachineStatus.Finished;
    }

    /// @dev NodeCreated for assertion ``num``: the transition from its previous assertion's state
    ///      to its own. The batch accumulator and the WASM module root are not modelled (zero).
    function _emitNodeCreated(uint64 num) internal {
        Assertion storage assertion = _assertions[num];
        StateTransition memory transition;
        bytes32 parentNodeHash;
        if (num != 0) {
            Assertion storage prev = _assertions[assertion.prevNum];
            transition.beforeState = _executionState(prev);
            if (assertion.l2BlockNumber > prev.l2BlockNumber) {
                transition.numBlocks = assertion.l2BlockNumber - prev.l2BlockNumber;
            }
            parentNodeHash = _nodeHashes[assertion.prevNum];
        }
        transition.afterState = _executionState(assertion);
        bytes32 executionHash = keccak256(abi.encode(transition));
        bytes32 nodeHash = keccak256(abi.encodePacked(parentNodeHash, executionHash));
        _nodeHashes.push(nodeHash);
        emit NodeCreated(
            num, parentNodeHash, nodeHash, executionHash, transition, bytes32(0), bytes32(0), assertion.inboxMaxCount
        );
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
        _emitNodeCreated(assertionNum);
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
        emit NodeConfirmed(assertionNum, assertion.blockHash, assertion.sendRoot);
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
                emit NodeRejected(num);
            }
        }
        latestCreated = assertion.prevNum;
    }
}
