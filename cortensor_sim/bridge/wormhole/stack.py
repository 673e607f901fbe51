"""``WormholeStack``: the guardian bridge between a Solana chain and one EVM chain, on the clock.

The stack is the off-chain half of Wormhole: the guardians, who observe messages on each side and
sign VAAs, and the relayers, who carry each VAA to the other side. Contracts on the EVM chain
(WormholeCore, WormholeTokenBridge, which locks that chain's COR) are laid in its genesis
(:mod:`.genesis`); on Solana, the SPL COR mint (COR's wrapped representation, minted only by the
bridge's authority) is created by a transaction when the devnet is built (:mod:`.custody`).

Records (``devnet.messages()``), kind ``token-transfer`` (``onboarding`` for a miner's registration,
a transfer with payload that the relayer hands to the recipient contract's ``redeem(bytes)``):

* ``solana:wormhole:<sequence>``: an SPL COR burn with a bridge memo. ``sent`` when it landed,
  ``proven`` once the guardians signed its VAA (after Solana finality, 32 slots), ``relayed`` once
  ``completeTransfer`` unlocked COR on the EVM side, or ``failed`` (a bad memo: the COR stays locked
  on the EVM side, stranded; a request the recipient contract refused: its COR is refunded).
* ``<evm>:wormhole:<sequence>``: a ``LogMessagePublished`` of the token bridge (``transferTokens``
  locked COR). ``sent``, ``proven`` at once (the devnet treats a sealed EVM block as final),
  ``relayed`` once the bridge authority minted SPL COR, after the engine verified the VAA with
  :func:`~.guardians.verify` and consumed its digest. Kind ``refund`` when a contract sent it back
  for a request it refused (``detail["refundOf"]`` names the request).

A relayer that finds its VAA's guardian set expired (a rotation happened more than 24 h ago) asks
the guardians to sign the same body again with the current set, as Wormhole's re-observation does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from eth_abi import decode
from eth_hash.auto import keccak
from eth_utils import to_checksum_address
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.signature import Signature

from ...chains.engine import ExecutionReverted, GenesisAccount, SystemCall
from ...chains.solana import SolanaChain
from ...chains.topology import ChainSpec, Topology
from ...rollups.cor_token import CANONICAL_COR, calculate_l2_token_address
from ..records import Leg, MessageBook, MessageRecord, MessageStatus
from ..stack import Action, Actor, SettlementStack
from ..transactions import ActorAccount, call, calldata, receipt_of
from .addresses import (
    GOVERNANCE_CHAIN_ID,
    GOVERNANCE_EMITTER,
    SOLANA_CHAIN_ID,
    SOLANA_CONSISTENCY_FINALIZED,
    evm_address,
    evm_key,
    messenger_address,
    wormhole_chain_id,
)
from .custody import UNITS_PER_SPL, BridgeBurn, SolanaCOR, to_spl
from .genesis import WormholeGenesis, WormholeGenesisParameters, wormhole_genesis
from .guardians import Guardians, VAAVerificationError, verify
from .payloads import (
    TRANSFER_WITH_PAYLOAD_ID,
    BridgeMemo,
    PayloadError,
    SessionResults,
    SolanaMessage,
    Transfer,
    TransferWithPayload,
    guardian_set_upgrade,
)
from .vaa import VAA, Body

if TYPE_CHECKING:
    from ...chains.devnet import Devnet
    from ...chains.evm import EvmChain
    from ..stack import SettlementStack as _Stack

GUARDIANS = 7
"""Guardians in the devnet's set (Wormhole mainnet has 19; 7 keeps signing cheap; quorum 5)."""
SOLANA_FINALITY_SLOTS = 32
"""Slots guardians wait before signing a Solana message (Solana's finalized commitment)."""
RELAYER_BALANCE = 1_000 * 10**18
TRANSFER_TOKENS_GAS = 300_000
"""Gas for a ``transferTokens`` sent before its approval landed (about 110,000 used)."""
LOG_MESSAGE_PUBLISHED = keccak(b"LogMessagePublished(address,uint64,uint32,bytes,uint8)")
LOG_REQUEST_REFUNDED = keccak(b"RequestRefunded(bytes32,uint256,uint64,bytes)")
KIND = "token-transfer"
ONBOARDING = "onboarding"
SESSION_REQUEST = "session-request"
"""COR with a session request, redeemed by SolanaSessions."""
MESSAGE = "message"
"""A request without COR from Solana (close a session, unbond a node)."""
RESULTS = "results"
"""Results an EVM contract published for Solana, delivered there as Memo transactions."""
REFUND = "refund"
"""COR a contract sent back to Solana for a request with COR that it refused."""
KINDS = (KIND, ONBOARDING, SESSION_REQUEST, MESSAGE, RESULTS, REFUND)
RESULT_MEMO_LIMIT = 800
"""Bytes of a result memo beyond which the result text is left out (the digest stays): a Solana
transaction is at most 1,232 bytes, and a one-signer Memo transaction needs about 180 of them."""


class BridgeError(ValueError):
    """A bridge request that cannot be made (bad amount, unknown chain); nothing was sent."""


