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
///
///         A request with COR that the contract refuses is refunded, not left unredeemable: the
///         transfer is redeemed (its VAA consumed), the request runs in an external self-call
///         (`act`), and if that reverts, the COR goes back to the sender on Solana through the
///         token bridge and `RequestRefunded` names the revert.
abstract contract SolanaReceiver {
    event RequestRefunded(bytes32 indexed solanaSender, uint256 amount, uint64 sequence, bytes reason);

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

    /// @notice Redeem a transfer with payload and act on it through `act`; refund its COR to the
    ///         sender on Solana if the request reverts. Returns what `act` returned (0 if refunded).
    function _redeemOrRefund(bytes calldata encodedVm) internal returns (uint256 result) {
        (uint256 amount, bytes32 from, bytes memory payload) = tokenBridge.completeTransferWithPayload(encodedVm);
        uint256 funds = amount * tokenBridge.UNIT();
        uint256 given = gasleft();
        try this.act(from, funds, payload) returns (uint256 value) {
            result = value;
        } catch (bytes memory reason) {
            // A call that ran out of gas keeps at most 1/64 of the gas it had (EIP-150): that is a
            // relayer's short gas limit, not a refusal, so the whole redemption reverts instead.
            require(gasleft() > given / 63, "out of gas");
            uint64 sequence = _sendToSolanaWithSequence(funds, from);
            emit RequestRefunded(from, funds, sequence, reason);
        }
    }

    /// @notice The request a redeemed transfer carries (called by this contract only, so that a
    ///         revert undoes the request and leaves the COR here to refund).
    function act(bytes32 from, uint256 funds, bytes memory payload) external returns (uint256) {
        require(msg.sender == address(this), "only the receiver itself");
        return _act(from, funds, payload);
    }

    function _act(bytes32 from, uint256 funds, bytes memory payload) internal virtual returns (uint256);

    /// @notice Send `amount` COR this contract holds back to `recipient` on Solana, in whole SPL
    ///         units (the token bridge locks only those); returns what was sent.
    function _sendToSolana(uint256 amount, bytes32 recipient) internal returns (uint256 sent) {
        uint256 unit = tokenBridge.UNIT();
        sent = (amount / unit) * unit;
        if (sent > 0) _sendToSolanaWithSequence(sent, recipient);
    }

    function _sendToSolanaWithSequence(uint256 amount, bytes32 recipient) private returns (uint64) {
        require(tokenBridge.cor().approve(address(tokenBridge), amount), "approve failed");
        return tokenBridge.transferTokens(amount, recipient, 0);
    }
}
