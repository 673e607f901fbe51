"""The scenario runner's one door to the settlement engine: bridge transfers, on real contracts.

On an OP Stack route a ``bridge`` step deposits through the parent's ``L1StandardBridge``
(``bridgeETH`` / ``bridgeERC20``), a ``withdraw_to_parent`` step withdraws through the child's
``L2StandardBridge``; the engine's actors (derivation, proposer, challenger, relayer) carry the
message. On a Nitro or Orbit route ETH goes in with ``Inbox.depositEth`` and out with
``ArbSys.withdrawEth``, COR through the COR gateways (``ParentCORGateway.outboundTransfer``, a
retryable, and ``ChildCORGateway.outboundTransfer``, an ``ArbSys`` send executed by the parent's
Outbox); the child's COR is the ``BridgedCORToken`` the child gateway creates on the first deposit,
at ``calculateL2TokenAddress``. The engine's inbox reader, validator and outbox executor carry
them. COR above the
chain where the protocol is deployed is the ``OptimismMintableERC20`` that the child's
``OptimismMintableERC20Factory`` creates for the parent's COR, the first time COR crosses (one
transaction by ``admin``), as ethereum-optimism/optimism
``packages/contracts-bedrock/src/universal/OptimismMintableERC20Factory.sol`` does it.

Every transfer is kept in a :class:`Transfer` ledger, so the supply invariant can count COR in
flight: on every route, the COR the parent's bridge holds for the child's token equals the child
token's supply plus COR deposited but not yet minted plus COR burned but not yet released.

Solana's SPL COR is wrapped COR too: the guardian bridge's ``WormholeTokenBridge`` locks COR on its
EVM chain, and SPL COR's supply plus what is in flight plus what is stranded equals it (the guardian
bridge's own message records say what is in flight, :meth:`WormholeStack.in_flight`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from eth_abi import encode
from eth_utils import keccak, to_checksum_address
from web3.logs import DISCARD

from ..artifacts import load_artifact
from ..bridge import MessageRecord, MessageStatus
from ..bridge.transactions import receipt_of
from ..bridge.wormhole import WormholeStack
from ..chains.devnet import Devnet
from ..chains.evm import EvmChain
from ..rollups.cor_token import CANONICAL_COR, COR_HOLDER
from .cortensor import StepFailed, cor_address, cor_hop, cor_route
from .units import Amount

DEPOSIT_GAS_LIMIT = 200_000
"""minGasLimit of each bridge message: what the OP Stack's own tests use for an ERC-20 finalize."""

NITRO_KINDS = frozenset({"nitro", "orbit"})
"""Rollup kinds that settle through Nitro's contracts (the others here: the OP Stack)."""
GATEWAY_GAS_LIMIT = 2_000_000
"""Gas for a gateway deposit's retry: the first one creates the child's BridgedCORToken."""
GATEWAY_GAS_PRICE_BID = 2 * 10**9
"""maxFeePerGas of a gateway deposit's retry (above the child's base fee; the excess is refunded)."""
FINALIZE_CALL_BYTES = 4 + 6 * 32
"""Length of ``finalizeInboundTransfer(l1Token, from, to, amount, "")``: what the submission fee is on."""

TRANSFER_TOPIC = keccak(text="Transfer(address,address,uint256)")
"""ERC-20's Transfer event: who received COR on a chain."""

INCLUSION_SLOTS = 4
"""Blocks an interval-mined chain gets to include a bridge transaction before the step fails."""

Direction = Literal["deposit", "withdrawal"]

WITHDRAW_ETH_ABI = [
    {
        "type": "function",
        "name": "withdrawEth",
        "inputs": [{"type": "address", "name": "destination"}],
        "outputs": [{"type": "uint256", "name": ""}],
        "stateMutability": "payable",
    }
]
"""ArbSys's ``withdrawEth`` (OffchainLabs/nitro-precompile-interfaces ``ArbSys.sol``): ArbSys is a
precompile, so it has no compiled artifact to take an ABI from."""


class BridgeFailed(StepFailed):
    """A bridge transaction that reverted, or COR asked of a chain that has none."""


