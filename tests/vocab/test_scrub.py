"""The one scrub of stored error texts: credentials in URLs, personnummer, secret titles."""

from __future__ import annotations

from insyn.vocab.scrub import SECRET_TITLE, scrub


def test_url_passwords_and_credential_parameters_are_hidden() -> None:
    text = (
        "Kunde inte hämta https://harvest:Hemligt123@data.exempel.se/api?apikey=abc123&rows=10"
        " eller http://x.se/oai?verb=ListRecords&token=t0k3n;password=pw och api_key=k9"
    )
    scrubbed = scrub(text) or ""
    for secret in ("harvest", "Hemligt123", "abc123", "t0k3n", "=pw", "k9"):
        assert secret not in scrubbed
    assert "https://***@data.exempel.se/api?apikey=***&rows=10" in scrubbed
    assert "verb=ListRecords" in scrubbed  # other parameters stay: they help a person


def test_personnummer_and_secret_titles_are_masked() -> None:
    text = "Posten 'Utredning om Tolvan Tolvansson' (19121212-1212) kunde inte läsas"
    scrubbed = scrub(text, ["Utredning om Tolvan Tolvansson", "om", ""]) or ""
    assert "Tolvan" not in scrubbed and "1212-1212" not in scrubbed
    assert SECRET_TITLE in scrubbed and "kunde inte läsas" in scrubbed


def test_nothing_to_scrub_is_left_alone() -> None:
    assert scrub(None) is None
    assert scrub("Servern svarade HTTP 500 för https://data.exempel.se/katalog") == (
        "Servern svarade HTTP 500 för https://data.exempel.se/katalog"
    )


def test_stored_secrets_are_a_secret_marked_records_titles_and_private_names() -> None:
    from insyn.vocab.scrub import stored_secrets

    k3 = {
        "title": {"sv": "Utredning Lisa Bankman"},
        "governance": {"confidentiality": 3},
        "parties": [
            {"name": "Lisa Bankman", "is_private_individual": True},
            {"name": "Exempelby kommun", "is_private_individual": False},
        ],
    }
    assert stored_secrets(k3) == (["Utredning Lisa Bankman"], ["Lisa Bankman"])
    open_case = {**k3, "governance": {"confidentiality": 1}}
    assert stored_secrets(open_case) == ([], ["Lisa Bankman"])
    assert stored_secrets(None) == ([], [])
    text = "Bankmans ansökan, Storgatan 8 B, 123 45 Exempelby, kunde inte läsas"
    assert (
        scrub(text, private_names=["Lisa Bankman"]) == "[namn] ansökan, [adress], kunde inte läsas"
    )
