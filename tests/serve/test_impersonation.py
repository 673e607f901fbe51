"""``anvil_impersonateAccount``: send as any address without its key, as on anvil, fees and all."""

from __future__ import annotations

from serve_helpers import EMIT_RUNTIME, deploy, interval_devnet, rpc
from web3 import Web3

from cortensor_sim.chains import Devnet


def test_an_impersonated_account_sends_pays_and_shows_as_the_sender() -> None:
    chain = Devnet().evm("arbitrum")
    w3 = chain.w3
    stranger = Web3.to_checksum_address("0x" + "5a" * 20)
    receiver = w3.eth.accounts[1]
    refused = rpc(chain, "eth_sendTransaction", {"from": stranger, "to": receiver, "value": "0x1"})
    assert "only the dev accounts are unlocked" in refused["error"]["message"]
    rpc(chain, "anvil_setBalance", stranger, hex(10**18))
    assert rpc(chain, "anvil_impersonateAccount", stranger)["result"] is None
    before = w3.eth.get_balance(receiver)
    tx_hash = w3.eth.send_transaction({"from": stranger, "to": receiver, "value": 5})
    receipt = w3.eth.get_transaction_receipt(tx_hash)
    assert receipt["status"] == 1 and receipt["from"] == stranger and receipt["gasUsed"] == 21_000
    assert w3.eth.get_transaction(tx_hash)["from"] == stranger
    assert w3.eth.get_balance(receiver) == before + 5
    paid = receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert w3.eth.get_balance(stranger) == 10**18 - 5 - paid
    assert w3.eth.get_transaction_count(stranger) == 1
    rpc(chain, "anvil_stopImpersonatingAccount", stranger)
    refused = rpc(chain, "eth_sendTransaction", {"from": stranger, "to": receiver, "value": "0x1"})
    assert "error" in refused


def test_impersonating_a_contract_in_a_pooled_block_and_reading_it_back() -> None:
    chain = interval_devnet().evm("base")
    w3 = chain.w3
    contract = deploy(chain, EMIT_RUNTIME)
    rpc(chain, "anvil_setBalance", contract, hex(10**18))
    rpc(chain, "hardhat_impersonateAccount", contract)
    target = deploy(chain, EMIT_RUNTIME)
    tx_hash = w3.eth.send_transaction({"from": contract, "to": target, "data": "0x" + "11" * 32})
    assert w3.eth.get_transaction(tx_hash)["blockHash"] is None  # pooled, its sender already known
    block = chain.mine()
    assert block.tx_hashes[1:] == (bytes(tx_hash),)  # after base's L1 attributes deposit
    receipt = w3.eth.get_transaction_receipt(tx_hash)
    assert receipt["status"] == 1 and receipt["from"] == contract
    # The emitted log's second topic is the caller: the impersonated contract.
    assert receipt["logs"][0]["topics"][1][12:] == bytes.fromhex(contract[2:])
    full = w3.eth.get_block(block.number, full_transactions=True)
    assert full["transactions"][1]["from"] == contract
