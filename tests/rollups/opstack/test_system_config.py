"""SystemConfig on l1: base's configuration and registry, owner-only updates with ConfigUpdate, and
derivation carrying the batcher hash and fee scalar into base's L1Block from the next L1 origin."""

from __future__ import annotations

import pytest
from eth_abi import encode
from op_helpers import contract
from web3.exceptions import ContractCustomError

from cortensor_sim import Devnet

ZERO = "0x" + "00" * 20


def test_system_config_names_the_rollups_contracts_and_settings(devnet: Devnet) -> None:
    registry = devnet.system_contracts("base")
    config = contract(devnet, "base", "SystemConfig")
    assert config.address == registry["SystemConfig"]
    assert config.functions.optimismPortal().call() == registry["OptimismPortal"]
    assert config.functions.l1CrossDomainMessenger().call() == registry["L1CrossDomainMessenger"]
    assert config.functions.l1StandardBridge().call() == registry["L1StandardBridge"]
    assert config.functions.disputeGameFactory().call() == registry["DisputeGameFactory"]
    # The OP convention for the batch inbox: 0xff, then the chain id (901) in the remaining bytes.
    assert config.functions.batchInbox().call().lower() == "0xff" + "00" * 17 + "0385"
    assert config.functions.owner().call() == devnet.evm("l1").accounts[0].address
    assert config.functions.gasLimit().call() == devnet.evm("base").w3.eth.get_block("latest").gasLimit
    assert config.functions.scalar().call() == 1 << 248  # Ecotone version byte, scalars zero
    assert config.functions.overhead().call() == 0


def test_base_l1_block_carries_the_batcher_hash_of_its_origin(devnet: Devnet) -> None:
    devnet.advance(24)
    config = contract(devnet, "base", "SystemConfig")
    l1_block = contract(devnet, "base", "L1Block")
    assert l1_block.functions.batcherHash().call() == config.functions.batcherHash().call() != b"\x00" * 32


def test_owner_updates_reach_base_from_the_next_l1_origin(devnet: Devnet) -> None:
    l1, base = devnet.evm("l1"), devnet.evm("base")
    owner = l1.accounts[0].address
    config = contract(devnet, "base", "SystemConfig")
    l1_block = contract(devnet, "base", "L1Block")
    new_batcher = b"\x00" * 12 + bytes.fromhex("ba7c4e4" + "0" * 33)
    tx = config.functions.setBatcherHash(new_batcher).transact({"from": owner})
    (update,) = config.events.ConfigUpdate().process_receipt(l1.w3.eth.get_transaction_receipt(tx))
    assert update["args"]["version"] == 0 and update["args"]["updateType"] == 0
    assert update["args"]["data"] == encode(["bytes32"], [new_batcher])
    tx = config.functions.setGasConfigEcotone(1368, 810949).transact({"from": owner})
    (update,) = config.events.ConfigUpdate().process_receipt(l1.w3.eth.get_transaction_receipt(tx))
    scalar = (1 << 248) | (810949 << 32) | 1368
    assert update["args"]["updateType"] == 1
    assert update["args"]["data"] == encode(["uint256", "uint256"], [0, scalar])
    assert l1_block.functions.batcherHash().call() != new_batcher  # not before an origin that has it
    devnet.advance(24)
    assert base.height > 0
    assert l1_block.functions.number().call() >= l1.w3.eth.get_transaction_receipt(tx)["blockNumber"]
    assert l1_block.functions.batcherHash().call() == new_batcher
    assert l1_block.functions.l1FeeScalar().call() == scalar


def test_only_the_owner_configures_and_ownership_never_goes_to_zero(devnet: Devnet) -> None:
    l1 = devnet.evm("l1")
    owner, stranger, heir = (a.address for a in l1.accounts[:3])
    config = contract(devnet, "base", "SystemConfig")
    with pytest.raises(ContractCustomError) as refused:
        config.functions.setBatcherHash(b"\x01" * 32).transact({"from": stranger})
    assert stranger[2:].lower() in str(refused.value.data).lower()  # NotOwner(stranger)
    with pytest.raises(ContractCustomError):
        config.functions.transferOwnership(ZERO).transact({"from": owner})
    tx = config.functions.transferOwnership(heir).transact({"from": owner})
    (moved,) = config.events.OwnershipTransferred().process_receipt(l1.w3.eth.get_transaction_receipt(tx))
    assert (moved["args"]["previousOwner"], moved["args"]["newOwner"]) == (owner, heir)
    config.functions.setUnsafeBlockSigner(stranger).transact({"from": heir})
    assert config.functions.unsafeBlockSigner().call() == stranger
