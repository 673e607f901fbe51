// viem's OP Stack actions (viem/op-stack) against a served l1 + base: a deposit to base, then a
// withdrawal proven and finalized on l1 by viem itself. Time moves with evm_increaseTime + evm_mine
// on l1 (one clock for the devnet; the proposer and challenger act as it passes), and a deposit is
// sealed into base with cortensor_relay.
// Usage: node viem_opstack_flow.mjs L1_URL BASE_URL. Prints one JSON object of findings.
import { createPublicClient, createTestClient, createWalletClient, defineChain, http, parseEther } from "viem";
import {
  buildDepositTransaction,
  buildInitiateWithdrawal,
  buildProveWithdrawal,
  chainConfig,
  getL2TransactionHashes,
  getWithdrawals,
  publicActionsL1,
  publicActionsL2,
  walletActionsL1,
  walletActionsL2,
} from "viem/op-stack";

const [l1Url, baseUrl] = process.argv.slice(2);
const eth = { name: "Ether", symbol: "ETH", decimals: 18 };
const rpc = async (url, method, params = []) => {
  const answer = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  }).then((r) => r.json());
  if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
  return answer.result;
};

// The system contracts come from the devnet, as a user of serve would take them.
const system = await rpc(l1Url, "cortensor_systemContracts", ["base"]);
const l1 = defineChain({ id: 900, name: "l1", nativeCurrency: eth, rpcUrls: { default: { http: [l1Url] } } });
const base = defineChain({
  ...chainConfig,
  id: 901,
  name: "base",
  nativeCurrency: eth,
  rpcUrls: { default: { http: [baseUrl] } },
  sourceId: 900,
  contracts: {
    ...chainConfig.contracts,
    portal: { 900: { address: system.OptimismPortal } },
    disputeGameFactory: { 900: { address: system.DisputeGameFactory } },
    l1StandardBridge: { 900: { address: system.L1StandardBridge } },
  },
});
// No Multicall3 is laid in genesis: viem batches its reads through a deployless multicall (eth_call
// of creation code), which every node answers.
const l1Public = createPublicClient({
  chain: l1,
  transport: http(),
  pollingInterval: 50,
  batch: { multicall: { deployless: true } },
}).extend(publicActionsL1());
const l1Wallet = createWalletClient({ chain: l1, transport: http() }).extend(walletActionsL1());
const l1Test = createTestClient({ chain: l1, mode: "anvil", transport: http() });
const basePublic = createPublicClient({ chain: base, transport: http(), pollingInterval: 50 }).extend(publicActionsL2());
const baseWallet = createWalletClient({ chain: base, transport: http() }).extend(walletActionsL2());
const [, , , , , account] = await l1Wallet.getAddresses(); // dev account 5: no protocol role
const found = {};

// 1. Deposit 1 ether to base through OptimismPortal2.depositTransaction.
const before = await basePublic.getBalance({ address: account });
const depositArgs = await buildDepositTransaction(basePublic, { account, mint: parseEther("1"), to: account });
const depositHash = await l1Wallet.depositTransaction({ ...depositArgs, account, targetChain: base });
const depositReceipt = await l1Public.waitForTransactionReceipt({ hash: depositHash });
const [l2Hash] = getL2TransactionHashes(depositReceipt);
await rpc(l1Url, "cortensor_relay"); // seal base's next block, which opens with the deposit
const l2Receipt = await basePublic.waitForTransactionReceipt({ hash: l2Hash });
found.depositStatus = l2Receipt.status;
found.deposited = (await basePublic.getBalance({ address: account })) - before === parseEther("1");

// 2. Withdraw 0.25 ether: initiate on base, wait for a game, prove and finalize on l1 with viem.
const withdrawArgs = await buildInitiateWithdrawal(basePublic, {
  account,
  to: account,
  value: parseEther("0.25"),
  gas: 21_000n, // the gas the withdrawal gets on l1; viem estimates it from the zero address otherwise
});
const withdrawHash = await baseWallet.initiateWithdrawal({ ...withdrawArgs, account });
const withdrawReceipt = await basePublic.waitForTransactionReceipt({ hash: withdrawHash });
const [withdrawal] = getWithdrawals(withdrawReceipt);

// A game must cover a base block after the withdrawal's (viem's getGame): under automine base
// seals only on demand, so each round seals one base block and one l1 block 12 s later.
const baseTest = createTestClient({ chain: base, mode: "anvil", transport: http() });
const waitFor = async (ready, what) => {
  let last;
  for (let tries = 0; tries < 40; tries++) {
    const value = await ready().catch((e) => ({ error: e.shortMessage ?? String(e) }));
    if (value && !value.error) return value;
    last = value.error;
    await baseTest.mine({ blocks: 1 });
    await l1Test.increaseTime({ seconds: 12 });
    await l1Test.mine({ blocks: 1 });
  }
  throw new Error(`timed out waiting for ${what}: ${last}`);
};
// viem's getGame finds the newest game of the portal's respected type whose l2SequenceNumber()
// covers the withdrawal's base block.
const game = await waitFor(
  () => l1Public.getGame({ l2BlockNumber: withdrawReceipt.blockNumber, targetChain: base, limit: 10 }),
  "a dispute game covering the withdrawal",
);
found.gameL2Block = Number(game.l2BlockNumber) >= Number(withdrawReceipt.blockNumber);
// OptimismPortal2 finalizes only a proof made after the game's creation second; under automine
// the game and the proof would share l1's timestamp if the clock did not move between them.
await l1Test.increaseTime({ seconds: 1 });
const proveArgs = await buildProveWithdrawal(basePublic, { account, withdrawal, game });
const proveHash = await l1Wallet.proveWithdrawal({ ...proveArgs, account, targetChain: base });
found.proveStatus = (await l1Public.waitForTransactionReceipt({ hash: proveHash })).status;

const l1Before = await l1Public.getBalance({ address: account });
const finalizeHash = await waitFor(
  async () => {
    // Sent only once the game has resolved and the delays have passed: a simulated call first.
    await l1Public.estimateFinalizeWithdrawalGas({ account, targetChain: base, withdrawal });
    return l1Wallet.finalizeWithdrawal({ account, targetChain: base, withdrawal });
  },
  "the proof maturity delay and the game's resolution",
);
const finalizeReceipt = await l1Public.waitForTransactionReceipt({ hash: finalizeHash });
found.finalizeStatus = finalizeReceipt.status;
const fee = finalizeReceipt.gasUsed * finalizeReceipt.effectiveGasPrice;
found.withdrawn = (await l1Public.getBalance({ address: account })) - l1Before + fee === parseEther("0.25");
found.statusAfter = await l1Public.getWithdrawalStatus({ receipt: withdrawReceipt, targetChain: base }).catch(
  (e) => `error: ${e.shortMessage ?? e}`,
);
console.log(JSON.stringify(found));
process.exit(0);
