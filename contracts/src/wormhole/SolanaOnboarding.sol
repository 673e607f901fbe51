// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {WormholeTokenBridge} from "./WormholeTokenBridge.sol";

interface IOnboardingPool {
    function addNode(bytes32 nodeId, uint256[] calldata modelIds, bytes calldata publicKey, uint256 stake) external;
    function getNodeId(address nodeAddress) external pure returns (bytes32);
}

interface IOnboardingToken {
    function transfer(address to, uint256 amount) external returns (bool);
    function approve(address spender, uint256 amount) external returns (bool);
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
}

/// @title SolanaOnboarding
/// @notice Receives a miner's COR stake sent from Solana as a transfer with payload (id 3) whose
///         payload is abi.encode(uint256[] modelIds, bytes publicKey), and registers the miner in
///         NodePool through the miner's SolanaNodeOperator, which holds the stake. Anyone (the
///         relayer) may submit the VAA: what it does is fixed by the guardian-signed payload.
contract SolanaOnboarding {
    event MinerOnboarded(bytes32 indexed solanaOwner, address indexed operator, bytes32 nodeId, uint256 stake);

    WormholeTokenBridge public immutable tokenBridge;
    IOnboardingPool public immutable pool;
    IOnboardingToken public immutable cor;

    mapping(bytes32 => address) public operatorOf;

    constructor(WormholeTokenBridge tokenBridge_, IOnboardingPool pool_) {
        tokenBridge = tokenBridge_;
        pool = pool_;
        cor = IOnboardingToken(address(tokenBridge_.wrappedCOR()));
    }

    function onboard(bytes calldata encodedVm) external returns (bytes32 nodeId) {
        (uint256 amount, bytes32 solanaOwner, bytes memory payload) = tokenBridge.completeTransferWithPayload(encodedVm);
        (uint256[] memory modelIds, bytes memory publicKey) = abi.decode(payload, (uint256[], bytes));
        require(operatorOf[solanaOwner] == address(0), "miner already onboarded");
        SolanaNodeOperator operator = new SolanaNodeOperator{salt: solanaOwner}(solanaOwner);
        operatorOf[solanaOwner] = address(operator);
        uint256 stake = amount * tokenBridge.UNIT();
        require(cor.transfer(address(operator), stake), "transfer failed");
        nodeId = operator.register(pool, cor, modelIds, publicKey, stake);
        emit MinerOnboarded(solanaOwner, address(operator), nodeId, stake);
    }
}
