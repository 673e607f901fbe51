// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {OpTypes} from "./OpTypes.sol";

/// @title L2ToL1MessagePasser
/// @notice Predeploy 0x4200000000000000000000000000000000000016: records each withdrawal's hash in
///         `sentMessages` (storage slot 0), which OptimismPortal2 proves against an output root
///         (ethereum-optimism/optimism packages/contracts-bedrock/src/L2/L2ToL1MessagePasser.sol).
contract L2ToL1MessagePasser {
    uint16 public constant MESSAGE_VERSION = 1;
    uint256 internal constant RECEIVE_DEFAULT_GAS_LIMIT = 100_000;

    // slot 0
    mapping(bytes32 => bool) public sentMessages;
    // slot 1
    uint240 internal msgNonce;

    event MessagePassed(
        uint256 indexed nonce,
        address indexed sender,
        address indexed target,
        uint256 value,
        uint256 gasLimit,
        bytes data,
        bytes32 withdrawalHash
    );

    /// @notice A plain ETH transfer withdraws to the sender's own address on L1.
    receive() external payable {
        initiateWithdrawal(msg.sender, RECEIVE_DEFAULT_GAS_LIMIT, bytes(""));
    }

    function initiateWithdrawal(address _target, uint256 _gasLimit, bytes memory _data) public payable {
        uint256 nonce = messageNonce();
        bytes32 withdrawalHash = OpTypes.hashWithdrawal(
            OpTypes.WithdrawalTransaction(nonce, msg.sender, _target, msg.value, _gasLimit, _data)
        );
        sentMessages[withdrawalHash] = true;
        emit MessagePassed(nonce, msg.sender, _target, msg.value, _gasLimit, _data, withdrawalHash);
        unchecked {
            ++msgNonce;
        }
    }

    /// @notice The next withdrawal's nonce, versioned: (1 << 240) | count.
    function messageNonce() public view returns (uint256) {
        return OpTypes.encodeVersionedNonce(msgNonce, MESSAGE_VERSION);
    }
}
