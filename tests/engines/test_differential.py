"""Differential test: random transaction sequences give identical chains on py-evm and on revm.

Each example builds both engines from one genesis and seals the same blocks on each: signed
transfers (some beyond the sender's funds), deployments (some whose init code reverts), calls that
store, log, revert or run out of gas, COR token transfers, approvals and transferFroms (some
reverting with the token's custom errors), and deposits (system transactions with a mint, some
reverting or out of gas, some whose value the sender cannot cover). After every block the two
engines must agree on everything a client can see: the block (hash, roots, gas, bloom), every
receipt (status, gas used, logs, created address), which transactions were dropped, and every
actor's balance, nonce, code and storage.
"""

from __future__ import annotations

from typing import Any

import pytest
import rlp
from eth_abi import encode
from eth_account import Account
from eth_hash.auto import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3 import Web3

from cortensor_sim.artifacts import load_artifact
from cortensor_sim.chains.engine import (
    CallRequest,
    EvmEngine,
    ExecutionReverted,
    Genesis,
    GenesisAccount,
    SystemCall,
)
from cortensor_sim.chains.pyevm.engine import PyEvmEngine

pytest.importorskip("pyrevm")
from cortensor_sim.chains.revm import RevmEngine

CHAIN_ID = 412346
GENESIS_TIME = 1_767_225_600
GWEI = 10**9
SIGNERS = [Account.from_key(bytes([index + 1]) * 32) for index in range(3)]
DEPOSITORS = [bytes([0xD0 + index]) * 20 for index in range(2)]
"""Unfunded addresses that only deposits use (as aliased L1 senders are on an L2)."""

RUNTIMES = {
    # sstore(calldataload(0), calldataload(32)); stop -- clearing a slot earns a refund
    "store": bytes.fromhex("6020356000355500"),
    # log2(0, 0, calldataload(0), caller()); stop
    "emit": bytes.fromhex("3360003560006000a200"),
    # revert(0, 0)
    "revert": bytes.fromhex("600080fd"),
    # jumpdest; jump(0): runs until it is out of gas
    "loop": bytes.fromhex("5b600056"),
    # mstore(0, sload(calldataload(0))); return(0, 32)
    "load": bytes.fromhex("6000355460005260206000f3"),
}
REVERTING_INIT = bytes.fromhex("60006000fd")


def init_code(runtime: bytes) -> bytes:
    """Init code that returns ``runtime`` (codecopy it to memory 0)."""
    return bytes.fromhex(f"60{len(runtime):02x}600c60003960{len(runtime):02x}6000f3") + runtime


def selector(signature: str) -> bytes:
    return keccak(signature.encode())[:4]


STYLES = ("eip1559", "eip1559-access-list", "eip2930-access-list", "eip155")
"""How a signed transaction is encoded: EIP-1559 or EIP-2930 (with an access list that warms the
target's slots 0 and 1, or a signer), or legacy with EIP-155."""


def sign(
    account: Any,
    nonce: int,
    *,
    to: bytes | None,
    value: int = 0,
    data: bytes = b"",
    gas: int,
    style: str = "eip1559",
) -> bytes:
    tx: dict[str, Any] = {"chainId": CHAIN_ID, "nonce": nonce, "value": value, "data": data, "gas": gas}
    if style == "eip155" or style.startswith("eip2930"):
        tx["gasPrice"] = 2 * GWEI
    else:
        tx |= {"maxFeePerGas": 5 * GWEI, "maxPriorityFeePerGas": GWEI, "type": 2}
    if style.endswith("access-list"):
        warm = to or _address(SIGNERS[nonce % len(SIGNERS)])
        tx["accessList"] = [{"address": Web3.to_checksum_address(warm), "storageKeys": [_slot(0), _slot(1)]}]
        tx.setdefault("type", 1)
    if to is not None:
        tx["to"] = Web3.to_checksum_address("0x" + to.hex())
    return bytes(account.sign_transaction(tx).raw_transaction)


def _slot(index: int) -> str:
    return "0x" + index.to_bytes(32, "big").hex()


