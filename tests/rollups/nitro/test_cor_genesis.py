"""COR in the default devnet's genesis: canonical COR on l1 at its fixed address with the whole
supply, the l3's gas being COR, its native currency backed hop by hop (l1 gateway escrow ->
arbitrum's BridgedCORToken in the l3's ERC20Bridge), and a fresh account that deposits COR through
the ERC20Inbox paying its l3 gas in COR, all carried by ``devnet.advance`` alone."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi import encode
from eth_account import Account

from cortensor_sim import Devnet
from cortensor_sim.artifacts import load_artifact
from cortensor_sim.bridge.cor_genesis import cor_backing
from cortensor_sim.chains.engine import GenesisAccount
from cortensor_sim.chains.engines import engine_for
from cortensor_sim.chains.evm import EvmChain
from cortensor_sim.rollups.cor_token import (
    CANONICAL_COR,
    COR_HOLDER,
    COR_SUPPLY,
    WRAPPED_COR,
    calculate_l2_token_address,
    canonical_cor,
)
from cortensor_sim.rollups.nitro.transactions import calldata, receipt, send

COR = 10**18
GAS, BID = 2_000_000, 2 * 10**9


@pytest.fixture(scope="module")
def base_devnet() -> Devnet:
    return Devnet()


@pytest.fixture
def devnet(base_devnet: Devnet) -> Any:
    mark = base_devnet.snapshot()
    yield base_devnet
    base_devnet.revert(mark)


def _token(devnet: Devnet, chain: str, address: str, name: str = "BridgedCORToken") -> Any:
    return devnet.evm(chain).w3.eth.contract(address=address, abi=load_artifact(name).abi)


def _bridged_on_arbitrum(devnet: Devnet) -> Any:
    gateway = devnet.system_contracts("arbitrum")["ChildCORGateway"]
    return _token(devnet, "arbitrum", calculate_l2_token_address(gateway, CANONICAL_COR))


def _scratch_chain(predeploys: dict[bytes, GenesisAccount]) -> EvmChain:
    return EvmChain(
        "scratch",
        kind="ethereum",
        chain_id=999,
        block_time_ms=1000,
        genesis_time=0,
        seed=b"scratch",
        accounts=(),
        engine_factory=engine_for("scratch", "ethereum", None, None),
        predeploys=predeploys,
    )


def test_canonical_cor_is_what_a_real_deployment_leaves() -> None:
    """Same runtime code and storage root as ``new CORToken(holder, supply)``: the layout is right."""
    devnet = Devnet({"chains": [{"name": "l1", "kind": "ethereum", "chain_id": 900, "block_time": 12}]})
    l1 = devnet.evm("l1")
    deployed = l1.deploy(load_artifact("CORToken"), COR_HOLDER, COR_SUPPLY, sender=l1.accounts[0].address)
    where = bytes.fromhex(deployed.address[2:])
    laid = _scratch_chain({where: canonical_cor({})})
    assert laid.engine.get_code(where) == l1.engine.get_code(where)
    assert laid.engine.get_proof(where, []).storage_hash == l1.engine.get_proof(where, []).storage_hash


def test_the_l3_lays_wrapped_cor_as_a_real_deployment_leaves_it(devnet: Devnet) -> None:
    """The COR-gas l3's WrappedCOR: the runtime code ``new WrappedCOR()`` leaves, nothing wrapped
    yet; no other chain has one (their COR is canonical or bridged)."""
    l3 = devnet.evm("l3")
    deployed = l3.deploy(load_artifact("WrappedCOR"), sender=l3.accounts[0].address)
    assert l3.engine.get_code(bytes.fromhex(WRAPPED_COR[2:])) == l3.engine.get_code(
        bytes.fromhex(deployed.address[2:])
    )
    assert _token(devnet, "l3", WRAPPED_COR, "WrappedCOR").functions.totalSupply().call() == 0
    for chain in ("l1", "base", "arbitrum"):
        assert not devnet.evm(chain).engine.get_code(bytes.fromhex(WRAPPED_COR[2:]))


def test_canonical_cor_on_l1_holds_the_supply(devnet: Devnet) -> None:
    cor = _token(devnet, "l1", CANONICAL_COR, "CORToken")
    escrow = devnet.system_contracts("arbitrum")["ParentCORGateway"]
    assert cor.functions.totalSupply().call(block_identifier=0) == COR_SUPPLY
    assert cor.functions.symbol().call() == "COR"
    assert devnet.evm("l1").accounts[0].address == COR_HOLDER
    held = cor.functions.balanceOf(COR_HOLDER).call() + cor.functions.balanceOf(escrow).call()
    assert held == COR_SUPPLY


def test_the_l3s_native_supply_is_cor_escrowed_hop_by_hop(devnet: Devnet) -> None:
    """l3's dev balances == bridged COR in its ERC20Bridge == canonical COR in arbitrum's gateway."""
    l3 = devnet.evm("l3")
    native = sum(l3.balance(a.address) for a in l3.accounts)
    assert native == cor_backing(devnet.topology) > 0
    on_arbitrum = _bridged_on_arbitrum(devnet)
    erc20_bridge = _token(devnet, "arbitrum", devnet.system_contracts("l3")["Bridge"], "ERC20Bridge")
    assert erc20_bridge.functions.nativeToken().call() == on_arbitrum.address
    assert on_arbitrum.functions.bridge().call() == devnet.system_contracts("arbitrum")["ChildCORGateway"]
    assert on_arbitrum.functions.balanceOf(erc20_bridge.address).call() == native
    assert on_arbitrum.functions.totalSupply().call() == native
    cor = _token(devnet, "l1", CANONICAL_COR, "CORToken")
    assert cor.functions.balanceOf(devnet.system_contracts("arbitrum")["ParentCORGateway"]).call() == native
    assert "ParentCORGateway" not in devnet.system_contracts("l3")  # its gas is COR: no gateways


def test_a_fresh_account_pays_its_l3_gas_in_cor_deposited_through_the_erc20_inbox(devnet: Devnet) -> None:
    l1, arbitrum, l3 = devnet.evm("l1"), devnet.evm("arbitrum"), devnet.evm("l3")
    admin = l1.accounts[0]
    newcomer = Account.from_key(b"\x62" * 32)
    # l1 -> arbitrum: canonical COR through arbitrum's gateway (a retryable), to the newcomer.
    gateway = devnet.system_contracts("arbitrum")["ParentCORGateway"]
    inbox = _token(devnet, "l1", devnet.system_contracts("arbitrum")["Inbox"], "Inbox")
    max_submission = 2 * inbox.functions.calculateRetryableSubmissionFee(324, 0).call()
    approve = calldata("approve(address,uint256)", ["address", "uint256"], [gateway, 100 * COR])
    receipt(l1, send(l1, admin, CANONICAL_COR, approve))
    outbound = calldata(
        "outboundTransfer(address,address,uint256,uint256,uint256,bytes)",
        ["address", "address", "uint256", "uint256", "uint256", "bytes"],
        [
            CANONICAL_COR,
            newcomer.address,
            100 * COR,
            GAS,
            BID,
            encode(["uint256", "bytes"], [max_submission, b""]),
        ],
    )
    receipt(l1, send(l1, admin, gateway, outbound, value=max_submission + GAS * BID))
    arbitrum.w3.eth.send_transaction(
        {"from": arbitrum.accounts[0].address, "to": newcomer.address, "value": 10**18}
    )  # ETH for its gas on arbitrum
    devnet.advance(12)
    on_arbitrum = _bridged_on_arbitrum(devnet)
    assert on_arbitrum.functions.balanceOf(newcomer.address).call() == 100 * COR
    # arbitrum -> l3: bridged COR into the l3's ERC20Bridge through its ERC20Inbox.
    l3_contracts = devnet.system_contracts("l3")
    escrowed = on_arbitrum.functions.balanceOf(l3_contracts["Bridge"]).call()
    approve = calldata("approve(address,uint256)", ["address", "uint256"], [l3_contracts["Inbox"], 40 * COR])
    receipt(arbitrum, send(arbitrum, newcomer, on_arbitrum.address, approve))
    deposit = calldata("depositERC20(uint256)", ["uint256"], [40 * COR])
    receipt(arbitrum, send(arbitrum, newcomer, l3_contracts["Inbox"], deposit))
    devnet.advance(12)
    assert l3.balance(newcomer.address) == 40 * COR  # minted as the l3's native currency
    assert on_arbitrum.functions.balanceOf(l3_contracts["Bridge"]).call() == escrowed + 40 * COR
    # Its gas on l3 is paid from that COR.
    friend = l3.accounts[5].address
    tx = l3.w3.eth.send_raw_transaction(
        newcomer.sign_transaction(
            {
                "to": friend,
                "value": 5 * COR,
                "gas": 21_000,
                "maxFeePerGas": 2 * 10**9,
                "maxPriorityFeePerGas": 0,
                "nonce": 0,
                "chainId": l3.chain_id,
            }
        ).raw_transaction
    )
    mined = l3.w3.eth.wait_for_transaction_receipt(tx)
    fee = mined["gasUsed"] * mined["effectiveGasPrice"]
    assert fee > 0
    assert l3.balance(newcomer.address) == 40 * COR - 5 * COR - fee
