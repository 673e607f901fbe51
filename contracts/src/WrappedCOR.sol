// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IERC20} from "./ERC20Base.sol";

/// @title WrappedCOR
/// @notice COR as an ERC-20 on a chain whose native currency is COR (an Orbit chain with COR as its
///         custom gas token). There every COR is native currency minted by deposits through the
///         parent's ERC20Bridge, so the protocol's ERC-20 COR wraps that currency one to one, as WETH9
///         wraps ether: the wrapper holds exactly the native COR it issued, and its supply is part of
///         the chain's native supply (already backed on the parent), never new COR.
///         `depositTo` and `withdrawTo` follow Arbitrum's aeWETH (OffchainLabs/token-bridge-contracts
///         contracts/tokenbridge/libraries/aeWETH.sol), so a retryable from the parent can wrap the
///         COR it brings for its recipient in the same call.
/// @dev No constructor state and no immutables: genesis lays the runtime code as it is.
contract WrappedCOR is IERC20 {
    /// @notice The holder's balance is lower than the amount moved or unwrapped.
    error InsufficientBalance(address account, uint256 balance, uint256 needed);
    /// @notice The spender's allowance from `owner` is lower than the amount moved.
    error InsufficientAllowance(address owner, address spender, uint256 allowance, uint256 needed);
    /// @notice Transfers to, approvals for, or unwrapping to the zero address are refused.
    error InvalidReceiver(address receiver);
    /// @notice Sending the unwrapped native COR to `to` failed.
    error NativeTransferFailed(address to, uint256 amount);

    /// @notice `to` was credited `amount` for native COR sent in.
    event Deposit(address indexed to, uint256 amount);
    /// @notice `from` unwrapped `amount` back to native COR.
    event Withdrawal(address indexed from, uint256 amount);

    string public constant name = "Wrapped COR";
    string public constant symbol = "WCOR";
    uint8 public constant decimals = 18;

    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    receive() external payable {
        _deposit(msg.sender);
    }

    /// @notice Wrap the native COR sent for the sender.
    function deposit() external payable {
        _deposit(msg.sender);
    }

    /// @notice Wrap the native COR sent for `to` (a retryable's call funds its recipient this way).
    function depositTo(address to) external payable {
        _deposit(to);
    }

    /// @notice Unwrap `amount` to native COR, sent to the sender.
    function withdraw(uint256 amount) external {
        _withdraw(msg.sender, amount);
    }

    /// @notice Unwrap `amount` to native COR, sent to `to`.
    function withdrawTo(address to, uint256 amount) external {
        _withdraw(to, amount);
    }

    /// @notice Every wrapped COR is native COR this contract holds.
    function totalSupply() external view returns (uint256) {
        return address(this).balance;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        if (spender == address(0)) revert InvalidReceiver(spender);
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }

    /// @dev An allowance of type(uint256).max is infinite and never decreased, as in ERC20Base.
    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        if (from != msg.sender) {
            uint256 allowed = allowance[from][msg.sender];
            if (allowed != type(uint256).max) {
                if (allowed < amount) revert InsufficientAllowance(from, msg.sender, allowed, amount);
                allowance[from][msg.sender] = allowed - amount;
            }
        }
        _transfer(from, to, amount);
        return true;
    }

    function _deposit(address to) internal {
        if (to == address(0)) revert InvalidReceiver(to);
        balanceOf[to] += msg.value;
        emit Deposit(to, msg.value);
        emit Transfer(address(0), to, msg.value);
    }

    function _withdraw(address to, uint256 amount) internal {
        if (to == address(0)) revert InvalidReceiver(to);
        uint256 balance = balanceOf[msg.sender];
        if (balance < amount) revert InsufficientBalance(msg.sender, balance, amount);
        balanceOf[msg.sender] = balance - amount;
        emit Withdrawal(msg.sender, amount);
        emit Transfer(msg.sender, address(0), amount);
        (bool sent,) = to.call{value: amount}("");
        if (!sent) revert NativeTransferFailed(to, amount);
    }

    function _transfer(address from, address to, uint256 amount) internal {
        if (to == address(0)) revert InvalidReceiver(to);
        uint256 balance = balanceOf[from];
        if (balance < amount) revert InsufficientBalance(from, balance, amount);
        balanceOf[from] = balance - amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }
}
