"""Rollups: the chain-kind rules, precompiles, contracts and off-chain actors of each stack."""
