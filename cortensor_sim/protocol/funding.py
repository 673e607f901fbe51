"""Where the protocol's COR is on each chain, and how actors get it there: COR's supply is l1's.

- On a root EVM chain (``l1``) COR is canonical COR, laid in genesis at
  :data:`~cortensor_sim.rollups.cor_token.CANONICAL_COR` with its supply held by
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
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from eth_abi import encode
from solders.pubkey import Pubkey

from ..artifacts import load_artifact
from ..bridge.transactions import ActorAccount, ExecutionReverted
from ..bridge.wormhole import BridgeError, WormholeStack
from ..bridge.wormhole.custody import UNITS_PER_SPL
from ..chains.devnet import Devnet
from ..rollups.cor_token import CANONICAL_COR, COR_HOLDER, calculate_l2_token_address
from .deployment import transact
from .network import COR, Step, StepFailed

GATEWAY_GAS_LIMIT = 2_000_000
"""Gas for a gateway deposit's retry: the first one creates the child's BridgedCORToken."""
GATEWAY_GAS_PRICE_BID = 2 * 10**9
"""maxFeePerGas of the retry (above the child's base fee; the excess is refunded on the child)."""
FINALIZE_CALL_BYTES = 4 + 6 * 32
"""Length of ``finalizeInboundTransfer(l1Token, from, to, amount, "")``: the submission fee's base."""
RELAY_WAIT_SECONDS = 120
"""Simulated seconds a deposit gets to land on the child before funding fails."""


class FundingFailed(StepFailed):
    """COR could not be brought to an actor: a deposit reverted or did not land in time."""


def cor_route(devnet: Devnet, chain: str) -> list[str] | None:
    """The rollups COR's gateways cross from the root chain to ``chain``, in order: ``[]`` on a
    root EVM chain, ``None`` when no gateway path reaches ``chain``."""
    spec = devnet.topology.chain(chain)
    if spec.parent is None:
        return [] if spec.is_evm else None
    if devnet.settlement is None or "ChildCORGateway" not in devnet.system_contracts(chain):
        return None
    upper = cor_route(devnet, spec.parent)
    return None if upper is None else [*upper, chain]


def cor_address(devnet: Devnet, chain: str) -> str | None:
    """COR's address on ``chain`` (canonical, or the gateways' bridged COR), or ``None``."""
    route = cor_route(devnet, chain)
    if route is None:
        return None
    token = CANONICAL_COR
    for rollup in route:
        token = calculate_l2_token_address(devnet.system_contracts(rollup)["ChildCORGateway"], token)
    return token


@dataclass
class GatewayFunding:
    """Funds actors on ``chain`` with COR deposited from l1's holder through the COR gateways."""

    devnet: Devnet
    chain: str
    name_of: Callable[[str], str] = str
    """Display names of recipients, for the recorded steps."""

    def __post_init__(self) -> None:
        route = cor_route(self.devnet, self.chain)
        if not route:
            raise ValueError(f"COR reaches {self.chain} through no gateway")
        self.route = route

    def fund(self, payments: Mapping[str, int], steps: list[Step]) -> None:
        """Bring each ``payments[address]`` of COR to that address on ``chain``, hop by hop (the
        hops before the last carry the total to the holder); appends each transaction to ``steps``."""
        total = sum(payments.values())
        for index, rollup in enumerate(self.route):
            last = index == len(self.route) - 1
            recipients = dict(payments) if last else {COR_HOLDER: total}
            before = {to: self._balance(rollup, to) for to in recipients}
            self._deposit(rollup, recipients, steps)
            self._await(rollup, {to: before[to] + amount for to, amount in recipients.items()})

    def _token(self, chain: str) -> str:
        address = cor_address(self.devnet, chain)
        assert address is not None
        return address

    def _balance(self, chain: str, holder: str) -> int:
        token = self._token(chain)
        evm = self.devnet.evm(chain)
        if not evm.engine.get_code(bytes.fromhex(token[2:])):
            return 0  # the gateway creates the token on its first deposit
        contract = evm.w3.eth.contract(address=token, abi=load_artifact("BridgedCORToken").abi)
        return int(contract.functions.balanceOf(holder).call())

    def _deposit(self, rollup: str, recipients: Mapping[str, int], steps: list[Step]) -> None:
        parent = self.devnet.topology.chain(rollup).parent or ""
        evm = self.devnet.evm(parent)
        named = self.devnet.system_contracts(rollup)
        w3 = evm.w3
        token = w3.eth.contract(address=self._token(parent), abi=load_artifact("BridgedCORToken").abi)
        gateway = w3.eth.contract(
            address=named["ParentCORGateway"], abi=load_artifact("ParentCORGateway").abi
        )
        inbox = w3.eth.contract(address=named["Inbox"], abi=load_artifact("Inbox").abi)
        max_submission = 2 * int(
            inbox.functions.calculateRetryableSubmissionFee(FINALIZE_CALL_BYTES, 0).call()
        )
        value = max_submission + GATEWAY_GAS_LIMIT * GATEWAY_GAS_PRICE_BID
        total = sum(recipients.values())

        def settle() -> None:
            self.devnet.advance(evm.block_time_ms / 1000)

        def send(action: str, fn: object, **tx: int) -> None:
            try:
                receipt = transact(w3, fn, COR_HOLDER, settle=settle, **tx)
            except Exception as exc:  # web3 raises per cause; each means the deposit did not go
                raise FundingFailed(f"admin's {action} on {parent} failed: {exc}") from exc
            steps.append(
                Step(
                    "admin",
                    action,
                    parent,
                    int(receipt["blockNumber"]),
                    int(receipt["gasUsed"]),
                    receipt["transactionHash"].to_0x_hex(),
                )
            )

        send(
            f"approve {total // COR:,} COR to {rollup}'s gateway",
            token.functions.approve(gateway.address, total),
        )
        data = encode(["uint256", "bytes"], [max_submission, b""])
        for to, amount in recipients.items():
            call = gateway.functions.outboundTransfer(
                token.address, to, amount, GATEWAY_GAS_LIMIT, GATEWAY_GAS_PRICE_BID, data
            )
            send(f"deposit {amount // COR:,} COR to {self.name_of(to)} on {rollup}", call, value=value)

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
