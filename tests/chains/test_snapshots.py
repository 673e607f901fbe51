"""devnet.snapshot()/revert() bring back every chain, the pools and the clock at once."""

from __future__ import annotations

from typing import Any

import pytest
from chain_helpers import EVM_CHAINS, STORE_ARGS_RUNTIME, checksum, deploy_runtime, send
from solders.keypair import Keypair

from cortensor_sim.chains import Devnet

WATCHED = [checksum(b"\x21" * 20)]
SOL_FRESH = Keypair.from_seed(bytes([77]) * 32).pubkey()


def _picture(devnet: Devnet, contracts: dict[str, str]) -> dict[str, Any]:
    """Everything a revert must restore, read through the public surfaces."""
    picture: dict[str, Any] = {"now_ms": devnet.clock.now_ms, "roots": devnet.state_roots()}
    for name, chain in devnet.evm_chains.items():
        addresses = [a.address for a in chain.accounts[:3]] + WATCHED + list(contracts.values())
        picture[name] = {
            "height": chain.height,
            "head": chain.engine.get_block("latest")["hash"],
            "now": chain.now,
            "pending": chain.pending,
            "balances": [chain.w3.eth.get_balance(a) for a in addresses],
            "nonces": [chain.w3.eth.get_transaction_count(a) for a in addresses],
            "codes": [chain.w3.eth.get_code(a) for a in addresses],
            "storage": [chain.w3.eth.get_storage_at(c, s) for c in contracts.values() for s in (0, 1)],
            "sealed": len(chain.sealed),
        }
    sol = devnet.chains["solana"]
    picture["solana"] = {
        "slot": sol.slot,
        "unix": sol.unix_timestamp,
        "blockhash": str(sol.latest_blockhash()),
        "balances": [sol.balance(k.pubkey()) for k in sol.keypairs[:2]] + [sol.balance(SOL_FRESH)],
        "digest": sol.state_digest(),
    }
    return picture


def _mutate(devnet: Devnet, contracts: dict[str, str], salt: int) -> None:
    for name, chain in devnet.evm_chains.items():
        send(chain, chain.accounts[0], to=WATCHED[0], value=1000 + salt)
        data = (salt % 2).to_bytes(32, "big") + (salt + 1).to_bytes(32, "big")
        send(chain, chain.accounts[1], to=contracts[name], data=data, gas=100_000)
        deploy_runtime(chain, STORE_ARGS_RUNTIME, chain.accounts[2])  # new code appears
    sol = devnet.chains["solana"]
    sol.airdrop(SOL_FRESH, 10**9 + salt)
    sol.transfer(sol.keypairs[0], sol.keypairs[1].pubkey(), 5000 + salt)
    devnet.advance(30 + salt)


@pytest.fixture
def prepared(devnet: Devnet) -> tuple[Devnet, dict[str, str]]:
    contracts = {name: deploy_runtime(devnet.evm(name), STORE_ARGS_RUNTIME) for name in EVM_CHAINS}
    devnet.advance(13)
    return devnet, contracts


def test_revert_restores_everything_on_every_chain(prepared) -> None:
    devnet, contracts = prepared
    before = _picture(devnet, contracts)
    snap = devnet.snapshot()
    _mutate(devnet, contracts, 1)
    changed = _picture(devnet, contracts)
    for key in [*EVM_CHAINS, "solana", "now_ms", "roots"]:
        assert changed[key] != before[key], key
    devnet.revert(snap)
    assert _picture(devnet, contracts) == before
    # the devnet keeps working after a revert, and identically
    _mutate(devnet, contracts, 1)
    assert _picture(devnet, contracts) == changed


def test_nested_snapshots_and_reverting_twice(prepared) -> None:
    devnet, contracts = prepared
    p0 = _picture(devnet, contracts)
    outer = devnet.snapshot()
    _mutate(devnet, contracts, 1)
    p1 = _picture(devnet, contracts)
    inner = devnet.snapshot()
    _mutate(devnet, contracts, 2)
    assert _picture(devnet, contracts) != p1

    devnet.revert(inner)
    assert _picture(devnet, contracts) == p1
    _mutate(devnet, contracts, 3)
    devnet.revert(inner)  # the same snapshot, a second time
    assert _picture(devnet, contracts) == p1

    devnet.revert(outer)
    assert _picture(devnet, contracts) == p0
    with pytest.raises(KeyError, match=f"unknown snapshot {inner}"):
        devnet.revert(inner)  # discarded by the revert to an earlier snapshot
    _mutate(devnet, contracts, 4)
    devnet.revert(outer)  # the outer one stays usable
    assert _picture(devnet, contracts) == p0


def test_unknown_snapshot_id_raises_key_error(devnet: Devnet) -> None:
    with pytest.raises(KeyError, match="unknown snapshot 42"):
        devnet.revert(42)
    snap = devnet.snapshot()
    later = devnet.snapshot()
    devnet.revert(snap)
    with pytest.raises(KeyError):
        devnet.revert(later)
    new = devnet.snapshot()
    assert new not in (snap, later)
    devnet.revert(new)


def test_revert_restores_interval_pools_and_clock(interval_devnet: Devnet) -> None:
    op = interval_devnet.evm("op")
    interval_devnet.advance(3)
    pooled = send(op, op.accounts[0], to=WATCHED[0], value=9)
    snap = interval_devnet.snapshot()
    now = interval_devnet.clock.now_ms
    interval_devnet.advance(10)
    assert op.pending == 0
    assert op.w3.eth.get_transaction_receipt(pooled)["status"] == 1
    interval_devnet.revert(snap)
    assert interval_devnet.clock.now_ms == now
    assert op.pending == 1
    assert op.height == 1
    assert op.engine.get_receipt(pooled) is None
    assert op.w3.eth.get_transaction_count(op.accounts[0].address, "pending") == 1
    interval_devnet.advance(10)
    assert op.w3.eth.get_transaction_receipt(pooled)["blockNumber"] == 2


def test_transaction_sent_after_a_snapshot_can_be_sent_again_after_revert(devnet: Devnet) -> None:
    base = devnet.evm("base")
    snap = devnet.snapshot()
    first = send(base, base.accounts[0], to=WATCHED[0], value=3)
    devnet.revert(snap)
    assert base.engine.get_receipt(first) is None
    again = send(base, base.accounts[0], to=WATCHED[0], value=3)
    assert again == first  # same nonce, same signature: same hash
    assert base.w3.eth.get_transaction_receipt(again)["status"] == 1
