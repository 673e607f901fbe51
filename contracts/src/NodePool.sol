// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {AccessRoles} from "./AccessRoles.sol";
import {IERC20} from "./ERC20Base.sol";
import {INodeReputation} from "./Interfaces.sol";

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
/// Reserved -> Released (releaseReservedNodeFromSession, removeDedicatedNode);
/// Added|Ephemeral|Released -> Unbonding (requestRemoval) -> None (removeNode).
/// A Reserved node cannot start unbonding: it must be released first. Slashing works in any
/// state except None and never moves the status; a node left below `minStake` keeps working
/// until an operator removes it (policy left to the validation path).
contract NodePool is AccessRoles {
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
    }

    error ZeroNodeId();
    error NoModels();
    error ZeroCount();
    error NodeAlreadyExists(bytes32 nodeId);
    error AddressAlreadyHasNode(address nodeAddress, bytes32 existingNodeId);
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
    event IdleTimeoutUpdated(uint256 seconds_);
    event ReputationPolicyUpdated(address reputation, uint256 minRecentActivityCount, uint256 recentWindow, uint256 minSuccessRate);

    /// @notice The staking token (CORToken on L1, BridgedCORToken elsewhere).
    IERC20 public immutable cor;
    /// @notice Stake bounds for addNode, inclusive. Defaults 6,000..10,000 COR (Cortensor phases).
    uint256 public minStake = 6_000 ether;
    uint256 public maxStake = 10_000 ether;
    /// @notice Seconds between requestRemoval and removeNode.
    uint256 public unbondingPeriod = 1 days;
    /// @notice A Reserved node with no recordActivity for this many seconds is "idle".
    uint256 public idleTimeout = 300;

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
        if (minStake_ > maxStake_ || maxStake_ == 0) revert InvalidStakeLimits(minStake_, maxStake_);
        minStake = minStake_;
        maxStake = maxStake_;
        emit StakeLimitsUpdated(minStake_, maxStake_);
    }

    function setUnbondingPeriod(uint256 seconds_) external onlyRole(ADMIN_ROLE) {
        unbondingPeriod = seconds_;
        emit UnbondingPeriodUpdated(seconds_);
    }

    function setIdleTimeout(uint256 seconds_) external onlyRole(ADMIN_ROLE) {
        idleTimeout = seconds_;
        emit IdleTimeoutUpdated(seconds_);
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
    /// @param nodeId operator-chosen unique id (non-zero)
    /// @param modelIds models the node serves (non-empty); matched exactly by reserveRandomBySession
    /// @param publicKey the node's encryption key (used by private sessions off-chain)
    /// @param stake COR amount within [minStake, maxStake]
    function addNode(bytes32 nodeId, uint256[] calldata modelIds, bytes calldata publicKey, uint256 stake)
        external
    {
        if (nodeId == bytes32(0)) revert ZeroNodeId();
        if (_nodes[nodeId].status != NodeStatus.None) revert NodeAlreadyExists(nodeId);
        bytes32 existing = nodeIdOf[msg.sender];
        if (existing != bytes32(0)) revert AddressAlreadyHasNode(msg.sender, existing);
        if (modelIds.length == 0) revert NoModels();
        if (stake < minStake || stake > maxStake) revert StakeOutOfRange(stake, minStake, maxStake);

        Node storage n = _nodes[nodeId];
        n.nodeId = nodeId;
        n.nodeAddress = msg.sender;
        n.status = NodeStatus.Added;
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
        n.status = NodeStatus.Unbonding;
        n.removalRequestedAt = block.timestamp;
        emit NodeRemovalRequested(nodeId, msg.sender, block.timestamp + unbondingPeriod);
    }

    /// @notice After the unbonding period, delete the node and return its remaining stake.
    function removeNode(bytes32 nodeId) external {
        Node storage n = _ownedNode(nodeId);
        if (n.status != NodeStatus.Unbonding) revert InvalidNodeStatus(nodeId, n.status);
        uint256 unlockTime = n.removalRequestedAt + unbondingPeriod;
        if (block.timestamp < unlockTime) revert UnbondingNotFinished(nodeId, unlockTime);
        uint256 stake = n.stake;
        address owner = n.nodeAddress;
        delete _nodes[nodeId];
        delete nodeIdOf[owner];
        if (stake > 0 && !cor.transfer(owner, stake)) revert TokenTransferFailed();
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
    ///         validation path, i.e. TaskValidator). Reverts rather than capping, so the caller
    ///         decides the policy (read stakeOf first).
    /// @return the amount slashed
    function slash(bytes32 nodeId, uint256 amount, address recipient)
        external
        onlyRole(SLASHER_ROLE)
        returns (uint256)
    {
        Node storage n = _existing(nodeId);
        if (recipient == address(0)) revert ZeroAddress();
        if (amount > n.stake) revert SlashExceedsStake(nodeId, amount, n.stake);
        n.stake -= amount;
        if (amount > 0 && !cor.transfer(recipient, amount)) revert TokenTransferFailed();
        emit NodeSlashed(nodeId, n.nodeAddress, amount, recipient, n.stake);
        return amount;
    }

    // ------------------------------------------------------------------ session side

    /// @notice Reserve specific Ephemeral nodes for `sessionId` (SESSION_CONTRACT_ROLE).
    function reserveBySession(uint256 sessionId, bytes32[] calldata nodeIds)
        external
        onlyRole(SESSION_CONTRACT_ROLE)
    {
        for (uint256 i = 0; i < nodeIds.length; i++) _reserve(nodeIds[i], sessionId, false);
    }

    /// @notice Reserve `count` pseudo-randomly chosen Ephemeral nodes that serve `modelId`.
    /// @dev Randomness: seed = keccak256(block.prevrandao, blockhash(block.number - 1),
    ///      sessionId, nonce). Candidates are the Ephemeral nodes (in pool order) serving the
    ///      model; a partial Fisher-Yates shuffle picks position i from [i, n) with
    ///      `i + uint256(keccak256(seed, i)) % (n - i)`.
    ///      Bias: (1) modulo bias - 2^256 is not a multiple of (n - i), so low indices are
    ///      favoured by at most (n - i) / 2^256, negligible for any realistic pool size;
    ///      (2) the partial shuffle itself is unbiased given uniform draws, but the candidate
    ///      order depends on pool history (swap-and-pop removal), which is public.
    ///      Manipulation: this is NOT secure randomness. The block producer chooses (or on a
    ///      rollup, the sequencer sets) prevrandao, and orders transactions, so it can predict
    ///      the outcome and steer it: reorder/insert node promotions or removals before the
    ///      create call, or pick among prevrandao values it controls. A session owner can also
    ///      simulate and only submit when the draw suits it. Acceptable for a devnet and for
    ///      Cortensor's own testnets; production would use a VRF or commit-reveal.
    /// @return selected the reserved node ids, in draw order
    function reserveRandomBySession(uint256 sessionId, uint256 count, uint256 modelId)
        external
        onlyRole(SESSION_CONTRACT_ROLE)
        returns (bytes32[] memory selected)
    {
        if (count == 0) revert ZeroCount();
        bytes32[] memory cand = _eligible(modelId);
        uint256 n = cand.length;
        if (n < count) revert NotEnoughEphemeralNodes(count, n);
        bytes32 seed = keccak256(
            abi.encodePacked(block.prevrandao, blockhash(block.number - 1), sessionId, _randNonce++)
        );
        selected = new bytes32[](count);
        for (uint256 i = 0; i < count; i++) {
            uint256 j = i + (uint256(keccak256(abi.encodePacked(seed, i))) % (n - i));
            (cand[i], cand[j]) = (cand[j], cand[i]);
            selected[i] = cand[i];
        }
        for (uint256 i = 0; i < count; i++) _reserve(selected[i], sessionId, false);
    }

    /// @notice Release a node reserved by `sessionId`: Reserved -> Released (SESSION_CONTRACT_ROLE).
    ///         The node needs revalidation (markEphemeral) before it can be reserved again.
    function releaseReservedNodeFromSession(uint256 sessionId, bytes32 nodeId)
        external
        onlyRole(SESSION_CONTRACT_ROLE)
    {
        _release(nodeId, sessionId);
    }

    /// @notice Bind an Ephemeral node to `sessionId` as a dedicated node (reserved, flagged
    ///         dedicated). SESSION_CONTRACT_ROLE or ADMIN_ROLE.
    function addDedicatedNode(bytes32 nodeId, uint256 sessionId) external {
        _checkEitherRole(SESSION_CONTRACT_ROLE, ADMIN_ROLE, msg.sender);
        _reserve(nodeId, sessionId, true);
    }

    /// @notice Unbind a dedicated node from `sessionId`: -> Released. SESSION_CONTRACT_ROLE or ADMIN_ROLE.
    function removeDedicatedNode(bytes32 nodeId, uint256 sessionId) external {
        _checkEitherRole(SESSION_CONTRACT_ROLE, ADMIN_ROLE, msg.sender);
        if (!_existing(nodeId).dedicated) revert NotDedicated(nodeId);
        _release(nodeId, sessionId);
    }

    /// @notice Mark activity on a Reserved node (SESSION_CONTRACT_ROLE), resetting its idle clock.
    function recordActivity(bytes32 nodeId) external onlyRole(SESSION_CONTRACT_ROLE) {
        Node storage n = _existing(nodeId);
        if (n.status != NodeStatus.Reserved) revert InvalidNodeStatus(nodeId, n.status);
        n.lastActivity = block.timestamp;
    }

    // ------------------------------------------------------------------ views

    /// @notice True if the node is Reserved and had no activity for `idleTimeout` seconds.
    function isNodeIdleInReservedState(bytes32 nodeId) external view returns (bool) {
        Node storage n = _nodes[nodeId];
        return n.status == NodeStatus.Reserved && block.timestamp >= n.lastActivity + idleTimeout;
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

    /// @notice Number of Ephemeral nodes serving `modelId`.
    function countEligible(uint256 modelId) external view returns (uint256) {
        return _eligible(modelId).length;
    }

    function reputationStates() external view returns (string[] memory) {
        return _repStates;
    }

    // ------------------------------------------------------------------ internals

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
        n.status = NodeStatus.Ephemeral;
        _ephemeral.push(nodeId);
        _ephemeralPos[nodeId] = _ephemeral.length;
        emit NodeEphemeral(nodeId, n.nodeAddress, block.timestamp);
    }

    function _reserve(bytes32 nodeId, uint256 sessionId, bool dedicated) private {
        Node storage n = _existing(nodeId);
        if (n.status != NodeStatus.Ephemeral) revert InvalidNodeStatus(nodeId, n.status);
        _removeEphemeral(nodeId);
        n.status = NodeStatus.Reserved;
        n.sessionId = sessionId;
        n.dedicated = dedicated;
        n.lastActivity = block.timestamp;
        emit NodeReserved(nodeId, n.nodeAddress, block.timestamp);
        emit NodeReservedBySession(nodeId, sessionId, dedicated);
    }

    function _release(bytes32 nodeId, uint256 sessionId) private {
        Node storage n = _existing(nodeId);
        if (n.status != NodeStatus.Reserved || n.sessionId != sessionId) {
            revert NotReservedBySession(nodeId, sessionId);
        }
        n.status = NodeStatus.Released;
        n.sessionId = 0;
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

    function _eligible(uint256 modelId) private view returns (bytes32[] memory out) {
        uint256 total = _ephemeral.length;
        out = new bytes32[](total);
        uint256 k = 0;
        for (uint256 i = 0; i < total; i++) {
            bytes32 id = _ephemeral[i];
            uint256[] storage models = _nodes[id].modelIds;
            for (uint256 m = 0; m < models.length; m++) {
                if (models[m] == modelId) {
                    out[k++] = id;
                    break;
                }
            }
        }
        assembly {
            mstore(out, k) // shrink to the number found
        }
    }
}
