// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {OpTypes} from "./OpTypes.sol";

interface IOptimismPortalForMessenger {
    function depositTransaction(address _to, uint256 _value, uint64 _gasLimit, bool _isCreation, bytes memory _data)
        external
        payable;
    function l2Sender() external view returns (address);
}

interface IL2ToL1MessagePasserForMessenger {
    function initiateWithdrawal(address _target, uint256 _gasLimit, bytes memory _data) external payable;
}

/// @title CrossDomainMessenger
/// @notice The messenger both sides share (ethereum-optimism/optimism
///         packages/contracts-bedrock/src/universal/CrossDomainMessenger.sol): version-1 messages,
///         `xDomainMessageSender()` that reverts outside a relay, failed messages replayable by anyone,
///         each message relayed once. Settings are storage laid in genesis (slots 0-2).
abstract contract CrossDomainMessenger {
    uint16 public constant MESSAGE_VERSION = 1;
    uint64 public constant RELAY_CONSTANT_OVERHEAD = 200_000;
    uint64 public constant MIN_GAS_DYNAMIC_OVERHEAD_NUMERATOR = 64;
    uint64 public constant MIN_GAS_DYNAMIC_OVERHEAD_DENOMINATOR = 63;
    uint64 public constant MIN_GAS_CALLDATA_OVERHEAD = 16;
    uint64 public constant RELAY_CALL_OVERHEAD = 40_000;
    uint64 public constant RELAY_RESERVED_GAS = 40_000;
    uint64 public constant RELAY_GAS_CHECK_BUFFER = 5_000;

    // slot 0: the messenger on the other side
    address public otherMessenger;
    // slot 1: OptimismPortal (parent side only)
    address public portal;
    // slot 2: the sender of the message being relayed, DEFAULT_L2_SENDER otherwise
    address internal xDomainMsgSender;
    // slot 3
    uint240 internal msgNonce;
    // slot 4
    mapping(bytes32 => bool) public successfulMessages;
    // slot 5
    mapping(bytes32 => bool) public failedMessages;

    event SentMessage(address indexed target, address sender, bytes message, uint256 messageNonce, uint256 gasLimit);
    event SentMessageExtension1(address indexed sender, uint256 value);
    event RelayedMessage(bytes32 indexed msgHash);
    event FailedRelayedMessage(bytes32 indexed msgHash);

    function OTHER_MESSENGER() external view returns (address) {
        return otherMessenger;
    }

    /// @notice Sends `_message` to `_target` on the other side, with at least `_minGasLimit` for its call there.
    function sendMessage(address _target, bytes calldata _message, uint32 _minGasLimit) external payable {
        _sendMessage(
            otherMessenger,
            baseGas(_message, _minGasLimit),
            msg.value,
            abi.encodeWithSelector(
                this.relayMessage.selector, messageNonce(), msg.sender, _target, msg.value, _minGasLimit, _message
            )
        );
        emit SentMessage(_target, msg.sender, _message, messageNonce(), _minGasLimit);
        emit SentMessageExtension1(msg.sender, msg.value);
        unchecked {
            ++msgNonce;
        }
    }

    /// @notice Delivers a message: from the other messenger (through the portal or a deposit), or
    ///         again by anyone if it failed before.
    function relayMessage(
        uint256 _nonce,
        address _sender,
        address _target,
        uint256 _value,
        uint256 _minGasLimit,
        bytes calldata _message
    )
        external
        payable
    {
        (, uint16 version) = OpTypes.decodeVersionedNonce(_nonce);
        require(version == 1, "CrossDomainMessenger: only version 1 messages are supported at this time");
        bytes32 versionedHash =
            OpTypes.hashCrossDomainMessageV1(_nonce, _sender, _target, _value, _minGasLimit, _message);
        if (_isOtherMessenger()) {
            assert(msg.value == _value);
            assert(!failedMessages[versionedHash]);
        } else {
            require(msg.value == 0, "CrossDomainMessenger: value must be zero unless message is from a system address");
            require(failedMessages[versionedHash], "CrossDomainMessenger: message cannot be replayed");
        }
        require(!_isUnsafeTarget(_target), "CrossDomainMessenger: cannot send message to blocked system address");
        require(!successfulMessages[versionedHash], "CrossDomainMessenger: message has already been relayed");
        if (
            gasleft() < _minGasLimit + RELAY_RESERVED_GAS + RELAY_GAS_CHECK_BUFFER
                || xDomainMsgSender != OpTypes.DEFAULT_L2_SENDER
        ) {
            failedMessages[versionedHash] = true;
            emit FailedRelayedMessage(versionedHash);
            return;
        }
        xDomainMsgSender = _sender;
        bool success = _call(_target, gasleft() - RELAY_RESERVED_GAS, _value, _message);
        xDomainMsgSender = OpTypes.DEFAULT_L2_SENDER;
        if (success) {
            successfulMessages[versionedHash] = true;
            emit RelayedMessage(versionedHash);
        } else {
            failedMessages[versionedHash] = true;
            emit FailedRelayedMessage(versionedHash);
        }
    }

    /// @notice The sender on the other side of the message being relayed; reverts outside a relay.
    function xDomainMessageSender() external view returns (address) {
        require(xDomainMsgSender != OpTypes.DEFAULT_L2_SENDER, "CrossDomainMessenger: xDomainMessageSender is not set");
        return xDomainMsgSender;
    }

    /// @notice The next message's nonce, versioned: (1 << 240) | count.
    function messageNonce() public view returns (uint256) {
        return OpTypes.encodeVersionedNonce(msgNonce, MESSAGE_VERSION);
    }

    /// @notice Gas the relay on the other side is given: enough for the call's `_minGasLimit` after
    ///         the relay's own overheads (CrossDomainMessenger.baseGas's terms).
    function baseGas(bytes calldata _message, uint32 _minGasLimit) public pure returns (uint64) {
        return RELAY_CONSTANT_OVERHEAD + (uint64(_message.length) * MIN_GAS_CALLDATA_OVERHEAD)
            + ((_minGasLimit * MIN_GAS_DYNAMIC_OVERHEAD_NUMERATOR) / MIN_GAS_DYNAMIC_OVERHEAD_DENOMINATOR)
            + RELAY_CALL_OVERHEAD + RELAY_RESERVED_GAS + RELAY_GAS_CHECK_BUFFER + 40 * uint64(_message.length + 200);
    }

    function _call(address _target, uint256 _gas, uint256 _value, bytes memory _data) internal returns (bool success) {
        assembly {
            success := call(_gas, _target, _value, add(_data, 32), mload(_data), 0, 0)
        }
    }

    function _sendMessage(address _to, uint64 _gasLimit, uint256 _value, bytes memory _data) internal virtual;

    function _isOtherMessenger() internal view virtual returns (bool);

    function _isUnsafeTarget(address _target) internal view virtual returns (bool);
}

