"""TokenTransferFailed: a token that answers `false` instead of reverting moves nothing, and the
protocol refuses to carry on as if it had been paid.

Why: ERC-20 lets `transfer`/`transferFrom` report failure by returning false; COR reverts, so
only a token fixture that returns false (contracts/src/testing/FalseReturnToken.sol) reaches
these checks.
"""

from __future__ import annotations

from contract_helpers import COR, STAKE, Env, create_session, expect_revert, node_id, node_public_key, send

from cortensor_sim.protocol.deployment import deploy_contract


def test_node_pool_refuses_a_stake_the_token_did_not_move(env: Env) -> None:
    token = deploy_contract(env.w3, "FalseReturnToken", sender=env.admin)
    pool = deploy_contract(env.w3, "NodePool", env.admin, token.address, sender=env.admin)
    miner = env.others[0]
    nid = node_id(miner)
    send(env.w3, token.functions.approve(pool.address, STAKE), miner)
    expect_revert(
        pool.functions.addNode(nid, [0], node_public_key(miner), STAKE), miner, "TokenTransferFailed()"
    )
    assert not pool.functions.doesNodeExist(nid).call()


def test_session_payment_refuses_a_deposit_the_token_did_not_move(env: Env) -> None:
    w3, p = env.w3, env.p
    token = deploy_contract(w3, "FalseReturnToken", sender=env.admin)
    payment = deploy_contract(w3, "SessionPayment", env.admin, token.address, env.admin, sender=env.admin)
    send(
        w3, payment.functions.setContracts(p.session.address, p.queue.address, p.validator.address), env.admin
    )
    sid, _ = create_session(env)
    expect_revert(payment.functions.depositToSession(sid, 5 * COR), env.owner, "TokenTransferFailed()")
    assert payment.functions.sessionBalance(sid).call() == 0
