// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {BridgedCORToken} from "../BridgedCORToken.sol";
import {IArbSys, IBridge, IInbox, IOutbox, applyL1ToL2Alias} from "./NitroInterfaces.sol";

interface IGatewayToken {
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
    function mint(address to, uint256 amount) external;
    function burn(address from, uint256 amount) external;
}

/// @title ParentCORGateway
/// @notice COR's gateway on the parent chain, in the style of Arbitrum's standard token gateway
///         (OffchainLabs/token-bridge-contracts L1ERC20Gateway, reached through the same
///         outboundTransfer signature as L1GatewayRouter): a deposit escrows the parent token here
///         and sends a retryable that mints its bridged twin on the child; a withdrawal from the
///         child releases it through the Outbox, and only if ChildCORGateway sent it.
///         It names no token at construction, so it can sit in the parent's genesis before COR is
///         deployed: the child gateway creates one BridgedCORToken per parent token on first deposit.
contract ParentCORGateway {
    error NotFromBridge(address sender);
    error NotFromChildGateway(address l2Sender);
    error AlreadyInitialized();
    error TransferFailed();

    event DepositInitiated(
        address l1Token, address indexed from, address indexed to, uint256 indexed sequenceNumber, uint256 amount
    );
    event WithdrawalFinalized(
        address l1Token, address indexed from, address indexed to, uint256 indexed exitNum, uint256 amount
    );

    IInbox public immutable inbox;
    IBridge public immutable bridge;
    address public childGateway;
    address private immutable _deployer;

    constructor(IInbox inbox_, IBridge bridge_) {
        inbox = inbox_;
        bridge = bridge_;
        _deployer = msg.sender;
    }

    function initialize(address childGateway_) external {
        if (msg.sender != _deployer || childGateway != address(0)) revert AlreadyInitialized();
        childGateway = childGateway_;
    }

    /// @param data abi.encode(maxSubmissionCost, extraData), as Arbitrum's gateways take it.
    function outboundTransfer(
        address l1Token,
        address to,
        uint256 amount,
        uint256 maxGas,
        uint256 gasPriceBid,
        bytes calldata data
    ) external payable returns (bytes memory) {
        (uint256 maxSubmissionCost,) = abi.decode(data, (uint256, bytes));
        if (!IGatewayToken(l1Token).transferFrom(msg.sender, address(this), amount)) revert TransferFailed();
        bytes memory call = abi.encodeCall(ChildCORGateway.finalizeInboundTransfer, (l1Token, msg.sender, to, amount, ""));
        uint256 sequenceNumber = inbox.createRetryableTicket{value: msg.value}(
            childGateway, 0, maxSubmissionCost, msg.sender, msg.sender, maxGas, gasPriceBid, call
        );
        emit DepositInitiated(l1Token, msg.sender, to, sequenceNumber, amount);
        return abi.encode(sequenceNumber);
    }

    /// @notice Release escrowed tokens for a withdrawal the child gateway sent (through the Outbox only).
    function finalizeInboundTransfer(address l1Token, address from, address to, uint256 amount, bytes calldata)
        external
        payable
    {
        if (msg.sender != address(bridge)) revert NotFromBridge(msg.sender);
        IOutbox outbox = IOutbox(bridge.activeOutbox());
        address l2Sender = outbox.l2ToL1Sender();
        if (l2Sender != childGateway) revert NotFromChildGateway(l2Sender);
        if (!IGatewayToken(l1Token).transfer(to, amount)) revert TransferFailed();
        emit WithdrawalFinalized(l1Token, from, to, uint256(outbox.l2ToL1OutputId()), amount);
    }
}

/// @title ChildCORGateway
/// @notice COR's gateway on the child chain: mints the BridgedCORToken of a parent token for
///         deposits the parent gateway sent (as a retryable from its aliased address), creating it
///         with CREATE2 on the first deposit as L2ERC20Gateway creates its StandardArbERC20; and
///         burns it for withdrawals, which it sends to the parent gateway through ArbSys. So what the
///         child holds of a token is exactly what the parent gateway escrows of it.
contract ChildCORGateway {
    error NotFromParentGateway(address sender);
    error NoBridgedToken(address l1Token);

    event DepositFinalized(address indexed l1Token, address indexed from, address indexed to, uint256 amount);
    event WithdrawalInitiated(
        address l1Token, address indexed from, address indexed to, uint256 indexed l2ToL1Id, uint256 exitNum, uint256 amount
    );

    IArbSys internal constant ARB_SYS = IArbSys(address(100));

    address public immutable parentGateway;

    constructor(address parentGateway_) {
        parentGateway = parentGateway_;
    }

    /// @notice Where the bridged twin of `l1Token` is (or will be, before its first deposit).
    function calculateL2TokenAddress(address l1Token) public view returns (address) {
        bytes32 initCode = keccak256(abi.encodePacked(type(BridgedCORToken).creationCode, abi.encode(address(this))));
        bytes32 salt = keccak256(abi.encode(l1Token));
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), salt, initCode)))));
    }

    function finalizeInboundTransfer(address l1Token, address from, address to, uint256 amount, bytes calldata)
        external
        payable
    {
        if (msg.sender != applyL1ToL2Alias(parentGateway)) revert NotFromParentGateway(msg.sender);
        address token = calculateL2TokenAddress(l1Token);
        if (token.code.length == 0) {
            new BridgedCORToken{salt: keccak256(abi.encode(l1Token))}(address(this));
        }
        IGatewayToken(token).mint(to, amount);
        emit DepositFinalized(l1Token, from, to, amount);
    }

    function outboundTransfer(address l1Token, address to, uint256 amount, bytes calldata)
        external
        returns (bytes memory)
    {
        address token = calculateL2TokenAddress(l1Token);
        if (token.code.length == 0) revert NoBridgedToken(l1Token);
        IGatewayToken(token).burn(msg.sender, amount);
        bytes memory call = abi.encodeCall(ParentCORGateway.finalizeInboundTransfer, (l1Token, msg.sender, to, amount, ""));
        uint256 id = ARB_SYS.sendTxToL1(parentGateway, call);
        emit WithdrawalInitiated(l1Token, msg.sender, to, id, id, amount);
        return abi.encode(id);
    }
}
