"""Cross-layer flows driven entirely over RPC by the rollup stacks' own SDKs (from npm).

viem's OP Stack actions (``viem/op-stack``) deposit ether to base and prove and finalize a
withdrawal on l1 themselves: the devnet's relayer is held back (``relay_delay``) so that viem's
transactions are the ones that prove and finalize. Skipped, with the reason, without Node.js or
the npm install in tests/serve/clients.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from npm_clients import CLIENTS, missing_package, node
from serve_helpers import ServedDevnet

from cortensor_sim import Devnet

HELD_BACK = 10**8
"""Seconds the devnet's relayer waits before it proves or finalizes: longer than any flow here."""

L1_AND_BASE = {
    "seed": "viem-op-stack",
    "chains": [
        {"name": "l1", "kind": "ethereum", "chain_id": 900, "block_time": 12},
        {
            "name": "base",
            "kind": "op-stack",
            "parent": "l1",
            "chain_id": 901,
            "block_time": 2,
            "settlement": {"relay_delay": HELD_BACK},
        },
    ],
}


@pytest.mark.skipif(missing_package("viem") is not None, reason=str(missing_package("viem")))
def test_viem_op_stack_deposits_then_proves_and_finalizes_a_withdrawal() -> None:
    served = ServedDevnet(Devnet(L1_AND_BASE), automine=True)
    try:
        done = subprocess.run(
            [str(node()), str(CLIENTS / "viem_opstack_flow.mjs"), served.urls["l1"], served.urls["base"]],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=CLIENTS,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        found = json.loads(done.stdout)
        assert found == {
            "depositStatus": "success",
            "deposited": True,
            "gameL2Block": True,
            "proveStatus": "success",
            "finalizeStatus": "success",
            "withdrawn": True,
            "statusAfter": "finalized",
        }
        # the devnet's record of the withdrawal saw viem's proof and finalization on l1
        records = served.on_loop(lambda: served.server.devnet.messages("withdrawal"))
        assert [record.route for record in records] == ["base -> l1"]
    finally:
        served.close()
