"""ArbGasInfo (``0x6C``): the prices a wallet or SDK reads to estimate a Nitro transaction's fee.

Interface: OffchainLabs/nitro-precompile-interfaces ``ArbGasInfo.sol``. On Arbitrum a fee has an L2
part (gas at the base fee) and an L1 part (the transaction's calldata priced at the L1 base fee
estimate). The devnet charges the L2 part only, so ArbGasInfo reports exactly that: the base fee for
the L2 components and zero for every L1 component, figures consistent with what a transaction pays
here (``fee = gasUsed * baseFee``), so estimates made from them are exact.
"""

from __future__ import annotations

from functools import cache

from ...artifacts import load_artifact
from ...chains.engine import PrecompileCall, PrecompileHost
from .precompile import NitroPrecompile, method, precompile_address

ARB_GAS_INFO = precompile_address(0x6C)


@cache
def _evm_code() -> bytes:
    return load_artifact("ArbGasInfoPrecompile").deployed_bytecode


class ArbGasInfo(NitroPrecompile):
    address = ARB_GAS_INFO
    name = "ArbGasInfo"

    @property
    def evm_code(self) -> bytes:  # type: ignore[override]
        """This precompile as EVM code (contracts/src/nitro-precompiles/ArbGasInfoPrecompile.sol),
        for the revm engine (see docs/engines.md)."""
        return _evm_code()

    @method("getPricesInWei()", returns=("uint256",) * 6)
    def get_prices_in_wei(self, call: PrecompileCall, host: PrecompileHost) -> tuple[int, ...]:
        """(perL2Tx, perL1CalldataByte, perStorageAllocation, perArbGasBase, perArbGasCongestion,
        perArbGasTotal)."""
        return 0, 0, 0, call.base_fee, 0, call.base_fee

    @method("getPricesInArbGas()", returns=("uint256",) * 3)
    def get_prices_in_arb_gas(self, call: PrecompileCall, host: PrecompileHost) -> tuple[int, ...]:
        """(perL2Tx, perL1CalldataByte, perStorageAllocation), in gas."""
        return 0, 0, 0

    @method("getMinimumGasPrice()", returns=("uint256",))
    def get_minimum_gas_price(self, call: PrecompileCall, host: PrecompileHost) -> int:
        return call.base_fee

    @method("getL1BaseFeeEstimate()", returns=("uint256",))
    def get_l1_base_fee_estimate(self, call: PrecompileCall, host: PrecompileHost) -> int:
        return 0

    @method("getL1GasPriceEstimate()", returns=("uint256",))
    def get_l1_gas_price_estimate(self, call: PrecompileCall, host: PrecompileHost) -> int:
        return 0

    @method("getCurrentTxL1GasFees()", returns=("uint256",))
    def get_current_tx_l1_gas_fees(self, call: PrecompileCall, host: PrecompileHost) -> int:
        return 0

    @method("getGasBacklog()", returns=("uint64",))
    def get_gas_backlog(self, call: PrecompileCall, host: PrecompileHost) -> int:
        return 0
