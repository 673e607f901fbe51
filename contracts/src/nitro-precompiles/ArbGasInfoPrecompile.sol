// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title ArbGasInfoPrecompile
/// @notice Nitro's ArbGasInfo (address 0x6C) as EVM code, for the revm engine, answering what
///         cortensor_sim/rollups/nitro/arb_gas_info.py answers on py-evm: the devnet charges the L2
///         part of a fee only (gas at the base fee), so every L1 component is zero.
/// @dev Interface: OffchainLabs/nitro-precompile-interfaces ArbGasInfo.sol. BASEFEE reads 0 inside
///      pyrevm, so the engine hands the block's base fee over in a context slot it writes into the
///      EVM's database only (see ArbSysPrecompile.sol and cortensor_sim/chains/revm/precompiles.py).
contract ArbGasInfoPrecompile {
    bytes32 internal constant BASE_FEE_SLOT = keccak256("arbos.context.baseFee");

    /// @return perL2Tx, perL1CalldataByte, perStorageAllocation, perArbGasBase, perArbGasCongestion,
    ///         perArbGasTotal
    function getPricesInWei() external view returns (uint256, uint256, uint256, uint256, uint256, uint256) {
        uint256 baseFee = _baseFee();
        return (0, 0, 0, baseFee, 0, baseFee);
    }

    /// @return perL2Tx, perL1CalldataByte, perStorageAllocation, in gas
    function getPricesInArbGas() external pure returns (uint256, uint256, uint256) {
        return (0, 0, 0);
    }

    function getMinimumGasPrice() external view returns (uint256) {
        return _baseFee();
    }

    function getL1BaseFeeEstimate() external pure returns (uint256) {
        return 0;
    }

    function getL1GasPriceEstimate() external pure returns (uint256) {
        return 0;
    }

    function getCurrentTxL1GasFees() external pure returns (uint256) {
        return 0;
    }

    function getGasBacklog() external pure returns (uint64) {
        return 0;
    }

    function _baseFee() internal view returns (uint256 value) {
        bytes32 slot = BASE_FEE_SLOT;
        assembly {
            value := sload(slot)
        }
    }
}
