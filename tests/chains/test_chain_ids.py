"""Every EVM chain's id is the same in CHAINID, EIP-155 signatures and eth_chainId, and stays so."""

from __future__ import annotations

import pytest
from chain_helpers import CHAINID_RUNTIME, EVM_CHAINS, checksum, deploy_runtime, sign
from web3.exceptions import Web3RPCError

from cortensor_sim.chains import Devnet


def _chainid_opcode(devnet: Devnet, name: str, contract: str) -> int:
    out = devnet.evm(name).w3.eth.call({"to": contract})
    assert len(out) == 32
    return int.from_bytes(out, "big")


@pytest.mark.parametrize("name", sorted(EVM_CHAINS))
def test_chain_id_agrees_in_opcode_signature_and_rpc(devnet: Devnet, name: str) -> None:
    chain = devnet.evm(name)
    expected = EVM_CHAINS[name]
    assert chain.chain_id == expected
    assert chain.w3.eth.chain_id == expected
    assert chain.w3.provider.make_request("eth_chainId", [])["result"] == hex(expected)
    assert chain.w3.net.version == str(expected)

    contract = deploy_runtime(chain, CHAINID_RUNTIME)
    assert _chainid_opcode(devnet, name, contract) == expected

    # A transaction EIP-155-signed for this id is accepted and carries the id.
    account = chain.accounts[3]
    raw = sign(account, expected, 0, to=checksum(b"\x09" * 20), value=7)
    tx_hash = chain.w3.eth.send_raw_transaction(raw)
    assert chain.w3.eth.get_transaction_receipt(tx_hash)["status"] == 1
    assert chain.w3.eth.get_transaction(tx_hash)["chainId"] == expected

    # The id survives a snapshot and a revert.
    snap = devnet.snapshot()
    devnet.advance(30)
    devnet.revert(snap)
    assert chain.w3.eth.chain_id == expected
    assert _chainid_opcode(devnet, name, contract) == expected


@pytest.mark.parametrize("name", sorted(EVM_CHAINS))
def test_transaction_signed_for_another_chain_is_refused(devnet: Devnet, name: str) -> None:
    chain = devnet.evm(name)
    account = chain.accounts[4]
    before = (
        chain.height,
        chain.w3.eth.get_balance(account.address),
        chain.w3.eth.get_transaction_count(account.address),
        len(chain.sealed),
        chain.engine.get_block("latest")["hash"],
    )
    for other_id in [i for i in EVM_CHAINS.values() if i != EVM_CHAINS[name]] + [1]:
        raw = sign(account, other_id, 0, to=checksum(b"\x09" * 20), value=7)
        with pytest.raises(Web3RPCError, match=f"chain id {other_id}"):
            chain.w3.eth.send_raw_transaction(raw)
    after = (
        chain.height,
        chain.w3.eth.get_balance(account.address),
        chain.w3.eth.get_transaction_count(account.address),
        len(chain.sealed),
        chain.engine.get_block("latest")["hash"],
    )
    assert after == before
    # ... and the very same nonce, signed for the right id, still goes through.
    raw = sign(account, EVM_CHAINS[name], 0, to=checksum(b"\x09" * 20), value=7)
    assert chain.w3.eth.get_transaction_receipt(chain.w3.eth.send_raw_transaction(raw))["status"]


def test_chain_ids_survive_dump_and_load(devnet: Devnet, tmp_path) -> None:
    loaded = Devnet.load(devnet.dump(tmp_path / "ids.state"))
    for name, chain_id in EVM_CHAINS.items():
        assert loaded.evm(name).w3.eth.chain_id == chain_id
        contract = deploy_runtime(loaded.evm(name), CHAINID_RUNTIME)
        assert _chainid_opcode(loaded, name, contract) == chain_id
