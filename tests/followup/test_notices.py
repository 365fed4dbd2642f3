"""E-mail about incidents, against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from insyn import followup
from insyn.catalogue.followup_models import IncidentNotification
from insyn.catalogue.store import Catalogue
from insyn.followup import notices as notify
from insyn.harvester.engine import harvest_source


def subject(mail) -> str:  # type: ignore[no-untyped-def]
    return str(make_header(decode_header(mail["Subject"])))


def body(mail) -> str:  # type: ignore[no-untyped-def]
    return mail.get_payload(decode=True).decode("utf-8")


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list = []

    def handle_message(self, message) -> None:  # type: ignore[no-untyped-def]
        self.messages.append(message)


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("INSYN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("INSYN_SMTP_PORT", str(port))
    monkeypatch.setenv("INSYN_SMTP_FROM", "insyn@exempelby.se")
    try:
        yield inbox
    finally:
        controller.stop()


def test_failing_source_mails_its_contact_once_and_again_when_resolved(
    sqlite_catalogue: Catalogue, tmp_path: Path, smtp: Inbox
) -> None:
    catalogue = sqlite_catalogue
    catalogue.add_source(
        "saknas",
        "dcat",
        str(tmp_path / "finns-inte.ttl"),
        {"contact_email": "registrator@exempelby.se"},
    )
    assert harvest_source(catalogue, "saknas").status == "failed"
    assert len(smtp.messages) == 1
    source_id = catalogue.get_source("saknas").id
    assert notify.notify_source_incidents(catalogue, source_id) == 0  # announced once
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["To"] == "registrator@exempelby.se"
    assert "Skördningen misslyckades" in subject(mail) and "saknas" in subject(mail)
    incident_id = catalogue.incidents()[0].id
    assert f"insyn incidents ack {incident_id}" in body(mail)

    followup.resolve(catalogue, incident_id, "kim", "Sökvägen rättad")
    assert notify.notify_incident(catalogue, incident_id, "resolved")
    assert "Åtgärdad" in subject(smtp.messages[-1])
    assert "Sökvägen rättad" in body(smtp.messages[-1])


def test_unreachable_server_never_fails_the_harvest(
    sqlite_catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INSYN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("INSYN_SMTP_PORT", "1")
    sqlite_catalogue.add_source(
        "s", "dcat", str(tmp_path / "x.ttl"), {"contact_email": "a@exempelby.se"}
    )
    assert harvest_source(sqlite_catalogue, "s").status == "failed"
    with sqlite_catalogue.session() as session:
        from sqlalchemy import select

        [sent] = session.scalars(select(IncidentNotification)).all()
    assert sent.ok is False and sent.error
