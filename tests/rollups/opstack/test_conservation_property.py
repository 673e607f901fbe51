"""Property: random sequences of deposits, withdrawals, transfers and clock advances between l1 and
base keep ETH and COR consistent across the two chains, and deliver no message twice.

- ETH: at every step the portal holds exactly the ETH deposits minted on base (their ``mint``)
  less the withdrawals finalized out of it.
- COR: at every step l1's bridge holds at least all COR on base (COR in flight either way is
  locked on l1 and not yet, or no longer, on base); once everything in flight has settled, the
  two are equal, and l1's COR supply never changed.
- Every message settles once: each deposit and withdrawal record ends relayed, and the bridges'
  finalize events count exactly the bridge transfers made.
"""

from __future__ import annotations

from typing import Any

import pytest
from eth_hash.auto import keccak
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from test_standard_bridges import COR, SUPPLY, bridge, bridged_cor

from cortensor_sim import Devnet
from cortensor_sim.bridge import MessageStatus

pytestmark = pytest.mark.slow

ETH = 10**18
USERS = 3


class World:
    """One devnet for every example, reverted to its starting point before each."""

    def __init__(self) -> None:
        self.devnet = Devnet()
        self.l1, self.base = self.devnet.evm("l1"), self.devnet.evm("base")
        self.cor_l1, self.cor_base = bridged_cor(self.devnet)
        self.l1_bridge = bridge(self.devnet, "L1StandardBridge")
        self.l2_bridge = bridge(self.devnet, "L2StandardBridge")
        self.users = [self.l1.accounts[i].address for i in range(USERS)]
        for user in self.users:
            if user != self.users[0]:
                self.cor_l1.functions.transfer(user, 1_000 * COR).transact({"from": self.users[0]})
            self.cor_l1.functions.approve(self.l1_bridge.address, 2**256 - 1).transact({"from": user})
        self.devnet.advance(4)
        self.start = self.devnet.snapshot()

    def reset(self) -> None:
        self.devnet.revert(self.start)


_world: World | None = None
_NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)
"""Each example runs a devnet for minutes of simulated time: shrinking a failure would take longer
than reading the failing sequence Hypothesis prints."""


def world() -> World:
    global _world
    if _world is None:
        _world = World()
    _world.reset()
    return _world


operation = st.one_of(
    st.tuples(st.just("deposit_eth"), st.integers(0, USERS - 1), st.integers(1, 5)),
    st.tuples(st.just("deposit_cor"), st.integers(0, USERS - 1), st.integers(1, 100)),
    st.tuples(st.just("withdraw_eth"), st.integers(0, USERS - 1), st.integers(1, 5)),
    st.tuples(st.just("withdraw_cor"), st.integers(0, USERS - 1), st.integers(1, 100)),
    st.tuples(st.just("transfer_cor"), st.integers(0, USERS - 1), st.integers(0, USERS - 1)),
    st.tuples(st.just("advance"), st.sampled_from([1, 2, 12, 30]), st.just(0)),
)


def _apply(w: World, op: tuple[str, int, int], model: dict[str, Any]) -> None:
    kind, a, b = op
    user = w.users[a] if kind != "advance" else None
    if kind == "deposit_eth":
        w.l1_bridge.functions.bridgeETH(200_000, b"").transact({"from": user, "value": b * ETH // 10})
        model["eth_bridged"] += 1
        model["eth_on_base"] += b * ETH // 10
    elif kind == "deposit_cor":
        w.l1_bridge.functions.bridgeERC20(
            w.cor_l1.address, w.cor_base.address, b * COR, 200_000, b""
        ).transact({"from": user})
        model["cor_bridged"] += 1
    elif kind == "withdraw_eth":
        amount = min(b * ETH // 10, model["eth_on_base"])  # never more than reached base through the portal
        if amount:
            w.l2_bridge.functions.bridgeETH(200_000, b"").transact({"from": user, "value": amount})
            model["eth_on_base"] -= amount
            model["eth_bridged"] += 1
    elif kind == "withdraw_cor":
        amount = min(b * COR, w.cor_base.functions.balanceOf(user).call())
        if amount:
            w.l2_bridge.functions.bridgeERC20(
                w.cor_base.address, w.cor_l1.address, amount, 200_000, b""
            ).transact({"from": user})
            model["cor_bridged"] += 1
    elif kind == "transfer_cor":
        amount = w.cor_base.functions.balanceOf(user).call() // 2
        if amount:
            w.cor_base.functions.transfer(w.users[b], amount).transact({"from": user})
    else:
        w.devnet.advance(a)


def _portal_eth_accounted(w: World) -> tuple[int, int]:
    minted = sum(r.detail["mint"] for r in w.devnet.messages("deposit"))
    withdrawn = sum(
        r.detail["withdrawal"]["value"]
        for r in w.devnet.messages("withdrawal")
        if r.status in (MessageStatus.FINALIZED, MessageStatus.RELAYED)
    )
    portal = w.devnet.system_contracts("base")["OptimismPortal"]
    return w.l1.balance(portal), minted - withdrawn


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow], phases=_NO_SHRINK)
@given(st.lists(operation, min_size=1, max_size=6))
def test_eth_and_cor_stay_consistent_and_no_message_is_delivered_twice(
    ops: list[tuple[str, int, int]],
) -> None:
    w = world()
    model = {"eth_bridged": 0, "cor_bridged": 0, "eth_on_base": 0}
    for op in ops:
        _apply(w, op, model)
        held, accounted = _portal_eth_accounted(w)
        assert held == accounted
        locked = w.cor_l1.functions.balanceOf(w.l1_bridge.address).call()
        assert locked >= w.cor_base.functions.totalSupply().call()
    w.devnet.advance(120)  # let everything in flight settle
    records = w.devnet.messages()
    assert all(r.status == MessageStatus.RELAYED for r in records), [(r.id, r.status) for r in records]
    assert len(records) == model["eth_bridged"] + model["cor_bridged"]
    locked = w.cor_l1.functions.balanceOf(w.l1_bridge.address).call()
    assert locked == w.cor_base.functions.totalSupply().call()
    assert w.l1_bridge.functions.deposits(w.cor_l1.address, w.cor_base.address).call() == locked
    assert w.cor_l1.functions.totalSupply().call() == SUPPLY
    held, accounted = _portal_eth_accounted(w)
    assert held == accounted
    finalized = [
        *w.l1.engine.get_logs(0, w.l1.height, [bytes.fromhex(w.l1_bridge.address[2:])]),
        *w.base.engine.get_logs(0, w.base.height, [bytes.fromhex(w.l2_bridge.address[2:])]),
    ]
    topics = {
        "0x" + keccak(b"ETHBridgeFinalized(address,address,uint256,bytes)").hex(),
        "0x" + keccak(b"ERC20BridgeFinalized(address,address,address,address,uint256,bytes)").hex(),
    }
    assert sum(log["topics"][0] in topics for log in finalized) == len(records)
