"""The NumPy lab: small, deterministic experiments behind every number on the site.

Nothing in this package imports MkDocs. Run it on its own with ``python -m lab --out DIR``.
"""
