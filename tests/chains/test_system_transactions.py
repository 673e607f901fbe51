"""Unsigned system transactions (type 0x7E) run as their sender, as OP Stack deposits do."""

from __future__ import annotations

import pytest
from chain_helpers import REVERT_RUNTIME, STORE_CALLER_RUNTIME, checksum, deploy_runtime

from cortensor_sim.chains import Devnet, SystemCall

KEYLESS = b"\xab" * 20  # no key anywhere, no balance anywhere


def _raw(address: str) -> bytes:
    return bytes.fromhex(address[2:])


@pytest.mark.parametrize("name", ["base", "arbitrum"])
def test_system_transaction_runs_as_its_sender_and_mint_pays_the_value(devnet: Devnet, name: str) -> None:
    chain = devnet.evm(name)
    w3 = chain.w3
    store = deploy_runtime(chain, STORE_CALLER_RUNTIME)
    sender = checksum(KEYLESS)
    assert w3.eth.get_balance(sender) == 0
    assert w3.eth.get_transaction_count(sender) == 0

    call = SystemCall(sender=KEYLESS, to=_raw(store), value=5, mint=7, source_hash=b"\x01" * 32)
    tx_hash = chain.send_system_transaction(call)
    assert tx_hash == chain.engine.system_transaction_hash(call)

    receipt = w3.eth.get_transaction_receipt(tx_hash)
    assert receipt["type"] == 0x7E
    assert receipt["status"] == 1
    assert receipt["from"] == sender
    assert receipt["to"] == store
    assert receipt["effectiveGasPrice"] == 0
    tx = w3.eth.get_transaction(tx_hash)
    assert tx["type"] == 0x7E
    assert tx["from"] == sender and tx["value"] == 5

    # CALLER seen by the contract is the system transaction's sender
    slot0 = w3.eth.get_storage_at(store, 0)
    assert slot0 == b"\x00" * 12 + KEYLESS
    assert w3.eth.get_balance(store) == 5
    assert w3.eth.get_balance(sender) == 2  # minted 7, sent 5, paid no fee
    assert w3.eth.get_transaction_count(sender) == 1

    # a second, distinct deposit from the same sender bumps the nonce again
    second = chain.send_system_transaction(
        SystemCall(sender=KEYLESS, to=_raw(store), mint=1, source_hash=b"\x02" * 32)
    )
    assert second != tx_hash
    assert w3.eth.get_transaction_receipt(second)["status"] == 1
    assert w3.eth.get_transaction_count(sender) == 2
    assert w3.eth.get_balance(sender) == 3


def test_mint_is_kept_when_the_call_reverts(devnet: Devnet) -> None:
    chain = devnet.evm("base")
    reverter = deploy_runtime(chain, REVERT_RUNTIME)
    tx_hash = chain.send_system_transaction(
        SystemCall(sender=KEYLESS, to=_raw(reverter), value=4, mint=10, gas=100_000)
    )
    receipt = chain.w3.eth.get_transaction_receipt(tx_hash)
    assert receipt["status"] == 0
    assert receipt["type"] == 0x7E
    assert chain.w3.eth.get_balance(checksum(KEYLESS)) == 10  # value returned, mint kept
    assert chain.w3.eth.get_balance(reverter) == 0
    assert chain.w3.eth.get_transaction_count(checksum(KEYLESS)) == 1


def test_system_transaction_with_value_beyond_mint_fails_but_keeps_mint(devnet: Devnet) -> None:
    chain = devnet.evm("base")
    target = checksum(b"\x5a" * 20)
    tx_hash = chain.send_system_transaction(SystemCall(sender=KEYLESS, to=_raw(target), value=100, mint=10))
    receipt = chain.w3.eth.get_transaction_receipt(tx_hash)
    assert receipt["status"] == 0
    assert chain.w3.eth.get_balance(target) == 0
    assert chain.w3.eth.get_balance(checksum(KEYLESS)) == 10
    assert chain.w3.eth.get_transaction_count(checksum(KEYLESS)) == 1


def test_system_transactions_pool_in_interval_mode(interval_devnet: Devnet) -> None:
    chain = interval_devnet.evm("op")
    store = deploy_runtime(chain, STORE_CALLER_RUNTIME)
    interval_devnet.advance(2)
    tx_hash = chain.send_system_transaction(SystemCall(sender=KEYLESS, to=_raw(store), mint=3))
    assert chain.pending == 1
    assert chain.engine.get_receipt(tx_hash) is None
    sealed = interval_devnet.advance(2)["op"]
    assert sealed[0].tx_hashes[1:] == (tx_hash,)  # after the L1 attributes deposit
    assert chain.w3.eth.get_transaction_receipt(tx_hash)["type"] == 0x7E
    assert chain.w3.eth.get_storage_at(store, 0)[-20:] == KEYLESS
