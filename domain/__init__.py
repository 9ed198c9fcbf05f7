"""Mediashelf's rules in plain Python: no web framework, no SQL, no cloud SDK.

Adapters (db/, storage/, ui/) depend on this package; it depends on none of them.
"""