def cor_on(topology: Topology, stacks: Mapping[str, _Stack], chain: str) -> bytes:
    """COR's address on EVM ``chain`` before any chain is built: canonical COR on a root chain, the
    COR gateways' bridged COR (``calculateL2TokenAddress``) on a Nitro chain they reach."""
    spec = topology.chain(chain)
    if spec.parent is None:
        return bytes.fromhex(CANONICAL_COR[2:])
    contracts = getattr(getattr(stacks.get(chain), "laid", None), "contracts", None)
    gateway = getattr(contracts, "child_gateway", None)
    if gateway is None:
        raise BridgeError(
            f"the guardian bridge locks l1's COR on {chain}, and no COR gateway brings it there"
        )
    parent = to_checksum_address(cor_on(topology, stacks, spec.parent))
    return bytes.fromhex(calculate_l2_token_address(gateway, parent)[2:])


def target_name(chains: Mapping[str, str]) -> str | None:
    """The EVM chain the guardian bridge serves, of chains (name -> kind, in topology order):
    arbitrum (Cortensor's orchestration centre) if there is one, else the first Nitro chain,
    else the first EVM chain."""
    evm = [(name, kind) for name, kind in chains.items() if kind != "solana"]
    if any(name == "arbitrum" for name, _kind in evm):
        return "arbitrum"
    for name, kind in evm:
        if kind == "nitro":
            return name
    return evm[0][0] if evm else None


def target_chain(topology: Topology) -> ChainSpec | None:
    """The spec of :func:`target_name` in ``topology``."""
    name = target_name({spec.name: spec.kind for spec in topology.chains})
    return None if name is None else topology.chain(name)


class _Guardians(Actor):
    def __init__(self, stack: WormholeStack) -> None:
        self.stack = stack
        self.name = f"{stack.name}/guardians"

    def due(self, now_ms: int, horizon_ms: int) -> int | None:
        return min((self.stack.sign_after(r) for r in self.stack.waiting(MessageStatus.SENT)), default=None)

    def act(self, now_ms: int) -> list[Action]:
        return self.stack.sign_due(now_ms)


class _Relayer(Actor):
    def __init__(self, stack: WormholeStack) -> None:
        self.stack = stack
        self.name = f"{stack.name}/relayer"

    def due(self, now_ms: int, horizon_ms: int) -> int | None:
        return min(
            (self.stack.relay_after(r, now_ms) for r in self.stack.waiting(MessageStatus.PROVEN)),
            default=None,
        )

    def act(self, now_ms: int) -> list[Action]:
        return self.stack.deliver_all(now_ms)


