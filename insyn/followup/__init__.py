"""Follow-up (uppföljning): the plan applied to records, K/R/T classification, quality
snapshots, incidents and their notices, and the owner's report.

plan.py            import and apply the information-management plan
classification.py  K/R/T levels with history (harvest, rule, person)
incidents.py       incidents and their lifecycle
run_hook.py        ``after_run``: the engine's hook inside a run's transaction
notices.py         e-mail about incidents
report/            the owner's report: figures (``report.figures``) and rendering
"""

from insyn.catalogue.choices import DEFAULT_PLAN, INCIDENT_STATES
from insyn.followup.classification import classification_history, classify
from insyn.followup.incidents import acknowledge, open_incident, resolve
from insyn.followup.plan import ApplyResult, apply_plan, import_plan
from insyn.followup.run_hook import after_run

__all__ = [
    "DEFAULT_PLAN",
    "INCIDENT_STATES",
    "ApplyResult",
    "acknowledge",
    "after_run",
    "apply_plan",
    "classification_history",
    "classify",
    "import_plan",
    "open_incident",
    "resolve",
]
