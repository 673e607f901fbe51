// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

// What the cross-layer contracts call on each other and on the rollups' messengers. The messenger
// and inbox signatures are the real stacks' (ethereum-optimism/optimism
// packages/contracts-bedrock/src/universal/CrossDomainMessenger.sol; OffchainLabs/nitro-contracts
// src/bridge/IInbox.sol); the Cortensor-side ones are ours (Cortensor publishes no cross-chain ABI).

/// @notice The OP Stack CrossDomainMessenger, both sides.
interface ICrossLayerMessenger {
    function sendMessage(address target, bytes calldata message, uint32 minGasLimit) external payable;
    /// @dev Reverts outside a relay ("CrossDomainMessenger: xDomainMessageSender is not set").
    function xDomainMessageSender() external view returns (address);
}

/// @notice The Nitro Inbox's retryable entry point (and its fee quote).
interface ICrossLayerInbox {
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

    function calculateRetryableSubmissionFee(uint256 dataLength, uint256 baseFee) external view returns (uint256);
}

/// @notice The two l1-backed entry points of NodePool on arbitrum, called by retryables only.
interface INodePoolL1Backed {
    function recordL1Stake(address operator, uint256 stake) external;
    function registerL1Node(address operator, uint256[] calldata modelIds, bytes calldata publicKey) external;
}

/// @notice NodeStakeL1's entry point for slashes sent from arbitrum through the Outbox.
interface INodeStakeL1 {
    function slash(address operator, uint256 amount, address recipient) external;
}

/// @notice OnboardingRelayL1's entry point for registrations sent from base.
interface IOnboardingRelayL1 {
    function relayRegistration(address operator, uint256[] calldata modelIds, bytes calldata publicKey) external;
}

/// @notice CheckpointRegistry's entry point for checkpoints sent through a Nitro Outbox.
interface ICheckpointInbox {
    function receiveCheckpoint(uint256 sourceChainId, uint256 blockNumber, bytes32 sessionRoot, bytes32 resultRoot)
        external;
}

/// @notice The fees a retryable pays on arbitrum, given by whoever sends it (as Arbitrum's gateways
///         take maxGas, gasPriceBid and maxSubmissionCost). msg.value must cover
///         maxSubmissionCost + gasLimit * maxFeePerGas.
struct RetryableFees {
    uint256 maxSubmissionCost;
    uint256 gasLimit;
    uint256 maxFeePerGas;
}

/// @notice The minimal ERC-20 surface the cross-layer contracts use.
interface ICrossLayerToken {
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
}
