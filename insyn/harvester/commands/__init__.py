"""CLI commands beyond the core, one module per room; each registers on ``cli.main``.

A new module here adds its import below.
"""

from insyn.harvester.commands import (
    accounts,  # noqa: F401  (users, tokens, audit export)
    followup,  # noqa: F401  (plan, classify, quality, incidents, report)
    operations,  # noqa: F401
)
