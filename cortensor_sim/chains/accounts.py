"""The standard development accounts: the ones anvil and Hardhat fund from the same mnemonic.

Every EVM chain of a devnet funds them, so wallets, scripts and Foundry/Hardhat habits carry over:
account 0 is ``0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266`` everywhere.
"""

from __future__ import annotations

from functools import cache

from eth_account import Account
from eth_account.hdaccount import key_from_seed, seed_from_mnemonic
from eth_account.signers.local import LocalAccount

DEV_MNEMONIC = "test test test test test test test test test test test junk"
DEV_ACCOUNT_PATH = "m/44'/60'/0'/0/{index}"


@cache
def _seed(mnemonic: str) -> bytes:
    # PBKDF2 over the mnemonic costs milliseconds: derive the seed once per process.
    return seed_from_mnemonic(mnemonic, passphrase="")


@cache
def dev_accounts(count: int = 10, mnemonic: str = DEV_MNEMONIC) -> tuple[LocalAccount, ...]:
    """The first ``count`` BIP-44 accounts of ``mnemonic`` (Ethereum's coin type 60)."""
    seed = _seed(mnemonic)
    return tuple(
        Account.from_key(key_from_seed(seed, DEV_ACCOUNT_PATH.format(index=i))) for i in range(count)
    )
