"""A pool larger than a block waits in order for the next blocks, as a mempool does."""

from __future__ import annotations

from cortensor_sim import Devnet, EvmChain

ONE_KIND = {
    "chains": [
        {"name": "l1", "kind": "ethereum", "chain_id": 900, "block_time": 12, "mining": "interval"},
        {
            "name": "arb",
            "kind": "nitro",
            "parent": "l1",
            "chain_id": 412346,
            "block_time": 0.25,
            "mining": "interval",
        },
    ]
}


BURNER_INIT = "0x60fe5f5360015ff3"  # returns the runtime 0xfe: INVALID burns all the gas


def _deploy_burner(chain: EvmChain) -> str:
    deployer = chain.accounts[1]
    tx = deployer.sign_transaction(
        {"data": BURNER_INIT, "gas": 100_000, "gasPrice": 10**10, "nonce": 0, "chainId": chain.chain_id}
    )
    tx_hash = chain.send_raw_transaction(bytes(tx.raw_transaction))
    chain.mine()  # evm_mine: the set-up block, before the congestion under test
    address = chain.w3.eth.get_transaction_receipt(tx_hash)["contractAddress"]
    assert chain.w3.eth.get_code(address) == b"\xfe"
    return address


def _send_heavy(devnet: Devnet, chain_name: str, count: int, gas: int) -> list[bytes]:
    """``count`` transactions that each use all of their ``gas`` (an INVALID opcode)."""
    chain = devnet.evm(chain_name)
    burner = _deploy_burner(chain)
    sender = chain.accounts[0]
    hashes = []
    for nonce in range(count):
        tx = sender.sign_transaction(
            {
                "to": burner,
                "value": 0,
                "gas": gas,
                "maxFeePerGas": 10**10,
                "maxPriorityFeePerGas": 10**9,
                "nonce": nonce,
                "chainId": chain.chain_id,
            }
        )
        hashes.append(chain.send_raw_transaction(bytes(tx.raw_transaction)))
    return hashes


def test_slot_chain_fills_consecutive_slots_in_nonce_order() -> None:
    devnet = Devnet(ONE_KIND)
    l1 = devnet.evm("l1")
    # 10M gas each: three fit a 30M block; ten need four blocks.
    hashes = _send_heavy(devnet, "l1", 10, 10_000_000)
    devnet.advance(24)  # slots 1 and 2; block 1 went to the set-up, so the pool starts in slot 2
    assert l1.pending == 7 and l1.pending_nonce(bytes.fromhex(l1.accounts[0].address[2:])) == 10
    devnet.advance(36)
    assert l1.pending == 0
    receipts = [l1.w3.eth.get_transaction_receipt(h) for h in hashes]
    assert [r["blockNumber"] for r in receipts] == [2, 2, 2, 3, 3, 3, 4, 4, 4, 5]
    assert all(r["status"] == 0 and r["gasUsed"] == 10_000_000 for r in receipts)  # burned, included


def test_sequenced_chain_emits_as_many_blocks_as_the_pool_needs_at_one_time() -> None:
    devnet = Devnet(ONE_KIND)
    arb = devnet.evm("arb")
    hashes = _send_heavy(devnet, "arb", 7, 10_000_000)
    devnet.advance(0.25)
    assert arb.pending == 0
    blocks = [arb.w3.eth.get_transaction_receipt(h)["blockNumber"] for h in hashes]
    assert blocks == [2, 2, 2, 3, 3, 3, 4]
    timestamps = {arb.w3.eth.get_block(n)["timestamp"] for n in (2, 3, 4)}
    assert len(timestamps) == 1
