// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IArbSys, IBridge, IOutbox, applyL1ToL2Alias} from "./NitroInterfaces.sol";

interface IGatewayToken {
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
    function mint(address to, uint256 amount) external;
    function burn(address from, uint256 amount) external;
}

interface IRetryableInbox {
    function createRetryableTicket(
        address to,
        uint256 l2CallValue,
        uint256 maxSubmissionCost,
        address excessFeeRefundAddress,
        address callValueRefundAddress,
        uint256 gasLimit,
        uint256 maxFeePerGas,
        bytes calldata data
    ) external payable returns (uint256);
}

/// @title ParentCORGateway
/// @notice COR's gateway on the parent chain, in the style of Arbitrum's token bridge
///         (OffchainLabs/token-bridge-contracts L1ArbitrumGateway/L1CustomGateway, reached through
///         the same outboundTransfer signature as L1GatewayRouter): a deposit escrows COR here and
///         sends a retryable that mints it on the child; a withdrawal from the child releases it
///         through the Outbox, and only if ChildCORGateway sent it.
contract ParentCORGateway {
    error NotFromBridge(address sender);
    error NotFromChildGateway(address l2Sender);
    error WrongToken(address token);
    error AlreadyInitialized();
    error TransferFailed();

    event DepositInitiated(
        address l1Token, address indexed from, address indexed to, uint256 indexed sequenceNumber, uint256 amount
    );
    event WithdrawalFinalized(
        address l1Token, address indexed from, address indexed to, uint256 indexed exitNum, uint256 amount
    );

    IGatewayToken public immutable token;
    IRetryableInbox public immutable inbox;
    IBridge public immutable bridge;
    address public childGateway;
    address private immutable _deployer;

    constructor(IGatewayToken token_, IRetryableInbox inbox_, IBridge bridge_) {
        token = token_;
        inbox = inbox_;
        bridge = bridge_;
        _deployer = msg.sender;
    }

    function initialize(address childGateway_) external {
        if (msg.sender != _deployer || childGateway != address(0)) revert AlreadyInitialized();
        childGateway = childGateway_;
    }

    /// @param data abi.encode(maxSubmissionCost, extraData), as Arbitrum's gateways take it.
    function outboundTransfer(
        address l1Token,
        address to,
        uint256 amount,
        uint256 maxGas,
        uint256 gasPriceBid,
        bytes calldata data
    ) external payable returns (bytes memory) {
        if (l1Token != address(token)) revert WrongToken(l1Token);
        (uint256 maxSubmissionCost,) = abi.decode(data, (uint256, bytes));
        if (!token.transferFrom(msg.sender, address(this), amount)) revert TransferFailed();
        bytes memory call = abi.encodeCall(ChildCORGateway.finalizeInboundTransfer, (l1Token, msg.sender, to, amount, ""));
        uint256 sequenceNumber = inbox.createRetryableTicket{value: msg.value}(
            childGateway, 0, maxSubmissionCost, msg.sender, msg.sender, maxGas, gasPriceBid, call
        );
        emit DepositInitiated(l1Token, msg.sender, to, sequenceNumber, amount);
        return abi.encode(sequenceNumber);
    }

    /// @notice Release COR for a withdrawal the child gateway sent (through the Outbox only).
    function finalizeInboundTransfer(address l1Token, address from, address to, uint256 amount, bytes calldata)
        external
        payable
    {
        if (msg.sender != address(bridge)) revert NotFromBridge(msg.sender);
        IOutbox outbox = IOutbox(bridge.activeOutbox());
        address l2Sender = outbox.l2ToL1Sender();
        if (l2Sender != childGateway) revert NotFromChildGateway(l2Sender);
        if (l1Token != address(token)) revert WrongToken(l1Token);
        if (!token.transfer(to, amount)) revert TransferFailed();
        emit WithdrawalFinalized(l1Token, from, to, uint256(outbox.l2ToL1OutputId()), amount);
    }
}

/// @title ChildCORGateway
/// @notice COR's gateway on the child chain: mints BridgedCORToken for deposits the parent gateway
///         sent (as a retryable from its aliased address), and burns it for withdrawals, which it
///         sends to the parent gateway through ArbSys. So COR's total supply stays the parent's.
contract ChildCORGateway {
    error NotFromParentGateway(address sender);
    error AlreadyInitialized();

    event DepositFinalized(address indexed l1Token, address indexed from, address indexed to, uint256 amount);
    event WithdrawalInitiated(
        address l1Token, address indexed from, address indexed to, uint256 indexed l2ToL1Id, uint256 exitNum, uint256 amount
    );

    IArbSys internal constant ARB_SYS = IArbSys(address(100));

    address public immutable parentGateway;
    address public immutable l1Token;
    IGatewayToken public childToken;
    address private immutable _deployer;

    constructor(address parentGateway_, address l1Token_) {
        parentGateway = parentGateway_;
        l1Token = l1Token_;
        _deployer = msg.sender;
    }

    function initialize(IGatewayToken childToken_) external {
        if (msg.sender != _deployer || address(childToken) != address(0)) revert AlreadyInitialized();
        childToken = childToken_;
    }

    function finalizeInboundTransfer(address, address from, address to, uint256 amount, bytes calldata)
        external
        payable
    {
        if (msg.sender != applyL1ToL2Alias(parentGateway)) revert NotFromParentGateway(msg.sender);
        childToken.mint(to, amount);
        emit DepositFinalized(l1Token, from, to, amount);
    }

    function outboundTransfer(address, address to, uint256 amount, bytes calldata) external returns (bytes memory) {
        childToken.burn(msg.sender, amount);
        bytes memory call = abi.encodeCall(ParentCORGateway.finalizeInboundTransfer, (l1Token, msg.sender, to, amount, ""));
        uint256 id = ARB_SYS.sendTxToL1(parentGateway, call);
        emit WithdrawalInitiated(l1Token, msg.sender, to, id, id, amount);
        return abi.encode(id);
    }
}