@dataclass
class Transfer:
    """One transfer a scenario sent: its route, asset, amount and the transaction that sent it."""

    rollup: str
    direction: Direction
    asset: str
    amount: int
    tx_hash: str


@dataclass
class Bridging:
    """COR's address on each chain it reached, and every transfer the scenario sent."""

    devnet: Devnet
    address_of: Callable[[str, str], str]  # (actor, chain) -> address
    cor: dict[str, str] = field(default_factory=dict)  # chain -> COR token address
    mintable: list[str] = field(default_factory=list)  # chains whose COR a bridge or gateway created
    transfers: list[Transfer] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)  # trace rows not yet taken
    retry_gas: dict[str, int] = field(default_factory=dict)  # rollup -> gas of its next deposit's retry
    _holders: dict[str, set[str]] = field(default_factory=dict)  # chain -> COR holders seen
    _scanned_to: dict[str, int] = field(default_factory=dict)  # chain -> last block scanned

    def __post_init__(self) -> None:
        """l1's COR is known from genesis: canonical on each root chain, the bridges' COR on each
        rollup they reach (a gateway's or factory's token, created by its first deposit or laid in
        genesis), wrapped native COR on a COR-gas chain. Only bridged COR is minted against an
        escrow; wrapped COR is part of its chain's native COR, which its ERC20Bridge escrows."""
        for spec in self.devnet.topology.chains:
            route = cor_route(self.devnet, spec.name)
            if route is None:
                continue
            self.cor[spec.name] = str(cor_address(self.devnet, spec.name))
            if route and cor_hop(self.devnet, spec.name) != "gas":
                self.mintable.append(spec.name)

    # ------------------------------------------------------------------ transfers
    def deposit(self, rollup: str, sender: str, asset: str, amount: int) -> None:
        """``sender`` sends ``amount`` from ``rollup``'s parent to itself on ``rollup``."""
        if self.is_nitro(rollup):
            self._nitro_deposit(rollup, sender, asset, amount)
        else:
            self._op_deposit(rollup, sender, asset, amount)
        self.transfers.append(Transfer(rollup, "deposit", asset, amount, self.sent[-1]["tx"]))

    def withdraw(self, rollup: str, sender: str, asset: str, amount: int) -> None:
        """``sender`` sends ``amount`` from ``rollup`` to itself on its parent."""
        if asset == "COR" and rollup not in self.cor:
            raise BridgeFailed(f"no COR has reached {rollup} yet: bridge some there first")
        if self.is_nitro(rollup):
            self._nitro_withdraw(rollup, sender, asset, amount)
        else:
            self._op_withdraw(rollup, sender, asset, amount)
        self.transfers.append(Transfer(rollup, "withdrawal", asset, amount, self.sent[-1]["tx"]))

    def is_nitro(self, rollup: str) -> bool:
        return self.devnet.topology.chain(rollup).kind in NITRO_KINDS

    def _op_deposit(self, rollup: str, sender: str, asset: str, amount: int) -> None:
        parent = self._parent(rollup)
        bridge = self._contract(parent, rollup, "L1StandardBridge")
        if asset == "ETH":
            tx = bridge.functions.bridgeETH(DEPOSIT_GAS_LIMIT, b"")
            self._send(parent, sender, "bridgeETH", tx, value=amount, rollup=rollup)
        else:
            local, remote = self._cor_on(parent), self.mintable_cor(rollup)
            token = self._token(parent, local)
            self._send(parent, sender, "approve", token.functions.approve(bridge.address, amount))
            tx = bridge.functions.bridgeERC20(local, remote, amount, DEPOSIT_GAS_LIMIT, b"")
            self._send(parent, sender, "bridgeERC20", tx, rollup=rollup)

    def _op_withdraw(self, rollup: str, sender: str, asset: str, amount: int) -> None:
        bridge = self._contract(rollup, rollup, "L2StandardBridge")
        if asset == "ETH":
            tx = bridge.functions.bridgeETH(DEPOSIT_GAS_LIMIT, b"")
            self._send(rollup, sender, "bridgeETH", tx, value=amount, rollup=rollup)
        else:
            local, remote = self.cor[rollup], self._cor_on(self._parent(rollup))
            tx = bridge.functions.bridgeERC20(local, remote, amount, DEPOSIT_GAS_LIMIT, b"")
            self._send(rollup, sender, "bridgeERC20", tx, rollup=rollup)

    def _nitro_deposit(self, rollup: str, sender: str, asset: str, amount: int) -> None:
        parent = self._parent(rollup)
        if asset == "ETH":
            inbox = self._contract(parent, rollup, "Inbox")
            self._send(
                parent, sender, "depositEth", inbox.functions.depositEth(), value=amount, rollup=rollup
            )
            return
        local, remote = self._cor_on(parent), self.gateway_cor(rollup)
        gateway = self._contract(parent, rollup, "ParentCORGateway")
        inbox = self._contract(parent, rollup, "Inbox")
        max_submission = 2 * int(
            inbox.functions.calculateRetryableSubmissionFee(FINALIZE_CALL_BYTES, 0).call()
        )
        token = self._token(parent, local)
        self._send(parent, sender, "approve", token.functions.approve(gateway.address, amount))
        gas_limit = self.retry_gas.pop(rollup, GATEWAY_GAS_LIMIT)  # a fault may have lowered it
        tx = gateway.functions.outboundTransfer(
            local,
            self.address_of(sender, rollup),
            amount,
            gas_limit,
            GATEWAY_GAS_PRICE_BID,
            encode(["uint256", "bytes"], [max_submission, b""]),
        )
        value = max_submission + gas_limit * GATEWAY_GAS_PRICE_BID
        self._send(parent, sender, "outboundTransfer", tx, value=value, rollup=rollup)
        if rollup not in self.cor:
            self.cor[rollup] = remote
            self.mintable.append(rollup)

    def _nitro_withdraw(self, rollup: str, sender: str, asset: str, amount: int) -> None:
        to = self.address_of(sender, self._parent(rollup))
        if asset == "ETH":
            arbsys = self.devnet.evm(rollup).w3.eth.contract(
                address=self.devnet.system_contracts(rollup)["ArbSys"], abi=WITHDRAW_ETH_ABI
            )
            self._send(
                rollup, sender, "withdrawEth", arbsys.functions.withdrawEth(to), value=amount, rollup=rollup
            )
            return
        gateway = self._contract(rollup, rollup, "ChildCORGateway")
        tx = gateway.functions.outboundTransfer(self._cor_on(self._parent(rollup)), to, amount, b"")
        self._send(rollup, sender, "outboundTransfer", tx, rollup=rollup)

    def gateway_cor(self, rollup: str) -> str:
        """COR's BridgedCORToken on Nitro ``rollup``: where its child gateway creates it on the first
        deposit (``calculateL2TokenAddress`` of the parent's COR)."""
        remote = self._cor_on(self._parent(rollup))
        gateway = self._contract(rollup, rollup, "ChildCORGateway")
        return str(gateway.functions.calculateL2TokenAddress(remote).call())

    def mintable_cor(self, rollup: str) -> str:
        """COR's OptimismMintableERC20 on ``rollup``, created through the factory on first use (at
        the CREATE2 address :func:`cor_address` predicts)."""
        known = self.cor.get(rollup)
        if known is not None and self.devnet.evm(rollup).engine.get_code(bytes.fromhex(known[2:])):
            return known
        remote = self._cor_on(self._parent(rollup))
        factory = self._contract(rollup, rollup, "OptimismMintableERC20Factory")
        tx = factory.functions.createOptimismMintableERC20(remote, "Cortensor", "COR")
        receipt = self._send(rollup, "admin", "createOptimismMintableERC20", tx)
        (created,) = factory.events.OptimismMintableERC20Created().process_receipt(receipt, errors=DISCARD)
        self.cor[rollup] = str(created["args"]["localToken"])
        if rollup not in self.mintable:
            self.mintable.append(rollup)
        return self.cor[rollup]

    # ------------------------------------------------------------------ faults
    def corrupt_next_proposal(self, rollup: str) -> None:
        """Make ``rollup``'s proposer claim a wrong output root in its next proposal, through the
        fault hook its stack offers; its challenger is then to dispute that game."""
        proposer = getattr(self._stack(rollup), "proposer", None)
        if proposer is None or not hasattr(proposer, "corrupt_next"):
            raise BridgeFailed(f"the settlement engine offers no faulty proposal on {rollup}")
        proposer.corrupt_next = True

    def corrupt_next_assertion(self, rollup: str) -> None:
        """Make Nitro ``rollup``'s validator claim a wrong send root in its next assertion, through
        its fault hook; the challenger is then to reject that assertion inside its window."""
        validator = getattr(self._stack(rollup), "validator", None)
        if validator is None or not hasattr(validator, "corrupt_next"):
            raise BridgeFailed(f"the settlement engine offers no faulty assertion on {rollup}")
        validator.corrupt_next = True

    def challenged_games(self, rollup: str) -> tuple[int, int]:
        """How many of ``rollup``'s dispute games (Nitro: assertions) its challenger disputed
        (rejected), of all games proposed (assertions checked)."""
        stack = self._stack(rollup)
        if self.is_nitro(rollup):
            return stack.disputes()  # type: ignore[no-any-return]
        games = getattr(stack, "games", [])
        return sum(1 for g in games if g.challenged), len(games)

    def _stack(self, rollup: str) -> Any:
        settlement = self.devnet.settlement
        stacks = getattr(settlement, "stacks", {})
        if rollup not in stacks:
            raise BridgeFailed(f"{rollup} has no settlement stack")
        return stacks[rollup]

    # ------------------------------------------------------------------ reading
    def cor_balance(self, chain: str, address: str) -> int:
        token = self._cor_on(chain)
        if not self.devnet.evm(chain).engine.get_code(bytes.fromhex(token[2:])):
            return 0  # a gateway's BridgedCORToken before its first deposit lands
        return int(self._token(chain, token).functions.balanceOf(address).call())

    def in_flight(self, rollup: str, asset: str) -> int:
        """What of ``asset`` the scenario sent on ``rollup``'s route and the engine has not delivered
        (on Solana's route, COR the guardian bridge carries, whoever sent it)."""
        if (wormhole := self._wormhole(rollup)) is not None:
            return wormhole.in_flight() if asset == "COR" else 0
        done = {r.legs["sent"].tx_hash for r in self.messages() if r.done and "sent" in r.legs}
        on_route = [t for t in self.transfers if t.rollup == rollup and t.asset == asset]
        return sum(t.amount for t in on_route if t.tx_hash not in done)

    def stranded(self, rollup: str) -> int:
        """COR the scenario sent on ``rollup``'s route whose message failed for good: it stays in the
        parent's bridge (a deposit whose ticket was cancelled or expired; a withdrawal burned on the
        child that the parent's Outbox refused; on Solana's route, see :meth:`WormholeStack.stranded`)."""
        if (wormhole := self._wormhole(rollup)) is not None:
            return wormhole.stranded()
        failed = {r.legs["sent"].tx_hash for r in self.messages() if r.status == MessageStatus.FAILED}
        return sum(
            t.amount
            for t in self.transfers
            if t.rollup == rollup and t.asset == "COR" and t.tx_hash in failed
        )

    def locked_and_minted(self, rollup: str) -> tuple[int, int]:
        """COR the parent's bridge (or COR gateway) holds for ``rollup``'s token, and that token's supply
        (for Solana: COR the guardian bridge's token bridge locks, and SPL COR's supply in wei)."""
        if (wormhole := self._wormhole(rollup)) is not None:
            return wormhole.locked(), wormhole.minted()
        parent = self._parent(rollup)
        local, remote = self._cor_on(parent), self._cor_on(rollup)
        if self.is_nitro(rollup):
            escrow = self.devnet.system_contracts(rollup)["ParentCORGateway"]
            locked = self.cor_balance(parent, escrow)
            created = self.devnet.evm(rollup).engine.get_code(bytes.fromhex(remote[2:]))
            return locked, int(self._token(rollup, remote).functions.totalSupply().call()) if created else 0
        bridge = self._contract(parent, rollup, "L1StandardBridge")
        locked = int(bridge.functions.deposits(local, remote).call())
        created = self.devnet.evm(rollup).engine.get_code(bytes.fromhex(remote[2:]))
        minted = int(self._token(rollup, remote).functions.totalSupply().call()) if created else 0
        return locked, minted

    def cor_across_chains(self) -> tuple[int, int]:
        """l1's COR supply, and what every chain holds of it plus what is in flight.

        Counted: every holder of canonical or bridged COR on every chain it reached (a COR-gas
        chain's currency as the COR its ERC20Bridge escrows), less the escrows that back a child's
        COR (a parent gateway's or L1StandardBridge's: the child's holders count it), plus COR the
        scenario sent and the engine has not delivered, plus COR stranded in an escrow by a transfer
        that failed for good. The two are equal when COR's supply is l1's.
        """
        supply = 0
        counted = 0
        for chain, token in self.cor.items():
            if token == CANONICAL_COR:
                supply += int(self._token(chain, token).functions.totalSupply().call())
            elif chain not in self.mintable:
                continue  # wrapped native COR (counted in its ERC20Bridge's escrow), or a token of its own
            escrows = self._escrows(chain)
            for holder in sorted(self._cor_holders(chain) - escrows):
                counted += self.cor_balance(chain, holder)
        counted += sum(self.in_flight(rollup, "COR") + self.stranded(rollup) for rollup in self.mintable)
        for wormhole in self._wormholes():
            counted += wormhole.minted() + wormhole.in_flight() + wormhole.stranded()
        return supply, counted

    def _wormholes(self) -> list[WormholeStack]:
        """The guardian bridges whose token bridge locks COR this ledger counts (on a chain COR
        reached: l1's COR there)."""
        stacks = getattr(self.devnet.settlement, "stacks", {}) if self.devnet.settlement else {}
        return [
            s
            for s in stacks.values()
            if isinstance(s, WormholeStack)
            and s.parent_name in self.cor
            and s.laid.contracts.names()["COR"] == self.cor[s.parent_name]
        ]

    def _wormhole(self, chain: str) -> WormholeStack | None:
        return next((s for s in self._wormholes() if s.name == chain), None)

    def _escrows(self, chain: str) -> set[str]:
        """Contracts on ``chain`` that escrow COR for a child's COR this ledger counts."""
        names = {"ParentCORGateway", "L1StandardBridge"}
        children = [r for r in self.mintable if self._parent(r) == chain]
        escrows = {a for r in children for n, a in self.devnet.system_contracts(r).items() if n in names}
        tokens = [
            s.laid.contracts.names()["WormholeTokenBridge"]
            for s in self._wormholes()
            if s.parent_name == chain
        ]
        return escrows | set(tokens)

    def _cor_holders(self, chain: str) -> set[str]:
        """Every address COR on ``chain`` went to (Transfer logs, scanned once), and the holders
        genesis gave it, whom no log names: the supply's holder and the contracts of the rollups
        settling to ``chain`` (a gateway's escrow, a COR-gas chain's ERC20Bridge)."""
        evm = self.devnet.evm(chain)
        if chain not in self._holders:
            children = [c.name for c in self.devnet.topology.chains if c.parent == chain]
            seeds = {COR_HOLDER, *(a for c in children for a in self.devnet.system_contracts(c).values())}
            self._holders[chain] = seeds
        token = bytes.fromhex(self.cor[chain][2:])
        start, height = self._scanned_to.get(chain, -1) + 1, evm.height
        if height >= start and evm.engine.get_code(token):
            # the engine's own log query: a long advance can seal more blocks than eth_getLogs takes
            logs = evm.engine.get_logs(start, height, [token], [[TRANSFER_TOPIC]])
            self._holders[chain] |= {to_checksum_address(log["topics"][2][-40:]) for log in logs}
            self._scanned_to[chain] = height
        return self._holders[chain]

    def cor_routes(self) -> list[str]:
        """The rollups whose parent's COR has a mintable COR on them, and Solana's SPL COR."""
        return [*self.mintable, *(s.name for s in self._wormholes())]

    def bridged_amounts(self) -> dict[str, dict[str, int]]:
        """Per route (``l1 -> base``) and asset, the amount the scenario sent, for the summary."""
        totals: dict[str, dict[str, int]] = {}
        for t in self.transfers:
            parent = self._parent(t.rollup)
            route = f"{parent} -> {t.rollup}" if t.direction == "deposit" else f"{t.rollup} -> {parent}"
            by_asset = totals.setdefault(route, {})
            by_asset[t.asset] = by_asset.get(t.asset, 0) + t.amount
        return totals

    def messages(self) -> list[MessageRecord]:
        """Every cross-chain message the engine recorded (none on a devnet without rollups to settle)."""
        return list(self.devnet.messages()) if self.devnet.settlement is not None else []

    def routes(self) -> dict[str, dict[str, Any]]:
        """Per route with traffic: the amounts the scenario bridged (``500 COR``), the messages by the
        status they stand at, and how many are still in flight: the run's summary shows this."""
        routes: dict[str, dict[str, Any]] = {}
        for record in self.messages():
            entry = routes.setdefault(record.route, {"bridged": {}, "messages": {}, "in_flight": 0})
            status = str(record.status)
            entry["messages"][status] = entry["messages"].get(status, 0) + 1
            entry["in_flight"] += 0 if record.done else 1
        for route, by_asset in self.bridged_amounts().items():
            entry = routes.setdefault(route, {"bridged": {}, "messages": {}, "in_flight": 0})
            entry["bridged"] = {asset: str(Amount(asset, amount)) for asset, amount in by_asset.items()}
        return dict(sorted(routes.items()))

    # ------------------------------------------------------------------ plumbing
    def _parent(self, rollup: str) -> str:
        parent = self.devnet.topology.chain(rollup).parent
        assert parent is not None, f"{rollup} has no parent"
        return parent

    def _cor_on(self, chain: str) -> str:
        if chain not in self.cor:
            raise BridgeFailed(f"there is no COR on {chain}: deploy the protocol there or bridge COR to it")
        return self.cor[chain]

    def _contract(self, chain: str, rollup: str, name: str) -> Any:
        address = self.devnet.system_contracts(rollup)[name]
        return self.devnet.evm(chain).w3.eth.contract(address=address, abi=load_artifact(name).abi)

    def _token(self, chain: str, address: str) -> Any:
        return self.devnet.evm(chain).w3.eth.contract(
            address=address, abi=load_artifact("OptimismMintableERC20").abi
        )

    def _receipt(self, evm: EvmChain, tx_hash: bytes) -> Any:
        """The transaction's receipt; on an interval-mined chain, after waiting for its next block
        on the shared clock (as a user's wallet waits), at most a few slots."""
        for _ in range(INCLUSION_SLOTS):
            if receipt_of(evm, tx_hash) is not None:
                break
            self.devnet.advance(evm.block_time_ms / 1000)
        if receipt_of(evm, tx_hash) is None:
            raise BridgeFailed(f"transaction 0x{tx_hash.hex()} was not included on {evm.name}")
        return evm.w3.eth.get_transaction_receipt(tx_hash)

    def _send(
        self, chain: str, sender: str, action: str, call: Any, *, value: int = 0, rollup: str | None = None
    ) -> Any:
        evm: EvmChain = self.devnet.evm(chain)
        address = self.address_of(sender, chain)
        try:
            tx_hash = call.transact({"from": address, "value": value})
        except Exception as exc:  # web3 raises per-cause classes; all mean the call reverted
            raise BridgeFailed(f"{action} by {sender} on {chain} reverted: {exc}") from None
        receipt = self._receipt(evm, bytes(tx_hash))
        self.sent.append(
            {
                "actor": sender,
                "action": action,
                "chain": chain,
                "block": int(receipt["blockNumber"]),
                "gas": int(receipt["gasUsed"]),
                "tx": "0x" + bytes(tx_hash).hex(),
            }
        )
        return receipt
