"""Shared helpers for the contract tests (not a test module).

Why: every test needs the same few moves - send a transaction and require success, assert a
revert by custom-error selector (and arguments), decode events, and stand up a protocol with
staked ephemeral nodes. Keeping them here keeps the tests about behaviour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from eth_abi import decode as abi_decode
from eth_utils import function_signature_to_4byte_selector, keccak
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractCustomError
from web3.logs import DISCARD

from cortensor_sim.protocol.deployment import ProtocolContracts, deploy_protocol, role_id
from cortensor_sim.protocol.privacy.crypto import public_key_of

COR = 10**18
STAKE = 6_000 * COR
ZERO = "0x0000000000000000000000000000000000000000"

# TaskStatus / Verdict / NodeStatus values chosen in the contracts (see docs/contracts.md).
QUEUED, ACKED, PRECOMMITTED, COMMITTED, COMPLETED = range(5)
V_NONE, V_VALID, V_INVALID, V_RETRY = range(4)
N_NONE, N_ADDED, N_EPHEMERAL, N_RESERVED, N_RELEASED, N_UNBONDING = range(6)


def selector(signature: str) -> str:
    """0x-hex 4-byte selector of an error or function signature."""
    return "0x" + function_signature_to_4byte_selector(signature).hex()


def send(w3: Web3, fn: Any, sender: str, **tx: Any) -> Any:
    """Transact and require a successful receipt."""
    receipt = w3.eth.wait_for_transaction_receipt(fn.transact({"from": sender, **tx}))
    assert receipt["status"] == 1
    return receipt


def expect_revert(fn: Any, sender: str, signature: str, *expected_args: Any) -> tuple[Any, ...]:
    """Assert ``fn`` reverts with custom error ``signature``; check args if given; return them."""
    with pytest.raises(ContractCustomError) as info:
        fn.transact({"from": sender})
    data = info.value.data
    assert isinstance(data, str)
    assert data[:10] == selector(signature), f"expected {signature}, got data {data[:10]}"
    types = _arg_types(signature)
    decoded = tuple(abi_decode(types, bytes.fromhex(data[10:]))) if types else ()
    if expected_args:
        assert decoded == tuple(_norm(a) for a in expected_args), decoded
    return decoded


def _arg_types(signature: str) -> list[str]:
    inner = signature[signature.index("(") + 1 : -1]
    return [t for t in inner.split(",") if t]


def _norm(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return value.lower()
    return value


def events(contract: Contract, name: str, receipt: Any) -> list[Any]:
    """Decoded ``name`` events that ``contract`` emitted in ``receipt``."""
    return list(contract.events[name]().process_receipt(receipt, errors=DISCARD))


def event_args(contract: Contract, name: str, receipt: Any) -> list[dict[str, Any]]:
    return [dict(e["args"]) for e in events(contract, name, receipt)]


def node_id(address: str) -> bytes:
    """A node's id as the contracts derive it: keccak256 of the 20-byte address."""
    return keccak(bytes.fromhex(address[2:]))


def result_hash(data: str, miner: str, salt: bytes = b"\0" * 32) -> bytes:
    """Precommit hash: keccak256(abi.encodePacked(data, salt, miner))."""
    return keccak(data.encode() + salt + bytes.fromhex(miner[2:]))


@dataclass
class Env:
    """A deployed protocol plus the actors of a test."""

    w3: Web3
    p: ProtocolContracts
    admin: str
    oracle: str
    validator: str
    owner: str
    miners: list[str]
    others: list[str] = field(default_factory=list)

    def holders(self) -> list[str]:
        return [self.admin, self.oracle, self.validator, self.owner, *self.miners, *self.others]

    def cor_accounted(self) -> int:
        """Sum of COR held by every account and protocol contract."""
        cor = self.p.cor.functions
        return sum(cor.balanceOf(a).call() for a in [*self.holders(), *self.p.cor_holders()])

    def assert_conserved(self) -> None:
        assert self.cor_accounted() == self.p.cor.functions.totalSupply().call()
        pay = self.p.payment.functions
        buckets = (
            pay.totalSessionBalance().call()
            + pay.totalEscrow().call()
            + pay.totalClaimable().call()
            + pay.totalBonds().call()
        )
        assert self.p.cor.functions.balanceOf(self.p.payment.address).call() == buckets


