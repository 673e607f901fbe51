"""Function signatures in their canonical ABI text (``transfer(address,uint256)``): the selector
they hash to and the parameter types they list, for code that calls or answers a function by
its signature (the settlement actors, the Nitro precompiles)."""

from __future__ import annotations

from eth_abi.grammar import parse
from eth_hash.auto import keccak


def selector(signature: str) -> bytes:
    """The first four bytes of the signature's keccak256 (the Solidity ABI's function selector)."""
    return keccak(signature.encode())[:4]


def parameter_types(signature: str) -> list[str]:
    """The signature's parameter types, tuples kept whole: ``f(address,(uint256,bytes)[])`` lists
    ``address`` and ``(uint256,bytes)[]``. eth-abi's type grammar reads them (it has no empty
    tuple, so ``f()`` is answered here)."""
    parameters = signature[signature.index("(") :]
    if parameters == "()":
        return []
    return [component.to_type_str() for component in parse(parameters).components]
