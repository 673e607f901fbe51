"""A property test over random COR deposits, withdrawals and transfers on l1, arbitrum and l3 of the
default devnet, through the genesis gateways and the engine: at every step no child holds more than
its parent gateway escrows, and once every message settled COR summed over the three chains (each
escrow counted once, as the backing of its child's token) is l1's supply; no deposit is minted
twice and no Outbox index executes twice."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from eth_abi import encode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nitro_helpers import eth_gas_l3

from cortensor_sim import Devnet
from cortensor_sim.artifacts import load_artifact
from cortensor_sim.bridge import MessageStatus

COR = 10**18
SUPPLY = 1_000_000 * COR
GAS, BID = 2_000_000, 2 * 10**9
SETTLE_ROUNDS = 60
"""Rounds of 12 s the end of an example gives every message to settle (l1 runs ahead of its slots)."""

CHAINS = ("l1", "arbitrum", "l3")
HOPS = {"arbitrum": "l1", "l3": "arbitrum"}  # child -> parent
operation = st.one_of(
    st.tuples(st.just("deposit"), st.sampled_from(["arbitrum", "l3"]), st.integers(0, 2), st.integers(1, 50)),
    st.tuples(
        st.just("withdraw"), st.sampled_from(["arbitrum", "l3"]), st.integers(0, 2), st.integers(1, 50)
    ),
    st.tuples(st.just("transfer"), st.sampled_from(CHAINS), st.integers(0, 2), st.integers(1, 50)),
    st.tuples(st.just("wait"), st.just("l1"), st.just(0), st.integers(1, 30)),
)


class World:
    """The default devnet with COR deployed on l1 and shared by three users, and its tokens."""

    def __init__(self) -> None:
        self.devnet = Devnet(eth_gas_l3())
        l1 = self.devnet.evm("l1")
        self.users = [l1.accounts[i].address for i in (1, 2, 3)]
        self.cor = l1.deploy(load_artifact("CORToken"), self.users[0], SUPPLY)
        for user in self.users[1:]:
            self.cor.functions.transfer(user, SUPPLY // 3).transact({"from": self.users[0]})
        self.token = {"l1": self.cor}
        for child, parent in HOPS.items():
            gateway = self.contract(child, child, "ChildCORGateway")
            address = gateway.functions.calculateL2TokenAddress(self.token[parent].address).call()
            self.token[child] = self.devnet.evm(child).w3.eth.contract(
                address=address, abi=load_artifact("BridgedCORToken").abi
            )

    def contract(self, chain: str, rollup: str, name: str) -> Any:
        address = self.devnet.system_contracts(rollup)[name]
        return self.devnet.evm(chain).w3.eth.contract(address=address, abi=load_artifact(name).abi)

    def created(self, chain: str) -> bool:
        address = self.token[chain].address
        return bool(self.devnet.evm(chain).engine.get_code(bytes.fromhex(address[2:])))

    def balance(self, chain: str, holder: str) -> int:
        return int(self.token[chain].functions.balanceOf(holder).call()) if self.created(chain) else 0

    def supply(self, chain: str) -> int:
        return int(self.token[chain].functions.totalSupply().call()) if self.created(chain) else 0

    def escrow(self, child: str) -> int:
        """What ``child``'s parent gateway holds of the parent's COR."""
        return self.balance(HOPS[child], self.devnet.system_contracts(child)["ParentCORGateway"])

    # ------------------------------------------------------------------ moves
    def deposit(self, child: str, user: str, amount: int) -> None:
        parent = HOPS[child]
        gateway = self.contract(parent, child, "ParentCORGateway")
        inbox = self.contract(parent, child, "Inbox")
        max_submission = 2 * inbox.functions.calculateRetryableSubmissionFee(196, 0).call()
        self.token[parent].functions.approve(gateway.address, amount).transact({"from": user})
        data = encode(["uint256", "bytes"], [max_submission, b""])
        gateway.functions.outboundTransfer(self.token[parent].address, user, amount, GAS, BID, data).transact(
            {"from": user, "value": max_submission + GAS * BID}
        )

    def withdraw(self, child: str, user: str, amount: int) -> None:
        gateway = self.contract(child, child, "ChildCORGateway")
        l1_token = self.token[HOPS[child]].address
        gateway.functions.outboundTransfer(l1_token, user, amount, b"").transact({"from": user})

    def transfer(self, chain: str, user: str, to: str, amount: int) -> None:
        self.token[chain].functions.transfer(to, amount).transact({"from": user})


@cache
def world() -> World:
    return World()


def _check_backing(w: World) -> None:
    """At any time: l1's supply is fixed, and no child holds more than its gateway escrows (what is
    deposited but not minted, or burnt but not released, is in flight)."""
    assert w.supply("l1") == SUPPLY
    for child in HOPS:
        assert w.supply(child) <= w.escrow(child)


def _run(w: World, operations: list[tuple[str, str, int, int]]) -> set[tuple[str, str]]:
    """Run ``operations`` (those a balance allows), settle, check; return the (kind, chain) moves made."""
    devnet = w.devnet
    deposits = 0
    done: set[tuple[str, str]] = set()
    for kind, chain, who, amount in operations:
        user, other = w.users[who], w.users[(who + 1) % 3]
        units = amount * COR
        if kind == "deposit" and w.balance(HOPS[chain], user) >= units:
            w.deposit(chain, user, units)
            deposits += 1
        elif kind == "withdraw" and w.balance(chain, user) >= units:
            w.withdraw(chain, user, units)
        elif kind == "transfer" and w.balance(chain, user) >= units:
            w.transfer(chain, user, other, units)
        else:
            kind = "skipped"
        done.add((kind, chain))
        devnet.advance(amount if kind == "wait" else 2)
        _check_backing(w)
    for _ in range(SETTLE_ROUNDS):
        if all(r.done for r in devnet.messages()):
            break
        devnet.advance(12)
    records = devnet.messages()
    assert all(r.status == MessageStatus.RELAYED for r in records), [(r.id, r.status) for r in records]
    # settled: each child's token is exactly its gateway's escrow, and COR over the chains is l1's supply
    for child in HOPS:
        assert w.supply(child) == w.escrow(child)
    held = sum(w.balance(chain, user) for chain in CHAINS for user in w.users)
    assert held == SUPPLY
    # each deposit minted once, each Outbox index executed once
    minted = sum(
        len(w.contract(child, child, "ChildCORGateway").events.DepositFinalized().get_logs(from_block=0))
        for child in HOPS
    )
    assert minted == deposits
    for child, parent in HOPS.items():
        executed = (
            w.contract(parent, child, "Outbox").events.OutBoxTransactionExecuted().get_logs(from_block=0)
        )
        indices = [e["args"]["transactionIndex"] for e in executed]
        assert len(indices) == len(set(indices))
        withdrawals = [r for r in records if r.kind == "withdrawal" and r.source == child]
        assert len(indices) == len(withdrawals)
    return done - {("skipped", c) for c in CHAINS} - {("wait", "l1")}


EVERY_HOP = [
    ("deposit", "arbitrum", 0, 50),
    ("deposit", "l3", 0, 20),
    ("transfer", "l3", 0, 5),
    ("withdraw", "l3", 1, 5),
    ("transfer", "arbitrum", 0, 10),
    ("withdraw", "arbitrum", 0, 15),
]


def _in_isolation(operations: list[tuple[str, str, int, int]]) -> set[tuple[str, str]]:
    w = world()
    mark = w.devnet.snapshot()
    try:
        return _run(w, operations)
    finally:
        w.devnet.revert(mark)


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, min_size=2, max_size=10))
def test_cor_over_three_chains_is_the_l1_supply_and_no_message_runs_twice(
    operations: list[tuple[str, str, int, int]],
) -> None:
    _in_isolation(operations)


@pytest.mark.slow
def test_the_property_holds_on_a_run_that_crosses_every_hop_both_ways() -> None:
    """Not vacuous: this run moves COR down both hops, back up both, and between holders."""
    done = _in_isolation(EVERY_HOP)
    assert {(kind, chain) for kind, chain, _, _ in EVERY_HOP} == done
