// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IArbSys, applyL1ToL2Alias, undoL1ToL2Alias} from "../nitro/NitroInterfaces.sol";

/// @title ArbSysPrecompile
/// @notice Nitro's ArbSys (address 0x64) as EVM code, for an engine that cannot call a precompile
///         written in Python during execution (revm through pyrevm). On py-evm the same interface is
///         answered by cortensor_sim/rollups/nitro/arbsys.py; both keep the send Merkle accumulator
///         in the same storage slots of 0x64, so NodeInterface and every reader see one layout.
/// @dev Interface: OffchainLabs/nitro-precompile-interfaces ArbSys.sol; behaviour: OffchainLabs/nitro
///      precompiles/ArbSys.go and arbos/merkleAccumulator/merkleAccumulator.go.
///
///      What ArbOS knows natively and EVM code cannot see (the chain's own block number, whether
///      the transaction is a message from the parent chain, the transaction's top-level target)
///      the engine hands over in the CONTEXT slots below, which it writes into the EVM's database
///      before each message and never into the chain's state (no state root, proof or state file
///      holds them). The value sent with sendTxToL1 stays at 0x64 until the transaction ends;
///      the engine then burns it, as ArbOS burns it at once.
///
///      Frames: Nitro answers isTopLevelCall, wasMyCallersAddressAliased and
///      myCallersAddressWithoutAliasing from the EVM's call stack. EVM code sees only its caller, so
///      "my caller's caller" is the transaction's origin when the caller is the top-level target
///      and, one frame deeper, the top-level target itself. Both are exact up to that depth unless
///      the top-level target is re-entered; deeper, myCallersAddressWithoutAliasing answers the
///      top-level target where Nitro answers the caller's caller.
contract ArbSysPrecompile is IArbSys {
    /// @dev The accumulator's slots: keccak256(name ++ key), as arbsys.py's slot_of derives them.
    bytes32 internal constant SIZE_SLOT = keccak256("arbsys.send.size");
    /// @dev The engine's context slots (read only here; see the contract's notes).
    bytes32 internal constant ARB_BLOCK_NUMBER_SLOT = keccak256("arbos.context.arbBlockNumber");
    bytes32 internal constant DEPOSIT_SLOT = keccak256("arbos.context.deposit");
    bytes32 internal constant TOP_LEVEL_TARGET_SLOT = keccak256("arbos.context.topLevelTarget");

    // ------------------------------------------------------------------ chain facts
    function arbBlockNumber() external view returns (uint256) {
        return _load(ARB_BLOCK_NUMBER_SLOT);
    }

    /// @notice The hash revm's BLOCKHASH gives the block (keccak256 of its number in decimal:
    ///         pyrevm cannot set block hashes), within the last 256 blocks as on Nitro.
    function arbBlockHash(uint256 arbBlockNum) external view returns (bytes32) {
        uint256 current = _load(ARB_BLOCK_NUMBER_SLOT);
        if (!(arbBlockNum < current && arbBlockNum + 256 >= current)) revert();
        return keccak256(bytes(_decimal(arbBlockNum)));
    }

    function arbChainID() external view returns (uint256) {
        return block.chainid;
    }

    function getStorageGasAvailable() external pure returns (uint256) {
        return 0;
    }

    // ------------------------------------------------------------------ who is calling
    function isTopLevelCall() external view returns (bool) {
        return msg.sender == tx.origin || msg.sender == _topLevelTarget();
    }

    function wasMyCallersAddressAliased() public view returns (bool) {
        return _load(DEPOSIT_SLOT) == 1 && (msg.sender == tx.origin || msg.sender == _topLevelTarget());
    }

    function myCallersAddressWithoutAliasing() external view returns (address) {
        address callersCaller;
        if (msg.sender == tx.origin) {
            callersCaller = address(0);
        } else if (msg.sender == _topLevelTarget()) {
            callersCaller = tx.origin;
        } else {
            callersCaller = _topLevelTarget();
        }
        if (wasMyCallersAddressAliased()) {
            callersCaller = undoL1ToL2Alias(callersCaller);
        }
        return callersCaller;
    }

    function mapL1SenderContractAddressToL2Alias(address sender, address) external pure returns (address) {
        return applyL1ToL2Alias(sender);
    }

    // ------------------------------------------------------------------ messages to the parent chain
    function sendTxToL1(address destination, bytes calldata data) external payable returns (uint256) {
        return _send(destination, data);
    }

    function withdrawEth(address destination) external payable returns (uint256) {
        return _send(destination, "");
    }

    function _send(address destination, bytes memory data) internal returns (uint256) {
        uint256 arbBlock = _load(ARB_BLOCK_NUMBER_SLOT);
        bytes32 item = keccak256(
            abi.encodePacked(msg.sender, destination, arbBlock, block.number, block.timestamp, msg.value, data)
        );
        uint256 size = _load(SIZE_SLOT);
        bytes32 soFar = keccak256(abi.encodePacked(item));
        uint256 level = 0;
        while (true) {
            bytes32 slot = _partialSlot(level);
            bytes32 partialRoot = bytes32(_load(slot));
            if (partialRoot == bytes32(0)) {
                _store(slot, uint256(soFar));
                break;
            }
            soFar = keccak256(abi.encodePacked(partialRoot, soFar));
            _store(slot, 0);
            level += 1;
            emit SendMerkleUpdate(0, soFar, (level << 192) | size);
        }
        _store(SIZE_SLOT, size + 1);
        _store(_itemSlot(size), uint256(item));
        emit L2ToL1Tx(
            msg.sender, destination, uint256(item), size, arbBlock, block.number, block.timestamp, msg.value, data
        );
        return size;
    }

    function sendMerkleTreeState() external view returns (uint256 size, bytes32 root, bytes32[] memory partials) {
        size = _load(SIZE_SLOT);
        if (size == 0) return (0, bytes32(0), new bytes32[](0));
        partials = new bytes32[](_treeDepth(size) + 1);
        for (uint256 level = 0; level < partials.length; level++) {
            partials[level] = bytes32(_load(_partialSlot(level)));
        }
        root = _accumulatorRoot(partials);
    }

    // ------------------------------------------------------------------ helpers
    function _accumulatorRoot(bytes32[] memory partials) internal pure returns (bytes32 soFar) {
        uint256 covered = 0;
        for (uint256 level = 0; level < partials.length; level++) {
            bytes32 partialRoot = partials[level];
            if (partialRoot == bytes32(0)) continue;
            uint256 capacity = uint256(1) << level;
            if (covered == 0) {
                (soFar, covered) = (partialRoot, capacity);
                continue;
            }
            while (covered < capacity) {
                soFar = keccak256(abi.encodePacked(soFar, bytes32(0)));
                covered *= 2;
            }
            soFar = keccak256(abi.encodePacked(partialRoot, soFar));
            covered = 2 * capacity;
        }
    }

    function _treeDepth(uint256 size) internal pure returns (uint256 depth) {
        uint256 rest = size - 1;
        while (rest != 0) {
            depth += 1;
            rest >>= 1;
        }
    }

    function _partialSlot(uint256 level) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked("arbsys.send.partial", level));
    }

    function _itemSlot(uint256 index) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked("arbsys.send.item", index));
    }

    function _topLevelTarget() internal view returns (address) {
        return address(uint160(_load(TOP_LEVEL_TARGET_SLOT)));
    }

    function _load(bytes32 slot) internal view returns (uint256 value) {
        assembly {
            value := sload(slot)
        }
    }

    function _store(bytes32 slot, uint256 value) internal {
        assembly {
            sstore(slot, value)
        }
    }

    function _decimal(uint256 value) internal pure returns (string memory) {
        if (value == 0) return "0";
        uint256 digits;
        for (uint256 rest = value; rest != 0; rest /= 10) digits++;
        bytes memory text = new bytes(digits);
        for (; value != 0; value /= 10) text[--digits] = bytes1(uint8(48 + (value % 10)));
        return string(text);
    }
}