def create_address(sender: bytes, nonce: int) -> bytes:
    return keccak(rlp.encode([sender, nonce]))[12:]


def genesis() -> Genesis:
    accounts = {bytes.fromhex(signer.address[2:]): GenesisAccount(balance=3 * 10**18) for signer in SIGNERS}
    return Genesis(chain_id=CHAIN_ID, timestamp=GENESIS_TIME, accounts=accounts, extra_data=b"differential")


# ---------------------------------------------------------------------- actions
signer_index = st.integers(0, len(SIGNERS) - 1)
word = st.integers(0, 3)

transfer = st.tuples(
    st.just("transfer"), signer_index, signer_index, st.sampled_from([0, 1, 10**15, 10**18, 4 * 10**18])
)
deploy = st.tuples(st.just("deploy"), signer_index, st.sampled_from([*RUNTIMES, "reverting-init"]))
call = st.tuples(
    st.just("call"),
    signer_index,
    st.integers(0, 7),
    word,
    st.integers(0, 2),
    st.sampled_from([100_000, 23_000]),
)
token = st.tuples(
    st.just("token"),
    signer_index,
    st.sampled_from(["transfer", "approve", "transferFrom"]),
    signer_index,
    st.sampled_from([0, 5, 10**18, 10**30]),
)
deposit = st.tuples(
    st.just("deposit"),
    st.integers(0, len(DEPOSITORS) - 1),
    st.integers(0, 7),
    st.sampled_from([0, 10**17]),
    st.sampled_from([0, 10**16, 10**18]),
    st.sampled_from([200_000, 30_000]),
)
action = st.one_of(transfer, deploy, call, token, deposit)
blocks = st.lists(st.lists(action, max_size=6), min_size=1, max_size=5)


class Scenario:
    """Turns actions into the same pending transactions for both engines."""

    def __init__(self, reference: EvmEngine, styles: tuple[str, ...] = ("eip1559",)) -> None:
        self.reference = reference
        self.styles = styles
        self.signed = 0
        self.contracts: list[bytes] = []
        self.token: bytes | None = None
        self.pending_nonces: dict[bytes, int] = {}
        self.deposits = 0

    def sign(self, account: Any, *, to: bytes | None, value: int = 0, data: bytes = b"", gas: int) -> bytes:
        """Sign with the next pending nonce, in the next of the example's encodings."""
        style = self.styles[self.signed % len(self.styles)]
        self.signed += 1
        nonce = self.nonce(_address(account))
        return sign(account, nonce, to=to, value=value, data=data, gas=gas, style=style)

    def nonce(self, address: bytes) -> int:
        nonce = self.pending_nonces.get(address, self.reference.get_nonce(address))
        self.pending_nonces[address] = nonce + 1
        return nonce

    def target(self, index: int) -> bytes:
        if not self.contracts:
            return bytes.fromhex(SIGNERS[index % len(SIGNERS)].address[2:])
        return self.contracts[index % len(self.contracts)]

    def transaction(self, step: tuple[Any, ...]) -> bytes | SystemCall:
        kind = step[0]
        if kind == "transfer":
            _, sender, receiver, value = step
            account = SIGNERS[sender]
            to = bytes.fromhex(SIGNERS[receiver].address[2:])
            return self.sign(account, to=to, value=value, gas=30_000)
        if kind == "deploy":
            _, sender, runtime = step
            account = SIGNERS[sender]
            code = REVERTING_INIT if runtime == "reverting-init" else init_code(RUNTIMES[runtime])
            if runtime != "reverting-init":
                deployer = _address(account)
                pending = self.pending_nonces.get(deployer, self.reference.get_nonce(deployer))
                self.contracts.append(create_address(deployer, pending))
            return self.sign(account, to=None, data=code, gas=120_000)
        if kind == "call":
            _, sender, contract, slot, value, gas = step
            account = SIGNERS[sender]
            data = encode(["uint256", "uint256"], [slot, value])
            return self.sign(account, to=self.target(contract), data=data, gas=gas)
        if kind == "token":
            _, sender, function, other, amount = step
            account = SIGNERS[sender]
            counterpart = _address(SIGNERS[other])
            if function == "transferFrom":
                data = selector("transferFrom(address,address,uint256)") + encode(
                    ["address", "address", "uint256"], [counterpart, _address(account), amount]
                )
            else:
                data = selector(f"{function}(address,uint256)") + encode(
                    ["address", "uint256"], [counterpart, amount]
                )
            assert self.token is not None
            return self.sign(account, to=self.token, data=data, gas=120_000)
        _, depositor, contract, mint, value, gas = step
        self.deposits += 1
        return SystemCall(
            sender=DEPOSITORS[depositor],
            to=self.target(contract),
            data=encode(["uint256", "uint256"], [self.deposits % 4, self.deposits]),
            value=value,
            gas=gas,
            mint=mint,
            source_hash=keccak(self.deposits.to_bytes(32, "big")),
        )


