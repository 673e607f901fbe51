"""The Solana port: solana-py's own async client (``solana`` on PyPI) against the devnet's Solana."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from serve_helpers import ServedDevnet
from web3 import Web3

from cortensor_sim.chains import Devnet

solana_rpc = pytest.importorskip(
    "solana.rpc.async_api", reason="solana-py (pip install solana) is not installed"
)

from solana.rpc.commitment import Finalized  # noqa: E402
from solana.rpc.core import RPCException  # noqa: E402
from solana.rpc.models import TokenAccountOpts, TxOpts  # noqa: E402
from solders.keypair import Keypair  # noqa: E402
from solders.message import Message  # noqa: E402
from solders.pubkey import Pubkey  # noqa: E402
from solders.system_program import TransferParams, transfer  # noqa: E402
from solders.transaction import Transaction  # noqa: E402


@pytest.fixture
def served_solana() -> Iterator[ServedDevnet]:
    serving = ServedDevnet(Devnet(), automine=True, solana_port=0)
    yield serving
    serving.close()


def _transfer(payer: Keypair, to: Pubkey, lamports: int, blockhash) -> Transaction:
    message = Message(
        [transfer(TransferParams(from_pubkey=payer.pubkey(), to_pubkey=to, lamports=lamports))],
        payer.pubkey(),
    )
    return Transaction([payer], message, blockhash)


def test_solana_py_client_reads_sends_and_confirms(served_solana: ServedDevnet) -> None:
    chain = served_solana.server.devnet["solana"]
    payer = chain.keypairs[0]
    receiver = Keypair.from_seed(bytes([7]) * 32).pubkey()

    async def session() -> None:
        async with solana_rpc.AsyncClient(served_solana.urls["solana"]) as client:
            assert await client.is_connected()
            assert (await client.get_version()).value.solana_core
            start = (await client.get_balance(payer.pubkey())).value
            assert start > 0
            rent = (await client.get_minimum_balance_for_rent_exemption(0)).value
            blockhash = (await client.get_latest_blockhash()).value.blockhash
            sent = await client.send_transaction(_transfer(payer, receiver, rent + 1_000, blockhash))
            await client.confirm_transaction(sent.value, commitment=Finalized, sleep_seconds=0.05)
            statuses = (await client.get_signature_statuses([sent.value])).value
            assert statuses[0] is not None and statuses[0].err is None
            assert (await client.get_balance(receiver)).value == rent + 1_000
            assert (await client.get_balance(payer.pubkey())).value == start - rent - 1_000 - 5_000
            info = (await client.get_account_info(receiver)).value
            assert info is not None and info.lamports == rent + 1_000
            both = (await client.get_multiple_accounts([receiver, Keypair().pubkey()])).value
            assert both[0] is not None and both[1] is None
            fetched = (await client.get_transaction(sent.value, encoding="base64")).value
            assert fetched is not None and fetched.slot == statuses[0].slot
            airdrop = await client.request_airdrop(receiver, 10**9)
            await client.confirm_transaction(airdrop.value, sleep_seconds=0.05)
            assert (await client.get_balance(receiver)).value == rent + 1_000 + 10**9
            # A transfer the payer cannot cover is refused at preflight and nothing lands.
            poor = Keypair.from_seed(bytes([9]) * 32)
            with pytest.raises(RPCException):
                await client.send_transaction(_transfer(poor, receiver, 1, blockhash), opts=TxOpts())
            assert (await client.get_balance(receiver)).value == rent + 1_000 + 10**9

    asyncio.run(session())


def test_solana_py_client_reads_token_accounts(served_solana: ServedDevnet) -> None:
    chain = served_solana.server.devnet["solana"]
    authority, owner = chain.keypairs[0], chain.keypairs[1]

    def mint_tokens() -> tuple[Pubkey, Pubkey]:
        mint = chain.create_mint(authority, 6)
        account = chain.create_associated_token_account(authority, owner.pubkey(), mint)
        chain.mint_to(authority, mint, account, 2_500_000)
        return mint, account

    mint, account = served_solana.on_loop(mint_tokens)

    async def session() -> None:
        async with solana_rpc.AsyncClient(served_solana.urls["solana"]) as client:
            balance = (await client.get_token_account_balance(account)).value
            assert balance.amount == "2500000" and balance.decimals == 6 and balance.ui_amount_string == "2.5"
            by_mint = (
                await client.get_token_accounts_by_owner(owner.pubkey(), TokenAccountOpts(mint=mint))
            ).value
            assert [entry.pubkey for entry in by_mint] == [account]
            other = (
                await client.get_token_accounts_by_owner(authority.pubkey(), TokenAccountOpts(mint=mint))
            ).value
            assert other == []

    asyncio.run(session())


def test_the_solana_port_follows_a_loaded_state(served_solana: ServedDevnet) -> None:
    """anvil_loadState on any EVM port replaces the whole devnet, Solana included."""
    chain = served_solana.server.devnet["solana"]
    payer = chain.keypairs[0]
    receiver = Keypair.from_seed(bytes([8]) * 32).pubkey()
    l1 = Web3(Web3.HTTPProvider(served_solana.urls["l1"]))
    dumped = l1.provider.make_request("anvil_dumpState", [])["result"]

    async def transfer_then_load() -> tuple[int, int]:
        async with solana_rpc.AsyncClient(served_solana.urls["solana"]) as client:
            blockhash = (await client.get_latest_blockhash()).value.blockhash
            rent = (await client.get_minimum_balance_for_rent_exemption(0)).value
            await client.send_transaction(_transfer(payer, receiver, rent, blockhash))
            after_transfer = (await client.get_balance(receiver)).value
            assert l1.provider.make_request("anvil_loadState", [dumped])["result"] is True
            return after_transfer, (await client.get_balance(receiver)).value

    after_transfer, after_load = asyncio.run(transfer_then_load())
    assert after_transfer > 0 and after_load == 0
