// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {WormholeCore} from "./WormholeCore.sol";
import {WormholeTokenBridge} from "./WormholeTokenBridge.sol";

/// @title SolanaReceiver
/// @notice What a contract acting for Solana users shares: it takes their requests as VAAs and
///         sends COR back to them through the token bridge.
///
///         Two kinds of request arrive. A request that carries COR is a token bridge transfer with
///         payload (id 3) addressed to the contract, redeemed with completeTransferWithPayload
///         (the token bridge authenticates the Solana custody emitter). A request without COR (close
///         a session, unbond a node) is a plain message from the registered Solana messenger
///         emitter: its payload is abi.encode(bytes32 to, uint16 toChain, bytes32 from, bytes body),
///         where `from` is the Solana account that signed the request. Each message is consumed
///         once, by its VAA hash, as the token bridge consumes transfers.
abstract contract SolanaReceiver {
    WormholeTokenBridge public immutable tokenBridge;
    WormholeCore public immutable wormhole;
    /// @notice The emitter on Solana whose messages this contract accepts (Wormhole chain 1).
    bytes32 public immutable solanaMessenger;

    mapping(bytes32 => bool) public messageConsumed;

    constructor(WormholeTokenBridge tokenBridge_, bytes32 solanaMessenger_) {
        tokenBridge = tokenBridge_;
        wormhole = tokenBridge_.wormhole();
        solanaMessenger = solanaMessenger_;
    }

    /// @notice Verify and consume a message VAA for this contract; returns its Solana signer and body.
    function _receiveMessage(bytes calldata encodedVm) internal returns (bytes32 from, bytes memory body) {
        (WormholeCore.VM memory vm, bool valid, string memory reason) = wormhole.parseAndVerifyVM(encodedVm);
        require(valid, reason);
        require(
            vm.emitterChainId == tokenBridge.solanaChainId() && vm.emitterAddress == solanaMessenger, "invalid emitter"
        );
        require(!messageConsumed[vm.hash], "message already consumed");
        messageConsumed[vm.hash] = true;
        bytes32 to;
        uint16 toChain;
        (to, toChain, from, body) = abi.decode(vm.payload, (bytes32, uint16, bytes32, bytes));
        require(to == bytes32(uint256(uint160(address(this)))), "message is for another contract");
        require(toChain == tokenBridge.chainId(), "invalid target chain");
    }

    /// @notice Send `amount` wrapped COR this contract holds back to `recipient` on Solana, in
    ///         whole SPL units (the token bridge burns only those); returns what was sent.
    function _sendToSolana(uint256 amount, bytes32 recipient) internal returns (uint256 sent) {
        uint256 unit = tokenBridge.UNIT();
        sent = (amount / unit) * unit;
        if (sent > 0) tokenBridge.transferTokens(sent, recipient, 0);
    }
}
