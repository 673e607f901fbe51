"""COR on Solana: an SPL mint that wraps the COR the token bridge locks on the EVM side.

COR is canonical on l1. On Solana it is a classic SPL Token mint with **9 decimals** (Solana's
custom), the wrapped representation of the COR that ``WormholeTokenBridge`` locks on the bridge's
EVM chain, as Wormhole's token bridge wraps a token native to an EVM chain
(wormhole-foundation/wormhole ``solana/modules/token_bridge``: ``complete_wrapped`` mints,
``transfer_wrapped`` burns). The mint's only authority is the bridge's: SPL COR is minted when a
guardian-signed transfer from the EVM side arrives, and burned by its holder to go back. EVM COR has
18 decimals, so one SPL unit is 10^9 wei: moving COR to Solana locks whole SPL units and leaves the
dust below 10^9 wei with the sender; moving it back multiplies by 10^9 (exact).

On the real Wormhole the authority is a program-derived address of the token bridge program, and
only that program can mint, after checking a posted VAA on chain. Custom programs cannot be compiled
here, so the authority is an ordinary keypair held by the settlement engine, which mints only after
:func:`~.guardians.verify` accepted the VAA and its digest was not consumed before (see
docs/solana.md, "The boundary").
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
"""What the bridge authority gets from the faucet to pay fees and the rent of new token accounts."""
_BURN = 8
_BURN_CHECKED = 15


def to_spl(wei: int) -> tuple[int, int]:
    """(SPL units, dust in wei) of an 18-decimal COR amount."""
    return divmod(wei, UNITS_PER_SPL)


def to_wei(units: int) -> int:
    return units * UNITS_PER_SPL


@dataclass(frozen=True)
class BridgeBurn:
    """An SPL COR burn, and the memo next to it, read from a landed transaction."""

    signature: Signature
    slot: int
    sender: Pubkey
    amount: int
    memo: str | None


class SolanaCOR:
    """The SPL COR mint and the bridge authority that mints it (keys from the devnet seed)."""

    def __init__(self, chain: SolanaChain, seed: bytes) -> None:
        self.chain = chain
        self.mint_keypair = solana_keypair(seed, "cor-mint")
        self.authority = solana_keypair(seed, "custody-authority")
        """The bridge's authority: SPL COR's mint authority and the Solana emitter of transfers."""
        self.mint = self.mint_keypair.pubkey()

    @staticmethod
    def addresses(seed: bytes) -> tuple[Pubkey, Pubkey]:
        """(mint, bridge authority) of a devnet seed, known before any chain is built."""
        return solana_keypair(seed, "cor-mint").pubkey(), solana_keypair(seed, "custody-authority").pubkey()

    @property
    def ready(self) -> bool:
        return self.chain.get_account(self.mint) is not None

    def create(self) -> None:
        """Create the mint, with the bridge authority as its mint authority (once, at devnet build)."""
        self.chain.airdrop(self.authority.pubkey(), AUTHORITY_LAMPORTS)
        self.chain.create_mint(self.authority, COR_DECIMALS, mint=self.mint_keypair)

    # ------------------------------------------------------------------ accounts
    def account_of(self, owner: Pubkey) -> Pubkey:
        return self.chain.associated_token_address(owner, self.mint)

    def open_account(self, owner: Pubkey, payer: Keypair | None = None) -> Pubkey:
        """``owner``'s COR account, created (paid by ``payer``, default the authority) if missing."""
        ata = self.account_of(owner)
        if self.chain.get_account(ata) is None:
            self.chain.create_associated_token_account(payer or self.authority, owner, self.mint)
        return ata

    def balance(self, owner: Pubkey) -> int:
        ata = self.account_of(owner)
        return self.chain.token_balance(ata) if self.chain.get_account(ata) is not None else 0

    @property
    def supply(self) -> int:
        """SPL COR in existence (units): what the token bridge locks on the EVM side, less what is
        in flight."""
        return self.chain.token_supply(self.mint)

    # ------------------------------------------------------------------ moving COR
    def burn(self, owner: Keypair, units: int, memo: str) -> Signature:
        """A user's bridge transaction: the memo, then BurnChecked of ``units`` from their account."""
        return self.chain.burn_checked(
            owner, self.mint, self.account_of(owner.pubkey()), units, COR_DECIMALS, memo=memo
        )

    def release(self, recipient: Pubkey, units: int) -> Signature:
        """The bridge authority mints ``units`` to ``recipient``'s account (created if missing)."""
        return self.chain.mint_to(self.authority, self.mint, self.open_account(recipient), units)

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

    def burns(
        self, tx: Transaction | VersionedTransaction, signature: Signature, slot: int
    ) -> list[BridgeBurn]:
        """The Burn and BurnChecked instructions of SPL COR in one landed transaction, each with the
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
            elif program == TOKEN_PROGRAM_ID and data[:1] in (bytes([_BURN]), bytes([_BURN_CHECKED])):
                accounts = bytes(ix.accounts)
                if len(accounts) >= 3 and keys[accounts[1]] == self.mint:
                    found.append((keys[accounts[2]], int.from_bytes(data[1:9], "little")))
        return [BridgeBurn(signature, slot, owner, amount, memo) for owner, amount in found]
