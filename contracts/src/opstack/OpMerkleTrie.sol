// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title OpRLPReader
/// @notice Reads RLP items in memory without copying the whole input: an item is a pointer and a
///         length, decoded on demand (Ethereum Yellow Paper, appendix B).
library OpRLPReader {
    struct Item {
        uint256 ptr;
        uint256 len;
    }

    function toItem(bytes memory _in) internal pure returns (Item memory item) {
        uint256 ptr;
        assembly {
            ptr := add(_in, 32)
        }
        item = Item(ptr, _in.length);
    }

    /// @return offset Bytes of prefix. @return payload Length of the payload. @return isList Kind.
    function header(Item memory _item) internal pure returns (uint256 offset, uint256 payload, bool isList) {
        require(_item.len > 0, "RLP: empty item");
        uint256 prefix = _byteAt(_item.ptr);
        if (prefix < 0x80) {
            return (0, 1, false);
        }
        if (prefix <= 0xb7) {
            offset = 1;
            payload = prefix - 0x80;
        } else if (prefix <= 0xbf) {
            uint256 lenOfLen = prefix - 0xb7;
            payload = _readLength(_item, lenOfLen);
            offset = 1 + lenOfLen;
        } else if (prefix <= 0xf7) {
            offset = 1;
            payload = prefix - 0xc0;
            isList = true;
        } else {
            uint256 lenOfLen = prefix - 0xf7;
            payload = _readLength(_item, lenOfLen);
            offset = 1 + lenOfLen;
            isList = true;
        }
        require(offset + payload <= _item.len, "RLP: item longer than its input");
    }

    function readList(Item memory _item) internal pure returns (Item[] memory items) {
        (uint256 offset, uint256 payload, bool isList) = header(_item);
        require(isList, "RLP: not a list");
        // A branch node has 17 items: enough for any node of a Merkle-Patricia trie.
        items = new Item[](17);
        uint256 count;
        uint256 ptr = _item.ptr + offset;
        uint256 end = ptr + payload;
        while (ptr < end) {
            require(count < 17, "RLP: list too long");
            Item memory sub = Item(ptr, end - ptr);
            (uint256 subOffset, uint256 subPayload,) = header(sub);
            sub.len = subOffset + subPayload;
            items[count++] = sub;
            ptr += sub.len;
        }
        require(ptr == end, "RLP: list payload mismatch");
        assembly {
            mstore(items, count)
        }
    }

    function readBytes(Item memory _item) internal pure returns (bytes memory) {
        (uint256 offset, uint256 payload, bool isList) = header(_item);
        require(!isList, "RLP: not a string");
        return _copy(_item.ptr + offset, payload);
    }

    /// @notice The item's whole encoding, prefix included (an embedded node's identity).
    function readRaw(Item memory _item) internal pure returns (bytes memory) {
        return _copy(_item.ptr, _item.len);
    }

    function _byteAt(uint256 _ptr) private pure returns (uint256 b) {
        assembly {
            b := byte(0, mload(_ptr))
        }
    }

    function _readLength(Item memory _item, uint256 _lenOfLen) private pure returns (uint256 len) {
        require(_lenOfLen <= 8 && _item.len > _lenOfLen, "RLP: bad length prefix");
        for (uint256 i = 1; i <= _lenOfLen; i++) {
            len = (len << 8) | _byteAt(_item.ptr + i);
        }
        require(len > 55, "RLP: non-canonical length");
    }

    function _copy(uint256 _src, uint256 _len) private pure returns (bytes memory out) {
        out = new bytes(_len);
        uint256 dest;
        assembly {
            dest := add(out, 32)
            mcopy(dest, _src, _len)
        }
    }
}

