// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {OpTypes} from "./OpTypes.sol";
import {OpMerkleTrie} from "./OpMerkleTrie.sol";
import {DisputeGameFactory, GameStatus, IDisputeGame} from "./DisputeGames.sol";

/// @title OptimismPortal2
/// @notice The parent-side door of an OP Stack rollup: deposits go in through `depositTransaction`
///         (read by derivation from `TransactionDeposited`), withdrawals come out proven against a
///         dispute game's output root and finalized after the proof matured and the game resolved
///         (ethereum-optimism/optimism packages/contracts-bedrock/src/L1/OptimismPortal2.sol;
///         specs/protocol/deposits.md, withdrawals.md). Proofs are kept per submitter, as in
///         OptimismPortal2 3.x. Not modelled: ResourceMetering's deposit gas market, the guardian's
///         pause and blacklist.
///         Configuration is storage, laid in genesis (slots 4-8), so the runtime code can sit there.
contract OptimismPortal2 {
    struct ProvenWithdrawal {
        IDisputeGame disputeGameProxy;
        uint64 timestamp;
    }

    uint256 internal constant DEPOSIT_VERSION = 0;
    uint64 internal constant RECEIVE_DEFAULT_GAS_LIMIT = 100_000;
    uint256 internal constant MAX_DEPOSIT_DATA = 120_000;

    // slot 0: the L2 sender while a withdrawal executes, DEFAULT_L2_SENDER otherwise
    address public l2Sender;
    // slot 1
    mapping(bytes32 => bool) public finalizedWithdrawals;
    // slot 2
    mapping(bytes32 => mapping(address => ProvenWithdrawal)) public provenWithdrawals;
    // slot 3
    mapping(bytes32 => address[]) public proofSubmitters;
    // slot 4
    DisputeGameFactory public disputeGameFactory;
    // slot 5
    address public systemConfig;
    // slot 6
    uint256 public proofMaturityDelaySeconds;
    // slot 7
    uint256 public disputeGameFinalityDelaySeconds;
    // slot 8 (last, so that nothing packs into its slot)
    uint32 public respectedGameType;

    event TransactionDeposited(address indexed from, address indexed to, uint256 indexed version, bytes opaqueData);
    event WithdrawalProven(bytes32 indexed withdrawalHash, address indexed from, address indexed to);
    event WithdrawalProvenExtension1(bytes32 indexed withdrawalHash, address indexed proofSubmitter);
    event WithdrawalFinalized(bytes32 indexed withdrawalHash, bool success);

    /// @notice An EOA's plain ETH transfer deposits to its own address on L2.
    receive() external payable {
        depositTransaction(msg.sender, msg.value, RECEIVE_DEFAULT_GAS_LIMIT, false, bytes(""));
    }

    function version() external pure returns (string memory) {
        return "3.10.0-devnet";
    }

    /// @notice The least gas a deposit of `_byteCount` bytes of calldata may ask for.
    function minimumGasLimit(uint64 _byteCount) public pure returns (uint64) {
        return _byteCount * 40 + 21000;
    }

    /// @notice Sends a transaction to L2; its sender there is msg.sender, aliased if it is a contract.
    function depositTransaction(address _to, uint256 _value, uint64 _gasLimit, bool _isCreation, bytes memory _data)
        public
        payable
    {
        require(!_isCreation || _to == address(0), "OptimismPortal: must send to address(0) when creating a contract");
        require(_gasLimit >= minimumGasLimit(uint64(_data.length)), "OptimismPortal: gas limit too small");
        require(_data.length <= MAX_DEPOSIT_DATA, "OptimismPortal: data too large");
        address from = msg.sender;
        if (msg.sender != tx.origin) from = OpTypes.applyL1ToL2Alias(msg.sender);
        bytes memory opaqueData = abi.encodePacked(msg.value, _value, _gasLimit, _isCreation, _data);
        emit TransactionDeposited(from, _to, DEPOSIT_VERSION, opaqueData);
    }

    /// @notice Proves that L2ToL1MessagePasser on L2 holds `sentMessages[hash(_tx)] == true` under
    ///         the output root the game `_disputeGameIndex` claims.
    function proveWithdrawalTransaction(
        OpTypes.WithdrawalTransaction memory _tx,
        uint256 _disputeGameIndex,
        OpTypes.OutputRootProof calldata _outputRootProof,
        bytes[] calldata _withdrawalProof
    )
        external
    {
        require(_tx.target != address(this), "OptimismPortal: you cannot send messages to the portal contract");
        (uint32 gameType,, IDisputeGame gameProxy) = disputeGameFactory.gameAtIndex(_disputeGameIndex);
        require(gameType == respectedGameType, "OptimismPortal: invalid game type");
        require(gameProxy.status() != GameStatus.CHALLENGER_WINS, "OptimismPortal: cannot prove against invalid dispute games");
        require(_outputRootProof.version == bytes32(0), "OptimismPortal: invalid output root version");
        require(
            gameProxy.rootClaim() == OpTypes.hashOutputRootProof(_outputRootProof),
            "OptimismPortal: invalid output root proof"
        );
        bytes32 withdrawalHash = OpTypes.hashWithdrawal(_tx);
        bytes32 storageKey = keccak256(abi.encode(withdrawalHash, uint256(0)));
        require(
            OpMerkleTrie.verifySecureInclusion(
                abi.encode(storageKey), hex"01", _withdrawalProof, _outputRootProof.messagePasserStorageRoot
            ),
            "OptimismPortal: invalid withdrawal inclusion proof"
        );
        if (provenWithdrawals[withdrawalHash][msg.sender].timestamp == 0) {
            proofSubmitters[withdrawalHash].push(msg.sender);
        }
        provenWithdrawals[withdrawalHash][msg.sender] = ProvenWithdrawal(gameProxy, uint64(block.timestamp));
        emit WithdrawalProven(withdrawalHash, _tx.sender, _tx.target);
        emit WithdrawalProvenExtension1(withdrawalHash, msg.sender);
    }

    function finalizeWithdrawalTransaction(OpTypes.WithdrawalTransaction memory _tx) external {
        finalizeWithdrawalTransactionExternalProof(_tx, msg.sender);
    }

    /// @notice Runs the withdrawal's call once its proof (by `_proofSubmitter`) matured and its game
    ///         resolved in the proposal's favour; each withdrawal runs once, successful or not.
    function finalizeWithdrawalTransactionExternalProof(OpTypes.WithdrawalTransaction memory _tx, address _proofSubmitter)
        public
    {
        require(l2Sender == OpTypes.DEFAULT_L2_SENDER, "OptimismPortal: can only trigger one withdrawal per transaction");
        bytes32 withdrawalHash = OpTypes.hashWithdrawal(_tx);
        checkWithdrawal(withdrawalHash, _proofSubmitter);
        finalizedWithdrawals[withdrawalHash] = true;
        l2Sender = _tx.sender;
        bool success = _callWithMinGas(_tx.target, _tx.gasLimit, _tx.value, _tx.data);
        l2Sender = OpTypes.DEFAULT_L2_SENDER;
        emit WithdrawalFinalized(withdrawalHash, success);
    }

    /// @notice Reverts, saying why, unless the withdrawal can be finalized now with this submitter's proof.
    function checkWithdrawal(bytes32 _withdrawalHash, address _proofSubmitter) public view {
        ProvenWithdrawal memory proven = provenWithdrawals[_withdrawalHash][_proofSubmitter];
        IDisputeGame game = proven.disputeGameProxy;
        require(!finalizedWithdrawals[_withdrawalHash], "OptimismPortal: withdrawal has already been finalized");
        require(proven.timestamp != 0, "OptimismPortal: withdrawal has not been proven by proof submitter address yet");
        require(
            proven.timestamp > game.createdAt(),
            "OptimismPortal: withdrawal timestamp less than dispute game creation timestamp"
        );
        require(
            block.timestamp - proven.timestamp > proofMaturityDelaySeconds,
            "OptimismPortal: proven withdrawal has not matured yet"
        );
        require(game.status() == GameStatus.DEFENDER_WINS, "OptimismPortal: output proposal has not been validated");
        require(
            block.timestamp - game.resolvedAt() > disputeGameFinalityDelaySeconds,
            "OptimismPortal: output proposal in air-gap"
        );
    }

    function numProofSubmitters(bytes32 _withdrawalHash) external view returns (uint256) {
        return proofSubmitters[_withdrawalHash].length;
    }

    /// @notice Calls with at least `_minGas` available to the callee (SafeCall.callWithMinGas's rule,
    ///         EIP-150's 63/64 taken into account), so a relayer cannot starve the call on purpose.
    function _callWithMinGas(address _target, uint256 _minGas, uint256 _value, bytes memory _data)
        internal
        returns (bool success)
    {
        require(gasleft() * 63 / 64 >= _minGas + 40_000, "SafeCall: Not enough gas");
        assembly {
            success := call(gas(), _target, _value, add(_data, 32), mload(_data), 0, 0)
        }
    }
}
