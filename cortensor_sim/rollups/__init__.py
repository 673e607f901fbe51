"""Rollup stacks' on-chain parts: contracts laid in genesis, predeploys, and each stack's spec
functions (hashes, encodings, address rules). The off-chain half lives in ``cortensor_sim.bridge``."""
