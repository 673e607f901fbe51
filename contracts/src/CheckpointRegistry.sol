// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {AccessRoles} from "./AccessRoles.sol";

/// @title CheckpointRegistry
/// @notice Lives on L1: a POSTER_ROLE relayer anchors roots of session and result state from
///         other chains (by chain id). Block numbers must strictly increase per source chain,
///         so a checkpoint can never be rewritten or replayed out of order.
contract CheckpointRegistry is AccessRoles {
    struct Checkpoint {
        uint256 blockNumber;
        bytes32 sessionRoot;
        bytes32 resultRoot;
        uint256 postedAt;
        address poster;
    }

    error NonMonotonicBlockNumber(uint256 sourceChainId, uint256 lastBlockNumber, uint256 blockNumber);
    error NoCheckpoint(uint256 sourceChainId);
    error CheckpointIndexOutOfRange(uint256 sourceChainId, uint256 index, uint256 count);

    event CheckpointPosted(
        uint256 indexed sourceChainId,
        uint256 indexed blockNumber,
        uint256 index,
        bytes32 sessionRoot,
        bytes32 resultRoot,
        address poster
    );

    mapping(uint256 => Checkpoint[]) private _checkpoints;

    constructor(address admin) AccessRoles(admin) {}

    /// @notice Post a checkpoint for `sourceChainId` (POSTER_ROLE). `blockNumber` must exceed
    ///         the previous checkpoint's for that chain (the first may be any value, even 0).
    function postCheckpoint(uint256 sourceChainId, uint256 blockNumber, bytes32 sessionRoot, bytes32 resultRoot)
        external
        onlyRole(POSTER_ROLE)
    {
        Checkpoint[] storage list = _checkpoints[sourceChainId];
        uint256 count = list.length;
        if (count > 0 && blockNumber <= list[count - 1].blockNumber) {
            revert NonMonotonicBlockNumber(sourceChainId, list[count - 1].blockNumber, blockNumber);
        }
        list.push(Checkpoint(blockNumber, sessionRoot, resultRoot, block.timestamp, msg.sender));
        emit CheckpointPosted(sourceChainId, blockNumber, count, sessionRoot, resultRoot, msg.sender);
    }

    /// @notice The newest checkpoint for `sourceChainId`; reverts NoCheckpoint if none.
    function latestCheckpoint(uint256 sourceChainId) external view returns (Checkpoint memory) {
        Checkpoint[] storage list = _checkpoints[sourceChainId];
        if (list.length == 0) revert NoCheckpoint(sourceChainId);
        return list[list.length - 1];
    }

    /// @notice The `index`-th checkpoint (0 = oldest) for `sourceChainId`.
    function checkpointAt(uint256 sourceChainId, uint256 index) external view returns (Checkpoint memory) {
        Checkpoint[] storage list = _checkpoints[sourceChainId];
        if (index >= list.length) revert CheckpointIndexOutOfRange(sourceChainId, index, list.length);
        return list[index];
    }

    function checkpointCount(uint256 sourceChainId) external view returns (uint256) {
        return _checkpoints[sourceChainId].length;
    }
}
