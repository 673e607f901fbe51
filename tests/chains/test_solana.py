"""SolanaChain: LiteSVM tied to the devnet clock, with snapshots, export/import and determinism."""

from __future__ import annotations

import json

import pytest
from solders import system_program
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.transaction import Transaction

from cortensor_sim.chains.solana import (
    GENESIS_SLOT,
    LAMPORTS_PER_SIGNATURE,
    LAMPORTS_PER_SOL,
    MAX_PROCESSING_AGE,
    SolanaChain,
    SolanaTransactionError,
)

GENESIS = 1_700_000_000
SEED = b"test-seed"


def make(name: str = "solana", **kwargs: object) -> SolanaChain:
    return SolanaChain(name, seed=SEED, genesis_time=GENESIS, accounts=4, **kwargs)  # type: ignore[arg-type]


def transfer_tx(chain: SolanaChain, sender: Keypair, to: Pubkey, lamports: int) -> Transaction:
    ix = system_program.transfer(
        system_program.TransferParams(from_pubkey=sender.pubkey(), to_pubkey=to, lamports=lamports)
    )
    return Transaction.new_signed_with_payer([ix], sender.pubkey(), [sender], chain.latest_blockhash())


def setup_tokens(chain: SolanaChain) -> tuple[Pubkey, Pubkey, Pubkey]:
    a, b = chain.keypairs[0], chain.keypairs[1]
    mint = chain.create_mint(a, 6)
    ata_a = chain.create_associated_token_account(a, a.pubkey(), mint)
    ata_b = chain.create_associated_token_account(a, b.pubkey(), mint)
    chain.mint_to(a, mint, ata_a, 1_000_000)
    return mint, ata_a, ata_b


def test_keypairs_are_deterministic() -> None:
    one, two = make(), make()
    assert [bytes(k) for k in one.keypairs] == [bytes(k) for k in two.keypairs]
    assert len({k.pubkey() for k in one.keypairs}) == 4
    other_name = make("solana-2")
    assert other_name.keypairs[0].pubkey() != one.keypairs[0].pubkey()
    other_seed = SolanaChain("solana", seed=b"other", genesis_time=GENESIS, accounts=1)
    assert other_seed.keypairs[0].pubkey() != one.keypairs[0].pubkey()
    assert one.balance(one.keypairs[3].pubkey()) == 1_000 * LAMPORTS_PER_SOL
    assert one.latest_blockhash() == two.latest_blockhash()


def test_airdrop_and_transfer_balances_exact() -> None:
    chain = make()
    sender = chain.keypairs[0]
    fresh = Keypair.from_seed(bytes([7]) * 32).pubkey()
    assert chain.balance(fresh) == 0
    chain.airdrop(fresh, 2 * LAMPORTS_PER_SOL)
    assert chain.balance(fresh) == 2 * LAMPORTS_PER_SOL
    before = chain.balance(sender.pubkey())
    sig = chain.transfer(sender, fresh, 12_345)
    assert chain.balance(fresh) == 2 * LAMPORTS_PER_SOL + 12_345
    assert chain.balance(sender.pubkey()) == before - 12_345 - LAMPORTS_PER_SIGNATURE
    record = chain.get_transaction(sig)
    assert record is not None and record.error is None and record.slot == chain.slot
    with pytest.raises(ValueError, match="rent-exempt"):
        chain.airdrop(Keypair.from_seed(bytes([8]) * 32).pubkey(), 10)


