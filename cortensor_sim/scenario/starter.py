"""The commented starter scenario that ``cortensor-sim init`` writes."""

STARTER = """\
# A cortensor-sim scenario. Run it:      cortensor-sim run scenario.yaml
# Check it without running:              cortensor-sim validate scenario.yaml
# Editors complete and check it with the JSON Schema from `cortensor-sim schema`.
name: my-scenario
description: A session of three tasks on arbitrum, one miner dishonest, checkpointed on l1
seed: 1                       # the same file and seed give the same run (and trace hash)

# A bundled topology (default, superchain-l3, two-orbits), a .yaml file next to this one,
# or the chains inline (see scenarios/topologies/ for the format).
topology: default

parameters:
  session_chain: arbitrum     # where sessions and tasks run
  settlement_chain: l1        # where checkpoints go
  redundancy: 3               # miners per task
  deposit: 100 COR            # amounts take units: COR, ether, gwei, wei, SOL, lamports
  slash: 50 COR               # stake an INVALID answer costs
  poll_interval: 5s           # durations take units: ms, s, m, h, d, w

actors:
  users: 1                    # user0, ...
  miners: 4                   # miner0, miner1, ...
  behaviour: {miner3: dishonest}   # honest (default), dishonest, colluding

timeline:                     # steps run in order; the COR supply is checked after each one
  - do: deploy                # the protocol contracts on the session chain
  - {do: fund, to: [user0], amount: 1000 COR}
  - {do: fund, to: [miners], amount: 6000 COR}
  - do: register_nodes        # every miner stakes parameters.node_stake (6000 COR)
  - {do: open_session, name: s1, user: user0}
  - {do: submit_tasks, session: s1, count: 3}
  - {do: run_tasks, session: s1}     # every phase, Proof of Inference, verdicts, payment
  - do: withdraw
  - {do: close_session, session: s1}
  - {do: checkpoint, session: s1, to: l1}
  - {do: advance, by: 1h}

expectations:                 # checked at the end; any failure makes the run exit 1
  - {expect: tasks, session: s1, state: completed, count: 3}
  - {expect: event, contract: TaskValidator, event: TaskFinalized, count: 3}
  - {expect: balance, of: user0, at_most: 1000 COR}
  - {expect: latency, session: s1, percentile: 95, at_most: 1m}
"""
