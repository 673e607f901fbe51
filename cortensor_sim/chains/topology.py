"""What a devnet is made of, as data: chains, their kinds, parents, ids and block times.

A topology is validated before anything is built, and every refusal names the field
(``chains[2].parent``) and says why, because topologies come from users' YAML files.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ChainKind = Literal["ethereum", "op-stack", "nitro", "orbit", "solana"]

EVM_KINDS: frozenset[str] = frozenset({"ethereum", "op-stack", "nitro", "orbit"})
ROLLUP_KINDS: frozenset[str] = frozenset({"op-stack", "nitro", "orbit"})
"""Kinds that settle to a parent chain."""

ALLOWED_PARENTS: dict[str, frozenset[str]] = {
    "ethereum": frozenset(),
    "solana": frozenset(),
    # An OP Stack chain settles to Ethereum, or to another OP Stack chain (an L3 on Base).
    "op-stack": frozenset({"ethereum", "op-stack"}),
    # Arbitrum One/Nova settle to Ethereum.
    "nitro": frozenset({"ethereum"}),
    # An Orbit chain is an L3: its parent is a rollup (Arbitrum, or Base for Orbit-on-Base).
    "orbit": frozenset({"nitro", "op-stack"}),
}

DEFAULT_GENESIS_TIME = 1_767_225_600
"""2026-01-01T00:00:00Z: genesis time comes from here, never from the wall clock."""

LATEST_TIME = 253_402_300_799
"""9999-12-31T23:59:59Z: the latest genesis or clock time accepted. Block timestamps are uint64
on every chain; this bound keeps a devnet centuries inside that, whatever it is advanced by."""

MAX_BLOCK_TIME = 86_400
"""A day: the longest block time (or Solana slot) accepted."""


class SettlementSpec(BaseModel):
    """A rollup's settlement cadences and delays, in seconds (the off-chain actors' clock).

    The defaults are seconds-scale, for development. ``settlement: mainnet-like`` in a topology
    takes the values OP Mainnet and Base run with: output proposals every hour, a 7-day proof
    maturity delay and a 3.5-day dispute game finality delay (OptimismPortal2's
    ``proofMaturityDelaySeconds`` / ``disputeGameFinalityDelaySeconds``), and games whose clock
    runs 3.5 days (``MAX_CLOCK_DURATION``); ethereum-optimism/optimism
    ``packages/contracts-bedrock/deploy-config/mainnet.json``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    proposal_interval: float = Field(default=12, gt=0, description="seconds between output proposals")
    proof_maturity_delay: float = Field(default=12, ge=0, description="seconds a proof waits before finalize")
    dispute_game_finality_delay: float = Field(
        default=6, ge=0, description="seconds after a game resolves before it can be finalized against"
    )
    game_clock_duration: float = Field(
        default=12, ge=0, description="seconds a game stays open to challenge before it can resolve"
    )
    relay_delay: float = Field(default=0, ge=0, description="seconds the relayer waits once a step is due")

    @model_validator(mode="before")
    @classmethod
    def _preset(cls, value: object) -> object:
        if isinstance(value, str):
            if value not in SETTLEMENT_PRESETS:
                raise ValueError(f"unknown preset {value!r} (presets: {', '.join(SETTLEMENT_PRESETS)})")
            return SETTLEMENT_PRESETS[value]
        return value


SETTLEMENT_PRESETS: dict[str, dict[str, float]] = {
    "dev": {},
    "mainnet-like": {
        "proposal_interval": 3600,
        "proof_maturity_delay": 7 * 86400,
        "dispute_game_finality_delay": 3.5 * 86400,
        "game_clock_duration": 3.5 * 86400,
        "relay_delay": 0,
    },
}
"""Named settlement settings a topology may give instead of the fields."""


