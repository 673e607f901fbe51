"""The guardian bridge on a devnet: SPL COR round trips with exact balances, every refusal on the
EVM side and in the engine's verifier alike, replays, a rotation mid-flight, the clock, snapshots
and state files."""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_abi import decode
from solders.keypair import Keypair
from solders.token.state import Mint
from wormhole_helpers import (
    VM_TYPE,
    conserved,
    core_verdict,
    evm_user,
    fund_solana,
    moved,
    send_to_solana,
    settle,
)

from cortensor_sim import Devnet
from cortensor_sim.bridge import MessageStatus
from cortensor_sim.bridge.transactions import ExecutionReverted, calldata
from cortensor_sim.bridge.wormhole import Body, BridgeError, VAAVerificationError, WormholeStack, verify
from cortensor_sim.bridge.wormhole.custody import COR_DECIMALS, to_spl
from cortensor_sim.bridge.wormhole.guardians import GUARDIAN_SET_GRACE_SECONDS
from cortensor_sim.bridge.wormhole.vaa import VAA
from cortensor_sim.chains.engine import CallRequest
from cortensor_sim.chains.solana import TOKEN_PROGRAM_ID
from cortensor_sim.protocol.funding import cor_address

UNIT = 10**9  # one SPL COR unit in wei


def _funded_solana_user(devnet: Devnet, bridge: WormholeStack, units: int) -> Keypair:
    assert bridge.cor is not None and bridge.solana is not None
    user = bridge.solana.keypairs[0]
    fund_solana(devnet, bridge, user.pubkey(), units)
    return user


def test_spl_cor_is_a_nine_decimal_mint_of_the_bridge_created_by_transactions(bridge: WormholeStack) -> None:
    assert bridge.cor is not None and bridge.solana is not None
    mint = bridge.solana.get_account(bridge.cor.mint)
    assert mint is not None and mint.owner == TOKEN_PROGRAM_ID and mint.data[44] == COR_DECIMALS
    assert Mint.from_bytes(mint.data).mint_authority == bridge.cor.authority.pubkey()  # only the bridge mints
    assert bridge.cor.supply == 0 and bridge.locked() == 0
    landed = {str(r.signature) for r in bridge.solana.transactions()}
    assert len(landed) >= 2  # the faucet's transfer to the authority, the mint
    assert to_spl(3 * UNIT + 7) == (3, 7)


def test_spl_cor_wraps_l1_cor_locked_in_the_token_bridge(devnet: Devnet, bridge: WormholeStack) -> None:
    """COR comes to Solana only from the EVM side: l1's COR through the gateway to arbitrum, locked
    in the token bridge; SPL COR's supply is what is locked."""
    assert bridge.system_contracts()["COR"] == cor_address(devnet, "arbitrum")
    user = _funded_solana_user(devnet, bridge, 7 * UNIT)
    assert bridge.cor is not None and bridge.cor.balance(user.pubkey()) == 7 * UNIT
    assert bridge.locked() == bridge.minted() == 7 * UNIT * UNIT
    assert [r.route for r in devnet.messages()] == ["l1 -> arbitrum", "arbitrum -> solana"]


def test_cor_round_trip_solana_arbitrum_solana_exact_on_both_sides(
    devnet: Devnet, bridge: WormholeStack
) -> None:
    assert bridge.cor is not None
    user = _funded_solana_user(devnet, bridge, 5 * UNIT)
    evm_recipient = evm_user(devnet)
    bridge.send_to_evm(user, 3 * UNIT, evm_recipient.address)
    assert bridge.cor.balance(user.pubkey()) == 2 * UNIT and bridge.cor.supply == 2 * UNIT
    assert conserved(bridge)  # the burn is in flight until the token bridge unlocks it
    settle(devnet)
    assert bridge.cor_balance(evm_recipient.address) == 3 * UNIT * UNIT
    assert bridge.locked() == 2 * UNIT * UNIT and conserved(bridge)

    dust = 123
    send_to_solana(devnet, bridge, evm_recipient, 2 * UNIT * UNIT + dust, user.pubkey())
    settle(devnet)
    assert bridge.cor_balance(evm_recipient.address) == UNIT * UNIT  # the dust was not taken
    assert bridge.cor.balance(user.pubkey()) == 4 * UNIT
    assert bridge.locked() == 4 * UNIT * UNIT and conserved(bridge)
    records = moved(devnet)
    assert [(r.route, r.status) for r in records] == [
        ("solana -> arbitrum", MessageStatus.RELAYED),
        ("arbitrum -> solana", MessageStatus.RELAYED),
    ]
    assert set(records[0].legs) == {"sent", "relayed"} and records[1].legs["relayed"].chain == "solana"


