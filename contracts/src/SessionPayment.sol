// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {AccessRoles} from "./AccessRoles.sol";
import {IERC20} from "./ERC20Base.sol";
import {ISessionInfo, ISessionQueue, ITaskValidator} from "./Interfaces.sol";

/// @title SessionPayment
/// @notice Holds session deposits in COR and pays miners.
///
/// Accounting (every COR this contract holds is in exactly one bucket, so
/// cor.balanceOf(this) == totalSessionBalance + totalEscrow + totalClaimable + totalBonds):
///   sessionBond[s]     - taken at SessionV2.create: bondPerNode * maxNumOfNodes, refunded
///                        with the balance once the session is inactive
///   sessionBalance[s]  - deposited, not yet committed to a task (refundable)
///   taskEscrow[s][t]   - set aside on submit: pricePerMiner * redundant, price fixed per task
///   claimable[miner]   - allocated to a miner, pulled with withdrawNodePayment
/// Flow: depositToSession -> (SessionV2.submit) reserveTaskFunds -> queue completes ->
/// TaskValidator.finalize -> allocateNodePayments (anyone) credits each VALID miner once and
/// returns the rest of the escrow to sessionBalance -> withdrawNodePayment.
/// A miner can never be paid twice for a task: each task is allocated once (TaskAlreadyAllocated),
/// and the queue lists each miner of a task once.
/// Every COR that enters a session can leave it: escrow through allocateNodePayments, or, for
/// a task nobody was assigned before the session closed, through reclaimUnassignedEscrow; the
/// balance and bond through refund (permissionless, only ever to the owner).
/// Who can do what: the admin wires the contract once (setContracts), sets the price, the bond
/// per node and the treasury (each with an event) and cannot move session money; only a session's owner may pay its balance to the
/// network treasury (payFromSessionToNetwork).
contract SessionPayment is AccessRoles {
    /// @dev TaskValidator.Verdict.Valid
    uint8 public constant VERDICT_VALID = 1;

    error ZeroAmount();
    error UnknownSession(uint256 sessionId);
    error SessionNotActive(uint256 sessionId);
    error SessionStillActive(uint256 sessionId);
    error InsufficientSessionFunds(uint256 sessionId, uint256 available, uint256 required);
    error TaskNotFinalized(uint256 sessionId, uint256 taskId);
    error TaskAlreadyAllocated(uint256 sessionId, uint256 taskId);
    error NotSessionOwner(uint256 sessionId, address caller);
    error TaskWasAssigned(uint256 sessionId, uint256 taskId);
    error NothingToWithdraw(address miner);
    error TokenTransferFailed();
    error ContractsNotSet();
    /// @notice setContracts was already called: the wiring is fixed for the contract's life, since
    ///         repointing `sessions` would let refund() pay deposits to whoever a new contract names.
    error ContractsAlreadySet();

    event SessionDeposited(uint256 indexed sessionId, address indexed from, uint256 amount, uint256 sessionBalance);
    event TaskFundsReserved(uint256 indexed sessionId, uint256 indexed taskId, uint256 amount, uint256 pricePerMiner);
    event NodePaymentAllocated(uint256 indexed sessionId, uint256 indexed taskId, address indexed miner, uint256 amount);
    event TaskPaymentsAllocated(uint256 indexed sessionId, uint256 indexed taskId, uint256 paid, uint256 returned);
    event NodePaymentWithdrawn(address indexed miner, uint256 amount);
    event SessionPaidToNetwork(uint256 indexed sessionId, address indexed treasury, uint256 amount);
    event SessionRefunded(uint256 indexed sessionId, address indexed owner, uint256 amount);
    event TaskPriceUpdated(uint256 pricePerMinerPerTask);
    event TreasuryUpdated(address treasury);
    event BondPerNodeUpdated(uint256 bondPerNode);
    event SessionBondTaken(uint256 indexed sessionId, address indexed payer, uint256 amount);
    event UnassignedEscrowReclaimed(uint256 indexed sessionId, uint256 indexed taskId, uint256 amount);
    event ContractsUpdated(address sessions, address queue, address validator);

    IERC20 public immutable cor;
    ISessionInfo public sessions;
    ISessionQueue public queue;
    ITaskValidator public validator;
    /// @notice Receives payFromSessionToNetwork.
    address public treasury;
    /// @notice COR paid to each VALID miner per task (default 1 COR).
    uint256 public pricePerMinerPerTask = 1 ether;
    /// @notice COR bonded per node a session may hold (maxNumOfNodes), refunded on close.
    uint256 public bondPerNode = 1 ether;

    mapping(uint256 => uint256) public sessionBalance;
    mapping(uint256 => mapping(uint256 => uint256)) public taskEscrow;
    mapping(uint256 => mapping(uint256 => uint256)) public taskPricePerMiner;
    mapping(uint256 => uint256) public sessionBond;
    mapping(uint256 => mapping(uint256 => bool)) public allocated;
    mapping(uint256 => mapping(uint256 => mapping(address => bool))) public paid;
    mapping(address => uint256) public claimable;
    uint256 public totalSessionBalance;
    uint256 public totalEscrow;
    uint256 public totalClaimable;
    uint256 public totalBonds;

    constructor(address admin, IERC20 cor_, address treasury_) AccessRoles(admin) {
        if (address(cor_) == address(0) || treasury_ == address(0)) revert ZeroAddress();
        cor = cor_;
        treasury = treasury_;
    }

    function setContracts(ISessionInfo sessions_, ISessionQueue queue_, ITaskValidator validator_)
        external
        onlyRole(ADMIN_ROLE)
    {
        if (address(sessions) != address(0)) revert ContractsAlreadySet();
        sessions = sessions_;
        queue = queue_;
        validator = validator_;
        emit ContractsUpdated(address(sessions_), address(queue_), address(validator_));
    }

    function setTaskPrice(uint256 price) external onlyRole(ADMIN_ROLE) {
        pricePerMinerPerTask = price;
        emit TaskPriceUpdated(price);
    }

    function setBondPerNode(uint256 bond) external onlyRole(ADMIN_ROLE) {
        bondPerNode = bond;
        emit BondPerNodeUpdated(bond);
    }

    function setTreasury(address treasury_) external onlyRole(ADMIN_ROLE) {
        if (treasury_ == address(0)) revert ZeroAddress();
        treasury = treasury_;
        emit TreasuryUpdated(treasury_);
    }

    /// @notice Pull `amount` COR from the caller into an active session's balance (approve first).
    function depositToSession(uint256 sessionId, uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        ISessionInfo s = _sessions();
        if (s.sessionOwner(sessionId) == address(0)) revert UnknownSession(sessionId);
        if (!s.isSessionActive(sessionId)) revert SessionNotActive(sessionId);
        sessionBalance[sessionId] += amount;
        totalSessionBalance += amount;
        if (!cor.transferFrom(msg.sender, address(this), amount)) revert TokenTransferFailed();
        emit SessionDeposited(sessionId, msg.sender, amount, sessionBalance[sessionId]);
    }

    /// @notice Take the bond of a new session, bondPerNode * nodes, from `payer` (approve first;
    ///         SESSION_CONTRACT_ROLE: SessionV2.create). Refunded with the balance by `refund`.
    function takeSessionBond(uint256 sessionId, address payer, uint256 nodes)
        external
        onlyRole(SESSION_CONTRACT_ROLE)
    {
        uint256 amount = bondPerNode * nodes;
        if (amount == 0) return;
        sessionBond[sessionId] += amount;
        totalBonds += amount;
        if (!cor.transferFrom(payer, address(this), amount)) revert TokenTransferFailed();
        emit SessionBondTaken(sessionId, payer, amount);
    }

    /// @notice Escrow pricePerMinerPerTask * slots from the session balance for a new task
    ///         (SESSION_CONTRACT_ROLE; SessionV2.submit, which never repeats a task id).
    function reserveTaskFunds(uint256 sessionId, uint256 taskId, uint256 slots)
        external
        onlyRole(SESSION_CONTRACT_ROLE)
    {
        uint256 price = pricePerMinerPerTask;
        uint256 amount = price * slots;
        uint256 bal = sessionBalance[sessionId];
        if (bal < amount) revert InsufficientSessionFunds(sessionId, bal, amount);
        sessionBalance[sessionId] = bal - amount;
        totalSessionBalance -= amount;
        taskEscrow[sessionId][taskId] = amount;
        totalEscrow += amount;
        taskPricePerMiner[sessionId][taskId] = price;
        emit TaskFundsReserved(sessionId, taskId, amount, price);
    }

    /// @notice Credit every miner TaskValidator judged VALID with the task's per-miner price
    ///         (capped by what is left in escrow); return the rest of the escrow to the session
    ///         balance. Permissionless; once per task.
    function allocateNodePayments(uint256 sessionId, uint256 taskId) external {
        if (allocated[sessionId][taskId]) revert TaskAlreadyAllocated(sessionId, taskId);
        if (address(validator) == address(0)) revert ContractsNotSet();
        if (!validator.isFinalized(sessionId, taskId)) revert TaskNotFinalized(sessionId, taskId);
        allocated[sessionId][taskId] = true;

        address[] memory miners = queue.getTaskMiners(sessionId, taskId);
        uint256 left = taskEscrow[sessionId][taskId];
        uint256 price = taskPricePerMiner[sessionId][taskId];
        uint256 total = 0;
        for (uint256 i = 0; i < miners.length; i++) {
            address m = miners[i];
            if (validator.verdictOf(sessionId, taskId, m) != VERDICT_VALID) continue;
            uint256 amount = price < left ? price : left;
            paid[sessionId][taskId][m] = true;
            left -= amount;
            total += amount;
            claimable[m] += amount;
            emit NodePaymentAllocated(sessionId, taskId, m, amount);
        }
        uint256 escrow = taskEscrow[sessionId][taskId];
        taskEscrow[sessionId][taskId] = 0;
        totalEscrow -= escrow;
        totalClaimable += total;
        sessionBalance[sessionId] += left;
        totalSessionBalance += left;
        emit TaskPaymentsAllocated(sessionId, taskId, total, left);
    }

    /// @notice Miner pulls everything allocated to it.
    function withdrawNodePayment() external returns (uint256 amount) {
        amount = claimable[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        claimable[msg.sender] = 0;
        totalClaimable -= amount;
        if (!cor.transfer(msg.sender, amount)) revert TokenTransferFailed();
        emit NodePaymentWithdrawn(msg.sender, amount);
    }

    /// @notice Return the escrow of a task nobody was assigned to the session balance, once
    ///         the session is inactive (nobody can assign it any more). Permissionless.
    function reclaimUnassignedEscrow(uint256 sessionId, uint256 taskId) external {
        if (_sessions().isSessionActive(sessionId)) revert SessionStillActive(sessionId);
        if (allocated[sessionId][taskId]) revert TaskAlreadyAllocated(sessionId, taskId);
        if (queue.getTaskMiners(sessionId, taskId).length != 0) revert TaskWasAssigned(sessionId, taskId);
        allocated[sessionId][taskId] = true;
        uint256 amount = taskEscrow[sessionId][taskId];
        taskEscrow[sessionId][taskId] = 0;
        totalEscrow -= amount;
        sessionBalance[sessionId] += amount;
        totalSessionBalance += amount;
        emit UnassignedEscrowReclaimed(sessionId, taskId, amount);
    }

    /// @notice Move `amount` from a session's balance to the network treasury (a network fee
    ///         the session's owner chooses to pay). Session owner only: no role can take user deposits.
    function payFromSessionToNetwork(uint256 sessionId, uint256 amount) external {
        if (_sessions().sessionOwner(sessionId) != msg.sender) revert NotSessionOwner(sessionId, msg.sender);
        if (amount == 0) revert ZeroAmount();
        uint256 bal = sessionBalance[sessionId];
        if (bal < amount) revert InsufficientSessionFunds(sessionId, bal, amount);
        sessionBalance[sessionId] = bal - amount;
        totalSessionBalance -= amount;
        if (!cor.transfer(treasury, amount)) revert TokenTransferFailed();
        emit SessionPaidToNetwork(sessionId, treasury, amount);
    }

    /// @notice Pay an inactive session's whole balance and its bond back to its owner.
    ///         Permissionless (the money can only go to the owner); returns 0 without event
    ///         when there is nothing.
    function refund(uint256 sessionId) external returns (uint256 amount) {
        ISessionInfo s = _sessions();
        address owner = s.sessionOwner(sessionId);
        if (owner == address(0)) revert UnknownSession(sessionId);
        if (s.isSessionActive(sessionId)) revert SessionStillActive(sessionId);
        uint256 balance = sessionBalance[sessionId];
        uint256 bond = sessionBond[sessionId];
        amount = balance + bond;
        if (amount == 0) return 0;
        sessionBalance[sessionId] = 0;
        sessionBond[sessionId] = 0;
        totalSessionBalance -= balance;
        totalBonds -= bond;
        if (!cor.transfer(owner, amount)) revert TokenTransferFailed();
        emit SessionRefunded(sessionId, owner, amount);
    }

    /// @notice True if the session can escrow a task with `slots` miners right now.
    function canCover(uint256 sessionId, uint256 slots) external view returns (bool) {
        return sessionBalance[sessionId] >= pricePerMinerPerTask * slots;
    }

    function _sessions() private view returns (ISessionInfo s) {
        s = sessions;
        if (address(s) == address(0)) revert ContractsNotSet();
    }
}