class ChainSpec(BaseModel):
    """One chain of the devnet."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    kind: ChainKind
    parent: str | None = None
    chain_id: int | None = Field(default=None, gt=0, lt=2**64, strict=True)
    block_time: float = Field(
        strict=True,  # `block_time: true` is not 1 s
        description="seconds between blocks (a Solana slot's length), a whole number of milliseconds",
    )
    mining: Literal["auto", "interval"] = "auto"
    engine: Literal["py-evm", "revm"] | None = Field(
        default=None,
        description="the EVM engine; none: the default (revm; py-evm without pyrevm; $CORTENSOR_SIM_ENGINE)",
    )
    settlement: SettlementSpec = Field(default_factory=SettlementSpec)
    """How this rollup settles to its parent (ignored for a chain with no parent)."""
    native_token: Literal["ETH", "COR"] = Field(
        default="ETH",
        description="an orbit chain's gas token: ETH, or COR (Orbit's custom gas token, from its parent)",
    )

    @field_validator("block_time")
    @classmethod
    def _positive_block_time(cls, value: float) -> float:
        if not value > 0:
            raise ValueError(f"must be positive, got {value}")
        if not value <= MAX_BLOCK_TIME:
            raise ValueError(f"must be at most {MAX_BLOCK_TIME} s (a day), got {value}")
        if abs(value * 1000 - round(value * 1000)) > 1e-6:
            raise ValueError(f"must be a whole number of milliseconds, got {value}")
        return value

    @property
    def block_time_ms(self) -> int:
        return round(self.block_time * 1000)

    @property
    def is_evm(self) -> bool:
        return self.kind in EVM_KINDS


class Topology(BaseModel):
    """The whole devnet: its chains, its seed and its genesis time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: str = "cortensor-sim"
    genesis_time: int = Field(
        default=DEFAULT_GENESIS_TIME,
        ge=0,
        le=LATEST_TIME,
        strict=True,
        description="Unix time of every chain's genesis block, at most 9999-12-31 (253402300799)",
    )
    accounts: int = Field(default=10, ge=1, le=1000, strict=True, description="funded dev accounts per chain")
    chains: tuple[ChainSpec, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Topology:
        names: dict[str, int] = {}
        for index, chain in enumerate(self.chains):
            if chain.name in names:
                raise ValueError(
                    f"chains[{index}].name: duplicate chain name {chain.name!r} "
                    f"(also chains[{names[chain.name]}])"
                )
            names[chain.name] = index
        ids: dict[int, int] = {}
        for index, chain in enumerate(self.chains):
            where = f"chains[{index}]"
            if chain.is_evm and chain.chain_id is None:
                raise ValueError(f"{where}.chain_id: an {chain.kind} chain needs a chain id")
            if not chain.is_evm and chain.chain_id is not None:
                raise ValueError(f"{where}.chain_id: a {chain.kind} chain has no EVM chain id")
            if not chain.is_evm and chain.engine is not None:
                raise ValueError(f"{where}.engine: a {chain.kind} chain has no EVM engine")
            if chain.chain_id is not None:
                if chain.chain_id in ids:
                    raise ValueError(
                        f"{where}.chain_id: duplicate chain id {chain.chain_id} "
                        f"(also chains[{ids[chain.chain_id]}])"
                    )
                ids[chain.chain_id] = index
            allowed = ALLOWED_PARENTS[chain.kind]
            if chain.parent is None:
                if allowed:
                    raise ValueError(
                        f"{where}.parent: a {chain.kind} chain is a rollup and needs a parent "
                        f"(one of kind {', '.join(sorted(allowed))})"
                    )
                continue
            if not allowed:
                raise ValueError(f"{where}.parent: a {chain.kind} chain has no parent chain")
            if chain.native_token != "ETH":
                self._check_native_token(where, chain, names)
            if chain.parent not in names:
                raise ValueError(
                    f"{where}.parent: unknown parent {chain.parent!r} (chains: {', '.join(names)})"
                )
            parent = self.chains[names[chain.parent]]
            if parent.kind not in allowed:
                what = "an L3 whose parent is not a rollup" if chain.kind == "orbit" else "a rollup"
                raise ValueError(
                    f"{where}.parent: {chain.name!r} ({chain.kind}) cannot settle to "
                    f"{parent.name!r} ({parent.kind}): {what} needs a parent of kind "
                    f"{' or '.join(sorted(allowed))}"
                )
        self._check_cycles(names)
        return self

    def _check_native_token(self, where: str, chain: ChainSpec, names: dict[str, int]) -> None:
        """COR as gas: an orbit chain on a nitro chain that settles to l1, where canonical COR is,
        so that COR reaches the orbit chain's ERC20Bridge through the nitro chain's COR gateway."""
        if chain.kind != "orbit":
            raise ValueError(
                f"{where}.native_token: only an orbit chain has a gas token of its own "
                f"({chain.name!r} is {chain.kind}: its gas is ETH)"
            )
        parent = self.chains[names[chain.parent]] if chain.parent in names else None
        grandparent = self.chains[names[parent.parent]] if parent and parent.parent in names else None
        if parent is None or parent.kind != "nitro" or grandparent is None or grandparent.parent is not None:
            raise ValueError(
                f"{where}.native_token: COR as gas needs a nitro parent settling to l1 (COR comes "
                f"through that parent's COR gateway); {chain.name!r} settles to {chain.parent!r}"
            )

    def _check_cycles(self, names: dict[str, int]) -> None:
        for index, chain in enumerate(self.chains):
            seen = [chain.name]
            current = chain
            while current.parent is not None:
                if current.parent in seen:
                    cycle = " -> ".join([*seen[seen.index(current.parent) :], current.parent])
                    raise ValueError(f"chains[{index}].parent: parent cycle {cycle}")
                seen.append(current.parent)
                current = self.chains[names[current.parent]]

    def chain(self, name: str) -> ChainSpec:
        for spec in self.chains:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def layer(self, name: str) -> int:
        """1 for a chain with no parent, 2 for its rollups, 3 for theirs."""
        spec = self.chain(name)
        return 1 if spec.parent is None else 1 + self.layer(spec.parent)


def default_topology() -> Topology:
    """l1, base, arbitrum, l3 and solana, with the chain ids local devnets use (supersim,
    nitro-testnode), so no wallet takes the devnet for a public chain. The l3's gas is COR, as on
    Cortensor's testnet L3."""
    return Topology(
        chains=(
            ChainSpec(name="l1", kind="ethereum", chain_id=900, block_time=12),
            ChainSpec(name="base", kind="op-stack", parent="l1", chain_id=901, block_time=2),
            ChainSpec(name="arbitrum", kind="nitro", parent="l1", chain_id=412346, block_time=0.25),
            ChainSpec(
                name="l3",
                kind="orbit",
                parent="arbitrum",
                chain_id=333333,
                block_time=0.25,
                native_token="COR",
            ),
            ChainSpec(name="solana", kind="solana", block_time=0.4),
        )
    )
