"""The Cortensor protocol on one chain, driven by its actors through ordinary transactions.

``CortensorNetwork`` names what each actor does (a miner stakes and acks, the router assigns, the
oracle ends phases, the validator posts verdicts) and records every transaction as a :class:`Step`
(actor, action, chain, block, gas), so a demo, a scenario or a benchmark can report what happened.

On an ``auto``-mining chain each step is sealed at once. On an ``interval`` chain, steps wait in
the pool as they would on a real chain; the caller advances the devnet clock and calls
:meth:`CortensorNetwork.settle` to collect the receipts of the block(s) they landed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from eth_abi.exceptions import EncodingError
from eth_utils import keccak
from hexbytes import HexBytes
from web3.contract.contract import ContractFunction
from web3.logs import DISCARD

from ..chains.evm import EvmChain
from .client import FunctionCodec
from .deployment import ProtocolContracts, deploy_protocol
from .inference import Verdict
from .privacy.crypto import public_key_of

if TYPE_CHECKING:
    from .funding import GatewayFunding

COR = 10**18
NODE_STAKE = 6_000 * COR
"""Cortensor testnet phase 1's stake per node."""

PHASE_GAS = 1_500_000
"""Gas given to each protocol step on interval chains, where estimating against a state the pool
has not reached yet would be wrong (an ack estimated before its task's assignment is sealed)."""


class StepFailed(RuntimeError):
    """A protocol transaction reverted or was dropped; says which actor, action and chain."""


@dataclass(frozen=True)
class Step:
    actor: str
    action: str
    chain: str
    block: int
    gas_used: int
    tx_hash: str


@dataclass
class _Pending:
    actor: str
    action: str
    tx_hash: HexBytes


@dataclass(frozen=True)
class Actors:
    """Who plays which role, by address."""

    admin: str
    oracle: str
    validator: str
    router: str
    users: tuple[str, ...]
    miners: tuple[str, ...]

    def name_of(self, address: str) -> str:
        names = {self.admin: "admin", self.oracle: "oracle", self.validator: "validator"}
        names[self.router] = names.get(self.router, "router")
        names.update({a: f"user{i}" for i, a in enumerate(self.users)})
        names.update({a: f"miner{i}" for i, a in enumerate(self.miners)})
        return names.get(address, address[:10])


