"""What funding actors with l1's COR costs: on arbitrum deposits through the COR gateway (one
retryable per actor, waited for until it lands) against the admin's transfers of a CORToken of
the chain's own, as before COR's supply was l1's; on the default devnet's base (the standard
bridge, one deposit per actor) and l3 (the gateway to the admin on arbitrum, then one ERC20Inbox
retryable per actor that wraps native COR).

    python benchmarks/bench_cor_funding.py [--actors 5]

Prints, for each path, the wall time of ``CortensorNetwork.fund_all``, the simulated seconds it
moved the clock, its transactions and their gas per chain.
"""

from __future__ import annotations

import argparse
import time

from cortensor_sim import Devnet
from cortensor_sim.protocol.funding import GatewayFunding, cor_address, deploy_network
from cortensor_sim.protocol.network import COR, CortensorNetwork

TOPOLOGY = {
    "chains": [
        {"name": "l1", "kind": "ethereum", "chain_id": 900, "block_time": 12},
        {"name": "arbitrum", "kind": "nitro", "parent": "l1", "chain_id": 412346, "block_time": 0.25},
    ]
}


def measure(bridged: bool, actors: int) -> dict[str, object]:
    devnet = Devnet(TOPOLOGY)
    arbitrum = devnet.evm("arbitrum")
    funding = GatewayFunding(devnet, "arbitrum") if bridged else None
    network = CortensorNetwork.deploy(
        arbitrum,
        miners=actors - 1,
        users=1,
        cor_address=cor_address(devnet, "arbitrum") if bridged else None,
        funding=funding,
    )
    return _fund_and_measure(devnet, network)


def _fund_and_measure(devnet: Devnet, network: CortensorNetwork) -> dict[str, object]:
    recipients = [*network.actors.users, *network.actors.miners]
    first = len(network.steps)
    now, started = devnet.clock.now_ms, time.perf_counter()
    network.fund_all({r: 100 * COR for r in recipients})
    wall = time.perf_counter() - started
    assert all(network.cor_balance(r) == 100 * COR for r in recipients)
    gas: dict[str, int] = {}
    for step in network.steps[first:]:
        gas[step.chain] = gas.get(step.chain, 0) + step.gas_used
    return {
        "wall_s": round(wall, 2),
        "simulated_s": (devnet.clock.now_ms - now) / 1000,
        "transactions": len(network.steps) - first,
        "gas": gas,
    }


def measure_on_default_devnet(chain: str, actors: int) -> dict[str, object]:
    """``fund_all`` of 100 COR to each actor on ``chain`` of the default devnet, on l1's COR."""
    devnet = Devnet()
    network = deploy_network(devnet, chain, miners=actors - 1, users=1)
    return _fund_and_measure(devnet, network)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--actors", type=int, default=5)
    args = parser.parse_args()
    for label, bridged in (("gateway deposits from l1", True), ("transfers on arbitrum", False)):
        print(f"{label}: {measure(bridged, args.actors)}")
    for chain, label in (
        ("base", "standard-bridge deposits from l1 to base"),
        ("l3", "deposits from l1 to l3"),
    ):
        print(f"{label}: {measure_on_default_devnet(chain, args.actors)}")


if __name__ == "__main__":
    main()