def test_transfer_below_rent_exempt_fails_and_changes_nothing() -> None:
    chain = make()
    sender = chain.keypairs[0]
    fresh = Keypair.from_seed(bytes([9]) * 32).pubkey()
    digest = chain.state_digest()
    before = chain.balance(sender.pubkey())
    with pytest.raises(SolanaTransactionError, match="InsufficientFundsForRent") as info:
        chain.transfer(sender, fresh, 10)
    assert info.value.landed is False
    assert info.value.logs, "program logs are attached"
    assert info.value.signature is not None
    assert chain.get_transaction(info.value.signature) is None
    assert chain.balance(sender.pubkey()) == before
    assert chain.balance(fresh) == 0
    assert chain.state_digest() == digest
    # skip_preflight: it lands as a failed transaction, the fee is charged, signature used up
    tx = transfer_tx(chain, sender, fresh, 10)
    with pytest.raises(SolanaTransactionError) as landed:
        chain.send(tx, skip_preflight=True)
    assert landed.value.landed is True
    assert chain.balance(sender.pubkey()) == before - LAMPORTS_PER_SIGNATURE
    assert chain.balance(fresh) == 0
    with pytest.raises(SolanaTransactionError, match="already processed"):
        chain.send(tx, skip_preflight=True)


def test_spl_mint_ata_mint_to_transfer_checked_with_memo() -> None:
    chain = make()
    a, b = chain.keypairs[0], chain.keypairs[1]
    mint, ata_a, ata_b = setup_tokens(chain)
    assert ata_a == chain.associated_token_address(a.pubkey(), mint)
    assert ata_b == chain.associated_token_address(b.pubkey(), mint)
    assert chain.token_balance(ata_a) == 1_000_000
    assert chain.token_balance(ata_b) == 0
    sig = chain.transfer_checked(a, mint, ata_a, ata_b, 250_000, 6, memo="invoice 42")
    assert chain.token_balance(ata_a) == 750_000
    assert chain.token_balance(ata_b) == 250_000
    record = chain.get_transaction(sig)
    assert record is not None
    assert any("invoice 42" in line for line in record.logs), record.logs
    with pytest.raises(SolanaTransactionError, match="InstructionError"):
        chain.transfer_checked(a, mint, ata_a, ata_b, 1, 9)  # wrong decimals
    with pytest.raises(SolanaTransactionError):
        chain.create_associated_token_account(a, b.pubkey(), mint)  # exists already
    assert chain.token_balance(ata_a) == 750_000
    with pytest.raises(ValueError, match="not an SPL token account"):
        chain.token_balance(a.pubkey())


def test_advance_to_drives_slot_and_clock_sysvar() -> None:
    chain = make()
    clock = chain.svm.get_clock()
    assert (clock.slot, clock.unix_timestamp) == (GENESIS_SLOT, GENESIS)
    first = chain.latest_blockhash()
    chain.advance_to(GENESIS + 1.2)  # 1.2 / 0.4 is 2.999... in floats: still slot 3
    assert chain.slot == chain.height == GENESIS_SLOT + 3
    assert chain.unix_timestamp == GENESIS + 1
    clock = chain.svm.get_clock()
    assert (clock.slot, clock.unix_timestamp) == (GENESIS_SLOT + 3, GENESIS + 1)
    assert chain.latest_blockhash() != first
    chain.advance_to(GENESIS + 100.5)
    assert (chain.slot, chain.unix_timestamp) == (GENESIS_SLOT + 251, GENESIS + 100)
    chain.advance_to(GENESIS + 50)  # never backwards
    assert (chain.svm.get_clock().slot, chain.unix_timestamp) == (GENESIS_SLOT + 251, GENESIS + 100)
    # the first blockhash is now older than MAX_PROCESSING_AGE slots
    assert not chain.is_blockhash_valid(first)
    assert chain.slot - GENESIS_SLOT > MAX_PROCESSING_AGE


def test_duplicates_refused_and_blockhash_changes_per_slot() -> None:
    chain = make()
    sender, to = chain.keypairs[0], chain.keypairs[1].pubkey()
    tx = transfer_tx(chain, sender, to, 1_000)
    sig = chain.send(tx)
    before = chain.balance(to)
    with pytest.raises(SolanaTransactionError, match="already processed"):
        chain.send(tx)
    assert chain.balance(to) == before
    chain.advance_to(GENESIS + 0.4)
    with pytest.raises(SolanaTransactionError, match="already processed"):
        chain.send(tx)  # still refused in a later slot
    tx2 = transfer_tx(chain, sender, to, 1_000)
    assert tx2.signatures[0] != sig
    chain.send(tx2)
    assert chain.balance(to) == before + 1_000
    # the helper never collides with itself within a slot
    s1 = chain.transfer(sender, to, 5)
    s2 = chain.transfer(sender, to, 5)
    assert s1 != s2
    assert chain.balance(to) == before + 1_010
    # an expired blockhash is refused
    old = transfer_tx(chain, sender, to, 77)
    chain.advance_to(GENESIS + 0.4 * (MAX_PROCESSING_AGE + 3))
    with pytest.raises(SolanaTransactionError, match="BlockhashNotFound"):
        chain.send(old)


