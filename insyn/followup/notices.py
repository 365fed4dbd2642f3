"""E-mail about incidents (avvikelser) to the contact of the source they concern.

A source names its contact with the option ``contact_email`` (several separated by
commas). Mail goes over SMTP, configured by the settings of the group "e-post" in
``insyn.settings`` (``INSYN_SMTP_HOST``, ``_PORT``, ``_FROM``, ``_USER``, ``_PASSWORD``,
``_STARTTLS``); without a host no mail is sent.

Each message sent, or that failed, is recorded in ``incident_notifications``, so an
incident is announced once per event (opened, acknowledged, resolved). Sending never
fails a harvest: an unreachable server is logged and recorded.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from insyn import settings as insyn_settings
from insyn.catalogue.followup_models import IncidentNotification
from insyn.catalogue.models import Incident, Source
from insyn.catalogue.store import Catalogue, utcnow

log = logging.getLogger(__name__)
STOCKHOLM = ZoneInfo("Europe/Stockholm")

KIND_LABELS: dict[str, str] = {
    "run_failed": "Skördningen misslyckades",
    "run_interrupted": "Skördningen avbröts",
    "deletion_guard": "Raderingsspärren löste ut",
    "validation_failed": "Poster klarade inte valideringen",
    "quality_drop": "Metadatakvaliteten sjönk",
    "source_unchanged": "Källan har inte ändrats på länge",
}
EVENT_LABELS = {"opened": "Ny avvikelse", "acknowledged": "Kvitterad", "resolved": "Åtgärdad"}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "insyn@localhost"
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 10.0

    @classmethod
    def from_environment(cls) -> SmtpSettings | None:
        """Return the settings, or None when ``INSYN_SMTP_HOST`` is not set."""
        host = insyn_settings.value("smtp_host")
        if not host:
            return None
        return cls(
            host=host,
            port=int(insyn_settings.value("smtp_port") or 25),
            sender=insyn_settings.value("smtp_from") or "insyn@localhost",
            user=insyn_settings.value("smtp_user"),
            password=insyn_settings.value("smtp_password"),
            starttls=insyn_settings.flag("smtp_starttls"),
        )


def recipients(source: Source | None) -> list[str]:
    if source is None:
        return []
    value = str((source.options or {}).get("contact_email") or "")
    return [address.strip() for address in value.split(",") if "@" in address]


def compose(incident: Incident, event: str, sender: str, to: list[str]) -> EmailMessage:
    """Return the Swedish e-mail about one incident event."""
    source = incident.source.name if incident.source else "okänd källa"
    label = KIND_LABELS.get(incident.kind, incident.kind)
    message = EmailMessage()
    message["Subject"] = f"[Insyn] {EVENT_LABELS[event]}: {label} – {source} (#{incident.id})"
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="insyn")
    created = incident.created_at.astimezone(STOCKHOLM)
    lines = [
        "Hej!",
        "",
        f"Insyn har registrerat en avvikelse för källan {source}.",
        "",
        f"Avvikelse:  #{incident.id} – {label}",
        f"Status:     {EVENT_LABELS[event]}",
        f"Upptäckt:   {created:%Y-%m-%d %H:%M}",
        "",
        incident.message,
    ]
    if event != "opened":
        by = incident.resolved_by if event == "resolved" else incident.acknowledged_by
        lines += ["", f"Hanterad av: {by}"]
        if incident.comment:
            lines += ["Kommentar:", incident.comment]
    lines += [
        "",
        "Kvittera med:  insyn incidents ack " + str(incident.id) + " --by NAMN",
        "Åtgärda med:   insyn incidents resolve " + str(incident.id) + " --by NAMN --comment …",
        "",
        "Detta meddelande skickades automatiskt av Insyn.",
    ]
    message.set_content("\n".join(lines))
    return message


def send(settings: SmtpSettings, message: EmailMessage) -> None:
    """Send one message.

    Raises:
        OSError, smtplib.SMTPException: the server could not be reached or refused it.
    """
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as client:
        if settings.starttls:
            client.starttls()
        if settings.user and settings.password:
            client.login(settings.user, settings.password)
        client.send_message(message)


def notify_incident(
    catalogue: Catalogue,
    incident_id: int,
    event: str,
    settings: SmtpSettings | None = None,
) -> bool:
    """E-mail the source's contact about one event of an incident, once.

    Returns True when a message went out. Never raises for mail problems.
    """
    settings = settings or SmtpSettings.from_environment()
    if settings is None:
        return False
    with catalogue.session() as session:
        incident = session.scalar(
            select(Incident)
            .options(selectinload(Incident.source))
            .where(Incident.id == incident_id)
        )
        if incident is None:
            return False
        to = recipients(incident.source)
        if not to:
            return False
        already = session.scalar(
            select(IncidentNotification.id).where(
                IncidentNotification.incident_id == incident_id,
                IncidentNotification.event == event,
                IncidentNotification.ok.is_(True),
            )
        )
        if already:
            return False
        error = None
        try:
            send(settings, compose(incident, event, settings.sender, to))
        except (OSError, smtplib.SMTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"
            log.warning("e-mail about incident %s failed: %s", incident_id, error)
        session.add(
            IncidentNotification(
                incident_id=incident_id,
                recipient=", ".join(to),
                event=event,
                sent_at=utcnow(),
                ok=error is None,
                error=error,
            )
        )
        session.commit()
        return error is None


def notify_source_incidents(
    catalogue: Catalogue, source_id: int, settings: SmtpSettings | None = None
) -> int:
    """E-mail every open incident of a source not yet announced; return how many went out."""
    settings = settings or SmtpSettings.from_environment()
    if settings is None:
        return 0
    try:
        with catalogue.session() as session:
            announced = select(IncidentNotification.incident_id).where(
                IncidentNotification.event == "opened", IncidentNotification.ok.is_(True)
            )
            ids = list(
                session.scalars(
                    select(Incident.id).where(
                        Incident.source_id == source_id,
                        Incident.status == "open",
                        Incident.id.not_in(announced),
                    )
                )
            )
        return sum(
            notify_incident(catalogue, incident_id, "opened", settings) for incident_id in ids
        )
    except Exception:  # mail must never fail a harvest
        log.exception("notifying incidents of source %s failed", source_id)
        return 0
