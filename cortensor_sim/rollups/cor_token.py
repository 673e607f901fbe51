"""COR's token accounts as genesis lays them: the canonical CORToken on l1, and the bridged COR a
Nitro chain holds at genesis to back an Orbit chain whose gas is COR.

COR's total supply is l1's. Canonical COR sits in every root EVM chain's genesis at the fixed
address :data:`CANONICAL_COR`, its whole supply (:data:`COR_SUPPLY`) with :data:`COR_HOLDER`, dev
account 0 (``0xf39F...2266``, the scenarios' ``admin``), so that its address is known before any
transaction runs (and the child gateways' token addresses follow from it). A chain that holds COR
gets it only through real contracts: the COR gateways (escrow on the parent, ``BridgedCORToken`` on
the child) or, for a COR-gas Orbit chain, the ERC20Bridge escrowing the parent's COR.

Both tokens share ERC20Base's layout (``contracts/src/ERC20Base.sol``): slot 0 ``name``, slot 1
``symbol``, slot 2 ``totalSupply``, slot 3 ``balanceOf``, slot 4 ``allowance``; CORToken keeps no
immutables, so its runtime code is the artifact's. A test compares these accounts with real
deployments (code and storage root).
"""

from __future__ import annotations

from collections.abc import Mapping

from eth_abi import encode
from eth_hash.auto import keccak
from eth_utils import to_checksum_address

from ..artifacts import load_artifact
from ..chains.accounts import dev_accounts
from ..chains.engine import GenesisAccount

CANONICAL_COR = to_checksum_address("0xc0c0000000000000000000000000000000000001")
"""Where canonical COR (``CORToken``) sits in the genesis of every root EVM chain (``l1``)."""
WRAPPED_COR = to_checksum_address("0xc0c0000000000000000000000000000000000002")
"""Where ``WrappedCOR`` (native COR as an ERC-20, after WETH9) sits in the genesis of every chain
whose gas is COR: the protocol's COR there, so that it is the chain's one COR, never a second one."""
MINTABLE_COR_NAME, MINTABLE_COR_SYMBOL = "Cortensor", "COR"
"""The name and symbol COR's OptimismMintableERC20 is created with (they are part of its CREATE2 salt)."""
COR_SUPPLY = 1_000_000_000 * 10**18
"""COR's total supply: 1 billion COR (18 decimals), all of it on l1."""
COR_HOLDER = dev_accounts(1)[0].address
"""Who holds the supply at genesis (less what backs COR-gas chains): dev account 0."""
TOKEN_NAME = "Cortensor"
TOKEN_SYMBOL = "COR"

NAME_SLOT, SYMBOL_SLOT, TOTAL_SUPPLY_SLOT, BALANCE_OF_SLOT = 0, 1, 2, 3
"""ERC20Base's storage layout."""


def short_string_word(text: str) -> int:
    """A Solidity ``string`` under 32 bytes as its one storage word: the bytes left-aligned and
    ``2 * length`` in the lowest byte (Solidity docs, "Layout of State Variables in Storage")."""
    data = text.encode()
    if len(data) > 31:
        raise ValueError(f"{text!r} is too long for one storage word")
    return int.from_bytes(data.ljust(31, b"\0") + bytes([2 * len(data)]), "big")


def mapping_slot(key: str, position: int) -> int:
    """The slot of ``mapping(address => ...)`` at ``position`` for ``key``: keccak(key ++ position)."""
    return int.from_bytes(keccak(encode(["address", "uint256"], [key, position])), "big")


def token_storage(balances: Mapping[str, int]) -> dict[int, int]:
    """ERC20Base's storage for "Cortensor" / "COR" with these balances (their sum the supply)."""
    storage = {
        NAME_SLOT: short_string_word(TOKEN_NAME),
        SYMBOL_SLOT: short_string_word(TOKEN_SYMBOL),
        TOTAL_SUPPLY_SLOT: sum(balances.values()),
    }
    storage |= {
        mapping_slot(holder, BALANCE_OF_SLOT): amount for holder, amount in balances.items() if amount
    }
    return {slot: value for slot, value in storage.items() if value}


def canonical_cor(escrows: Mapping[str, int]) -> GenesisAccount:
    """The canonical CORToken: ``escrows`` (gateway -> COR it holds for its child) and the rest of
    the supply with :data:`COR_HOLDER`."""
    escrowed = sum(escrows.values())
    if escrowed > COR_SUPPLY:
        raise ValueError(f"COR escrowed at genesis ({escrowed}) exceeds the supply ({COR_SUPPLY})")
    balances = {COR_HOLDER: COR_SUPPLY - escrowed, **escrows}
    return GenesisAccount(code=load_artifact("CORToken").deployed_bytecode, storage=token_storage(balances))


def bridged_cor(runtime_code: bytes, balances: Mapping[str, int]) -> GenesisAccount:
    """A ``BridgedCORToken`` (its ``runtime_code`` carries its gateway as an immutable) holding
    ``balances``: what its gateway minted for what the parent gateway escrows."""
    return GenesisAccount(code=runtime_code, storage=token_storage(balances))


def calculate_l2_token_address(child_gateway: str, l1_token: str) -> str:
    """Where ``ChildCORGateway.calculateL2TokenAddress(l1_token)`` puts the bridged token: CREATE2
    from the gateway, salt ``keccak256(abi.encode(l1Token))``, init code ``BridgedCORToken``'s
    creation code with the gateway as its constructor argument."""
    init_code = load_artifact("BridgedCORToken").bytecode + encode(["address"], [child_gateway])
    salt = keccak(encode(["address"], [l1_token]))
    gateway = bytes.fromhex(child_gateway[2:])
    return to_checksum_address(keccak(b"\xff" + gateway + salt + keccak(init_code))[12:])


def wrapped_cor() -> GenesisAccount:
    """``WrappedCOR`` as genesis lays it: its runtime code, no storage (nothing wrapped yet; it keeps
    no constructor state or immutables, so the artifact's runtime code is what a deployment leaves)."""
    return GenesisAccount(code=load_artifact("WrappedCOR").deployed_bytecode, storage={})


def optimism_mintable_address(factory: str, bridge: str, remote_token: str) -> str:
    """Where ``OptimismMintableERC20Factory.createOptimismMintableERC20(remote_token, "Cortensor",
    "COR")`` puts COR's token on an OP Stack chain: CREATE2 from the factory, salt
    ``keccak256(abi.encode(remoteToken, name, symbol))``, init code ``OptimismMintableERC20``'s
    creation code with ``(bridge, remoteToken, name, symbol)`` (ethereum-optimism/optimism
    packages/contracts-bedrock/src/universal/OptimismMintableERC20Factory.sol)."""
    name, symbol = MINTABLE_COR_NAME, MINTABLE_COR_SYMBOL
    salt = keccak(encode(["address", "string", "string"], [remote_token, name, symbol]))
    args = encode(["address", "address", "string", "string"], [bridge, remote_token, name, symbol])
    init_code = load_artifact("OptimismMintableERC20").bytecode + args
    return to_checksum_address(keccak(b"\xff" + bytes.fromhex(factory[2:]) + salt + keccak(init_code))[12:])
