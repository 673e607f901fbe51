"""A property test over random deposits, withdrawals and transfers between l1 and arbitrum: ETH is
conserved (the Bridge holds exactly what was deposited and not yet paid out) and no message is
delivered or executed twice."""

from __future__ import annotations

import pytest
from eth_account import Account
from hypothesis import HealthCheck, example, given, settings, target
from hypothesis import strategies as st
from web3 import Web3

from cortensor_sim import Devnet
from cortensor_sim.rollups.nitro import ARBSYS
from cortensor_sim.rollups.nitro.actors import outgoing_messages
from cortensor_sim.rollups.nitro.harness import ETH, nitro_rollup
from cortensor_sim.rollups.nitro.transactions import calldata, receipt, send

USERS = [Account.from_key(bytes([0x70 + i]) * 32) for i in range(3)]
operation = st.one_of(
    st.tuples(st.just("deposit"), st.integers(0, 2), st.integers(1, 5)),
    st.tuples(st.just("withdraw"), st.integers(0, 2), st.integers(1, 5)),
    st.tuples(st.just("transfer"), st.integers(0, 2), st.integers(1, 5)),
    st.tuples(st.just("wait"), st.just(0), st.integers(1, 30)),
)


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, min_size=3, max_size=12))
@example([("deposit", 0, 5), ("withdraw", 0, 3), ("deposit", 1, 2), ("withdraw", 1, 1), ("transfer", 0, 2)])
def test_eth_is_conserved_and_no_message_runs_twice(operations: list[tuple[str, int, int]]) -> None:
    rollup = nitro_rollup(Devnet())
    parent, child = rollup.parent, rollup.child
    for user in USERS:  # fresh accounts: they hold on arbitrum only what they deposit
        parent.w3.eth.send_transaction(
            {"from": parent.accounts[0].address, "to": user.address, "value": 50 * ETH}
        )
    inbox = rollup.contracts.inbox
    deposited = withdrawn = 0
    for kind, who, amount in operations:
        user = USERS[who]
        if kind == "deposit":
            receipt(parent, send(parent, user, inbox, calldata("depositEth()", [], []), value=amount * ETH))
            deposited += amount * ETH
        elif kind == "withdraw" and child.balance(user.address) > amount * ETH // 10 + ETH // 100:
            data = calldata("withdrawEth(address)", ["address"], [user.address])
            receipt(child, send(child, user, ARBSYS, data, value=amount * ETH // 10))
            withdrawn += amount * ETH // 10
        elif kind == "transfer" and child.balance(user.address) > ETH // 100 + amount:
            receipt(child, send(child, user, USERS[(who + 1) % 3].address, b"", value=amount))
        rollup.drive(2 if kind != "wait" else amount, step=2 if kind != "wait" else 1)
    for _ in range(40):  # settle: every withdrawal confirmed and executed
        if len(rollup.executor.executed) == len(outgoing_messages(child)):
            break
        rollup.drive(4, step=4)
    messages = outgoing_messages(child)
    target(len(messages), label="withdrawals executed")  # steer the search toward withdrawals
    assert len(rollup.executor.executed) == len(messages)
    bridge = rollup.contract("Bridge")
    assert parent.balance(rollup.contracts.bridge) == deposited - withdrawn
    assert bridge.functions.delayedMessageCount().call() == rollup.reader.messages_read
    executed = rollup.contract("Outbox").events.OutBoxTransactionExecuted().get_logs(from_block=0)
    indices = [e["args"]["transactionIndex"] for e in executed]
    assert sorted(indices) == list(range(len(messages)))  # each once
    deposits = [
        tx for n in range(1, child.height + 1)
        for tx in child.engine.get_block(n, full_transactions=True)["transactions"] if tx["type"] == "0x7e"
    ]  # fmt: skip
    assert len(deposits) == rollup.reader.messages_read  # each delivered once
    held = sum(child.balance(u.address) for u in USERS)
    assert held <= deposited - withdrawn  # the rest went to fees
    assert all(Web3.to_checksum_address(m.destination) in {u.address for u in USERS} for m in messages)
