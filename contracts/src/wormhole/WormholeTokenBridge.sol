// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {WormholeCore} from "./WormholeCore.sol";

interface IWrappedCOR {
    function mint(address to, uint256 amount) external;
    function burn(address from, uint256 amount) external;
}

/// @title WormholeTokenBridge
/// @notice COR from Solana, in the style of wormhole-foundation/wormhole ethereum/contracts/bridge
///         (Bridge.sol completeTransfer / transferTokens, BridgeStructs.Transfer). SPL COR is
///         locked in custody on Solana; this bridge mints the same amount of wrapped COR
///         (a BridgedCORToken whose bridge is this contract) when a guardian-signed transfer from
///         the registered Solana emitter arrives, and burns it to send COR back.
///
///         Amounts in the transfer payload are SPL COR's raw units (9 decimals); wrapped COR has
///         COR's 18 decimals, so one payload unit is 10^9 wei of wrapped COR. Sending back, the
///         amount is truncated to whole payload units and only that much is burned: the dust
///         (below 10^9 wei) stays with the sender, as Wormhole's normalization leaves it.
///         (Wormhole itself caps payload amounts at 8 decimals; one decimal more here keeps SPL
///         COR exact.)
contract WormholeTokenBridge {
    event TransferRedeemed(uint16 indexed emitterChainId, bytes32 indexed emitterAddress, uint64 indexed sequence);
    event TransferSent(address indexed sender, bytes32 indexed recipient, uint256 amount, uint64 sequence);

    uint8 public constant PAYLOAD_TRANSFER = 1;
    uint8 public constant PAYLOAD_TRANSFER_WITH_PAYLOAD = 3;
    uint256 public constant UNIT = 1e9;
    uint8 public constant CONSISTENCY_FINALIZED = 1;

    WormholeCore public immutable wormhole;
    IWrappedCOR public immutable wrappedCOR;
    uint16 public immutable chainId;
    uint16 public immutable solanaChainId;
    bytes32 public immutable solanaEmitter;
    bytes32 public immutable solanaMint;

    mapping(bytes32 => bool) private _completed;

    constructor(
        WormholeCore wormhole_,
        IWrappedCOR wrappedCOR_,
        uint16 solanaChainId_,
        bytes32 solanaEmitter_,
        bytes32 solanaMint_
    ) {
        wormhole = wormhole_;
        wrappedCOR = wrappedCOR_;
        chainId = wormhole_.chainId();
        solanaChainId = solanaChainId_;
        solanaEmitter = solanaEmitter_;
        solanaMint = solanaMint_;
    }

    function isTransferCompleted(bytes32 hash) external view returns (bool) {
        return _completed[hash];
    }

    /// @notice Redeem a guardian-signed transfer from Solana: mint wrapped COR to its recipient.
    ///         Each VAA is consumed once, by its hash.
    function completeTransfer(bytes calldata encodedVm) external {
        (WormholeCore.VM memory vm, bool valid, string memory reason) = wormhole.parseAndVerifyVM(encodedVm);
        require(valid, reason);
        require(vm.emitterChainId == solanaChainId && vm.emitterAddress == solanaEmitter, "invalid emitter");
        require(!_completed[vm.hash], "transfer already completed");
        _completed[vm.hash] = true;
        (uint256 amount, bytes32 token, uint16 tokenChain, bytes32 to, uint16 toChain) = parseTransfer(vm.payload);
        require(token == solanaMint && tokenChain == solanaChainId, "unknown token");
        require(toChain == chainId, "invalid target chain");
        require(bytes12(to) == 0, "invalid recipient");
        wrappedCOR.mint(address(uint160(uint256(to))), amount * UNIT);
        emit TransferRedeemed(vm.emitterChainId, vm.emitterAddress, vm.sequence);
    }

    /// @notice Redeem a transfer with payload (payload id 3): only its recipient contract may, and
    ///         the wrapped COR is minted to it (Bridge.sol completeTransferWithPayload). Returns
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
        require(token == solanaMint && tokenChain == solanaChainId, "unknown token");
        require(toChain == chainId, "invalid target chain");
        require(to == bytes32(uint256(uint160(msg.sender))), "invalid sender");
        wrappedCOR.mint(msg.sender, amount * UNIT);
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

    /// @notice Burn wrapped COR and publish a transfer to `recipient` (a Solana token account
    ///         owner, 32 bytes). Dust below 10^9 wei is not burned and stays with the sender.
    function transferTokens(uint256 amount, bytes32 recipient, uint32 nonce) external returns (uint64 sequence) {
        uint256 units = amount / UNIT;
        require(units > 0, "no units to transfer");
        require(units <= type(uint64).max, "transfer exceeds max outstanding bridged token amount");
        require(recipient != bytes32(0), "invalid recipient");
        wrappedCOR.burn(msg.sender, units * UNIT);
        bytes memory payload =
            abi.encodePacked(PAYLOAD_TRANSFER, units, solanaMint, solanaChainId, recipient, solanaChainId, uint256(0));
        sequence = wormhole.publishMessage(nonce, payload, CONSISTENCY_FINALIZED);
        emit TransferSent(msg.sender, recipient, units, sequence);
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
