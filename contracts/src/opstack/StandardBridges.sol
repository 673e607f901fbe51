// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ERC20Base, IERC20} from "../ERC20Base.sol";

interface IMessengerForBridge {
    function sendMessage(address _target, bytes calldata _message, uint32 _minGasLimit) external payable;
    function xDomainMessageSender() external view returns (address);
}

/// @notice What the bridges ask of a token minted on this side (IOptimismMintableERC20).
interface IOptimismMintableERC20 {
    function remoteToken() external view returns (address);
    function bridge() external returns (address);
    function mint(address _to, uint256 _amount) external;
    function burn(address _from, uint256 _amount) external;
}

/// @title OptimismMintableERC20
/// @notice An ERC-20 on the child chain that stands for `remoteToken` on the parent: only the
///         standard bridge mints (on deposit) and burns (on withdrawal), so its supply is what the
///         parent's bridge holds (ethereum-optimism/optimism src/universal/OptimismMintableERC20.sol).
contract OptimismMintableERC20 is ERC20Base, IOptimismMintableERC20 {
    address public immutable remoteToken;
    address public immutable bridge;

    event Mint(address indexed account, uint256 amount);
    event Burn(address indexed account, uint256 amount);

    error OnlyBridge();

    constructor(address _bridge, address _remoteToken, string memory _name, string memory _symbol)
        ERC20Base(_name, _symbol)
    {
        bridge = _bridge;
        remoteToken = _remoteToken;
    }

    /// @notice Legacy names some clients still read.
    function l1Token() external view returns (address) {
        return remoteToken;
    }

    function l2Bridge() external view returns (address) {
        return bridge;
    }

    function mint(address _to, uint256 _amount) external {
        if (msg.sender != bridge) revert OnlyBridge();
        _mint(_to, _amount);
        emit Mint(_to, _amount);
    }

    function burn(address _from, uint256 _amount) external {
        if (msg.sender != bridge) revert OnlyBridge();
        _burn(_from, _amount);
        emit Burn(_from, _amount);
    }

    /// @notice ERC-165: IERC165, ILegacyMintableERC20 (0x1d1d8b63) and IOptimismMintableERC20 (0xec4fc8e3).
    function supportsInterface(bytes4 _interfaceId) external pure returns (bool) {
        return _interfaceId == 0x01ffc9a7 || _interfaceId == 0x1d1d8b63 || _interfaceId == 0xec4fc8e3;
    }
}

/// @title OptimismMintableERC20Factory
/// @notice Predeploy 0x4200000000000000000000000000000000000012: creates the child-side token of a
///         parent-side one, at a CREATE2 address fixed by (remoteToken, name, symbol). The bridge it
///         names is storage slot 0, laid in genesis.
contract OptimismMintableERC20Factory {
    // slot 0
    address public bridge;

    event OptimismMintableERC20Created(address indexed localToken, address indexed remoteToken, address deployer);
    event StandardL2TokenCreated(address indexed remoteToken, address indexed localToken);

    function createOptimismMintableERC20(address _remoteToken, string memory _name, string memory _symbol)
        public
        returns (address localToken_)
    {
        require(_remoteToken != address(0), "OptimismMintableERC20Factory: must provide remote token address");
        bytes32 salt = keccak256(abi.encode(_remoteToken, _name, _symbol));
        localToken_ = address(new OptimismMintableERC20{salt: salt}(bridge, _remoteToken, _name, _symbol));
        emit StandardL2TokenCreated(_remoteToken, localToken_);
        emit OptimismMintableERC20Created(localToken_, _remoteToken, msg.sender);
    }

    function createStandardL2Token(address _remoteToken, string memory _name, string memory _symbol)
        external
        returns (address)
    {
        return createOptimismMintableERC20(_remoteToken, _name, _symbol);
    }
}

