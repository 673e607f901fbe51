// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {SolanaReceiver} from "./SolanaReceiver.sol";
import {WormholeTokenBridge} from "./WormholeTokenBridge.sol";

interface IOnboardingPool {
    function addNode(bytes32 nodeId, uint256[] calldata modelIds, bytes calldata publicKey, uint256 stake) external;
    function getNodeId(address nodeAddress) external pure returns (bytes32);
    function requestRemoval(bytes32 nodeId) external;
    function removeNode(bytes32 nodeId) external;
}

interface IOnboardingToken {
    function transfer(address to, uint256 amount) external returns (bool);
    function approve(address spender, uint256 amount) external returns (bool);
    function balanceOf(address owner) external view returns (uint256);
}

/// @title SolanaNodeOperator
/// @notice The EVM identity of one miner who onboarded from Solana: NodePool derives node ids from
///         the caller's address, so each Solana miner gets its own operator contract, made by
///         SolanaOnboarding with CREATE2 (salt: the miner's Solana public key). It owns the stake
///         and is the node's address in NodePool; only SolanaOnboarding can make it act.
contract SolanaNodeOperator {
    address public immutable onboarding;
    bytes32 public immutable solanaOwner;

    constructor(bytes32 solanaOwner_) {
        onboarding = msg.sender;
        solanaOwner = solanaOwner_;
    }

    function register(
        IOnboardingPool pool,
        IOnboardingToken cor,
        uint256[] calldata modelIds,
        bytes calldata publicKey,
        uint256 stake
    ) external returns (bytes32 nodeId) {
        require(msg.sender == onboarding, "only onboarding");
        nodeId = pool.getNodeId(address(this));
        require(cor.approve(address(pool), stake), "approve failed");
        pool.addNode(nodeId, modelIds, publicKey, stake);
    }

    /// @notice Start unbonding the node (NodePool.requestRemoval, as the node's owner).
    function requestRemoval(IOnboardingPool pool) external {
        require(msg.sender == onboarding, "only onboarding");
        pool.requestRemoval(pool.getNodeId(address(this)));
    }

    /// @notice Remove the unbonded node and hand the returned stake, in whole SPL units, to
    ///         SolanaOnboarding to send to Solana; dust below one unit (left by a slash) stays here.
    function removeNode(IOnboardingPool pool, IOnboardingToken cor, uint256 unit) external returns (uint256 stake) {
        require(msg.sender == onboarding, "only onboarding");
        pool.removeNode(pool.getNodeId(address(this)));
        stake = (cor.balanceOf(address(this)) / unit) * unit;
        require(cor.transfer(onboarding, stake), "transfer failed");
    }
}

/// @title SolanaOnboarding
/// @notice Receives a miner's COR stake sent from Solana as a transfer with payload (id 3) whose
///         payload is abi.encode(uint256[] modelIds, bytes publicKey), and registers the miner in
///         NodePool through the miner's SolanaNodeOperator, which holds the stake. Anyone (the
///         relayer) may submit the VAA: what it does is fixed by the guardian-signed payload. A
///         registration NodePool refuses (stake out of range, no models) sends the stake back to
///         the miner on Solana (SolanaReceiver).
///
///         Unbonding: the miner's message from Solana (body abi.encode(uint8 UNBOND, uint256 0))
///         starts it; after NodePool's unbonding period anyone may call releaseStake, which
///         removes the node and sends the stake back to the miner's Solana account through the
///         token bridge (it can go nowhere else). The operator stays, so the miner can onboard again.
contract SolanaOnboarding is SolanaReceiver {
    event MinerOnboarded(bytes32 indexed solanaOwner, address indexed operator, bytes32 nodeId, uint256 stake);
    event UnbondingRequested(bytes32 indexed solanaOwner, address indexed operator);
    event StakeReleased(bytes32 indexed solanaOwner, address indexed operator, uint256 stake);

    uint8 public constant UNBOND = 1;

    IOnboardingPool public immutable pool;
    IOnboardingToken public immutable cor;

    mapping(bytes32 => address) public operatorOf;

    constructor(WormholeTokenBridge tokenBridge_, IOnboardingPool pool_, bytes32 solanaMessenger_)
        SolanaReceiver(tokenBridge_, solanaMessenger_)
    {
        pool = pool_;
        cor = IOnboardingToken(address(tokenBridge_.cor()));
    }

    /// @notice Redeem a miner's registration sent with its stake from Solana; returns the node id
    ///         (zero if NodePool refused it and the stake went back to Solana).
    function redeem(bytes calldata encodedVm) external returns (bytes32 nodeId) {
        nodeId = bytes32(_redeemOrRefund(encodedVm));
    }

    function _act(bytes32 solanaOwner, uint256 stake, bytes memory payload) internal override returns (uint256) {
        (uint256[] memory modelIds, bytes memory publicKey) = abi.decode(payload, (uint256[], bytes));
        SolanaNodeOperator operator = SolanaNodeOperator(operatorOf[solanaOwner]);
        if (address(operator) == address(0)) {
            operator = new SolanaNodeOperator{salt: solanaOwner}(solanaOwner);
            operatorOf[solanaOwner] = address(operator);
        }
        require(cor.transfer(address(operator), stake), "transfer failed");
        bytes32 nodeId = operator.register(pool, cor, modelIds, publicKey, stake);
        emit MinerOnboarded(solanaOwner, address(operator), nodeId, stake);
        return uint256(nodeId);
    }

    /// @notice A miner's request from Solana to start unbonding its node.
    function receiveMessage(bytes calldata encodedVm) external {
        (bytes32 solanaOwner, bytes memory body) = _receiveMessage(encodedVm);
        (uint8 action,) = abi.decode(body, (uint8, uint256));
        require(action == UNBOND, "unknown onboarding message");
        address operator = operatorOf[solanaOwner];
        require(operator != address(0), "miner never onboarded");
        SolanaNodeOperator(operator).requestRemoval(pool);
        emit UnbondingRequested(solanaOwner, operator);
    }

    /// @notice After the unbonding period: remove the miner's node and send its stake to its
    ///         Solana account. Permissionless, since the stake can only go to that account.
    function releaseStake(bytes32 solanaOwner) external returns (uint256 sent) {
        address operator = operatorOf[solanaOwner];
        require(operator != address(0), "miner never onboarded");
        uint256 stake = SolanaNodeOperator(operator).removeNode(pool, cor, tokenBridge.UNIT());
        sent = _sendToSolana(stake, solanaOwner);
        emit StakeReleased(solanaOwner, operator, sent);
    }
}
