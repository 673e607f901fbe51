// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {AccessRoles} from "./AccessRoles.sol";
import {IBridge, IOutbox} from "./nitro/NitroInterfaces.sol";

/// @title CheckpointRegistry
/// @notice Lives on L1: anchors roots of session and result state from other chains (by chain
///         id). Block numbers must strictly increase per source chain, so a checkpoint can never
///         be rewritten or replayed out of order.
///
///         Two ways in. Cross-chain (receiveCheckpoint): a checkpoint sent by a trusted contract
///         on a Nitro child through ArbSys.sendTxToL1 and executed by that child's Outbox; the
///         registry checks msg.sender is a Bridge it has a route for and that the Outbox's
///         l2ToL1Sender() is the route's checkpointer, as Arbitrum's own apps authenticate, and
///         the route (not the message) names the source chain. Direct (postCheckpoint):
///         a POSTER_ROLE account, kept for single-chain runs (the demo and the scenario
///         `checkpoint` step); cross-layer deployments grant it to nobody.
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
    error UnknownRoute(address bridge, address l2Sender);
    error WrongSourceChain(uint256 claimed, uint256 routed);

    event CheckpointPosted(
        uint256 indexed sourceChainId,
        uint256 indexed blockNumber,
        uint256 index,
        bytes32 sessionRoot,
        bytes32 resultRoot,
        address poster
    );

    event RouteSet(address indexed bridge, address indexed checkpointer, uint256 sourceChainId);

    mapping(uint256 => Checkpoint[]) private _checkpoints;
    /// @notice Source chain id of each (Nitro Bridge on this chain, sender on its child) route; 0: none.
    mapping(address => mapping(address => uint256)) public routeChainId;

    constructor(address admin) AccessRoles(admin) {}

    /// @notice Trust `checkpointer` on the child behind `bridge` to send checkpoints of
    ///         `sourceChainId` (0 removes the route). ADMIN_ROLE.
    function setRoute(address bridge, address checkpointer, uint256 sourceChainId) external onlyRole(ADMIN_ROLE) {
        if (bridge == address(0) || checkpointer == address(0)) revert ZeroAddress();
        routeChainId[bridge][checkpointer] = sourceChainId;
        emit RouteSet(bridge, checkpointer, sourceChainId);
    }

    /// @notice A checkpoint executed by a child's Outbox (see the contract's notice).
    function receiveCheckpoint(uint256 sourceChainId, uint256 blockNumber, bytes32 sessionRoot, bytes32 resultRoot)
        external
    {
        address l2Sender = address(0);
        if (msg.sender.code.length > 0) {
            address outbox = IBridge(msg.sender).activeOutbox();
            if (outbox != address(0)) l2Sender = IOutbox(outbox).l2ToL1Sender();
        }
        uint256 routed = routeChainId[msg.sender][l2Sender];
        if (routed == 0 || l2Sender == address(0)) revert UnknownRoute(msg.sender, l2Sender);
        if (sourceChainId != routed) revert WrongSourceChain(sourceChainId, routed);
        _record(sourceChainId, blockNumber, sessionRoot, resultRoot, l2Sender);
    }

    /// @notice Post a checkpoint for `sourceChainId` (POSTER_ROLE). `blockNumber` must exceed
    ///         the previous checkpoint's for that chain (the first may be any value, even 0).
    function postCheckpoint(uint256 sourceChainId, uint256 blockNumber, bytes32 sessionRoot, bytes32 resultRoot)
        external
        onlyRole(POSTER_ROLE)
    {
        _record(sourceChainId, blockNumber, sessionRoot, resultRoot, msg.sender);
    }

    function _record(uint256 sourceChainId, uint256 blockNumber, bytes32 sessionRoot, bytes32 resultRoot, address poster)
        private
    {
        Checkpoint[] storage list = _checkpoints[sourceChainId];
        uint256 count = list.length;
        if (count > 0 && blockNumber <= list[count - 1].blockNumber) {
            revert NonMonotonicBlockNumber(sourceChainId, list[count - 1].blockNumber, blockNumber);
        }
        list.push(Checkpoint(blockNumber, sessionRoot, resultRoot, block.timestamp, poster));
        emit CheckpointPosted(sourceChainId, blockNumber, count, sessionRoot, resultRoot, poster);
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
