"""Private inference: encrypted prompts and results, session keys wrapped to allowlisted readers.

``crypto`` holds the primitives (AES-256-GCM payloads, ECIES key envelopes on secp256k1,
commitments); ``sessions`` drives a private session through PrivateSessionV2 and the task phases;
``leaks`` scans a devnet's chains for plaintext. docs/private-inference.md has the trust model.
"""
