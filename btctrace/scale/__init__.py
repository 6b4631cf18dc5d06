"""Whole-chain analysis over columnar exports, beyond what a per-case trace walks."""