def make_env(
    w3: Web3,
    accounts: Sequence[str],
    *,
    n_miners: int = 4,
    models: Sequence[int] = (0,),
    ephemeral: bool = True,
    owner_cor: int = 1_000 * COR,
) -> Env:
    """Deploy the protocol; stake one node per miner account; fund the session owner.

    accounts[0] admin/treasury, [1] oracle, [2] validator, [3] session owner,
    [4 : 4 + n_miners] node operators, the rest "others".
    """
    admin, oracle, validator, owner = accounts[:4]
    miners = list(accounts[4 : 4 + n_miners])
    p = deploy_protocol(w3, admin, oracles=[oracle], validators=[validator])
    env = Env(w3, p, admin, oracle, validator, owner, miners, list(accounts[4 + n_miners :]))
    send(w3, p.cor.functions.transfer(owner, owner_cor), admin)
    send(w3, p.cor.functions.approve(p.payment.address, 2**256 - 1), owner)
    for m in miners:
        add_node(env, m, models=models, ephemeral=ephemeral)
    return env


def node_public_key(operator: str) -> bytes:
    """A valid 64-byte secp256k1 public key for ``operator``'s node (NodePool checks the curve)."""
    return public_key_of(keccak(text=f"node key of {operator}"))


def add_node(
    env: Env, miner: str, *, models: Sequence[int] = (0,), ephemeral: bool = True, stake: int = STAKE
) -> bytes:
    p, w3 = env.p, env.w3
    send(w3, p.cor.functions.transfer(miner, stake), env.admin)
    send(w3, p.cor.functions.approve(p.node_pool.address, stake), miner)
    nid = node_id(miner)
    send(w3, p.node_pool.functions.addNode(nid, list(models), node_public_key(miner), stake), miner)
    if ephemeral:
        send(w3, p.node_pool.functions.markEphemeral(nid), env.validator)
    return nid


def create_session(
    env: Env,
    *,
    min_nodes: int = 1,
    max_nodes: int = 3,
    redundant: int = 3,
    mode: int = 0,
    reserve: bool = True,
    model: int = 0,
    max_tasks: int = 0,
    validators: int = 0,
    sender: str | None = None,
) -> tuple[int, Any]:
    """Create a session, return (sessionId, receipt)."""
    fn = env.p.session.functions.create(
        "test-session",
        "{}",
        ZERO,
        min_nodes,
        max_nodes,
        redundant,
        validators,
        mode,
        reserve,
        0,
        model,
        300,
        max_tasks,
    )
    receipt = send(env.w3, fn, sender or env.owner)
    (created,) = event_args(env.p.session, "SessionCreated", receipt)
    return created["sessionId"], receipt


def submit(env: Env, sid: int, data: str = "hello", sender: str | None = None) -> int:
    fn = env.p.session.functions.submit(sid, 0, data, 0, "", [256, 7, 9, 40, 0, 0], "ref")
    receipt = send(env.w3, fn, sender or env.owner)
    (ev,) = event_args(env.p.session, "TaskSubmitted", receipt)
    return ev["taskId"]


def session_miners(env: Env, sid: int) -> list[str]:
    """The session's nodes: ephemeral ones first, then dedicated ones."""
    s = env.p.session.functions
    return [*s.getEphemeralNodes(sid).call(), *s.getDedicatedNodes(sid).call()]


def run_task(env: Env, sid: int, tid: int, results: dict[str, str]) -> None:
    """Assign ``results``' miners, then ack, precommit, commit and end with every one of them."""
    q, w3 = env.p.queue.functions, env.w3
    miners = list(results)
    send(w3, q.assignTask(sid, tid, miners), env.owner)
    for m in miners:
        send(w3, q.ack(sid, tid), m)
    send(w3, q.endAck(sid, tid), env.owner)
    for m, r in results.items():
        send(w3, q.precommit(sid, tid, result_hash(r, m), ""), m)
    send(w3, q.endPrecommit(sid, tid, False), env.owner)
    for m, r in results.items():
        send(w3, q.commit(sid, tid, r), m)
    send(w3, q.endCommit(sid, tid, False), env.owner)
    send(w3, q.end(sid, tid, False), env.owner)


__all__ = [
    "ACKED",
    "COMMITTED",
    "COMPLETED",
    "COR",
    "N_ADDED",
    "N_EPHEMERAL",
    "N_NONE",
    "N_RELEASED",
    "N_RESERVED",
    "N_UNBONDING",
    "PRECOMMITTED",
    "QUEUED",
    "STAKE",
    "V_INVALID",
    "V_NONE",
    "V_RETRY",
    "V_VALID",
    "ZERO",
    "Env",
    "add_node",
    "create_session",
    "event_args",
    "events",
    "expect_revert",
    "make_env",
    "node_id",
    "result_hash",
    "role_id",
    "run_task",
    "selector",
    "send",
    "session_miners",
    "submit",
]
