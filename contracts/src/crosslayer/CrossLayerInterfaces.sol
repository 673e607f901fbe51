// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

// What the cross-layer contracts call on each other and on the OP Stack messenger. The messenger's
// signatures are the real stack's (ethereum-optimism/optimism
// packages/contracts-bedrock/src/universal/CrossDomainMessenger.sol); the Cortensor-side ones are
// ours (Cortensor publishes no cross-chain ABI). Nitro's (IInbox, IBridge, IOutbox, IArbSys) are
// in ../nitro/NitroInterfaces.sol, the one definition both stacks' contracts import.

/// @notice The OP Stack CrossDomainMessenger, both sides.
interface ICrossLayerMessenger {
    function sendMessage(address target, bytes calldata message, uint32 minGasLimit) external payable;
    /// @dev Reverts outside a relay ("CrossDomainMessenger: xDomainMessageSender is not set").
    function xDomainMessageSender() external view returns (address);
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