def _address(account: Any) -> bytes:
    return bytes.fromhex(account.address[2:])


def assert_same_chain(py: EvmEngine, rv: EvmEngine, scenario: Scenario, number: int) -> None:
    assert rv.get_block(number, True) == py.get_block(number, True)
    for tx_hash in py.get_block(number)["transactions"]:
        raw_hash = bytes.fromhex(tx_hash[2:])
        assert rv.get_receipt(raw_hash) == py.get_receipt(raw_hash)
    actors = [_address(s) for s in SIGNERS] + DEPOSITORS + scenario.contracts + [b"\x00" * 20]
    if scenario.token:
        actors.append(scenario.token)
    for address in actors:
        assert rv.get_balance(address) == py.get_balance(address)
        assert rv.get_nonce(address) == py.get_nonce(address)
        assert rv.get_code(address) == py.get_code(address)
        for slot in range(4):
            assert rv.get_storage(address, slot) == py.get_storage(address, slot)
    if scenario.token:
        for signer in SIGNERS:
            request = CallRequest(
                to=scenario.token,
                data=selector("balanceOf(address)") + encode(["address"], [_address(signer)]),
            )
            assert rv.call(request) == py.call(request)
            if number > 1:  # and as it was one block earlier (revm rebuilds that state from its trie)
                assert rv.call(request, number - 1) == py.call(request, number - 1)
            move = CallRequest(
                sender=_address(signer),
                to=scenario.token,
                data=selector("transfer(address,uint256)")
                + encode(["address", "uint256"], [DEPOSITORS[0], 1]),
            )
            try:
                expected: int | str = py.estimate_gas(move)
            except ExecutionReverted as exc:
                expected = str(exc)
            try:
                estimated: int | str = rv.estimate_gas(move)
            except ExecutionReverted as exc:
                estimated = str(exc)
            assert estimated == expected  # web3 signs what this says: both engines must say the same


def seal_both(engines: tuple[EvmEngine, EvmEngine], txs: list[bytes | SystemCall], timestamp: int) -> None:
    py, rv = engines
    sealed_py = py.seal_block(txs, timestamp=timestamp, prev_randao=keccak(timestamp.to_bytes(8, "big")))
    sealed_rv = rv.seal_block(txs, timestamp=timestamp, prev_randao=keccak(timestamp.to_bytes(8, "big")))
    assert sealed_rv.hash == sealed_py.hash
    assert sealed_rv.tx_hashes == sealed_py.tx_hashes
    assert [d.tx_hash for d in sealed_rv.dropped] == [d.tx_hash for d in sealed_py.dropped]
    assert len(sealed_rv.deferred) == len(sealed_py.deferred)


def build(styles: tuple[str, ...] = ("eip1559",)) -> tuple[tuple[EvmEngine, EvmEngine], Scenario]:
    engines: tuple[EvmEngine, EvmEngine] = (PyEvmEngine(genesis()), RevmEngine(genesis()))
    scenario = Scenario(engines[0], styles)
    holder = SIGNERS[0]
    token = load_artifact("CORToken")
    data = token.bytecode + encode(["address", "uint256"], [_address(holder), 10**24])
    scenario.token = create_address(_address(holder), 0)
    seal_both(
        engines,
        [sign(holder, scenario.nonce(_address(holder)), to=None, data=data, gas=3_000_000)],
        GENESIS_TIME + 1,
    )
    return engines, scenario