class WormholeStack(SettlementStack):
    """The guardian bridge of a Solana chain (``spec``) and the topology's EVM target chain."""

    kind = "solana"

    def __init__(self, spec: ChainSpec, topology: Topology, target: ChainSpec) -> None:
        self.spec = spec
        self.topology = topology
        self.name = spec.name
        self.parent_name = target.name
        self.book = MessageBook()
        self.parent = None
        self.child = None
        self.seed = hashlib.sha256(topology.seed.encode()).digest()
        self.evm_chain_id = wormhole_chain_id(target.name, target.kind)
        assert target.chain_id is not None
        mint, authority = SolanaCOR.addresses(self.seed)
        self.guardians = Guardians(self.seed, GUARDIANS)
        self._genesis_parameters = WormholeGenesisParameters(
            kind=target.kind,
            chain_id=target.chain_id,
            wormhole_chain_id=self.evm_chain_id,
            genesis_time=topology.genesis_time,
            deployer_key=evm_key(self.seed, "deployer"),
            guardians=self.guardians.current.addresses,
            solana_emitter=bytes(authority),
            solana_mint=bytes(mint),
            cor=b"",  # named by link(), before genesis
        )
        self.cor_token: bytes | None = None
        """COR on the EVM chain, which the token bridge locks (named by :meth:`link`)."""
        self.relayer = ActorAccount(evm_key(self.seed, "relayer"))
        self.solana: SolanaChain | None = None
        self.evm: EvmChain | None = None
        self.cor: SolanaCOR | None = None
        self.solana_cursor = 0
        """Solana transactions before this position have been observed."""
        self.evm_cursor = 0
        """EVM blocks up to this one have been scanned for the token bridge's messages."""
        self.sequence = 0
        """The next sequence of the Solana emitter (the custody authority)."""
        self.governance_sequence = 0
        self.message_sequence = 0
        """The next sequence of the Solana messenger emitter (requests without COR)."""
        self.messenger = messenger_address(self.seed)
        self.result_emitters: set[bytes] = set()
        """EVM contracts whose messages the Solana side accepts as results (a real program keeps
        these registered emitters in its configuration, set by governance)."""
        self.refunds: dict[int, str] = {}
        """Token bridge sequence of a refund -> the id of the refused request it pays back."""
        self.released: set[str] = set()
        """Digests of VAAs the Solana side has acted on: SPL COR minted, or results posted
        (the Solana side's replay guard)."""
        self._actors = (_Guardians(self), _Relayer(self))

    @classmethod
    def for_chain(cls, spec: ChainSpec, topology: Topology) -> WormholeStack | None:
        target = target_chain(topology)
        return None if target is None else cls(spec, topology, target)

    # ------------------------------------------------------------------ genesis and wiring
    def link(self, stacks: Mapping[str, _Stack]) -> None:
        """Name the COR the token bridge locks: its address on the EVM chain (a genesis argument)."""
        self.cor_token = cor_on(self.topology, stacks, self.parent_name)

    @property
    def laid(self) -> WormholeGenesis:
        assert self.cor_token is not None, "link() names COR before genesis"
        return wormhole_genesis(replace(self._genesis_parameters, cor=self.cor_token))

    def genesis(self, chain: str) -> Mapping[bytes, GenesisAccount]:
        if chain != self.parent_name:
            return {}
        return {
            **self.laid.accounts,
            evm_address(self.seed, "relayer"): GenesisAccount(balance=RELAYER_BALANCE),
        }

    def system_contracts(self) -> dict[str, str]:
        names = self.laid.contracts.names()
        mint, authority = SolanaCOR.addresses(self.seed)
        return {
            **names,
            "SolanaCORMint": str(mint),
            "SolanaCustodyAuthority": str(authority),
            "SolanaMessenger": str(Pubkey(self.messenger)),
        }

    def bind(self, devnet: Devnet, book: MessageBook) -> None:
        solana = devnet[self.name]
        assert isinstance(solana, SolanaChain)
        self.solana = solana
        self.evm = devnet.evm(self.parent_name)
        self.book = book
        self.cor = SolanaCOR(solana, self.seed)
        if not self.cor.ready:  # a fresh devnet; a loaded one already has them
            self.cor.create()
            self.solana_cursor = solana.transaction_count

    def attach(self, parent: Any, child: Any, book: MessageBook) -> None:  # pragma: no cover - bind
        raise NotImplementedError("the guardian bridge binds through bind()")

    def derive(self, number: int, timestamp: int) -> Sequence[SystemCall]:
        return []

    def actors(self) -> Sequence[Actor]:
        return self._actors

    # ------------------------------------------------------------------ the contracts
    @property
    def contracts(self) -> dict[str, bytes]:
        c = self.laid.contracts
        return {"core": c.core, "bridge": c.token_bridge, "cor": c.cor}

    def cor_balance(self, owner: str | bytes) -> int:
        """COR (wei) ``owner`` holds on the EVM side."""
        assert self.evm is not None
        address = owner if isinstance(owner, bytes) else bytes.fromhex(owner.removeprefix("0x"))
        if not self.evm.engine.get_code(self.laid.contracts.cor):
            return 0  # a gateway's bridged COR before its first deposit
        return int(
            call(
                self.evm,
                self.laid.contracts.cor,
                "balanceOf(address)",
                ["uint256"],
                to_checksum_address(address),
            )[0]
        )

    def locked(self) -> int:
        """COR (wei) the token bridge holds for Solana."""
        return self.cor_balance(self.laid.contracts.token_bridge)

    def minted(self) -> int:
        """SPL COR in existence on Solana, in wei."""
        assert self.cor is not None
        return self.cor.supply * UNITS_PER_SPL

    def in_flight(self) -> int:
        """COR (wei) on its way between the two sides: recorded transfers not done yet (a refund
        included), and transfers the guardians have not observed yet (a burn on Solana, a lock on
        the EVM side): locked on the EVM side and not minted on Solana, or the reverse."""
        pending = sum(
            int(r.detail.get("amount", 0)) for r in self._records() if not r.done and r.kind != RESULTS
        )
        return (pending + self._unobserved()) * UNITS_PER_SPL

    def stranded(self) -> int:
        """COR (wei) locked on the EVM side for good with nothing minted for it: a burn on Solana
        the bridge could not deliver (a bad memo, a redemption that reverted) or a transfer to
        Solana the engine refused. A refused request that was refunded is not stranded."""
        return UNITS_PER_SPL * sum(
            int(r.detail.get("amount", 0))
            for r in self._records()
            if r.status == MessageStatus.FAILED and r.kind != RESULTS and "refund" not in r.detail
        )

    def _records(self) -> list[MessageRecord]:
        return [r for r in self.book if r.kind in KINDS and self._ours(r)]

    def _unobserved(self) -> int:
        """SPL units in SPL COR burns and token bridge locks that the guardians have not read yet."""
        assert self.solana is not None and self.cor is not None and self.evm is not None
        units = 0
        for record in self.solana.transactions(self.solana_cursor):
            if record.error is None and record.transaction is not None:
                units += sum(
                    b.amount for b in self.cor.burns(record.transaction, record.signature, record.slot)
                )
        for log in self._bridge_logs():
            _sequence, _nonce, payload, _consistency = decode(
                ["uint64", "uint32", "bytes", "uint8"], bytes.fromhex(log["data"][2:])
            )
            units += Transfer.decode(payload).amount
        return units

    def _bridge_logs(self) -> list[dict[str, Any]]:
        """The token bridge's ``LogMessagePublished`` after the observation cursor."""
        evm = self.evm
        assert evm is not None
        if evm.height <= self.evm_cursor:
            return []
        bridge = self.laid.contracts.token_bridge
        return list(
            evm.engine.get_logs(
                self.evm_cursor + 1,
                evm.height,
                [self.laid.contracts.core],
                [[LOG_MESSAGE_PUBLISHED], [bridge.rjust(32, b"\0")]],
            )
        )

    # ------------------------------------------------------------------ user requests
    def send_to_evm(self, owner: Keypair, units: int, recipient: str | bytes) -> Signature:
        """A Solana user sends ``units`` of SPL COR to ``recipient`` on the EVM chain: one
        transaction with the bridge memo and a BurnChecked of the SPL COR."""
        assert self.cor is not None
        if not isinstance(units, int) or units <= 0:
            raise BridgeError(f"amount must be a positive number of SPL COR units, got {units!r}")
        to = recipient if isinstance(recipient, bytes) else _address(recipient)
        memo = BridgeMemo(self.evm_chain_id, to).encode()
        return self.cor.burn(owner, units, memo)

    def onboard_from_solana(
        self,
        owner: Keypair,
        units: int,
        onboarding: str | bytes,
        models: Sequence[int],
        public_key: bytes = b"",
    ) -> Signature:
        """A miner registers from Solana: ``units`` of SPL COR as stake, burned with a memo
        naming the EVM onboarding contract, the models it serves and its public key."""
        assert self.cor is not None
        if not isinstance(units, int) or units <= 0:
            raise BridgeError(f"stake must be a positive number of SPL COR units, got {units!r}")
        if not models:
            raise BridgeError("a miner must serve at least one model")
        to = onboarding if isinstance(onboarding, bytes) else _address(onboarding)
        memo = BridgeMemo(self.evm_chain_id, to, tuple(int(m) for m in models), public_key).encode()
        return self.cor.burn(owner, units, memo)

    def send_with_payload(self, owner: Keypair, units: int, request: BridgeMemo) -> Signature:
        """A Solana user sends ``units`` of SPL COR with a request to an EVM contract (a transfer
        with payload: a session to open, tasks to add): the memo and the burn of the COR."""
        assert self.cor is not None
        if not request.with_payload:
            raise BridgeError(f"a {request.kind} request goes without COR (send_message)")
        if not isinstance(units, int) or units <= 0:
            raise BridgeError(f"amount must be a positive number of SPL COR units, got {units!r}")
        return self.cor.burn(owner, units, request.encode())

    def send_message(self, owner: Keypair, request: BridgeMemo) -> Signature:
        """A Solana account sends a request without COR to an EVM contract (close a session,
        unbond a node): a Memo it signs; the guardians attest it came from ``owner``."""
        assert self.solana is not None
        if not request.message:
            raise BridgeError(f"a {request.kind} request goes with COR (send_with_payload)")
        return self.solana.send_memo(owner, request.encode())

    def accept_results_from(self, emitter: str | bytes) -> None:
        """Register an EVM contract (SolanaSessions) whose published messages are results for
        Solana users."""
        self.result_emitters.add(emitter if isinstance(emitter, bytes) else _address(emitter))

    def results_on_solana(self) -> list[dict[str, Any]]:
        """The results delivered to Solana, as their Memo transactions carry them, in order."""
        assert self.solana is not None and self.cor is not None
        authority = self.cor.authority.pubkey()
        found: list[dict[str, Any]] = []
        for record in self.solana.transactions():
            if record.error is not None or record.transaction is None:
                continue
            memo, signer = SolanaCOR.memo_and_signer(record.transaction)
            if signer != authority or memo is None or not memo.startswith('{"cortensor":"result"'):
                continue
            found.append({**json.loads(memo), "signature": str(record.signature), "slot": record.slot})
        return found

    def send_to_solana_calldata(self, amount_wei: int, recipient: Pubkey, nonce: int = 0) -> bytes:
        """Calldata of ``WormholeTokenBridge.transferTokens`` for an EVM user (they sign it, after
        approving the token bridge for the COR)."""
        units, _dust = to_spl(amount_wei)
        if units <= 0:
            raise BridgeError(f"{amount_wei} wei is less than one SPL COR unit (10^9 wei)")
        return calldata("transferTokens(uint256,bytes32,uint32)", amount_wei, bytes(recipient), nonce)

    def send_to_solana(self, sender: ActorAccount, amount_wei: int, recipient: Pubkey) -> bytes:
        """An EVM account sends COR to ``recipient`` on Solana: it approves the token bridge for
        ``amount_wei`` and calls ``transferTokens`` (which locks the whole SPL units of it).
        Returns the ``transferTokens`` transaction's hash; ExecutionReverted if either reverts."""
        evm = self.evm
        assert evm is not None
        data = self.send_to_solana_calldata(amount_wei, recipient)
        contracts = self.laid.contracts
        approval = sender.send(
            evm,
            contracts.cor,
            calldata("approve(address,uint256)", to_checksum_address(contracts.token_bridge), amount_wei),
        )
        # On an interval-mined chain the approval waits for its block: the transfer, sent behind it,
        # cannot be estimated before then, so it gets a fixed limit.
        gas = None if receipt_of(evm, approval) is not None else TRANSFER_TOKENS_GAS
        return sender.send(evm, contracts.token_bridge, data, gas=gas)

    # ------------------------------------------------------------------ observation
    def observe(self, now_ms: int) -> None:
        self._observe_solana()
        self._observe_evm()

    def _observe_solana(self) -> None:
        assert self.solana is not None and self.cor is not None
        records = self.solana.transactions(self.solana_cursor)
        self.solana_cursor += len(records)
        for record in records:
            if record.error is not None or record.transaction is None:
                continue
            burns = self.cor.burns(record.transaction, record.signature, record.slot)
            for burn in burns:
                self._record_solana_burn(burn)
            if not burns:
                memo, signer = SolanaCOR.memo_and_signer(record.transaction)
                self._record_solana_message(memo, signer, record.signature, record.slot)

    def _solana_time(self, slot: int) -> int:
        assert self.solana is not None
        return self.solana.genesis_time + int(slot * self.solana.slot_time + 1e-9)

    def _record_solana_burn(self, burn: BridgeBurn) -> None:
        """Record a burn of SPL COR: ``sent``, or ``failed`` at once if its memo asks for nothing
        this bridge can deliver (the COR it stood for stays locked on the EVM side, stranded)."""
        signature, slot, amount, memo = burn.signature, burn.slot, burn.amount, burn.memo
        request, error = self._request(memo)
        sequence = self.sequence
        self.sequence += 1
        timestamp = self._solana_time(slot)
        kind = KIND
        if request is not None and request.registration:
            kind = ONBOARDING
        elif request is not None and request.with_payload:
            kind = SESSION_REQUEST
        record = self.book.add_sent(
            f"{self.name}:wormhole:{sequence}",
            kind=kind,
            source=self.name,
            destination=self.parent_name,
            leg=Leg(self.name, str(signature), slot, timestamp),
            detail={"sequence": sequence, "amount": amount, "memo": memo},
        )
        if request is None:
            record.detail["error"] = error
            self.book.advance(record.id, MessageStatus.FAILED, timestamp * 1000)
            return
        _mint, authority = SolanaCOR.addresses(self.seed)
        body = Body(
            timestamp=timestamp,
            nonce=0,
            emitter_chain=SOLANA_CHAIN_ID,
            emitter_address=bytes(authority),
            sequence=sequence,
            consistency_level=SOLANA_CONSISTENCY_FINALIZED,
            payload=self._transfer_payload(request, amount, bytes(burn.sender)),
        )
        record.detail.update(
            body="0x" + body.encode().hex(),
            digest="0x" + body.digest.hex(),
            recipient=to_checksum_address(request.to),
        )

    def _request(self, memo: str | None) -> tuple[BridgeMemo | None, str]:
        """The bridge request a memo next to a burn makes, or None and why it makes none."""
        try:
            request = BridgeMemo.decode(memo or "")
        except PayloadError as exc:
            return None, str(exc)
        if request.chain != self.evm_chain_id:
            return None, f"memo chain {request.chain} is not {self.parent_name} ({self.evm_chain_id})"
        if request.message:
            return None, f"a {request.kind} request carries no COR; the transfer redeems nothing"
        return request, ""

    def _record_solana_message(
        self, memo: str | None, signer: Pubkey, signature: Signature, slot: int
    ) -> None:
        """Record a request without COR (a Memo alone): the messenger emitter's next message, from
        its signer. A memo that is not such a request is none of the bridge's business."""
        try:
            request = BridgeMemo.decode(memo or "")
        except PayloadError:
            return
        if not request.message:
            return
        sequence = self.message_sequence
        self.message_sequence += 1
        timestamp = self._solana_time(slot)
        record = self.book.add_sent(
            f"{self.name}:messenger:{sequence}",
            kind=MESSAGE,
            source=self.name,
            destination=self.parent_name,
            leg=Leg(self.name, str(signature), slot, timestamp),
            detail={"sequence": sequence, "memo": memo, "sender": str(signer)},
        )
        if request.chain != self.evm_chain_id:
            record.detail["error"] = (
                f"memo chain {request.chain} is not {self.parent_name} ({self.evm_chain_id})"
            )
            self.book.advance(record.id, MessageStatus.FAILED, timestamp * 1000)
            return
        body = Body(
            timestamp=timestamp,
            nonce=0,
            emitter_chain=SOLANA_CHAIN_ID,
            emitter_address=self.messenger,
            sequence=sequence,
            consistency_level=SOLANA_CONSISTENCY_FINALIZED,
            payload=SolanaMessage(request.to, self.evm_chain_id, bytes(signer), request.payload()).encode(),
        )
        record.detail.update(
            body="0x" + body.encode().hex(),
            digest="0x" + body.digest.hex(),
            recipient=to_checksum_address(request.to),
        )

    def _transfer_payload(self, request: BridgeMemo, amount: int, sender: bytes) -> bytes:
        """The token is COR on the EVM chain (its native chain, as Wormhole names a wrapped token's
        origin), whatever side the transfer starts from."""
        token = self.laid.contracts.cor.rjust(32, b"\0")
        if request.with_payload:
            return TransferWithPayload(
                amount, token, self.evm_chain_id, request.to, self.evm_chain_id, sender, request.payload()
            ).encode()
        return Transfer(amount, token, self.evm_chain_id, request.to, self.evm_chain_id).encode()

    def _observe_evm(self) -> None:
        evm = self.evm
        assert evm is not None
        head = evm.height
        if head <= self.evm_cursor:
            return
        bridge = self.laid.contracts.token_bridge
        emitters = [bridge, *sorted(self.result_emitters)]
        logs = evm.engine.get_logs(
            self.evm_cursor + 1,
            head,
            [self.laid.contracts.core],
            [[LOG_MESSAGE_PUBLISHED], [e.rjust(32, b"\0") for e in emitters]],
        )
        for log in logs:
            number = int(log["blockNumber"], 16)
            timestamp = int(evm.engine.get_block(number)["timestamp"], 16)
            sequence, nonce, payload, consistency = decode(
                ["uint64", "uint32", "bytes", "uint8"], bytes.fromhex(log["data"][2:])
            )
            sender = _topic_bytes(log["topics"][1])[12:]
            body = Body(
                timestamp, nonce, self.evm_chain_id, sender.rjust(32, b"\0"), sequence, consistency, payload
            )
            if sender != bridge:
                self._record_results(body, str(log["transactionHash"]), number)
                continue
            transfer = Transfer.decode(payload)
            refund_of = self.refunds.get(int(sequence))
            record = self.book.add_sent(
                f"{self.parent_name}:wormhole:{sequence}",
                kind=KIND if refund_of is None else REFUND,
                source=self.parent_name,
                destination=self.name,
                leg=Leg(self.parent_name, str(log["transactionHash"]), number, timestamp),
                detail={
                    "sequence": sequence,
                    "amount": transfer.amount,
                    "recipient": str(Pubkey(transfer.to)),
                    "body": "0x" + body.encode().hex(),
                    "digest": "0x" + body.digest.hex(),
                },
            )
            if refund_of is not None:
                record.detail["refundOf"] = refund_of
        self.evm_cursor = head

    def _record_results(self, body: Body, tx_hash: str, number: int) -> None:
        """Record results a registered contract published for Solana (or ``failed`` if the payload
        is not results: the guardians would sign it, but nothing on Solana could act on it)."""
        emitter = "0x" + body.emitter_address[12:].hex()
        record = self.book.add_sent(
            f"{self.parent_name}:wormhole:{emitter}:{body.sequence}",
            kind=RESULTS,
            source=self.parent_name,
            destination=self.name,
            leg=Leg(self.parent_name, tx_hash, number, body.timestamp),
            detail={
                "sequence": body.sequence,
                "emitter": to_checksum_address(emitter),
                "body": "0x" + body.encode().hex(),
                "digest": "0x" + body.digest.hex(),
            },
        )
        try:
            results = SessionResults.decode(body.payload)
        except PayloadError as exc:
            record.detail["error"] = str(exc)
            self.book.advance(record.id, MessageStatus.FAILED, body.timestamp * 1000)
            return
        record.detail.update(
            recipient=str(Pubkey(results.owner)), session=results.session, tasks=list(results.task_ids)
        )

    # ------------------------------------------------------------------ guardians
    def waiting(self, status: MessageStatus) -> list[MessageRecord]:
        return [r for r in self.book.pending() if r.kind in KINDS and r.status == status and self._ours(r)]

    def _ours(self, record: MessageRecord) -> bool:
        return {record.source, record.destination} == {self.name, self.parent_name}

    def sign_after(self, record: MessageRecord) -> int:
        """When the guardians sign: after Solana finality for Solana messages, at once for EVM ones."""
        sent = record.times[str(MessageStatus.SENT)]
        if record.source == self.name:
            assert self.solana is not None
            return sent + round(SOLANA_FINALITY_SLOTS * self.solana.slot_time * 1000)
        return sent

    def sign_due(self, now_ms: int) -> list[Action]:
        actions: list[Action] = []
        for record in self.waiting(MessageStatus.SENT):
            if self.sign_after(record) > now_ms:
                continue
            vaa = self.guardians.sign(Body.decode(bytes.fromhex(record.detail["body"][2:])))
            record.detail["vaa"] = "0x" + vaa.encode().hex()
            record.detail["guardianSet"] = vaa.guardian_set_index
            self.book.advance(record.id, MessageStatus.PROVEN, now_ms)
            actions.append(
                Action(f"{self.name}/guardians", record.source, "signed VAA", message_id=record.id)
            )
        return actions

    def _resign(self, record: MessageRecord) -> None:
        """Sign the same body again with the current set (re-observation after a rotation)."""
        vaa = self.guardians.sign(Body.decode(bytes.fromhex(record.detail["body"][2:])))
        record.detail["vaa"] = "0x" + vaa.encode().hex()
        record.detail["guardianSet"] = vaa.guardian_set_index

    # ------------------------------------------------------------------ relayers
    def relay_after(self, record: MessageRecord, now_ms: int) -> int:
        """Now, or, for a relay transaction waiting in an interval-mined pool, the next block."""
        sent = record.detail.get("relaySentAt")
        if sent is None:
            return now_ms
        assert self.evm is not None
        return int(sent) + self.evm.block_time_ms

    def deliver_all(self, now_ms: int) -> list[Action]:
        actions: list[Action] = []
        for record in self.waiting(MessageStatus.PROVEN):
            if self.relay_after(record, now_ms) > now_ms:
                continue
            action = (
                self._to_evm(record, now_ms)
                if record.source == self.name
                else self._to_solana(record, now_ms)
            )
            if action is not None:
                actions.append(action)
        return actions

    def _to_evm(self, record: MessageRecord, now_ms: int) -> Action | None:
        evm = self.evm
        assert evm is not None
        vaa = bytes.fromhex(record.detail["vaa"][2:])
        body = VAA.decode(vaa).body
        payload = body.payload
        if body.emitter_address == self.messenger:  # a request without COR: its contract acts on it
            target, what = SolanaMessage.decode(payload).to[12:], "receiveMessage"
            data = calldata("receiveMessage(bytes)", vaa)
        elif payload[:1] == bytes([TRANSFER_WITH_PAYLOAD_ID]):  # the recipient contract redeems it
            target, what = TransferWithPayload.decode(payload).to[12:], "redeem"
            data = calldata("redeem(bytes)", vaa)
        else:
            target, what = self.laid.contracts.token_bridge, "completeTransfer"
            data = calldata("completeTransfer(bytes)", vaa)
        if "relayTx" in record.detail:  # sent on an earlier wake: look for its receipt
            tx_hash = bytes.fromhex(record.detail["relayTx"][2:])
        else:
            try:
                tx_hash = self.relayer.send(evm, target, data)
            except ExecutionReverted as exc:
                return self._refused(record, _reason(exc), now_ms)
        receipt = receipt_of(evm, tx_hash)
        if receipt is None:  # interval mining: the next block carries it
            record.detail.update(relayTx="0x" + tx_hash.hex(), relaySentAt=now_ms)
            return None
        timestamp = int(evm.engine.get_block(int(receipt["blockNumber"], 16))["timestamp"], 16)
        leg = Leg.from_receipt(evm.name, receipt, timestamp)
        record.detail.pop("relayTx", None)
        record.detail.pop("relaySentAt", None)
        if receipt["status"] != "0x1":
            record.detail["error"] = f"{what} reverted"
            self.book.advance(record.id, MessageStatus.FAILED, now_ms, leg)
        elif (refunded := _refund_in(receipt, target)) is not None:
            sequence, reason = refunded
            self.refunds[sequence] = record.id
            record.detail.update(error=reason, refund=f"{self.parent_name}:wormhole:{sequence}")
            self.book.advance(record.id, MessageStatus.FAILED, now_ms, leg)
            self._observe_evm()  # the refund's record exists from the block that sent it
            return Action(
                f"{self.name}/relayer", evm.name, f"{what}: refused, refunded", leg.tx_hash, record.id
            )
        else:
            self.book.advance(record.id, MessageStatus.RELAYED, now_ms, leg)
        return Action(f"{self.name}/relayer", evm.name, what, leg.tx_hash, record.id)

    def _refused(self, record: MessageRecord, reason: str, now_ms: int) -> Action | None:
        if (
            "guardian set has expired" in reason
            and record.detail.get("guardianSet") != self.guardians.current.index
        ):
            self._resign(record)
            return Action(
                f"{self.name}/guardians",
                record.source,
                "signed VAA again (set rotated)",
                message_id=record.id,
            )
        record.detail["error"] = reason
        self.book.advance(record.id, MessageStatus.FAILED, now_ms)
        return Action(f"{self.name}/relayer", record.destination, f"refused: {reason}", message_id=record.id)

    def _to_solana(self, record: MessageRecord, now_ms: int) -> Action | None:
        assert self.solana is not None and self.cor is not None
        if record.kind == RESULTS:
            return self._results_to_solana(record, now_ms)
        assert self.solana is not None
        try:
            vaa = self.verify_for_solana(bytes.fromhex(record.detail["vaa"][2:]))
        except VAAVerificationError as exc:
            return self._refused(record, exc.reason, now_ms)
        transfer = Transfer.decode(vaa.body.payload)
        self.released.add("0x" + vaa.digest.hex())
        signature = self.cor.release(Pubkey(transfer.to), transfer.amount)
        leg = Leg(self.name, str(signature), self.solana.slot, self.solana.unix_timestamp)
        self.book.advance(record.id, MessageStatus.RELAYED, now_ms, leg)
        return Action(f"{self.name}/relayer", self.name, "minted SPL COR", str(signature), record.id)

    def _results_to_solana(self, record: MessageRecord, now_ms: int) -> Action | None:
        """Post each task's result as a Memo transaction, after verifying the VAA."""
        assert self.solana is not None and self.cor is not None
        try:
            vaa, results = self.verify_results_for_solana(bytes.fromhex(record.detail["vaa"][2:]))
        except VAAVerificationError as exc:
            return self._refused(record, exc.reason, now_ms)
        self.released.add("0x" + vaa.digest.hex())
        signatures = [
            self.solana.send_memo(self.cor.authority, memo) for memo in result_memos(results, vaa.digest)
        ]
        record.detail["memos"] = [str(s) for s in signatures]
        leg = Leg(self.name, str(signatures[-1]), self.solana.slot, self.solana.unix_timestamp)
        self.book.advance(record.id, MessageStatus.RELAYED, now_ms, leg)
        return Action(f"{self.name}/relayer", self.name, "posted results", str(signatures[-1]), record.id)

    def _verify_on_solana(self, encoded: bytes, emitters: set[bytes], replay: str) -> VAA:
        """The guardian signatures (the shared verifier, at Solana's clock), an emitter of the
        bridge's EVM chain among ``emitters``, and a VAA not acted on before."""
        assert self.solana is not None
        vaa = verify(encoded, self.guardians, self.solana.unix_timestamp)
        body = vaa.body
        if body.emitter_chain != self.evm_chain_id or body.emitter_address[12:] not in emitters:
            raise VAAVerificationError("invalid emitter")
        if body.emitter_address[:12] != bytes(12):
            raise VAAVerificationError("invalid emitter")
        if "0x" + vaa.digest.hex() in self.released:
            raise VAAVerificationError(replay)
        return vaa

    def verify_results_for_solana(self, encoded: bytes) -> tuple[VAA, SessionResults]:
        """What a Solana program checks before it records results for a user: the VAA (see
        :meth:`_verify_on_solana`, from a registered results contract) and a results payload."""
        vaa = self._verify_on_solana(encoded, self.result_emitters, "message already delivered")
        try:
            return vaa, SessionResults.decode(vaa.body.payload)
        except PayloadError as exc:
            raise VAAVerificationError(str(exc)) from None

    def verify_for_solana(self, encoded: bytes) -> VAA:
        """What a Solana token bridge program checks before it mints SPL COR: the guardian
        signatures (the shared verifier, at Solana's clock), the emitter, the token (COR on the
        bridge's EVM chain), the target chain, and that the VAA was not redeemed before. Raises
        :class:`VAAVerificationError`."""
        vaa = self._verify_on_solana(
            encoded, {self.laid.contracts.token_bridge}, "transfer already completed"
        )
        body = vaa.body
        try:
            transfer = Transfer.decode(body.payload)
        except PayloadError as exc:
            raise VAAVerificationError(str(exc)) from None
        token = self.laid.contracts.cor.rjust(32, b"\0")
        if transfer.token_address != token or transfer.token_chain != self.evm_chain_id:
            raise VAAVerificationError("unknown token")
        if transfer.to_chain != SOLANA_CHAIN_ID:
            raise VAAVerificationError("invalid target chain")
        return vaa

    # ------------------------------------------------------------------ governance
    def rotate_guardians(self) -> str:
        """Install the next guardian set on the EVM core contract by a governance VAA signed by
        the current set, then in the engine; returns the EVM transaction hash."""
        evm = self.evm
        assert evm is not None
        new = self.guardians.next_set()
        body = Body(
            timestamp=int(evm.now),
            nonce=0,
            emitter_chain=GOVERNANCE_CHAIN_ID,
            emitter_address=GOVERNANCE_EMITTER,
            sequence=self.governance_sequence,
            consistency_level=SOLANA_CONSISTENCY_FINALIZED,
            payload=guardian_set_upgrade(self.evm_chain_id, new.index, new.addresses),
        )
        vaa = self.guardians.sign(body)
        tx_hash = self.relayer.send(
            evm, self.laid.contracts.core, calldata("submitNewGuardianSet(bytes)", vaa.encode())
        )
        receipt = receipt_of(evm, tx_hash)
        if receipt is None:
            evm.mine()
            receipt = receipt_of(evm, tx_hash)
        assert receipt is not None and receipt["status"] == "0x1"
        timestamp = int(evm.engine.get_block(int(receipt["blockNumber"], 16))["timestamp"], 16)
        self.governance_sequence += 1
        self.guardians.rotate(timestamp)
        return "0x" + tx_hash.hex()

    # ------------------------------------------------------------------ state
    def state(self) -> dict[str, Any]:
        return {
            "guardianSets": self.guardians.to_json(),
            "solanaCursor": self.solana_cursor,
            "evmCursor": self.evm_cursor,
            "sequence": self.sequence,
            "governanceSequence": self.governance_sequence,
            "messageSequence": self.message_sequence,
            "resultEmitters": sorted("0x" + e.hex() for e in self.result_emitters),
            "refunds": {str(sequence): request for sequence, request in sorted(self.refunds.items())},
            "released": sorted(self.released),
        }

    def load_state(self, state: dict[str, Any]) -> None:
        if not state:
            return
        self.guardians.load_json(list(state["guardianSets"]))
        self.solana_cursor = int(state["solanaCursor"])
        self.evm_cursor = int(state["evmCursor"])
        self.sequence = int(state["sequence"])
        self.governance_sequence = int(state["governanceSequence"])
        self.message_sequence = int(state.get("messageSequence", 0))
        self.result_emitters = {bytes.fromhex(e[2:]) for e in state.get("resultEmitters", [])}
        self.refunds = {int(sequence): str(request) for sequence, request in state.get("refunds", {}).items()}
        self.released = set(state["released"])


