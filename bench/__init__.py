"""Operator-scale benchmarks: `make bench` (or `python -m bench.run`). PostgreSQL only; see bench/README.md."""