def test_guardians_wait_for_solana_finality(devnet: Devnet, bridge: WormholeStack) -> None:
    user = _funded_solana_user(devnet, bridge, UNIT)
    bridge.send_to_evm(user, UNIT, evm_user(devnet).address)
    devnet.advance(12)  # 30 slots: not final yet
    assert [m.status for m in moved(devnet)] == [MessageStatus.SENT]
    devnet.advance(1)
    assert [m.status for m in moved(devnet)] == [MessageStatus.RELAYED]


def test_a_burn_with_a_bad_memo_fails_and_its_cor_stays_locked(devnet: Devnet, bridge: WormholeStack) -> None:
    assert bridge.cor is not None
    user = _funded_solana_user(devnet, bridge, UNIT)
    bridge.cor.burn(user, UNIT, memo="not json")
    settle(devnet)
    [record] = moved(devnet)
    assert record.status == MessageStatus.FAILED and "not JSON" in record.detail["error"]
    assert bridge.cor.supply == 0 and bridge.locked() == bridge.stranded() == UNIT * UNIT
    assert conserved(bridge)


def test_bad_requests_are_refused_before_sending(devnet: Devnet, bridge: WormholeStack) -> None:
    user = _funded_solana_user(devnet, bridge, UNIT)
    with pytest.raises(BridgeError, match="positive"):
        bridge.send_to_evm(user, 0, evm_user(devnet).address)
    with pytest.raises(BridgeError, match="20-byte"):
        bridge.send_to_evm(user, 1, "0x1234")
    with pytest.raises(BridgeError, match="less than one SPL COR unit"):
        bridge.send_to_solana_calldata(UNIT - 1, user.pubkey())
    assert moved(devnet) == []


def _signed_transfer_to_evm(devnet: Devnet, bridge: WormholeStack) -> VAA:
    """A VAA the guardians signed for a real burn on Solana (not yet relayed)."""
    user = _funded_solana_user(devnet, bridge, UNIT)
    devnet.settlement.auto = False
    bridge.send_to_evm(user, UNIT, evm_user(devnet).address)
    devnet.advance(13)
    devnet.relay()  # guardians sign, relayer delivers: take the VAA from the record
    [record] = moved(devnet)
    return VAA.decode(bytes.fromhex(record.detail["vaa"][2:]))


def _both_refuse(devnet: Devnet, bridge: WormholeStack, vaa: bytes, reason: str) -> None:
    valid, contract_reason = core_verdict(devnet, bridge, vaa)
    assert (valid, contract_reason) == (False, reason)
    with pytest.raises(VAAVerificationError) as caught:
        verify(vaa, bridge.guardians, int(devnet.evm("arbitrum").now))
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("signers", "reason"),
    [
        ([0, 1, 2, 3], "no quorum"),
        ([0, 1, 2, 2, 3], "signature indices must be ascending"),
        ([0, 2, 1, 3, 4], "signature indices must be ascending"),
    ],
    ids=["too-few", "duplicate", "unordered"],
)
def test_bad_signatures_refused_by_contract_and_engine(
    devnet: Devnet, bridge: WormholeStack, signers: list[int], reason: str
) -> None:
    body = Body(1, 0, 1, b"\x01" * 32, 0, 32, b"x")
    _both_refuse(devnet, bridge, bridge.guardians.sign(body, signers=signers).encode(), reason)


def test_forged_signature_refused_by_contract_and_engine(devnet: Devnet, bridge: WormholeStack) -> None:
    body = Body(1, 0, 1, b"\x01" * 32, 0, 32, b"x")
    good = bridge.guardians.sign(body)
    forged = bridge.guardians.sign(Body(2, 0, 1, b"\x01" * 32, 0, 32, b"x"))
    mixed = good.with_signatures((*good.signatures[:4], forged.signatures[4]))
    _both_refuse(devnet, bridge, mixed.encode(), "VM signature invalid")
    valid, _ = core_verdict(devnet, bridge, good.encode())
    assert valid and verify(good, bridge.guardians, 0).body == body


