"""Names the command line offers as choices and defaults: account roles, a token's
lifetime, incident states, the plan's default name.

Kept apart from the tables that use them, so that building the commands (``insyn
--help``, or any one command) does not load the database layer for a list of words.
"""

from __future__ import annotations

from datetime import timedelta

ROLES: tuple[str, ...] = ("registrar", "owner", "admin")
ROLE_LABELS = {"registrar": "Registrator", "owner": "Informationsägare", "admin": "Administratör"}
TOKEN_LIFETIME = timedelta(days=365)
INCIDENT_STATES = ("open", "acknowledged", "resolved")
DEFAULT_PLAN = "Informationshanteringsplan"
