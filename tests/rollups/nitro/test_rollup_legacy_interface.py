"""The Rollup as clients read it: the legacy (pre-BoLD) rollup interface of nitro-contracts v2
(``extraChallengeTimeBlocks``, ``latestConfirmed``, ``latestNodeCreated``, ``getNode``, and
IRollupCore's ``NodeCreated``/``NodeConfirmed``/``NodeRejected``), which @arbitrum/sdk's
``ChildToParentMessageNitro`` follows from the Rollup to a child block and its send root."""

from __future__ import annotations

from typing import Any

from eth_hash.auto import keccak
from nitro_helpers import ETH, NitroRollup
from web3 import Web3

from cortensor_sim.rollups.nitro import ARBSYS
from cortensor_sim.rollups.nitro.harness import CONFIRM_PERIOD_BLOCKS

GLOBAL_STATE = "((bytes32[2],uint64[2]),uint8)"
PUBLISHED = {
    # OffchainLabs/nitro-contracts v2 src/rollup/IRollupCore.sol
    "NodeCreated": f"NodeCreated(uint64,bytes32,bytes32,bytes32,({GLOBAL_STATE},{GLOBAL_STATE},uint64),"
    "bytes32,bytes32,uint256)",
    "NodeConfirmed": "NodeConfirmed(uint64,bytes32,bytes32)",
    "NodeRejected": "NodeRejected(uint64)",
}
WITHDRAW_ETH = Web3.keccak(text="withdrawEth(address)")[:4]


def _topic(rollup: NitroRollup, name: str) -> bytes:
    return bytes.fromhex(rollup.contract("Rollup").events[name]().topic[2:])  # type: ignore[attr-defined]


def _logs(rollup: NitroRollup, name: str, block: int | None = None) -> list[Any]:
    event = rollup.contract("Rollup").events[name]()
    if block is None:
        return list(event.get_logs(from_block=0))
    return list(event.get_logs(from_block=block, to_block=block))


def _withdraw(rollup: NitroRollup, user: str, amount: int) -> None:
    data = WITHDRAW_ETH + bytes(12) + bytes.fromhex(user[2:])
    to = Web3.to_checksum_address(ARBSYS)
    rollup.child.w3.eth.send_transaction({"from": user, "to": to, "data": data, "value": amount})


def _child_block(rollup: NitroRollup, block_hash: bytes) -> dict[str, Any]:
    answer = rollup.child.w3.provider.make_request("eth_getBlockByHash", ["0x" + block_hash.hex(), False])  # type: ignore[arg-type]
    return dict(answer["result"])


def test_the_events_have_the_published_signatures(rollup: NitroRollup) -> None:
    for name, signature in PUBLISHED.items():
        assert _topic(rollup, name) == keccak(signature.encode()), name
    # NodeCreated's topic as @arbitrum/sdk 4.1.0's RollupUserLogic ABI gives it
    assert (
        _topic(rollup, "NodeCreated").hex()
        == "4f4caa9e67fb994e349dd35d1ad0ce23053d4323f83ce11dc817b5435031d096"
    )


def test_genesis_is_node_zero_created_and_confirmed(rollup: NitroRollup) -> None:
    contract = rollup.contract("Rollup").functions
    assert contract.extraChallengeTimeBlocks().call() == 0  # answers: the SDK takes the legacy path
    assert contract.latestConfirmed().call() == 0
    node = contract.getNode(0).call()
    (created,) = _logs(rollup, "NodeCreated", node[10])
    assert created["args"]["nodeNum"] == 0 and created["args"]["nodeHash"] == node[11]
    assert (
        created["args"]["assertion"]["afterState"]["globalState"]["bytes32Vals"] == [bytes(32)] * 2
    )  # no block, no send root


def test_an_asserted_and_confirmed_node_leads_to_the_child_block_and_its_send_root(
    rollup: NitroRollup,
) -> None:
    user = rollup.child.accounts[0].address
    _withdraw(rollup, user, ETH // 4)
    rollup.drive(12, [rollup.reader, rollup.validator])
    (posted,) = [a for a in rollup.validator.assertions if a.send_count == 1]
    functions = rollup.contract("Rollup").functions
    assert functions.latestNodeCreated().call() == posted.number
    assert functions.latestConfirmed().call() < posted.number

    node = functions.getNode(posted.number).call()
    prev_num, deadline, created_at, node_hash = node[3], node[4], node[10], node[11]
    assert created_at == posted.parent_block and deadline == created_at + CONFIRM_PERIOD_BLOCKS
    assert node[2] == keccak(posted.block_hash + posted.send_root)  # confirmData: RollupLib.confirmHash

    # what the SDK does: NodeCreated(nodeNum) in the node's createdAtBlock, then the child block
    (created,) = _logs(rollup, "NodeCreated", created_at)
    args = created["args"]
    assert args["nodeNum"] == posted.number and args["nodeHash"] == node_hash
    assert args["parentNodeHash"] == functions.getNode(prev_num).call()[11]
    after_state = args["assertion"]["afterState"]
    block_hash, send_root = after_state["globalState"]["bytes32Vals"]
    assert (block_hash, send_root) == (posted.block_hash, posted.send_root)
    assert after_state["machineStatus"] == 1  # MachineStatus.FINISHED
    block = _child_block(rollup, block_hash)
    assert block["sendRoot"] == "0x" + send_root.hex() and int(block["sendCount"], 16) == 1

    rollup.drive(48)  # the confirm period passes; the validator confirms
    assert functions.latestConfirmed().call() >= posted.number
    confirmed = [e["args"] for e in _logs(rollup, "NodeConfirmed") if e["args"]["nodeNum"] == posted.number]
    assert confirmed == [{"nodeNum": posted.number, "blockHash": block_hash, "sendRoot": send_root}]


def test_a_rejected_node_is_reported(rollup: NitroRollup) -> None:
    user = rollup.child.accounts[0].address
    _withdraw(rollup, user, ETH // 4)
    rollup.validator.corrupt_next = True
    for _ in range(12):  # until the validator asserts the withdrawal, inside the challenge window
        rollup.drive(1, [rollup.reader, rollup.validator])
        if bad := [a for a in rollup.validator.assertions if a.send_count == 1]:
            break
    (bad,) = bad
    challenger = rollup.parent.accounts[7].address
    rollup.contract("Rollup").functions.rejectAssertion(bad.number).transact({"from": challenger})
    assert [e["args"]["nodeNum"] for e in _logs(rollup, "NodeRejected")] == [bad.number]
    # the block hash is real, the claimed send root is not the block's: the SDK refuses such a node
    (created,) = _logs(rollup, "NodeCreated", bad.parent_block)
    block_hash, send_root = created["args"]["assertion"]["afterState"]["globalState"]["bytes32Vals"]
    assert _child_block(rollup, block_hash)["sendRoot"] != "0x" + send_root.hex()
