"""One scrub for every error text Insyn stores: record errors, incidents, a run's error.

Those texts are read by owners, e-mailed to a source's contact, logged and printed by
``insyn runs --json``; a source's error may quote anything it was given. ``scrub``
removes what must never travel that way:

- the user and password of a URL (``https://user:pw@host`` → ``https://***@host``);
- query parameters that carry a credential (``key``, ``apikey``, ``api_key``, ``token``,
  ``access_token``, ``password``, ``secret``, ``signature`` …);
- personnummer and samordningsnummer, in any spelling ``masking`` knows;
- the titles of a secret-marked record (a provision or K3), when the text concerns that
  record; ``stored_secrets`` reads them, and its private parties' names, from a stored
  record's plain data, so that a source's failure of a record never quotes what the
  catalogue keeps of it;
- the names of the record's private parties (``masking.mask_names``, every written form)
  and Swedish street addresses (``masking.mask_addresses``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from insyn.vocab.masking import mask_addresses, mask_names, mask_personnummer
from insyn.vocab.visibility import secret_marked

HIDDEN = "***"
SECRET_TITLE = "[sekretessmarkerad titel]"

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s/?#@]+@")
_CREDENTIAL_PARAMETER = re.compile(
    r"(?i)([?&;]|\b)((?:api[_-]?key|apikey|key|token|access[_-]?token|auth(?:orization)?|"
    r"password|passwd|pwd|secret|client[_-]?secret|signature|sig)=)[^&;\s#\"'<>]*"
)
_SHORTEST_TITLE = 4  # shorter "titles" would scrub ordinary words


def stored_secrets(data: Mapping[str, Any] | None) -> tuple[list[str], list[str]]:
    """The secret titles and private parties' names of a record, from its plain data.

    Titles (``title``, ``public_title``, every language) count only when the record is
    secret-marked; names are those of its parties the harvest judged private.
    """
    if not data:
        return [], []
    governance = data.get("governance") or {}
    titles: list[str] = []
    if secret_marked(governance.get("secrecy_provision"), governance.get("confidentiality")):
        for name in ("title", "public_title"):
            value = data.get(name)
            if isinstance(value, Mapping):
                titles.extend(str(text) for text in value.values() if text)
    names = [
        str(party["name"])
        for party in data.get("parties") or ()
        if isinstance(party, Mapping) and party.get("is_private_individual") and party.get("name")
    ]
    return titles, names


def scrub(
    text: str | None, secret_titles: Iterable[str] = (), private_names: Iterable[str] = ()
) -> str | None:
    """``text`` without credentials, personnummer, the given secret titles or private names.

    ``secret_titles`` are the titles (every language) of a secret-marked record the text
    concerns; longest first, so a title that contains another is removed whole.
    ``private_names`` are the names of that record's private parties: they and street
    addresses are masked as in public views.
    """
    if not text:
        return text
    text = _USERINFO.sub(lambda match: f"{match.group(1)}{HIDDEN}@", text)
    text = _CREDENTIAL_PARAMETER.sub(lambda match: match.group(1) + match.group(2) + HIDDEN, text)
    for title in sorted({t.strip() for t in secret_titles if t}, key=len, reverse=True):
        if len(title) >= _SHORTEST_TITLE:
            text = re.sub(re.escape(title), SECRET_TITLE, text, flags=re.IGNORECASE)
    names = list(private_names)
    if names:
        text = mask_addresses(mask_names(text, names))
    return mask_personnummer(text)
