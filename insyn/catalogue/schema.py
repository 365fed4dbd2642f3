"""Every table of the catalogue, in one metadata.

Importing this module imports each model module, so ``Base.metadata`` holds them all:
the Alembic environment and the migration test read it from here. A new model module
adds its import below.
"""

from insyn.catalogue import (  # noqa: F401  (desk, roles, audit)
    accounts,
    audit,
    followup_models,
    models,
    operations,
    requests_log,
)
from insyn.catalogue.models import Base

__all__ = ["Base", "models"]
