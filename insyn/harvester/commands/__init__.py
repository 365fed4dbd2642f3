"""CLI commands beyond the core, one module per room; each registers on ``cli.main``.

A new module here adds its import below.
"""