@dataclass
class CortensorNetwork:
    """Protocol contracts on ``chain`` plus the actors that drive them."""

    chain: EvmChain
    contracts: ProtocolContracts
    actors: Actors
    steps: list[Step] = field(default_factory=list)
    _pending: list[_Pending] = field(default_factory=list)
    funding: GatewayFunding | None = None
    """How actors get COR when the admin does not hold it on ``chain`` (bridged COR: deposits from
    l1 through the COR gateways); ``None``: the admin transfers it."""

    # ------------------------------------------------------------------ set-up
    @classmethod
    def deploy(
        cls,
        chain: EvmChain,
        *,
        miners: int = 4,
        users: int = 1,
        cor_address: str | None = None,
        funding: GatewayFunding | None = None,
    ) -> CortensorNetwork:
        """Deploy and wire the protocol on ``chain`` with the dev accounts as actors.

        accounts[0] admin (holds the COR supply), [1] oracle, [2] validator, [3] router,
        then ``users`` session owners, then ``miners`` node operators. With ``cor_address`` the
        protocol runs on that COR (canonical on l1, bridged on a rollup: see ``funding.py``) and
        ``funding`` brings actors their COR; without, on a CORToken of its own held by the admin.
        """
        accounts = [a.address for a in chain.accounts]
        needed = 4 + users + miners
        if len(accounts) < needed:
            raise ValueError(
                f"{chain.name} has {len(accounts)} dev accounts; {needed} are needed "
                f"({users} users, {miners} miners): raise the topology's 'accounts'"
            )
        admin, oracle, validator, router = accounts[:4]
        actors = Actors(
            admin=admin,
            oracle=oracle,
            validator=validator,
            router=router,
            users=tuple(accounts[4 : 4 + users]),
            miners=tuple(accounts[4 + users : needed]),
        )
        first_block = chain.height + 1
        contracts = deploy_protocol(
            chain.w3,
            admin,
            cor_address=cor_address,
            oracles=[oracle],
            validators=[validator],
            routers=[router],
        )
        network = cls(chain, contracts, actors, funding=funding)
        network._record_range("admin", "deploy and wire the protocol", first_block)
        return network

    def _record_range(self, actor: str, action: str, first_block: int) -> None:
        """One summary step for everything sealed since ``first_block`` (the deployment)."""
        gas = 0
        for number in range(first_block, self.chain.height + 1):
            block = self.chain.w3.eth.get_block(number)
            gas += block["gasUsed"]
        self.steps.append(Step(actor, action, self.chain.name, self.chain.height, gas, "-"))

    # ------------------------------------------------------------------ transactions
    def _send(self, actor: str, action: str, fn: ContractFunction, sender: str) -> HexBytes:
        try:
            if self.chain.mining == "interval":
                tx_hash = self._send_with_phase_gas(fn, sender)
            else:
                tx_hash = fn.transact({"from": sender})
        except Exception as exc:  # web3 raises a family of errors for a refused call
            raise StepFailed(f"{actor} could not {action} on {self.chain.name}: {exc}") from exc
        self._pending.append(_Pending(actor, action, tx_hash))
        if self.chain.mining == "auto":
            self.settle()
        return tx_hash

    def _send_with_phase_gas(self, fn: ContractFunction, sender: str) -> HexBytes:
        """The request ``fn.transact({"from": sender, "gas": PHASE_GAS})`` makes, made directly.

        With the gas given, web3 asks the node for nothing but ``eth_sendTransaction`` with these
        four fields (the node fills in nonce and fees and signs, as for any unlocked account);
        its middleware, formatters and ABI lookup on the way cost more than the chain's work on
        the transaction. So the same request goes straight to the chain's JSON-RPC handler, and
        the same transaction lands in the pool.
        """
        request = {"from": sender, "to": fn.address, "data": calldata(fn), "gas": hex(PHASE_GAS)}
        return HexBytes(self.chain.w3.provider.rpc.handle("eth_sendTransaction", [request]))

    def settle(self) -> list[Step]:
        """Collect the receipts of every step sent since the last call; raise if one failed."""
        settled: list[Step] = []
        pending, self._pending = self._pending, []
        for entry in pending:
            receipt = self.chain.engine.get_receipt(bytes(entry.tx_hash))
            if receipt is None:
                self._pending = pending[pending.index(entry) :]
                raise StepFailed(
                    f"{entry.actor}'s {entry.action} is not in a block of {self.chain.name} yet: "
                    "advance the devnet clock before settling"
                )
            if receipt["status"] != "0x1":
                raise StepFailed(f"{entry.actor}'s {entry.action} reverted on {self.chain.name}")
            step = Step(
                entry.actor,
                entry.action,
                self.chain.name,
                int(receipt["blockNumber"], 16),
                int(receipt["gasUsed"], 16),
                receipt["transactionHash"],
            )
            settled.append(step)
        self.steps.extend(settled)
        return settled

    def _receipt(self, tx_hash: HexBytes) -> Any:
        return self.chain.w3.eth.get_transaction_receipt(tx_hash)

    # ------------------------------------------------------------------ balances
    def cor_balance(self, address: str) -> int:
        if not self._cor_exists():
            return 0
        return int(self.contracts.cor.functions.balanceOf(address).call())

    def _cor_exists(self) -> bool:
        """False for bridged COR whose gateway has not created the token yet (no deposit so far)."""
        return bool(self.chain.engine.get_code(bytes.fromhex(self.contracts.cor.address[2:])))

    def cor_holders(self) -> dict[str, str]:
        """Every account and contract that can hold COR, by display name."""
        holders = {self.actors.name_of(a): a for a in (self.actors.admin, *self.actors.users)}
        holders |= {self.actors.name_of(a): a for a in self.actors.miners}
        holders |= {
            "NodePool (stakes)": self.contracts.node_pool.address,
            "SessionPayment": self.contracts.payment.address,
        }
        return holders

    def cor_balances(self) -> dict[str, int]:
        return {name: self.cor_balance(address) for name, address in self.cor_holders().items()}

    def total_supply(self) -> int:
        if not self._cor_exists():
            return 0
        return int(self.contracts.cor.functions.totalSupply().call())

    # ------------------------------------------------------------------ nodes
    def fund(self, recipient: str, amount: int) -> None:
        self.fund_all({recipient: amount})

    def fund_all(self, payments: Mapping[str, int]) -> None:
        """Give each address its COR: by deposits through the gateways when the network has a
        ``funding`` path, else by the admin's transfers."""
        if self.funding is not None:
            self.funding.fund(payments, self.steps)
            return
        for recipient, amount in payments.items():
            self._transfer(recipient, amount)

    def _transfer(self, recipient: str, amount: int) -> None:
        name = self.actors.name_of(recipient)
        cor = self.contracts.cor.functions
        self._send(
            "admin",
            f"transfer {amount // COR:,} COR to {name}",
            cor.transfer(recipient, amount),
            self.actors.admin,
        )

    def add_node(self, miner: str, models: Sequence[int] = (0,), stake: int = NODE_STAKE) -> bytes:
        """A miner stakes COR and registers with its account's secp256k1 public key; the validator's
        network check makes it ephemeral."""
        name = self.actors.name_of(miner)
        node_id = keccak(bytes.fromhex(miner[2:]))  # ids are derived: keccak256 of the address
        pool = self.contracts.node_pool
        self._send(name, "approve stake", self.contracts.cor.functions.approve(pool.address, stake), miner)
        public_key = public_key_of(self.account_key(miner))  # what private sessions encrypt to
        self._send(name, "addNode", pool.functions.addNode(node_id, list(models), public_key, stake), miner)
        self._send(
            "validator", f"markEphemeral {name}", pool.functions.markEphemeral(node_id), self.actors.validator
        )
        return node_id

    def account_key(self, address: str) -> bytes:
        """The dev account's private key behind ``address`` (the simulation holds every actor's key)."""
        for account in self.chain.accounts:
            if account.address == address:
                return bytes(account.key)
        raise KeyError(f"{address} is not a dev account of {self.chain.name}")

    # ------------------------------------------------------------------ sessions
    def open_session(
        self,
        user: str,
        *,
        name: str = "demo",
        redundancy: int = 3,
        deposit: int = 100 * COR,
        model: int = 0,
        max_tasks: int = 0,
    ) -> int:
        """Create a session reserving ``redundancy`` ephemeral nodes, then fund it.

        The user approves SessionPayment for the session bond (bondPerNode per node the session
        may hold, refunded on close) and the deposit in one allowance.
        """
        who = self.actors.name_of(user)
        session = self.contracts.session.functions
        payment = self.contracts.payment
        bond = int(payment.functions.bondPerNode().call()) * redundancy
        self._send(
            who,
            "approve bond and deposit",
            self.contracts.cor.functions.approve(payment.address, bond + deposit),
            user,
        )
        tx = self._send(
            who,
            "create session",
            session.create(
                name, "{}", "0x" + "00" * 20, 1, redundancy, redundancy, 0, 0, True, 0, model, 300, max_tasks
            ),
            user,
        )
        if self.chain.mining == "interval":
            raise StepFailed("open_session needs the session id at once: open sessions on an auto chain")
        (created,) = self.contracts.session.events.SessionCreated().process_receipt(
            self._receipt(tx), errors=DISCARD
        )
        session_id = int(created["args"]["sessionId"])
        self._send(who, "depositToSession", payment.functions.depositToSession(session_id, deposit), user)
        return session_id

    def configure_validation(self, *, reward_points: int, penalty_points: int, slash_amount: int) -> None:
        """Set NodeStats' points per reward and penalty, and the stake TaskValidator slashes
        for an INVALID result."""
        self._send(
            "admin",
            f"setPointRules (+{reward_points}/-{penalty_points})",
            self.contracts.node_stats.functions.setPointRules(reward_points, penalty_points),
            self.actors.admin,
        )
        self._send(
            "admin",
            f"setConfig (slash {slash_amount / COR:g} COR)",
            self.contracts.validator.functions.setConfig(slash_amount, self.actors.admin),
            self.actors.admin,
        )

    def session_miners(self, session_id: int) -> list[str]:
        session = self.contracts.session.functions
        return [*session.getEphemeralNodes(session_id).call(), *session.getDedicatedNodes(session_id).call()]

    def submit(self, user: str, session_id: int, prompt: str, task_id: int) -> HexBytes:
        """Submit a prompt; ``task_id`` is the id the queue will give it (ids count from 0)."""
        session = self.contracts.session.functions
        llm_params = [256, 7, 9, 40, 0, 0]  # maxTokens, temperature x10, topP x10, topK, penalties
        return self._send(
            self.actors.name_of(user),
            f"submit task {task_id}",
            session.submit(session_id, 0, prompt, 0, "", llm_params, f"ref-{task_id}"),
            user,
        )

    def next_task_id(self, session_id: int) -> int:
        return int(self.contracts.queue.functions.taskCount(session_id).call())

    # -- the task phases; each takes many tasks at once so an interval chain batches them --
    def assign(self, session_id: int, task_ids: Sequence[int], miners: Sequence[str]) -> None:
        queue = self.contracts.queue.functions
        for task_id in task_ids:
            self._send(
                "router",
                f"assignTask {task_id}",
                queue.assignTask(session_id, task_id, list(miners)),
                self.actors.router,
            )

    def ack(self, session_id: int, task_ids: Sequence[int], miners: Sequence[str]) -> None:
        queue = self.contracts.queue.functions
        for task_id in task_ids:
            for miner in miners:
                self._send(
                    self.actors.name_of(miner), f"ack {task_id}", queue.ack(session_id, task_id), miner
                )

    def end_phase(self, phase: str, session_id: int, task_ids: Sequence[int]) -> None:
        """The oracle pushes ``phase`` ("ack", "precommit", "commit", "end") past its deadline."""
        queue = self.contracts.queue.functions
        calls = {
            "ack": lambda t: queue.endAck(session_id, t),
            "precommit": lambda t: queue.endPrecommit(session_id, t, True),
            "commit": lambda t: queue.endCommit(session_id, t, True),
            "end": lambda t: queue.end(session_id, t, False),
        }
        action = {"end": "end"}.get(phase, f"end{phase.capitalize()}")
        for task_id in task_ids:
            self._send("oracle", f"{action} {task_id}", calls[phase](task_id), self.actors.oracle)

    def precommit(self, session_id: int, results: Mapping[int, Mapping[str, str]]) -> None:
        """Each miner posts keccak256(result ++ salt ++ miner) of its result for each task."""
        queue = self.contracts.queue.functions
        for task_id, by_miner in results.items():
            for miner, result in by_miner.items():
                salt = commit_salt(miner, session_id, task_id)
                commitment = keccak(result.encode() + salt + bytes.fromhex(miner[2:]))
                self._send(
                    self.actors.name_of(miner),
                    f"precommit {task_id}",
                    queue.precommit(session_id, task_id, commitment, ""),
                    miner,
                )

    def commit(self, session_id: int, results: Mapping[int, Mapping[str, str]]) -> None:
        """Each miner reveals its result and salt; the queue checks them against the precommitment."""
        queue = self.contracts.queue.functions
        for task_id, by_miner in results.items():
            for miner, result in by_miner.items():
                salt = commit_salt(miner, session_id, task_id)
                self._send(
                    self.actors.name_of(miner),
                    f"commit {task_id}",
                    queue.commit(session_id, task_id, result, salt),
                    miner,
                )

    def task_results(self, session_id: int, task_id: int) -> dict[str, str]:
        miners, results = self.contracts.queue.functions.getTaskResults(session_id, task_id).call()
        return dict(zip(miners, results, strict=True))

    def validate(self, session_id: int, verdicts: Mapping[int, Mapping[str, Verdict]]) -> None:
        """The validator posts each task's verdicts and finalizes (rewards, penalties, slashing)."""
        validator = self.contracts.validator.functions
        for task_id, by_miner in verdicts.items():
            miners = list(by_miner)
            values = [int(v) for v in by_miner.values()]
            self._send(
                "validator",
                f"verdicts {task_id}",
                validator.submitVerdicts(session_id, task_id, miners, values),
                self.actors.validator,
            )
        for task_id in verdicts:
            self._send(
                "validator",
                f"finalize {task_id}",
                validator.finalize(session_id, task_id),
                self.actors.validator,
            )

    def pay(self, session_id: int, task_ids: Sequence[int]) -> None:
        """Credit each task's VALID miners from its escrow (anyone may call; the oracle does)."""
        payment = self.contracts.payment.functions
        for task_id in task_ids:
            self._send(
                "oracle",
                f"allocateNodePayments {task_id}",
                payment.allocateNodePayments(session_id, task_id),
                self.actors.oracle,
            )

    def withdraw(self, miners: Sequence[str]) -> None:
        payment = self.contracts.payment.functions
        for miner in miners:
            if payment.claimable(miner).call():
                self._send(
                    self.actors.name_of(miner), "withdrawNodePayment", payment.withdrawNodePayment(), miner
                )

    def close_session(self, user: str, session_id: int) -> None:
        """Deactivate: release the nodes and refund the unspent deposit to the user."""
        self._send(
            self.actors.name_of(user),
            "deactivateSession",
            self.contracts.session.functions.deactivateSession(session_id),
            user,
        )


def commit_salt(miner: str, session_id: int, task_id: int) -> bytes:
    """The 32-byte salt a simulated miner uses for one task.

    Why derived: the simulation must reproduce it between precommit and commit without keeping
    state; a real miner keeps a random salt secret until it reveals it at commit.
    """
    return keccak(text=f"salt:{miner}:{session_id}:{task_id}")


_codecs: dict[str, FunctionCodec] = {}
"""Function codecs (selector and eth-abi input types) by web3's hex selector."""


def calldata(fn: ContractFunction) -> str:
    """The calldata of a bound contract function, as ``fn._encode_transaction_data()`` gives it.

    Encoded with eth-abi from types read once per function. web3's own path normalizes arguments
    first (hex strings to bytes, ENS names to addresses); an argument eth-abi refuses as given is
    handed to that path instead, so the bytes are web3's either way.
    """
    codec = _codecs.get(fn.selector)
    if codec is None:
        codec = _codecs[fn.selector] = FunctionCodec.from_abi(fn.abi)
    try:
        return "0x" + codec.encode(*fn.arguments).hex()
    except (EncodingError, TypeError, ValueError):
        return str(fn._encode_transaction_data())
