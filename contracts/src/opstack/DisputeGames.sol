// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @notice A dispute game's outcome (ethereum-optimism/optimism src/dispute/lib/Types.sol).
enum GameStatus {
    IN_PROGRESS,
    CHALLENGER_WINS,
    DEFENDER_WINS
}

/// @notice What OptimismPortal2 and clients read of a dispute game (IDisputeGame).
interface IDisputeGame {
    function gameType() external view returns (uint32);
    function rootClaim() external view returns (bytes32);
    function l2BlockNumber() external view returns (uint256);
    function l2SequenceNumber() external view returns (uint256);
    function extraData() external view returns (bytes memory);
    function status() external view returns (GameStatus);
    function createdAt() external view returns (uint64);
    function resolvedAt() external view returns (uint64);
    function gameCreator() external view returns (address);
    function resolve() external returns (GameStatus);
}

/// @title PermissionedDisputeGame
/// @notice A game of type 1, as current Base settles: only the proposer creates one (through the
///         factory, checked there), and only the challenger can dispute its root claim. The devnet's
///         game is the permissioned game reduced to its outcome: where the real game bisects the
///         disputed trace and runs the fault proof VM, here the permissioned challenger's
///         `challenge()` decides. Either way the game resolves once its clock has run out
///         (`maxClockDuration` after creation): CHALLENGER_WINS if challenged, else DEFENDER_WINS.
contract PermissionedDisputeGame is IDisputeGame {
    uint32 public constant GAME_TYPE = 1;

    bytes32 public immutable rootClaim;
    uint256 public immutable l2BlockNumber;
    address public immutable proposer;
    address public immutable challenger;
    uint64 public immutable maxClockDuration;
    uint64 public immutable createdAt;
    bytes32 public immutable l1Head;
    address public immutable gameCreator;

    uint64 public resolvedAt;
    GameStatus public status;
    address public challengedBy;

    event Challenged(address indexed challenger);
    event Resolved(GameStatus indexed status);

    error BadAuth();
    error GameNotInProgress();
    error ClockNotExpired();
    error ClockExpired();

    constructor(bytes32 _rootClaim, uint256 _l2BlockNumber, address _proposer, address _challenger, uint64 _maxClock) {
        rootClaim = _rootClaim;
        l2BlockNumber = _l2BlockNumber;
        proposer = _proposer;
        challenger = _challenger;
        maxClockDuration = _maxClock;
        createdAt = uint64(block.timestamp);
        l1Head = blockhash(block.number - 1);
        gameCreator = tx.origin;
    }

    function gameType() external pure returns (uint32) {
        return GAME_TYPE;
    }

    /// @notice The L2 block the root claim is about, by IDisputeGame's current name for it
    ///         (ethereum-optimism/optimism interfaces/dispute/IDisputeGame.sol), which viem's
    ///         getGames reads.
    function l2SequenceNumber() external view returns (uint256) {
        return l2BlockNumber;
    }

    /// @notice abi.encode(l2BlockNumber), as the factory was given it.
    function extraData() external view returns (bytes memory) {
        return abi.encode(l2BlockNumber);
    }

    /// @notice The challenger disputes the root claim (it does not match the chain it follows).
    function challenge() external {
        if (msg.sender != challenger) revert BadAuth();
        if (status != GameStatus.IN_PROGRESS) revert GameNotInProgress();
        if (block.timestamp >= uint256(createdAt) + maxClockDuration) revert ClockExpired();
        challengedBy = msg.sender;
        emit Challenged(msg.sender);
    }

    /// @notice Anyone resolves the game once its clock has run out.
    function resolve() external returns (GameStatus) {
        if (status != GameStatus.IN_PROGRESS) revert GameNotInProgress();
        if (block.timestamp < uint256(createdAt) + maxClockDuration) revert ClockNotExpired();
        status = challengedBy == address(0) ? GameStatus.DEFENDER_WINS : GameStatus.CHALLENGER_WINS;
        resolvedAt = uint64(block.timestamp);
        emit Resolved(status);
        return status;
    }
}

