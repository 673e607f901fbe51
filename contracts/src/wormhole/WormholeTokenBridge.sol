// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {WormholeCore} from "./WormholeCore.sol";

interface IBridgedToken {
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
    function approve(address spender, uint256 amount) external returns (bool);
    function balanceOf(address owner) external view returns (uint256);
}

/// @title WormholeTokenBridge
/// @notice COR to and from Solana, in the style of wormhole-foundation/wormhole
///         ethereum/contracts/bridge (Bridge.sol transferTokens / completeTransfer,
///         BridgeStructs.Transfer) for a token native to this chain: COR here (l1's COR, or the
///         COR gateways' bridged COR on a rollup) is locked in this contract, and SPL COR on Solana
///         is its wrapped representation, minted by the Solana token bridge's mint authority when a
///         guardian-signed transfer from this contract arrives, and burned there to come back.
///         Transfers from Solana unlock COR here. The token in every payload is this chain's COR
///         (tokenChain = this chain, tokenAddress = COR's address), as Bridge.sol names a native
///         token.
///
///         Amounts in payloads are SPL COR's raw units (9 decimals); COR has 18, so one payload
///         unit is 10^9 wei. transferTokens locks only whole units: the dust below 10^9 wei stays
///         with the sender (Bridge.sol: "don't deposit dust that can not be bridged due to the
///         decimal shift"). Like Bridge.sol's outstandingBridged, `outstanding` counts the units
///         locked for Solana and may not exceed a u64, what an SPL mint's supply holds. (Wormhole
///         itself normalises to 8 decimals; one decimal more here keeps SPL COR exact.)
contract WormholeTokenBridge {
    event TransferRedeemed(uint16 indexed emitterChainId, bytes32 indexed emitterAddress, uint64 indexed sequence);
    event TransferSent(address indexed sender, bytes32 indexed recipient, uint256 amount, uint64 sequence);

    uint8 public constant PAYLOAD_TRANSFER = 1;
    uint8 public constant PAYLOAD_TRANSFER_WITH_PAYLOAD = 3;
    uint256 public constant UNIT = 1e9;
    uint8 public constant CONSISTENCY_FINALIZED = 1;

    WormholeCore public immutable wormhole;
    IBridgedToken public immutable cor;
    uint16 public immutable chainId;
    uint16 public immutable solanaChainId;
    /// @notice The Solana token bridge's emitter (its authority, which also mints SPL COR).
    bytes32 public immutable solanaEmitter;
    /// @notice The SPL COR mint on Solana, COR's wrapped representation there.
    bytes32 public immutable solanaMint;

    /// @notice COR locked for Solana, in payload units (Bridge.sol outstandingBridged).
    uint256 public outstanding;

    mapping(bytes32 => bool) private _completed;

    constructor(
        WormholeCore wormhole_,
        IBridgedToken cor_,
        uint16 solanaChainId_,
        bytes32 solanaEmitter_,
        bytes32 solanaMint_
    ) {
        wormhole = wormhole_;
        cor = cor_;
        chainId = wormhole_.chainId();
        solanaChainId = solanaChainId_;
        solanaEmitter = solanaEmitter_;
        solanaMint = solanaMint_;
    }

    /// @notice COR's token address as payloads carry it (left-padded to 32 bytes).
    function tokenAddress() public view returns (bytes32) {
        return bytes32(uint256(uint160(address(cor))));
    }

    function isTransferCompleted(bytes32 hash) external view returns (bool) {
        return _completed[hash];
    }

    /// @notice Redeem a guardian-signed transfer from Solana (SPL COR burned there): unlock COR
    ///         to its recipient. Each VAA is consumed once, by its hash.
    function completeTransfer(bytes calldata encodedVm) external {
        (WormholeCore.VM memory vm, bool valid, string memory reason) = wormhole.parseAndVerifyVM(encodedVm);
        require(valid, reason);
        require(vm.emitterChainId == solanaChainId && vm.emitterAddress == solanaEmitter, "invalid emitter");
        require(!_completed[vm.hash], "transfer already completed");
        _completed[vm.hash] = true;
        (uint256 amount, bytes32 token, uint16 tokenChain, bytes32 to, uint16 toChain) = parseTransfer(vm.payload);
        require(token == tokenAddress() && tokenChain == chainId, "unknown token");
        require(toChain == chainId, "invalid target chain");
        require(bytes12(to) == 0, "invalid recipient");
        _unlock(address(uint160(uint256(to))), amount);
        emit TransferRedeemed(vm.emitterChainId, vm.emitterAddress, vm.sequence);
    }

    /// @notice Redeem a transfer with payload (payload id 3): only its recipient contract may, and
    ///         the COR is unlocked to it (Bridge.sol completeTransferWithPayload). Returns
    ///         the sender on Solana and the payload for the recipient to act on.
    function completeTransferWithPayload(bytes calldata encodedVm)
        external
        returns (uint256 amount, bytes32 fromAddress, bytes memory payload)
    {
        (WormholeCore.VM memory vm, bool valid, string memory reason) = wormhole.parseAndVerifyVM(encodedVm);
        require(valid, reason);
        require(vm.emitterChainId == solanaChainId && vm.emitterAddress == solanaEmitter, "invalid emitter");
        require(!_completed[vm.hash], "transfer already completed");
        _completed[vm.hash] = true;
        bytes32 token;
        uint16 tokenChain;
        bytes32 to;
        uint16 toChain;
        (amount, token, tokenChain, to, toChain, fromAddress, payload) = parseTransferWithPayload(vm.payload);
        require(token == tokenAddress() && tokenChain == chainId, "unknown token");
        require(toChain == chainId, "invalid target chain");
        require(to == bytes32(uint256(uint160(msg.sender))), "invalid sender");
        _unlock(msg.sender, amount);
        emit TransferRedeemed(vm.emitterChainId, vm.emitterAddress, vm.sequence);
    }

    /// @notice BridgeStructs.TransferWithPayload: payloadID u8 (3), amount u256, tokenAddress
    ///         bytes32, tokenChain u16, to bytes32, toChain u16, fromAddress bytes32, payload.
    function parseTransferWithPayload(bytes memory encoded)
        public
        pure
        returns (
            uint256 amount,
            bytes32 token,
            uint16 tokenChain,
            bytes32 to,
            uint16 toChain,
            bytes32 fromAddress,
            bytes memory payload
        )
    {
        require(encoded.length >= 133, "invalid TransferWithPayload");
        require(uint8(encoded[0]) == PAYLOAD_TRANSFER_WITH_PAYLOAD, "invalid TransferWithPayload");
        bytes32 tokenChainWord;
        bytes32 toChainWord;
        assembly {
            amount := mload(add(encoded, 33))
            token := mload(add(encoded, 65))
            tokenChainWord := mload(add(encoded, 97))
            to := mload(add(encoded, 99))
            toChainWord := mload(add(encoded, 131))
            fromAddress := mload(add(encoded, 133))
        }
        tokenChain = uint16(bytes2(tokenChainWord));
        toChain = uint16(bytes2(toChainWord));
        payload = new bytes(encoded.length - 133);
        for (uint256 i = 0; i < payload.length; i++) {
            payload[i] = encoded[133 + i];
        }
    }

    /// @notice Lock COR and publish a transfer to `recipient` (a Solana token account owner, 32
    ///         bytes); SPL COR is minted to it there. Only whole units are taken (the sender
    ///         approves this contract first): dust below 10^9 wei stays with the sender.
    function transferTokens(uint256 amount, bytes32 recipient, uint32 nonce) external returns (uint64 sequence) {
        uint256 units = amount / UNIT;
        require(units > 0, "no units to transfer");
        require(outstanding + units <= type(uint64).max, "transfer exceeds max outstanding bridged token amount");
        require(recipient != bytes32(0), "invalid recipient");
        outstanding += units;
        require(cor.transferFrom(msg.sender, address(this), units * UNIT), "transfer failed");
        bytes memory payload =
            abi.encodePacked(PAYLOAD_TRANSFER, units, tokenAddress(), chainId, recipient, solanaChainId, uint256(0));
        sequence = wormhole.publishMessage(nonce, payload, CONSISTENCY_FINALIZED);
        emit TransferSent(msg.sender, recipient, units, sequence);
    }

    function _unlock(address to, uint256 units) private {
        outstanding -= units;
        require(cor.transfer(to, units * UNIT), "transfer failed");
    }

    /// @notice BridgeStructs.Transfer: payloadID u8 (1), amount u256, tokenAddress bytes32,
    ///         tokenChain u16, to bytes32, toChain u16, fee u256 (133 bytes).
    function parseTransfer(bytes memory payload)
        public
        pure
        returns (uint256 amount, bytes32 token, uint16 tokenChain, bytes32 to, uint16 toChain)
    {
        require(payload.length == 133, "invalid Transfer");
        require(uint8(payload[0]) == PAYLOAD_TRANSFER, "invalid Transfer");
        bytes32 tokenChainWord;
        bytes32 toChainWord;
        assembly {
            amount := mload(add(payload, 33))
            token := mload(add(payload, 65))
            tokenChainWord := mload(add(payload, 97))
            to := mload(add(payload, 99))
            toChainWord := mload(add(payload, 131))
        }
        tokenChain = uint16(bytes2(tokenChainWord));
        toChain = uint16(bytes2(toChainWord));
    }
}