def test_the_core_contract_parses_the_engines_encoding_field_by_field(
    devnet: Devnet, bridge: WormholeStack
) -> None:
    body = Body(1_767_225_600, 9, 1, b"\x05" * 32, 77, 32, b"hello")
    vaa = bridge.guardians.sign(body)
    evm = devnet.evm("arbitrum")
    output = evm.engine.call(
        CallRequest(to=bridge.laid.contracts.core, data=calldata("parseVM(bytes)", vaa.encode())),
        at_time=int(evm.now),
    )
    ((version, timestamp, nonce, chain, emitter, sequence, level, payload, set_index, sigs, digest),) = (
        decode([VM_TYPE], output)
    )
    assert (version, timestamp, nonce, chain, emitter, sequence, level, payload, set_index) == (
        1, body.timestamp, 9, 1, body.emitter_address, 77, 32, b"hello", 0,
    )  # fmt: skip
    assert digest == body.digest
    assert [(s[3], s[0], s[1], s[2]) for s in sigs] == [
        (g.guardian_index, g.r, g.s, g.v + 27) for g in vaa.signatures
    ]


def test_replayed_vaa_refused_on_both_sides(devnet: Devnet, bridge: WormholeStack) -> None:
    vaa = _signed_transfer_to_evm(devnet, bridge)
    relayer = evm_user(devnet, 2)
    with pytest.raises(ExecutionReverted, match="transfer already completed"):
        relayer.send(
            devnet.evm("arbitrum"),
            bridge.laid.contracts.token_bridge,
            calldata("completeTransfer(bytes)", vaa.encode()),
        )
    # EVM -> Solana: the engine consumed the digest when it released
    recipient = bridge.solana.keypairs[0].pubkey()  # type: ignore[union-attr]
    send_to_solana(devnet, bridge, evm_user(devnet), UNIT, recipient)
    devnet.relay()
    [_, back] = moved(devnet)
    assert back.status == MessageStatus.RELAYED
    with pytest.raises(VAAVerificationError, match="transfer already completed"):
        bridge.verify_for_solana(bytes.fromhex(back.detail["vaa"][2:]))


def test_rotation_mid_flight_old_set_honoured_then_expired(devnet: Devnet, bridge: WormholeStack) -> None:
    devnet.settlement.auto = False
    user = _funded_solana_user(devnet, bridge, 2 * UNIT)
    recipient = evm_user(devnet).address
    bridge.send_to_evm(user, UNIT, recipient)
    devnet.advance(13)
    bridge.observe(devnet.clock.now_ms)
    bridge.sign_due(devnet.clock.now_ms)  # signed by set 0, not yet relayed
    [in_flight] = moved(devnet)
    old_vaa = bytes.fromhex(in_flight.detail["vaa"][2:])
    bridge.rotate_guardians()
    assert bridge.guardians.current.index == 1
    # Within the grace period the old set still verifies, on the contract and in the engine.
    assert core_verdict(devnet, bridge, old_vaa) == (True, "")
    devnet.advance(GUARDIAN_SET_GRACE_SECONDS + 60)
    _both_refuse(devnet, bridge, old_vaa, "guardian set has expired")
    # The relayer finds it expired; the guardians sign again with set 1 and it goes through.
    devnet.settlement.auto = True
    settle(devnet)
    [record] = moved(devnet)
    assert record.status == MessageStatus.RELAYED and record.detail["guardianSet"] == 1
    assert bridge.cor_balance(recipient) == UNIT * UNIT and conserved(bridge)


