// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ERC20Base} from "./ERC20Base.sol";

/// @title BridgedCORToken
/// @notice COR as represented on an L2/L3: same ERC-20 surface as CORToken, but supply is created
///         and destroyed only by the canonical `bridge` (lock-on-L1 / mint-on-L2, burn-on-L2 /
///         release-on-L1). The bridge is fixed at construction so a relayer can trust it.
contract BridgedCORToken is ERC20Base {
    /// @notice Someone other than the bridge called mint or burn.
    error OnlyBridge(address caller);

    /// @notice Bridge minted `amount` to `to` (a deposit finalized on this chain).
    event Mint(address indexed to, uint256 amount);
    /// @notice Bridge burned `amount` from `from` (a withdrawal initiated on this chain).
    event Burn(address indexed from, uint256 amount);

    /// @notice The only address allowed to mint and burn.
    address public immutable bridge;

    constructor(address bridge_) ERC20Base("Cortensor", "COR") {
        if (bridge_ == address(0)) revert InvalidReceiver(bridge_);
        bridge = bridge_;
    }

    modifier onlyBridge() {
        if (msg.sender != bridge) revert OnlyBridge(msg.sender);
        _;
    }

    /// @notice Mint bridged COR for a finalized deposit.
    function mint(address to, uint256 amount) external onlyBridge {
        _mint(to, amount);
        emit Mint(to, amount);
    }

    /// @notice Burn bridged COR for a withdrawal. No allowance is needed: the bridge is trusted
    ///         and acts on the holder's request (standard L2 bridge-token behaviour).
    function burn(address from, uint256 amount) external onlyBridge {
        _burn(from, amount);
        emit Burn(from, amount);
    }
}
