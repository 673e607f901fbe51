// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title AccessRoles
/// @notice Minimal role module (AccessControl-like, written in-house). Every role is administered
///         by ADMIN_ROLE; the constructor grants ADMIN_ROLE to `admin`.
/// @dev Role identifiers are keccak256 of their names, e.g. ADMIN_ROLE = keccak256("ADMIN_ROLE").
///      Which contract checks which role is listed in docs/contracts.md.
abstract contract AccessRoles {
    /// @notice `account` lacks `role` for the function it called.
    error MissingRole(bytes32 role, address account);
    /// @notice A zero address was passed where an account or contract is required.
    error ZeroAddress();

    event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender);
    event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender);
    /// @notice Published (OpenZeppelin Ownable's event): the owner seat moved.
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    /// @notice Published (Ownable): the caller is not the owner.
    error OwnableUnauthorizedAccount(address account);
    /// @notice Published (Ownable): the zero address cannot become the owner.
    error OwnableInvalidOwner(address owner);

    /// @notice Grants and revokes every role; changes configuration.
    bytes32 public constant ADMIN_ROLE = keccak256("ADMIN_ROLE");
    /// @notice Held by SessionV2 (and PrivateSessionV2 where relevant) on NodePool, queue, payment.
    bytes32 public constant SESSION_CONTRACT_ROLE = keccak256("SESSION_CONTRACT_ROLE");
    /// @notice Oracle nodes: push queue phases past deadlines, mark nodes ephemeral.
    bytes32 public constant ORACLE_ROLE = keccak256("ORACLE_ROLE");
    /// @notice Validators: mark nodes ephemeral, post Proof-of-Inference verdicts.
    bytes32 public constant VALIDATOR_ROLE = keccak256("VALIDATOR_ROLE");
    /// @notice Writers of NodeReputation outcomes and NodeStats points.
    bytes32 public constant RECORDER_ROLE = keccak256("RECORDER_ROLE");
    /// @notice May slash node stake on NodePool (the validation path: TaskValidator).
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");
    /// @notice Global routers: may assign tasks on SessionQueueV2 for any session.
    bytes32 public constant ROUTER_ROLE = keccak256("ROUTER_ROLE");
    /// @notice May post checkpoints on CheckpointRegistry.
    bytes32 public constant POSTER_ROLE = keccak256("POSTER_ROLE");

    mapping(bytes32 => mapping(address => bool)) private _roles;
    address private _owner;

    constructor(address admin) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(ADMIN_ROLE, admin);
        _owner = admin;
        emit OwnershipTransferred(address(0), admin);
    }

    // ------------------------------------------------------------------ Ownable (published)
    //
    // Cortensor's contracts are OpenZeppelin Ownable (owner, transferOwnership, renounceOwnership,
    // OwnershipTransferred in every published ABI). Here the owner is the deployer's admin seat:
    // moving ownership moves ADMIN_ROLE with it, so ownership never adds a power that roles do not
    // already bound, and renouncing it gives up the seat's ADMIN_ROLE for good.

    /// @notice The account holding the owner seat (zero once renounced).
    function owner() public view returns (address) {
        return _owner;
    }

    /// @notice Hand the owner seat and its ADMIN_ROLE to `newOwner` (owner only).
    function transferOwnership(address newOwner) external {
        if (newOwner == address(0)) revert OwnableInvalidOwner(address(0));
        _moveOwnership(newOwner);
    }

    /// @notice Give up the owner seat and its ADMIN_ROLE (owner only); other admins keep theirs.
    function renounceOwnership() external {
        _moveOwnership(address(0));
    }

    function _moveOwnership(address newOwner) private {
        address previous = _owner;
        if (msg.sender != previous) revert OwnableUnauthorizedAccount(msg.sender);
        if (_roles[ADMIN_ROLE][previous]) {
            _roles[ADMIN_ROLE][previous] = false;
            emit RoleRevoked(ADMIN_ROLE, previous, msg.sender);
        }
        if (newOwner != address(0)) _grantRole(ADMIN_ROLE, newOwner);
        _owner = newOwner;
        emit OwnershipTransferred(previous, newOwner);
    }

    modifier onlyRole(bytes32 role) {
        _checkRole(role, msg.sender);
        _;
    }

    /// @notice True if `account` holds `role`.
    function hasRole(bytes32 role, address account) public view returns (bool) {
        return _roles[role][account];
    }

    /// @notice Grant `role` to `account` (ADMIN_ROLE only). No-op (no event) if already held.
    function grantRole(bytes32 role, address account) external onlyRole(ADMIN_ROLE) {
        if (account == address(0)) revert ZeroAddress();
        _grantRole(role, account);
    }

    /// @notice Revoke `role` from `account` (ADMIN_ROLE only). No-op (no event) if not held.
    function revokeRole(bytes32 role, address account) external onlyRole(ADMIN_ROLE) {
        if (_roles[role][account]) {
            _roles[role][account] = false;
            emit RoleRevoked(role, account, msg.sender);
        }
    }

    /// @notice Published: true if `account` holds ORACLE_ROLE here.
    function isOracleNode(address account) external view returns (bool) {
        return _roles[ORACLE_ROLE][account];
    }

    function _checkRole(bytes32 role, address account) internal view {
        if (!_roles[role][account]) revert MissingRole(role, account);
    }

    /// @dev Reverts with MissingRole(roleA, account) if the account holds neither role.
    function _checkEitherRole(bytes32 roleA, bytes32 roleB, address account) internal view {
        if (!_roles[roleA][account] && !_roles[roleB][account]) revert MissingRole(roleA, account);
    }

    function _grantRole(bytes32 role, address account) internal {
        if (!_roles[role][account]) {
            _roles[role][account] = true;
            emit RoleGranted(role, account, msg.sender);
        }
    }
}
