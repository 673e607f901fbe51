"""Without ``--automine``, blocks come on the wall clock: each chain at its own block time."""

from __future__ import annotations

import time

import pytest
from serve_helpers import ServedDevnet
from web3 import Web3

from cortensor_sim.chains import Devnet


@pytest.mark.slow
def test_blocks_follow_the_wall_clock_and_transactions_wait_for_them() -> None:
    served = ServedDevnet(Devnet())
    try:
        base = Web3(Web3.HTTPProvider(served.urls["base"]))
        arbitrum = Web3(Web3.HTTPProvider(served.urls["arbitrum"]))
        sender, receiver = base.eth.accounts[:2]
        tx_hash = base.eth.send_transaction({"from": sender, "to": receiver, "value": 1})
        # Visible at once, pooled or (if base's slot came already) mined.
        assert base.eth.get_transaction(tx_hash)["hash"] == tx_hash
        receipt = base.eth.wait_for_transaction_receipt(tx_hash, timeout=15, poll_latency=0.1)
        assert receipt["status"] == 1
        # Arbitrum seals only when it has work, within its 0.25 s block time.
        started = time.monotonic()
        tx_hash = arbitrum.eth.send_transaction({"from": sender, "to": receiver, "value": 1})
        receipt = arbitrum.eth.wait_for_transaction_receipt(tx_hash, timeout=15, poll_latency=0.05)
        assert receipt["status"] == 1 and time.monotonic() - started < 5
        # Base makes a block every 2 s whether or not there are transactions.
        height = base.eth.block_number
        deadline = time.monotonic() + 15
        while base.eth.block_number < height + 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert base.eth.block_number >= height + 2
    finally:
        served.close()
