// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {AccessRoles} from "./AccessRoles.sol";
import {INodePool, ISessionInfo, ISessionQueue, ISessionPayment, IPrivateSessions} from "./Interfaces.sol";

/// @title SessionV2
/// @notice Sessions: a user (the owner) creates a session, which reserves miner nodes from
///         NodePool; the owner funds it on SessionPayment and submits tasks (itself or through
///         routers it added); tasks go to SessionQueueV2.
///
/// Mode values (Cortensor's are unofficial; ours):
///   0 ephemeral - nodes are drawn at random from NodePool's Ephemeral set at creation;
///                 requires reserveEphemeralNodes = true; no dedicated nodes
///   1 hybrid    - optional random reservation plus dedicated nodes
///   2 dedicated - only dedicated nodes (addDedicatedNode); requires reserveEphemeralNodes = false
/// At creation with reservation, min(maxNumOfNodes, eligible) nodes serving `modelIdentifier`
/// are reserved; fewer than minNumOfNodes eligible reverts NotEnoughNodes.
///
/// Parameter meaning (our interpretation where Cortensor is silent):
///   redundant            - miners per task (task slots); 1..maxNumOfNodes; the task price
///                          escrowed on submit is SessionPayment.pricePerMinerPerTask * redundant
///   numOfValidatorNodes  - recorded, <= maxNumOfNodes (validators are off-chain here)
///   sla, reservePeriod   - recorded for routers/oracles (seconds), not enforced on-chain
///   maxTaskExecutionCount- maximum number of tasks the session accepts; 0 = unlimited
///   variableAddress      - opaque address recorded for the session (e.g. a pricing contract)
contract SessionV2 is AccessRoles, ISessionInfo {
    uint256 public constant MAX_NODES = 32;
    uint256 public constant MODE_EPHEMERAL = 0;
    uint256 public constant MODE_HYBRID = 1;
    uint256 public constant MODE_DEDICATED = 2;

    struct Session {
        uint256 id;
        bytes32 sid;
        address owner;
        string name;
        string metadata;
        address variableAddress;
        uint256 minNumOfNodes;
        uint256 maxNumOfNodes;
        uint256 redundant;
        uint256 numOfValidatorNodes;
        uint256 mode;
        bool reserveEphemeralNodes;
        uint256 sla;
        uint256 modelIdentifier;
        uint256 reservePeriod;
        uint256 maxTaskExecutionCount;
        bool active;
        uint256 createdAt;
        uint256 taskCount;
        bytes32[] nodeIds;
        address[] miners;
    }

    error UnknownSession(uint256 sessionId);
    error SessionNotActive(uint256 sessionId);
    error NotSessionOwner(uint256 sessionId, address caller);
    error NotOwnerOrRouter(uint256 sessionId, address caller);
    error InvalidNodeRange(uint256 minNumOfNodes, uint256 maxNumOfNodes);
    error InvalidRedundancy(uint256 redundant, uint256 maxNumOfNodes);
    error InvalidValidatorCount(uint256 numOfValidatorNodes, uint256 maxNumOfNodes);
    error InvalidMode(uint256 mode, bool reserveEphemeralNodes);
    error NotEnoughNodes(uint256 minNumOfNodes, uint256 available);
    error DedicatedNodesNotAllowed(uint256 mode);
    error SessionFull(uint256 sessionId, uint256 maxNumOfNodes);
    error NodeNotInSession(uint256 sessionId, bytes32 nodeId);
    error NodeNotIdle(bytes32 nodeId);
    error TaskLimitReached(uint256 sessionId, uint256 maxTaskExecutionCount);
    error PrivateSessionRequiresCiphertext(uint256 sessionId);
    error OnlyPrivateSessions(address caller);
    error ContractsNotSet();

    event SessionCreated(uint256 sessionId, bytes32 sid, address owner, address[] miners);
    event SessionUpdated(uint256 sessionId, address owner);
    event SessionDeactivated(uint256 sessionId, address owner, uint256 refunded);
    event TaskSubmitted(uint256 sessionId, uint256 taskId, string taskData, string clientReference);
    /// @notice Task decoration: node type, prompt type/template and llm params
    ///         [maxTokens, temperature, topP, topK, presencePenalty, frequencyPenalty] (ints).
    event TaskParams(
        uint256 indexed sessionId,
        uint256 indexed taskId,
        uint256 nodeType,
        uint256 promptType,
        string promptTemplate,
        uint256[] llmParams
    );
    event NewNodeAssignedToSession(uint256 sessionId, bytes32 nodeId, address miner);
    event NodeReleased(bytes32 nodeId, uint256 sessionId);
    event DedicatedNodeAdded(uint256 sessionId, bytes32 nodeId, address miner);
    event DedicatedNodeRemoved(uint256 sessionId, bytes32 nodeId);
    event RouterAdded(uint256 sessionId, address router);
    event RouterRemoved(uint256 sessionId, address router);
    event ContractsUpdated(address nodePool, address queue, address payment, address privateSessions);

    INodePool public nodePool;
    ISessionQueue public queue;
    ISessionPayment public payment;
    IPrivateSessions public privateSessions;
    /// @notice Number of sessions created (ids are 0..sessionCount-1).
    uint256 public sessionCount;

    mapping(uint256 => Session) private _sessions;
    mapping(uint256 => mapping(bytes32 => uint256)) private _nodePos; // 1-based in nodeIds
    mapping(uint256 => mapping(address => bool)) private _isMiner;
    mapping(uint256 => mapping(address => bool)) public isRouter;

    constructor(address admin) AccessRoles(admin) {}

    /// @notice Wire the collaborating contracts (ADMIN_ROLE). privateSessions may be zero.
    function setContracts(INodePool nodePool_, ISessionQueue queue_, ISessionPayment payment_, IPrivateSessions privateSessions_)
        external
        onlyRole(ADMIN_ROLE)
    {
        nodePool = nodePool_;
        queue = queue_;
        payment = payment_;
        privateSessions = privateSessions_;
        emit ContractsUpdated(address(nodePool_), address(queue_), address(payment_), address(privateSessions_));
    }

    // ------------------------------------------------------------------ lifecycle

    /// @notice Create a session owned by the caller; reserves nodes per `mode` (see contract doc).
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
    ) external returns (uint256 sessionId) {
        if (address(nodePool) == address(0)) revert ContractsNotSet();
        if (minNumOfNodes == 0 || minNumOfNodes > maxNumOfNodes || maxNumOfNodes > MAX_NODES) {
            revert InvalidNodeRange(minNumOfNodes, maxNumOfNodes);
        }
        if (redundant == 0 || redundant > maxNumOfNodes) revert InvalidRedundancy(redundant, maxNumOfNodes);
        if (numOfValidatorNodes > maxNumOfNodes) revert InvalidValidatorCount(numOfValidatorNodes, maxNumOfNodes);
        if (
            mode > MODE_DEDICATED || (mode == MODE_EPHEMERAL && !reserveEphemeralNodes)
                || (mode == MODE_DEDICATED && reserveEphemeralNodes)
        ) revert InvalidMode(mode, reserveEphemeralNodes);

        sessionId = sessionCount++;
        Session storage s = _sessions[sessionId];
        s.id = sessionId;
        s.sid = keccak256(abi.encodePacked(block.chainid, address(this), sessionId));
        s.owner = msg.sender;
        s.name = name;
        s.metadata = metadata;
        s.variableAddress = variableAddress;
        s.minNumOfNodes = minNumOfNodes;
        s.maxNumOfNodes = maxNumOfNodes;
        s.redundant = redundant;
        s.numOfValidatorNodes = numOfValidatorNodes;
        s.mode = mode;
        s.reserveEphemeralNodes = reserveEphemeralNodes;
        s.sla = sla;
        s.modelIdentifier = modelIdentifier;
        s.reservePeriod = reservePeriod;
        s.maxTaskExecutionCount = maxTaskExecutionCount;
        s.active = true;
        s.createdAt = block.timestamp;
        if (reserveEphemeralNodes) _reserveInitial(s);
        emit SessionCreated(sessionId, s.sid, msg.sender, s.miners);
    }

    /// @notice Change the mutable descriptive parameters of an active session (owner only).
    function update(
        uint256 sessionId,
        string calldata name,
        string calldata metadata,
        uint256 sla,
        uint256 reservePeriod,
        uint256 maxTaskExecutionCount
    ) external {
        Session storage s = _ownedActive(sessionId);
        s.name = name;
        s.metadata = metadata;
        s.sla = sla;
        s.reservePeriod = reservePeriod;
        s.maxTaskExecutionCount = maxTaskExecutionCount;
        emit SessionUpdated(sessionId, msg.sender);
    }

    /// @notice Deactivate (owner or ADMIN_ROLE): releases every node back to NodePool (they need
    ///         revalidation) and refunds the session's unspent, unescrowed deposit to the owner.
    ///         Escrow of tasks still in flight returns to the session balance when those tasks
    ///         are allocated; SessionPayment.refund(sessionId) then pays it out.
    function deactivateSession(uint256 sessionId) external {
        Session storage s = _existing(sessionId);
        if (msg.sender != s.owner && !hasRole(ADMIN_ROLE, msg.sender)) revert NotSessionOwner(sessionId, msg.sender);
        if (!s.active) revert SessionNotActive(sessionId);
        s.active = false;
        for (uint256 i = 0; i < s.nodeIds.length; i++) {
            bytes32 nodeId = s.nodeIds[i];
            nodePool.releaseReservedNodeFromSession(sessionId, nodeId);
            delete _nodePos[sessionId][nodeId];
            delete _isMiner[sessionId][s.miners[i]];
            emit NodeReleased(nodeId, sessionId);
        }
        delete s.nodeIds;
        delete s.miners;
        uint256 refunded = payment.refund(sessionId);
        emit SessionDeactivated(sessionId, s.owner, refunded);
    }

    // ------------------------------------------------------------------ tasks

    /// @notice Submit a task (owner or an added router). The session must be active and funded:
    ///         SessionPayment escrows pricePerMinerPerTask * redundant or the call reverts there
    ///         with InsufficientSessionFunds. Private sessions must use PrivateSessionV2.submitPrivate.
    function submit(
        uint256 sessionId,
        uint256 nodeType,
        string calldata taskData,
        uint256 promptType,
        string calldata promptTemplate,
        uint256[] calldata llmParams,
        string calldata clientReference
    ) external returns (uint256 taskId) {
        if (address(privateSessions) != address(0) && privateSessions.isPrivate(sessionId)) {
            revert PrivateSessionRequiresCiphertext(sessionId);
        }
        taskId = _submit(sessionId, msg.sender, taskData, clientReference);
        emit TaskParams(sessionId, taskId, nodeType, promptType, promptTemplate, llmParams);
    }

    /// @notice Entry point for PrivateSessionV2 only: `taskData` is a descriptor of the
    ///         ciphertext commitment (never clear text); `submitter` is the original caller.
    function submitPrivate(
        uint256 sessionId,
        address submitter,
        uint256 nodeType,
        string calldata taskData,
        uint256 promptType,
        uint256[] calldata llmParams,
        string calldata clientReference
    ) external returns (uint256 taskId) {
        if (msg.sender != address(privateSessions) || msg.sender == address(0)) revert OnlyPrivateSessions(msg.sender);
        taskId = _submit(sessionId, submitter, taskData, clientReference);
        emit TaskParams(sessionId, taskId, nodeType, promptType, "", llmParams);
    }

    // ------------------------------------------------------------------ nodes and routers

    /// @notice Bind an Ephemeral node to this session as dedicated (owner; modes 1 and 2).
    function addDedicatedNode(uint256 sessionId, bytes32 nodeId) external {
        Session storage s = _ownedActive(sessionId);
        if (s.mode == MODE_EPHEMERAL) revert DedicatedNodesNotAllowed(s.mode);
        if (s.nodeIds.length >= s.maxNumOfNodes) revert SessionFull(sessionId, s.maxNumOfNodes);
        nodePool.addDedicatedNode(nodeId, sessionId);
        address miner = _addNode(s, nodeId);
        emit DedicatedNodeAdded(sessionId, nodeId, miner);
    }

    /// @notice Unbind a dedicated node (owner). The node becomes Released in NodePool.
    function removeDedicatedNode(uint256 sessionId, bytes32 nodeId) external {
        Session storage s = _ownedActive(sessionId);
        if (_nodePos[sessionId][nodeId] == 0) revert NodeNotInSession(sessionId, nodeId);
        nodePool.removeDedicatedNode(nodeId, sessionId);
        _removeNode(s, nodeId);
        emit DedicatedNodeRemoved(sessionId, nodeId);
    }

    /// @notice Allow `router` to submit and assign tasks for the session (owner).
    function addRouter(uint256 sessionId, address router) external {
        _ownedActive(sessionId);
        if (router == address(0)) revert ZeroAddress();
        isRouter[sessionId][router] = true;
        emit RouterAdded(sessionId, router);
    }

    function removeRouter(uint256 sessionId, address router) external {
        _ownedActive(sessionId);
        isRouter[sessionId][router] = false;
        emit RouterRemoved(sessionId, router);
    }

    /// @notice Release one node from the session: the owner at any time, anyone else only if
    ///         NodePool reports it idle (isNodeIdleInReservedState).
    function releaseByNodeId(uint256 sessionId, bytes32 nodeId) external {
        Session storage s = _existing(sessionId);
        if (_nodePos[sessionId][nodeId] == 0) revert NodeNotInSession(sessionId, nodeId);
        if (msg.sender != s.owner && !nodePool.isNodeIdleInReservedState(nodeId)) revert NodeNotIdle(nodeId);
        nodePool.releaseReservedNodeFromSession(sessionId, nodeId);
        _removeNode(s, nodeId);
        emit NodeReleased(nodeId, sessionId);
    }

    // ------------------------------------------------------------------ views

    function getSession(uint256 sessionId) external view returns (Session memory) {
        return _existing(sessionId);
    }

    /// @notice Delegates to SessionQueueV2.getTaskResults.
    function getTaskResults(uint256 sessionId, uint256 taskId)
        external
        view
        returns (address[] memory miners, string[] memory results)
    {
        return queue.getTaskResults(sessionId, taskId);
    }

    function getSessionNodes(uint256 sessionId) external view returns (bytes32[] memory nodeIds, address[] memory miners) {
        Session storage s = _existing(sessionId);
        return (s.nodeIds, s.miners);
    }

    /// @inheritdoc ISessionInfo
    function sessionOwner(uint256 sessionId) external view returns (address) {
        return _sessions[sessionId].owner;
    }

    /// @inheritdoc ISessionInfo
    function isSessionActive(uint256 sessionId) external view returns (bool) {
        return _sessions[sessionId].active;
    }

    /// @inheritdoc ISessionInfo
    function isSessionMiner(uint256 sessionId, address miner) external view returns (bool) {
        return _isMiner[sessionId][miner];
    }

    /// @inheritdoc ISessionInfo
    function canRoute(uint256 sessionId, address account) public view returns (bool) {
        return account == _sessions[sessionId].owner || isRouter[sessionId][account];
    }

    /// @inheritdoc ISessionInfo
    function taskSlots(uint256 sessionId) external view returns (uint256) {
        return _sessions[sessionId].redundant;
    }

    // ------------------------------------------------------------------ internals

    function _existing(uint256 sessionId) private view returns (Session storage s) {
        s = _sessions[sessionId];
        if (s.owner == address(0)) revert UnknownSession(sessionId);
    }

    function _ownedActive(uint256 sessionId) private view returns (Session storage s) {
        s = _existing(sessionId);
        if (msg.sender != s.owner) revert NotSessionOwner(sessionId, msg.sender);
        if (!s.active) revert SessionNotActive(sessionId);
    }

    function _submit(uint256 sessionId, address submitter, string calldata taskData, string calldata clientReference)
        private
        returns (uint256 taskId)
    {
        Session storage s = _existing(sessionId);
        if (!s.active) revert SessionNotActive(sessionId);
        if (!canRoute(sessionId, submitter)) revert NotOwnerOrRouter(sessionId, submitter);
        if (s.maxTaskExecutionCount != 0 && s.taskCount >= s.maxTaskExecutionCount) {
            revert TaskLimitReached(sessionId, s.maxTaskExecutionCount);
        }
        s.taskCount++;
        taskId = queue.enqueueTask(sessionId, taskData);
        payment.reserveTaskFunds(sessionId, taskId, s.redundant);
        for (uint256 i = 0; i < s.nodeIds.length; i++) nodePool.recordActivity(s.nodeIds[i]);
        emit TaskSubmitted(sessionId, taskId, taskData, clientReference);
    }

    function _reserveInitial(Session storage s) private {
        uint256 available = nodePool.countEligible(s.modelIdentifier);
        if (available < s.minNumOfNodes) revert NotEnoughNodes(s.minNumOfNodes, available);
        uint256 n = available < s.maxNumOfNodes ? available : s.maxNumOfNodes;
        bytes32[] memory ids = nodePool.reserveRandomBySession(s.id, n, s.modelIdentifier);
        for (uint256 i = 0; i < ids.length; i++) _addNode(s, ids[i]);
    }

    function _addNode(Session storage s, bytes32 nodeId) private returns (address miner) {
        miner = nodePool.nodeAddressOf(nodeId);
        s.nodeIds.push(nodeId);
        s.miners.push(miner);
        _nodePos[s.id][nodeId] = s.nodeIds.length;
        _isMiner[s.id][miner] = true;
        emit NewNodeAssignedToSession(s.id, nodeId, miner);
    }

    function _removeNode(Session storage s, bytes32 nodeId) private {
        uint256 pos = _nodePos[s.id][nodeId];
        uint256 last = s.nodeIds.length;
        delete _isMiner[s.id][s.miners[pos - 1]];
        if (pos != last) {
            bytes32 movedId = s.nodeIds[last - 1];
            s.nodeIds[pos - 1] = movedId;
            s.miners[pos - 1] = s.miners[last - 1];
            _nodePos[s.id][movedId] = pos;
        }
        s.nodeIds.pop();
        s.miners.pop();
        delete _nodePos[s.id][nodeId];
    }
}
