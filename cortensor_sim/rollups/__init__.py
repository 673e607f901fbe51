"""Rollup stacks' on-chain parts: contracts laid in genesis, predeploys, chain-kind rules and
precompiles, and each stack's spec functions (hashes, encodings, address rules). The off-chain half
of the OP Stack lives in ``cortensor_sim.bridge``; Nitro's actors still live in ``rollups.nitro``."""