def run_plan(plan: list[list[tuple[Any, ...]]], styles: list[str]) -> None:
    """Seal ``plan``'s blocks on both engines, comparing everything after each."""
    engines, scenario = build(tuple(styles))
    py, rv = engines
    assert_same_chain(py, rv, scenario, 1)
    for number, steps in enumerate(plan, start=2):
        scenario.pending_nonces = {}
        txs = [scenario.transaction(step) for step in steps]
        seal_both(engines, txs, GENESIS_TIME + 12 * number)
        assert_same_chain(py, rv, scenario, number)


encodings = st.lists(st.sampled_from(STYLES), min_size=1, max_size=6)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blocks, encodings)
def test_random_blocks_give_identical_chains_on_both_engines(
    plan: list[list[tuple[Any, ...]]], styles: list[str]
) -> None:
    run_plan(plan, styles)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blocks, encodings)
def test_many_random_blocks_give_identical_chains_on_both_engines(
    plan: list[list[tuple[Any, ...]]], styles: list[str]
) -> None:
    """The same property, ten times the examples (CI's slow step)."""
    run_plan(plan, styles)


def test_the_differential_covers_failures_of_every_kind() -> None:
    """The scenario reaches what the property claims to check: reverts, out of gas, refunds,
    deposits that fail, dropped transactions and token errors, in every encoding, on both engines
    alike."""
    engines, scenario = build(STYLES)
    py, rv = engines
    plan: list[list[tuple[Any, ...]]] = [
        [
            ("deploy", 1, "store"),
            ("deploy", 1, "revert"),
            ("deploy", 1, "loop"),
            ("deploy", 2, "reverting-init"),
        ],
        [
            ("call", 0, 0, 1, 2, 100_000),  # store 2 in slot 1
            ("call", 0, 1, 0, 0, 100_000),  # revert
            ("call", 0, 2, 0, 0, 100_000),  # out of gas
            ("call", 0, 0, 1, 0, 100_000),  # clear slot 1: a refund
            ("call", 2, 0, 3, 1, 23_000),  # out of gas in sstore
            ("token", 1, "transfer", 0, 10**30),  # reverts: no COR
            ("token", 0, "approve", 1, 5),
            ("token", 1, "transferFrom", 0, 5),
            ("transfer", 2, 0, 4 * 10**18),  # dropped: more than it holds
            ("deposit", 0, 0, 10**17, 10**18, 200_000),  # value beyond balance and mint: fails
            ("deposit", 1, 1, 10**17, 0, 200_000),  # reverts, the mint stays
            ("deposit", 1, 0, 0, 10**16, 30_000),  # out of gas
        ],
    ]
    statuses: list[int] = []
    dropped = 0
    for number, steps in enumerate(plan, start=2):
        scenario.pending_nonces = {}
        txs = [scenario.transaction(step) for step in steps]
        seal_both(engines, txs, GENESIS_TIME + 12 * number)
        assert_same_chain(py, rv, scenario, number)
        block = py.get_block(number)
        statuses += [int(py.get_receipt(bytes.fromhex(h[2:]))["status"], 16) for h in block["transactions"]]
        dropped += len(steps) - len(block["transactions"])
    deploys = [1, 1, 1, 0]
    calls = [1, 0, 0, 1, 0]
    tokens = [0, 1, 1]
    deposits = [0, 0, 0]
    assert statuses == deploys + calls + tokens + deposits
    assert dropped == 1
    # Every deposit kept its mint, whatever became of its call.
    assert rv.get_balance(DEPOSITORS[0]) == py.get_balance(DEPOSITORS[0]) == 10**17
    assert rv.get_balance(DEPOSITORS[1]) == py.get_balance(DEPOSITORS[1]) == 10**17