def test_governance_vaa_from_an_old_set_or_replayed_is_refused(devnet: Devnet, bridge: WormholeStack) -> None:
    bridge.rotate_guardians()
    relayer = evm_user(devnet, 2)
    new = bridge.guardians.next_set()
    from cortensor_sim.bridge.wormhole.addresses import GOVERNANCE_EMITTER
    from cortensor_sim.bridge.wormhole.payloads import guardian_set_upgrade

    body = Body(
        1,
        0,
        1,
        GOVERNANCE_EMITTER,
        99,
        32,
        guardian_set_upgrade(bridge.evm_chain_id, new.index, new.addresses),
    )
    stale = bridge.guardians.sign(body, set_index=0)
    core = bridge.laid.contracts.core
    with pytest.raises(ExecutionReverted, match="signed by the current guardian set"):
        relayer.send(devnet.evm("arbitrum"), core, calldata("submitNewGuardianSet(bytes)", stale.encode()))


def test_clock_jump_keeps_solana_slot_and_bridge_working(devnet: Devnet, bridge: WormholeStack) -> None:
    solana = bridge.solana
    assert solana is not None
    start = solana.slot
    devnet.advance(30 * 86_400)
    assert solana.slot == start + round(30 * 86_400 / solana.slot_time)
    assert solana.unix_timestamp == int(devnet.clock.now_ms // 1000)
    clock = solana.svm.get_clock()  # what programs read: the Clock sysvar follows the jump too
    assert (clock.slot, clock.unix_timestamp) == (solana.slot, solana.unix_timestamp)
    user = _funded_solana_user(devnet, bridge, UNIT)  # a fresh blockhash is valid after the jump
    recipient = evm_user(devnet).address
    bridge.send_to_evm(user, UNIT, recipient)
    settle(devnet)
    assert conserved(bridge) and bridge.locked() == 0 and bridge.cor_balance(recipient) == UNIT * UNIT


def test_snapshot_revert_and_state_file_carry_the_bridge(
    devnet: Devnet, bridge: WormholeStack, tmp_path: Path
) -> None:
    user = _funded_solana_user(devnet, bridge, 3 * UNIT)
    snap = devnet.snapshot()
    bridge.send_to_evm(user, UNIT, evm_user(devnet).address)
    settle(devnet)
    bridge.rotate_guardians()
    devnet.revert(snap)
    assert moved(devnet) == [] and bridge.guardians.current.index == 0
    assert bridge.sequence == 0 and bridge.locked() == 3 * UNIT * UNIT

    bridge.send_to_evm(user, UNIT, evm_user(devnet).address)
    settle(devnet)
    bridge.rotate_guardians()
    path = devnet.dump(tmp_path / "devnet.json")
    loaded = Devnet.load(path)
    copy = loaded.settlement.stacks["solana"]
    assert isinstance(copy, WormholeStack)
    assert copy.guardians.current.index == 1 and copy.sequence == 1
    assert [m.id for m in loaded.messages()] == [m.id for m in devnet.messages()]
    assert copy.cor is not None and copy.locked() == 2 * UNIT * UNIT and conserved(copy)
    copy.send_to_evm(loaded["solana"].keypairs[0], UNIT, evm_user(loaded).address)  # type: ignore[union-attr]
    settle(loaded)
    assert [m.status for m in loaded.messages(kind="token-transfer")] == [MessageStatus.RELAYED] * 3
    assert copy.locked() == UNIT * UNIT and conserved(copy)


def test_relay_into_an_interval_mined_chain_waits_for_its_block() -> None:
    devnet = Devnet(
        {
            "seed": "interval-bridge",
            "chains": [
                {"name": "l1", "kind": "ethereum", "chain_id": 900, "block_time": 12},
                {"name": "arbitrum", "kind": "nitro", "parent": "l1", "chain_id": 412346, "block_time": 2,
                 "mining": "interval"},
                {"name": "solana", "kind": "solana", "block_time": 0.4},
            ],
        }
    )  # fmt: skip
    bridge = devnet.settlement.stacks["solana"]
    assert isinstance(bridge, WormholeStack) and bridge.cor is not None and bridge.solana is not None
    user = bridge.solana.keypairs[0]
    fund_solana(devnet, bridge, user.pubkey(), 2 * UNIT)
    recipient = evm_user(devnet).address
    bridge.send_to_evm(user, 2 * UNIT, recipient)
    settle(devnet)
    [record] = moved(devnet)
    assert record.status == MessageStatus.RELAYED and "relayTx" not in record.detail
    assert record.times["relayed"] > record.times["proven"]  # it waited for the next block
    assert conserved(bridge) and bridge.cor_balance(recipient) == 2 * UNIT * UNIT
