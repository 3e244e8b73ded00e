"""Benchmarks, not tests: ``python -m benchmarks.run`` (see README.md)."""
