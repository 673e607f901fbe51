"""The OP Stack's on-chain half: predeploy and system-contract addresses, genesis, and the spec's
encodings (deposits, L1 attributes, withdrawals, output roots)."""

from .addresses import (
    DEPOSITOR_ACCOUNT,
    L1_BLOCK,
    L2_CROSS_DOMAIN_MESSENGER,
    L2_STANDARD_BRIDGE,
    L2_TO_L1_MESSAGE_PASSER,
    OPTIMISM_MINTABLE_ERC20_FACTORY,
    SystemAddresses,
)
from .genesis import child_genesis, parent_genesis
from .spec import (
    Deposit,
    Withdrawal,
    apply_alias,
    decode_deposit_log,
    l1_attributes_calldata,
    l1_info_source_hash,
    output_root,
    undo_alias,
    user_deposit_source_hash,
    withdrawal_storage_slot,
)

__all__ = [
    "DEPOSITOR_ACCOUNT",
    "L1_BLOCK",
    "L2_CROSS_DOMAIN_MESSENGER",
    "L2_STANDARD_BRIDGE",
    "L2_TO_L1_MESSAGE_PASSER",
    "OPTIMISM_MINTABLE_ERC20_FACTORY",
    "Deposit",
    "SystemAddresses",
    "Withdrawal",
    "apply_alias",
    "child_genesis",
    "decode_deposit_log",
    "l1_attributes_calldata",
    "l1_info_source_hash",
    "output_root",
    "parent_genesis",
    "undo_alias",
    "user_deposit_source_hash",
    "withdrawal_storage_slot",
]