/// @title L1CrossDomainMessenger
/// @notice The parent side: sends through OptimismPortal deposits; relays what the portal finalizes.
contract L1CrossDomainMessenger is CrossDomainMessenger {
    function PORTAL() external view returns (address) {
        return portal;
    }

    function _sendMessage(address _to, uint64 _gasLimit, uint256 _value, bytes memory _data) internal override {
        IOptimismPortalForMessenger(portal).depositTransaction{value: _value}(_to, _value, _gasLimit, false, _data);
    }

    function _isOtherMessenger() internal view override returns (bool) {
        return msg.sender == portal && IOptimismPortalForMessenger(portal).l2Sender() == otherMessenger;
    }

    function _isUnsafeTarget(address _target) internal view override returns (bool) {
        return _target == address(this) || _target == portal;
    }
}

/// @title L2CrossDomainMessenger
/// @notice Predeploy 0x4200000000000000000000000000000000000007: sends through L2ToL1MessagePasser;
///         relays deposits whose (aliased) sender is the L1 messenger.
contract L2CrossDomainMessenger is CrossDomainMessenger {
    address internal constant MESSAGE_PASSER = 0x4200000000000000000000000000000000000016;

    function l1CrossDomainMessenger() external view returns (address) {
        return otherMessenger;
    }

    function _sendMessage(address _to, uint64 _gasLimit, uint256 _value, bytes memory _data) internal override {
        IL2ToL1MessagePasserForMessenger(MESSAGE_PASSER).initiateWithdrawal{value: _value}(_to, _gasLimit, _data);
    }

    function _isOtherMessenger() internal view override returns (bool) {
        return OpTypes.undoL1ToL2Alias(msg.sender) == otherMessenger;
    }

    function _isUnsafeTarget(address _target) internal view override returns (bool) {
        return _target == address(this) || _target == MESSAGE_PASSER;
    }
}
