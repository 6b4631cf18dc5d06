"""Esplora (Blockstream esplora/electrs, mempool.space, self-hosted electrs)."""

__all__: list[str] = []
