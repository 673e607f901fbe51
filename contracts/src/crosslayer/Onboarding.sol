// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ICrossLayerMessenger, ICrossLayerToken, IOnboardingRelayL1} from "./CrossLayerInterfaces.sol";

/// @title Onboarding
/// @notice The welcome center on base: a miner registers its node here (models and encryption
///         key), pays the registration fee in COR on base (the OptimismMintableERC20 the
///         L2StandardBridge mints; no fee when `feeToken` is zero), and the registration goes
///         base -> l1 through L2CrossDomainMessenger to OnboardingRelayL1, which forwards it to
///         NodePool on arbitrum. The node's stake is bonded separately on l1 (NodeStakeL1):
///         NodePool registers the node only when that stake has reached it.
contract Onboarding {
    error AlreadyRegistered(address operator);
    error AlreadyInitialized();
    error FeeTransferFailed();

    event RegistrationSent(address indexed operator, uint256[] modelIds, uint256 fee);

    /// @notice Gas the messenger guarantees OnboardingRelayL1.relayRegistration on l1.
    uint32 public constant RELAY_GAS_LIMIT = 600_000;

    ICrossLayerMessenger public immutable messenger;
    ICrossLayerToken public immutable feeToken;
    uint256 public immutable fee;
    address public immutable treasury;
    /// @notice OnboardingRelayL1 on l1 (set once by the deployer: it lives on another chain).
    address public l1Relay;
    address private immutable _deployer;

    /// @notice Operators whose registration was sent (one registration per address).
    mapping(address => bool) public registered;

    constructor(ICrossLayerMessenger messenger_, ICrossLayerToken feeToken_, uint256 fee_, address treasury_) {
        messenger = messenger_;
        feeToken = feeToken_;
        fee = fee_;
        treasury = treasury_;
        _deployer = msg.sender;
    }

    function initialize(address l1Relay_) external {
        if (msg.sender != _deployer || l1Relay != address(0)) revert AlreadyInitialized();
        l1Relay = l1Relay_;
    }

    /// @notice Register the caller's node: pay the fee (approve `fee` of `feeToken` first) and
    ///         send the registration to l1.
    function register(uint256[] calldata modelIds, bytes calldata publicKey) external {
        if (registered[msg.sender]) revert AlreadyRegistered(msg.sender);
        registered[msg.sender] = true;
        if (address(feeToken) != address(0) && fee > 0) {
            if (!feeToken.transferFrom(msg.sender, treasury, fee)) revert FeeTransferFailed();
        }
        bytes memory call = abi.encodeCall(IOnboardingRelayL1.relayRegistration, (msg.sender, modelIds, publicKey));
        messenger.sendMessage(l1Relay, call, RELAY_GAS_LIMIT);
        emit RegistrationSent(msg.sender, modelIds, fee);
    }
}
