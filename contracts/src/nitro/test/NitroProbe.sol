// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IArbSys, IBridge, IOutbox, applyL1ToL2Alias} from "../NitroInterfaces.sol";

/// @title NitroProbe
/// @notice A test fixture: reports what a contract on a Nitro chain sees (block.number,
///         block.prevrandao, ArbSys's answers), sends messages to the parent through ArbSys, and
///         forwards calls so that the same questions can be asked one frame deeper.
contract NitroProbe {
    IArbSys internal constant ARB_SYS = IArbSys(address(100));

    event Seen(address sender, address callersCaller, bool aliased, bool topLevel);

    function blockInfo() external view returns (uint256 number, uint256 prevrandao, uint256 arbBlockNumber, uint256 chainId) {
        return (block.number, block.prevrandao, ARB_SYS.arbBlockNumber(), ARB_SYS.arbChainID());
    }

    function callerInfo() public view returns (bool aliased, address callersCaller, bool topLevel) {
        return (ARB_SYS.wasMyCallersAddressAliased(), ARB_SYS.myCallersAddressWithoutAliasing(), ARB_SYS.isTopLevelCall());
    }

    /// @notice callerInfo, kept in a log: how a deposit shows what its target saw.
    function recordCaller() external payable {
        (bool aliased, address callersCaller, bool topLevel) = callerInfo();
        emit Seen(msg.sender, callersCaller, aliased, topLevel);
    }

    function forward(address target, bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory out) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly {
                revert(add(out, 32), mload(out))
            }
        }
        return out;
    }

    function sendToParent(address destination, bytes calldata data) external payable returns (uint256) {
        return ARB_SYS.sendTxToL1{value: msg.value}(destination, data);
    }
}

/// @title ParentReceiver
/// @notice A test fixture on the parent chain: accepts calls only from the Bridge, and only for
///         messages a given child-chain contract sent, as an app authenticates Outbox calls.
contract ParentReceiver {
    error NotBridge(address sender);
    error WrongL2Sender(address l2Sender, address expected);

    event Received(address l2Sender, uint256 value, bytes payload);

    IBridge public immutable bridge;
    address public immutable expectedL2Sender;
    uint256 public received;

    constructor(IBridge bridge_, address expectedL2Sender_) {
        bridge = bridge_;
        expectedL2Sender = expectedL2Sender_;
    }

    function receiveFromChild(bytes calldata payload) external payable {
        if (msg.sender != address(bridge)) revert NotBridge(msg.sender);
        address l2Sender = IOutbox(bridge.activeOutbox()).l2ToL1Sender();
        if (l2Sender != expectedL2Sender) revert WrongL2Sender(l2Sender, expectedL2Sender);
        received += 1;
        emit Received(l2Sender, msg.value, payload);
    }
}

/// @title RetryTarget
/// @notice A test fixture on a child chain: the target of a retryable. It accepts a call only from
///         the aliased address of one parent-chain sender, and only while open, so a test can make
///         an auto-redeem fail and a later redeem succeed.
contract RetryTarget {
    error NotFromParentSender(address sender, address expected);
    error Closed();

    event Entered(address sender, address parentSender, uint256 value, bytes payload);

    address public immutable parentSender;
    address public immutable owner;
    bool public open;
    uint256 public entered;

    constructor(address parentSender_, bool open_) {
        parentSender = parentSender_;
        owner = msg.sender;
        open = open_;
    }

    function setOpen(bool open_) external {
        require(msg.sender == owner, "owner only");
        open = open_;
    }

    function enter(bytes calldata payload) external payable {
        address expected = applyL1ToL2Alias(parentSender);
        if (msg.sender != expected) revert NotFromParentSender(msg.sender, expected);
        if (!open) revert Closed();
        entered += 1;
        emit Entered(msg.sender, IArbSys(address(100)).myCallersAddressWithoutAliasing(), msg.value, payload);
    }
}