/// @title OpMerkleTrie
/// @notice Checks an inclusion proof in a secure Merkle-Patricia trie (keys hashed with keccak256),
///         the proof being the nodes from the root down, as eth_getProof returns them (EIP-1186).
///         OptimismPortal2 uses it to check `sentMessages[withdrawalHash] == true` in the
///         L2ToL1MessagePasser's storage trie.
library OpMerkleTrie {
    using OpRLPReader for OpRLPReader.Item;

    /// @notice Whether `_key` maps to `_value` under `_root` (secure trie: the path is keccak256(_key)).
    function verifySecureInclusion(
        bytes memory _key,
        bytes memory _value,
        bytes[] memory _proof,
        bytes32 _root
    )
        internal
        pure
        returns (bool)
    {
        (bool found, bytes memory value) = get(abi.encodePacked(keccak256(_key)), _proof, _root);
        return found && keccak256(value) == keccak256(_value);
    }

    /// @notice Walks `_proof` along `_path`; reverts on a proof that does not hang together.
    function get(bytes memory _path, bytes[] memory _proof, bytes32 _root)
        internal
        pure
        returns (bool found, bytes memory value)
    {
        bytes memory nibbles = _toNibbles(_path, 0);
        uint256 cursor = 0;
        bytes memory ref = abi.encodePacked(_root);
        for (uint256 i = 0; i < _proof.length; i++) {
            bytes memory node = _proof[i];
            if (i == 0 || ref.length == 32) {
                require(ref.length == 32 && keccak256(node) == bytes32(ref), "MerkleTrie: invalid node hash");
            } else {
                require(keccak256(node) == keccak256(ref), "MerkleTrie: invalid embedded node");
            }
            OpRLPReader.Item[] memory items = OpRLPReader.toItem(node).readList();
            if (items.length == 17) {
                if (cursor == nibbles.length) {
                    require(i == _proof.length - 1, "MerkleTrie: proof continues past its value");
                    value = items[16].readBytes();
                    return (value.length > 0, value);
                }
                OpRLPReader.Item memory child = items[uint8(nibbles[cursor])];
                cursor += 1;
                ref = _childRef(child);
                if (ref.length == 0) return (false, "");
            } else if (items.length == 2) {
                bytes memory encodedPath = items[0].readBytes();
                require(encodedPath.length > 0, "MerkleTrie: empty node path");
                uint8 flag = uint8(encodedPath[0]) >> 4;
                require(flag <= 3, "MerkleTrie: bad node path prefix");
                bytes memory pathNibbles = _toNibbles(encodedPath, flag % 2 == 1 ? 1 : 2);
                uint256 shared = _sharedPrefix(pathNibbles, nibbles, cursor);
                if (flag >= 2) {
                    // Leaf: the rest of the key must be its path exactly.
                    if (shared != pathNibbles.length || cursor + shared != nibbles.length) return (false, "");
                    require(i == _proof.length - 1, "MerkleTrie: proof continues past a leaf");
                    return (true, items[1].readBytes());
                }
                // Extension: the key must run through its whole path.
                if (shared != pathNibbles.length) return (false, "");
                cursor += shared;
                ref = _childRef(items[1]);
            } else {
                revert("MerkleTrie: node is neither a branch nor a leaf or extension");
            }
        }
        revert("MerkleTrie: proof ends before the key");
    }

    /// @notice A child reference: a 32-byte hash, or an embedded node (its RLP, under 32 bytes).
    function _childRef(OpRLPReader.Item memory _child) private pure returns (bytes memory) {
        (, , bool isList) = _child.header();
        if (isList) return _child.readRaw();
        bytes memory hash = _child.readBytes();
        require(hash.length == 0 || hash.length == 32, "MerkleTrie: bad child reference");
        return hash;
    }

    function _toNibbles(bytes memory _in, uint256 _skip) private pure returns (bytes memory out) {
        out = new bytes(_in.length * 2 - _skip);
        for (uint256 i = _skip; i < _in.length * 2; i++) {
            uint8 b = uint8(_in[i / 2]);
            out[i - _skip] = bytes1(i % 2 == 0 ? b >> 4 : b & 0x0f);
        }
    }

    function _sharedPrefix(bytes memory _a, bytes memory _key, uint256 _from) private pure returns (uint256 n) {
        while (n < _a.length && _from + n < _key.length && _a[n] == _key[_from + n]) n++;
    }
}
