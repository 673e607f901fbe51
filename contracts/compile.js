#!/usr/bin/env node
// Compiles every contracts/src/**/*.sol in ONE solc standard-JSON call and writes
// artifacts/<ContractName>.json plus artifacts/build-info.json.
//
// Why this shape:
// - solc-js (npm `solc`, pinned exactly in package.json) ships the compiler, so the build works
//   offline; no download, no native binary.
// - evmVersion is pinned to "prague": py-evm's newest fork. solc's default (osaka) may emit CLZ,
//   which py-evm cannot execute.
// - Output is deterministic (sorted keys, 2-space JSON, trailing newline, no timestamps, no
//   absolute paths), so rebuilding unchanged sources yields byte-identical files; the Python
//   test suite checks this ("staleness test").
// - viaIR is on: SessionV2.create has Cortensor's 13 parameters and the legacy code generator
//   hits "stack too deep" decoding them. It makes the build slower (~20 s), not different in kind.
// - Only contracts with non-empty creation bytecode are written: interfaces, libraries without
//   external functions and abstract contracts (ERC20Base, AccessRoles) are skipped because nothing
//   can deploy them. Their ABIs are part of the deployable contracts that inherit them.
//
// Usage: node compile.js [outDir]   (default outDir: ./artifacts)

"use strict";

const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const solc = require("solc");

const ROOT = __dirname;
const SRC_DIR = path.join(ROOT, "src");
const OUT_DIR = path.resolve(process.argv[2] || path.join(ROOT, "artifacts"));

const SETTINGS = {
  evmVersion: "prague",
  viaIR: true,
  optimizer: { enabled: true, runs: 200 },
  metadata: { bytecodeHash: "none", appendCBOR: false },
  outputSelection: {
    "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] },
  },
};

/** Recursively sort object keys so JSON.stringify output is stable. */
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const out = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]);
    return out;
  }
  return value;
}

function writeJson(file, value) {
  fs.writeFileSync(file, JSON.stringify(sortKeys(value), null, 2) + "\n");
}

function main() {
  // Sources may sit in subfolders (src/opstack/, src/nitro/, ...): one folder per stack.
  const files = fs
    .readdirSync(SRC_DIR, { recursive: true })
    .map((f) => f.split(path.sep).join("/"))
    .filter((f) => f.endsWith(".sol"))
    .sort();
  if (files.length === 0) throw new Error(`no .sol files in ${SRC_DIR}`);

  const sources = {};
  const sourceHashes = {};
  for (const f of files) {
    const content = fs.readFileSync(path.join(SRC_DIR, f), "utf8");
    const key = `src/${f}`;
    sources[key] = { content };
    sourceHashes[key] = crypto.createHash("sha256").update(content, "utf8").digest("hex");
  }

  const input = { language: "Solidity", sources, settings: SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));

  const diagnostics = output.errors || [];
  const errors = diagnostics.filter((e) => e.severity === "error");
  for (const d of diagnostics) {
    if (d.severity !== "error") process.stderr.write(d.formattedMessage + "\n");
  }
  if (errors.length > 0) {
    for (const e of errors) process.stderr.write(e.formattedMessage + "\n");
    process.exit(1);
  }

  fs.mkdirSync(OUT_DIR, { recursive: true });
  // Remove stale artifacts from contracts that no longer exist.
  for (const f of fs.readdirSync(OUT_DIR)) {
    if (f.endsWith(".json")) fs.unlinkSync(path.join(OUT_DIR, f));
  }

  const written = [];
  const seen = new Map();
  for (const sourceName of Object.keys(output.contracts || {}).sort()) {
    const contracts = output.contracts[sourceName];
    for (const contractName of Object.keys(contracts).sort()) {
      const c = contracts[contractName];
      const bytecode = c.evm.bytecode.object;
      if (!bytecode) continue; // interface / abstract contract: nothing to deploy
      if (seen.has(contractName)) {
        throw new Error(
          `contract name ${contractName} defined in ${seen.get(contractName)} and ${sourceName}`,
        );
      }
      seen.set(contractName, sourceName);
      writeJson(path.join(OUT_DIR, `${contractName}.json`), {
        contractName,
        sourceName,
        abi: c.abi,
        bytecode: "0x" + bytecode,
        deployedBytecode: "0x" + c.evm.deployedBytecode.object,
      });
      written.push(contractName);
    }
  }

  writeJson(path.join(OUT_DIR, "build-info.json"), {
    compiler: { name: "solc-js", version: solc.version() },
    settings: SETTINGS,
    sources: sourceHashes,
    contracts: written.slice().sort(),
  });
  process.stdout.write(`compiled ${files.length} sources -> ${written.length} artifacts in ${OUT_DIR}\n`);
}

main();
