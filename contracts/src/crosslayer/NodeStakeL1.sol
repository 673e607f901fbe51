// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IBridge, IInbox, IOutbox} from "../nitro/NitroInterfaces.sol";
import {ICrossLayerToken, INodePoolL1Backed, INodeStakeL1, RetryableFees} from "./CrossLayerInterfaces.sol";

/// @title NodeStakeL1
/// @notice Node stake, bonded in canonical COR on l1. Its one role: hold the stake and tell
///         NodePool on arbitrum what it is. Every change of an operator's bonded amount is sent as
///         a retryable through arbitrum's Inbox to NodePool.recordL1Stake, which accepts it only
///         from this contract's aliased address. A slash decided on arbitrum comes back through
///         the Outbox (Bridge.executeCall) and is taken here only when the Outbox's
///         l2ToL1Sender() is NodePool; the Outbox's spent bitmap refuses a replay.
///
///         Unbonding waits `unbondingPeriod` seconds on l1 (longer than a slash takes to come
///         back through the Outbox), and stake that is unbonding can still be slashed.
///         Cortensor says its staking pools live on Ethereum but publishes no contract: the
///         shape here is ours.
contract NodeStakeL1 is INodeStakeL1 {
    struct Bond {
        uint256 bonded;
        uint256 unbonding;
        uint256 unlockAt;
    }

    error ZeroAmount();
    error NotEnoughBonded(address operator, uint256 requested, uint256 bonded);
    error NothingUnbonding(address operator);
    error UnbondingNotFinished(address operator, uint256 unlockAt);
    error NotFromBridge(address sender);
    error NotFromNodePool(address l2Sender);
    error AlreadyInitialized();
    error TransferFailed();

    event Bonded(address indexed operator, uint256 amount, uint256 bonded, uint256 messageNumber);
    event UnbondRequested(address indexed operator, uint256 amount, uint256 unlockAt, uint256 messageNumber);
    event Withdrawn(address indexed operator, uint256 amount);
    event StakeSlashed(address indexed operator, uint256 amount, address recipient, uint256 remaining);

    ICrossLayerToken public immutable cor;
    IInbox public immutable inbox;
    IBridge public immutable bridge;
    uint256 public immutable unbondingPeriod;
    /// @notice NodePool on arbitrum (set once by the deployer: it is deployed on another chain).
    address public nodePool;
    address private immutable _deployer;

    mapping(address => Bond) private _bonds;

    constructor(ICrossLayerToken cor_, IInbox inbox_, IBridge bridge_, uint256 unbondingPeriod_) {
        cor = cor_;
        inbox = inbox_;
        bridge = bridge_;
        unbondingPeriod = unbondingPeriod_;
        _deployer = msg.sender;
    }

    function initialize(address nodePool_) external {
        if (msg.sender != _deployer || nodePool != address(0)) revert AlreadyInitialized();
        nodePool = nodePool_;
    }

    /// @notice Bond `amount` COR (approve first) and send the new bonded total to NodePool.
    ///         msg.value pays the retryable (see RetryableFees).
    /// @return messageNumber the delayed-inbox message number of the stake record
    function bond(uint256 amount, RetryableFees calldata fees) external payable returns (uint256 messageNumber) {
        if (amount == 0) revert ZeroAmount();
        if (!cor.transferFrom(msg.sender, address(this), amount)) revert TransferFailed();
        Bond storage b = _bonds[msg.sender];
        b.bonded += amount;
        messageNumber = _sendStake(msg.sender, b.bonded, fees);
        emit Bonded(msg.sender, amount, b.bonded, messageNumber);
    }

    /// @notice Start unbonding `amount`: NodePool learns the lower stake at once (a node below
    ///         the minimum leaves the pool), the COR is withdrawable after unbondingPeriod.
    function requestUnbond(uint256 amount, RetryableFees calldata fees)
        external
        payable
        returns (uint256 messageNumber)
    {
        Bond storage b = _bonds[msg.sender];
        if (amount == 0) revert ZeroAmount();
        if (amount > b.bonded) revert NotEnoughBonded(msg.sender, amount, b.bonded);
        b.bonded -= amount;
        b.unbonding += amount;
        b.unlockAt = block.timestamp + unbondingPeriod;
        messageNumber = _sendStake(msg.sender, b.bonded, fees);
        emit UnbondRequested(msg.sender, amount, b.unlockAt, messageNumber);
    }

    /// @notice Take back what finished unbonding (what slashes left of it).
    function withdraw() external returns (uint256 amount) {
        Bond storage b = _bonds[msg.sender];
        amount = b.unbonding;
        if (amount == 0) revert NothingUnbonding(msg.sender);
        if (block.timestamp < b.unlockAt) revert UnbondingNotFinished(msg.sender, b.unlockAt);
        b.unbonding = 0;
        if (!cor.transfer(msg.sender, amount)) revert TransferFailed();
        emit Withdrawn(msg.sender, amount);
    }

    /// @notice A slash NodePool on arbitrum decided, executed by arbitrum's Outbox. Takes from the
    ///         bonded stake first, then from what is unbonding, at most what is there.
    function slash(address operator, uint256 amount, address recipient) external {
        if (msg.sender != address(bridge)) revert NotFromBridge(msg.sender);
        address l2Sender = IOutbox(bridge.activeOutbox()).l2ToL1Sender();
        if (l2Sender != nodePool) revert NotFromNodePool(l2Sender);
        Bond storage b = _bonds[operator];
        uint256 fromBonded = amount < b.bonded ? amount : b.bonded;
        b.bonded -= fromBonded;
        uint256 rest = amount - fromBonded;
        uint256 fromUnbonding = rest < b.unbonding ? rest : b.unbonding;
        b.unbonding -= fromUnbonding;
        uint256 taken = fromBonded + fromUnbonding;
        if (taken > 0 && !cor.transfer(recipient, taken)) revert TransferFailed();
        emit StakeSlashed(operator, taken, recipient, b.bonded + b.unbonding);
    }

    function bondedOf(address operator) external view returns (uint256) {
        return _bonds[operator].bonded;
    }

    function bondOf(address operator) external view returns (Bond memory) {
        return _bonds[operator];
    }

    function _sendStake(address operator, uint256 bonded, RetryableFees calldata fees) private returns (uint256) {
        bytes memory call = abi.encodeCall(INodePoolL1Backed.recordL1Stake, (operator, bonded));
        return inbox.createRetryableTicket{value: msg.value}(
            nodePool, 0, fees.maxSubmissionCost, operator, operator, fees.gasLimit, fees.maxFeePerGas, call
        );
    }
}
