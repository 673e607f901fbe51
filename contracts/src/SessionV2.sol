// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {AccessRoles} from "./AccessRoles.sol";
import {INodePool, ISessionInfo, ISessionQueue, ISessionPayment, IPrivateSessions, ISessionV2} from "./Interfaces.sol";

/// @notice NodePool's published node-info view as SessionV2 reads it: the seven static fields of
///         NodePool.NodeInfo (nodeAddress, added, ephemeral, reserved and released timestamps,
///         sessionId, status), which ABI-encode exactly as that tuple.
interface INodePoolInfo {
    function getNodeInfo(bytes32 nodeId)
        external
        view
        returns (address, uint256, uint256, uint256, uint256, uint256, uint8);
}

/// @title SessionV2
/// @notice Sessions: a user (the owner) creates a session, which reserves miner nodes from
///         NodePool; the owner funds it on SessionPayment and submits tasks (itself or through
///         routers it added); tasks go to SessionQueueV2.
///
/// The external surface follows Cortensor's published SessionV2 ABI (cortensor/community-projects,
/// apps/chaplin/backend/abis/SessionV2.json for `create` and the `getSession` tuple,
/// apps/tensorme-simple/resources/src/abi/SessionV2.json for `submit`); docs/contracts.md lists
/// the choice and every difference.
///
/// Mode values (Cortensor's are unofficial; ours):
///   0 ephemeral - nodes are drawn from NodePool's Ephemeral set at creation;
///                 requires reserveEphemeralNodes = true; no dedicated nodes
///   1 hybrid    - optional reservation plus dedicated nodes
///   2 dedicated - only dedicated nodes (addDedicatedNode); requires reserveEphemeralNodes = false
/// Session state (ours): 0 none, 1 active, 2 deactivated.
///
/// Cost of a session: `create` takes a bond of SessionPayment.bondPerNode * maxNumOfNodes from
/// the creator (refunded on deactivation), so reserving the pool is never free. A dedicated
/// node is bound only after its operator consented (approveDedicatedSession).
contract SessionV2 is AccessRoles, ISessionInfo, ISessionV2 {
    uint256 public constant MAX_NODES = 32;
    uint256 public constant MAX_ROUTERS = 16;
    /// @notice Longest idle time a session may claim for its nodes (`reservePeriod`) before
    ///         anyone may release them (releaseByNodeId): past it, idle nodes go back to the pool.
    uint256 public constant MAX_RESERVE_PERIOD = 1 days;
    uint256 public constant MODE_EPHEMERAL = 0;
    uint256 public constant MODE_HYBRID = 1;
    uint256 public constant MODE_DEDICATED = 2;
    uint8 public constant STATE_ACTIVE = 1;
    uint8 public constant STATE_DEACTIVATED = 2;
    /// @dev NodePool.NodeStatus.Reserved (docs/contracts.md, "Enum values").
    uint8 private constant NODE_RESERVED = 3;

    /// @notice The published `getSession` tuple, field for field.
    struct Session {
        uint256 id;
        bytes32 sid;
        string name;
        string metadata;
        uint8 state;
        uint256 createdAt;
        uint256 updatedAt;
        address owner;
        address[] ephemeralNodes;
        address[] dedicatedNodes;
        uint256 mode;
        uint256 redundant;
        uint256 minNumOfNodes;
        uint256 maxNumOfNodes;
        uint256 numOfValidatorNodes;
        string[] routerMetadatas;
        address[] routerAddresses;
        uint256 sla;
        uint256 modelIdentifier;
        uint256 reservePeriod;
        uint256 maxTaskExecutionCount;
    }

    error UnknownSession(uint256 sessionId);
    error SessionNotActive(uint256 sessionId);
    error NotSessionOwner(uint256 sessionId, address caller);
    error NotOwnerOrRouter(uint256 sessionId, address caller);
    error InvalidNodeRange(uint256 minNumOfNodes, uint256 maxNumOfNodes);
    error InvalidRedundancy(uint256 redundant, uint256 maxNumOfNodes);
    error InvalidValidatorCount(uint256 numOfValidatorNodes, uint256 maxNumOfNodes);
    error InvalidMode(uint256 mode, bool reserveEphemeralNodes);
    error DedicatedNodesNotAllowed(uint256 mode);
    error SessionFull(uint256 sessionId, uint256 maxNumOfNodes);
    error NodeNotInSession(uint256 sessionId, address nodeAddress);
    error NodeNotIdle(bytes32 nodeId);
    error NodeConsentMissing(uint256 sessionId, address nodeAddress);
    error TaskLimitReached(uint256 sessionId, uint256 maxTaskExecutionCount);
    error PrivateSessionRequiresCiphertext(uint256 sessionId);
    error OnlyPrivateSessions(address caller);
    error OnlyQueue(address caller);
    error TooManyRouters(uint256 sessionId, uint256 maxRouters);
    error RouterAlreadyAdded(uint256 sessionId, address routerAddress);
    error RouterNotFound(uint256 sessionId, address routerAddress);
    error NoSessionForAddress(address userAddr);
    error ContractsNotSet();
    error InvalidReservePeriod(uint256 reservePeriod, uint256 maximum);

    event SessionCreated(uint256 sessionId, bytes32 sid, address owner, address[] miners);
    event SessionUpdated(
        uint256 indexed sessionId, address indexed updater, uint256 minNumOfNodes, uint256 maxNumOfNodes, uint256 redundant
    );
    event SessionDeactivated(uint256 indexed sessionId, address indexed deactivator);
    event TaskSubmitted(uint256 sessionId, uint256 taskId, string taskData, string clientReference);
    event TaskAssigned(uint256 sessionId, uint256 taskId, bytes32[] nodeIds);
    /// @notice assignmentType (ours): 0 reserved at creation, 1 dedicated.
    event NewNodeAssignedToSession(
        uint256 indexed sessionId, address[] nodeAddresses, uint256 newNodeCount, uint256 assignmentType
    );
    event NodeReleased(bytes32 nodeId, uint256 sessionId);
    event DedicatedNodeAdded(address indexed nodeAddress);
    event DedicatedNodeRemoved(address indexed nodeAddress);
    event DedicatedSessionApproved(address indexed nodeAddress, uint256 indexed sessionId);
    event RouterAdded(address routerAddress, string routerInfo);
    event RouterRemoved(address routerAddress);
    event ContractsUpdated(address nodePool, address queue, address payment, address privateSessions);

    INodePool public nodePool;
    ISessionQueue public queue;
    ISessionPayment public payment;
    IPrivateSessions public privateSessions;
    /// @notice Number of sessions created (ids are 0..sessionCount-1).
    uint256 public sessionCount;
    /// @notice Session ids created by each address, in creation order.
    mapping(address => uint256[]) public userSessions;
    /// @notice The session a node operator agreed to serve as a dedicated node (id + 1; 0 = none).
    mapping(address => uint256) public dedicatedConsent;

    mapping(uint256 => Session) private _sessions;
    mapping(uint256 => uint256) private _taskCount;
    mapping(uint256 => address) private _variableAddress;
    mapping(uint256 => mapping(address => uint256)) private _ephemeralPos; // 1-based
    mapping(uint256 => mapping(address => uint256)) private _dedicatedPos; // 1-based
    mapping(uint256 => mapping(address => uint256)) private _routerPos; // 1-based

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

    /// @notice Create a session owned by the caller; takes the session bond (approve
    ///         SessionPayment first) and reserves nodes per `mode` (see contract doc).
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
    ) external {
        if (address(nodePool) == address(0)) revert ContractsNotSet();
        _checkShape(minNumOfNodes, maxNumOfNodes, redundant, numOfValidatorNodes);
        if (
            mode > MODE_DEDICATED || (mode == MODE_EPHEMERAL && !reserveEphemeralNodes)
                || (mode == MODE_DEDICATED && reserveEphemeralNodes)
        ) revert InvalidMode(mode, reserveEphemeralNodes);
        if (reservePeriod > MAX_RESERVE_PERIOD) revert InvalidReservePeriod(reservePeriod, MAX_RESERVE_PERIOD);

        uint256 sessionId = sessionCount++;
        Session storage s = _sessions[sessionId];
        s.id = sessionId;
        s.sid = keccak256(abi.encodePacked(block.chainid, address(this), sessionId));
        s.name = name;
        s.metadata = metadata;
        s.state = STATE_ACTIVE;
        s.createdAt = block.timestamp;
        s.updatedAt = block.timestamp;
        s.owner = msg.sender;
        s.mode = mode;
        s.redundant = redundant;
        s.minNumOfNodes = minNumOfNodes;
        s.maxNumOfNodes = maxNumOfNodes;
        s.numOfValidatorNodes = numOfValidatorNodes;
        s.sla = sla;
        s.modelIdentifier = modelIdentifier;
        s.reservePeriod = reservePeriod;
        s.maxTaskExecutionCount = maxTaskExecutionCount;
        _variableAddress[sessionId] = variableAddress;
        userSessions[msg.sender].push(sessionId);

        payment.takeSessionBond(sessionId, msg.sender, maxNumOfNodes);
        if (reserveEphemeralNodes) _reserveInitial(s);
        emit SessionCreated(sessionId, s.sid, msg.sender, s.ephemeralNodes);
    }

    /// @notice Change name, metadata and node shape of an active session (owner). The new
    ///         shape must hold the nodes the session already has; the mode cannot change
    ///         (a reservation was made for it), and maxNumOfNodes may not exceed what the bond covers.
    function update(
        string calldata name,
        string calldata metadata,
        uint256 sessionId,
        uint256 minNumOfNodes,
        uint256 maxNumOfNodes,
        uint256 redundant,
        uint256 numOfValidatorNodes,
        uint256 mode
    ) external {
        Session storage s = _ownedActive(sessionId);
        _checkShape(minNumOfNodes, maxNumOfNodes, redundant, numOfValidatorNodes);
        uint256 held = s.ephemeralNodes.length + s.dedicatedNodes.length;
        if (maxNumOfNodes < held || maxNumOfNodes > s.maxNumOfNodes) revert InvalidNodeRange(minNumOfNodes, maxNumOfNodes);
        if (mode != s.mode) revert InvalidMode(mode, s.mode != MODE_DEDICATED);
        s.name = name;
        s.metadata = metadata;
        s.minNumOfNodes = minNumOfNodes;
        s.maxNumOfNodes = maxNumOfNodes;
        s.redundant = redundant;
        s.numOfValidatorNodes = numOfValidatorNodes;
        s.updatedAt = block.timestamp;
        emit SessionUpdated(sessionId, msg.sender, minNumOfNodes, maxNumOfNodes, redundant);
    }

    /// @notice Deactivate (owner or ADMIN_ROLE): release every node back to NodePool (they need
    ///         revalidation) and refund the unspent deposit and the bond to the owner. A node
    ///         NodePool no longer holds for this session is dropped without reverting, so a
    ///         session can always be closed. Escrow of tasks in flight returns to the session
    ///         balance when those tasks are allocated (or reclaimed); SessionPayment.refund pays it.
    function deactivateSession(uint256 sessionId) external {
        Session storage s = _existing(sessionId);
        if (msg.sender != s.owner && !hasRole(ADMIN_ROLE, msg.sender)) revert NotSessionOwner(sessionId, msg.sender);
        if (s.state != STATE_ACTIVE) revert SessionNotActive(sessionId);
        s.state = STATE_DEACTIVATED;
        s.updatedAt = block.timestamp;
        _releaseAll(sessionId, s.ephemeralNodes, _ephemeralPos[sessionId]);
        _releaseAll(sessionId, s.dedicatedNodes, _dedicatedPos[sessionId]);
        delete s.ephemeralNodes;
        delete s.dedicatedNodes;
        payment.refund(sessionId);
        emit SessionDeactivated(sessionId, msg.sender);
    }

    // ------------------------------------------------------------------ tasks

    /// @notice Submit a task (owner or an added router). The session must be active and funded:
    ///         SessionPayment escrows pricePerMinerPerTask * redundant or the call reverts there
    ///         with InsufficientSessionFunds. The task decoration (promptType, promptTemplate,
    ///         llmParams = [maxTokens, temperature, topP, topK, presencePenalty, frequencyPenalty])
    ///         is stored on SessionQueueV2. Private sessions must use PrivateSessionV2.submitPrivate.
    function submit(
        uint256 sessionId,
        uint256 nodeType,
        string calldata taskData,
        uint256 promptType,
        string calldata promptTemplate,
        uint256[] calldata llmParams,
        string calldata clientReference
    ) external {
        nodeType; // published parameter; one node type exists here
        if (address(privateSessions) != address(0) && privateSessions.isPrivate(sessionId)) {
            revert PrivateSessionRequiresCiphertext(sessionId);
        }
        _submit(sessionId, msg.sender, taskData, promptType, promptTemplate, llmParams, new uint256[](0), clientReference);
    }

    /// @notice The newer published `submit` (cortensor/community-projects apps/chaplin): as the
    ///         7-argument one, plus the client's `requestParams`, stored with the task on
    ///         SessionQueueV2 (getTaskRequestParams). Both variants stay, so clients of either work.
    function submit(
        uint256 sessionId,
        uint256 nodeType,
        string calldata taskData,
        uint256 promptType,
        string calldata promptTemplate,
        uint256[] calldata llmParams,
        uint256[] calldata requestParams,
        string calldata clientReference
    ) external {
        nodeType;
        if (address(privateSessions) != address(0) && privateSessions.isPrivate(sessionId)) {
            revert PrivateSessionRequiresCiphertext(sessionId);
        }
        _submit(sessionId, msg.sender, taskData, promptType, promptTemplate, llmParams, requestParams, clientReference);
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
        nodeType;
        if (msg.sender != address(privateSessions) || msg.sender == address(0)) revert OnlyPrivateSessions(msg.sender);
        taskId = _submit(sessionId, submitter, taskData, promptType, "", llmParams, new uint256[](0), clientReference);
    }

    /// @notice SessionQueueV2 reports an assignment: bond the miners' stake until the task's
    ///         verdicts are final, and emit the published TaskAssigned with node ids.
    function noteTaskAssigned(uint256 sessionId, uint256 taskId, address[] calldata miners) external {
        if (msg.sender != address(queue)) revert OnlyQueue(msg.sender);
        bytes32[] memory ids = new bytes32[](miners.length);
        for (uint256 i = 0; i < miners.length; i++) ids[i] = getNodeId(miners[i]);
        nodePool.lockForTask(miners);
        emit TaskAssigned(sessionId, taskId, ids);
    }

    // ------------------------------------------------------------------ nodes and routers

    /// @notice A node operator agrees to serve `sessionId` as a dedicated node (or withdraws
    ///         consent with a session that does not exist). Consent is used up when bound.
    function approveDedicatedSession(uint256 sessionId) external {
        dedicatedConsent[msg.sender] = sessionId + 1;
        emit DedicatedSessionApproved(msg.sender, sessionId);
    }

    /// @notice Bind an Ephemeral node to this session as dedicated (owner; modes 1 and 2). The
    ///         node's operator must have called approveDedicatedSession(sessionId).
    function addDedicatedNode(uint256 sessionId, address nodeAddress) external {
        Session storage s = _ownedActive(sessionId);
        if (s.mode == MODE_EPHEMERAL) revert DedicatedNodesNotAllowed(s.mode);
        if (s.ephemeralNodes.length + s.dedicatedNodes.length >= s.maxNumOfNodes) {
            revert SessionFull(sessionId, s.maxNumOfNodes);
        }
        if (dedicatedConsent[nodeAddress] != sessionId + 1) revert NodeConsentMissing(sessionId, nodeAddress);
        delete dedicatedConsent[nodeAddress];
        nodePool.addDedicatedNode(getNodeId(nodeAddress), sessionId);
        s.dedicatedNodes.push(nodeAddress);
        _dedicatedPos[sessionId][nodeAddress] = s.dedicatedNodes.length;
        address[] memory added = new address[](1);
        added[0] = nodeAddress;
        emit NewNodeAssignedToSession(sessionId, added, 1, 1);
        emit DedicatedNodeAdded(nodeAddress);
    }

    /// @notice Unbind a dedicated node (owner). The node becomes Released in NodePool.
    function removeDedicatedNode(uint256 sessionId, address nodeAddress) external {
        Session storage s = _ownedActive(sessionId);
        if (_dedicatedPos[sessionId][nodeAddress] == 0) revert NodeNotInSession(sessionId, nodeAddress);
        nodePool.removeDedicatedNode(getNodeId(nodeAddress), sessionId);
        _removeFrom(s.dedicatedNodes, _dedicatedPos[sessionId], nodeAddress);
        emit DedicatedNodeRemoved(nodeAddress);
    }

    /// @notice Allow `routerAddress` to submit and assign tasks for the session (owner).
    function addRouter(uint256 sessionId, address routerAddress, string calldata metadata) external {
        Session storage s = _ownedActive(sessionId);
        if (routerAddress == address(0)) revert ZeroAddress();
        if (_routerPos[sessionId][routerAddress] != 0) revert RouterAlreadyAdded(sessionId, routerAddress);
        if (s.routerAddresses.length >= MAX_ROUTERS) revert TooManyRouters(sessionId, MAX_ROUTERS);
        s.routerAddresses.push(routerAddress);
        s.routerMetadatas.push(metadata);
        _routerPos[sessionId][routerAddress] = s.routerAddresses.length;
        emit RouterAdded(routerAddress, metadata);
    }

    /// @notice Withdraw a router's right to submit and assign (owner).
    function removeRouter(uint256 sessionId, address routerAddress) external {
        Session storage s = _ownedActive(sessionId);
        uint256 pos = _routerPos[sessionId][routerAddress];
        if (pos == 0) revert RouterNotFound(sessionId, routerAddress);
        uint256 last = s.routerAddresses.length;
        if (pos != last) {
            address moved = s.routerAddresses[last - 1];
            s.routerAddresses[pos - 1] = moved;
            s.routerMetadatas[pos - 1] = s.routerMetadatas[last - 1];
            _routerPos[sessionId][moved] = pos;
        }
        s.routerAddresses.pop();
        s.routerMetadatas.pop();
        delete _routerPos[sessionId][routerAddress];
        emit RouterRemoved(routerAddress);
    }

    /// @notice Release one node from the session it serves: that session's owner at any time,
    ///         anyone else only if NodePool reports it idle for the session's reservePeriod.
    function releaseByNodeId(bytes32 nodeId) external {
        address nodeAddress = nodePool.nodeAddressOf(nodeId);
        uint256 sessionId = nodePool.getAssignedSessionId(nodeId);
        Session storage s = _existing(sessionId);
        bool ephemeral = _ephemeralPos[sessionId][nodeAddress] != 0;
        if (!ephemeral && _dedicatedPos[sessionId][nodeAddress] == 0) revert NodeNotInSession(sessionId, nodeAddress);
        if (msg.sender != s.owner && !nodePool.isNodeIdleInReservedState(nodeId, s.reservePeriod)) {
            revert NodeNotIdle(nodeId);
        }
        nodePool.releaseFromSession(sessionId, nodeId);
        if (ephemeral) _removeFrom(s.ephemeralNodes, _ephemeralPos[sessionId], nodeAddress);
        else _removeFrom(s.dedicatedNodes, _dedicatedPos[sessionId], nodeAddress);
        emit NodeReleased(nodeId, sessionId);
    }

    // ------------------------------------------------------------------ views (published)

    /// @notice A node's id: keccak256 of its address (20 bytes). Derived, so it cannot be squatted.
    function getNodeId(address nodeAddress) public pure returns (bytes32) {
        return keccak256(abi.encodePacked(nodeAddress));
    }

    function getSession(uint256 sessionId) external view returns (Session memory) {
        return _existing(sessionId);
    }

    function doesSessionExist(uint256 sessionId) external view returns (bool) {
        return _sessions[sessionId].owner != address(0);
    }

    function getSessionCount() external view returns (uint256) {
        return sessionCount;
    }

    function getSessionCountByAddress(address userAddr) external view returns (uint256) {
        return userSessions[userAddr].length;
    }

    function getSessionIds(address userAddr) external view returns (uint256[] memory) {
        return userSessions[userAddr];
    }

    function getUserSessions(address user) external view returns (uint256[] memory) {
        return userSessions[user];
    }

    /// @notice The newest session `userAddr` created; reverts NoSessionForAddress if none.
    function getLatestSessionId(address userAddr) external view returns (uint256) {
        uint256[] storage ids = userSessions[userAddr];
        if (ids.length == 0) revert NoSessionForAddress(userAddr);
        return ids[ids.length - 1];
    }

    function getSessionsByAddress(address userAddr) external view returns (Session[] memory) {
        return _page(userSessions[userAddr], 0, type(uint256).max, false);
    }

    /// @notice `amount` sessions of `userAddr` starting at index `offset` of its list (fewer at the end).
    function getSessionsByAddressByPage(address userAddr, uint256 offset, uint256 amount)
        external
        view
        returns (Session[] memory)
    {
        return _page(userSessions[userAddr], offset, amount, false);
    }

    function getActiveSessionsByAddress(address userAddr) external view returns (Session[] memory) {
        return _page(userSessions[userAddr], 0, type(uint256).max, true);
    }

    /// @notice Delegates to SessionQueueV2.getTaskResults.
    function getTaskResults(uint256 sessionId, uint256 taskId)
        external
        view
        returns (address[] memory miners, string[] memory results)
    {
        return queue.getTaskResults(sessionId, taskId);
    }

    function getEphemeralNodes(uint256 sessionId) external view returns (address[] memory) {
        return _existing(sessionId).ephemeralNodes;
    }

    function getDedicatedNodes(uint256 sessionId) external view returns (address[] memory) {
        return _existing(sessionId).dedicatedNodes;
    }

    function getDedicatedNodeExists(uint256 sessionId, address nodeAddress) external view returns (bool) {
        return _dedicatedPos[sessionId][nodeAddress] != 0;
    }

    function getRouterCount(uint256 sessionId) external view returns (uint256) {
        return _existing(sessionId).routerAddresses.length;
    }

    function getRouterInfo(uint256 sessionId, address routerAddress) external view returns (string memory) {
        uint256 pos = _routerPos[sessionId][routerAddress];
        if (pos == 0) revert RouterNotFound(sessionId, routerAddress);
        return _sessions[sessionId].routerMetadatas[pos - 1];
    }

    /// @notice The session a node is reserved by, from NodePool (reverts for an unreserved node).
    function getNodeSessionId(address nodeAddress) external view returns (uint256) {
        return nodePool.getAssignedSessionId(getNodeId(nodeAddress));
    }

    function isNodeAssignedToAnySession(address nodeAddress) external view returns (bool) {
        return nodePool.isReserved(getNodeId(nodeAddress));
    }

    /// @notice When the node was assigned to the session it serves now (NodePool's reserved
    ///         timestamp), or 0 if it serves none: a router's measure of how long a node is held.
    function getNodeAssignedTimestamp(address nodeAddress) external view returns (uint256) {
        (,,, uint256 reservedAt,,, uint8 status) = INodePoolInfo(address(nodePool)).getNodeInfo(getNodeId(nodeAddress));
        return status == NODE_RESERVED ? reservedAt : 0;
    }

    /// @notice The address recorded at creation (`variableAddress`, e.g. a pricing contract).
    function getVariableAddress(uint256 sessionId) external view returns (address) {
        _existing(sessionId);
        return _variableAddress[sessionId];
    }

    // ------------------------------------------------------------------ ISessionInfo

    /// @inheritdoc ISessionInfo
    function sessionOwner(uint256 sessionId) external view returns (address) {
        return _sessions[sessionId].owner;
    }

    /// @inheritdoc ISessionInfo
    function isSessionActive(uint256 sessionId) external view returns (bool) {
        return _sessions[sessionId].state == STATE_ACTIVE;
    }

    /// @inheritdoc ISessionInfo
    function isSessionMiner(uint256 sessionId, address miner) external view returns (bool) {
        return _ephemeralPos[sessionId][miner] != 0 || _dedicatedPos[sessionId][miner] != 0;
    }

    /// @inheritdoc ISessionInfo
    function canRoute(uint256 sessionId, address account) public view returns (bool) {
        return account == _sessions[sessionId].owner || _routerPos[sessionId][account] != 0;
    }

    /// @inheritdoc ISessionInfo
    function taskSlots(uint256 sessionId) external view returns (uint256) {
        return _sessions[sessionId].redundant;
    }

    /// @inheritdoc ISessionInfo
    function validatorQuorum(uint256 sessionId) external view returns (uint256) {
        uint256 n = _sessions[sessionId].numOfValidatorNodes;
        return n == 0 ? 1 : n;
    }

    /// @inheritdoc ISessionInfo
    function sessionModel(uint256 sessionId) external view returns (uint256) {
        return _existing(sessionId).modelIdentifier;
    }

    /// @inheritdoc ISessionInfo
    function sessionNodes(uint256 sessionId) external view returns (address[] memory nodes) {
        Session storage s = _existing(sessionId);
        uint256 e = s.ephemeralNodes.length;
        nodes = new address[](e + s.dedicatedNodes.length);
        for (uint256 i = 0; i < e; i++) nodes[i] = s.ephemeralNodes[i];
        for (uint256 i = 0; i < s.dedicatedNodes.length; i++) nodes[e + i] = s.dedicatedNodes[i];
    }

    // ------------------------------------------------------------------ routers and wiring (published, newer)

    event RouterUpdated(address routerAddress, string routerInfo);
    event AllRoutersRemoved(uint256 indexed sessionId);

    /// @notice Replace a router's metadata (owner).
    function updateRouter(uint256 sessionId, address routerAddress, string calldata newRouterInfo) external {
        Session storage s = _ownedActive(sessionId);
        uint256 pos = _routerPos[sessionId][routerAddress];
        if (pos == 0) revert RouterNotFound(sessionId, routerAddress);
        s.routerMetadatas[pos - 1] = newRouterInfo;
        emit RouterUpdated(routerAddress, newRouterInfo);
    }

    /// @notice Withdraw every router of the session at once (owner).
    function resetAllRouters(uint256 sessionId) external {
        Session storage s = _ownedActive(sessionId);
        for (uint256 i = 0; i < s.routerAddresses.length; i++) delete _routerPos[sessionId][s.routerAddresses[i]];
        delete s.routerAddresses;
        delete s.routerMetadatas;
        emit AllRoutersRemoved(sessionId);
    }

    /// @notice The router at `index` of the session's list (indices move when one is removed).
    function getRouterAddress(uint256 sessionId, uint256 index) external view returns (address) {
        address[] storage routers = _existing(sessionId).routerAddresses;
        if (index >= routers.length) revert RouterNotFound(sessionId, address(0));
        return routers[index];
    }

    /// @notice A router's index in the session's list, or -1 if it is not a router there.
    function getRouterIndex(uint256 sessionId, address routerAddress) external view returns (int256) {
        return int256(_routerPos[sessionId][routerAddress]) - 1;
    }

    /// @notice A router's index in the session's list (reverts RouterNotFound if absent).
    function getRouterAddressToIndex(uint256 sessionId, address routerAddress) external view returns (uint256) {
        uint256 pos = _routerPos[sessionId][routerAddress];
        if (pos == 0) revert RouterNotFound(sessionId, routerAddress);
        return pos - 1;
    }

    /// @notice True if some router of the session carries exactly this metadata.
    function getRouterInfoExists(uint256 sessionId, string calldata routerInfo) external view returns (bool) {
        string[] storage infos = _existing(sessionId).routerMetadatas;
        bytes32 wanted = keccak256(bytes(routerInfo));
        for (uint256 i = 0; i < infos.length; i++) {
            if (keccak256(bytes(infos[i])) == wanted) return true;
        }
        return false;
    }

    /// @notice The last router of the session's list (reverts RouterNotFound if it has none).
    function getLatestRouterAddress(uint256 sessionId) external view returns (address) {
        return _existing(sessionId).routerAddresses[getLatestRouterIndex(sessionId)];
    }

    function getLatestRouterIndex(uint256 sessionId) public view returns (uint256) {
        uint256 n = _existing(sessionId).routerAddresses.length;
        if (n == 0) revert RouterNotFound(sessionId, address(0));
        return n - 1;
    }

    function getLatestRouterInfo(uint256 sessionId) external view returns (string memory) {
        return _existing(sessionId).routerMetadatas[getLatestRouterIndex(sessionId)];
    }

    /// @notice The router metadata of every listed session, concatenated in the given order.
    function getRouterMetadatasBySessionIds(uint256[] memory sessionIds) public view returns (string[] memory out) {
        uint256 total = 0;
        for (uint256 i = 0; i < sessionIds.length; i++) total += _existing(sessionIds[i]).routerMetadatas.length;
        out = new string[](total);
        uint256 k = 0;
        for (uint256 i = 0; i < sessionIds.length; i++) {
            string[] storage infos = _sessions[sessionIds[i]].routerMetadatas;
            for (uint256 j = 0; j < infos.length; j++) out[k++] = infos[j];
        }
    }

    /// @notice The router metadata of every session `userAddr` created, oldest session first.
    function getRouterMetadatasByAddress(address userAddr) external view returns (string[] memory) {
        return getRouterMetadatasBySessionIds(userSessions[userAddr]);
    }

    function getDedicatedNodeCount(uint256 sessionId) external view returns (uint256) {
        return _existing(sessionId).dedicatedNodes.length;
    }

    function getMode(uint256 sessionId) external view returns (uint256) {
        return _existing(sessionId).mode;
    }

    /// @notice The session ids of `userAddr` (the published alias of getSessionIds).
    function getSessionsIdsByAddress(address userAddr) external view returns (uint256[] memory) {
        return userSessions[userAddr];
    }

    function getNodePoolAddress() external view returns (address) {
        return address(nodePool);
    }

    function getSessionQueueAddress() external view returns (address) {
        return address(queue);
    }

    function getSessionPaymentAddress() external view returns (address) {
        return address(payment);
    }

    // ------------------------------------------------------------------ internals

    function _existing(uint256 sessionId) private view returns (Session storage s) {
        s = _sessions[sessionId];
        if (s.owner == address(0)) revert UnknownSession(sessionId);
    }

    function _ownedActive(uint256 sessionId) private view returns (Session storage s) {
        s = _existing(sessionId);
        if (msg.sender != s.owner) revert NotSessionOwner(sessionId, msg.sender);
        if (s.state != STATE_ACTIVE) revert SessionNotActive(sessionId);
    }

    function _checkShape(uint256 minNumOfNodes, uint256 maxNumOfNodes, uint256 redundant, uint256 numOfValidatorNodes)
        private
        pure
    {
        if (minNumOfNodes == 0 || minNumOfNodes > maxNumOfNodes || maxNumOfNodes > MAX_NODES) {
            revert InvalidNodeRange(minNumOfNodes, maxNumOfNodes);
        }
        if (redundant == 0 || redundant > maxNumOfNodes) revert InvalidRedundancy(redundant, maxNumOfNodes);
        if (numOfValidatorNodes > maxNumOfNodes) revert InvalidValidatorCount(numOfValidatorNodes, maxNumOfNodes);
    }

    function _page(uint256[] storage ids, uint256 offset, uint256 amount, bool activeOnly)
        private
        view
        returns (Session[] memory out)
    {
        uint256 end = ids.length;
        if (offset > end) offset = end;
        if (amount < end - offset) end = offset + amount;
        out = new Session[](end - offset);
        uint256 k = 0;
        for (uint256 i = offset; i < end; i++) {
            Session storage s = _sessions[ids[i]];
            if (!activeOnly || s.state == STATE_ACTIVE) out[k++] = s;
        }
        assembly {
            mstore(out, k)
        }
    }

    function _submit(
        uint256 sessionId,
        address submitter,
        string calldata taskData,
        uint256 promptType,
        string memory promptTemplate,
        uint256[] calldata llmParams,
        uint256[] memory requestParams,
        string calldata clientReference
    ) private returns (uint256 taskId) {
        Session storage s = _existing(sessionId);
        if (s.state != STATE_ACTIVE) revert SessionNotActive(sessionId);
        if (!canRoute(sessionId, submitter)) revert NotOwnerOrRouter(sessionId, submitter);
        uint256 count = _taskCount[sessionId];
        if (s.maxTaskExecutionCount != 0 && count >= s.maxTaskExecutionCount) {
            revert TaskLimitReached(sessionId, s.maxTaskExecutionCount);
        }
        _taskCount[sessionId] = count + 1;
        taskId = queue.enqueueTask(sessionId, taskData, promptType, promptTemplate, llmParams, requestParams);
        payment.reserveTaskFunds(sessionId, taskId, s.redundant);
        nodePool.recordActivity(s.ephemeralNodes);
        nodePool.recordActivity(s.dedicatedNodes);
        emit TaskSubmitted(sessionId, taskId, taskData, clientReference);
    }

    function _reserveInitial(Session storage s) private {
        bytes32[] memory ids = nodePool.reserveRandomBySession(s.id, s.minNumOfNodes, s.maxNumOfNodes, s.modelIdentifier);
        mapping(address => uint256) storage pos = _ephemeralPos[s.id];
        for (uint256 i = 0; i < ids.length; i++) {
            address miner = nodePool.nodeAddressOf(ids[i]);
            s.ephemeralNodes.push(miner);
            pos[miner] = i + 1;
        }
        emit NewNodeAssignedToSession(s.id, s.ephemeralNodes, ids.length, 0);
    }

    function _releaseAll(uint256 sessionId, address[] storage nodes, mapping(address => uint256) storage pos) private {
        for (uint256 i = 0; i < nodes.length; i++) {
            address node = nodes[i];
            bytes32 nodeId = getNodeId(node);
            delete pos[node];
            if (nodePool.releaseFromSession(sessionId, nodeId)) emit NodeReleased(nodeId, sessionId);
        }
    }

    function _removeFrom(address[] storage list, mapping(address => uint256) storage pos, address node) private {
        uint256 p = pos[node];
        uint256 last = list.length;
        if (p != last) {
            address moved = list[last - 1];
            list[p - 1] = moved;
            pos[moved] = p;
        }
        list.pop();
        delete pos[node];
    }
}
