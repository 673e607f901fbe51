// ethers v6 against a served chain: deploy, send, read events, subscribe to blocks, snapshot/revert.
// Usage: node ethers_flow.mjs HTTP_URL WS_URL ARTIFACT_JSON. Prints one JSON object of findings.
import { readFileSync } from "node:fs";
import { ContractFactory, JsonRpcProvider, WebSocketProvider, parseEther } from "ethers";

const [httpUrl, wsUrl, artifactPath] = process.argv.slice(2);
const artifact = JSON.parse(readFileSync(artifactPath, "utf8"));
const found = {};

const provider = new JsonRpcProvider(httpUrl, undefined, { staticNetwork: true, pollingInterval: 100 });
found.chainId = Number((await provider.getNetwork()).chainId);
const signer = await provider.getSigner(0);
const receiver = await provider.getSigner(1);
found.sender = await signer.getAddress();

const supply = parseEther("1000000");
const factory = new ContractFactory(artifact.abi, artifact.bytecode, signer);
const token = await factory.deploy(found.sender, supply);
await token.waitForDeployment();
found.token = await token.getAddress();
found.symbol = await token.symbol();

const snapshot = await provider.send("evm_snapshot", []);
const sent = await token.transfer(await receiver.getAddress(), parseEther("12.5"));
const receipt = await sent.wait();
found.transferStatus = receipt.status;
found.receiverBalance = (await token.balanceOf(await receiver.getAddress())).toString();
const events = await token.queryFilter(token.filters.Transfer(found.sender), receipt.blockNumber, receipt.blockNumber);
found.events = events.map((e) => ({ from: e.args[0], to: e.args[1], value: e.args[2].toString() }));

const tx = await signer.sendTransaction({ to: await receiver.getAddress(), value: 1n });
found.plainTransferGas = Number((await tx.wait()).gasUsed);

found.reverted = await provider.send("evm_revert", [snapshot]);
found.receiverBalanceAfterRevert = (await token.balanceOf(await receiver.getAddress())).toString();

// New blocks over a WebSocket subscription (eth_subscribe newHeads).
const ws = new WebSocketProvider(wsUrl);
const heads = [];
await ws.on("block", (number) => heads.push(number));
// Mine until two new heads arrived (bounded: 50 tries), whenever the subscription took effect.
for (let tries = 0; heads.length < 2 && tries < 50; tries++) {
  await provider.send("evm_mine", []);
  await new Promise((r) => setTimeout(r, 100));
}
found.subscribedBlocks = heads;
found.latestBlock = await provider.getBlockNumber();
await ws.destroy();
provider.destroy();
console.log(JSON.stringify(found));
process.exit(0); // ethers keeps timers alive after destroy(); the findings are out
