// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IArbSys, IBridge, IOutbox} from "../nitro/NitroInterfaces.sol";
import {ICheckpointInbox} from "./CrossLayerInterfaces.sol";

/// @title CheckpointForwarder
/// @notice On arbitrum, the middle hop of an l3 checkpoint (l3 -> arbitrum -> l1): it accepts a
///         checkpoint only when the l3's Outbox executes it (msg.sender is the l3's Bridge on
///         arbitrum and its Outbox's l2ToL1Sender() is the SessionCheckpointer on the l3), and
///         sends it on unchanged to CheckpointRegistry on l1 through ArbSys.sendTxToL1, where the
///         registry's route (arbitrum's Bridge, this forwarder) names the l3's chain id.
contract CheckpointForwarder is ICheckpointInbox {
    error NotFromChildBridge(address sender);
    error NotFromChildCheckpointer(address l2Sender);
    error AlreadyInitialized();

    event CheckpointForwarded(uint256 indexed sourceChainId, uint256 indexed blockNumber, uint256 position);

    IArbSys internal constant ARB_SYS = IArbSys(address(100));

    /// @notice The l3's Bridge on this chain.
    IBridge public immutable childBridge;
    /// @notice SessionCheckpointer on the l3 and CheckpointRegistry on l1 (set once by the deployer).
    address public childCheckpointer;
    address public registry;
    address private immutable _deployer;

    constructor(IBridge childBridge_) {
        childBridge = childBridge_;
        _deployer = msg.sender;
    }

    function initialize(address childCheckpointer_, address registry_) external {
        if (msg.sender != _deployer || registry != address(0)) revert AlreadyInitialized();
        childCheckpointer = childCheckpointer_;
        registry = registry_;
    }

    /// @notice A checkpoint from the l3, executed by the l3's Outbox; forwarded to l1.
    function receiveCheckpoint(uint256 sourceChainId, uint256 blockNumber, bytes32 sessionRoot, bytes32 resultRoot)
        external
    {
        if (msg.sender != address(childBridge)) revert NotFromChildBridge(msg.sender);
        address l2Sender = IOutbox(childBridge.activeOutbox()).l2ToL1Sender();
        if (l2Sender != childCheckpointer) revert NotFromChildCheckpointer(l2Sender);
        bytes memory call = abi.encodeCall(
            ICheckpointInbox.receiveCheckpoint, (sourceChainId, blockNumber, sessionRoot, resultRoot)
        );
        uint256 position = ARB_SYS.sendTxToL1(registry, call);
        emit CheckpointForwarded(sourceChainId, blockNumber, position);
    }
}
