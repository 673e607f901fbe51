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
/// Commitment scheme: precommit hash = keccak256(abi.encodePacked(data, salt, minerAddress)):
/// the result string's bytes, a 32-byte salt the miner picks and reveals at commit, and the
/// miner's 20-byte address. The address stops a lazy miner from copying another's hash; the
/// salt stops anyone from guessing a short answer from the hash before the reveal. The
/// published 3-argument `commit` reveals with a zero salt (for clients that precommitted
/// without one); `commit(sessionId, taskId, data, salt)` reveals a real salt.
///
/// The external surface follows Cortensor's published SessionQueueV2 ABI
/// (cortensor/community-projects, apps/tensorme-simple/resources/src/abi/SessionQueueV2.json).
/// Per-miner result state (getTaskResultState): 0 not assigned, 1 assigned, 2 acked,
/// 3 precommitted, 4 committed.
contract SessionQueueV2 is AccessRoles {
    enum TaskStatus {
        Queued,
        Acked,
        Precommitted,
        Committed,
        Completed
    }

    /// @notice The published task tuple (getTasksBySessionId, getTask).
    struct Task {
        uint256 id;
        uint256 gid;
        uint256 sessionId;
        string data;
        address[] assignedMiners;
        bool ended;
        TaskStatus status;
        uint256 createdAt;
        uint256 lastPrecommitAt;
        uint256 lastCommitAt;
        uint256 finishedAt;
    }

    /// @dev What is stored per task: the published tuple less the ids the position gives.
    struct TaskRecord {
        uint256 gid;
        string data;
        address[] assignedMiners;
        bool ended;
        TaskStatus status;
        uint256 createdAt;
        uint256 lastPrecommitAt;
        uint256 lastCommitAt;
        uint256 finishedAt;
    }

    /// @dev What is stored per task decoration (the ids come from the task).
    struct Prompt {
        uint256 promptType;
        string promptTemplate;
        uint256 maxTokens;
        uint256 temperature;
        uint256 topP;
        uint256 topK;
        uint256 presencePenalty;
        uint256 frequencyPenalty;
    }

    /// @notice The published task decoration tuple; `id` is the task's global id.
    struct TaskDecoration {
        uint256 id;
        uint256 sessionId;
        uint256 taskId;
        uint256 promptType;
        string promptTemplate;
        uint256 maxTokens;
        uint256 temperature;
        uint256 topP;
        uint256 topK;
        uint256 presencePenalty;
        uint256 frequencyPenalty;
    }

    /// @notice Phase bookkeeping of a task (ours).
    struct Progress {
        uint256 phaseStartedAt;
        uint256 ackCount;
        uint256 precommitCount;
        uint256 commitCount;
        bool allPrecommittedEmitted;
        bool allCommittedEmitted;
    }

    /// @dev state and the three timestamps share one storage slot (one write per phase).
    struct MinerState {
        uint8 state; // see contract doc: 0 none .. 4 committed
        uint64 ackedAt;
        uint64 precommittedAt;
        uint64 committedAt;
        bytes32 precommitHash;
        string result;
    }

    uint8 private constant M_ASSIGNED = 1;
    uint8 private constant M_ACKED = 2;
    uint8 private constant M_PRECOMMITTED = 3;
    uint8 private constant M_COMMITTED = 4;
    /// @notice llmParams longer than this are refused (six are defined).
    uint256 public constant MAX_LLM_PARAMS = 8;

    error UnknownTask(uint256 sessionId, uint256 taskId);
    error InvalidTaskStatus(uint256 sessionId, uint256 taskId, TaskStatus status);
    error TaskAlreadyAssigned(uint256 sessionId, uint256 taskId);
    error TaskNotAssigned(uint256 sessionId, uint256 taskId);
    error NotRouter(uint256 sessionId, address caller);
    error EmptyMinerList();
    error TooManyMiners(uint256 count, uint256 slots);
    error TooManyLlmParams(uint256 count, uint256 max);
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
    error InvalidDeadlines(uint256 ackDeadline, uint256 precommitDeadline, uint256 commitDeadline);
    error ModelMismatch(uint256 sessionId, uint256 modelIdentifier, uint256 sessionModel);
    error SeedNotRevealed(uint256 sessionId, uint256 taskId, uint256 round);
    error BadSeedReveal(bytes32 expectedHash, bytes32 seed);
    error NotDrawnMiners(uint256 sessionId, uint256 taskId);

    event TaskQueued(uint256 sessionId, uint256 taskId, uint256 globalId, string taskData);
    event TaskAssigned(uint256 sessionId, uint256 taskId, address[] miners);
    event TaskAcked(uint256 sessionId, uint256 taskId, address miner);
    event TaskAckEnded(uint256 sessionId, uint256 taskId, uint256 ackCount);
    event TaskPrecommitted(uint256 sessionId, uint256 taskId, address miner);
    event TaskAllPrecommitted(uint256 sessionId, uint256 taskId, address[] miners);
    event TaskPrecommitEnded(uint256 sessionId, uint256 taskId);
    event TaskCommitted(uint256 sessionId, uint256 taskId, address miner);
    event TaskAllCommitted(uint256 sessionId, uint256 taskId, address[] miners);
    event TaskCommitEnded(uint256 sessionId, uint256 taskId);
    event TaskEnded(uint256 sessionId, uint256 taskId, address[] miners);
    event DeadlinesUpdated(uint256 ackDeadline, uint256 precommitDeadline, uint256 commitDeadline);
    event SessionInfoUpdated(address sessionInfo);
    /// @notice ADMIN_ROLE committed a new seed chain: `anchor` = keccak256 applied n times to a secret.
    event SeedAnchorSet(bytes32 anchor);
    /// @notice The oracle revealed the seed of `round` (its keccak256 is the previous seed).
    event SeedRevealed(uint256 indexed round, bytes32 seed);

    /// @notice SessionV2 (session membership, routers and redundancy are looked up there).
    ISessionInfo public sessionInfo;
    /// @notice Phase deadlines in seconds.
    uint256 public ackDeadline = 60;
    uint256 public precommitDeadline = 120;
    uint256 public commitDeadline = 120;
    /// @notice Number of tasks ever enqueued, all sessions (next global id).
    uint256 public globalTaskCount;

    mapping(uint256 => TaskRecord[]) private _tasks;
    mapping(uint256 => mapping(uint256 => Prompt)) private _prompts;
    mapping(uint256 => mapping(uint256 => Progress)) private _progress;
    mapping(uint256 => mapping(uint256 => mapping(address => MinerState))) private _miner;
    mapping(uint256 => mapping(uint256 => uint256[])) private _requestParams;

    /// @notice Head of the oracle's seed chain: the last revealed seed (the anchor before any).
    bytes32 public seedAnchor;
    /// @notice Seeds revealed since the anchor was set.
    uint256 public seedRound;
    mapping(uint256 => bytes32) private _seeds; // round => seed
    mapping(uint256 => mapping(uint256 => uint256)) private _seedRound; // task => round it draws from

    constructor(address admin) AccessRoles(admin) {}

    function setSessionInfo(ISessionInfo sessionInfo_) external onlyRole(ADMIN_ROLE) {
        sessionInfo = sessionInfo_;
        emit SessionInfoUpdated(address(sessionInfo_));
    }

    /// @notice Phase deadlines in seconds, each at least 1 (a zero window would let anyone end a
    ///         phase the moment it starts, before any miner could act).
    function setDeadlines(uint256 ack_, uint256 precommit_, uint256 commit_) external onlyRole(ADMIN_ROLE) {
        if (ack_ == 0 || precommit_ == 0 || commit_ == 0) revert InvalidDeadlines(ack_, precommit_, commit_);
        ackDeadline = ack_;
        precommitDeadline = precommit_;
        commitDeadline = commit_;
        emit DeadlinesUpdated(ack_, precommit_, commit_);
    }

    // ------------------------------------------------------------------ flow

    /// @notice Append a task and its decoration to `sessionId` (SESSION_CONTRACT_ROLE). Task ids
    ///         start at 0 per session. llmParams = [maxTokens, temperature, topP, topK,
    ///         presencePenalty, frequencyPenalty] (missing entries are 0).
    function enqueueTask(
        uint256 sessionId,
        string calldata taskData,
        uint256 promptType,
        string calldata promptTemplate,
        uint256[] calldata llmParams
    ) external onlyRole(SESSION_CONTRACT_ROLE) returns (uint256 taskId) {
        return _enqueue(sessionId, taskData, promptType, promptTemplate, llmParams, new uint256[](0));
    }

    /// @notice The newer published variant (chaplin): also stores the client's requestParams
    ///         (opaque to the protocol; readable with getTaskRequestParams).
    function enqueueTask(
        uint256 sessionId,
        string calldata taskData,
        uint256 promptType,
        string calldata promptTemplate,
        uint256[] calldata llmParams,
        uint256[] calldata requestParams
    ) external onlyRole(SESSION_CONTRACT_ROLE) returns (uint256 taskId) {
        return _enqueue(sessionId, taskData, promptType, promptTemplate, llmParams, requestParams);
    }

    function _enqueue(
        uint256 sessionId,
        string calldata taskData,
        uint256 promptType,
        string calldata promptTemplate,
        uint256[] calldata llmParams,
        uint256[] memory requestParams
    ) private returns (uint256 taskId) {
        if (llmParams.length > MAX_LLM_PARAMS) revert TooManyLlmParams(llmParams.length, MAX_LLM_PARAMS);
        TaskRecord[] storage list = _tasks[sessionId];
        taskId = list.length;
        TaskRecord storage t = list.push();
        uint256 gid = globalTaskCount++;
        t.gid = gid;
        t.data = taskData;
        t.createdAt = block.timestamp;
        Prompt storage d = _prompts[sessionId][taskId];
        d.promptType = promptType;
        d.promptTemplate = promptTemplate;
        d.maxTokens = _param(llmParams, 0);
        d.temperature = _param(llmParams, 1);
        d.topP = _param(llmParams, 2);
        d.topK = _param(llmParams, 3);
        d.presencePenalty = _param(llmParams, 4);
        d.frequencyPenalty = _param(llmParams, 5);
        if (requestParams.length > MAX_LLM_PARAMS) revert TooManyLlmParams(requestParams.length, MAX_LLM_PARAMS);
        if (requestParams.length != 0) _requestParams[sessionId][taskId] = requestParams;
        if (seedAnchor != bytes32(0)) _seedRound[sessionId][taskId] = seedRound + 1;
        emit TaskQueued(sessionId, taskId, gid, taskData);
    }

    /// @notice Attach miners to a Queued task and start the ack phase. Callers: SESSION_CONTRACT_ROLE,
    ///         ROUTER_ROLE, or the session's owner/routers (SessionV2.canRoute). Every miner must be
    ///         a node of the session; at most `taskSlots` (the session's redundancy) miners.
    ///         SessionV2 is told (it emits TaskAssigned with node ids and bonds the miners' stake
    ///         until the task's verdicts are final).
    function assignTask(uint256 sessionId, uint256 taskId, address[] calldata miners) external {
        _assign(sessionId, taskId, miners);
    }

    /// @notice The newer published variant (chaplin): `modelIdentifier` must be the session's model.
    function assignTask(uint256 sessionId, uint256 taskId, address[] calldata miners, uint256 modelIdentifier)
        external
    {
        uint256 model = _info().sessionModel(sessionId);
        if (modelIdentifier != model) revert ModelMismatch(sessionId, modelIdentifier, model);
        _assign(sessionId, taskId, miners);
    }

    function _assign(uint256 sessionId, uint256 taskId, address[] calldata miners) private {
        ISessionInfo info = _info();
        if (
            !hasRole(SESSION_CONTRACT_ROLE, msg.sender) && !hasRole(ROUTER_ROLE, msg.sender)
                && !info.canRoute(sessionId, msg.sender)
        ) revert NotRouter(sessionId, msg.sender);
        TaskRecord storage t = _task(sessionId, taskId);
        if (t.status != TaskStatus.Queued) revert InvalidTaskStatus(sessionId, taskId, t.status);
        if (t.assignedMiners.length != 0) revert TaskAlreadyAssigned(sessionId, taskId);
        if (miners.length == 0) revert EmptyMinerList();
        uint256 slots = info.taskSlots(sessionId);
        if (miners.length > slots) revert TooManyMiners(miners.length, slots);
        if (!hasRole(SESSION_CONTRACT_ROLE, msg.sender) && !hasRole(ROUTER_ROLE, msg.sender)) {
            _requireDrawn(sessionId, taskId, miners, info);
        }
        for (uint256 i = 0; i < miners.length; i++) {
            address m = miners[i];
            if (!info.isSessionMiner(sessionId, m)) revert NotSessionMiner(sessionId, m);
            MinerState storage ms = _miner[sessionId][taskId][m];
            if (ms.state != 0) revert DuplicateMiner(m);
            ms.state = M_ASSIGNED;
            t.assignedMiners.push(m);
        }
        _progress[sessionId][taskId].phaseStartedAt = block.timestamp;
        info.noteTaskAssigned(sessionId, taskId, miners);
        emit TaskAssigned(sessionId, taskId, miners);
    }

    /// @notice An assigned miner acknowledges the task (ack phase, before its deadline).
    function ack(uint256 sessionId, uint256 taskId) external {
        TaskRecord storage t = _inPhase(sessionId, taskId, TaskStatus.Queued);
        if (t.assignedMiners.length == 0) revert TaskNotAssigned(sessionId, taskId);
        Progress storage p = _progress[sessionId][taskId];
        _beforeDeadline(sessionId, taskId, p, ackDeadline);
        MinerState storage ms = _assignedMiner(sessionId, taskId);
        if (ms.state >= M_ACKED) revert AlreadyAcked(sessionId, taskId, msg.sender);
        ms.state = M_ACKED;
        ms.ackedAt = uint64(block.timestamp);
        p.ackCount++;
        emit TaskAcked(sessionId, taskId, msg.sender);
    }

    /// @notice Close the ack phase: Queued -> Acked.
    function endAck(uint256 sessionId, uint256 taskId) external {
        TaskRecord storage t = _inPhase(sessionId, taskId, TaskStatus.Queued);
        if (t.assignedMiners.length == 0) revert TaskNotAssigned(sessionId, taskId);
        Progress storage p = _progress[sessionId][taskId];
        _mayEndPhase(sessionId, taskId, p, ackDeadline, p.ackCount == t.assignedMiners.length);
        t.status = TaskStatus.Acked;
        p.phaseStartedAt = block.timestamp;
        emit TaskAckEnded(sessionId, taskId, p.ackCount);
    }

    /// @notice An acked miner posts keccak256(abi.encodePacked(result, salt, miner)). `data`
    ///         is opaque precommit metadata (e.g. a client/version tag); it is not stored.
    function precommit(uint256 sessionId, uint256 taskId, bytes32 hash, string calldata data) external {
        data; // published parameter, intentionally unused
        TaskRecord storage t = _inPhase(sessionId, taskId, TaskStatus.Acked);
        Progress storage p = _progress[sessionId][taskId];
        _beforeDeadline(sessionId, taskId, p, precommitDeadline);
        MinerState storage ms = _assignedMiner(sessionId, taskId);
        if (ms.state < M_ACKED) revert NotAcked(sessionId, taskId, msg.sender);
        if (ms.state >= M_PRECOMMITTED) revert AlreadyPrecommitted(sessionId, taskId, msg.sender);
        ms.state = M_PRECOMMITTED;
        ms.precommitHash = hash;
        ms.precommittedAt = uint64(block.timestamp);
        t.lastPrecommitAt = block.timestamp;
        p.precommitCount++;
        emit TaskPrecommitted(sessionId, taskId, msg.sender);
        if (p.precommitCount == p.ackCount) {
            p.allPrecommittedEmitted = true;
            emit TaskAllPrecommitted(sessionId, taskId, _filter(sessionId, taskId, t, M_PRECOMMITTED));
        }
    }

    /// @notice Close the precommit phase: Acked -> Precommitted. If `emitAllPrecommitted` and
    ///         TaskAllPrecommitted was not emitted yet, emit it with the miners that precommitted.
    function endPrecommit(uint256 sessionId, uint256 taskId, bool emitAllPrecommitted) external {
        TaskRecord storage t = _inPhase(sessionId, taskId, TaskStatus.Acked);
        Progress storage p = _progress[sessionId][taskId];
        _mayEndPhase(sessionId, taskId, p, precommitDeadline, p.precommitCount == p.ackCount);
        t.status = TaskStatus.Precommitted;
        p.phaseStartedAt = block.timestamp;
        if (emitAllPrecommitted && !p.allPrecommittedEmitted) {
            p.allPrecommittedEmitted = true;
            emit TaskAllPrecommitted(sessionId, taskId, _filter(sessionId, taskId, t, M_PRECOMMITTED));
        }
        emit TaskPrecommitEnded(sessionId, taskId);
    }

    /// @notice Reveal a result precommitted without a salt (published form; salt = 0).
    function commit(uint256 sessionId, uint256 taskId, string calldata data) external {
        _commit(sessionId, taskId, data, bytes32(0));
    }

    /// @notice Reveal the result and its salt. Refused with CommitMismatch unless
    ///         keccak256(abi.encodePacked(data, salt, msg.sender)) equals the precommit hash.
    function commit(uint256 sessionId, uint256 taskId, string calldata data, bytes32 salt) external {
        _commit(sessionId, taskId, data, salt);
    }

    /// @notice Close the commit phase: Precommitted -> Committed.
    /// @return true if at least one miner committed a result (the task has something to judge)
    function endCommit(uint256 sessionId, uint256 taskId, bool emitAllCommitted) external returns (bool) {
        TaskRecord storage t = _inPhase(sessionId, taskId, TaskStatus.Precommitted);
        Progress storage p = _progress[sessionId][taskId];
        _mayEndPhase(sessionId, taskId, p, commitDeadline, p.commitCount == p.precommitCount);
        t.status = TaskStatus.Committed;
        p.phaseStartedAt = block.timestamp;
        if (emitAllCommitted && !p.allCommittedEmitted) {
            p.allCommittedEmitted = true;
            emit TaskAllCommitted(sessionId, taskId, _filter(sessionId, taskId, t, M_COMMITTED));
        }
        emit TaskCommitEnded(sessionId, taskId);
        return p.commitCount != 0;
    }

    /// @notice Finish the task: Committed -> Completed (anyone). With `forceEnd` (ORACLE_ROLE
    ///         only) any non-Completed task is ended, e.g. one nobody acked.
    function end(uint256 sessionId, uint256 taskId, bool forceEnd) external {
        TaskRecord storage t = _task(sessionId, taskId);
        if (forceEnd) {
            _checkRole(ORACLE_ROLE, msg.sender);
            if (t.status == TaskStatus.Completed) revert InvalidTaskStatus(sessionId, taskId, t.status);
        } else if (t.status != TaskStatus.Committed) {
            revert InvalidTaskStatus(sessionId, taskId, t.status);
        }
        t.status = TaskStatus.Completed;
        t.ended = true;
        t.finishedAt = block.timestamp;
        _progress[sessionId][taskId].phaseStartedAt = block.timestamp;
        emit TaskEnded(sessionId, taskId, _filter(sessionId, taskId, t, M_COMMITTED));
    }

    // ------------------------------------------------------------------ views (published)

    /// @notice A node's id: keccak256 of its address, as SessionV2 and NodePool derive it.
    function getNodeId(address nodeAddress) external pure returns (bytes32) {
        return keccak256(abi.encodePacked(nodeAddress));
    }

    /// @notice keccak256 of a string's bytes (a helper for clients; not the precommit scheme).
    function getHash(string calldata str) public pure returns (bytes32) {
        return keccak256(bytes(str));
    }

    function verifyHash(string calldata str, bytes32 hash) external pure returns (bool) {
        return getHash(str) == hash;
    }

    /// @notice Miners that committed, and their results (same order).
    function getTaskResults(uint256 sessionId, uint256 taskId)
        external
        view
        returns (address[] memory miners, string[] memory results)
    {
        TaskRecord storage t = _task(sessionId, taskId);
        miners = _filter(sessionId, taskId, t, M_COMMITTED);
        results = new string[](miners.length);
        for (uint256 i = 0; i < miners.length; i++) results[i] = _miner[sessionId][taskId][miners[i]].result;
    }

    /// @notice For every task of the session: the miners that committed, their results and
    ///         their precommit hashes.
    function getAllTaskResults(uint256 sessionId)
        external
        view
        returns (address[][] memory miners, string[][] memory results, bytes32[][] memory hashes)
    {
        TaskRecord[] storage list = _tasks[sessionId];
        uint256 n = list.length;
        miners = new address[][](n);
        results = new string[][](n);
        hashes = new bytes32[][](n);
        for (uint256 t = 0; t < n; t++) {
            address[] memory ms = _filter(sessionId, t, list[t], M_COMMITTED);
            miners[t] = ms;
            results[t] = new string[](ms.length);
            hashes[t] = new bytes32[](ms.length);
            for (uint256 i = 0; i < ms.length; i++) {
                MinerState storage st = _miner[sessionId][t][ms[i]];
                results[t][i] = st.result;
                hashes[t][i] = st.precommitHash;
            }
        }
    }

    /// @notice Miners that precommitted, and their precommit hashes.
    function getTaskResultHashes(uint256 sessionId, uint256 taskId)
        external
        view
        returns (address[] memory miners, bytes32[] memory hashes)
    {
        miners = _filter(sessionId, taskId, _task(sessionId, taskId), M_PRECOMMITTED);
        hashes = new bytes32[](miners.length);
        for (uint256 i = 0; i < miners.length; i++) hashes[i] = _miner[sessionId][taskId][miners[i]].precommitHash;
    }

    function getTaskResultData(uint256 sessionId, uint256 taskId, address miner) external view returns (string memory) {
        _task(sessionId, taskId);
        return _miner[sessionId][taskId][miner].result;
    }

    function getTaskResultPrecommitTimestamp(uint256 sessionId, uint256 taskId, address miner)
        external
        view
        returns (uint256)
    {
        _task(sessionId, taskId);
        return _miner[sessionId][taskId][miner].precommittedAt;
    }

    function getTaskResultCommitTimestamp(uint256 sessionId, uint256 taskId, address miner)
        external
        view
        returns (uint256)
    {
        _task(sessionId, taskId);
        return _miner[sessionId][taskId][miner].committedAt;
    }

    /// @notice Assigned miners and when each acked (0 = not acked).
    function getAllTaskResultAckedTimestamps(uint256 sessionId, uint256 taskId)
        external
        view
        returns (address[] memory, uint256[] memory)
    {
        return _timestamps(sessionId, taskId, M_ACKED);
    }

    function getAllTaskResultPrecommitTimestamps(uint256 sessionId, uint256 taskId)
        external
        view
        returns (address[] memory, uint256[] memory)
    {
        return _timestamps(sessionId, taskId, M_PRECOMMITTED);
    }

    function getAllTaskResultCommitTimestamps(uint256 sessionId, uint256 taskId)
        external
        view
        returns (address[] memory, uint256[] memory)
    {
        return _timestamps(sessionId, taskId, M_COMMITTED);
    }

    /// @notice TaskStatus as uint8 (see contract NatSpec for values).
    function getTaskStatus(uint256 sessionId, uint256 taskId) external view returns (uint8) {
        return uint8(_task(sessionId, taskId).status);
    }

    /// @notice One miner's progress on a task (see contract NatSpec for values).
    function getTaskResultState(uint256 sessionId, uint256 taskId, address addr) external view returns (uint8) {
        _task(sessionId, taskId);
        return _miner[sessionId][taskId][addr].state;
    }

    /// @notice True once the ack phase of the task is over.
    function isAcked(uint256 sessionId, uint256 taskId) external view returns (bool) {
        return _task(sessionId, taskId).status >= TaskStatus.Acked;
    }

    function getTask(uint256 sessionId, uint256 taskId) external view returns (Task memory) {
        return _published(sessionId, taskId, _task(sessionId, taskId));
    }

    function getTasksBySessionId(uint256 sessionId) external view returns (Task[] memory tasks) {
        TaskRecord[] storage list = _tasks[sessionId];
        tasks = new Task[](list.length);
        for (uint256 i = 0; i < list.length; i++) tasks[i] = _published(sessionId, i, list[i]);
    }

    function getTaskCountBySessionId(uint256 sessionId) external view returns (uint256) {
        return _tasks[sessionId].length;
    }

    function getTaskCountBySessionIds(uint256[] calldata sessionIds) external view returns (uint256[] memory counts) {
        counts = new uint256[](sessionIds.length);
        for (uint256 i = 0; i < sessionIds.length; i++) counts[i] = _tasks[sessionIds[i]].length;
    }

    /// @notice The newest task's data; reverts UnknownTask(sessionId, 0) for a session with none.
    function getLatestTask(uint256 sessionId) external view returns (string memory) {
        TaskRecord[] storage list = _tasks[sessionId];
        if (list.length == 0) revert UnknownTask(sessionId, 0);
        return list[list.length - 1].data;
    }

    function getTaskData(uint256 sessionId, uint256 taskId) external view returns (string memory) {
        return _task(sessionId, taskId).data;
    }

    function getTaskDecoration(uint256 sessionId, uint256 taskId) external view returns (TaskDecoration memory) {
        Prompt storage d = _decoration(sessionId, taskId);
        return TaskDecoration(
            _tasks[sessionId][taskId].gid,
            sessionId,
            taskId,
            d.promptType,
            d.promptTemplate,
            d.maxTokens,
            d.temperature,
            d.topP,
            d.topK,
            d.presencePenalty,
            d.frequencyPenalty
        );
    }

    function getTaskDecorationPromptType(uint256 sessionId, uint256 taskId) external view returns (uint256) {
        return _decoration(sessionId, taskId).promptType;
    }

    function getTaskDecorationPromptTemplate(uint256 sessionId, uint256 taskId) external view returns (string memory) {
        return _decoration(sessionId, taskId).promptTemplate;
    }

    function getTaskDecorationMaxTokens(uint256 sessionId, uint256 taskId) external view returns (uint256) {
        return _decoration(sessionId, taskId).maxTokens;
    }

    function getTaskDecorationTemperature(uint256 sessionId, uint256 taskId) external view returns (uint256) {
        return _decoration(sessionId, taskId).temperature;
    }

    function getTaskDecorationTopP(uint256 sessionId, uint256 taskId) external view returns (uint256) {
        return _decoration(sessionId, taskId).topP;
    }

    function getTaskDecorationTopK(uint256 sessionId, uint256 taskId) external view returns (uint256) {
        return _decoration(sessionId, taskId).topK;
    }

    function getTaskDecorationPresencePenalty(uint256 sessionId, uint256 taskId) external view returns (uint256) {
        return _decoration(sessionId, taskId).presencePenalty;
    }

    function getTaskDecorationFrequencyPenalty(uint256 sessionId, uint256 taskId) external view returns (uint256) {
        return _decoration(sessionId, taskId).frequencyPenalty;
    }

    // ------------------------------------------------------------------ views (ours)

    /// @notice Phase bookkeeping of a task and the current phase's deadline (0 if none).
    function getTaskProgress(uint256 sessionId, uint256 taskId)
        external
        view
        returns (Progress memory progress, uint256 phaseDeadline)
    {
        TaskRecord storage t = _task(sessionId, taskId);
        progress = _progress[sessionId][taskId];
        uint256 started = progress.phaseStartedAt;
        if (t.status == TaskStatus.Queued) phaseDeadline = t.assignedMiners.length == 0 ? 0 : started + ackDeadline;
        else if (t.status == TaskStatus.Acked) phaseDeadline = started + precommitDeadline;
        else if (t.status == TaskStatus.Precommitted) phaseDeadline = started + commitDeadline;
    }

    function getTaskMiners(uint256 sessionId, uint256 taskId) external view returns (address[] memory) {
        return _task(sessionId, taskId).assignedMiners;
    }

    function isAssigned(uint256 sessionId, uint256 taskId, address miner) external view returns (bool) {
        return _miner[sessionId][taskId][miner].state != 0;
    }

    function hasCommitted(uint256 sessionId, uint256 taskId, address miner) external view returns (bool) {
        return _miner[sessionId][taskId][miner].state == M_COMMITTED;
    }

    function taskCount(uint256 sessionId) external view returns (uint256) {
        return _tasks[sessionId].length;
    }

    // ------------------------------------------------------------------ task seeds (ours)
    //
    // Which of a session's nodes serve a task is drawn, not chosen by the session's owner: once
    // ADMIN_ROLE has anchored a seed chain (anchor = keccak256^n(secret), kept by the oracle),
    // every task enqueued afterwards draws from the first seed revealed after it was enqueued,
    // and the session's owner and its own routers may assign only the drawn miners
    // (drawMiners). The owner cannot know that seed when it submits (only its keccak256 is
    // public) and the oracle cannot change it (each reveal must hash to the previous one).
    // What can still be steered is in docs/contracts.md (the oracle knows its whole chain;
    // network routers holding ROUTER_ROLE assign freely).

    /// @notice Commit a new seed chain (ADMIN_ROLE). Tasks enqueued from now on draw their miners.
    function setSeedAnchor(bytes32 anchor) external onlyRole(ADMIN_ROLE) {
        seedAnchor = anchor;
        emit SeedAnchorSet(anchor);
    }

    /// @notice Reveal the next seed (ORACLE_ROLE): keccak256(seed) must be the current head.
    function revealSeed(bytes32 seed) external onlyRole(ORACLE_ROLE) {
        bytes32 head = seedAnchor;
        if (head == bytes32(0) || keccak256(abi.encodePacked(seed)) != head) revert BadSeedReveal(head, seed);
        seedAnchor = seed;
        uint256 round = ++seedRound;
        _seeds[round] = seed;
        emit SeedRevealed(round, seed);
    }

    /// @notice The miners a task must be assigned (owner or session router): min(redundancy,
    ///         nodes) of the session's nodes, drawn from the task's revealed seed. Reverts
    ///         SeedNotRevealed until the oracle revealed that seed; empty if the task draws nothing.
    function drawMiners(uint256 sessionId, uint256 taskId) public view returns (address[] memory drawn) {
        _task(sessionId, taskId);
        uint256 round = _seedRound[sessionId][taskId];
        if (round == 0) return drawn;
        if (round > seedRound) revert SeedNotRevealed(sessionId, taskId, round);
        ISessionInfo info = _info();
        address[] memory nodes = info.sessionNodes(sessionId);
        uint256 count = info.taskSlots(sessionId);
        if (count > nodes.length) count = nodes.length;
        uint256 rand = uint256(keccak256(abi.encodePacked(_seeds[round], sessionId, taskId)));
        for (uint256 i = 0; i < count; i++) {
            uint256 j = i + uint256(keccak256(abi.encodePacked(rand, i))) % (nodes.length - i);
            (nodes[i], nodes[j]) = (nodes[j], nodes[i]);
        }
        assembly {
            mstore(nodes, count)
        }
        return nodes;
    }

    /// @notice The seed round a task draws its miners from (0: enqueued before any anchor).
    function getTaskSeedRound(uint256 sessionId, uint256 taskId) external view returns (uint256) {
        _task(sessionId, taskId);
        return _seedRound[sessionId][taskId];
    }

    function _requireDrawn(uint256 sessionId, uint256 taskId, address[] calldata miners, ISessionInfo) private view {
        if (_seedRound[sessionId][taskId] == 0) return;
        address[] memory drawn = drawMiners(sessionId, taskId);
        if (drawn.length != miners.length) revert NotDrawnMiners(sessionId, taskId);
        for (uint256 i = 0; i < drawn.length; i++) {
            if (drawn[i] != miners[i]) revert NotDrawnMiners(sessionId, taskId);
        }
    }

    // ------------------------------------------------------------------ newer published views

    /// @notice The client's requestParams of a task (the chaplin submit's extra array).
    function getTaskRequestParams(uint256 sessionId, uint256 taskId) external view returns (uint256[] memory) {
        _task(sessionId, taskId);
        return _requestParams[sessionId][taskId];
    }

    /// @notice A miner's precommit hash (zero before it precommitted).
    function getTaskResultDataHash(uint256 sessionId, uint256 taskId, address miner) external view returns (bytes32) {
        _task(sessionId, taskId);
        return _miner[sessionId][taskId][miner].precommitHash;
    }

    /// @notice Miners that committed, their results and their precommit hashes (same order).
    function getTaskResultsAndHashes(uint256 sessionId, uint256 taskId)
        external
        view
        returns (address[] memory miners, string[] memory results, bytes32[] memory hashes)
    {
        miners = _filter(sessionId, taskId, _task(sessionId, taskId), M_COMMITTED);
        results = new string[](miners.length);
        hashes = new bytes32[](miners.length);
        for (uint256 i = 0; i < miners.length; i++) {
            MinerState storage ms = _miner[sessionId][taskId][miners[i]];
            results[i] = ms.result;
            hashes[i] = ms.precommitHash;
        }
    }

    /// @notice The task's data for the calling miner once it acked (NotAcked before). Every
    ///         storage slot is public on a chain: this guards clients from working unacked, not secrets.
    function getTaskDataWithAcked(uint256 sessionId, uint256 taskId) external view returns (string memory) {
        TaskRecord storage t = _task(sessionId, taskId);
        if (_miner[sessionId][taskId][msg.sender].state < M_ACKED) revert NotAcked(sessionId, taskId, msg.sender);
        return t.data;
    }

    /// @notice Number of tasks enqueued for a session (the published public-mapping getter).
    function sessionTaskCount(uint256 sessionId) external view returns (uint256) {
        return _tasks[sessionId].length;
    }

    // ------------------------------------------------------------------ internals

    function _commit(uint256 sessionId, uint256 taskId, string calldata data, bytes32 salt) private {
        TaskRecord storage t = _inPhase(sessionId, taskId, TaskStatus.Precommitted);
        Progress storage p = _progress[sessionId][taskId];
        _beforeDeadline(sessionId, taskId, p, commitDeadline);
        MinerState storage ms = _assignedMiner(sessionId, taskId);
        if (ms.state < M_PRECOMMITTED) revert NotPrecommitted(sessionId, taskId, msg.sender);
        if (ms.state == M_COMMITTED) revert AlreadyCommitted(sessionId, taskId, msg.sender);
        bytes32 actual = keccak256(abi.encodePacked(data, salt, msg.sender));
        if (actual != ms.precommitHash) revert CommitMismatch(ms.precommitHash, actual);
        ms.state = M_COMMITTED;
        ms.result = data;
        ms.committedAt = uint64(block.timestamp);
        t.lastCommitAt = block.timestamp;
        p.commitCount++;
        emit TaskCommitted(sessionId, taskId, msg.sender);
        if (p.commitCount == p.precommitCount) {
            p.allCommittedEmitted = true;
            emit TaskAllCommitted(sessionId, taskId, _filter(sessionId, taskId, t, M_COMMITTED));
        }
    }

    function _info() private view returns (ISessionInfo info) {
        info = sessionInfo;
        if (address(info) == address(0)) revert SessionInfoNotSet();
    }

    function _param(uint256[] calldata params, uint256 i) private pure returns (uint256) {
        return i < params.length ? params[i] : 0;
    }

    function _published(uint256 sessionId, uint256 taskId, TaskRecord storage t) private view returns (Task memory) {
        return Task(
            taskId,
            t.gid,
            sessionId,
            t.data,
            t.assignedMiners,
            t.ended,
            t.status,
            t.createdAt,
            t.lastPrecommitAt,
            t.lastCommitAt,
            t.finishedAt
        );
    }

    function _task(uint256 sessionId, uint256 taskId) private view returns (TaskRecord storage) {
        TaskRecord[] storage list = _tasks[sessionId];
        if (taskId >= list.length) revert UnknownTask(sessionId, taskId);
        return list[taskId];
    }

    function _decoration(uint256 sessionId, uint256 taskId) private view returns (Prompt storage) {
        _task(sessionId, taskId);
        return _prompts[sessionId][taskId];
    }

    function _inPhase(uint256 sessionId, uint256 taskId, TaskStatus want) private view returns (TaskRecord storage t) {
        t = _task(sessionId, taskId);
        if (t.status != want) revert InvalidTaskStatus(sessionId, taskId, t.status);
    }

    function _assignedMiner(uint256 sessionId, uint256 taskId) private view returns (MinerState storage ms) {
        ms = _miner[sessionId][taskId][msg.sender];
        if (ms.state == 0) revert NotAssignedMiner(sessionId, taskId, msg.sender);
    }

    function _beforeDeadline(uint256 sessionId, uint256 taskId, Progress storage p, uint256 window) private view {
        uint256 deadline = p.phaseStartedAt + window;
        if (block.timestamp > deadline) revert PhaseDeadlinePassed(sessionId, taskId, deadline);
    }

    function _mayEndPhase(uint256 sessionId, uint256 taskId, Progress storage p, uint256 window, bool allDone)
        private
        view
    {
        if (allDone || hasRole(ORACLE_ROLE, msg.sender)) return;
        uint256 deadline = p.phaseStartedAt + window;
        if (block.timestamp <= deadline) revert PhaseDeadlineNotReached(sessionId, taskId, deadline);
    }

    /// @dev Assigned miners whose state reached `minState`, in assignment order.
    function _filter(uint256 sessionId, uint256 taskId, TaskRecord storage t, uint8 minState)
        private
        view
        returns (address[] memory out)
    {
        uint256 n = t.assignedMiners.length;
        out = new address[](n);
        uint256 k = 0;
        for (uint256 i = 0; i < n; i++) {
            address m = t.assignedMiners[i];
            if (_miner[sessionId][taskId][m].state >= minState) out[k++] = m;
        }
        assembly {
            mstore(out, k)
        }
    }

    function _timestamps(uint256 sessionId, uint256 taskId, uint8 step)
        private
        view
        returns (address[] memory miners, uint256[] memory times)
    {
        miners = _task(sessionId, taskId).assignedMiners;
        times = new uint256[](miners.length);
        for (uint256 i = 0; i < miners.length; i++) {
            MinerState storage ms = _miner[sessionId][taskId][miners[i]];
            times[i] = step == M_ACKED ? ms.ackedAt : step == M_PRECOMMITTED ? ms.precommittedAt : ms.committedAt;
        }
    }
}
