"""The cross-layer scenario steps and expectations: the bundled scenario loads, and bad input is
refused at load time with the file, line and field (the run itself is the slow golden test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cortensor_sim.scenario.loader import bundled_scenarios, load_scenario
from cortensor_sim.scenario.source import InputError

BUNDLED = bundled_scenarios()["onboarding-base-to-arbitrum"]


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = BUNDLED.read_text()
    assert old in text
    path = tmp_path / "variant.yaml"
    path.write_text(text.replace(old, new))
    return path


def test_the_bundled_cross_layer_scenario_loads_with_its_steps_and_expectations() -> None:
    scenario = load_scenario(BUNDLED)
    kinds = [step.kind_name() for step in scenario.timeline]
    assert {"stake_on_l1", "onboard_from_base", "deliver_slashes", "checkpoint_to_l1"} <= set(kinds)
    assert kinds.index("stake_on_l1") < kinds.index("onboard_from_base") < kinds.index("run_tasks")
    expected = {e.kind_name() for e in scenario.expectations}
    assert {"messages", "node", "checkpoint_on_l1"} <= expected


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "{do: stake_on_l1, miners: [miner2], stake: 6000 COR}",
            "{do: stake_on_l1, miners: [miner9], stake: 6000 COR}",
            r"miners\[0\]: unknown actor 'miner9'",
        ),
        (
            "{do: stake_on_l1, miners: [miner2], stake: 6000 COR}",
            "{do: stake_on_l1, miners: [miner2], stake: 1 ether}",
            "expected an amount of COR",
        ),
        (
            "{do: checkpoint_to_l1, session: s1}",
            "{do: checkpoint_to_l1, session: s9}",
            "unknown session 's9'",
        ),
        (
            "  - do: deploy\n",
            "",
            "the protocol is not deployed on 'arbitrum' yet",
        ),
        (
            "{expect: node, miner: miner2, status: reserved,",
            "{expect: node, miner: miner2, status: asleep,",
            "status",
        ),
    ],
)
def test_bad_cross_layer_input_is_refused_with_where_and_what(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = _variant(tmp_path, old, new)
    with pytest.raises(InputError, match=message) as caught:
        load_scenario(path)
    assert str(caught.value).startswith(str(path) + ":")


def test_the_cross_layer_steps_need_base_and_the_session_chain_settling_on_l1(tmp_path: Path) -> None:
    path = _variant(tmp_path, "session_chain: arbitrum", "session_chain: l3")
    text = path.read_text().replace("  - do: deploy\n", "  - {do: deploy, chain: l3}\n")
    path.write_text(text)
    with pytest.raises(InputError, match="need 'l3' to be a nitro chain settling on 'l1'"):
        load_scenario(path)


def test_a_checkpoint_to_l1_leaves_the_session_chain_or_an_orbit_chain_on_it(tmp_path: Path) -> None:
    path = _variant(tmp_path, "{do: deploy, chain: l3}", "{do: deploy, chain: base}")
    text = path.read_text().replace("chain: l3", "chain: base")
    path.write_text(text)
    with pytest.raises(InputError, match="session 'private1' is on 'base': checkpoints leave 'arbitrum'"):
        load_scenario(path)


def test_the_base_route_scenario_bridges_cor_onto_arbitrums_deployment(tmp_path: Path) -> None:
    """A user's COR may go l1 -> arbitrum after the deploy there (the protocol on arbitrum runs on
    the gateway's bridged COR, the token the deposit mints), and onto l3 after a deploy there too
    (the l3's protocol runs on l1's COR as well: wrapped native COR)."""
    route = bundled_scenarios()["onboarding-base-route"]
    scenario = load_scenario(route)
    bridges = [(s.source, s.to) for s in scenario.timeline if s.kind_name() == "bridge"]  # type: ignore[attr-defined]
    assert bridges == [("l1", "base"), ("l1", "arbitrum")]
    assert [s.kind_name() for s in scenario.timeline].index("withdraw_to_parent") == 5
    onto_l3 = tmp_path / "onto-l3.yaml"
    onto_l3.write_text(
        route.read_text().replace(
            "  - {do: bridge, from: l1, to: arbitrum, actor: user0, amount: 600 COR}\n",
            "  - {do: bridge, from: l1, to: arbitrum, actor: user0, amount: 600 COR}\n"
            "  - {do: deploy, chain: l3}\n"
            "  - {do: bridge, from: arbitrum, to: l3, actor: user0, amount: 1 COR}\n",
        )
    )
    loaded = load_scenario(onto_l3)
    assert [(s.source, s.to) for s in loaded.timeline if s.kind_name() == "bridge"][-1] == ("arbitrum", "l3")  # type: ignore[attr-defined]
