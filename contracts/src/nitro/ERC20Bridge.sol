// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Bridge} from "./Bridge.sol";

interface INativeToken {
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
}

/// @title ERC20Bridge
/// @notice The Bridge of a Nitro chain whose native currency is an ERC-20 token on its parent (an
///         Orbit chain with a custom gas token: COR for Cortensor's l3). It escrows the token instead
///         of ETH: deposits arrive through the ERC20Inbox, which pulls the token into this contract,
///         and an executed withdrawal's value is paid out in the token. After OffchainLabs/
///         nitro-contracts src/bridge/ERC20Bridge.sol.
contract ERC20Bridge is Bridge {
    error EthNotAccepted();
    error CallTargetNotAllowed(address target);
    error TokenTransferFailed(address to, uint256 amount);

    address public immutable token;

    constructor(address token_) {
        token = token_;
    }

    function nativeToken() external view override returns (address) {
        return token;
    }

    /// @notice The ETH entry is closed: a custom-gas-token chain takes its token only.
    function enqueueDelayedMessage(uint8, address, bytes32) external payable override returns (uint256) {
        revert EthNotAccepted();
    }

    /// @notice Append a message whose token amount the inbox already moved into this bridge.
    function enqueueDelayedMessage(uint8 kind, address sender, bytes32 messageDataHash, uint256 tokenFeeAmount)
        external
        returns (uint256)
    {
        if (!_allowedDelayedInboxes[msg.sender].allowed) revert NotDelayedInbox(msg.sender);
        return _enqueueDelayedMessage(kind, sender, messageDataHash, tokenFeeAmount);
    }

    /// @dev A custom-gas-token chain has no parent base fee to price submissions in: it reports 0.
    function _baseFeeToReport() internal pure override returns (uint256) {
        return 0;
    }

    function _executeLowLevelCall(address to, uint256 value, bytes calldata data)
        internal
        override
        returns (bool success, bytes memory returnData)
    {
        if (to == token) revert CallTargetNotAllowed(to);
        if (value > 0 && !INativeToken(token).transfer(to, value)) revert TokenTransferFailed(to, value);
        success = true;
        if (data.length > 0) {
            // solhint-disable-next-line avoid-low-level-calls
            (success, returnData) = to.call(data);
        }
    }
}
