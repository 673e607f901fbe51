// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title OpTypes
/// @notice The OP Stack's shared structs, hashes and address aliasing, as the specs define them
///         (ethereum-optimism/optimism packages/contracts-bedrock/src/libraries/Types.sol, Hashing.sol,
///         Encoding.sol, vendor/AddressAliasHelper.sol; ethereum-optimism/specs specs/protocol/).
library OpTypes {
    /// @notice A withdrawal from the child chain, as L2ToL1MessagePasser hashes it.
    struct WithdrawalTransaction {
        uint256 nonce;
        address sender;
        address target;
        uint256 value;
        uint256 gasLimit;
        bytes data;
    }

    /// @notice The preimage of a version-0 output root.
    struct OutputRootProof {
        bytes32 version;
        bytes32 stateRoot;
        bytes32 messagePasserStorageRoot;
        bytes32 latestBlockhash;
    }

    /// @notice The offset an L1 contract's address gets on L2, so it cannot pose as an L2 account.
    uint160 internal constant ALIAS_OFFSET = uint160(0x1111000000000000000000000000000000001111);

    /// @notice The sender value outside a withdrawal's execution (OptimismPortal's l2Sender).
    address internal constant DEFAULT_L2_SENDER = 0x000000000000000000000000000000000000dEaD;

    function hashWithdrawal(WithdrawalTransaction memory _tx) internal pure returns (bytes32) {
        return keccak256(abi.encode(_tx.nonce, _tx.sender, _tx.target, _tx.value, _tx.gasLimit, _tx.data));
    }

    /// @notice Version 0: keccak256(abi.encode(version, stateRoot, messagePasserStorageRoot, blockHash)).
    function hashOutputRootProof(OutputRootProof memory _proof) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(_proof.version, _proof.stateRoot, _proof.messagePasserStorageRoot, _proof.latestBlockhash)
        );
    }

    function applyL1ToL2Alias(address _l1) internal pure returns (address) {
        unchecked {
            return address(uint160(_l1) + ALIAS_OFFSET);
        }
    }

    function undoL1ToL2Alias(address _l2) internal pure returns (address) {
        unchecked {
            return address(uint160(_l2) - ALIAS_OFFSET);
        }
    }

    /// @notice A nonce whose top two bytes carry the message version.
    function encodeVersionedNonce(uint240 _nonce, uint16 _version) internal pure returns (uint256) {
        return (uint256(_version) << 240) | uint256(_nonce);
    }

    function decodeVersionedNonce(uint256 _nonce) internal pure returns (uint240, uint16) {
        return (uint240(_nonce), uint16(_nonce >> 240));
    }

    /// @notice A cross-domain message, version 1 (CrossDomainMessenger.relayMessage's calldata).
    function encodeCrossDomainMessageV1(
        uint256 _nonce,
        address _sender,
        address _target,
        uint256 _value,
        uint256 _gasLimit,
        bytes memory _data
    )
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodeWithSignature(
            "relayMessage(uint256,address,address,uint256,uint256,bytes)",
            _nonce,
            _sender,
            _target,
            _value,
            _gasLimit,
            _data
        );
    }

    function hashCrossDomainMessageV1(
        uint256 _nonce,
        address _sender,
        address _target,
        uint256 _value,
        uint256 _gasLimit,
        bytes memory _data
    )
        internal
        pure
        returns (bytes32)
    {
        return keccak256(encodeCrossDomainMessageV1(_nonce, _sender, _target, _value, _gasLimit, _data));
    }
}