def test_snapshot_revert_restores_everything_and_nests() -> None:
    chain = make()
    a, b = chain.keypairs[0], chain.keypairs[1]
    mint, ata_a, ata_b = setup_tokens(chain)
    outer = chain.snapshot()
    digest0 = chain.state_digest()
    bal_a, bal_b = chain.balance(a.pubkey()), chain.balance(b.pubkey())
    clock0 = chain.svm.get_clock()
    blockhash0 = chain.latest_blockhash()

    chain.advance_to(GENESIS + 10)
    tx = transfer_tx(chain, a, b.pubkey(), 4_000)
    chain.send(tx)
    chain.transfer_checked(a, mint, ata_a, ata_b, 100, 6)
    carol = Keypair.from_seed(bytes([3]) * 32).pubkey()
    chain.airdrop(carol, LAMPORTS_PER_SOL)
    ata_c = chain.create_associated_token_account(a, carol, mint)
    mint2 = chain.create_mint(b, 0)
    inner = chain.snapshot()
    digest1 = chain.state_digest()

    chain.advance_to(GENESIS + 20)
    chain.transfer_checked(a, mint, ata_a, ata_c, 7, 6)
    chain.transfer(b, carol, 1_000_000)
    chain.revert(inner)
    assert chain.state_digest() == digest1
    assert chain.token_balance(ata_c) == 0
    assert chain.slot == GENESIS_SLOT + 25

    chain.revert(outer)
    assert chain.state_digest() == digest0
    assert (chain.balance(a.pubkey()), chain.balance(b.pubkey())) == (bal_a, bal_b)
    assert chain.token_balance(ata_a) == 1_000_000 and chain.token_balance(ata_b) == 0
    for created in (carol, ata_c, mint2):
        assert chain.svm.get_account(created) is None
        assert chain.balance(created) == 0
    assert chain.svm.get_clock() == clock0
    assert chain.latest_blockhash() == blockhash0
    assert (chain.slot, chain.unix_timestamp) == (GENESIS_SLOT, GENESIS)
    with pytest.raises(ValueError, match="no longer valid"):
        chain.revert(inner)
    # a transaction sent after the snapshot can be sent again, as on a reverted anvil
    chain.advance_to(GENESIS + 10)
    assert chain.send(tx) == tx.signatures[0]
    # the same operations after a revert reproduce the same state (mint address included)
    chain.revert(outer)
    chain.advance_to(GENESIS + 10)
    chain.send(tx)
    chain.transfer_checked(a, mint, ata_a, ata_b, 100, 6)
    chain.airdrop(carol, LAMPORTS_PER_SOL)
    chain.create_associated_token_account(a, carol, mint)
    assert chain.create_mint(b, 0) == mint2
    assert chain.state_digest() == digest1
    with pytest.raises(ValueError, match="not a snapshot"):
        chain.revert(make().snapshot())