def result_memos(results: SessionResults, vaa_digest: bytes) -> list[str]:
    """One memo per task: the session, task, owner, digest and result (the text left out, with
    its length, if the memo would not fit a Solana transaction)."""
    memos: list[str] = []
    for task, digest, result in zip(results.task_ids, results.digests, results.results, strict=True):
        data: dict[str, Any] = {
            "cortensor": "result",
            "vaa": "0x" + vaa_digest.hex(),
            "session": results.session,
            "task": task,
            "owner": str(Pubkey(results.owner)),
            "digest": "0x" + digest.hex(),
            "result": result,
        }
        memo = json.dumps(data, separators=(",", ":"))
        if len(memo.encode()) > RESULT_MEMO_LIMIT:
            del data["result"]
            data["resultLength"] = len(result.encode())
            memo = json.dumps(data, separators=(",", ":"))
        memos.append(memo)
    return memos


ERROR_STRING = keccak(b"Error(string)")[:4]


def revert_reason(data: bytes) -> str:
    """A revert's data as the engine words a revert: ``execution reverted: <message>`` for
    ``Error(string)``, the raw data for a custom error (so scenario steps can name it)."""
    if data[:4] == ERROR_STRING:
        try:
            (message,) = decode(["string"], data[4:])
        except Exception:  # malformed data: show it raw
            return f"execution reverted: 0x{data.hex()}"
        return f"execution reverted: {message}"
    return f"execution reverted: 0x{data.hex()}" if data else "execution reverted"


