"""@arbitrum/sdk drives the served default devnet over RPC: a retryable ticket l1 -> arbitrum, then
a withdrawal arbitrum -> l1 executed through the Outbox by the SDK itself.

The SDK finds the withdrawal's confirmed assertion through the Rollup's legacy interface
(``latestConfirmed``, ``getNode``, ``NodeCreated``) and checks it against the child block's
``sendRoot``/``sendCount`` fields; time moves with ``evm_increaseTime``. The devnet's own outbox
executor is held back (``relay_delay``) so that the SDK's transaction is the one that executes.
Skipped, with the reason, without Node.js or the npm install in tests/serve/clients.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from npm_clients import CLIENTS, missing_package, node
from serve_helpers import ServedDevnet

from cortensor_sim import Devnet
from cortensor_sim.chains.topology import default_topology

HELD_BACK = 10**8
"""Seconds the devnet's outbox executor waits once a message is executable: longer than the flow."""


def _default_devnet_with_the_executor_held_back() -> Devnet:
    topology = default_topology().model_dump(mode="json", exclude_none=True)
    (arbitrum,) = [c for c in topology["chains"] if c["name"] == "arbitrum"]
    arbitrum["settlement"] = {**arbitrum.get("settlement", {}), "relay_delay": HELD_BACK}
    return Devnet(topology)


@pytest.mark.slow
@pytest.mark.skipif(
    missing_package("@arbitrum/sdk") is not None, reason=str(missing_package("@arbitrum/sdk"))
)
def test_arbitrum_sdk_sends_a_retryable_and_executes_a_withdrawal_through_the_outbox() -> None:
    served = ServedDevnet(_default_devnet_with_the_executor_held_back(), automine=True)
    try:
        done = subprocess.run(
            [str(node()), str(CLIENTS / "arbitrum_sdk_flow.mjs"), served.urls["l1"], served.urls["arbitrum"]],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=CLIENTS,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        found = json.loads(done.stdout)
        ticket_id = found.pop("ticketId")
        assert found == {
            "ticketStatus": 1,
            "redeemed": True,
            "statusBefore": "UNCONFIRMED",
            "executeStatus": 1,
            "withdrawn": True,
            "statusAfter": "EXECUTED",
        }
        # the SDK computed the same ticket id (the ArbitrumSubmitRetryableTx hash) as the devnet
        retryables = served.on_loop(lambda: served.server.devnet.messages("retryable"))
        assert [r.detail["ticket"] for r in retryables] == [ticket_id]
    finally:
        served.close()
