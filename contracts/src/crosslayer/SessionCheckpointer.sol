// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IArbSys} from "../nitro/NitroInterfaces.sol";
import {ICheckpointInbox} from "./CrossLayerInterfaces.sol";

interface ICheckpointedQueue {
    function getTaskResults(uint256 sessionId, uint256 taskId)
        external
        view
        returns (address[] memory miners, string[] memory results);
}

/// @title SessionCheckpointer
/// @notice On arbitrum (or any Nitro/Orbit chain): computes a checkpoint of one session's task
///         results from SessionQueueV2's own state and sends it to CheckpointRegistry on the
///         parent through ArbSys.sendTxToL1. The roots are computed here, not given by the
///         caller, so anyone may checkpoint and nobody can checkpoint a root the chain does not
///         hold; CheckpointRegistry trusts this contract as the Outbox's l2ToL1Sender().
///
///         resultRoot  = keccak256(h_1 ++ ... ++ h_n), h_i = keccak256(abi.encode(miners_i, results_i))
///                       from getTaskResults(sessionId, taskIds[i])
///         sessionRoot = keccak256(abi.encode(sessionId, taskIds))
///         blockNumber = ArbSys.arbBlockNumber() (the chain's own number, strictly increasing:
///                       one checkpoint per block, as CheckpointRegistry requires)
contract SessionCheckpointer {
    error AlreadyCheckpointedThisBlock(uint256 blockNumber);
    error AlreadyInitialized();

    event CheckpointSent(
        uint256 indexed sessionId, uint256 indexed blockNumber, bytes32 sessionRoot, bytes32 resultRoot, uint256 position
    );

    IArbSys internal constant ARB_SYS = IArbSys(address(100));

    ICheckpointedQueue public immutable queue;
    /// @notice CheckpointRegistry on the parent chain (set once by the deployer).
    address public registry;
    uint256 public lastBlockNumber;
    address private immutable _deployer;

    constructor(ICheckpointedQueue queue_) {
        queue = queue_;
        _deployer = msg.sender;
    }

    function initialize(address registry_) external {
        if (msg.sender != _deployer || registry != address(0)) revert AlreadyInitialized();
        registry = registry_;
    }

    /// @notice The roots a checkpoint of `sessionId` over `taskIds` would carry now.
    function roots(uint256 sessionId, uint256[] calldata taskIds)
        public
        view
        returns (bytes32 sessionRoot, bytes32 resultRoot)
    {
        bytes memory hashes;
        for (uint256 i = 0; i < taskIds.length; i++) {
            (address[] memory miners, string[] memory results) = queue.getTaskResults(sessionId, taskIds[i]);
            hashes = abi.encodePacked(hashes, keccak256(abi.encode(miners, results)));
        }
        resultRoot = keccak256(hashes);
        sessionRoot = keccak256(abi.encode(sessionId, taskIds));
    }

    /// @notice Send a checkpoint of `sessionId` over `taskIds` to the parent's CheckpointRegistry.
    /// @return position the ArbSys send's leaf index (the Outbox executes it once confirmed)
    function checkpoint(uint256 sessionId, uint256[] calldata taskIds) external returns (uint256 position) {
        uint256 blockNumber = ARB_SYS.arbBlockNumber();
        if (blockNumber <= lastBlockNumber) revert AlreadyCheckpointedThisBlock(blockNumber);
        lastBlockNumber = blockNumber;
        (bytes32 sessionRoot, bytes32 resultRoot) = roots(sessionId, taskIds);
        bytes memory call = abi.encodeCall(
            ICheckpointInbox.receiveCheckpoint, (block.chainid, blockNumber, sessionRoot, resultRoot)
        );
        position = ARB_SYS.sendTxToL1(registry, call);
        emit CheckpointSent(sessionId, blockNumber, sessionRoot, resultRoot, position);
    }
}
