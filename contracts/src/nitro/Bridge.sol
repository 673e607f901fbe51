// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IBridge} from "./NitroInterfaces.sol";

/// @title Bridge
/// @notice The parent-chain end of a Nitro chain: it holds the child's escrowed native currency,
///         keeps the delayed inbox and sequencer inbox accumulators, and makes the calls that
///         executed withdrawals carry (so their target sees the Bridge as msg.sender).
///         After OffchainLabs/nitro-contracts src/bridge/AbsBridge.sol and Bridge.sol (ETH as the
///         child's currency; ERC20Bridge holds a token instead).
contract Bridge is IBridge {
    struct InOutInfo {
        uint256 index;
        bool allowed;
    }

    error NotDelayedInbox(address sender);
    error NotSequencerInbox(address sender);
    error NotOutbox(address sender);
    error NotOwner(address sender, address owner);
    error NotContract(address addr);
    error BadSequencerMessageNumber(uint256 stored, uint256 received);

    event MessageDelivered(
        uint256 indexed messageIndex,
        bytes32 indexed beforeInboxAcc,
        address inbox,
        uint8 kind,
        address sender,
        bytes32 messageDataHash,
        uint256 baseFeeL1,
        uint64 timestamp
    );
    event BridgeCallTriggered(address indexed outbox, address indexed to, uint256 value, bytes data);
    event InboxToggle(address indexed inbox, bool enabled);
    event OutboxToggle(address indexed outbox, bool enabled);
    event SequencerInboxUpdated(address newSequencerInbox);

    /// @dev What activeOutbox() holds outside an execution (nitro-contracts' EMPTY_ACTIVEOUTBOX).
    address private constant EMPTY_ACTIVEOUTBOX = address(type(uint160).max);

    address public immutable owner;
    address public rollup;
    address public sequencerInbox;
    mapping(address => InOutInfo) internal _allowedDelayedInboxes;
    mapping(address => InOutInfo) private _allowedOutboxes;
    address[] public allowedDelayedInboxList;
    address[] public allowedOutboxList;
    address private _activeOutbox = EMPTY_ACTIVEOUTBOX;
    bytes32[] public delayedInboxAccs;
    bytes32[] public sequencerInboxAccs;
    uint256 public sequencerReportedSubMessageCount;

    constructor() {
        owner = msg.sender;
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender, owner);
        _;
    }

    // ------------------------------------------------------------------ wiring
    function setRollup(address rollup_) external onlyOwner {
        rollup = rollup_;
    }

    function setSequencerInbox(address inbox) external onlyOwner {
        sequencerInbox = inbox;
        emit SequencerInboxUpdated(inbox);
    }

    function setDelayedInbox(address inbox, bool enabled) external onlyOwner {
        InOutInfo storage info = _allowedDelayedInboxes[inbox];
        if (info.allowed == enabled) return;
        emit InboxToggle(inbox, enabled);
        if (enabled) {
            _allowedDelayedInboxes[inbox] = InOutInfo(allowedDelayedInboxList.length, true);
            allowedDelayedInboxList.push(inbox);
        } else {
            _removeFrom(allowedDelayedInboxList, _allowedDelayedInboxes, inbox);
        }
    }

    function setOutbox(address outbox, bool enabled) external onlyOwner {
        if (outbox == EMPTY_ACTIVEOUTBOX) revert NotContract(outbox);
        InOutInfo storage info = _allowedOutboxes[outbox];
        if (info.allowed == enabled) return;
        emit OutboxToggle(outbox, enabled);
        if (enabled) {
            _allowedOutboxes[outbox] = InOutInfo(allowedOutboxList.length, true);
            allowedOutboxList.push(outbox);
        } else {
            _removeFrom(allowedOutboxList, _allowedOutboxes, outbox);
        }
    }

    function _removeFrom(address[] storage list, mapping(address => InOutInfo) storage infos, address item)
        private
    {
        uint256 index = infos[item].index;
        address last = list[list.length - 1];
        list[index] = last;
        infos[last].index = index;
        list.pop();
        delete infos[item];
    }

    // ------------------------------------------------------------------ reading
    function allowedDelayedInboxes(address inbox) external view returns (bool) {
        return _allowedDelayedInboxes[inbox].allowed;
    }

    function allowedOutboxes(address outbox) external view returns (bool) {
        return _allowedOutboxes[outbox].allowed;
    }

    /// @notice The Outbox whose executeTransaction is running, or zero outside one.
    function activeOutbox() external view returns (address) {
        address outbox = _activeOutbox;
        return outbox == EMPTY_ACTIVEOUTBOX ? address(0) : outbox;
    }

    function delayedMessageCount() external view returns (uint256) {
        return delayedInboxAccs.length;
    }

    function sequencerMessageCount() external view returns (uint256) {
        return sequencerInboxAccs.length;
    }

    /// @notice The child's native currency on this chain: zero, for ETH.
    function nativeToken() external view virtual returns (address) {
        return address(0);
    }

    // ------------------------------------------------------------------ messages in
    /// @notice Append a message to the delayed inbox; only an allowed inbox may.
    function enqueueDelayedMessage(uint8 kind, address sender, bytes32 messageDataHash)
        external
        payable
        virtual
        returns (uint256)
    {
        if (!_allowedDelayedInboxes[msg.sender].allowed) revert NotDelayedInbox(msg.sender);
        return _enqueueDelayedMessage(kind, sender, messageDataHash, msg.value);
    }

    function _enqueueDelayedMessage(uint8 kind, address sender, bytes32 messageDataHash, uint256)
        internal
        returns (uint256)
    {
        uint256 count = delayedInboxAccs.length;
        uint256 baseFee = _baseFeeToReport();
        bytes32 messageHash = keccak256(
            abi.encodePacked(
                kind, sender, uint64(block.number), uint64(block.timestamp), count, baseFee, messageDataHash
            )
        );
        bytes32 prevAcc = count > 0 ? delayedInboxAccs[count - 1] : bytes32(0);
        delayedInboxAccs.push(keccak256(abi.encodePacked(prevAcc, messageHash)));
        emit MessageDelivered(
            count, prevAcc, msg.sender, kind, sender, messageDataHash, baseFee, uint64(block.timestamp)
        );
        return count;
    }

    /// @dev The parent base fee a message reports (what the child prices retryable submissions at).
    function _baseFeeToReport() internal view virtual returns (uint256) {
        return block.basefee;
    }

    /// @notice Append a batch's accumulator entry; only the sequencer inbox may.
    function enqueueSequencerMessage(
        bytes32 dataHash,
        uint256 afterDelayedMessagesRead,
        uint256 prevMessageCount,
        uint256 newMessageCount
    ) external returns (uint256 seqMessageIndex, bytes32 beforeAcc, bytes32 delayedAcc, bytes32 acc) {
        if (msg.sender != sequencerInbox) revert NotSequencerInbox(msg.sender);
        if (sequencerReportedSubMessageCount != prevMessageCount && prevMessageCount != 0) {
            revert BadSequencerMessageNumber(sequencerReportedSubMessageCount, prevMessageCount);
        }
        sequencerReportedSubMessageCount = newMessageCount;
        seqMessageIndex = sequencerInboxAccs.length;
        if (seqMessageIndex > 0) beforeAcc = sequencerInboxAccs[seqMessageIndex - 1];
        if (afterDelayedMessagesRead > 0) delayedAcc = delayedInboxAccs[afterDelayedMessagesRead - 1];
        acc = keccak256(abi.encodePacked(beforeAcc, dataHash, delayedAcc));
        sequencerInboxAccs.push(acc);
    }

    // ------------------------------------------------------------------ messages out
    /// @notice Make a withdrawal's call; only an allowed Outbox may (the target sees this Bridge).
    function executeCall(address to, uint256 value, bytes calldata data)
        external
        returns (bool success, bytes memory returnData)
    {
        if (!_allowedOutboxes[msg.sender].allowed) revert NotOutbox(msg.sender);
        if (data.length > 0 && to.code.length == 0) revert NotContract(to);
        address prevOutbox = _activeOutbox;
        _activeOutbox = msg.sender;
        (success, returnData) = _executeLowLevelCall(to, value, data);
        _activeOutbox = prevOutbox;
        emit BridgeCallTriggered(msg.sender, to, value, data);
    }

    function _executeLowLevelCall(address to, uint256 value, bytes calldata data)
        internal
        virtual
        returns (bool success, bytes memory returnData)
    {
        // solhint-disable-next-line avoid-low-level-calls
        (success, returnData) = to.call{value: value}(data);
    }
}
