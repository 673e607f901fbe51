// @solana/web3.js 1.x against the devnet's Solana port: airdrop, transfer, confirm over WebSocket.
// Usage: node solana_web3_flow.mjs HTTP_URL WS_URL. Prints one JSON object of findings.
import {
  Connection, Keypair, LAMPORTS_PER_SOL, SystemProgram, Transaction, sendAndConfirmTransaction,
} from "@solana/web3.js";

const [httpUrl, wsUrl] = process.argv.slice(2);
const connection = new Connection(httpUrl, { commitment: "confirmed", wsEndpoint: wsUrl });
const found = {};
found.version = (await connection.getVersion())["solana-core"];
found.slot = await connection.getSlot();

const payer = Keypair.generate();
const receiver = Keypair.generate();
const airdrop = await connection.requestAirdrop(payer.publicKey, 2 * LAMPORTS_PER_SOL);
const latest = await connection.getLatestBlockhash();
await connection.confirmTransaction({ signature: airdrop, ...latest });
found.payerAfterAirdrop = await connection.getBalance(payer.publicKey);

const rent = await connection.getMinimumBalanceForRentExemption(0);
const transfer = new Transaction().add(
  SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: receiver.publicKey, lamports: rent + 1000 }),
);
const signature = await sendAndConfirmTransaction(connection, transfer, [payer]);
found.rent = rent;
found.receiver = await connection.getBalance(receiver.publicKey);
found.payer = await connection.getBalance(payer.publicKey);
found.status = (await connection.getSignatureStatuses([signature])).value[0].confirmationStatus;
found.owner = (await connection.getAccountInfo(receiver.publicKey)).owner.toBase58();
console.log(JSON.stringify(found));
process.exit(0); // the WebSocket client keeps the loop alive; the findings are out
