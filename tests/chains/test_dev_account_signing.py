"""The node's own signing of a dev account's plain type-2 transaction gives eth-account's bytes."""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_utils import to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st

from cortensor_sim.chains.accounts import dev_accounts
from cortensor_sim.chains.signing import sign_plain_dynamic_fee

KEYS = [account.key for account in dev_accounts(3)]

uint = st.integers(min_value=0, max_value=2**64)
transactions = st.fixed_dictionaries(
    {
        "chainId": st.sampled_from([1, 900, 412346, 2**40]),
        "nonce": uint,
        "maxPriorityFeePerGas": uint,
        "maxFeePerGas": uint,
        "gas": st.integers(min_value=21_000, max_value=30_000_000),
        "value": st.integers(min_value=0, max_value=2**200),
        "data": st.binary(max_size=100),
    },
    optional={"to": st.binary(min_size=20, max_size=20).map(lambda b: to_checksum_address(b))},
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(KEYS), transactions)
def test_a_plain_dynamic_fee_transaction_signs_as_eth_account_does(
    key: bytes, unsigned: dict[str, Any]
) -> None:
    expected = bytes(Account.sign_transaction(unsigned, key).raw_transaction)
    assert sign_plain_dynamic_fee(bytes(key), unsigned) == expected


def test_other_transactions_are_left_to_eth_account() -> None:
    base = {"chainId": 900, "nonce": 0, "gas": 21_000, "value": 1, "data": b""}
    legacy = {**base, "gasPrice": 10**9}
    with_access_list = {**base, "maxFeePerGas": 2, "maxPriorityFeePerGas": 1, "accessList": []}
    for unsigned in (legacy, with_access_list):
        assert sign_plain_dynamic_fee(bytes(KEYS[0]), unsigned) is None
