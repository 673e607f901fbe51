"""Chains of one devnet share nothing: state, heights and pools are per chain."""

from __future__ import annotations

from chain_helpers import EVM_CHAINS, checksum, send

from cortensor_sim.chains import Devnet


def _view(devnet: Devnet, address: str) -> dict[str, tuple[int, int, int, str]]:
    return {
        name: (
            chain.w3.eth.get_balance(address),
            chain.w3.eth.get_transaction_count(address),
            chain.height,
            chain.engine.get_block("latest")["hash"],
        )
        for name, chain in devnet.evm_chains.items()
    }


def test_transfer_on_base_changes_nothing_on_the_other_chains(devnet: Devnet) -> None:
    base = devnet.evm("base")
    sender = base.accounts[1]
    recipient = checksum(b"\x42" * 20)
    before_sender = _view(devnet, sender.address)
    before_recipient = _view(devnet, recipient)
    solana_before = devnet.chains["solana"].state_digest()

    tx_hash = send(base, sender, to=recipient, value=12345)
    receipt = base.w3.eth.get_transaction_receipt(tx_hash)
    assert receipt["status"] == 1

    after_sender = _view(devnet, sender.address)
    after_recipient = _view(devnet, recipient)
    for name in ("l1", "arbitrum", "l3"):
        assert after_sender[name] == before_sender[name], name
        assert after_recipient[name] == before_recipient[name], name
        assert devnet.evm(name).engine.get_receipt(tx_hash) is None  # unknown there
    assert devnet.chains["solana"].state_digest() == solana_before

    assert after_recipient["base"][0] == 12345
    assert after_sender["base"][1] == before_sender["base"][1] + 1
    assert after_sender["base"][2] == before_sender["base"][2] + 1
    fee = receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert after_sender["base"][0] == before_sender["base"][0] - 12345 - fee


def test_each_chain_has_its_own_heights_and_genesis(devnet: Devnet) -> None:
    genesis_hashes = {n: c.engine.get_block(0)["hash"] for n, c in devnet.evm_chains.items()}
    assert len(set(genesis_hashes.values())) == len(EVM_CHAINS)

    send(devnet.evm("arbitrum"), devnet.evm("arbitrum").accounts[0], to=checksum(b"\x01" * 20))
    send(devnet.evm("arbitrum"), devnet.evm("arbitrum").accounts[0], to=checksum(b"\x01" * 20))
    assert devnet.evm("arbitrum").height == 2
    assert devnet.evm("l3").height == 0
    assert devnet.evm("l1").height == 0
    assert devnet.evm("base").height == 0

    devnet.advance(24)
    # slot chains follow time; sequenced chains only move with transactions
    assert devnet.evm("l1").height == 2
    assert devnet.evm("base").height == 12
    assert devnet.evm("arbitrum").height == 2
    assert devnet.evm("l3").height == 0
    assert devnet.chains["solana"].slot == 60


def test_same_nonce_on_two_chains_are_two_independent_transactions(devnet: Devnet) -> None:
    sender = devnet.evm("l1").accounts[2]
    hashes = {}
    for name in EVM_CHAINS:
        chain = devnet.evm(name)
        assert chain.w3.eth.get_transaction_count(sender.address) == 0
        hashes[name] = send(chain, sender, to=checksum(b"\x07" * 20), value=1)
        assert chain.w3.eth.get_transaction_count(sender.address) == 1
    assert len(set(hashes.values())) == len(EVM_CHAINS)
    for name, tx_hash in hashes.items():
        for other in EVM_CHAINS:
            found = devnet.evm(other).engine.get_receipt(tx_hash)
            assert (found is not None) == (other == name)
