"""Retryable tickets and ArbRetryableTx (``0x6E``): parent-to-child calls that survive a failure.

Interface: OffchainLabs/nitro-precompile-interfaces ``ArbRetryableTx.sol``; behaviour: OffchainLabs/nitro
``arbos/tx_processor.go`` (the submission's start hook), ``arbos/retryables/retryable.go`` and
``precompiles/ArbRetryableTx.go``.

A submission (delayed message kind 9) enters the child as a system transaction from the **aliased**
parent sender to ``ArbRetryableTx.submitRetryable``, minting the deposit to that sender (as the
``ArbitrumSubmitRetryableTx`` does; the method is ``NotCallable`` from anything else). It then:

1. charges the submission fee ``(1400 + 6 * len(data)) * l1BaseFee`` and refunds
   ``maxSubmissionFee - fee`` to the fee refund address;
2. moves the call value into the ticket's escrow (``keccak256("retryable escrow" ++ ticketId)[12:]``)
   and creates the ticket (lifetime 7 days), emitting ``TicketCreated``;
3. if the rest of the deposit pays ``gasLimit * baseFee``, runs the retry at once (the *auto-redeem*,
   ``RedeemScheduled``): from the aliased sender, with the call value, the gas limit and the data;
4. refunds what is left of the deposit (fees not spent) to the fee refund address.

A retry that succeeds deletes the ticket. One that fails leaves it, its value back in escrow,
redeemable by anyone through ``redeem`` (who gives the retry its gas) until it expires; ``keepalive``
extends it by a lifetime; ``cancel`` (its beneficiary only) returns the value to the beneficiary.

Differences from Nitro, all in how a retry is carried, none in what contracts see: Nitro runs each
retry as a transaction of its own (``ArbitrumRetryTx``) scheduled right after the submission or the
redeem; here it runs inside that transaction as a fresh top-level call (``PrecompileHost.call``: the
target sees the aliased sender as ``msg.sender`` and ``tx.origin``, and ArbSys reports it aliased),
so its logs land in the submission's or redeem's receipt. Gas is charged at the base fee; fees are
burnt rather than paid to a network fee account. Expired tickets are not reaped (their escrow stays).
"""

from __future__ import annotations

import rlp
from eth_abi import encode
from eth_hash.auto import keccak

from ...chains.engine import PrecompileCall, PrecompileHost, PrecompileRevert
from .precompile import NitroPrecompile, Storage, error_data, method, precompile_address, slot_of

ARB_RETRYABLE_TX = precompile_address(0x6E)
RETRYABLE_LIFETIME = 7 * 24 * 3600
"""Seconds a ticket lives, and what keepalive adds (``retryables.RetryableLifetimeSeconds``)."""

SUBMIT_RETRYABLE_TX_TYPE = 0x69
RETRY_GAS_RESERVE = 30_000
"""Gas a redeem keeps for itself after donating the rest to the retry."""

TICKET_CREATED = keccak(b"TicketCreated(bytes32)")
LIFETIME_EXTENDED = keccak(b"LifetimeExtended(bytes32,uint256)")
REDEEM_SCHEDULED = keccak(b"RedeemScheduled(bytes32,bytes32,uint64,uint64,address,uint256,uint256)")
CANCELED = keccak(b"Canceled(bytes32)")

NO_TICKET = error_data("NoTicketWithID()")
NOT_CALLABLE = error_data("NotCallable()")

_FIELDS = ("from", "to", "value", "beneficiary", "timeout", "tries", "data_length", "exists")


def submission_fee(data_length: int, l1_base_fee: int) -> int:
    """What a retryable's submission costs (the Inbox's ``calculateRetryableSubmissionFee``)."""
    return (1400 + 6 * data_length) * l1_base_fee


def escrow_address(ticket_id: bytes) -> bytes:
    return keccak(b"retryable escrow" + ticket_id)[12:]


def ticket_id(
    *,
    chain_id: int,
    request_id: bytes,
    sender: bytes,
    l1_base_fee: int,
    deposit: int,
    max_fee_per_gas: int,
    gas_limit: int,
    to: bytes | None,
    value: int,
    beneficiary: bytes,
    max_submission_fee: int,
    fee_refund: bytes,
    data: bytes,
) -> bytes:
    """The hash of the ``ArbitrumSubmitRetryableTx`` (type 0x69) the message becomes: its ticket id.

    Field order of OffchainLabs/go-ethereum ``core/types/arb_types.go``; ``request_id`` is the
    delayed message number as 32 bytes.
    """
    fields = [
        chain_id,
        request_id,
        sender,
        l1_base_fee,
        deposit,
        max_fee_per_gas,
        gas_limit,
        to or b"",
        value,
        beneficiary,
        max_submission_fee,
        fee_refund,
        data,
    ]
    return keccak(bytes([SUBMIT_RETRYABLE_TX_TYPE]) + rlp.encode(fields))


