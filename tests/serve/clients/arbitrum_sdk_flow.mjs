// @arbitrum/sdk (v4, on ethers v5) against a served l1 + arbitrum: a retryable ticket l1 -> arbitrum
// made by ParentToChildMessageCreator, then ether withdrawn with EthBridger.withdraw (ArbSys.withdrawEth)
// and executed through the Outbox by ChildToParentMessage.execute, after the SDK itself found the
// confirmed assertion (legacy Rollup interface) and built the proof (NodeInterface). Time moves with
// evm_increaseTime + evm_mine on l1 (one clock for the devnet; the validator acts as it passes).
// Usage: node arbitrum_sdk_flow.mjs L1_URL ARBITRUM_URL. Prints one JSON object of findings.
import sdk from "@arbitrum/sdk"; // CommonJS: its names come from the default export
// The package index does not re-export the retryable creator; it is public at its module path.
import creator from "@arbitrum/sdk/dist/lib/message/ParentToChildMessageCreator.js";
import { ethers } from "ethers5";

const {
  ChildToParentMessageStatus,
  ChildTransactionReceipt,
  EthBridger,
  ParentTransactionReceipt,
  registerCustomArbitrumNetwork,
} = sdk;
const { ParentToChildMessageCreator } = creator;

const [l1Url, arbUrl] = process.argv.slice(2);
const rpc = async (url, method, params = []) => {
  const answer = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  }).then((r) => r.json());
  if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
  return answer.result;
};
const provider = (url) => {
  const p = new ethers.providers.JsonRpcProvider(url);
  p.pollingInterval = 50;
  return p;
};
const l1 = provider(l1Url);
const arb = provider(arbUrl);
// Moves the devnet's one clock: l1 gets a block 12 s later, arbitrum one block; the devnet's actors
// (delayed-inbox reader, validator) act as the clock passes.
const tick = async () => {
  await rpc(l1Url, "evm_increaseTime", [12]);
  await rpc(l1Url, "evm_mine");
  await rpc(arbUrl, "evm_mine");
};
const waitFor = async (ready, what) => {
  let last;
  for (let tries = 0; tries < 60; tries++) {
    const value = await ready().catch((e) => ({ error: e.message ?? String(e) }));
    if (value && !value.error) return value;
    last = value?.error;
    await tick();
  }
  throw new Error(`timed out waiting for ${what}: ${last}`);
};

// The network comes from the devnet, as a user of serve would register it.
const system = await rpc(l1Url, "cortensor_systemContracts", ["arbitrum"]);
const rollup = new ethers.Contract(system.Rollup, ["function confirmPeriodBlocks() view returns (uint64)"], l1);
const network = registerCustomArbitrumNetwork({
  name: "cortensor-sim arbitrum",
  chainId: (await arb.getNetwork()).chainId,
  parentChainId: (await l1.getNetwork()).chainId,
  ethBridge: {
    bridge: system.Bridge,
    inbox: system.Inbox,
    sequencerInbox: system.SequencerInbox,
    outbox: system.Outbox,
    rollup: system.Rollup,
  },
  confirmPeriodBlocks: (await rollup.confirmPeriodBlocks()).toNumber(),
  isCustom: true,
  isTestnet: true,
});
const accounts = await l1.listAccounts();
const user = accounts[5]; // dev account 5: no protocol role
const l1Signer = l1.getSigner(user);
const arbSigner = arb.getSigner(user);
const found = {};

// 1. A retryable ticket: 0.5 ether to a fresh address on arbitrum, gas estimated by the SDK
//    (NodeInterface.estimateRetryableTicket, Inbox.calculateRetryableSubmissionFee).
const recipient = ethers.Wallet.createRandom().address;
const callValue = ethers.utils.parseEther("0.5");
const ticketTx = await new ParentToChildMessageCreator(l1Signer).createRetryableTicket(
  { from: user, to: recipient, l2CallValue: callValue, callValueRefundAddress: user, data: "0x" },
  arb,
);
const ticketReceipt = new ParentTransactionReceipt(await ticketTx.wait());
found.ticketStatus = ticketReceipt.status;
const [message] = await ticketReceipt.getParentToChildMessages(arb);
found.ticketId = message.retryableCreationId;
// Redeemed once the call value reached the recipient (the auto-redeem ran the ticket's call).
await waitFor(async () => {
  await rpc(l1Url, "cortensor_relay");
  const balance = await arb.getBalance(recipient);
  return balance.eq(callValue) ? true : { error: `recipient holds ${balance}` };
}, "the retryable's auto-redeem");
found.redeemed = true;

// 2. Withdraw 0.25 ether through ArbSys.withdrawEth, then execute it on l1 through the Outbox.
const ethBridger = new EthBridger(network);
const amount = ethers.utils.parseEther("0.25");
const withdrawTx = await ethBridger.withdraw({ amount, destinationAddress: user, from: user, childSigner: arbSigner });
const withdrawReceipt = new ChildTransactionReceipt(await withdrawTx.wait());
const [outgoing] = await withdrawReceipt.getChildToParentMessages(l1Signer);
found.statusBefore = ChildToParentMessageStatus[await outgoing.status(arb)];
await waitFor(async () => {
  const status = await outgoing.status(arb);
  return status === ChildToParentMessageStatus.CONFIRMED ? true : { error: ChildToParentMessageStatus[status] };
}, "the assertion covering the withdrawal to be confirmed");
const l1Before = await l1.getBalance(user);
const executeReceipt = await (await outgoing.execute(arb)).wait();
found.executeStatus = executeReceipt.status;
const fee = executeReceipt.gasUsed.mul(executeReceipt.effectiveGasPrice);
found.withdrawn = (await l1.getBalance(user)).sub(l1Before).add(fee).eq(amount);
found.statusAfter = ChildToParentMessageStatus[await outgoing.status(arb)];
console.log(JSON.stringify(found));
process.exit(0);
