"""Development and test tools, not part of the CLI: a loopback Esplora server, an in-memory
chain, a builder for well-formed synthetic transactions, and the demo-case generator."""

__all__: list[str] = []