def test_export_import_round_trip() -> None:
    chain = make()
    a, b = chain.keypairs[0], chain.keypairs[1]
    mint, ata_a, ata_b = setup_tokens(chain)
    chain.advance_to(GENESIS + 3)
    sig = chain.transfer_checked(a, mint, ata_a, ata_b, 10, 6, memo="m")
    state = json.loads(json.dumps(chain.export_state()))
    copy = SolanaChain.import_state("solana", state, seed=SEED, genesis_time=GENESIS, accounts=4)
    assert copy.state_digest() == chain.state_digest()
    assert copy.token_balance(ata_b) == 10
    assert copy.balance(a.pubkey()) == chain.balance(a.pubkey())
    assert copy.svm.get_clock() == chain.svm.get_clock()
    assert copy.latest_blockhash() == chain.latest_blockhash()
    assert copy.get_transaction(sig) is not None
    # both continue identically
    assert chain.create_mint(a, 2) == copy.create_mint(a, 2)
    assert chain.transfer(a, b.pubkey(), 99) == copy.transfer(a, b.pubkey(), 99)
    assert copy.state_digest() == chain.state_digest()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda s: s.pop("accounts"), "'accounts'"),
        (lambda s: s.update(version=99), "version"),
        (lambda s: s.update(slot="x"), "'slot'"),
        (lambda s: s["accounts"].update({"not-a-key": {}}), "invalid pubkey"),
        (lambda s: next(iter(s["accounts"].values())).update(data="%%%"), "base64"),
        (lambda s: next(iter(s["accounts"].values())).update(lamports=-1), "'lamports'"),
        (lambda s: s["transactions"].append(["zz", 1, None]), "signature"),
    ],
)
def test_malformed_import_refused(mutate: object, message: str) -> None:
    state = make().export_state()
    mutate(state)  # type: ignore[operator]
    with pytest.raises(ValueError, match="malformed Solana state") as info:
        SolanaChain.import_state("solana", state, seed=SEED, genesis_time=GENESIS)
    assert message in str(info.value)
    with pytest.raises(ValueError, match="expected a dict"):
        SolanaChain.import_state("solana", [], seed=SEED, genesis_time=GENESIS)  # type: ignore[arg-type]


def test_same_seed_same_operations_same_digest() -> None:
    def run() -> tuple[str, list[str]]:
        chain = make()
        a, b = chain.keypairs[0], chain.keypairs[1]
        mint, ata_a, ata_b = setup_tokens(chain)
        hashes = [str(chain.latest_blockhash())]
        for step in range(1, 6):
            chain.advance_to(GENESIS + step * 0.9)
            hashes.append(str(chain.latest_blockhash()))
            chain.transfer(a, b.pubkey(), 1_000 * step)
            chain.transfer_checked(a, mint, ata_a, ata_b, step, 6)
        return chain.state_digest(), hashes

    first, second = run(), run()
    assert first == second
    assert len(set(first[1])) == len(first[1])
    assert make("other").state_digest() != make().state_digest()


def test_engine_panic_becomes_transaction_error() -> None:
    class FakePanic(BaseException):  # pyo3's PanicException derives from BaseException
        pass

    chain = make()
    sender, to = chain.keypairs[0], chain.keypairs[1].pubkey()
    digest = chain.state_digest()

    def explode(tx: object) -> None:
        raise FakePanic("called `Option::unwrap()` on a `None` value")

    chain.svm.send_transaction = explode  # type: ignore[method-assign]
    with pytest.raises(SolanaTransactionError, match="panicked"):
        chain.transfer(sender, to, 1_000)
    assert chain.state_digest() == digest


def test_airdrop_is_a_faucet_transfer_recorded_like_any_transaction() -> None:
    chain = make()
    faucet = chain.faucet.pubkey()
    before = chain.balance(faucet)
    fresh = Keypair.from_seed(bytes([11]) * 32).pubkey()
    sig = chain.airdrop(fresh, LAMPORTS_PER_SOL)
    record = chain.get_transaction(sig)
    assert record is not None and record.error is None
    assert chain.balance(fresh) == LAMPORTS_PER_SOL
    assert chain.balance(faucet) == before - LAMPORTS_PER_SOL - LAMPORTS_PER_SIGNATURE
    # Two identical airdrops in one slot are two transactions, not a refused duplicate.
    second = chain.airdrop(fresh, LAMPORTS_PER_SOL)
    assert second != sig and chain.balance(fresh) == 2 * LAMPORTS_PER_SOL