/// @title DisputeGameFactory
/// @notice Creates and indexes dispute games (ethereum-optimism/optimism src/dispute/DisputeGameFactory.sol's
///         surface: create, games, gameAtIndex, gameCount, findLatestGames). Its configuration sits in
///         storage laid in genesis (slots 0, 1 and 4), so its runtime code can live in genesis too.
contract DisputeGameFactory {
    /// @notice One search result of findLatestGames.
    struct GameSearchResult {
        uint256 index;
        bytes32 metadata;
        uint64 timestamp;
        bytes32 rootClaim;
        bytes extraData;
    }

    // slot 0
    address public proposer;
    // slot 1
    address public challenger;
    // slot 2: GameId = gameType (32 bits) | timestamp (64 bits) | game address (160 bits)
    bytes32[] internal _disputeGameList;
    // slot 3
    mapping(bytes32 => bytes32) internal _disputeGames;
    // slot 4 (last, so that nothing packs into its slot)
    uint64 public maxClockDuration;

    event DisputeGameCreated(address indexed disputeProxy, uint32 indexed gameType, bytes32 indexed rootClaim);

    error NoImplementation(uint32 gameType);
    error GameAlreadyExists(bytes32 uuid);
    error BadAuth();

    /// @notice Creates a game; type 1 (permissioned) only, and only when the proposer sent the transaction.
    function create(uint32 _gameType, bytes32 _rootClaim, bytes calldata _extraData)
        external
        payable
        returns (IDisputeGame proxy_)
    {
        if (_gameType != 1) revert NoImplementation(_gameType);
        if (tx.origin != proposer) revert BadAuth();
        bytes32 uuid = getGameUUID(_gameType, _rootClaim, _extraData);
        if (_disputeGames[uuid] != bytes32(0)) revert GameAlreadyExists(uuid);
        uint256 l2BlockNumber = abi.decode(_extraData, (uint256));
        proxy_ = new PermissionedDisputeGame(_rootClaim, l2BlockNumber, proposer, challenger, maxClockDuration);
        bytes32 id = _packGameId(_gameType, uint64(block.timestamp), address(proxy_));
        _disputeGames[uuid] = id;
        _disputeGameList.push(id);
        emit DisputeGameCreated(address(proxy_), _gameType, _rootClaim);
    }

    function getGameUUID(uint32 _gameType, bytes32 _rootClaim, bytes calldata _extraData)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(_gameType, _rootClaim, _extraData));
    }

    function games(uint32 _gameType, bytes32 _rootClaim, bytes calldata _extraData)
        external
        view
        returns (IDisputeGame proxy_, uint64 timestamp_)
    {
        (, timestamp_, proxy_) = _unpackGameId(_disputeGames[getGameUUID(_gameType, _rootClaim, _extraData)]);
    }

    function gameCount() external view returns (uint256) {
        return _disputeGameList.length;
    }

    function gameAtIndex(uint256 _index)
        external
        view
        returns (uint32 gameType_, uint64 timestamp_, IDisputeGame proxy_)
    {
        return _unpackGameId(_disputeGameList[_index]);
    }

    /// @notice Up to `_n` games of `_gameType`, newest first, searching back from index `_start`.
    function findLatestGames(uint32 _gameType, uint256 _start, uint256 _n)
        external
        view
        returns (GameSearchResult[] memory games_)
    {
        if (_start >= _disputeGameList.length || _n == 0) return games_;
        games_ = new GameSearchResult[](_n);
        uint256 found;
        for (uint256 i = _start + 1; i > 0 && found < _n; i--) {
            bytes32 id = _disputeGameList[i - 1];
            (uint32 gameType, uint64 timestamp, IDisputeGame proxy) = _unpackGameId(id);
            if (gameType != _gameType) continue;
            games_[found++] = GameSearchResult(i - 1, id, timestamp, proxy.rootClaim(), proxy.extraData());
        }
        assembly {
            mstore(games_, found)
        }
    }

    function _packGameId(uint32 _gameType, uint64 _timestamp, address _proxy) internal pure returns (bytes32) {
        return bytes32((uint256(_gameType) << 224) | (uint256(_timestamp) << 160) | uint256(uint160(_proxy)));
    }

    function _unpackGameId(bytes32 _id) internal pure returns (uint32, uint64, IDisputeGame) {
        uint256 raw = uint256(_id);
        return (uint32(raw >> 224), uint64(raw >> 160), IDisputeGame(address(uint160(raw))));
    }
}
