"""Esplora (Blockstream esplora/electrs, mempool.space, self-hosted electrs)."""
