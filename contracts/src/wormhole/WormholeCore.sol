// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title WormholeCore
/// @notice The EVM side of the guardian network, after wormhole-foundation/wormhole
///         ethereum/contracts (Implementation.sol publishMessage, Messages.sol parseVM /
///         verifyVM / verifySignatures, Setters.sol expireGuardianSet, Governance.sol
///         submitNewGuardianSet). It does not stop replays: consumers (the token bridge) consume
///         each VAA by its hash. Message fees are zero on the devnet.
contract WormholeCore {
    struct Signature {
        bytes32 r;
        bytes32 s;
        uint8 v;
        uint8 guardianIndex;
    }

    struct VM {
        uint8 version;
        uint32 timestamp;
        uint32 nonce;
        uint16 emitterChainId;
        bytes32 emitterAddress;
        uint64 sequence;
        uint8 consistencyLevel;
        bytes payload;
        uint32 guardianSetIndex;
        Signature[] signatures;
        bytes32 hash;
    }

    struct GuardianSet {
        address[] keys;
        uint32 expirationTime;
    }

    event LogMessagePublished(
        address indexed sender, uint64 sequence, uint32 nonce, bytes payload, uint8 consistencyLevel
    );
    event GuardianSetAdded(uint32 indexed index);

    /// @notice Governance module "Core", left-padded to 32 bytes (GovernanceStructs.sol).
    bytes32 public constant CORE_MODULE = 0x00000000000000000000000000000000000000000000000000000000436f7265;
    /// @notice How long a replaced guardian set still verifies VAAs (Setters.sol: 86400 s).
    uint32 public constant GUARDIAN_SET_GRACE = 86400;

    uint16 public immutable chainId;
    uint16 public immutable governanceChainId;
    bytes32 public immutable governanceContract;

    uint32 private _currentGuardianSetIndex;
    mapping(uint32 => GuardianSet) private _guardianSets;
    mapping(address => uint64) private _sequences;
    mapping(bytes32 => bool) private _consumedGovernanceActions;

    constructor(address[] memory initialGuardians, uint16 chainId_, uint16 governanceChainId_, bytes32 governanceContract_) {
        require(initialGuardians.length > 0, "new guardian set is empty");
        chainId = chainId_;
        governanceChainId = governanceChainId_;
        governanceContract = governanceContract_;
        _guardianSets[0].keys = initialGuardians;
        emit GuardianSetAdded(0);
    }

    // ------------------------------------------------------------------ publishing
    /// @notice Publish `payload` for the guardians; returns the sender's sequence number.
    function publishMessage(uint32 nonce, bytes memory payload, uint8 consistencyLevel)
        public
        payable
        returns (uint64 sequence)
    {
        sequence = _sequences[msg.sender]++;
        emit LogMessagePublished(msg.sender, sequence, nonce, payload, consistencyLevel);
    }

    function nextSequence(address emitter) external view returns (uint64) {
        return _sequences[emitter];
    }

    function messageFee() external pure returns (uint256) {
        return 0;
    }

    // ------------------------------------------------------------------ guardian sets
    function getCurrentGuardianSetIndex() public view returns (uint32) {
        return _currentGuardianSetIndex;
    }

    function getGuardianSet(uint32 index) public view returns (GuardianSet memory) {
        return _guardianSets[index];
    }

    function getGuardianSetExpiry() external pure returns (uint32) {
        return GUARDIAN_SET_GRACE;
    }

    function governanceActionIsConsumed(bytes32 hash) external view returns (bool) {
        return _consumedGovernanceActions[hash];
    }

    /// @notice floor(2N/3) + 1 signatures of an N-guardian set (Messages.sol quorum).
    function quorum(uint256 numGuardians) public pure returns (uint256) {
        require(numGuardians < 256, "too many guardians");
        return ((numGuardians * 2) / 3) + 1;
    }

    // ------------------------------------------------------------------ VAAs
    function parseAndVerifyVM(bytes calldata encodedVM)
        public
        view
        returns (VM memory vm, bool valid, string memory reason)
    {
        vm = parseVM(encodedVM);
        (valid, reason) = verifyVM(vm);
    }

    function verifyVM(VM memory vm) public view returns (bool valid, string memory reason) {
        GuardianSet memory guardianSet = _guardianSets[vm.guardianSetIndex];
        if (guardianSet.keys.length == 0) return (false, "invalid guardian set");
        if (vm.guardianSetIndex != _currentGuardianSetIndex && guardianSet.expirationTime < block.timestamp) {
            return (false, "guardian set has expired");
        }
        if (vm.signatures.length < quorum(guardianSet.keys.length)) return (false, "no quorum");
        return verifySignatures(vm.hash, vm.signatures, guardianSet);
    }

    function verifySignatures(bytes32 hash, Signature[] memory signatures, GuardianSet memory guardianSet)
        public
        pure
        returns (bool valid, string memory reason)
    {
        uint8 lastIndex = 0;
        for (uint256 i = 0; i < signatures.length; i++) {
            Signature memory sig = signatures[i];
            if (i != 0 && sig.guardianIndex <= lastIndex) return (false, "signature indices must be ascending");
            lastIndex = sig.guardianIndex;
            if (sig.guardianIndex >= guardianSet.keys.length) return (false, "guardian index out of bounds");
            address signatory = ecrecover(hash, sig.v, sig.r, sig.s);
            if (signatory == address(0) || signatory != guardianSet.keys[sig.guardianIndex]) {
                return (false, "VM signature invalid");
            }
        }
        return (true, "");
    }

    /// @notice Parse a VAA (header, signatures, body); the hash is keccak256(keccak256(body)).
    function parseVM(bytes calldata encoded) public pure returns (VM memory vm) {
        require(encoded.length >= 6, "VM too short");
        vm.version = uint8(encoded[0]);
        require(vm.version == 1, "VM version incompatible");
        vm.guardianSetIndex = uint32(bytes4(encoded[1:5]));
        uint256 count = uint8(encoded[5]);
        uint256 index = 6;
        require(encoded.length >= index + count * 66 + 51, "VM too short");
        vm.signatures = new Signature[](count);
        for (uint256 i = 0; i < count; i++) {
            vm.signatures[i].guardianIndex = uint8(encoded[index]);
            vm.signatures[i].r = bytes32(encoded[index + 1:index + 33]);
            vm.signatures[i].s = bytes32(encoded[index + 33:index + 65]);
            vm.signatures[i].v = uint8(encoded[index + 65]) + 27;
            index += 66;
        }
        bytes calldata body = encoded[index:];
        vm.hash = keccak256(abi.encodePacked(keccak256(body)));
        vm.timestamp = uint32(bytes4(body[0:4]));
        vm.nonce = uint32(bytes4(body[4:8]));
        vm.emitterChainId = uint16(bytes2(body[8:10]));
        vm.emitterAddress = bytes32(body[10:42]);
        vm.sequence = uint64(bytes8(body[42:50]));
        vm.consistencyLevel = uint8(body[50]);
        vm.payload = body[51:];
    }

    // ------------------------------------------------------------------ governance
    /// @notice Install the next guardian set from a governance VAA signed by the current set;
    ///         the replaced set keeps verifying for GUARDIAN_SET_GRACE seconds.
    function submitNewGuardianSet(bytes calldata encodedVM) external {
        (VM memory vm, bool valid, string memory reason) = parseAndVerifyVM(encodedVM);
        require(valid, reason);
        require(vm.emitterChainId == governanceChainId, "wrong governance chain");
        require(vm.emitterAddress == governanceContract, "wrong governance contract");
        require(!_consumedGovernanceActions[vm.hash], "governance action already consumed");
        require(
            vm.guardianSetIndex == _currentGuardianSetIndex,
            "can only execute governance VAAs signed by the current guardian set"
        );
        bytes memory payload = vm.payload;
        require(payload.length >= 32 + 1 + 2 + 4 + 1, "invalid GuardianSetUpgrade");
        bytes32 module;
        assembly {
            module := mload(add(payload, 32))
        }
        require(module == CORE_MODULE, "invalid Module");
        require(uint8(payload[32]) == 2, "invalid GuardianSetUpgrade");
        uint16 chain = (uint16(uint8(payload[33])) << 8) | uint16(uint8(payload[34]));
        require(chain == chainId || chain == 0, "invalid Chain");
        uint32 newIndex = (uint32(uint8(payload[35])) << 24) | (uint32(uint8(payload[36])) << 16)
            | (uint32(uint8(payload[37])) << 8) | uint32(uint8(payload[38]));
        require(newIndex == _currentGuardianSetIndex + 1, "index must increase in steps of 1");
        uint256 n = uint8(payload[39]);
        require(n > 0, "new guardian set is empty");
        require(payload.length == 40 + n * 20, "invalid GuardianSetUpgrade");
        address[] memory keys = new address[](n);
        for (uint256 i = 0; i < n; i++) {
            uint256 offset = 40 + i * 20;
            bytes32 word;
            assembly {
                word := mload(add(add(payload, 32), offset))
            }
            keys[i] = address(bytes20(word));
        }
        _consumedGovernanceActions[vm.hash] = true;
        _guardianSets[_currentGuardianSetIndex].expirationTime = uint32(block.timestamp) + GUARDIAN_SET_GRACE;
        _guardianSets[newIndex].keys = keys;
        _currentGuardianSetIndex = newIndex;
        emit GuardianSetAdded(newIndex);
    }
}
