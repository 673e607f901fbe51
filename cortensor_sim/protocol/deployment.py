"""Deploy and wire the Cortensor protocol contracts on any web3-reachable chain.

Why a helper: the wiring (who holds which role on which contract, which contract points at
which) is easy to get subtly wrong, and every chain of the simulator plus the test suite needs
the same result. The order and grants mirror ``docs/contracts.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from typing import Any

from eth_utils import keccak
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import TransactionNotFound

from cortensor_sim.artifacts import load_artifact
from cortensor_sim.rollups.cor_token import COR_SUPPLY

__all__ = [
    "DEFAULT_COR_SUPPLY",
    "ROLE",
    "DeploymentError",
    "ProtocolContracts",
    "deploy_contract",
    "deploy_protocol",
    "role_id",
    "transact",
]

#: 1 billion COR (18 decimals): canonical COR's supply (the one l1's genesis lays), and the
#: default supply of a CORToken deployed on its own.
DEFAULT_COR_SUPPLY = COR_SUPPLY


def role_id(name: str) -> bytes:
    """Role identifier as used by AccessRoles: keccak256 of the role name."""
    return keccak(text=name)


#: All roles defined by AccessRoles, by name.
ROLE: dict[str, bytes] = {
    name: role_id(name)
    for name in (
        "ADMIN_ROLE",
        "SESSION_CONTRACT_ROLE",
        "ORACLE_ROLE",
        "VALIDATOR_ROLE",
        "RECORDER_ROLE",
        "SLASHER_ROLE",
        "ROUTER_ROLE",
        "POSTER_ROLE",
    )
}


class DeploymentError(RuntimeError):
    """A deployment or wiring transaction failed (status 0 or no contract address)."""


@dataclass(frozen=True)
class ProtocolContracts:
    """Web3 contract objects of one deployed protocol suite (all on the same chain)."""

    cor: Contract
    node_reputation: Contract
    node_stats: Contract
    node_pool: Contract
    queue: Contract
    session: Contract
    payment: Contract
    validator: Contract
    private_sessions: Contract
    checkpoints: Contract

    def addresses(self) -> dict[str, str]:
        """Field name -> checksummed address (for logs, manifests and indexers)."""
        return {f.name: getattr(self, f.name).address for f in fields(self)}

    def cor_holders(self) -> list[str]:
        """Protocol contracts that can hold COR (used by conservation checks)."""
        return [self.node_pool.address, self.payment.address]


Settle = Callable[[], object]
"""Moves the simulated clock on by one block of the chain (``devnet.advance(block_time)``)."""

MAX_SETTLE_ROUNDS = 64


def _sealed_receipt(w3: Web3, tx_hash: Any, settle: Settle | None) -> Any:
    """The receipt of ``tx_hash``, advancing the simulated clock while it waits in the pool.

    Never waits on the wall clock: web3's ``wait_for_transaction_receipt`` polls for 120 s of real
    time, and on an interval-mined chain of the devnet nothing seals a block until the devnet's
    clock moves, so it would wait the full 120 s and then fail.
    """
    for _ in range(MAX_SETTLE_ROUNDS):
        try:
            return w3.eth.get_transaction_receipt(tx_hash)
        except TransactionNotFound:
            if settle is None:
                raise DeploymentError(
                    f"transaction {tx_hash.hex()} waits in the pool of an interval-mined chain: "
                    "deploy with settle= (e.g. one block of devnet.advance) to move the clock"
                ) from None
            settle()
    raise DeploymentError(f"transaction {tx_hash.hex()} was not sealed in {MAX_SETTLE_ROUNDS} blocks")


def transact(w3: Web3, fn: Any, sender: str, *, settle: Settle | None = None, **tx: Any) -> Any:
    """Send a contract function call from ``sender``, get it sealed, and check its status."""
    tx_hash = fn.transact({"from": sender, **tx})
    receipt = _sealed_receipt(w3, tx_hash, settle)
    if receipt["status"] != 1:
        raise DeploymentError(f"transaction {tx_hash.hex()} reverted")
    return receipt


def deploy_contract(w3: Web3, name: str, *args: Any, sender: str, settle: Settle | None = None) -> Contract:
    """Deploy bundled artifact ``name`` with constructor ``args`` from ``sender``."""
    art = load_artifact(name)
    factory = w3.eth.contract(abi=art.abi, bytecode=art.bytecode)
    receipt = transact(w3, factory.constructor(*args), sender, settle=settle)
    address = receipt["contractAddress"]
    if not address:
        raise DeploymentError(f"deploying {name}: no contract address in receipt")
    return w3.eth.contract(address=address, abi=art.abi)


def deploy_protocol(
    w3: Web3,
    deployer: str,
    *,
    cor_supply: int = DEFAULT_COR_SUPPLY,
    cor_address: str | None = None,
    treasury: str | None = None,
    oracles: Iterable[str] = (),
    validators: Iterable[str] = (),
    routers: Iterable[str] = (),
    posters: Iterable[str] = (),
    reputation_window: int = 64,
    reputation_policy: tuple[list[str], int, int, int] = (["validation"], 3, 10, 8_000),
    settle: Settle | None = None,
) -> ProtocolContracts:
    """Deploy every protocol contract, wire them together and grant the roles.

    ``deployer`` becomes ADMIN_ROLE everywhere and, when ``cor_address`` is None, receives the
    whole ``cor_supply`` of a new CORToken. Pass ``cor_address`` to stake/pay with an existing
    token instead (e.g. a BridgedCORToken on an L2). ``treasury`` (default: deployer) receives
    network payments and slashed stake. ``oracles`` get ORACLE_ROLE on NodePool and the queue,
    ``validators`` VALIDATOR_ROLE on NodePool and TaskValidator, ``routers`` ROUTER_ROLE on the
    queue and ``posters`` POSTER_ROLE on CheckpointRegistry. ``reputation_policy`` is
    (states, minRecentActivityCount, recentWindow, minSuccessRate in basis points) for
    NodePool.promoteByReputation.
    """
    deployer = Web3.to_checksum_address(deployer)
    treasury = Web3.to_checksum_address(treasury or deployer)

    def dep(name: str, *args: Any) -> Contract:
        return deploy_contract(w3, name, *args, sender=deployer, settle=settle)

    def call(fn: Any) -> None:
        transact(w3, fn, deployer, settle=settle)

    if cor_address is None:
        cor = dep("CORToken", deployer, cor_supply)
    else:
        cor = w3.eth.contract(
            address=Web3.to_checksum_address(cor_address), abi=load_artifact("CORToken").abi
        )
    reputation = dep("NodeReputation", deployer, reputation_window)
    stats = dep("NodeStats", deployer)
    pool = dep("NodePool", deployer, cor.address)
    queue = dep("SessionQueueV2", deployer)
    session = dep("SessionV2", deployer)
    payment = dep("SessionPayment", deployer, cor.address, treasury)
    validator = dep(
        "TaskValidator",
        deployer,
        queue.address,
        pool.address,
        stats.address,
        reputation.address,
        treasury,
    )
    private = dep("PrivateSessionV2", deployer, session.address, queue.address)
    checkpoints = dep("CheckpointRegistry", deployer)

    # Wiring.
    call(session.functions.setContracts(pool.address, queue.address, payment.address, private.address))
    call(queue.functions.setSessionInfo(session.address))
    call(payment.functions.setContracts(session.address, queue.address, validator.address))
    states, min_activity, window, min_rate = reputation_policy
    call(pool.functions.setReputationPolicy(reputation.address, states, min_activity, window, min_rate))

    # Contract-to-contract roles.
    grants: list[tuple[Contract, str, str]] = [
        (pool, "SESSION_CONTRACT_ROLE", session.address),
        (queue, "SESSION_CONTRACT_ROLE", session.address),
        (payment, "SESSION_CONTRACT_ROLE", session.address),
        (pool, "SLASHER_ROLE", validator.address),
        (stats, "RECORDER_ROLE", validator.address),
        (reputation, "RECORDER_ROLE", validator.address),
    ]
    # Off-chain actors.
    for a in oracles:
        grants += [(pool, "ORACLE_ROLE", a), (queue, "ORACLE_ROLE", a)]
    for a in validators:
        grants += [(pool, "VALIDATOR_ROLE", a), (validator, "VALIDATOR_ROLE", a)]
    grants += [(queue, "ROUTER_ROLE", a) for a in routers]
    grants += [(checkpoints, "POSTER_ROLE", a) for a in posters]
    for contract, role, account in grants:
        call(contract.functions.grantRole(ROLE[role], Web3.to_checksum_address(account)))

    return ProtocolContracts(
        cor=cor,
        node_reputation=reputation,
        node_stats=stats,
        node_pool=pool,
        queue=queue,
        session=session,
        payment=payment,
        validator=validator,
        private_sessions=private,
        checkpoints=checkpoints,
    )
