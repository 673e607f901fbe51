// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {
    ETH_DEPOSIT_KIND, IBridge, IInbox, L2_MESSAGE_KIND, SUBMIT_RETRYABLE_TX_KIND, applyL1ToL2Alias
} from "./NitroInterfaces.sol";

/// @title Inbox
/// @notice Where parent-chain accounts send messages to a Nitro chain whose currency is ETH:
///         retryable tickets, ETH deposits and L2 messages. Each goes to the Bridge's delayed inbox
///         from the aliased sender (every sender, EOAs included, unlike the OP Stack), and the
///         message's data is emitted here for the child's nodes to derive it from.
///         After OffchainLabs/nitro-contracts src/bridge/AbsInbox.sol and Inbox.sol.
contract Inbox is IInbox {
    error InsufficientValue(uint256 expected, uint256 actual);
    error InsufficientSubmissionCost(uint256 expected, uint256 actual);
    error GasLimitTooLarge();
    error DataTooLarge(uint256 dataLength, uint256 maxDataLength);
    error RetryableData(
        address from,
        address to,
        uint256 l2CallValue,
        uint256 deposit,
        uint256 maxSubmissionCost,
        address excessFeeRefundAddress,
        address callValueRefundAddress,
        uint256 gasLimit,
        uint256 maxFeePerGas,
        bytes data
    );

    event InboxMessageDelivered(uint256 indexed messageNum, bytes data);

    /// @notice Largest message the inbox takes (nitro-contracts' maxDataSize on Ethereum).
    uint256 public constant maxDataSize = 117_964;

    IBridge public immutable bridge;

    constructor(IBridge bridge_) {
        bridge = bridge_;
    }

    /// @notice What a retryable's submission costs on the child: (1400 + 6 per data byte) parent
    ///         base fees, charged from maxSubmissionCost.
    function calculateRetryableSubmissionFee(uint256 dataLength, uint256 baseFee) public view returns (uint256) {
        return (1400 + 6 * dataLength) * (baseFee == 0 ? block.basefee : baseFee);
    }

    /// @notice Deposit msg.value to the sender's own address on the child (aliased if the sender
    ///         is a contract, or calls through one).
    function depositEth() external payable returns (uint256) {
        address dest = msg.sender;
        if (msg.sender.code.length > 0 || tx.origin != msg.sender) {
            dest = applyL1ToL2Alias(msg.sender);
        }
        return _deliverMessage(ETH_DEPOSIT_KIND, msg.sender, abi.encodePacked(dest, msg.value), msg.value);
    }

    /// @notice Send an L2 message (e.g. a signed child-chain transaction) through the delayed inbox.
    function sendL2Message(bytes calldata messageData) external returns (uint256) {
        return _deliverMessage(L2_MESSAGE_KIND, msg.sender, messageData, 0);
    }

    /// @notice Create a retryable ticket; msg.value must cover every fee and the call value.
    ///         A refund address that is a contract is aliased, so that its refund can be recovered.
    function createRetryableTicket(
        address to,
        uint256 l2CallValue,
        uint256 maxSubmissionCost,
        address excessFeeRefundAddress,
        address callValueRefundAddress,
        uint256 gasLimit,
        uint256 maxFeePerGas,
        bytes calldata data
    ) external payable returns (uint256) {
        return _createRetryableTicket(
            to,
            l2CallValue,
            maxSubmissionCost,
            excessFeeRefundAddress,
            callValueRefundAddress,
            gasLimit,
            maxFeePerGas,
            msg.value,
            data
        );
    }

    /// @notice createRetryableTicket without its safety checks: refund addresses are used as given
    ///         and msg.value need not cover the fees (an auto-redeem may then fail).
    function unsafeCreateRetryableTicket(
        address to,
        uint256 l2CallValue,
        uint256 maxSubmissionCost,
        address excessFeeRefundAddress,
        address callValueRefundAddress,
        uint256 gasLimit,
        uint256 maxFeePerGas,
        bytes calldata data
    ) external payable returns (uint256) {
        return _unsafeCreateRetryableTicket(
            to,
            l2CallValue,
            maxSubmissionCost,
            excessFeeRefundAddress,
            callValueRefundAddress,
            gasLimit,
            maxFeePerGas,
            msg.value,
            data
        );
    }

    function _createRetryableTicket(
        address to,
        uint256 l2CallValue,
        uint256 maxSubmissionCost,
        address excessFeeRefundAddress,
        address callValueRefundAddress,
        uint256 gasLimit,
        uint256 maxFeePerGas,
        uint256 amount,
        bytes calldata data
    ) internal returns (uint256) {
        uint256 needed = maxSubmissionCost + l2CallValue + gasLimit * maxFeePerGas;
        if (amount < needed) revert InsufficientValue(needed, amount);
        if (excessFeeRefundAddress.code.length > 0) {
            excessFeeRefundAddress = applyL1ToL2Alias(excessFeeRefundAddress);
        }
        if (callValueRefundAddress.code.length > 0) {
            callValueRefundAddress = applyL1ToL2Alias(callValueRefundAddress);
        }
        return _unsafeCreateRetryableTicket(
            to,
            l2CallValue,
            maxSubmissionCost,
            excessFeeRefundAddress,
            callValueRefundAddress,
            gasLimit,
            maxFeePerGas,
            amount,
            data
        );
    }

    function _unsafeCreateRetryableTicket(
        address to,
        uint256 l2CallValue,
        uint256 maxSubmissionCost,
        address excessFeeRefundAddress,
        address callValueRefundAddress,
        uint256 gasLimit,
        uint256 maxFeePerGas,
        uint256 amount,
        bytes calldata data
    ) internal returns (uint256) {
        // A gas limit or price of 1 is never valid: it asks for the ticket's data back, in a revert.
        if (gasLimit == 1 || maxFeePerGas == 1) {
            revert RetryableData(
                msg.sender,
                to,
                l2CallValue,
                amount,
                maxSubmissionCost,
                excessFeeRefundAddress,
                callValueRefundAddress,
                gasLimit,
                maxFeePerGas,
                data
            );
        }
        if (gasLimit > type(uint64).max) revert GasLimitTooLarge();
        uint256 submissionFee = calculateRetryableSubmissionFee(data.length, block.basefee);
        if (maxSubmissionCost < submissionFee) revert InsufficientSubmissionCost(submissionFee, maxSubmissionCost);
        return _deliverMessage(
            SUBMIT_RETRYABLE_TX_KIND,
            msg.sender,
            abi.encodePacked(
                uint256(uint160(to)),
                l2CallValue,
                amount,
                maxSubmissionCost,
                uint256(uint160(excessFeeRefundAddress)),
                uint256(uint160(callValueRefundAddress)),
                gasLimit,
                maxFeePerGas,
                data.length,
                data
            ),
            amount
        );
    }

    function _deliverMessage(uint8 kind, address sender, bytes memory messageData, uint256 amount)
        internal
        virtual
        returns (uint256)
    {
        if (messageData.length > maxDataSize) revert DataTooLarge(messageData.length, maxDataSize);
        uint256 messageNum = bridge.enqueueDelayedMessage{value: amount}(
            kind, applyL1ToL2Alias(sender), keccak256(messageData)
        );
        emit InboxMessageDelivered(messageNum, messageData);
        return messageNum;
    }
}
