"""What a run reports: a summary that depends only on the scenario and seed, and JSON and JUnit files.

The summary holds no wall-clock figure, so the same file and seed give the same summary on every
machine: it is what the bundled scenarios' golden files record and CI compares. The JSON report is
the summary plus wall times; the JUnit report has one test case per expectation, as CI systems read.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from ..chains.devnet import Devnet
from ..chains.evm import EvmChain
from .runner import RunResult
from .steps.network import metrics_of

FORMAT = "cortensor-sim-report"


def chain_totals(devnet: Devnet) -> dict[str, dict[str, int]]:
    """Per EVM chain: its height, the blocks actually sealed, their transactions and gas."""
    totals: dict[str, dict[str, int]] = {}
    for name, chain in devnet.chains.items():
        if not isinstance(chain, EvmChain):
            continue
        blocks = txs = gas = 0
        block = chain.engine.get_block("latest")
        while int(block["number"], 16) > 0:
            blocks += 1
            txs += len(block["transactions"])
            gas += int(block["gasUsed"], 16)
            block = chain.engine.get_block(bytes.fromhex(block["parentHash"][2:]))
        totals[name] = {"height": chain.height, "blocks": blocks, "transactions": txs, "gas": gas}
    return totals


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (p in 0..100] of ``values``."""
    ordered = sorted(values)
    rank = max(1, math.ceil(len(ordered) * p / 100))
    return ordered[rank - 1]


def task_summary(result: RunResult) -> dict[str, Any]:
    sessions: dict[str, Any] = {}
    for name, record in result.run.sessions.items():
        latencies = [record.finished_at[t] - record.submitted_at[t] for t in record.finished_at]
        verdicts: dict[str, int] = {}
        for by_miner in record.verdicts.values():
            for verdict in by_miner.values():
                verdicts[verdict.name.lower()] = verdicts.get(verdict.name.lower(), 0) + 1
        sessions[name] = {
            "chain": record.chain,
            "submitted": len(record.task_ids),
            "processed": len(record.processed),
            "verdicts": dict(sorted(verdicts.items())),
            "latency_s": {
                "p50": percentile(latencies, 50),
                "p95": percentile(latencies, 95),
                "max": max(latencies),
            }
            if latencies
            else None,
        }
    return sessions


def summary(result: RunResult) -> dict[str, Any]:
    """The deterministic summary of a run (no wall times): the golden files hold exactly this.

    A step's ``actions`` are the protocol actions it recorded (one per transaction, except that a
    contract suite's deployment counts as one); ``chains`` counts the transactions in blocks;
    ``routes`` (only when messages crossed) the bridged amounts and messages per route.
    """
    run = result.run
    return {
        "scenario": run.scenario.name,
        "seed": run.seed,
        "passed": result.passed,
        "trace_hash": run.trace_hash,
        "simulated_seconds": run.now,
        "steps": [
            {"step": s.label, "actions": s.txs, "gas": s.gas, **({"error": s.error} if s.error else {})}
            for s in run.steps
        ],
        "sessions": task_summary(result),
        "chains": chain_totals(run.devnet),
        **({"routes": routes} if (routes := run.bridging.routes()) else {}),
        **({"metrics": metrics.to_dict()} if (metrics := metrics_of(run)) else {}),
        "expectations": [
            {"name": e.name, "passed": e.passed, "observed": e.observed} for e in result.expectations
        ],
    }


def json_report(result: RunResult) -> dict[str, Any]:
    """The summary plus wall times: what ``run --json`` writes."""
    return {
        "format": FORMAT,
        "version": 1,
        **summary(result),
        "wall_seconds": round(result.wall_seconds, 3),
        "step_wall_seconds": [round(s.wall_seconds, 3) for s in result.run.steps],
    }


def junit_xml(result: RunResult) -> bytes:
    """JUnit XML: one test suite per scenario, one test case per expectation (and a failed step)."""
    run = result.run
    cases: list[tuple[str, bool, str]] = [(e.name, e.passed, e.observed) for e in result.expectations]
    if result.failed_step is not None:
        step = result.failed_step
        cases.insert(0, (f"step {step.index}: {step.label}", False, step.error or "failed"))
    suite = ET.Element(
        "testsuite",
        name=f"scenario {run.scenario.name}",
        tests=str(len(cases)),
        failures=str(sum(1 for _, passed, _ in cases if not passed)),
        errors="0",
        time=f"{result.wall_seconds:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="seed", value=str(run.seed))
    ET.SubElement(properties, "property", name="trace_hash", value=run.trace_hash)
    for name, passed, observed in cases:
        case = ET.SubElement(suite, "testcase", classname=f"scenario.{run.scenario.name}", name=name)
        if not passed:
            failure = ET.SubElement(case, "failure", message=f"observed: {observed}")
            failure.text = f"{name}\nobserved: {observed}"
    suites = ET.Element("testsuites")
    suites.append(suite)
    return ET.tostring(suites, encoding="utf-8", xml_declaration=True)


def write_json(result: RunResult, path: Path) -> None:
    path.write_text(json.dumps(json_report(result), indent=2) + "\n")


def write_junit(result: RunResult, path: Path) -> None:
    path.write_bytes(junit_xml(result))


def golden_text(result: RunResult) -> str:
    """The golden file's text: the summary as stable, readable JSON."""
    return json.dumps(summary(result), indent=2, sort_keys=False) + "\n"
