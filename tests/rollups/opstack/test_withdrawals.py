"""Withdrawals base -> l1: L2ToL1MessagePasser, output roots in permissioned dispute games, proofs
checked in Solidity against eth_getProof's storage proof, finalization after the windows; each
refusal of OptimismPortal2, and the challenger's."""

from __future__ import annotations

from pathlib import Path

import pytest
from op_helpers import contract, game, prove_args, withdrawal_from
from web3.exceptions import ContractLogicError
from web3.logs import DISCARD

from cortensor_sim import Devnet
from cortensor_sim.bridge import MessageStatus
from cortensor_sim.bridge.opstack import OpStack
from cortensor_sim.bridge.transactions import calldata
from cortensor_sim.chains.topology import default_topology
from cortensor_sim.rollups.opstack import Withdrawal

ETH = 10**18


def _stack(devnet: Devnet) -> OpStack:
    stack = devnet.settlement.stacks["base"]  # type: ignore[union-attr]
    assert isinstance(stack, OpStack)
    return stack


def _fund_portal_and_withdraw(devnet: Devnet, value: int = ETH // 2) -> tuple[Withdrawal, int, str]:
    """Deposit 1 ETH to a user on base (so the portal holds ETH), then withdraw ``value`` to l1."""
    l1, base = devnet.evm("l1"), devnet.evm("base")
    user = l1.accounts[4].address
    contract(devnet, "base", "OptimismPortal").functions.depositTransaction(
        user, 0, 100_000, False, b""
    ).transact({"from": user, "value": ETH})
    devnet.relay() if not devnet.settlement.auto else devnet.advance(2)  # type: ignore[union-attr]
    passer = contract(devnet, "base", "L2ToL1MessagePasser")
    tx = passer.functions.initiateWithdrawal(user, 100_000, b"").transact({"from": user, "value": value})
    block = base.w3.eth.get_transaction_receipt(tx)["blockNumber"]
    return withdrawal_from(base, tx), block, user


def test_a_withdrawal_is_proposed_proven_and_finalized_by_the_actors(devnet: Devnet) -> None:
    l1 = devnet.evm("l1")
    withdrawal, l2_block, user = _fund_portal_and_withdraw(devnet)
    assert withdrawal.computed_hash == withdrawal.withdrawal_hash
    assert withdrawal.nonce == 1 << 240  # the first versioned nonce
    passer = contract(devnet, "base", "L2ToL1MessagePasser")
    assert passer.functions.sentMessages(withdrawal.withdrawal_hash).call()
    before = l1.balance(user)

    devnet.advance(60)
    (record,) = devnet.messages("withdrawal")
    assert record.status == MessageStatus.FINALIZED and record.route == "base -> l1"
    assert record.detail["success"] is True
    assert l1.balance(user) == before + ETH // 2
    times = [record.times[s] for s in ("sent", "proposed", "proven", "finalizable", "finalized")]
    assert times == sorted(times)
    assert [record.legs[s].chain for s in ("sent", "proposed", "proven", "finalized")] == [
        "base",
        "l1",
        "l1",
        "l1",
    ]

    portal = contract(devnet, "base", "OptimismPortal")
    assert portal.functions.finalizedWithdrawals(withdrawal.withdrawal_hash).call()
    relayer = _stack(devnet).relayer_account.checksum
    proven_game, proven_at = portal.functions.provenWithdrawals(withdrawal.withdrawal_hash, relayer).call()
    factory = contract(devnet, "base", "DisputeGameFactory")
    game_type, created, address = factory.functions.gameAtIndex(record.detail["game"]).call()
    assert (game_type, address) == (1, proven_game) and proven_at > created
    assert game(l1, address).functions.l2BlockNumber().call() >= l2_block
    assert game(l1, address).functions.status().call() == 2  # DEFENDER_WINS
    with pytest.raises(ContractLogicError, match="withdrawal has already been finalized"):
        portal.functions.checkWithdrawal(withdrawal.withdrawal_hash, relayer).call()


def test_the_portal_views_clients_read(devnet: Devnet) -> None:
    devnet.advance(36)
    portal = contract(devnet, "base", "OptimismPortal")
    factory = contract(devnet, "base", "DisputeGameFactory")
    settings = devnet.topology.chain("base").settlement
    assert portal.functions.disputeGameFactory().call() == factory.address
    assert portal.functions.respectedGameType().call() == 1
    assert portal.functions.proofMaturityDelaySeconds().call() == settings.proof_maturity_delay
    assert portal.functions.disputeGameFinalityDelaySeconds().call() == settings.dispute_game_finality_delay
    assert portal.functions.l2Sender().call() == "0x000000000000000000000000000000000000dEaD"
    count = factory.functions.gameCount().call()
    assert count == 3  # one proposal every 12 s
    latest = factory.functions.findLatestGames(1, count - 1, 2).call()
    assert [g[0] for g in latest] == [2, 1]
    stack = _stack(devnet)
    assert latest[0][3] == stack.honest_output_root(latest[0][4][-1])  # root claim of extraData's block
    assert factory.functions.findLatestGames(0, count - 1, 2).call() == []
    assert factory.functions.proposer().call() == stack.proposer_account.checksum
    assert factory.functions.maxClockDuration().call() == settings.game_clock_duration


class _ByHand:
    """A user who proves and finalizes by hand, the actors in step mode (nothing relays for them)."""

    def __init__(self, devnet: Devnet) -> None:
        devnet.settlement.auto = False  # type: ignore[union-attr]
        self.devnet = devnet
        self.l1 = devnet.evm("l1")
        self.base = devnet.evm("base")
        self.portal = contract(devnet, "base", "OptimismPortal")
        self.withdrawal, self.l2_block, self.user = _fund_portal_and_withdraw(devnet)
        devnet.advance(12)
        actions = devnet.relay()  # the proposer's tick: a game covering the withdrawal
        assert [a.what for a in actions if a.actor == "base/proposer"] == [
            f"proposed base block {self.base.height}"
        ]
        self.game_index = contract(devnet, "base", "DisputeGameFactory").functions.gameCount().call() - 1
        self.game_block = _stack(devnet).games[self.game_index].l2_block
        devnet.advance(1)  # a proof must come after the game's creation second

    def prove(
        self, *, tx: object = None, output: object = None, proof: object = None, index: int | None = None
    ) -> bytes:
        args = prove_args(self.base, self.withdrawal, self.game_block)
        call = self.portal.functions.proveWithdrawalTransaction(
            tx or args[0], self.game_index if index is None else index, output or args[1], proof or args[2]
        )
        return call.transact({"from": self.user})

    def finalize(self) -> bytes:
        return self.portal.functions.finalizeWithdrawalTransaction(self.withdrawal.as_tuple()).transact(
            {"from": self.user}
        )


def test_forged_foreign_and_misrooted_proofs_are_refused(devnet: Devnet) -> None:
    hand = _ByHand(devnet)
    _, output, proof = prove_args(hand.base, hand.withdrawal, hand.game_block)
    forged = [*proof[:-1], proof[-1][:-1] + bytes([proof[-1][-1] ^ 1])]
    with pytest.raises(ContractLogicError, match="MerkleTrie: invalid node hash"):
        hand.prove(proof=forged)
    # a proof of another slot of the same trie (the passer's nonce, slot 1) is a valid proof of
    # something else: it does not prove sentMessages[hash]
    foreign = hand.base.w3.eth.get_proof("0x4200000000000000000000000000000000000016", [1], hand.game_block)[
        "storageProof"
    ][0]["proof"]
    with pytest.raises(ContractLogicError, match=r"invalid withdrawal inclusion proof|MerkleTrie"):
        hand.prove(proof=[bytes(node) for node in foreign])
    earlier = hand.base.w3.eth.get_block(hand.game_block - 1)
    with pytest.raises(ContractLogicError, match="invalid output root proof"):
        hand.prove(output=(output[0], bytes(earlier["stateRoot"]), output[2], output[3]))
    with pytest.raises(ContractLogicError, match="invalid output root version"):
        hand.prove(output=(b"\x00" * 31 + b"\x01", *output[1:]))
    other = Withdrawal(
        hand.withdrawal.nonce, hand.withdrawal.sender, hand.withdrawal.target, 10**30, 100_000, b"", b""
    )
    with pytest.raises(ContractLogicError, match="invalid withdrawal inclusion proof"):
        hand.prove(tx=other.as_tuple())
    receipt = hand.l1.w3.eth.get_transaction_receipt(hand.prove())
    assert receipt["status"] == 1
    (event,) = hand.portal.events.WithdrawalProven().process_receipt(receipt, errors=DISCARD)
    assert event["args"]["withdrawalHash"] == hand.withdrawal.withdrawal_hash


def test_finalizing_waits_for_maturity_and_resolution_and_happens_once(devnet: Devnet) -> None:
    hand = _ByHand(devnet)
    hand.prove()
    with pytest.raises(ContractLogicError, match="proven withdrawal has not matured yet"):
        hand.finalize()
    devnet.advance(13)  # matured, and the game's clock ran out, but nobody resolved it (step mode)
    with pytest.raises(ContractLogicError, match="output proposal has not been validated"):
        hand.finalize()
    the_game = game(hand.l1, _stack(devnet).games[hand.game_index].address)
    the_game.functions.resolve().transact({"from": hand.user})
    assert the_game.functions.status().call() == 2
    with pytest.raises(ContractLogicError, match="output proposal in air-gap"):
        hand.finalize()
    devnet.advance(7)
    before = hand.l1.balance(hand.user)
    receipt = hand.l1.w3.eth.get_transaction_receipt(hand.finalize())
    (event,) = hand.portal.events.WithdrawalFinalized().process_receipt(receipt)
    assert event["args"]["success"] is True
    gas = receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert hand.l1.balance(hand.user) == before + ETH // 2 - gas
    with pytest.raises(ContractLogicError, match="withdrawal has already been finalized"):
        hand.finalize()


def test_a_challenged_game_cannot_finalize_and_the_withdrawal_is_proven_again(devnet: Devnet) -> None:
    hand = _ByHand(devnet)
    hand.prove()
    stack = _stack(devnet)
    the_game = game(hand.l1, stack.games[hand.game_index].address)
    # the permissioned challenger disputes the game (only it may)
    with pytest.raises(ContractLogicError):
        the_game.functions.challenge().call({"from": hand.user})
    stack.challenger_account.send(hand.l1, bytes.fromhex(the_game.address[2:]), calldata("challenge()"))
    devnet.advance(20)
    the_game.functions.resolve().transact({"from": hand.user})
    assert the_game.functions.status().call() == 1  # CHALLENGER_WINS
    with pytest.raises(ContractLogicError, match="output proposal has not been validated"):
        hand.finalize()
    with pytest.raises(ContractLogicError, match="cannot prove against invalid dispute games"):
        hand.prove()
    # the actors take over: a new game covers the withdrawal, the relayer proves against it and finalizes
    devnet.settlement.auto = True  # type: ignore[union-attr]
    devnet.advance(60)
    (record,) = devnet.messages("withdrawal")
    assert record.status == MessageStatus.FINALIZED and record.detail["game"] > hand.game_index


def test_the_challenger_disputes_a_wrong_root_and_the_relayer_uses_a_valid_game(devnet: Devnet) -> None:
    stack = _stack(devnet)
    _fund_portal_and_withdraw(devnet)
    stack.proposer.corrupt_next = True
    devnet.advance(60)
    bad = stack.games[0]
    assert bad.challenged and bad.status == 1
    assert "base/challenger: challenged game 0" in [str(a).split(" (")[0] for a in devnet.settlement.log]  # type: ignore[union-attr]
    (record,) = devnet.messages("withdrawal")
    assert record.status == MessageStatus.FINALIZED and record.detail["game"] >= 1
    assert all(g.status == 2 for g in stack.games[1:] if g.resolved)


def test_a_week_long_advance_proves_and_finalizes_in_one_call() -> None:
    topology = default_topology().model_dump()
    topology["chains"][1]["settlement"] = "mainnet-like"
    devnet = Devnet(topology)
    _, _, user = _fund_portal_and_withdraw(devnet)
    before = devnet.evm("l1").balance(user)
    devnet.advance(8 * 86_400)
    (record,) = devnet.messages("withdrawal")
    assert record.status == MessageStatus.FINALIZED
    assert devnet.evm("l1").balance(user) == before + ETH // 2
    proven, finalized = record.times["proven"], record.times["finalized"]
    assert finalized - proven > 7 * 86_400_000
    assert len(_stack(devnet).games) < 10  # the proposer's hourly ticks coalesced once nothing waited


def test_revert_and_reload_carry_a_withdrawal_in_flight(devnet: Devnet, tmp_path: Path) -> None:
    _fund_portal_and_withdraw(devnet)
    devnet.advance(14)
    (record,) = devnet.messages("withdrawal")
    assert record.status == MessageStatus.PROVEN
    snap = devnet.snapshot()
    path = devnet.dump(tmp_path / "inflight.devnet.json.gz")
    devnet.advance(60)
    assert devnet.messages("withdrawal")[0].status == MessageStatus.FINALIZED
    devnet.revert(snap)
    assert devnet.messages("withdrawal")[0].status == MessageStatus.PROVEN
    devnet.advance(60)
    assert devnet.messages("withdrawal")[0].status == MessageStatus.FINALIZED
    loaded = Devnet.load(path)
    assert loaded.messages("withdrawal")[0].status == MessageStatus.PROVEN
    loaded.advance(60)
    assert loaded.messages("withdrawal")[0].to_json() == devnet.messages("withdrawal")[0].to_json()
