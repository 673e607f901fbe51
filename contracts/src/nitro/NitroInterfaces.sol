// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

// The parts of Arbitrum Nitro's interfaces that contracts on either side of a Nitro chain call,
// with the signatures of OffchainLabs/nitro-contracts (src/bridge/IBridge.sol, IOutbox.sol,
// IInbox.sol) and OffchainLabs/nitro-precompile-interfaces (ArbSys.sol).

/// @notice ArbSys, the precompile at 0x64 on every Nitro and Orbit chain.
interface IArbSys {
    function arbBlockNumber() external view returns (uint256);
    function arbBlockHash(uint256 arbBlockNum) external view returns (bytes32);
    function arbChainID() external view returns (uint256);
    function isTopLevelCall() external view returns (bool);
    function wasMyCallersAddressAliased() external view returns (bool);
    function myCallersAddressWithoutAliasing() external view returns (address);
    function sendTxToL1(address destination, bytes calldata data) external payable returns (uint256);
    function withdrawEth(address destination) external payable returns (uint256);
    function sendMerkleTreeState() external view returns (uint256 size, bytes32 root, bytes32[] memory partials);

    event L2ToL1Tx(
        address caller,
        address indexed destination,
        uint256 indexed hash,
        uint256 indexed position,
        uint256 arbBlockNum,
        uint256 ethBlockNum,
        uint256 timestamp,
        uint256 callvalue,
        bytes data
    );
    /// @notice A node of the send accumulator, emitted as sendTxToL1 merges partial roots.
    event SendMerkleUpdate(uint256 indexed reserved, bytes32 indexed hash, uint256 indexed position);
}

interface IBridge {
    function activeOutbox() external view returns (address);
    function allowedDelayedInboxes(address inbox) external view returns (bool);
    function allowedOutboxes(address outbox) external view returns (bool);
    function delayedMessageCount() external view returns (uint256);
    function sequencerMessageCount() external view returns (uint256);
    function delayedInboxAccs(uint256 index) external view returns (bytes32);
    function sequencerInboxAccs(uint256 index) external view returns (bytes32);
    function sequencerInbox() external view returns (address);
    function rollup() external view returns (address);
    function nativeToken() external view returns (address);

    function enqueueDelayedMessage(uint8 kind, address sender, bytes32 messageDataHash)
        external
        payable
        returns (uint256);

    function enqueueSequencerMessage(
        bytes32 dataHash,
        uint256 afterDelayedMessagesRead,
        uint256 prevMessageCount,
        uint256 newMessageCount
    ) external returns (uint256 seqMessageIndex, bytes32 beforeAcc, bytes32 delayedAcc, bytes32 acc);

    function executeCall(address to, uint256 value, bytes calldata data)
        external
        returns (bool success, bytes memory returnData);
}

/// @notice The Inbox's retryable entry point and its fee quote (nitro-contracts IInbox.sol and
///         IInboxBase.sol), as the parent-side contracts that send retryables call it.
interface IInbox {
    function createRetryableTicket(
        address to,
        uint256 l2CallValue,
        uint256 maxSubmissionCost,
        address excessFeeRefundAddress,
        address callValueRefundAddress,
        uint256 gasLimit,
        uint256 maxFeePerGas,
        bytes calldata data
    ) external payable returns (uint256);

    function calculateRetryableSubmissionFee(uint256 dataLength, uint256 baseFee) external view returns (uint256);
}

interface IOutbox {
    function l2ToL1Sender() external view returns (address);
    function l2ToL1Block() external view returns (uint256);
    function l2ToL1EthBlock() external view returns (uint256);
    function l2ToL1Timestamp() external view returns (uint256);
    function l2ToL1OutputId() external view returns (bytes32);
    function updateSendRoot(bytes32 sendRoot, bytes32 l2BlockHash) external;
}

// Arbitrum's address aliasing (nitro-contracts src/libraries/AddressAliasHelper.sol), as free
// functions so that no library artifact's name can clash with another stack's helper.
uint160 constant ALIAS_OFFSET = uint160(0x1111000000000000000000000000000000001111);

function applyL1ToL2Alias(address l1Address) pure returns (address l2Address) {
    unchecked {
        l2Address = address(uint160(l1Address) + ALIAS_OFFSET);
    }
}

function undoL1ToL2Alias(address l2Address) pure returns (address l1Address) {
    unchecked {
        l1Address = address(uint160(l2Address) - ALIAS_OFFSET);
    }
}

// Delayed-inbox message kinds (nitro-contracts src/libraries/MessageTypes.sol).
uint8 constant L2_MESSAGE_KIND = 3;
uint8 constant SUBMIT_RETRYABLE_TX_KIND = 9;
uint8 constant ETH_DEPOSIT_KIND = 12;
