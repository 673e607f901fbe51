// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IBridge, IOutbox} from "./NitroInterfaces.sol";

/// @title Outbox
/// @notice Executes a Nitro chain's messages to this chain (ArbSys.sendTxToL1, withdrawEth) once
///         each, against send roots of confirmed assertions. After OffchainLabs/nitro-contracts
///         src/bridge/AbsOutbox.sol and src/libraries/MerkleLib.sol.
///
///         A message's leaf is keccak256(sendHash) with sendHash = keccak256(abi.encodePacked(
///         l2Sender, to, l2Block, l1Block, l2Timestamp, value, data)); the tree pads odd levels
///         with zero words, so calculateRoot folds a proof along the index's bits.
contract Outbox is IOutbox {
    struct L2ToL1Context {
        uint128 l2Block;
        uint128 l1Block;
        uint128 timestamp;
        bytes32 outputId;
        address sender;
    }

    error NotRollup(address sender, address rollup);
    error ProofTooLong(uint256 proofLength);
    error PathNotMinimal(uint256 index, uint256 maxIndex);
    error UnknownRoot(bytes32 root);
    error AlreadySpent(uint256 index);
    error BridgeCallFailed();

    event SendRootUpdated(bytes32 indexed outputRoot, bytes32 indexed l2BlockHash);
    event OutBoxTransactionExecuted(
        address indexed to, address indexed l2Sender, uint256 indexed zero, uint256 transactionIndex
    );

    IBridge public immutable bridge;
    address public immutable rollup;
    /// @notice Confirmed send roots, each mapped to the child block hash it was asserted with.
    mapping(bytes32 => bytes32) public roots;
    mapping(uint256 => bytes32) private _spent;
    L2ToL1Context private _context;

    constructor(IBridge bridge_, address rollup_) {
        bridge = bridge_;
        rollup = rollup_;
    }

    /// @notice Called by the rollup when an assertion is confirmed: its messages become executable.
    function updateSendRoot(bytes32 sendRoot, bytes32 l2BlockHash) external {
        if (msg.sender != rollup) revert NotRollup(msg.sender, rollup);
        roots[sendRoot] = l2BlockHash;
        emit SendRootUpdated(sendRoot, l2BlockHash);
    }

    // ------------------------------------------------------------------ the running message
    /// @notice The child-chain sender of the message executing now, or zero outside an execution.
    function l2ToL1Sender() external view returns (address) {
        return _context.sender;
    }

    function l2ToL1Block() external view returns (uint256) {
        return _context.l2Block;
    }

    function l2ToL1EthBlock() external view returns (uint256) {
        return _context.l1Block;
    }

    function l2ToL1Timestamp() external view returns (uint256) {
        return _context.timestamp;
    }

    function l2ToL1OutputId() external view returns (bytes32) {
        return _context.outputId;
    }

    // ------------------------------------------------------------------ execution
    function executeTransaction(
        bytes32[] calldata proof,
        uint256 index,
        address l2Sender,
        address to,
        uint256 l2Block,
        uint256 l1Block,
        uint256 l2Timestamp,
        uint256 value,
        bytes calldata data
    ) external {
        bytes32 userTx = calculateItemHash(l2Sender, to, l2Block, l1Block, l2Timestamp, value, data);
        _recordOutputAsSpent(proof, index, userTx);
        L2ToL1Context memory prevContext = _context;
        _context = L2ToL1Context(uint128(l2Block), uint128(l1Block), uint128(l2Timestamp), bytes32(index), l2Sender);
        _executeBridgeCall(to, value, data);
        _context = prevContext;
        emit OutBoxTransactionExecuted(to, l2Sender, 0, index);
    }

    function isSpent(uint256 index) public view returns (bool) {
        return _spent[index / 255] & bytes32(uint256(1) << (index % 255)) != 0;
    }

    function _recordOutputAsSpent(bytes32[] calldata proof, uint256 index, bytes32 item) internal {
        if (proof.length >= 256) revert ProofTooLong(proof.length);
        if (index >= 2 ** proof.length) revert PathNotMinimal(index, 2 ** proof.length);
        bytes32 calcRoot = calculateMerkleRoot(proof, index, item);
        if (roots[calcRoot] == bytes32(0)) revert UnknownRoot(calcRoot);
        if (isSpent(index)) revert AlreadySpent(index);
        _spent[index / 255] |= bytes32(uint256(1) << (index % 255));
    }

    function _executeBridgeCall(address to, uint256 value, bytes calldata data) internal {
        (bool success, bytes memory returndata) = bridge.executeCall(to, value, data);
        if (!success) {
            if (returndata.length > 0) {
                assembly {
                    revert(add(32, returndata), mload(returndata))
                }
            }
            revert BridgeCallFailed();
        }
    }

    function calculateItemHash(
        address l2Sender,
        address to,
        uint256 l2Block,
        uint256 l1Block,
        uint256 l2Timestamp,
        uint256 value,
        bytes calldata data
    ) public pure returns (bytes32) {
        return keccak256(abi.encodePacked(l2Sender, to, l2Block, l1Block, l2Timestamp, value, data));
    }

    /// @notice MerkleLib.calculateRoot over the leaf keccak256(item).
    function calculateMerkleRoot(bytes32[] memory proof, uint256 path, bytes32 item) public pure returns (bytes32) {
        bytes32 node = keccak256(abi.encodePacked(item));
        for (uint256 i = 0; i < proof.length; i++) {
            if (path & 1 == 0) {
                node = keccak256(abi.encodePacked(node, proof[i]));
            } else {
                node = keccak256(abi.encodePacked(proof[i], node));
            }
            path >>= 1;
        }
        return node;
    }
}
