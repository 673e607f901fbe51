// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IInbox} from "../nitro/NitroInterfaces.sol";
import {ICrossLayerMessenger, INodePoolL1Backed} from "./CrossLayerInterfaces.sol";

/// @title OnboardingRelayL1
/// @notice On l1, the hop between base and arbitrum: it accepts a registration only from
///         L1CrossDomainMessenger while the messenger's xDomainMessageSender() is Onboarding on
///         base, and forwards it to NodePool on arbitrum as a retryable through the Nitro Inbox
///         (NodePool accepts it only from this contract's aliased address). The retryable's fees
///         come from ETH the operator of the network keeps here (`receive`), as a sponsor would:
///         a base -> l1 message carries no ETH unless the portal escrows some.
contract OnboardingRelayL1 {
    error NotFromMessenger(address sender);
    error NotFromOnboarding(address xDomainSender);
    error AlreadyInitialized();

    event RegistrationForwarded(address indexed operator, uint256 messageNumber);

    ICrossLayerMessenger public immutable messenger;
    IInbox public immutable inbox;
    /// @notice Gas and fee cap of each forwarded retryable on arbitrum.
    uint256 public immutable retryableGasLimit;
    uint256 public immutable maxFeePerGas;
    /// @notice Where arbitrum refunds unused retryable fees.
    address public immutable refundAddress;
    /// @notice Onboarding on base and NodePool on arbitrum (set once by the deployer).
    address public onboarding;
    address public nodePool;
    address private immutable _deployer;

    constructor(
        ICrossLayerMessenger messenger_,
        IInbox inbox_,
        uint256 retryableGasLimit_,
        uint256 maxFeePerGas_,
        address refundAddress_
    ) {
        messenger = messenger_;
        inbox = inbox_;
        retryableGasLimit = retryableGasLimit_;
        maxFeePerGas = maxFeePerGas_;
        refundAddress = refundAddress_;
        _deployer = msg.sender;
    }

    function initialize(address onboarding_, address nodePool_) external {
        if (msg.sender != _deployer || onboarding != address(0)) revert AlreadyInitialized();
        onboarding = onboarding_;
        nodePool = nodePool_;
    }

    /// @notice Funds for the retryables' fees.
    receive() external payable {}

    /// @notice A registration from Onboarding on base, relayed by L1CrossDomainMessenger.
    function relayRegistration(address operator, uint256[] calldata modelIds, bytes calldata publicKey) external {
        if (msg.sender != address(messenger)) revert NotFromMessenger(msg.sender);
        address xSender = messenger.xDomainMessageSender();
        if (xSender != onboarding) revert NotFromOnboarding(xSender);
        bytes memory call = abi.encodeCall(INodePoolL1Backed.registerL1Node, (operator, modelIds, publicKey));
        uint256 submission = inbox.calculateRetryableSubmissionFee(call.length, 0);
        uint256 messageNumber = inbox.createRetryableTicket{value: submission + retryableGasLimit * maxFeePerGas}(
            nodePool, 0, submission, refundAddress, refundAddress, retryableGasLimit, maxFeePerGas, call
        );
        emit RegistrationForwarded(operator, messageNumber);
    }
}
