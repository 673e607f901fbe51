"""The same seed gives the same chains, block for block; another seed gives other randomness."""

from __future__ import annotations

from typing import Any

from chain_helpers import checksum, interval_topology, send

from cortensor_sim.chains import Devnet, SystemCall


def _run(topology: Any) -> Devnet:
    devnet = Devnet(topology)
    for step in range(3):
        for chain in devnet.evm_chains.values():
            send(chain, chain.accounts[step], to=checksum(b"\x41" * 20), value=step + 1)
            chain.send_system_transaction(
                SystemCall(sender=b"\xcc" * 20, to=b"\x41" * 20, mint=step + 1, value=1)
            )
        sol = devnet.chains["solana"]
        sol.transfer(sol.keypairs[step], sol.keypairs[step + 1].pubkey(), 1000 + step)
        devnet.advance(7.75 + step)
    return devnet


def _fingerprint(devnet: Devnet) -> dict[str, Any]:
    out: dict[str, Any] = {"roots": devnet.state_roots()}
    for name, chain in devnet.evm_chains.items():
        out[name] = {
            "genesis": chain.engine.get_block(0)["hash"],
            "blocks": [(b.number, b.hash, b.timestamp, b.tx_hashes) for b in chain.sealed],
            "latest": chain.engine.get_block("latest")["hash"],
        }
    sol = devnet.chains["solana"]
    out["solana"] = (sol.slot, str(sol.latest_blockhash()), [str(k.pubkey()) for k in sol.keypairs])
    return out


def _mix_hashes(devnet: Devnet) -> dict[str, list[str]]:
    return {
        name: [chain.engine.get_block(b.number)["mixHash"] for b in chain.sealed]
        for name, chain in devnet.evm_chains.items()
    }


def test_same_seed_gives_identical_devnets() -> None:
    for topology in (None, interval_topology()):
        one, two = _run(topology), _run(topology)
        first = _fingerprint(one)
        assert first == _fingerprint(two)
        assert all(first[n]["blocks"] for n in one.evm_chains)  # something was really built


def test_different_seed_gives_different_prevrandao() -> None:
    one = _run(interval_topology(seed="alpha"))
    two = _run(interval_topology(seed="beta"))
    mix_one, mix_two = _mix_hashes(one), _mix_hashes(two)
    for name in one.evm_chains:
        if one.evm(name).kind in ("nitro", "orbit"):
            continue  # a Nitro header's mix hash carries its L1 block number, not randomness
        assert len(mix_one[name]) == len(mix_two[name]) > 0
        for a, b in zip(mix_one[name], mix_two[name], strict=True):
            assert a != b
            assert a != "0x" + "00" * 32
        assert len(set(mix_one[name])) == len(mix_one[name])  # fresh per block
    # same transactions, same numbers: only the randomness (and so the hashes) differ
    assert [b.number for b in one.evm("l1").sealed] == [b.number for b in two.evm("l1").sealed]
    assert one.evm("l1").sealed[-1].hash != two.evm("l1").sealed[-1].hash
    # keys come from the seed too
    assert str(one.chains["solana"].keypairs[0].pubkey()) != str(two.chains["solana"].keypairs[0].pubkey())


def test_prevrandao_opcode_sees_the_block_mix_hash() -> None:
    from chain_helpers import deploy_runtime

    devnet = Devnet(interval_topology())
    chain = devnet.evm("l1")
    # mstore(0, prevrandao()); return(0, 32)
    contract = deploy_runtime(chain, bytes.fromhex("4460005260206000f3"))
    out = chain.w3.eth.call({"to": contract})
    assert "0x" + out.hex() == chain.engine.get_block("latest")["mixHash"]
