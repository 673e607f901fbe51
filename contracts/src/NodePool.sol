// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {AccessRoles} from "./AccessRoles.sol";
import {IERC20} from "./ERC20Base.sol";
import {INodeReputation} from "./Interfaces.sol";
import {INodePoolL1Backed, INodeStakeL1} from "./crosslayer/CrossLayerInterfaces.sol";
import {IArbSys, applyL1ToL2Alias} from "./nitro/NitroInterfaces.sol";

/// @title NodePool
/// @notice Registry of staked miner nodes and their lifecycle. A node operator stakes COR with
///         `addNode`; a validator/oracle (or a NodeReputation check) makes it Ephemeral, i.e.
///         available to sessions; SessionV2 (SESSION_CONTRACT_ROLE) reserves and releases it; a
///         released node must be revalidated before it is Ephemeral again.
///
/// NodeStatus values (Cortensor does not publish them; ours):
///   0 None      - unknown id, or removed
///   1 Added     - staked, not yet validated
///   2 Ephemeral - validated, in the pool, selectable by sessions
///   3 Reserved  - reserved by exactly one session (`Node.sessionId`); dedicated nodes too
///   4 Released  - released by its session, waits for revalidation (markEphemeral)
///   5 Unbonding - removal requested; stake returned by removeNode after `unbondingPeriod`
///
/// Transitions: Added|Released -> Ephemeral (markEphemeral / promoteByReputation);
/// Ephemeral -> Reserved (reserveBySession, reserveRandomBySession, addDedicatedNode);
/// Reserved -> Released (releaseFromSession, removeDedicatedNode);
/// Added|Ephemeral|Released -> Unbonding (requestRemoval) -> None (removeNode).
/// A Reserved node cannot start unbonding: it must be released first.
///
/// Node ids are derived, never chosen: nodeId = keccak256(abi.encodePacked(nodeAddress))
/// (getNodeId), so nobody can front-run an operator's addNode and squat its id.
///
/// Stake stays bonded while the node has tasks whose verdicts are not final: SessionV2 locks
/// each assigned miner (lockForTask), TaskValidator unlocks at finalize (unlockForTask), and
/// removeNode refuses while any lock is held. Slashing (SLASHER_ROLE: TaskValidator) needs such
/// a lock, uses it up, and takes at most MAX_SLASH_BPS of the stake per lock, so no role can
/// take a node's whole stake in one call or slash a node that has no task under judgement.
///
/// L1-backed nodes (see the "l1-backed nodes" block and docs/layers.md): on arbitrum, a node may
/// instead be staked on l1 (NodeStakeL1) and registered from base (Onboarding); both reach this
/// contract as retryables from the aliased l1 contracts. Such a node holds no COR here: its
/// `stake` mirrors the l1 bond, a slash is sent back to l1 through ArbSys.sendTxToL1, and
/// removeNode returns nothing (the COR is withdrawn on l1 after l1's unbonding period).
contract NodePool is AccessRoles, INodePoolL1Backed {
    enum NodeStatus {
        None,
        Added,
        Ephemeral,
        Reserved,
        Released,
        Unbonding
    }

    struct Node {
        bytes32 nodeId;
        address nodeAddress;
        NodeStatus status;
        uint256 stake;
        uint256[] modelIds;
        bytes publicKey;
        uint256 sessionId;
        bool dedicated;
        uint256 addedAt;
        uint256 lastActivity;
        uint256 removalRequestedAt;
        uint256 ephemeralAt;
        uint256 reservedAt;
        uint256 releasedAt;
        uint256 pendingTasks;
    }

    /// @notice The published node-info tuple (getNodeInfo, ephemeralNodes(bytes32), get(address)).
    struct NodeInfo {
        address nodeAddress;
        uint256 addedTimestamp;
        uint256 ephemeralTimestamp;
        uint256 reservedTimestamp;
        uint256 releasedTimestamp;
        uint256 sessionId;
        uint8 status;
    }

    /// @notice Models one node may register: bounds what reservation scans per node.
    uint256 public constant MAX_MODELS_PER_NODE = 16;
    /// @notice Ephemeral nodes one reservation looks at, from a pseudo-random start.
    uint256 public constant MAX_SELECTION_SCAN = 64;
    /// @notice Largest share of a node's stake one slash may take (basis points).
    uint256 public constant MAX_SLASH_BPS = 1_000;
    /// @notice Floors of the admin's configuration (a zero minimum stake or unbonding period
    ///         would let nodes join for free or leave before judgement).
    uint256 public constant MIN_STAKE_FLOOR = 1 ether;
    uint256 public constant MIN_UNBONDING_PERIOD = 1 hours;

    error NodeIdNotDerived(bytes32 nodeId, bytes32 expected);
    error NoModels();
    error TooManyModels(uint256 count, uint256 max);
    error NodeHasPendingTasks(bytes32 nodeId, uint256 pendingTasks);
    error NoTaskUnderJudgement(bytes32 nodeId);
    error InvalidUnbondingPeriod(uint256 seconds_, uint256 minimum);
    error StakeOutOfRange(uint256 stake, uint256 minStake, uint256 maxStake);
    error InvalidStakeLimits(uint256 minStake, uint256 maxStake);
    error UnknownNode(bytes32 nodeId);
    error InvalidNodeStatus(bytes32 nodeId, NodeStatus status);
    error NotNodeOwner(bytes32 nodeId, address caller);
    error UnbondingNotFinished(bytes32 nodeId, uint256 unlockTime);
    error NotEnoughEphemeralNodes(uint256 requested, uint256 available);
    error NotReservedBySession(bytes32 nodeId, uint256 sessionId);
    error NotDedicated(bytes32 nodeId);
    error SlashExceedsStake(bytes32 nodeId, uint256 amount, uint256 stake);
    error ReputationNotConfigured();
    error ReputationCheckFailed(bytes32 nodeId);
    error TokenTransferFailed();
    error InvalidPublicKeyLength(uint256 length);
    error PublicKeyNotOnCurve();

    event NodeAdded(bytes32 indexed nodeId, address indexed nodeAddress, uint256 timestamp);
    event NodeEphemeral(bytes32 indexed nodeId, address indexed nodeAddress, uint256 timestamp);
    event NodeReserved(bytes32 indexed nodeId, address indexed nodeAddress, uint256 timestamp);
    event NodeReleased(bytes32 indexed nodeId, address indexed nodeAddress, uint256 timestamp);
    event NodeRemoved(bytes32 indexed nodeId, address indexed nodeAddress, uint256 timestamp);
    /// @notice Companion of NodeReserved carrying the session (NodeReserved's shape is fixed).
    event NodeReservedBySession(bytes32 indexed nodeId, uint256 indexed sessionId, bool dedicated);
    event NodeRemovalRequested(bytes32 indexed nodeId, address indexed nodeAddress, uint256 unlockTime);
    event NodeSlashed(
        bytes32 indexed nodeId,
        address indexed nodeAddress,
        uint256 amount,
        address recipient,
        uint256 remainingStake
    );
    event StakeLimitsUpdated(uint256 minStake, uint256 maxStake);
    event UnbondingPeriodUpdated(uint256 seconds_);
    event ReputationPolicyUpdated(address reputation, uint256 minRecentActivityCount, uint256 recentWindow, uint256 minSuccessRate);

    /// @notice The staking token (CORToken on L1, BridgedCORToken elsewhere).
    IERC20 public immutable cor;
    /// @notice Stake bounds for addNode, inclusive. Defaults 6,000..10,000 COR (Cortensor phases).
    uint256 public minStake = 6_000 ether;
    uint256 public maxStake = 10_000 ether;
    /// @notice Seconds between requestRemoval and removeNode.
    uint256 public unbondingPeriod = 1 days;

    /// @notice Policy used by promoteByReputation (see NodeReputation.isEphemeral).
    INodeReputation public reputation;
    string[] private _repStates;
    uint256 public repMinRecentActivityCount;
    uint256 public repRecentWindow;
    uint256 public repMinSuccessRate;

    mapping(bytes32 => Node) private _nodes;
    /// @notice The node id registered by an operator address (0 if none). One node per address.
    mapping(address => bytes32) public nodeIdOf;
    bytes32[] private _ephemeral;
    mapping(bytes32 => uint256) private _ephemeralPos; // 1-based index into _ephemeral
    uint256 private _randNonce;

    constructor(address admin, IERC20 cor_) AccessRoles(admin) {
        if (address(cor_) == address(0)) revert ZeroAddress();
        cor = cor_;
    }

    // ------------------------------------------------------------------ configuration

    /// @notice Set inclusive stake bounds for new nodes (existing stakes are untouched).
    function setStakeLimits(uint256 minStake_, uint256 maxStake_) external onlyRole(ADMIN_ROLE) {
        if (minStake_ > maxStake_ || minStake_ < MIN_STAKE_FLOOR) revert InvalidStakeLimits(minStake_, maxStake_);
        minStake = minStake_;
        maxStake = maxStake_;
        emit StakeLimitsUpdated(minStake_, maxStake_);
    }

    /// @notice Seconds between requestRemoval and removeNode, at least MIN_UNBONDING_PERIOD.
    function setUnbondingPeriod(uint256 seconds_) external onlyRole(ADMIN_ROLE) {
        if (seconds_ < MIN_UNBONDING_PERIOD) revert InvalidUnbondingPeriod(seconds_, MIN_UNBONDING_PERIOD);
        unbondingPeriod = seconds_;
        emit UnbondingPeriodUpdated(seconds_);
    }

    /// @notice Configure the NodeReputation contract and thresholds promoteByReputation uses.
    function setReputationPolicy(
        INodeReputation reputation_,
        string[] calldata states,
        uint256 minRecentActivityCount,
        uint256 recentWindow,
        uint256 minSuccessRate
    ) external onlyRole(ADMIN_ROLE) {
        reputation = reputation_;
        delete _repStates;
        for (uint256 i = 0; i < states.length; i++) _repStates.push(states[i]);
        repMinRecentActivityCount = minRecentActivityCount;
        repRecentWindow = recentWindow;
        repMinSuccessRate = minSuccessRate;
        emit ReputationPolicyUpdated(address(reputation_), minRecentActivityCount, recentWindow, minSuccessRate);
    }

    // ------------------------------------------------------------------ operator actions

    /// @notice Register the caller's node and pull `stake` COR from the caller (approve first).
    /// @param nodeId must equal getNodeId(msg.sender): ids are derived from the address
    /// @param modelIds models the node serves (1..MAX_MODELS_PER_NODE); matched exactly by reserveRandomBySession
    /// @param publicKey the node's secp256k1 public key for private sessions: 64 bytes, x || y
    ///        (uncompressed, without the 0x04 prefix), checked to lie on the curve
    /// @param stake COR amount within [minStake, maxStake]
    function addNode(bytes32 nodeId, uint256[] calldata modelIds, bytes calldata publicKey, uint256 stake)
        external
    {
        bytes32 expected = getNodeId(msg.sender);
        if (nodeId != expected) revert NodeIdNotDerived(nodeId, expected);
        if (_nodes[nodeId].status != NodeStatus.None) revert InvalidNodeStatus(nodeId, _nodes[nodeId].status);
        if (modelIds.length == 0) revert NoModels();
        if (modelIds.length > MAX_MODELS_PER_NODE) revert TooManyModels(modelIds.length, MAX_MODELS_PER_NODE);
        if (stake < minStake || stake > maxStake) revert StakeOutOfRange(stake, minStake, maxStake);
        _checkPublicKey(publicKey);

        Node storage n = _nodes[nodeId];
        n.nodeId = nodeId;
        n.nodeAddress = msg.sender;
        _enlist(n, nodeId);
        n.stake = stake;
        n.modelIds = modelIds;
        n.publicKey = publicKey;
        n.addedAt = block.timestamp;
        nodeIdOf[msg.sender] = nodeId;

        if (!cor.transferFrom(msg.sender, address(this), stake)) revert TokenTransferFailed();
        emit NodeAdded(nodeId, msg.sender, block.timestamp);
    }

    /// @notice Start unbonding the caller's node. Not allowed while Reserved.
    function requestRemoval(bytes32 nodeId) external {
        Node storage n = _ownedNode(nodeId);
        NodeStatus s = n.status;
        if (s != NodeStatus.Added && s != NodeStatus.Ephemeral && s != NodeStatus.Released) {
            revert InvalidNodeStatus(nodeId, s);
        }
        if (s == NodeStatus.Ephemeral) _removeEphemeral(nodeId);
        _setStatus(n, NodeStatus.Unbonding);
        n.removalRequestedAt = block.timestamp;
        emit NodeRemovalRequested(nodeId, msg.sender, block.timestamp + unbondingPeriod);
    }

    /// @notice After the unbonding period, and once no task of the node awaits its verdict,
    ///         delete the node and return its remaining stake.
    function removeNode(bytes32 nodeId) external {
        Node storage n = _ownedNode(nodeId);
        if (n.status != NodeStatus.Unbonding) revert InvalidNodeStatus(nodeId, n.status);
        if (n.pendingTasks != 0) revert NodeHasPendingTasks(nodeId, n.pendingTasks);
        uint256 unlockTime = n.removalRequestedAt + unbondingPeriod;
        if (block.timestamp < unlockTime) revert UnbondingNotFinished(nodeId, unlockTime);
        uint256 stake = n.stake;
        address owner = n.nodeAddress;
        _delist(n, nodeId);
        delete _nodes[nodeId];
        delete nodeIdOf[owner];
        bool l1Backed = isL1Backed[nodeId];
        delete isL1Backed[nodeId];
        if (stake > 0 && !l1Backed && !cor.transfer(owner, stake)) revert TokenTransferFailed();
        emit NodeRemoved(nodeId, owner, block.timestamp);
    }

    // ------------------------------------------------------------------ validation

    /// @notice A validator or oracle attests the node passed the network check: Added or
    ///         Released -> Ephemeral.
    function markEphemeral(bytes32 nodeId) external {
        _checkEitherRole(VALIDATOR_ROLE, ORACLE_ROLE, msg.sender);
        _promote(nodeId);
    }

    /// @notice Permissionless promotion using the configured NodeReputation policy.
    function promoteByReputation(bytes32 nodeId) external {
        if (address(reputation) == address(0)) revert ReputationNotConfigured();
        if (!reputation.isEphemeral(nodeId, _repStates, repMinRecentActivityCount, repRecentWindow, repMinSuccessRate)) {
            revert ReputationCheckFailed(nodeId);
        }
        _promote(nodeId);
    }

    /// @notice Take `amount` of the node's stake and send it to `recipient` (SLASHER_ROLE: the
    ///         validation path, i.e. TaskValidator). Needs a task lock on the node (one slash
    ///         per lock, which it releases) and at most MAX_SLASH_BPS of the stake.
    /// @return the amount slashed
    function slash(bytes32 nodeId, uint256 amount, address recipient)
        external
        onlyRole(SLASHER_ROLE)
        returns (uint256)
    {
        Node storage n = _existing(nodeId);
        if (recipient == address(0)) revert ZeroAddress();
        if (n.pendingTasks == 0) revert NoTaskUnderJudgement(nodeId);
        uint256 cap = (n.stake * MAX_SLASH_BPS) / 10_000;
        if (amount > cap) revert SlashExceedsStake(nodeId, amount, cap);
        n.pendingTasks -= 1;
        n.stake -= amount;
        if (amount > 0 && isL1Backed[nodeId]) {
            _sendSlashToL1(nodeId, n.nodeAddress, amount, recipient);
        } else if (amount > 0 && !cor.transfer(recipient, amount)) {
            revert TokenTransferFailed();
        }
        emit NodeSlashed(nodeId, n.nodeAddress, amount, recipient, n.stake);
        return amount;
    }

    // ------------------------------------------------------------------ session side

    /// @notice Reserve specific Ephemeral nodes for `sessionId` (SESSION_CONTRACT_ROLE).
    function reserveBySession(uint256 sessionId, bytes32[] calldata ids)
        external
        onlyRole(SESSION_CONTRACT_ROLE)
    {
        for (uint256 i = 0; i < ids.length; i++) _reserve(ids[i], sessionId, false);
    }

    /// @notice Reserve between `minCount` and `maxCount` Ephemeral nodes serving `modelId`
    ///         (SESSION_CONTRACT_ROLE): as many as are found, up to maxCount, among at most
    ///         MAX_SELECTION_SCAN pool entries read from a pseudo-random start (wrapping).
    /// @dev Cost is bounded: at most MAX_SELECTION_SCAN nodes x MAX_MODELS_PER_NODE model ids
    ///      are read, whatever the pool's size. Randomness: start = keccak256(blockhash(
    ///      block.number - 1), sessionId, nonce) mod pool size. block.prevrandao is not used
    ///      (on Arbitrum it is the constant 1). This is NOT secure randomness: the block producer
    ///      (a rollup's sequencer) orders transactions and knows the parent hash, and a session
    ///      owner can simulate create and submit only when the draw suits it; both can steer
    ///      which nodes a session gets among the eligible ones, not whether a node is eligible.
    ///      docs/contracts.md says who can steer what.
    /// @return selected the reserved node ids, in scan order
    function reserveRandomBySession(uint256 sessionId, uint256 minCount, uint256 maxCount, uint256 modelId)
        external
        onlyRole(SESSION_CONTRACT_ROLE)
        returns (bytes32[] memory selected)
    {
        uint256 total = _ephemeral.length;
        selected = new bytes32[](maxCount);
        uint256 found = 0;
        if (total != 0) {
            uint256 start = uint256(keccak256(abi.encodePacked(blockhash(block.number - 1), sessionId, _randNonce++)))
                % total;
            uint256 scan = total < MAX_SELECTION_SCAN ? total : MAX_SELECTION_SCAN;
            for (uint256 i = 0; i < scan && found < maxCount; i++) {
                bytes32 id = _ephemeral[(start + i) % total];
                if (_serves(id, modelId)) selected[found++] = id;
            }
        }
        if (found < minCount) revert NotEnoughEphemeralNodes(minCount, found);
        assembly {
            mstore(selected, found)
        }
        for (uint256 i = 0; i < found; i++) _reserve(selected[i], sessionId, false);
    }

    /// @notice Release a node if `sessionId` holds it: Reserved -> Released (SESSION_CONTRACT_ROLE).
    ///         Returns false (no revert) when the session does not hold it, so a session can
    ///         always be closed. The node needs revalidation before it can be reserved again.
    function releaseFromSession(uint256 sessionId, bytes32 nodeId)
        external
        onlyRole(SESSION_CONTRACT_ROLE)
        returns (bool)
    {
        Node storage n = _nodes[nodeId];
        if (n.status != NodeStatus.Reserved || n.sessionId != sessionId) return false;
        _release(nodeId, sessionId);
        return true;
    }

    /// @notice Bind an Ephemeral node to `sessionId` as a dedicated node (reserved, flagged
    ///         dedicated). SESSION_CONTRACT_ROLE only: SessionV2 checks the operator's consent.
    function addDedicatedNode(bytes32 nodeId, uint256 sessionId) external onlyRole(SESSION_CONTRACT_ROLE) {
        _reserve(nodeId, sessionId, true);
    }

    /// @notice Unbind a dedicated node from `sessionId`: -> Released (SESSION_CONTRACT_ROLE).
    function removeDedicatedNode(bytes32 nodeId, uint256 sessionId) external onlyRole(SESSION_CONTRACT_ROLE) {
        if (!_existing(nodeId).dedicated) revert NotDedicated(nodeId);
        _release(nodeId, sessionId);
    }

    /// @notice Mark activity on Reserved nodes (SESSION_CONTRACT_ROLE), resetting their idle clock.
    ///         Addresses without a Reserved node are skipped.
    function recordActivity(address[] calldata nodeAddresses) external onlyRole(SESSION_CONTRACT_ROLE) {
        for (uint256 i = 0; i < nodeAddresses.length; i++) {
            Node storage n = _nodes[getNodeId(nodeAddresses[i])];
            if (n.status == NodeStatus.Reserved) n.lastActivity = block.timestamp;
        }
    }

    /// @notice Bond the stake of each miner until its verdict on a task is final (SESSION_CONTRACT_ROLE).
    function lockForTask(address[] calldata nodeAddresses) external onlyRole(SESSION_CONTRACT_ROLE) {
        for (uint256 i = 0; i < nodeAddresses.length; i++) {
            Node storage n = _nodes[getNodeId(nodeAddresses[i])];
            if (n.status != NodeStatus.None) n.pendingTasks += 1;
        }
    }

    /// @notice Release one task lock of each miner (SLASHER_ROLE: TaskValidator at finalize).
    ///         A lock already used by a slash is not released twice.
    function unlockForTask(address[] calldata nodeAddresses) external onlyRole(SLASHER_ROLE) {
        for (uint256 i = 0; i < nodeAddresses.length; i++) {
            Node storage n = _nodes[getNodeId(nodeAddresses[i])];
            if (n.pendingTasks != 0) n.pendingTasks -= 1;
        }
    }

    // ------------------------------------------------------------------ views

    /// @notice A node's id: keccak256 of its 20-byte address.
    function getNodeId(address nodeAddress) public pure returns (bytes32) {
        return keccak256(abi.encodePacked(nodeAddress));
    }

    /// @notice True if the node is Reserved and had no activity for `idleThreshold` seconds.
    function isNodeIdleInReservedState(bytes32 nodeId, uint256 idleThreshold) external view returns (bool) {
        Node storage n = _nodes[nodeId];
        return n.status == NodeStatus.Reserved && block.timestamp >= n.lastActivity + idleThreshold;
    }

    function isReserved(bytes32 nodeId) external view returns (bool) {
        return _nodes[nodeId].status == NodeStatus.Reserved;
    }

    /// @notice The session holding a Reserved node; reverts InvalidNodeStatus otherwise.
    function getAssignedSessionId(bytes32 nodeId) external view returns (uint256) {
        Node storage n = _nodes[nodeId];
        if (n.status != NodeStatus.Reserved) revert InvalidNodeStatus(nodeId, n.status);
        return n.sessionId;
    }

    function doesNodeExist(bytes32 nodeId) external view returns (bool) {
        return _nodes[nodeId].status != NodeStatus.None;
    }

    function getNodeInfo(bytes32 nodeId) public view returns (NodeInfo memory info) {
        Node storage n = _nodes[nodeId];
        info = NodeInfo(n.nodeAddress, n.addedAt, n.ephemeralAt, n.reservedAt, n.releasedAt, n.sessionId, uint8(n.status));
    }

    /// @notice Published accessor: the node-info tuple of `nodeId` (all zero for an unknown id).
    function ephemeralNodes(bytes32 nodeId) external view returns (NodeInfo memory) {
        return getNodeInfo(nodeId);
    }

    function get(address addr) external view returns (NodeInfo memory) {
        return getNodeInfo(getNodeId(addr));
    }

    function getNodeStatus(address addr) external view returns (uint8) {
        return uint8(_nodes[getNodeId(addr)].status);
    }

    function getNodeStatusById(bytes32 nodeId) external view returns (uint8) {
        return uint8(_nodes[nodeId].status);
    }

    function ephemeralNodeCount() external view returns (uint256) {
        return _ephemeral.length;
    }

    function pendingTasksOf(bytes32 nodeId) external view returns (uint256) {
        return _nodes[nodeId].pendingTasks;
    }

    /// @notice Full node record (status None and zero fields for an unknown id).
    function getNode(bytes32 nodeId) external view returns (Node memory) {
        return _nodes[nodeId];
    }

    function nodeAddressOf(bytes32 nodeId) external view returns (address) {
        return _nodes[nodeId].nodeAddress;
    }

    function stakeOf(bytes32 nodeId) external view returns (uint256) {
        return _nodes[nodeId].stake;
    }

    /// @notice All Ephemeral node ids (pool order, changes on removal: swap-and-pop).
    function ephemeralNodes() external view returns (bytes32[] memory) {
        return _ephemeral;
    }

    function reputationStates() external view returns (string[] memory) {
        return _repStates;
    }

    // ------------------------------------------------------------------ l1-backed nodes (cross-layer)

    error NotFromL1Contract(address sender, address expectedAlias);

    event L1SourcesUpdated(address l1Staking, address l1Onboarding);
    event L1StakeRecorded(address indexed operator, uint256 stake);
    event L1SlashSent(bytes32 indexed nodeId, address indexed operator, uint256 amount, uint256 position);

    IArbSys private constant ARB_SYS = IArbSys(address(100));

    /// @notice NodeStakeL1 and OnboardingRelayL1 on l1: their aliased addresses are the only
    ///         callers of recordL1Stake and registerL1Node.
    address public l1Staking;
    address public l1Onboarding;
    /// @notice COR bonded on l1 per operator, as NodeStakeL1 last reported it.
    mapping(address => uint256) public l1StakeOf;
    mapping(bytes32 => bool) public isL1Backed;

    /// @notice Name the l1 contracts trusted for stake records and registrations (ADMIN_ROLE).
    function setL1Sources(address l1Staking_, address l1Onboarding_) external onlyRole(ADMIN_ROLE) {
        if (l1Staking_ == address(0) || l1Onboarding_ == address(0)) revert ZeroAddress();
        l1Staking = l1Staking_;
        l1Onboarding = l1Onboarding_;
        emit L1SourcesUpdated(l1Staking_, l1Onboarding_);
    }

    /// @notice An operator's bonded COR on l1, from NodeStakeL1's retryable. A registered
    ///         l1-backed node's stake follows it; one that falls below minStake while not Reserved
    ///         leaves the pool (Unbonding). Never reverts for state reasons, so the ticket redeems.
    function recordL1Stake(address operator, uint256 stake) external {
        _checkFromL1(l1Staking);
        l1StakeOf[operator] = stake;
        bytes32 nodeId = getNodeId(operator);
        Node storage n = _nodes[nodeId];
        if (isL1Backed[nodeId] && n.status != NodeStatus.None) {
            n.stake = stake;
            NodeStatus s = n.status;
            if (stake < minStake && (s == NodeStatus.Added || s == NodeStatus.Ephemeral || s == NodeStatus.Released)) {
                if (s == NodeStatus.Ephemeral) _removeEphemeral(nodeId);
                _setStatus(n, NodeStatus.Unbonding);
                n.removalRequestedAt = block.timestamp;
                emit NodeRemovalRequested(nodeId, operator, block.timestamp + unbondingPeriod);
            }
        }
        emit L1StakeRecorded(operator, stake);
    }

    /// @notice Register an l1-backed node (status Added), from OnboardingRelayL1's retryable. Needs
    ///         the operator's l1 stake (at least minStake) recorded first; otherwise the ticket
    ///         fails and stays redeemable on ArbRetryableTx until it expires.
    function registerL1Node(address operator, uint256[] calldata modelIds, bytes calldata publicKey) external {
        _checkFromL1(l1Onboarding);
        bytes32 nodeId = getNodeId(operator);
        if (_nodes[nodeId].status != NodeStatus.None) revert InvalidNodeStatus(nodeId, _nodes[nodeId].status);
        if (modelIds.length == 0) revert NoModels();
        if (modelIds.length > MAX_MODELS_PER_NODE) revert TooManyModels(modelIds.length, MAX_MODELS_PER_NODE);
        _checkPublicKey(publicKey);
        uint256 stake = l1StakeOf[operator];
        if (stake < minStake) revert StakeOutOfRange(stake, minStake, maxStake);
        Node storage n = _nodes[nodeId];
        n.nodeId = nodeId;
        n.nodeAddress = operator;
        _enlist(n, nodeId);
        n.stake = stake;
        n.modelIds = modelIds;
        n.publicKey = publicKey;
        n.addedAt = block.timestamp;
        nodeIdOf[operator] = nodeId;
        isL1Backed[nodeId] = true;
        emit NodeAdded(nodeId, operator, block.timestamp);
    }

    function _checkFromL1(address l1Contract) private view {
        address expected = applyL1ToL2Alias(l1Contract);
        if (l1Contract == address(0) || msg.sender != expected) revert NotFromL1Contract(msg.sender, expected);
    }

    function _sendSlashToL1(bytes32 nodeId, address operator, uint256 amount, address recipient) private {
        bytes memory call = abi.encodeCall(INodeStakeL1.slash, (operator, amount, recipient));
        l1StakeOf[operator] = _nodes[nodeId].stake; // the mirror follows at once; l1 takes it on execution
        uint256 position = ARB_SYS.sendTxToL1(l1Staking, call);
        emit L1SlashSent(nodeId, operator, amount, position);
    }

    // ------------------------------------------------------------------ published status views (contracts6)

    /// @notice True if the node is in the Ephemeral pool (sessions can reserve it).
    function isNodeAvailable(bytes32 nodeId) external view returns (bool) {
        return _nodes[nodeId].status == NodeStatus.Ephemeral;
    }

    /// @notice True if the node was released by its session and awaits revalidation.
    function isNodeReleased(bytes32 nodeId) external view returns (bool) {
        return _nodes[nodeId].status == NodeStatus.Released;
    }

    /// @notice isNodeIdleInReservedState by the node's address.
    function isIdleInReservedState(address nodeAddress, uint256 idleThreshold) external view returns (bool) {
        Node storage n = _nodes[getNodeId(nodeAddress)];
        return n.status == NodeStatus.Reserved && block.timestamp >= n.lastActivity + idleThreshold;
    }

    /// @notice When the node's session last ran a task on it (its last recorded activity).
    function lastExecutionTimestamp(bytes32 nodeId) public view returns (uint256) {
        return _nodes[nodeId].lastActivity;
    }

    function getLastExecutionTimestampByNodeId(bytes32 nodeId) external view returns (uint256) {
        return lastExecutionTimestamp(nodeId);
    }

    function getLastExecutionTimestampByNode(address nodeAddress) external view returns (uint256) {
        return lastExecutionTimestamp(getNodeId(nodeAddress));
    }

    // ------------------------------------------------------------------ enumeration (published)

    /// @notice Every registered node id (any status but None), for dashboards and routers that
    ///         list the whole pool. Registration order, until a removal moves the last id into
    ///         the removed one's place (swap and pop). addNode and registerL1Node append;
    ///         removeNode takes out.
    bytes32[] public nodeIds;
    mapping(bytes32 => uint256) private _nodeIdPos; // 1-based index into nodeIds
    /// @dev Nodes per NodeStatus, kept by _setStatus; six 40-bit counters share one slot, so a
    ///      status change costs one storage write, not a scan.
    uint40[6] private _statusCount;

    /// @notice Number of registered nodes (every status but None).
    function allNodeCount() public view returns (uint256) {
        return nodeIds.length;
    }

    /// @notice The published alias of allNodeCount.
    function getCount() external view returns (uint256) {
        return nodeIds.length;
    }

    function getAllNodes() external view returns (bytes32[] memory) {
        return nodeIds;
    }

    /// @notice The operator address of every registered node, in nodeIds order.
    function getAllNodeAddresses() external view returns (address[] memory addrs) {
        addrs = new address[](nodeIds.length);
        for (uint256 i = 0; i < addrs.length; i++) addrs[i] = _nodes[nodeIds[i]].nodeAddress;
    }

    /// @notice Every registered node's info, each entry abi.encode(NodeInfo): the seven fields
    ///         getNodeInfo returns (Cortensor's NodeEntry), in nodeIds order.
    function getAllNodeEntries() external view returns (bytes[] memory entries) {
        entries = new bytes[](nodeIds.length);
        for (uint256 i = 0; i < entries.length; i++) entries[i] = abi.encode(getNodeInfo(nodeIds[i]));
    }

    /// @notice Nodes per status of the published lifecycle: (Added, Ephemeral, Reserved,
    ///         Released). Unbonding nodes are counted by nodeCountByStatus(5) and allNodeCount.
    function getNodeStatusCount() external view returns (uint256, uint256, uint256, uint256) {
        uint40[6] memory c = _statusCount;
        return (
            c[uint8(NodeStatus.Added)],
            c[uint8(NodeStatus.Ephemeral)],
            c[uint8(NodeStatus.Reserved)],
            c[uint8(NodeStatus.Released)]
        );
    }

    /// @notice Nodes in `status` (0 None always counts 0: removed nodes are forgotten).
    function nodeCountByStatus(uint8 status) external view returns (uint256) {
        return status < 6 ? _statusCount[status] : 0;
    }

    function reservedNodeCount() external view returns (uint256) {
        return _statusCount[uint8(NodeStatus.Reserved)];
    }

    function releasedNodeCount() external view returns (uint256) {
        return _statusCount[uint8(NodeStatus.Released)];
    }

    /// @notice A permutation of `array`, Fisher-Yates shuffled from keccak256(blockhash(block.number
    ///         - 1), caller). A helper for routers that spread work over nodes; like
    ///         reserveRandomBySession's start it is predictable by the block producer and by
    ///         `caller` (who can simulate it), so it must not decide anything of value.
    function shuffleIndexList(uint256[] memory array, address caller) external view returns (uint256[] memory) {
        bytes32 seed = keccak256(abi.encodePacked(blockhash(block.number - 1), caller));
        for (uint256 i = array.length; i > 1; i--) {
            uint256 j = uint256(keccak256(abi.encodePacked(seed, i))) % i;
            (array[i - 1], array[j]) = (array[j], array[i - 1]);
        }
        return array;
    }

    // ------------------------------------------------------------------ internals

    /// @dev Register a fresh node record: status Added, listed in nodeIds.
    function _enlist(Node storage n, bytes32 nodeId) private {
        _setStatus(n, NodeStatus.Added);
        nodeIds.push(nodeId);
        _nodeIdPos[nodeId] = nodeIds.length;
    }

    /// @dev Forget a node that is being deleted: status None, out of nodeIds (swap and pop).
    function _delist(Node storage n, bytes32 nodeId) private {
        _setStatus(n, NodeStatus.None);
        uint256 pos = _nodeIdPos[nodeId];
        uint256 last = nodeIds.length;
        if (pos != last) {
            bytes32 moved = nodeIds[last - 1];
            nodeIds[pos - 1] = moved;
            _nodeIdPos[moved] = pos;
        }
        nodeIds.pop();
        delete _nodeIdPos[nodeId];
    }

    /// @dev Every status change goes through here, so the per-status counts stay exact.
    function _setStatus(Node storage n, NodeStatus next) private {
        NodeStatus prev = n.status;
        if (prev != NodeStatus.None) _statusCount[uint8(prev)] -= 1;
        if (next != NodeStatus.None) _statusCount[uint8(next)] += 1;
        n.status = next;
    }


    function _existing(bytes32 nodeId) private view returns (Node storage n) {
        n = _nodes[nodeId];
        if (n.status == NodeStatus.None) revert UnknownNode(nodeId);
    }

    function _ownedNode(bytes32 nodeId) private view returns (Node storage n) {
        n = _existing(nodeId);
        if (n.nodeAddress != msg.sender) revert NotNodeOwner(nodeId, msg.sender);
    }

    function _promote(bytes32 nodeId) private {
        Node storage n = _existing(nodeId);
        if (n.status != NodeStatus.Added && n.status != NodeStatus.Released) {
            revert InvalidNodeStatus(nodeId, n.status);
        }
        _setStatus(n, NodeStatus.Ephemeral);
        n.ephemeralAt = block.timestamp;
        _ephemeral.push(nodeId);
        _ephemeralPos[nodeId] = _ephemeral.length;
        emit NodeEphemeral(nodeId, n.nodeAddress, block.timestamp);
    }

    function _reserve(bytes32 nodeId, uint256 sessionId, bool dedicated) private {
        Node storage n = _existing(nodeId);
        if (n.status != NodeStatus.Ephemeral) revert InvalidNodeStatus(nodeId, n.status);
        _removeEphemeral(nodeId);
        _setStatus(n, NodeStatus.Reserved);
        n.sessionId = sessionId;
        n.dedicated = dedicated;
        n.lastActivity = block.timestamp;
        n.reservedAt = block.timestamp;
        emit NodeReserved(nodeId, n.nodeAddress, block.timestamp);
        emit NodeReservedBySession(nodeId, sessionId, dedicated);
    }

    function _release(bytes32 nodeId, uint256 sessionId) private {
        Node storage n = _existing(nodeId);
        if (n.status != NodeStatus.Reserved || n.sessionId != sessionId) {
            revert NotReservedBySession(nodeId, sessionId);
        }
        _setStatus(n, NodeStatus.Released);
        n.sessionId = 0;
        n.releasedAt = block.timestamp;
        n.dedicated = false;
        emit NodeReleased(nodeId, n.nodeAddress, block.timestamp);
    }

    function _removeEphemeral(bytes32 nodeId) private {
        uint256 pos = _ephemeralPos[nodeId];
        uint256 last = _ephemeral.length;
        if (pos != last) {
            bytes32 moved = _ephemeral[last - 1];
            _ephemeral[pos - 1] = moved;
            _ephemeralPos[moved] = pos;
        }
        _ephemeral.pop();
        delete _ephemeralPos[nodeId];
    }

    function _serves(bytes32 nodeId, uint256 modelId) private view returns (bool) {
        uint256[] storage models = _nodes[nodeId].modelIds;
        for (uint256 m = 0; m < models.length; m++) {
            if (models[m] == modelId) return true;
        }
        return false;
    }

    /// @dev Private sessions wrap their session key to this key with ECIES (secp256k1), so a key
    ///      that is not a curve point would make the node unreachable, silently. Checks the
    ///      64-byte x || y form and y^2 = x^3 + 7 (mod p), as SEC 2 defines secp256k1.
    function _checkPublicKey(bytes calldata publicKey) private pure {
        if (publicKey.length != 64) revert InvalidPublicKeyLength(publicKey.length);
        uint256 p = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F;
        uint256 x = uint256(bytes32(publicKey[0:32]));
        uint256 y = uint256(bytes32(publicKey[32:64]));
        if (x >= p || y >= p) revert PublicKeyNotOnCurve();
        if (mulmod(y, y, p) != addmod(mulmod(mulmod(x, x, p), x, p), 7, p)) revert PublicKeyNotOnCurve();
    }
}