def _refund_in(receipt: Mapping[str, Any], receiver: bytes) -> tuple[int, str] | None:
    """(token bridge sequence, revert reason) of the ``RequestRefunded`` ``receiver`` emitted in
    ``receipt``, or None when it acted on the request."""
    for log in receipt.get("logs", []):
        address = bytes.fromhex(str(log["address"]).removeprefix("0x"))
        if address == receiver and _topic_bytes(log["topics"][0]) == LOG_REQUEST_REFUNDED:
            _amount, sequence, reason = decode(["uint256", "uint64", "bytes"], bytes.fromhex(log["data"][2:]))
            return int(sequence), revert_reason(bytes(reason))
    return None


def _reason(exc: ExecutionReverted) -> str:
    """A revert's message, with its raw data when the message has no reason (a custom error)."""
    text = str(exc)
    if exc.data and text.strip() == "execution reverted":
        return f"{text}: 0x{exc.data.hex()}"
    return text


def _topic_bytes(topic: Any) -> bytes:
    return topic if isinstance(topic, bytes) else bytes.fromhex(str(topic).removeprefix("0x"))


def _address(text: str) -> bytes:
    try:
        raw = bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise BridgeError(f"recipient {text!r} is not a hex address") from None
    if len(raw) != 20:
        raise BridgeError(f"recipient {text!r} is not a 20-byte address")
    return raw
