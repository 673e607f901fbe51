// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IERC20} from "../ERC20Base.sol";

/// @title FalseReturnToken
/// @notice Test fixture, never deployed by the devnet: an ERC-20 whose `transfer` and
///         `transferFrom` return false instead of reverting (as some real tokens do), so the
///         protocol's TokenTransferFailed checks are exercised by the test suite.
contract FalseReturnToken is IERC20 {
    mapping(address => mapping(address => uint256)) public allowance;

    function totalSupply() external pure returns (uint256) {
        return 0;
    }

    function balanceOf(address) external pure returns (uint256) {
        return 0;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    /// @notice Refuses without reverting: nothing moves, the caller must check the result.
    function transfer(address, uint256) external pure returns (bool) {
        return false;
    }

    /// @notice Refuses without reverting: nothing moves, the caller must check the result.
    function transferFrom(address, address, uint256) external pure returns (bool) {
        return false;
    }
}
