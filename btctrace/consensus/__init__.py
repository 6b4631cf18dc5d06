"""Consensus facts btctrace computes instead of believing: a transaction's bytes and txid, the
script an address stands for, a block header's hash, proof of work and Merkle root."""