/// @title StandardBridge
/// @notice ETH and ERC-20 over the messengers, both sides (ethereum-optimism/optimism
///         src/universal/StandardBridge.sol): a token native to this side is locked here (its
///         `deposits` counted per remote token); a token minted here (OptimismMintableERC20) is
///         burned here and minted there. Settings are storage laid in genesis (slots 0-1).
abstract contract StandardBridge {
    uint32 internal constant RECEIVE_DEFAULT_GAS_LIMIT = 200_000;

    // slot 0
    address public messenger;
    // slot 1
    address public otherBridge;
    // slot 2
    mapping(address => mapping(address => uint256)) public deposits;

    event ETHBridgeInitiated(address indexed from, address indexed to, uint256 amount, bytes extraData);
    event ETHBridgeFinalized(address indexed from, address indexed to, uint256 amount, bytes extraData);
    event ERC20BridgeInitiated(
        address indexed localToken,
        address indexed remoteToken,
        address indexed from,
        address to,
        uint256 amount,
        bytes extraData
    );
    event ERC20BridgeFinalized(
        address indexed localToken,
        address indexed remoteToken,
        address indexed from,
        address to,
        uint256 amount,
        bytes extraData
    );

    modifier onlyEOA() {
        require(msg.sender.code.length == 0, "StandardBridge: function can only be called from an EOA");
        _;
    }

    modifier onlyOtherBridge() {
        require(
            msg.sender == messenger && IMessengerForBridge(messenger).xDomainMessageSender() == otherBridge,
            "StandardBridge: function can only be called from the other bridge"
        );
        _;
    }

    /// @notice A plain ETH transfer bridges it to the sender's own address on the other side.
    receive() external payable onlyEOA {
        _initiateBridgeETH(msg.sender, msg.sender, msg.value, RECEIVE_DEFAULT_GAS_LIMIT, bytes(""));
    }

    function OTHER_BRIDGE() external view returns (address) {
        return otherBridge;
    }

    function bridgeETH(uint32 _minGasLimit, bytes calldata _extraData) external payable onlyEOA {
        _initiateBridgeETH(msg.sender, msg.sender, msg.value, _minGasLimit, _extraData);
    }

    function bridgeETHTo(address _to, uint32 _minGasLimit, bytes calldata _extraData) external payable {
        _initiateBridgeETH(msg.sender, _to, msg.value, _minGasLimit, _extraData);
    }

    function bridgeERC20(
        address _localToken,
        address _remoteToken,
        uint256 _amount,
        uint32 _minGasLimit,
        bytes calldata _extraData
    )
        external
        onlyEOA
    {
        _initiateBridgeERC20(_localToken, _remoteToken, msg.sender, msg.sender, _amount, _minGasLimit, _extraData);
    }

    function bridgeERC20To(
        address _localToken,
        address _remoteToken,
        address _to,
        uint256 _amount,
        uint32 _minGasLimit,
        bytes calldata _extraData
    )
        external
    {
        _initiateBridgeERC20(_localToken, _remoteToken, msg.sender, _to, _amount, _minGasLimit, _extraData);
    }

    function finalizeBridgeETH(address _from, address _to, uint256 _amount, bytes calldata _extraData)
        public
        payable
        onlyOtherBridge
    {
        require(msg.value == _amount, "StandardBridge: amount sent does not match amount required");
        require(_to != address(this), "StandardBridge: cannot send to self");
        require(_to != messenger, "StandardBridge: cannot send to messenger");
        emit ETHBridgeFinalized(_from, _to, _amount, _extraData);
        (bool success,) = _to.call{value: _amount}("");
        require(success, "StandardBridge: ETH transfer failed");
    }

    function finalizeBridgeERC20(
        address _localToken,
        address _remoteToken,
        address _from,
        address _to,
        uint256 _amount,
        bytes calldata _extraData
    )
        public
        onlyOtherBridge
    {
        if (_isOptimismMintable(_localToken)) {
            require(
                IOptimismMintableERC20(_localToken).remoteToken() == _remoteToken,
                "StandardBridge: wrong remote token for Optimism Mintable ERC20 local token"
            );
            IOptimismMintableERC20(_localToken).mint(_to, _amount);
        } else {
            deposits[_localToken][_remoteToken] -= _amount;
            require(IERC20(_localToken).transfer(_to, _amount), "StandardBridge: transfer failed");
        }
        emit ERC20BridgeFinalized(_localToken, _remoteToken, _from, _to, _amount, _extraData);
    }

    function _initiateBridgeETH(address _from, address _to, uint256 _amount, uint32 _minGasLimit, bytes memory _extraData)
        internal
    {
        require(msg.value == _amount, "StandardBridge: bridging ETH must include sufficient ETH value");
        emit ETHBridgeInitiated(_from, _to, _amount, _extraData);
        IMessengerForBridge(messenger).sendMessage{value: _amount}(
            otherBridge, abi.encodeCall(this.finalizeBridgeETH, (_from, _to, _amount, _extraData)), _minGasLimit
        );
    }

    function _initiateBridgeERC20(
        address _localToken,
        address _remoteToken,
        address _from,
        address _to,
        uint256 _amount,
        uint32 _minGasLimit,
        bytes memory _extraData
    )
        internal
    {
        if (_isOptimismMintable(_localToken)) {
            require(
                IOptimismMintableERC20(_localToken).remoteToken() == _remoteToken,
                "StandardBridge: wrong remote token for Optimism Mintable ERC20 local token"
            );
            IOptimismMintableERC20(_localToken).burn(_from, _amount);
        } else {
            require(IERC20(_localToken).transferFrom(_from, address(this), _amount), "StandardBridge: transfer failed");
            deposits[_localToken][_remoteToken] += _amount;
        }
        emit ERC20BridgeInitiated(_localToken, _remoteToken, _from, _to, _amount, _extraData);
        IMessengerForBridge(messenger).sendMessage(
            otherBridge,
            abi.encodeCall(this.finalizeBridgeERC20, (_remoteToken, _localToken, _from, _to, _amount, _extraData)),
            _minGasLimit
        );
    }

    /// @notice Whether `_token` declares IOptimismMintableERC20 through ERC-165.
    function _isOptimismMintable(address _token) internal view returns (bool) {
        if (_token.code.length == 0) return false;
        (bool ok, bytes memory data) =
            _token.staticcall(abi.encodeWithSignature("supportsInterface(bytes4)", bytes4(0xec4fc8e3)));
        return ok && data.length == 32 && abi.decode(data, (bool));
    }
}

/// @title L1StandardBridge
/// @notice The parent side of the standard bridge.
contract L1StandardBridge is StandardBridge {
    function l2TokenBridge() external view returns (address) {
        return otherBridge;
    }
}

/// @title L2StandardBridge
/// @notice Predeploy 0x4200000000000000000000000000000000000010: the child side of the standard bridge.
contract L2StandardBridge is StandardBridge {
    function l1TokenBridge() external view returns (address) {
        return otherBridge;
    }
}
