// viem 2.x against a served chain: the unlocked dev account sends, viem reads back, blocks over WS.
// Usage: node viem_flow.mjs HTTP_URL WS_URL CHAIN_ID. Prints one JSON object of findings.
import { createPublicClient, createTestClient, createWalletClient, defineChain, http, parseEther, webSocket } from "viem";

const [httpUrl, wsUrl, chainId] = process.argv.slice(2);
const chain = defineChain({
  id: Number(chainId),
  name: "devnet",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [httpUrl], webSocket: [wsUrl] } },
});
const client = createPublicClient({ chain, transport: http(), pollingInterval: 100 });
const found = {};
found.chainId = await client.getChainId();
const wallet = createWalletClient({ chain, transport: http() });
const [sender, receiver] = await wallet.getAddresses();
found.estimate = Number(await client.estimateGas({ account: sender, to: receiver, value: 1n }));
const before = await client.getBalance({ address: receiver });
const hash = await wallet.sendTransaction({ account: sender, to: receiver, value: parseEther("0.5") });
const receipt = await client.waitForTransactionReceipt({ hash });
found.status = receipt.status;
found.received = (await client.getBalance({ address: receiver })) - before === parseEther("0.5");
found.fromReceipt = receipt.from.toLowerCase() === sender.toLowerCase();

// Block numbers over a WebSocket subscription, blocks made by viem's test actions (evm_mine).
const wsClient = createPublicClient({ chain, transport: webSocket() });
const testClient = createTestClient({ chain, mode: "anvil", transport: http() });
const seen = [];
const unwatch = wsClient.watchBlockNumber({ emitOnBegin: false, onBlockNumber: (n) => seen.push(Number(n)) });
for (let tries = 0; seen.length < 2 && tries < 50; tries++) {
  await testClient.mine({ blocks: 1 });
  await new Promise((r) => setTimeout(r, 100));
}
unwatch();
found.watched = seen;
found.latest = Number(await client.getBlockNumber());
console.log(JSON.stringify(found));
process.exit(0);
