"""Where the protocol's COR is on each chain, and how actors get it there: COR's supply is l1's.

Every EVM chain the protocol runs on uses l1's COR, reached through the real bridge of each rollup
on the way from l1 (a *hop*, :func:`cor_hop`):

- on a root EVM chain (``l1``) COR is canonical COR, laid in genesis at
  :data:`~cortensor_sim.rollups.cor_token.CANONICAL_COR` with its supply held by
<<<<<<< HEAD
  :data:`~cortensor_sim.rollups.cor_token.COR_HOLDER` (dev account 0, the protocol's admin);
- ``gateway`` (a Nitro or ETH-gas Orbit chain, ``arbitrum``): the ``BridgedCORToken`` the child
  COR gateway creates for its parent's COR, at ``calculateL2TokenAddress``; a deposit is
  ``ParentCORGateway.outboundTransfer`` (an escrow on the parent, a retryable on the child);
- ``standard_bridge`` (an OP Stack chain, ``base``): the ``OptimismMintableERC20`` the child's
  ``OptimismMintableERC20Factory`` creates for its parent's COR (CREATE2, so its address is known
  before it exists; the first funding creates it, one transaction); a deposit is
  ``L1StandardBridge.bridgeERC20To`` (an escrow on the parent, a deposit transaction on the child);
- ``gas`` (an Orbit chain whose gas is COR, ``l3``): COR is the chain's native currency, minted
  by deposits through the parent's ``ERC20Bridge``, so the protocol's ERC-20 COR is
  :data:`~cortensor_sim.rollups.cor_token.WRAPPED_COR` (``WrappedCOR``, WETH9-style) wrapping it;
  a deposit is ``ERC20Inbox.createRetryableTicket`` whose call value goes to
  ``WrappedCOR.depositTo(recipient)``: COR escrowed on the parent, wrapped for the recipient on
  the child in one retryable.

:class:`GatewayFunding` funds actors by deposits from l1's holder hop by hop, waiting on the
simulated clock until each lands. A chain no hop reaches has no COR (:func:`cor_address` is
``None``); only a test of the contracts alone deploys a CORToken of its own there.
=======
  :data:`~cortensor_sim.rollups.cor_token.COR_HOLDER` (dev account 0, the protocol's admin).
- On a chain COR reaches through COR gateways (``arbitrum``, an ETH-gas Orbit chain on it), COR is
  the ``BridgedCORToken`` each child gateway creates for its parent's COR, at
  ``calculateL2TokenAddress``; the holder funds actors there by deposits from l1 through each
  gateway on the way (``ParentCORGateway.outboundTransfer``: an escrow on the parent and a
  retryable the child's inbox reader delivers), waiting on the simulated clock until they land.
- Elsewhere (an OP Stack chain, a COR-gas Orbit chain, whose COR is its gas) :func:`cor_address` is
  ``None``: the protocol there runs on a CORToken of its own (not yet part of l1's supply).
- On Solana COR is the SPL COR the guardian bridge mints for COR locked in its token bridge
  (:func:`fund_on_solana`): the holder brings COR to the bridge's EVM chain as above and sends it
  with ``transferTokens``.
>>>>>>> wip-solcor
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from eth_abi import encode
from solders.pubkey import Pubkey

from ..artifacts import load_artifact
from ..bridge.transactions import ActorAccount, ExecutionReverted
from ..bridge.wormhole import BridgeError, WormholeStack
from ..bridge.wormhole.custody import UNITS_PER_SPL
from ..chains.devnet import Devnet
from ..rollups.cor_token import (
    CANONICAL_COR,
    COR_HOLDER,
    MINTABLE_COR_NAME,
    MINTABLE_COR_SYMBOL,
    WRAPPED_COR,
    calculate_l2_token_address,
    optimism_mintable_address,
)
from .deployment import transact
from .network import COR, CortensorNetwork, Step, StepFailed

Hop = Literal["gateway", "standard_bridge", "gas"]
"""How COR crosses from a rollup's parent into it (see the module's docstring)."""

GATEWAY_GAS_LIMIT = 2_000_000
"""Gas for a gateway deposit's retry: the first one creates the child's BridgedCORToken."""
GATEWAY_GAS_PRICE_BID = 2 * 10**9
"""maxFeePerGas of the retry (above the child's base fee; the excess is refunded on the child)."""
FINALIZE_CALL_BYTES = 4 + 6 * 32
"""Length of ``finalizeInboundTransfer(l1Token, from, to, amount, "")``: the submission fee's base."""
STANDARD_BRIDGE_MIN_GAS = 200_000
"""minGasLimit of a standard-bridge deposit: what the OP Stack's own tests use for an ERC-20 finalize."""
WRAP_GAS_LIMIT = 200_000
"""Gas for a COR-gas chain's retry that wraps the deposit (``WrappedCOR.depositTo``)."""
WRAP_FEE = WRAP_GAS_LIMIT * GATEWAY_GAS_PRICE_BID
"""COR a ``gas`` hop's deposit pays on top of its amount for the retry's gas (the excess comes back
as native COR on the child to the refund address, the holder)."""
RELAY_WAIT_SECONDS = 120
"""Simulated seconds a deposit gets to land on the child before funding fails."""


class FundingFailed(StepFailed):
    """COR could not be brought to an actor: a deposit reverted or did not land in time."""


def cor_hop(devnet: Devnet, rollup: str) -> Hop | None:
    """How COR crosses into ``rollup`` from its parent, or ``None`` when its settlement has no route
    for COR (no COR gateway, no standard bridge, gas other than COR)."""
    if devnet.settlement is None or devnet.topology.chain(rollup).parent is None:
        return None
    named = devnet.system_contracts(rollup)
    if "ChildCORGateway" in named:
        return "gateway"
    if "L1StandardBridge" in named and "OptimismMintableERC20Factory" in named:
        return "standard_bridge"
    if devnet.topology.chain(rollup).native_token == "COR":
        return "gas"
    return None


def cor_route(devnet: Devnet, chain: str) -> list[str] | None:
    """The rollups COR crosses from the root chain to ``chain``, in order: ``[]`` on a root EVM
    chain, ``None`` when no route reaches ``chain``."""
    spec = devnet.topology.chain(chain)
    if spec.parent is None:
        return [] if spec.is_evm else None
    if cor_hop(devnet, chain) is None:
        return None
    upper = cor_route(devnet, spec.parent)
    return None if upper is None else [*upper, chain]


def cor_address(devnet: Devnet, chain: str) -> str | None:
    """COR's address on ``chain`` (canonical, bridged, or wrapped native COR), or ``None``."""
    route = cor_route(devnet, chain)
    if route is None:
        return None
    token = CANONICAL_COR
    for rollup in route:
        named = devnet.system_contracts(rollup)
        hop = cor_hop(devnet, rollup)
        if hop == "gateway":
            token = calculate_l2_token_address(named["ChildCORGateway"], token)
        elif hop == "standard_bridge":
            factory = named["OptimismMintableERC20Factory"]
            token = optimism_mintable_address(factory, named["L2StandardBridge"], token)
        else:
            token = WRAPPED_COR
    return token


def ensure_mintable_cor(devnet: Devnet, rollup: str, sender: str) -> tuple[str, Any]:
    """COR's OptimismMintableERC20 on OP Stack ``rollup``, created by ``sender`` through the child's
    factory when it is not there yet (as ethereum-optimism/optimism
    OptimismMintableERC20Factory.createOptimismMintableERC20 does); returns its address and the
    creating receipt (``None`` when it existed)."""
    token = cor_address(devnet, rollup)
    parent_cor = cor_address(devnet, devnet.topology.chain(rollup).parent or "")
    if token is None or parent_cor is None or cor_hop(devnet, rollup) != "standard_bridge":
        raise ValueError(f"COR reaches {rollup} through no OP Stack standard bridge")
    evm = devnet.evm(rollup)
    if evm.engine.get_code(bytes.fromhex(token[2:])):
        return token, None
    factory = evm.w3.eth.contract(
        address=devnet.system_contracts(rollup)["OptimismMintableERC20Factory"],
        abi=load_artifact("OptimismMintableERC20Factory").abi,
    )
    call = factory.functions.createOptimismMintableERC20(parent_cor, MINTABLE_COR_NAME, MINTABLE_COR_SYMBOL)
    receipt = transact(evm.w3, call, sender, settle=lambda: devnet.advance(evm.block_time_ms / 1000))
    return token, receipt


def deploy_network(devnet: Devnet, chain: str, *, miners: int = 4, users: int = 1) -> CortensorNetwork:
    """The protocol on ``chain`` on l1's COR: canonical COR on l1 (the admin holds it and transfers),
    else the COR of :func:`cor_address` there, its actors funded by deposits from l1 through each
    bridge on the way. A chain no route reaches is refused: the protocol never mints COR of its own
    on a devnet chain (only a test of the contracts alone gives ``CortensorNetwork.deploy`` none)."""
    route = cor_route(devnet, chain)
    token = cor_address(devnet, chain)
    if route is None or token is None:
        raise ValueError(f"l1's COR reaches {chain} through no bridge: the protocol cannot run there")
    funding = GatewayFunding(devnet, chain) if route else None
    network = CortensorNetwork.deploy(
        devnet.evm(chain), miners=miners, users=users, cor_address=token, funding=funding
    )
    if funding is not None:
        funding.name_of = network.actors.name_of
    return network


@dataclass
class GatewayFunding:
    """Funds actors on ``chain`` with COR deposited from l1's holder through the bridge of every
    rollup on COR's route (COR gateways, the OP Stack standard bridge, a COR-gas chain's inbox)."""

    devnet: Devnet
    chain: str
    name_of: Callable[[str], str] = str
    """Display names of recipients, for the recorded steps."""

    def __post_init__(self) -> None:
        route = cor_route(self.devnet, self.chain)
        if not route:
            raise ValueError(f"COR reaches {self.chain} through no bridge")
        self.route = route

    def fund(self, payments: Mapping[str, int], steps: list[Step]) -> None:
        """Bring each ``payments[address]`` of COR to that address on ``chain``, hop by hop (the
        hops before the last carry what the next ones cost to the holder); appends each transaction
        to ``steps``."""
        for rollup, recipients in zip(self.route, self.plan(payments), strict=True):
            before = {to: self._balance(rollup, to) for to in recipients}
            self._deposit(rollup, recipients, steps)
            self._await(rollup, {to: before[to] + amount for to, amount in recipients.items()})

    def plan(self, payments: Mapping[str, int]) -> list[dict[str, int]]:
        """Per hop of the route, who receives how much COR on that rollup: the payments on the
        last, and before, the holder, given what the hops after it deposit and pay in fees."""
        plan = [dict(payments)]
        for rollup in reversed(self.route[1:]):
            fee = WRAP_FEE if cor_hop(self.devnet, rollup) == "gas" else 0
            plan.insert(0, {COR_HOLDER: sum(plan[0].values()) + fee * len(plan[0])})
        return plan

    def _token(self, chain: str) -> str:
        address = cor_address(self.devnet, chain)
        assert address is not None
        return address

    def _balance(self, chain: str, holder: str) -> int:
        token = self._token(chain)
        evm = self.devnet.evm(chain)
        if not evm.engine.get_code(bytes.fromhex(token[2:])):
            return 0  # the gateway or factory creates the token on its first deposit
        contract = evm.w3.eth.contract(address=token, abi=load_artifact("BridgedCORToken").abi)
        return int(contract.functions.balanceOf(holder).call())

    def _deposit(self, rollup: str, recipients: Mapping[str, int], steps: list[Step]) -> None:
        hop = cor_hop(self.devnet, rollup)
        if hop == "gateway":
            self._gateway_deposit(rollup, recipients, steps)
        elif hop == "standard_bridge":
            self._standard_bridge_deposit(rollup, recipients, steps)
        else:
            self._gas_deposit(rollup, recipients, steps)

    def _send(self, chain: str, action: str, fn: Any, steps: list[Step], **tx: int) -> Any:
        """The holder's transaction on ``chain``, sealed and recorded; a refusal is FundingFailed."""
        evm = self.devnet.evm(chain)

        def settle() -> None:
            self.devnet.advance(evm.block_time_ms / 1000)

        try:
            receipt = transact(evm.w3, fn, COR_HOLDER, settle=settle, **tx)
        except Exception as exc:  # web3 raises per cause; each means the deposit did not go
            raise FundingFailed(f"admin's {action} on {chain} failed: {exc}") from exc
        steps.append(
            Step(
                "admin",
                action,
                chain,
                int(receipt["blockNumber"]),
                int(receipt["gasUsed"]),
                receipt["transactionHash"].to_0x_hex(),
            )
        )
        return receipt

    def _contract(self, chain: str, address: str, name: str) -> Any:
        return self.devnet.evm(chain).w3.eth.contract(address=address, abi=load_artifact(name).abi)

    def _parent_token(self, parent: str) -> Any:
        return self._contract(parent, self._token(parent), "BridgedCORToken")

    def _gateway_deposit(self, rollup: str, recipients: Mapping[str, int], steps: list[Step]) -> None:
        """``ParentCORGateway.outboundTransfer`` per recipient: escrow on the parent, a retryable."""
        parent = self.devnet.topology.chain(rollup).parent or ""
        named = self.devnet.system_contracts(rollup)
        token = self._parent_token(parent)
        gateway = self._contract(parent, named["ParentCORGateway"], "ParentCORGateway")
        inbox = self._contract(parent, named["Inbox"], "Inbox")
        max_submission = 2 * int(
            inbox.functions.calculateRetryableSubmissionFee(FINALIZE_CALL_BYTES, 0).call()
        )
        value = max_submission + GATEWAY_GAS_LIMIT * GATEWAY_GAS_PRICE_BID
        total = sum(recipients.values())
        self._send(
            parent,
            f"approve {total // COR:,} COR to {rollup}'s gateway",
            token.functions.approve(gateway.address, total),
            steps,
        )
        data = encode(["uint256", "bytes"], [max_submission, b""])
        for to, amount in recipients.items():
            call = gateway.functions.outboundTransfer(
                token.address,
                to,
                amount,
                GATEWAY_GAS_LIMIT,
                GATEWAY_GAS_PRICE_BID,
                data,
            )
            self._send(
                parent,
                f"deposit {amount // COR:,} COR to {self.name_of(to)} on {rollup}",
                call,
                steps,
                value=value,
            )

    def _standard_bridge_deposit(self, rollup: str, recipients: Mapping[str, int], steps: list[Step]) -> None:
        """``L1StandardBridge.bridgeERC20To`` per recipient (the child's token created first, once)."""
        parent = self.devnet.topology.chain(rollup).parent or ""
        remote, created = ensure_mintable_cor(self.devnet, rollup, COR_HOLDER)
        if created is not None:
            receipt = created
            steps.append(
                Step(
                    "admin",
                    f"create COR's OptimismMintableERC20 on {rollup}",
                    rollup,
                    int(receipt["blockNumber"]),
                    int(receipt["gasUsed"]),
                    receipt["transactionHash"].to_0x_hex(),
                )
            )
        token = self._parent_token(parent)
        bridge = self._contract(
            parent, self.devnet.system_contracts(rollup)["L1StandardBridge"], "L1StandardBridge"
        )
        total = sum(recipients.values())
        self._send(
            parent,
            f"approve {total // COR:,} COR to {rollup}'s standard bridge",
            token.functions.approve(bridge.address, total),
            steps,
        )
        for to, amount in recipients.items():
            call = bridge.functions.bridgeERC20To(
                token.address,
                remote,
                to,
                amount,
                STANDARD_BRIDGE_MIN_GAS,
                b"",
            )
            self._send(
                parent, f"deposit {amount // COR:,} COR to {self.name_of(to)} on {rollup}", call, steps
            )

    def _gas_deposit(self, rollup: str, recipients: Mapping[str, int], steps: list[Step]) -> None:
        """``ERC20Inbox.createRetryableTicket`` per recipient: the parent's COR escrowed in the
        ERC20Bridge, minted as native COR on the child and wrapped there by the retry's call,
        ``WrappedCOR.depositTo(recipient)``."""
        parent = self.devnet.topology.chain(rollup).parent or ""
        token = self._parent_token(parent)
        inbox = self._contract(parent, self.devnet.system_contracts(rollup)["Inbox"], "ERC20Inbox")
        wrapped = self._contract(rollup, WRAPPED_COR, "WrappedCOR")
        total = sum(recipients.values()) + WRAP_FEE * len(recipients)
        self._send(
            parent,
            f"approve {total // COR:,} COR to {rollup}'s inbox",
            token.functions.approve(inbox.address, total),
            steps,
        )
        for to, amount in recipients.items():
            wrap = wrapped.encode_abi("depositTo", args=[to])
            call = inbox.functions.createRetryableTicket(
                WRAPPED_COR,
                amount,
                0,  # a COR-gas chain's retryables pay no submission fee
                COR_HOLDER,
                COR_HOLDER,
                WRAP_GAS_LIMIT,
                GATEWAY_GAS_PRICE_BID,
                amount + WRAP_FEE,
                bytes.fromhex(wrap[2:]),
            )
            self._send(
                parent, f"deposit {amount // COR:,} COR to {self.name_of(to)} on {rollup}", call, steps
            )

    def _await(self, rollup: str, expected: Mapping[str, int]) -> None:
        """Move the clock (and, in step mode, relay) until every recipient holds what it should."""
        for _ in range(RELAY_WAIT_SECONDS):
            if all(self._balance(rollup, to) >= amount for to, amount in expected.items()):
                return
            self.devnet.advance(1)
            if self.devnet.settlement is not None and not getattr(self.devnet.settlement, "auto", True):
                self.devnet.relay()
        short = [self.name_of(to) for to, amount in expected.items() if self._balance(rollup, to) < amount]
        raise FundingFailed(
            f"COR deposited to {', '.join(short)} did not land on {rollup} in {RELAY_WAIT_SECONDS} s"
        )


def fund_on_solana(
    devnet: Devnet, bridge: WormholeStack, payments: Mapping[Pubkey, int], steps: list[Step] | None = None
) -> None:
    """Bring ``payments[owner]`` SPL COR units to each Solana ``owner`` from l1's holder: the total
    to the holder on the bridge's EVM chain through the COR gateways (none on l1 itself), then one
    ``transferTokens`` per owner, which locks the COR there; the guardians attest it and the bridge
    mints SPL COR. Returns once every owner holds it."""
    assert bridge.cor is not None
    chain = bridge.parent_name
    total = sum(payments.values()) * UNITS_PER_SPL
    if cor_route(devnet, chain):
        GatewayFunding(devnet, chain).fund({COR_HOLDER: total}, steps if steps is not None else [])
    holder = devnet.evm(chain).dev_account(bytes.fromhex(COR_HOLDER[2:]))
    assert holder is not None  # dev account 0
    sender = ActorAccount(bytes(holder.key))
    before = {owner: bridge.cor.balance(owner) for owner in payments}
    for owner, units in payments.items():
        try:
            bridge.send_to_solana(sender, units * UNITS_PER_SPL, owner)
        except (BridgeError, ExecutionReverted) as exc:
            raise FundingFailed(
                f"admin's transferTokens of {units} SPL COR units to {owner} failed: {exc}"
            ) from None
    for _ in range(RELAY_WAIT_SECONDS):
        if all(bridge.cor.balance(owner) >= before[owner] + units for owner, units in payments.items()):
            return
        devnet.advance(1)
        if devnet.settlement is not None and not getattr(devnet.settlement, "auto", True):
            devnet.relay()
    raise FundingFailed(f"SPL COR sent to Solana was not minted in {RELAY_WAIT_SECONDS} s")
