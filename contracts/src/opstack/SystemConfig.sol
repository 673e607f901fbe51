// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title SystemConfig
/// @notice One OP Stack rollup's configuration on its parent: who posts batches (batcherHash), the
///         L1 fee scalars, the unsafe block signer, the child's gas limit, and where the rollup's
///         other system contracts are. Interface of ethereum-optimism/optimism
///         packages/contracts-bedrock/src/L1/SystemConfig.sol; update semantics of
///         ethereum-optimism/specs specs/protocol/system-config.md.
/// @dev    Laid in genesis with every setting in storage (slots in declaration order), so no
///         constructor runs. Derivation reads `batcherHash()` and `scalar()` at each L1 origin and
///         puts them into the child's L1Block, so an owner's update reaches the child from the next
///         origin on, as op-node applies ConfigUpdate logs. The child's gas limit is fixed at
///         genesis on this devnet: there is no `setGasLimit`.
/// @custom:invariant Only the owner changes a setting, and every change emits ConfigUpdate.
contract SystemConfig {
    /// @notice The kinds of update op-node derives from ConfigUpdate (specs: system-config.md).
    enum UpdateType {
        BATCHER,
        FEE_SCALARS,
        GAS_LIMIT,
        UNSAFE_BLOCK_SIGNER
    }

    /// @notice The ConfigUpdate log format version op-node reads.
    uint256 public constant VERSION = 0;

    address public owner;
    bytes32 public batcherHash;
    uint64 public gasLimit;
    uint32 public basefeeScalar;
    uint32 public blobbasefeeScalar;
    address public unsafeBlockSigner;
    uint256 public startBlock;
    address public optimismPortal;
    address public l1CrossDomainMessenger;
    address public l1StandardBridge;
    address public disputeGameFactory;
    address public batchInbox;

    event ConfigUpdate(uint256 indexed version, UpdateType indexed updateType, bytes data);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    error NotOwner(address caller);
    error ZeroOwner();

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    function version() external pure returns (string memory) {
        return "2.3.0+cortensor-sim";
    }

    /// @notice The Ecotone fee scalar as L1Block receives it: version byte 1, then the blob base
    ///         fee scalar and the base fee scalar in the low 8 bytes.
    function scalar() public view returns (uint256) {
        return (uint256(0x01) << 248) | (uint256(blobbasefeeScalar) << 32) | uint256(basefeeScalar);
    }

    /// @notice The legacy fee overhead, zero since Ecotone.
    function overhead() external pure returns (uint256) {
        return 0;
    }

    function setBatcherHash(bytes32 _batcherHash) external onlyOwner {
        batcherHash = _batcherHash;
        emit ConfigUpdate(VERSION, UpdateType.BATCHER, abi.encode(_batcherHash));
    }

    function setGasConfigEcotone(uint32 _basefeeScalar, uint32 _blobbasefeeScalar) external onlyOwner {
        basefeeScalar = _basefeeScalar;
        blobbasefeeScalar = _blobbasefeeScalar;
        emit ConfigUpdate(VERSION, UpdateType.FEE_SCALARS, abi.encode(uint256(0), scalar()));
    }

    function setUnsafeBlockSigner(address _unsafeBlockSigner) external onlyOwner {
        unsafeBlockSigner = _unsafeBlockSigner;
        emit ConfigUpdate(VERSION, UpdateType.UNSAFE_BLOCK_SIGNER, abi.encode(_unsafeBlockSigner));
    }

    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroOwner();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }
}
