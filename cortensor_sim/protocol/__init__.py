"""Cortensor protocol contracts: deployment helpers (see ``deployment``)."""