def _address(word: int) -> bytes:
    return word.to_bytes(20, "big")


def _checksum_free(address: bytes) -> str:
    return "0x" + address.hex()


class Tickets:
    """Ticket records in ArbRetryableTx's storage."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def _slot(self, ticket: bytes, name: str) -> int:
        return slot_of("retryable." + name, ticket)

    def get(self, ticket: bytes, name: str) -> int:
        return self.storage.get(self._slot(ticket, name))

    def put(self, ticket: bytes, name: str, value: int) -> None:
        self.storage.set(self._slot(ticket, name), value)

    def open(self, ticket: bytes, now: int) -> bool:
        """Whether ``ticket`` exists and has not expired."""
        return self.get(ticket, "exists") == 1 and self.get(ticket, "timeout") >= now

    def data(self, ticket: bytes) -> bytes:
        length = self.get(ticket, "data_length")
        words = [self.storage.get(slot_of("retryable.data", ticket, i)) for i in range((length + 31) // 32)]
        return b"".join(w.to_bytes(32, "big") for w in words)[:length]

    def create(
        self,
        ticket: bytes,
        sender: bytes,
        to: bytes,
        value: int,
        beneficiary: bytes,
        timeout: int,
        data: bytes,
    ) -> None:
        for name, number in (
            ("from", int.from_bytes(sender, "big")),
            ("to", int.from_bytes(to, "big")),
            ("value", value),
            ("beneficiary", int.from_bytes(beneficiary, "big")),
            ("timeout", timeout),
            ("data_length", len(data)),
            ("exists", 1),
        ):
            self.put(ticket, name, number)
        padded = data + b"\x00" * (-len(data) % 32)
        for i in range(len(padded) // 32):
            self.storage.set(
                slot_of("retryable.data", ticket, i), int.from_bytes(padded[32 * i : 32 * i + 32], "big")
            )

    def delete(self, ticket: bytes) -> None:
        length = self.get(ticket, "data_length")
        for i in range((length + 31) // 32):
            self.storage.set(slot_of("retryable.data", ticket, i), 0)
        for name in _FIELDS:
            self.put(ticket, name, 0)


class ArbRetryableTx(NitroPrecompile):
    address = ARB_RETRYABLE_TX
    name = "ArbRetryableTx"

    def tickets(self, host: PrecompileHost) -> Tickets:
        return Tickets(self.storage(host))

    def _open(self, call: PrecompileCall, host: PrecompileHost, ticket: bytes) -> Tickets:
        tickets = self.tickets(host)
        if not tickets.open(ticket, call.timestamp):
            raise PrecompileRevert("NoTicketWithID", NO_TICKET)
        return tickets

    # -- the submission (a derived system transaction only) --
    @method(
        "submitRetryable(bytes32,uint256,uint256,uint256,uint256,uint64,uint256,address,address,address,bytes)"
    )
    def submit_retryable(
        self,
        call: PrecompileCall,
        host: PrecompileHost,
        request_id: bytes,
        l1_base_fee: int,
        deposit: int,
        value: int,
        max_fee_per_gas: int,
        gas_limit: int,
        max_submission_fee: int,
        fee_refund: str,
        beneficiary: str,
        to: str,
        data: bytes,
    ) -> None:
        if not call.deposit or call.depth != 1:
            raise PrecompileRevert("NotCallable", NOT_CALLABLE)
        sender = call.caller
        refund_to, beneficiary_address, target = (bytes.fromhex(a[2:]) for a in (fee_refund, beneficiary, to))
        ticket = ticket_id(
            chain_id=call.chain_id,
            request_id=request_id,
            sender=sender,
            l1_base_fee=l1_base_fee,
            deposit=deposit,
            max_fee_per_gas=max_fee_per_gas,
            gas_limit=gas_limit,
            to=target,
            value=value,
            beneficiary=beneficiary_address,
            max_submission_fee=max_submission_fee,
            fee_refund=refund_to,
            data=data,
        )
        fee = submission_fee(len(data), l1_base_fee)
        if max_submission_fee < fee:
            raise PrecompileRevert(f"max submission fee {max_submission_fee} is below the fee {fee}")
        if host.get_balance(sender) < max_submission_fee + value:
            raise PrecompileRevert("deposit does not cover the submission fee and the call value")
        host.add_balance(sender, -fee)  # the submission fee leaves the chain (see the module notes)
        self._move(host, sender, refund_to, max_submission_fee - fee)
        self._move(host, sender, escrow_address(ticket), value)
        tickets = self.tickets(host)
        tickets.create(
            ticket, sender, target, value, beneficiary_address, call.timestamp + RETRYABLE_LIFETIME, data
        )
        self.emit(host, [TICKET_CREATED, ticket], b"")
        left = deposit - max_submission_fee - value
        gas_cost = gas_limit * call.base_fee
        if gas_limit > 0 and max_fee_per_gas >= call.base_fee and left >= gas_cost:
            self._schedule(host, ticket, 0, gas_limit, sender, gas_cost, max_submission_fee - fee)
            spent = self._retry(host, tickets, ticket, gas_limit) * call.base_fee
            host.add_balance(sender, -spent)  # the retry's gas, at the base fee
            left -= spent
        self._move(host, sender, refund_to, left)

    def _move(self, host: PrecompileHost, source: bytes, target: bytes, amount: int) -> None:
        if amount:
            host.add_balance(source, -amount)
            host.add_balance(target, amount)

    def _schedule(
        self,
        host: PrecompileHost,
        ticket: bytes,
        sequence: int,
        gas: int,
        donor: bytes,
        max_refund: int,
        submission_refund: int,
    ) -> None:
        retry_hash = keccak(ticket + sequence.to_bytes(8, "big"))
        self.emit(
            host,
            [REDEEM_SCHEDULED, ticket, retry_hash, sequence.to_bytes(32, "big")],
            encode(
                ["uint64", "address", "uint256", "uint256"],
                [gas, _checksum_free(donor), max_refund, submission_refund],
            ),
        )

    def _retry(self, host: PrecompileHost, tickets: Tickets, ticket: bytes, gas: int) -> int:
        """Run the ticket's call; delete the ticket if it succeeded. Returns the gas it used."""
        sender = _address(tickets.get(ticket, "from"))
        target = _address(tickets.get(ticket, "to"))
        value = tickets.get(ticket, "value")
        data = tickets.data(ticket)
        escrow = escrow_address(ticket)
        self._move(host, escrow, sender, value)
        outcome = host.call(sender, target, value, data, gas)
        if outcome.success:
            tickets.delete(ticket)
        else:
            self._move(host, sender, escrow, value)  # the failed call gave the value back to sender
            tickets.put(ticket, "tries", tickets.get(ticket, "tries") + 1)
        return outcome.gas_used

    # -- the public interface --
    @method("redeem(bytes32)", returns=("bytes32",))
    def redeem(self, call: PrecompileCall, host: PrecompileHost, ticket: bytes) -> bytes:
        tickets = self._open(call, host, ticket)
        sequence = tickets.get(ticket, "tries") + 1
        gas = max(0, call.gas - RETRY_GAS_RESERVE - 50_000)
        self._schedule(host, ticket, sequence, gas, call.caller, 0, 0)
        self._retry(host, tickets, ticket, gas)
        return keccak(ticket + sequence.to_bytes(8, "big"))

    @method("getLifetime()", returns=("uint256",))
    def get_lifetime(self, call: PrecompileCall, host: PrecompileHost) -> int:
        return RETRYABLE_LIFETIME

    @method("getTimeout(bytes32)", returns=("uint256",))
    def get_timeout(self, call: PrecompileCall, host: PrecompileHost, ticket: bytes) -> int:
        return self._open(call, host, ticket).get(ticket, "timeout")

    @method("keepalive(bytes32)", returns=("uint256",))
    def keepalive(self, call: PrecompileCall, host: PrecompileHost, ticket: bytes) -> int:
        tickets = self._open(call, host, ticket)
        timeout = tickets.get(ticket, "timeout")
        if timeout > call.timestamp + RETRYABLE_LIFETIME:
            raise PrecompileRevert("timeout too far into the future")
        timeout += RETRYABLE_LIFETIME
        tickets.put(ticket, "timeout", timeout)
        self.emit(host, [LIFETIME_EXTENDED, ticket], encode(["uint256"], [timeout]))
        return timeout

    @method("getBeneficiary(bytes32)", returns=("address",))
    def get_beneficiary(self, call: PrecompileCall, host: PrecompileHost, ticket: bytes) -> str:
        return _checksum_free(_address(self._open(call, host, ticket).get(ticket, "beneficiary")))

    @method("cancel(bytes32)")
    def cancel(self, call: PrecompileCall, host: PrecompileHost, ticket: bytes) -> None:
        tickets = self._open(call, host, ticket)
        beneficiary = _address(tickets.get(ticket, "beneficiary"))
        if call.caller != beneficiary:
            raise PrecompileRevert("only the beneficiary may cancel a retryable")
        self._move(host, escrow_address(ticket), beneficiary, tickets.get(ticket, "value"))
        tickets.delete(ticket)
        self.emit(host, [CANCELED, ticket], b"")
