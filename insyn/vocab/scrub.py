"""One scrub for every error text Insyn stores: record errors, incidents, a run's error.

Those texts are read by owners, e-mailed to a source's contact, logged and printed by
``insyn runs --json``; a source's error may quote anything it was given. ``scrub``
removes what must never travel that way:

- the user and password of a URL (``https://user:pw@host`` → ``https://***@host``);
- query parameters that carry a credential (``key``, ``apikey``, ``api_key``, ``token``,
  ``access_token``, ``password``, ``secret``, ``signature`` …);
- personnummer and samordningsnummer, in any spelling ``masking`` knows;
- the titles of a secret-marked record, when the text concerns that record.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from insyn.vocab.masking import mask_personnummer

HIDDEN = "***"
SECRET_TITLE = "[sekretessmarkerad titel]"

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s/?#@]+@")
_CREDENTIAL_PARAMETER = re.compile(
    r"(?i)([?&;]|\b)((?:api[_-]?key|apikey|key|token|access[_-]?token|auth(?:orization)?|"
    r"password|passwd|pwd|secret|client[_-]?secret|signature|sig)=)[^&;\s#\"'<>]*"
)
_SHORTEST_TITLE = 4  # shorter "titles" would scrub ordinary words


def scrub(text: str | None, secret_titles: Iterable[str] = ()) -> str | None:
    """``text`` without credentials, personnummer or the given secret titles.

    ``secret_titles`` are the titles (every language) of a secret-marked record the text
    concerns; longest first, so a title that contains another is removed whole.
    """
    if not text:
        return text
    text = _USERINFO.sub(lambda match: f"{match.group(1)}{HIDDEN}@", text)
    text = _CREDENTIAL_PARAMETER.sub(lambda match: match.group(1) + match.group(2) + HIDDEN, text)
    for title in sorted({t.strip() for t in secret_titles if t}, key=len, reverse=True):
        if len(title) >= _SHORTEST_TITLE:
            text = re.sub(re.escape(title), SECRET_TITLE, text, flags=re.IGNORECASE)
    return mask_personnummer(text)
