// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IBridge} from "./NitroInterfaces.sol";

/// @title SequencerInbox
/// @notice Where the batch poster posts a Nitro chain's transactions to its parent: brotli-compressed
///         batches (header byte 0x00), or, on an AnyTrust chain, a data-availability certificate
///         (header byte 0x80) whose keyset must be one the owner declared valid. Each batch's hash
///         goes into the Bridge's sequencer accumulator. After OffchainLabs/nitro-contracts
///         src/bridge/SequencerInbox.sol.
///
///         As on Nitro, the certificate's signatures are not checked here but by the child's nodes
///         (validators) when they read the batch; this contract checks its keyset.
contract SequencerInbox {
    struct TimeBounds {
        uint64 minTimestamp;
        uint64 maxTimestamp;
        uint64 minBlockNumber;
        uint64 maxBlockNumber;
    }

    enum BatchDataLocation {
        TxInput,
        SeparateBatchEvent,
        NoData,
        Blob
    }

    error NotBatchPoster();
    error NotOrigin();
    error NotOwner(address sender);
    error BadSequencerNumber(uint256 stored, uint256 received);
    error NoSuchKeyset(bytes32 keysetHash);
    error InvalidHeaderFlag(bytes1 flag);
    error EmptyBatchData();

    event SequencerBatchDelivered(
        uint256 indexed batchSequenceNumber,
        bytes32 indexed beforeAcc,
        bytes32 indexed afterAcc,
        bytes32 delayedAcc,
        uint256 afterDelayedMessagesRead,
        TimeBounds timeBounds,
        BatchDataLocation dataLocation
    );
    event SetValidKeyset(bytes32 indexed keysetHash, bytes keysetBytes);
    event InvalidateKeyset(bytes32 indexed keysetHash);

    bytes1 public constant BROTLI_MESSAGE_HEADER_FLAG = 0x00;
    bytes1 public constant DAS_MESSAGE_HEADER_FLAG = 0x80;
    /// @notice How far a batch's time bounds reach around its parent block (maxTimeVariation).
    uint64 public constant DELAY_BLOCKS = 5760;
    uint64 public constant FUTURE_BLOCKS = 12;
    uint64 public constant DELAY_SECONDS = 86400;
    uint64 public constant FUTURE_SECONDS = 3600;

    IBridge public immutable bridge;
    address public immutable owner;
    mapping(address => bool) public isBatchPoster;
    mapping(bytes32 => bool) public isValidKeysetHash;

    constructor(IBridge bridge_) {
        bridge = bridge_;
        owner = msg.sender;
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    function setIsBatchPoster(address poster, bool allowed) external onlyOwner {
        isBatchPoster[poster] = allowed;
    }

    /// @notice Declare a data-availability committee's keyset valid; its hash is
    ///         keccak256(0xfe ++ keccak256(keysetBytes)), as Nitro's.
    function setValidKeyset(bytes calldata keysetBytes) external onlyOwner {
        bytes32 keysetHash = keccak256(bytes.concat(hex"fe", keccak256(keysetBytes)));
        isValidKeysetHash[keysetHash] = true;
        emit SetValidKeyset(keysetHash, keysetBytes);
    }

    function invalidateKeysetHash(bytes32 keysetHash) external onlyOwner {
        if (!isValidKeysetHash[keysetHash]) revert NoSuchKeyset(keysetHash);
        isValidKeysetHash[keysetHash] = false;
        emit InvalidateKeyset(keysetHash);
    }

    function addSequencerL2BatchFromOrigin(
        uint256 sequenceNumber,
        bytes calldata data,
        uint256 afterDelayedMessagesRead,
        address, /* gasRefunder: no refunds on the devnet */
        uint256 prevMessageCount,
        uint256 newMessageCount
    ) external {
        if (msg.sender != tx.origin) revert NotOrigin();
        if (!isBatchPoster[msg.sender]) revert NotBatchPoster();
        if (data.length == 0) revert EmptyBatchData();
        bytes1 flag = data[0];
        if (flag == DAS_MESSAGE_HEADER_FLAG) {
            bytes32 keysetHash = data.length >= 33 ? bytes32(data[1:33]) : bytes32(0);
            if (!isValidKeysetHash[keysetHash]) revert NoSuchKeyset(keysetHash);
        } else if (flag != BROTLI_MESSAGE_HEADER_FLAG) {
            revert InvalidHeaderFlag(flag);
        }
        TimeBounds memory bounds = _timeBounds();
        bytes32 dataHash = keccak256(
            abi.encodePacked(
                bounds.minTimestamp,
                bounds.maxTimestamp,
                bounds.minBlockNumber,
                bounds.maxBlockNumber,
                uint64(afterDelayedMessagesRead),
                data
            )
        );
        (uint256 seqMessageIndex, bytes32 beforeAcc, bytes32 delayedAcc, bytes32 afterAcc) =
            bridge.enqueueSequencerMessage(dataHash, afterDelayedMessagesRead, prevMessageCount, newMessageCount);
        if (seqMessageIndex != sequenceNumber) revert BadSequencerNumber(seqMessageIndex, sequenceNumber);
        emit SequencerBatchDelivered(
            seqMessageIndex, beforeAcc, afterAcc, delayedAcc, afterDelayedMessagesRead, bounds, BatchDataLocation.TxInput
        );
    }

    function _timeBounds() internal view returns (TimeBounds memory bounds) {
        bounds.minTimestamp = block.timestamp > DELAY_SECONDS ? uint64(block.timestamp - DELAY_SECONDS) : 0;
        bounds.maxTimestamp = uint64(block.timestamp + FUTURE_SECONDS);
        bounds.minBlockNumber = block.number > DELAY_BLOCKS ? uint64(block.number - DELAY_BLOCKS) : 0;
        bounds.maxBlockNumber = uint64(block.number + FUTURE_BLOCKS);
    }
}
