"""COR on Solana, and the bridge's custody of it.

COR on Solana is a classic SPL Token mint with **9 decimals** (Solana's custom). EVM COR has 18,
so one SPL unit is 10^9 wei of COR: moving SPL COR to an EVM chain multiplies by 10^9 (exact);
moving COR to Solana truncates to whole SPL units, and the dust below 10^9 wei is not taken from
the sender (the token bridge burns only the truncated amount).

The custody account is the bridge authority's associated token account. On the real Wormhole the
authority is a program-derived address of the token bridge program, and only that program can move
the tokens, after checking a posted VAA on chain. Custom programs cannot be compiled here, so the
authority is an ordinary keypair held by the settlement engine, which releases tokens only after
:func:`~.guardians.verify` accepted the VAA and its digest was not consumed before (see
docs/solana.md, "The guardian bridge").
"""

from __future__ import annotations

from dataclasses import dataclass

from solders.keypair import Keypair
from solders.message import Message, MessageV0
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.transaction import Transaction, VersionedTransaction

from ...chains.solana import LAMPORTS_PER_SOL, MEMO_PROGRAM_ID, TOKEN_PROGRAM_ID, SolanaChain
from .addresses import solana_keypair

COR_DECIMALS = 9
UNITS_PER_SPL = 10**9
"""Wei of COR (18 decimals) per raw SPL COR unit (9 decimals)."""
AUTHORITY_LAMPORTS = 100 * LAMPORTS_PER_SOL
"""What the custody authority and the COR treasury get from the faucet to pay fees and rent."""
_TRANSFER_CHECKED = 12


def to_spl(wei: int) -> tuple[int, int]:
    """(SPL units, dust in wei) of an 18-decimal COR amount."""
    return divmod(wei, UNITS_PER_SPL)


def to_wei(units: int) -> int:
    return units * UNITS_PER_SPL


@dataclass(frozen=True)
class CustodyDeposit:
    """An SPL COR transfer into custody, and the memo next to it, read from a landed transaction."""

    signature: Signature
    slot: int
    sender: Pubkey
    amount: int
    memo: str | None


class SolanaCOR:
    """The SPL COR mint, the bridge's custody account, and the keys behind them (from the seed)."""

    def __init__(self, chain: SolanaChain, seed: bytes) -> None:
        self.chain = chain
        self.mint_keypair = solana_keypair(seed, "cor-mint")
        self.treasury = solana_keypair(seed, "cor-treasury")
        """The mint authority: Solana-issued COR is minted by it (as l1's supply is minted once)."""
        self.authority = solana_keypair(seed, "custody-authority")
        self.mint = self.mint_keypair.pubkey()
        self.custody = chain.associated_token_address(self.authority.pubkey(), self.mint)

    @staticmethod
    def addresses(seed: bytes) -> tuple[Pubkey, Pubkey]:
        """(mint, custody authority) of a devnet seed, known before any chain is built."""
        return solana_keypair(seed, "cor-mint").pubkey(), solana_keypair(seed, "custody-authority").pubkey()

    @property
    def ready(self) -> bool:
        return self.chain.get_account(self.mint) is not None

    def create(self) -> None:
        """Create the mint and the custody account by transactions (once, at devnet build)."""
        chain = self.chain
        chain.airdrop(self.treasury.pubkey(), AUTHORITY_LAMPORTS)
        chain.airdrop(self.authority.pubkey(), AUTHORITY_LAMPORTS)
        chain.create_mint(self.treasury, COR_DECIMALS, mint=self.mint_keypair)
        chain.create_associated_token_account(self.authority, self.authority.pubkey(), self.mint)

    # ------------------------------------------------------------------ user-side helpers
    def account_of(self, owner: Pubkey) -> Pubkey:
        return self.chain.associated_token_address(owner, self.mint)

    def open_account(self, owner: Pubkey, payer: Keypair | None = None) -> Pubkey:
        """``owner``'s COR account, created (paid by ``payer``, default the treasury) if missing."""
        ata = self.account_of(owner)
        if self.chain.get_account(ata) is None:
            self.chain.create_associated_token_account(payer or self.treasury, owner, self.mint)
        return ata

    def issue(self, owner: Pubkey, units: int) -> Signature:
        """Mint ``units`` of Solana-issued COR to ``owner``'s account (the treasury signs)."""
        return self.chain.mint_to(self.treasury, self.mint, self.open_account(owner), units)

    def balance(self, owner: Pubkey) -> int:
        ata = self.account_of(owner)
        return self.chain.token_balance(ata) if self.chain.get_account(ata) is not None else 0

    @property
    def locked(self) -> int:
        """SPL COR held in custody (backing wrapped COR on the EVM side)."""
        return self.chain.token_balance(self.custody)

    def lock(self, owner: Keypair, units: int, memo: str) -> Signature:
        """A user's bridge transaction: the memo, then TransferChecked into custody."""
        return self.chain.transfer_checked(
            owner, self.mint, self.account_of(owner.pubkey()), self.custody, units, COR_DECIMALS, memo=memo
        )

    def release(self, recipient: Pubkey, units: int) -> Signature:
        """The custody authority pays ``units`` out of custody to ``recipient``'s account."""
        destination = self.open_account(recipient, payer=self.authority)
        return self.chain.transfer_checked(
            self.authority, self.mint, self.custody, destination, units, COR_DECIMALS
        )

    # ------------------------------------------------------------------ observation
    @staticmethod
    def memo_and_signer(tx: Transaction | VersionedTransaction) -> tuple[str | None, Pubkey]:
        """A landed transaction's first memo (None if it has none) and its first signer (the fee
        payer, who signed the memo in the transactions the bridge reads)."""
        message: Message | MessageV0 = tx.message
        keys = message.account_keys
        for ix in message.instructions:
            if keys[ix.program_id_index] == MEMO_PROGRAM_ID:
                return bytes(ix.data).decode("utf-8", errors="replace"), keys[0]
        return None, keys[0]

    def deposits(
        self, tx: Transaction | VersionedTransaction, signature: Signature, slot: int
    ) -> list[CustodyDeposit]:
        """The TransferChecked instructions into custody of one landed transaction, each with the
        transaction's memo (the first Memo instruction, if any)."""
        message: Message | MessageV0 = tx.message
        keys = message.account_keys
        memo: str | None = None
        found: list[tuple[Pubkey, int]] = []
        for ix in message.instructions:
            program = keys[ix.program_id_index]
            data = bytes(ix.data)
            if program == MEMO_PROGRAM_ID and memo is None:
                memo = data.decode("utf-8", errors="replace")
            elif (
                program == TOKEN_PROGRAM_ID
                and data[:1] == bytes([_TRANSFER_CHECKED])
                and len(ix.accounts) >= 4
            ):
                source, mint, destination, owner = (keys[i] for i in bytes(ix.accounts)[:4])
                if mint == self.mint and destination == self.custody:
                    del source
                    found.append((owner, int.from_bytes(data[1:9], "little")))
        return [CustodyDeposit(signature, slot, owner, amount, memo) for owner, amount in found]
