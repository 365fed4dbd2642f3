"""Follow-up (uppföljning) tables (migration ``followup_0001``).

- ``plan_rules``: the imported information-management plan, one row per rule;
- ``classification_history``: every K/R/T level set on a record, by whom and when
  (``harvest``, ``rule`` or ``person``);
- ``quality_snapshots``: a source's mean MQA score after each run, for quality-drop
  incidents and trends;
- ``incident_notifications``: each e-mail sent (or failed) about an incident.

The logic that reads and writes them is in ``insyn.followup``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from insyn.catalogue.models import (
    Base,
)
from insyn.vocab import plan as planning


class PlanRuleRow(Base):
    """One rule of the imported information-management plan."""

    __tablename__ = "plan_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    process_code: Mapped[str] = mapped_column(String(50))
    process: Mapped[str | None] = mapped_column(String(500))
    record_type: Mapped[str | None] = mapped_column(String(500))
    record_kind: Mapped[str | None] = mapped_column(String(20))
    document_type: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))
    period: Mapped[str | None] = mapped_column(String(200))
    secrecy: Mapped[str | None] = mapped_column(String(200))
    personal_data: Mapped[bool | None] = mapped_column(Boolean)
    confidentiality: Mapped[int | None] = mapped_column(Integer)
    integrity: Mapped[int | None] = mapped_column(Integer)
    availability: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(String(10))  # public or internal
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_plan_rules_plan", "plan"),)

    def rule(self) -> planning.PlanRule:
        return planning.PlanRule(
            key=self.key,
            process_code=self.process_code,
            action=self.action,
            period=self.period,
            process=self.process,
            record_type=self.record_type,
            record_kind=self.record_kind,
            document_type=self.document_type,
            source=self.source,
            secrecy=self.secrecy,
            personal_data=self.personal_data,
            confidentiality=self.confidentiality,
            integrity=self.integrity,
            availability=self.availability,
            description=self.description,
        )


class ClassificationChange(Base):
    """K/R/T levels set on a record: by a harvest, a plan rule or a person."""

    __tablename__ = "classification_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    confidentiality: Mapped[int | None] = mapped_column(Integer)
    integrity: Mapped[int | None] = mapped_column(Integer)
    availability: Mapped[int | None] = mapped_column(Integer)
    set_by_kind: Mapped[str] = mapped_column(String(20))  # harvest, rule, person
    set_by: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_classification_history_record", "record_id", "set_at"),)


class QualitySnapshot(Base):
    """A source's mean MQA score after a run."""

    __tablename__ = "quality_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("harvest_runs.id"))
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    datasets: Mapped[int] = mapped_column(Integer)
    points: Mapped[float] = mapped_column()

    __table_args__ = (Index("ix_quality_snapshots_source", "source_id", "taken_at"),)


class IncidentNotification(Base):
    """An e-mail about an incident: to whom, when, and whether it went."""

    __tablename__ = "incident_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(500))
    event: Mapped[str] = mapped_column(String(20))  # opened, acknowledged, resolved
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_incident_notifications_incident", "incident_id"),)
