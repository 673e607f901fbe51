// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ETH_DEPOSIT_KIND, L2_MESSAGE_KIND, SUBMIT_RETRYABLE_TX_KIND, applyL1ToL2Alias} from "./NitroInterfaces.sol";

interface IERC20Bridge {
    function nativeToken() external view returns (address);
    function enqueueDelayedMessage(uint8 kind, address sender, bytes32 messageDataHash, uint256 tokenFeeAmount)
        external
        returns (uint256);
}

interface IFeeToken {
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
}

/// @title ERC20Inbox
/// @notice The Inbox of a Nitro chain whose native currency is an ERC-20 token on its parent (COR
///         for the l3). Nothing here is payable: each message pulls its token amount from the sender
///         with transferFrom into the ERC20Bridge, and the child mints it as native currency.
///         Retryable submissions are free of a submission fee, as on nitro-contracts' ERC20Inbox.
///         After OffchainLabs/nitro-contracts src/bridge/ERC20Inbox.sol and AbsInbox.sol.
contract ERC20Inbox {
    error InsufficientValue(uint256 expected, uint256 actual);
    error GasLimitTooLarge();
    error TokenTransferFailed(address from, uint256 amount);
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

    uint256 public constant maxDataSize = 117_964;

    IERC20Bridge public immutable bridge;

    constructor(IERC20Bridge bridge_) {
        bridge = bridge_;
    }

    /// @notice Free on a custom-gas-token chain.
    function calculateRetryableSubmissionFee(uint256, uint256) public pure returns (uint256) {
        return 0;
    }

    /// @notice Deposit `amount` of the token to the sender's address on the child, as native currency.
    function depositERC20(uint256 amount) external returns (uint256) {
        address dest = msg.sender;
        if (msg.sender.code.length > 0 || tx.origin != msg.sender) dest = applyL1ToL2Alias(msg.sender);
        return _deliverMessage(ETH_DEPOSIT_KIND, msg.sender, abi.encodePacked(dest, amount), amount);
    }

    function sendL2Message(bytes calldata messageData) external returns (uint256) {
        return _deliverMessage(L2_MESSAGE_KIND, msg.sender, messageData, 0);
    }

    /// @notice A retryable paid in the token: tokenTotalFeeAmount must cover the call value and gas.
    function createRetryableTicket(
        address to,
        uint256 l2CallValue,
        uint256 maxSubmissionCost,
        address excessFeeRefundAddress,
        address callValueRefundAddress,
        uint256 gasLimit,
        uint256 maxFeePerGas,
        uint256 tokenTotalFeeAmount,
        bytes calldata data
    ) external returns (uint256) {
        uint256 needed = maxSubmissionCost + l2CallValue + gasLimit * maxFeePerGas;
        if (tokenTotalFeeAmount < needed) revert InsufficientValue(needed, tokenTotalFeeAmount);
        if (excessFeeRefundAddress.code.length > 0) excessFeeRefundAddress = applyL1ToL2Alias(excessFeeRefundAddress);
        if (callValueRefundAddress.code.length > 0) callValueRefundAddress = applyL1ToL2Alias(callValueRefundAddress);
        return _unsafeCreateRetryableTicket(
            to,
            l2CallValue,
            maxSubmissionCost,
            excessFeeRefundAddress,
            callValueRefundAddress,
            gasLimit,
            maxFeePerGas,
            tokenTotalFeeAmount,
            data
        );
    }

    function unsafeCreateRetryableTicket(
        address to,
        uint256 l2CallValue,
        uint256 maxSubmissionCost,
        address excessFeeRefundAddress,
        address callValueRefundAddress,
        uint256 gasLimit,
        uint256 maxFeePerGas,
        uint256 tokenTotalFeeAmount,
        bytes calldata data
    ) external returns (uint256) {
        return _unsafeCreateRetryableTicket(
            to,
            l2CallValue,
            maxSubmissionCost,
            excessFeeRefundAddress,
            callValueRefundAddress,
            gasLimit,
            maxFeePerGas,
            tokenTotalFeeAmount,
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

    function _deliverMessage(uint8 kind, address sender, bytes memory messageData, uint256 tokenAmount)
        internal
        returns (uint256)
    {
        if (messageData.length > maxDataSize) revert DataTooLarge(messageData.length, maxDataSize);
        if (tokenAmount > 0 && !IFeeToken(bridge.nativeToken()).transferFrom(msg.sender, address(bridge), tokenAmount)) {
            revert TokenTransferFailed(msg.sender, tokenAmount);
        }
        uint256 messageNum = bridge.enqueueDelayedMessage(
            kind, applyL1ToL2Alias(sender), keccak256(messageData), tokenAmount
        );
        emit InboxMessageDelivered(messageNum, messageData);
        return messageNum;
    }
}
