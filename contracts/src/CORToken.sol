// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ERC20Base} from "./ERC20Base.sol";

/// @title CORToken
/// @notice The canonical Cortensor token ("Cortensor", "COR", 18 decimals) as deployed on the
///         simulator's L1. The whole supply is minted once, in the constructor, to `holder`;
///         there is no mint or burn afterwards, so totalSupply is constant and COR conservation
///         (sum of balances == totalSupply) holds by construction.
contract CORToken is ERC20Base {
    /// @param holder receives the entire supply (e.g. the deployer or a treasury).
    /// @param supply total supply in wei-units (18 decimals).
    constructor(address holder, uint256 supply) ERC20Base("Cortensor", "COR") {
        _mint(holder, supply);
    }
}
