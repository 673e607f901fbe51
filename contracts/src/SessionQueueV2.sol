// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {AccessRoles} from "./AccessRoles.sol";
import {ISessionInfo} from "./Interfaces.sol";

/// @title SessionQueueV2
/// @notice Task queue and commit-reveal result flow for sessions.
///
/// TaskStatus values (Cortensor does not publish them; ours):
///   0 Queued       - enqueued by SessionV2; assignTask attaches miners; miners ack
///   1 Acked        - ack phase ended (endAck); acked miners precommit
///   2 Precommitted - precommit phase ended (endPrecommit); precommitted miners commit
///   3 Committed    - commit phase ended (endCommit)
///   4 Completed    - ended (end); results are final, validation and payment may proceed
///
/// Phase deadlines: each phase (ack, precommit, commit) has a deadline in seconds counted from
/// the moment the phase started (assignTask starts the ack phase; endAck the precommit phase;
/// endPrecommit the commit phase). Miners act only until the deadline. endAck/endPrecommit/
/// endCommit: ORACLE_ROLE may call any time (forcing the phase over); anyone else only after
/// the deadline, or as soon as every eligible miner has acted. `end` (Committed -> Completed)
/// is open to anyone; `end(..., forceEnd=true)` is ORACLE_ROLE only and ends from any phase.
///
/// Commitment scheme: precommit hash = keccak256(abi.encodePacked(data, minerAddress)), i.e.
/// the result string's bytes followed by the miner's 20-byte address. Salting with the miner
/// stops a lazy miner from copying another miner's precommit hash.
contract SessionQueueV2 is AccessRoles {
    enum TaskStatus {
        Queued,
        Acked,
        Precommitted,
        Committed,
        Completed
    }

    struct Task {
        uint256 globalId;
        string taskData;
        TaskStatus status;
        address[] miners;
        uint256 createdAt;
        uint256 phaseStartedAt;
        uint256 ackCount;
        uint256 precommitCount;
        uint256 commitCount;
        bool allPrecommittedEmitted;
        bool allCommittedEmitted;
    }

    struct MinerState {
        bool assigned;
        bool acked;
        bool precommitted;
        bool committed;
        bytes32 precommitHash;
        string result;
    }

    /// @notice Compact progress snapshot returned by getTaskResultState.
    struct TaskResultState {
        uint8 status;
        uint256 assignedCount;
        uint256 ackCount;
        uint256 precommitCount;
        uint256 commitCount;
        uint256 phaseStartedAt;
        uint256 phaseDeadline;
    }

    error UnknownTask(uint256 sessionId, uint256 taskId);
    error InvalidTaskStatus(uint256 sessionId, uint256 taskId, TaskStatus status);
    error TaskAlreadyAssigned(uint256 sessionId, uint256 taskId);
    error TaskNotAssigned(uint256 sessionId, uint256 taskId);
    error NotRouter(uint256 sessionId, address caller);
    error EmptyMinerList();
    error TooManyMiners(uint256 count, uint256 slots);
    error DuplicateMiner(address miner);
    error NotSessionMiner(uint256 sessionId, address miner);
    error NotAssignedMiner(uint256 sessionId, uint256 taskId, address miner);
    error AlreadyAcked(uint256 sessionId, uint256 taskId, address miner);
    error NotAcked(uint256 sessionId, uint256 taskId, address miner);
    error AlreadyPrecommitted(uint256 sessionId, uint256 taskId, address miner);
    error NotPrecommitted(uint256 sessionId, uint256 taskId, address miner);
    error AlreadyCommitted(uint256 sessionId, uint256 taskId, address miner);
    error PhaseDeadlinePassed(uint256 sessionId, uint256 taskId, uint256 deadline);
    error PhaseDeadlineNotReached(uint256 sessionId, uint256 taskId, uint256 deadline);
    error CommitMismatch(bytes32 expected, bytes32 actual);
    error SessionInfoNotSet();

    event TaskQueued(uint256 sessionId, uint256 taskId, uint256 globalId, string taskData);
    event TaskAssigned(uint256 sessionId, uint256 taskId, address[] miners);
    event TaskAcked(uint256 sessionId, uint256 taskId, address miner);
    event TaskAckEnded(uint256 sessionId, uint256 taskId, uint256 ackCount);
    event TaskPrecommitted(uint256 sessionId, uint256 taskId, address miner);
    event TaskAllPrecommitted(uint256 sessionId, uint256 taskId, address[] miners);
    event TaskPrecommitEnded(uint256 sessionId, uint256 taskId, uint256 precommitCount);
    event TaskCommitted(uint256 sessionId, uint256 taskId, address miner);
    event TaskAllCommitted(uint256 sessionId, uint256 taskId, address[] miners);
    event TaskCommitEnded(uint256 sessionId, uint256 taskId, uint256 commitCount);
    event TaskEnded(uint256 sessionId, uint256 taskId, address[] miners);
    event DeadlinesUpdated(uint256 ackDeadline, uint256 precommitDeadline, uint256 commitDeadline);
    event SessionInfoUpdated(address sessionInfo);

    uint8 private constant STEP_ACK = 1;
    uint8 private constant STEP_PRECOMMIT = 2;
    uint8 private constant STEP_COMMIT = 3;

    /// @notice SessionV2 (session membership, routers and redundancy are looked up there).
    ISessionInfo public sessionInfo;
    /// @notice Phase deadlines in seconds.
    uint256 public ackDeadline = 60;
    uint256 public precommitDeadline = 120;
    uint256 public commitDeadline = 120;
    /// @notice Number of tasks ever enqueued, all sessions (next globalId).
    uint256 public globalTaskCount;

    mapping(uint256 => Task[]) private _tasks;
    mapping(uint256 => mapping(uint256 => mapping(address => MinerState))) private _miner;

    constructor(address admin) AccessRoles(admin) {}

    function setSessionInfo(ISessionInfo sessionInfo_) external onlyRole(ADMIN_ROLE) {
        sessionInfo = sessionInfo_;
        emit SessionInfoUpdated(address(sessionInfo_));
    }

    function setDeadlines(uint256 ack_, uint256 precommit_, uint256 commit_) external onlyRole(ADMIN_ROLE) {
        ackDeadline = ack_;
        precommitDeadline = precommit_;
        commitDeadline = commit_;
        emit DeadlinesUpdated(ack_, precommit_, commit_);
    }

    // ------------------------------------------------------------------ flow

    /// @notice Append a task to `sessionId` (SESSION_CONTRACT_ROLE). Task ids start at 0 per session.
    function enqueueTask(uint256 sessionId, string calldata taskData)
        external
        onlyRole(SESSION_CONTRACT_ROLE)
        returns (uint256 taskId)
    {
        Task[] storage list = _tasks[sessionId];
        taskId = list.length;
        Task storage t = list.push();
        t.globalId = globalTaskCount++;
        t.taskData = taskData;
        t.createdAt = block.timestamp;
        emit TaskQueued(sessionId, taskId, t.globalId, taskData);
    }

    /// @notice Attach miners to a Queued task and start the ack phase. Callers: SESSION_CONTRACT_ROLE,
    ///         ROUTER_ROLE, or the session's owner/routers (SessionV2.canRoute). Every miner must be
    ///         a node of the session; at most `taskSlots` (the session's redundancy) miners.
    function assignTask(uint256 sessionId, uint256 taskId, address[] calldata miners) external {
        if (
            !hasRole(SESSION_CONTRACT_ROLE, msg.sender) && !hasRole(ROUTER_ROLE, msg.sender)
                && !_info().canRoute(sessionId, msg.sender)
        ) revert NotRouter(sessionId, msg.sender);
        Task storage t = _task(sessionId, taskId);
        if (t.status != TaskStatus.Queued) revert InvalidTaskStatus(sessionId, taskId, t.status);
        if (t.miners.length != 0) revert TaskAlreadyAssigned(sessionId, taskId);
        if (miners.length == 0) revert EmptyMinerList();
        uint256 slots = _info().taskSlots(sessionId);
        if (miners.length > slots) revert TooManyMiners(miners.length, slots);
        for (uint256 i = 0; i < miners.length; i++) {
            address m = miners[i];
            if (!_info().isSessionMiner(sessionId, m)) revert NotSessionMiner(sessionId, m);
            MinerState storage ms = _miner[sessionId][taskId][m];
            if (ms.assigned) revert DuplicateMiner(m);
            ms.assigned = true;
            t.miners.push(m);
        }
        t.phaseStartedAt = block.timestamp;
        emit TaskAssigned(sessionId, taskId, miners);
    }

    /// @notice An assigned miner acknowledges the task (ack phase, before its deadline).
    function ack(uint256 sessionId, uint256 taskId) external {
        Task storage t = _inPhase(sessionId, taskId, TaskStatus.Queued);
        if (t.miners.length == 0) revert TaskNotAssigned(sessionId, taskId);
        _beforeDeadline(sessionId, taskId, t, ackDeadline);
        MinerState storage ms = _assignedMiner(sessionId, taskId);
        if (ms.acked) revert AlreadyAcked(sessionId, taskId, msg.sender);
        ms.acked = true;
        t.ackCount++;
        emit TaskAcked(sessionId, taskId, msg.sender);
    }

    /// @notice Close the ack phase: Queued -> Acked.
    function endAck(uint256 sessionId, uint256 taskId) external {
        Task storage t = _inPhase(sessionId, taskId, TaskStatus.Queued);
        if (t.miners.length == 0) revert TaskNotAssigned(sessionId, taskId);
        _mayEndPhase(sessionId, taskId, t, ackDeadline, t.ackCount == t.miners.length);
        t.status = TaskStatus.Acked;
        t.phaseStartedAt = block.timestamp;
        emit TaskAckEnded(sessionId, taskId, t.ackCount);
    }

    /// @notice An acked miner posts keccak256(abi.encodePacked(result, miner)). `data` is opaque
    ///         precommit metadata (e.g. a client/version tag); it is accepted but not stored.
    function precommit(uint256 sessionId, uint256 taskId, bytes32 hash, string calldata data) external {
        data; // accepted for ABI compatibility, intentionally unused
        Task storage t = _inPhase(sessionId, taskId, TaskStatus.Acked);
        _beforeDeadline(sessionId, taskId, t, precommitDeadline);
        MinerState storage ms = _assignedMiner(sessionId, taskId);
        if (!ms.acked) revert NotAcked(sessionId, taskId, msg.sender);
        if (ms.precommitted) revert AlreadyPrecommitted(sessionId, taskId, msg.sender);
        ms.precommitted = true;
        ms.precommitHash = hash;
        t.precommitCount++;
        emit TaskPrecommitted(sessionId, taskId, msg.sender);
        if (t.precommitCount == t.ackCount) {
            t.allPrecommittedEmitted = true;
            emit TaskAllPrecommitted(sessionId, taskId, _filter(sessionId, taskId, t, STEP_PRECOMMIT));
        }
    }

    /// @notice Close the precommit phase: Acked -> Precommitted. If `emitAllPrecommitted` and
    ///         TaskAllPrecommitted was not emitted yet, emit it with the miners that precommitted.
    function endPrecommit(uint256 sessionId, uint256 taskId, bool emitAllPrecommitted) external {
        Task storage t = _inPhase(sessionId, taskId, TaskStatus.Acked);
        _mayEndPhase(sessionId, taskId, t, precommitDeadline, t.precommitCount == t.ackCount);
        t.status = TaskStatus.Precommitted;
        t.phaseStartedAt = block.timestamp;
        if (emitAllPrecommitted && !t.allPrecommittedEmitted) {
            t.allPrecommittedEmitted = true;
            emit TaskAllPrecommitted(sessionId, taskId, _filter(sessionId, taskId, t, STEP_PRECOMMIT));
        }
        emit TaskPrecommitEnded(sessionId, taskId, t.precommitCount);
    }

    /// @notice Reveal the result. Refused with CommitMismatch unless
    ///         keccak256(abi.encodePacked(data, msg.sender)) equals the miner's precommit hash.
    function commit(uint256 sessionId, uint256 taskId, string calldata data) external {
        Task storage t = _inPhase(sessionId, taskId, TaskStatus.Precommitted);
        _beforeDeadline(sessionId, taskId, t, commitDeadline);
        MinerState storage ms = _assignedMiner(sessionId, taskId);
        if (!ms.precommitted) revert NotPrecommitted(sessionId, taskId, msg.sender);
        if (ms.committed) revert AlreadyCommitted(sessionId, taskId, msg.sender);
        bytes32 actual = keccak256(abi.encodePacked(data, msg.sender));
        if (actual != ms.precommitHash) revert CommitMismatch(ms.precommitHash, actual);
        ms.committed = true;
        ms.result = data;
        t.commitCount++;
        emit TaskCommitted(sessionId, taskId, msg.sender);
        if (t.commitCount == t.precommitCount) {
            t.allCommittedEmitted = true;
            emit TaskAllCommitted(sessionId, taskId, _filter(sessionId, taskId, t, STEP_COMMIT));
        }
    }

    /// @notice Close the commit phase: Precommitted -> Committed.
    function endCommit(uint256 sessionId, uint256 taskId, bool emitAllCommitted) external {
        Task storage t = _inPhase(sessionId, taskId, TaskStatus.Precommitted);
        _mayEndPhase(sessionId, taskId, t, commitDeadline, t.commitCount == t.precommitCount);
        t.status = TaskStatus.Committed;
        t.phaseStartedAt = block.timestamp;
        if (emitAllCommitted && !t.allCommittedEmitted) {
            t.allCommittedEmitted = true;
            emit TaskAllCommitted(sessionId, taskId, _filter(sessionId, taskId, t, STEP_COMMIT));
        }
        emit TaskCommitEnded(sessionId, taskId, t.commitCount);
    }

    /// @notice Finish the task: Committed -> Completed (anyone). With `forceEnd` (ORACLE_ROLE
    ///         only) any non-Completed task is ended, e.g. one nobody acked.
    function end(uint256 sessionId, uint256 taskId, bool forceEnd) external {
        Task storage t = _task(sessionId, taskId);
        if (forceEnd) {
            _checkRole(ORACLE_ROLE, msg.sender);
            if (t.status == TaskStatus.Completed) revert InvalidTaskStatus(sessionId, taskId, t.status);
        } else if (t.status != TaskStatus.Committed) {
            revert InvalidTaskStatus(sessionId, taskId, t.status);
        }
        t.status = TaskStatus.Completed;
        t.phaseStartedAt = block.timestamp;
        emit TaskEnded(sessionId, taskId, _filter(sessionId, taskId, t, STEP_COMMIT));
    }

    // ------------------------------------------------------------------ views

    /// @notice Miners that committed, and their results (same order).
    function getTaskResults(uint256 sessionId, uint256 taskId)
        external
        view
        returns (address[] memory miners, string[] memory results)
    {
        Task storage t = _task(sessionId, taskId);
        miners = _filter(sessionId, taskId, t, STEP_COMMIT);
        results = new string[](miners.length);
        for (uint256 i = 0; i < miners.length; i++) results[i] = _miner[sessionId][taskId][miners[i]].result;
    }

    /// @notice TaskStatus as uint8 (see contract NatSpec for values).
    function getTaskStatus(uint256 sessionId, uint256 taskId) external view returns (uint8) {
        return uint8(_task(sessionId, taskId).status);
    }

    function getTaskResultState(uint256 sessionId, uint256 taskId) external view returns (TaskResultState memory s) {
        Task storage t = _task(sessionId, taskId);
        s.status = uint8(t.status);
        s.assignedCount = t.miners.length;
        s.ackCount = t.ackCount;
        s.precommitCount = t.precommitCount;
        s.commitCount = t.commitCount;
        s.phaseStartedAt = t.phaseStartedAt;
        s.phaseDeadline = _deadlineOf(t);
    }

    function getTask(uint256 sessionId, uint256 taskId) external view returns (Task memory) {
        return _task(sessionId, taskId);
    }

    function getTaskMiners(uint256 sessionId, uint256 taskId) external view returns (address[] memory) {
        return _task(sessionId, taskId).miners;
    }

    function getMinerState(uint256 sessionId, uint256 taskId, address miner) external view returns (MinerState memory) {
        _task(sessionId, taskId);
        return _miner[sessionId][taskId][miner];
    }

    function isAssigned(uint256 sessionId, uint256 taskId, address miner) external view returns (bool) {
        return _miner[sessionId][taskId][miner].assigned;
    }

    function taskCount(uint256 sessionId) external view returns (uint256) {
        return _tasks[sessionId].length;
    }

    // ------------------------------------------------------------------ internals

    function _info() private view returns (ISessionInfo info) {
        info = sessionInfo;
        if (address(info) == address(0)) revert SessionInfoNotSet();
    }

    function _task(uint256 sessionId, uint256 taskId) private view returns (Task storage) {
        Task[] storage list = _tasks[sessionId];
        if (taskId >= list.length) revert UnknownTask(sessionId, taskId);
        return list[taskId];
    }

    function _inPhase(uint256 sessionId, uint256 taskId, TaskStatus want) private view returns (Task storage t) {
        t = _task(sessionId, taskId);
        if (t.status != want) revert InvalidTaskStatus(sessionId, taskId, t.status);
    }

    function _assignedMiner(uint256 sessionId, uint256 taskId) private view returns (MinerState storage ms) {
        ms = _miner[sessionId][taskId][msg.sender];
        if (!ms.assigned) revert NotAssignedMiner(sessionId, taskId, msg.sender);
    }

    function _beforeDeadline(uint256 sessionId, uint256 taskId, Task storage t, uint256 window) private view {
        uint256 deadline = t.phaseStartedAt + window;
        if (block.timestamp > deadline) revert PhaseDeadlinePassed(sessionId, taskId, deadline);
    }

    function _mayEndPhase(uint256 sessionId, uint256 taskId, Task storage t, uint256 window, bool allDone)
        private
        view
    {
        if (allDone || hasRole(ORACLE_ROLE, msg.sender)) return;
        uint256 deadline = t.phaseStartedAt + window;
        if (block.timestamp <= deadline) revert PhaseDeadlineNotReached(sessionId, taskId, deadline);
    }

    function _deadlineOf(Task storage t) private view returns (uint256) {
        if (t.status == TaskStatus.Queued) return t.miners.length == 0 ? 0 : t.phaseStartedAt + ackDeadline;
        if (t.status == TaskStatus.Acked) return t.phaseStartedAt + precommitDeadline;
        if (t.status == TaskStatus.Precommitted) return t.phaseStartedAt + commitDeadline;
        return 0;
    }

    function _filter(uint256 sessionId, uint256 taskId, Task storage t, uint8 step)
        private
        view
        returns (address[] memory out)
    {
        uint256 n = t.miners.length;
        out = new address[](n);
        uint256 k = 0;
        for (uint256 i = 0; i < n; i++) {
            MinerState storage ms = _miner[sessionId][taskId][t.miners[i]];
            bool ok = step == STEP_ACK ? ms.acked : step == STEP_PRECOMMIT ? ms.precommitted : ms.committed;
            if (ok) out[k++] = t.miners[i];
        }
        assembly {
            mstore(out, k)
        }
    }
}
