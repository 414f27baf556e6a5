"""Benchmarks: a plan generator and the timing harness (not part of the installed package)."""
