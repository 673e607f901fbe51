"""Clients nobody here wrote, from npm (ethers v6, viem, Foundry's cast, @solana/web3.js), against serve."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from npm_clients import CAST, CLIENTS, missing_binary, missing_package, node
from serve_helpers import ServedDevnet

from cortensor_sim.chains import Devnet

ARTIFACT = Path(__file__).resolve().parents[2] / "contracts" / "artifacts" / "CORToken.json"
DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"  # dev account 0
DEV_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
RECEIVER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # dev account 1


@pytest.mark.skipif(missing_package("ethers") is not None, reason=str(missing_package("ethers")))
def test_ethers_deploys_sends_reads_events_subscribes_and_reverts(served: ServedDevnet) -> None:
    done = subprocess.run(
        [
            str(node()),
            str(CLIENTS / "ethers_flow.mjs"),
            served.urls["arbitrum"],
            served.ws_url("arbitrum"),
            str(ARTIFACT),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=CLIENTS,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["chainId"] == 412346 and found["sender"] == DEV_ADDRESS
    assert found["symbol"] == "COR" and found["transferStatus"] == 1
    assert found["receiverBalance"] == str(125 * 10**17)
    assert found["events"] == [{"from": DEV_ADDRESS, "to": RECEIVER, "value": str(125 * 10**17)}]
    assert found["plainTransferGas"] == 21_000
    assert found["reverted"] is True and found["receiverBalanceAfterRevert"] == "0"
    heads = found["subscribedBlocks"]
    assert len(heads) >= 2 and heads == list(range(heads[0], heads[0] + len(heads)))
    assert heads[-1] <= found["latestBlock"]


def _cast(*args: str) -> str:
    done = subprocess.run([str(CAST), *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.skipif(missing_binary(CAST) is not None, reason=str(missing_binary(CAST)))
def test_cast_chain_id_send_call_and_logs(served: ServedDevnet) -> None:
    url = served.urls["base"]
    assert _cast("chain-id", "--rpc-url", url) == "901"
    artifact = json.loads(ARTIFACT.read_text())
    constructor_args = _cast("abi-encode", "constructor(address,uint256)", DEV_ADDRESS, "1000")
    created = json.loads(
        _cast(
            "send",
            "--rpc-url",
            url,
            "--private-key",
            DEV_KEY,
            "--json",
            "--create",
            artifact["bytecode"] + constructor_args[2:],
        )
    )
    token = created["contractAddress"]
    sent = json.loads(
        _cast(
            "send",
            "--rpc-url",
            url,
            "--private-key",
            DEV_KEY,
            "--json",
            token,
            "transfer(address,uint256)",
            RECEIVER,
            "250",
        )
    )
    assert int(sent["status"], 16) == 1
    assert _cast("call", "--rpc-url", url, token, "balanceOf(address)(uint256)", RECEIVER) == "250"
    logs = json.loads(
        _cast(
            "logs",
            "--rpc-url",
            url,
            "--json",
            "--from-block",
            "0",
            "--address",
            token,
            "Transfer(address,address,uint256)",
        )
    )
    assert len(logs) == 2  # the mint in the constructor, then the transfer
    assert int(logs[-1]["data"], 16) == 250
    assert logs[-1]["transactionHash"] == sent["transactionHash"]
    unlocked = json.loads(
        _cast(
            "send", "--rpc-url", url, "--unlocked", "--from", DEV_ADDRESS, "--json", RECEIVER, "--value", "7"
        )
    )
    assert int(unlocked["gasUsed"], 16) == 21_000


@pytest.mark.skipif(
    missing_package("@solana/web3.js") is not None, reason=str(missing_package("@solana/web3.js"))
)
def test_solana_web3_js_airdrops_transfers_and_confirms_over_websocket() -> None:
    served = ServedDevnet(Devnet(), automine=True, solana_port=0)
    try:
        url = served.urls["solana"]
        done = subprocess.run(
            [str(node()), str(CLIENTS / "solana_web3_flow.mjs"), url, url.replace("http://", "ws://")],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=CLIENTS,
        )
    finally:
        served.close()
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["payerAfterAirdrop"] == 2 * 10**9
    assert found["receiver"] == found["rent"] + 1_000
    assert found["payer"] == 2 * 10**9 - found["rent"] - 1_000 - 5_000
    assert found["status"] == "finalized"
    assert found["owner"] == "11111111111111111111111111111111"


@pytest.mark.skipif(missing_package("viem") is not None, reason=str(missing_package("viem")))
def test_viem_sends_reads_back_and_watches_blocks(served: ServedDevnet) -> None:
    done = subprocess.run(
        [str(node()), str(CLIENTS / "viem_flow.mjs"), served.urls["l3"], served.ws_url("l3"), "333333"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=CLIENTS,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["chainId"] == 333333 and found["estimate"] == 21_000
    assert found["status"] == "success" and found["received"] is True and found["fromReceipt"] is True
    watched = found["watched"]
    assert len(watched) >= 2 and watched == sorted(watched) and watched[-1] <= found["latest"]
