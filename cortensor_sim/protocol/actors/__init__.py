"""Cortensor's roles as actors on the simulated clock (router, miners, oracle, validator, users)."""

from .miner import BEHAVIOURS, MINER_PULLING_INTERVAL_MS, Miner, Profile
from .oracle import Oracle
from .population import NODE_STAKE, Onboarding, PoolOnboarding, Population, PopulationConfig, PopulationError
from .router import Request, Router
from .scheduler import ActorScheduler
from .user import User
from .validator import SIMILARITY_THRESHOLD, Validator, Verdict, proof_of_inference, verdicts_for

__all__ = [
    "BEHAVIOURS",
    "MINER_PULLING_INTERVAL_MS",
    "NODE_STAKE",
    "SIMILARITY_THRESHOLD",
    "ActorScheduler",
    "Miner",
    "Onboarding",
    "Oracle",
    "PoolOnboarding",
    "Population",
    "PopulationConfig",
    "PopulationError",
    "Profile",
    "Request",
    "Router",
    "User",
    "Validator",
    "Verdict",
    "proof_of_inference",
    "verdicts_for",
]
