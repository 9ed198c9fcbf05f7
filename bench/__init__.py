"""Benchmarks, run by hand (`python -m bench.<name>`); kept out of tests/ so pytest never collects them."""
