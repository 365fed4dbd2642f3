"""Personal data (personuppgifter) in a data source: by column name, and by sampled values.

Two ways to tell, both returning categories in Swedish (``CATEGORIES``):

- ``categories_by_name`` / ``classify_columns``: what a column's *name* says, in Swedish or
  English (``personnummer``, ``förnamn``, ``e_post``, ``birth_date``, ``FirstName`` …).
  A bare ``namn``/``name`` is a person's name only where the table is about people (its
  name, or another column, says so): ``namn`` in ``skolor`` is a school's name. Compounds
  that name a thing are not names of people: ``filnamn``, ``tabellnamn``, ``file_name``.
- ``categories_by_values``: what sampled *values* are: Swedish personnummer and
  samordningsnummer (date part and Luhn check digit), e-mail addresses, phone numbers.
  Only the categories come back; the values are neither kept nor logged here.

``luhn_valid``, ``is_personnummer`` and ``find_personnummer`` (spans in free text, for
masking) are public: the masking of free text reuses them.

Samordningsnummer (coordination numbers: day of birth + 60) count as category
``personnummer``: the protection they need is the same.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date

# --- categories ------------------------------------------------------------------------

PERSONNUMMER = "personnummer"
NAMN = "namn"
ADRESS = "adress"
KONTAKTUPPGIFTER = "kontaktuppgifter"
FODELSEDATUM = "födelsedatum"
KON = "kön"
HALSA = "hälsa"
IP_ADRESS = "ip-adress"

CATEGORIES: tuple[str, ...] = (
    PERSONNUMMER,
    NAMN,
    ADRESS,
    KONTAKTUPPGIFTER,
    FODELSEDATUM,
    KON,
    HALSA,
    IP_ADRESS,
)
# Special categories of personal data (GDPR art. 9, känsliga personuppgifter).
SENSITIVE: frozenset[str] = frozenset({HALSA})

# --- personnummer ----------------------------------------------------------------------

_PNR_TEXT = re.compile(r"^(\d{2})?(\d{6})([-+]?)(\d{4})$")

# People write personnummer in many ways, and text copied from documents carries invisible
# characters: every dash-like character, a space (also no-break and thin ones), a plus
# sign, or nothing between date and serial; soft hyphens and zero-width characters
# anywhere; full-width or other Unicode digits. All of them are read as the same number.
_IGNORABLE = "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_PLUSES = "+\ufe62\uff0b"
_SPACES = " \u00a0\u2002\u2003\u2007\u2009\u200a\u202f\u3000"
_I = f"[{_IGNORABLE}]*"
_DIGIT = rf"\d{_I}"
_SEPARATOR = rf"(?:[{_SPACES}]?{_I}[{_DASHES}{_PLUSES}]{_I}[{_SPACES}]?|[{_SPACES}]){_I}"
# In free text: 10 or 12 digits, a separator before the last four allowed, not part of a
# longer run of digits.
_PNR_IN_TEXT = re.compile(
    rf"(?<!\d)(?:{_DIGIT}){{6}}(?:(?:{_DIGIT}){{2}})?(?:{_SEPARATOR})?(?:{_DIGIT}){{3}}\d(?!{_I}\d)"
)
# Six digits in a row (the birth date), invisible characters allowed between them: every
# spelling has it, so text without it is passed over quickly.
_SIX_DIGITS = re.compile(rf"\d(?:{_I}\d){{5}}")
_IGNORED = {ord(char): None for char in _IGNORABLE}
_ONE_DIGIT = re.compile(r"\d")
_NOT_DIGIT = re.compile(r"\D")


def canonical_personnummer(text: str) -> str:
    """Return ``text`` as ASCII digits with "-" or "+" as separator (invisible characters
    dropped, any dash as "-", a space as "-" unless it stands beside a dash or plus), for
    checking; the text itself is not validated."""
    out: list[str] = []
    for char in text.strip().translate(_IGNORED):
        if char.isdigit():
            out.append(str(unicodedata.digit(char)))
        elif char in _PLUSES:
            out.append("+")
        elif char in _SPACES:
            out.append(" ")
        else:
            out.append("-" if char in _DASHES.replace("\\", "") else char)
    joined = "".join(out)
    return re.sub(r" ?([-+]) ?", r"\1", joined).replace(" ", "-")


def has_birth_date_digits(text: str) -> bool:
    """Return whether ``text`` has six digits in a row: a cheap test before masking."""
    return _SIX_DIGITS.search(text) is not None


SAMORDNING_OFFSET = 60


def luhn_valid(digits: str) -> bool:
    """Return whether a string of digits passes the Luhn (mod 10) check.

    The last digit is the check digit. Returns False for an empty string or one with
    anything but the digits 0-9.
    """
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _valid_day(year: int, month: int, day: int) -> bool:
    """Return whether the date exists and is not in the future."""
    try:
        return date(year, month, day) <= date.today()
    except ValueError:
        return False


def _birth_date_valid(century: str | None, yymmdd: str, separator: str) -> bool | None:
    """Return None if the date is invalid, else whether it is a samordningsnummer."""
    yy, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    coordination = day > SAMORDNING_OFFSET
    if coordination:
        day -= SAMORDNING_OFFSET
    if century is not None:
        if century not in ("18", "19", "20"):
            return None
        years = [int(century) * 100 + yy]
    elif separator == "+":  # a hundred years old or more
        years = [1800 + yy, 1900 + yy]
    else:
        years = [1900 + yy, 2000 + yy]
    if not any(_valid_day(year, month, day) for year in years):
        return None
    return coordination


def _parse(text: str) -> bool | None:
    """Return None if ``text`` is no personnummer, else whether it is a samordningsnummer."""
    match = _PNR_TEXT.match(canonical_personnummer(text))
    if match is None:
        return None
    century, yymmdd, separator, last = match.groups()
    if century is not None and separator == "+":
        return None  # the "+" stands in for the century; both is no valid form
    coordination = _birth_date_valid(century, yymmdd, separator)
    if coordination is None or not luhn_valid(yymmdd + last):
        return None
    return coordination


def is_personnummer(text: str) -> bool:
    """Return whether ``text`` is a valid Swedish personnummer or samordningsnummer.

    Accepted forms: ``YYMMDD-NNNN``, ``YYMMDD+NNNN``, ``YYMMDDNNNN``, ``YYYYMMDD-NNNN``,
    ``YYYYMMDDNNNN`` (surrounding whitespace ignored), with any dash or space for "-",
    full-width digits, and soft hyphens or zero-width characters anywhere. The date must
    exist (for a samordningsnummer, day + 60) and the last digit must be the Luhn check
    digit of the ten-digit form.
    """
    return _parse(text) is not None


def is_samordningsnummer(text: str) -> bool:
    """Return whether ``text`` is a valid samordningsnummer (day of birth + 60)."""
    return _parse(text) is True


def find_personnummer(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) spans of valid personnummer/samordningsnummer in ``text``.

    A candidate is 10 or 12 digits with an optional separator before the last four, in
    any of the spellings ``is_personnummer`` reads, not part of a longer number; each is
    checked as ``is_personnummer`` does. ``text[start:end]`` is the number as written,
    ready to be masked.
    """
    if not has_birth_date_digits(text):  # every candidate has six digits: one quick scan
        return []
    return [match.span() for match in _PNR_IN_TEXT.finditer(text) if is_personnummer(match.group())]


def personnummer_keys(texts: Iterable[str]) -> list[str]:
    """Return the personnummer in ``texts`` as search keys, each once: the ten digits
    ``YYMMDDNNNN``, however the number was written (separator or none, century or none).

    The staff index holds these keys and a query asks for them, so "191212121212",
    "121212 1212" and "19121212-1212" all find one another.
    """
    keys: dict[str, None] = {}
    for text in texts:
        for start, end in find_personnummer(text):
            digits = _NOT_DIGIT.sub("", canonical_personnummer(text[start:end]))
            keys[digits[-10:]] = None
    return list(keys)


def json_has_personnummer(text: str) -> bool:
    """Return whether any string in a JSON text (``json.dumps(..., ensure_ascii=False)``,
    without ``\\u`` escapes) holds a valid personnummer or samordningsnummer, as
    ``find_personnummer`` finds them.

    Only the strings around a run of six digits are searched: a number never spans the
    quotes that bound a string, and quotes are no digits, so each string is searched as
    if alone (an escape such as ``\\u0001`` would put digits beside a string's own:
    callers search such text string by string).
    """
    searched_to = 0
    seen: set[str] = set()
    for run in _SIX_DIGITS.finditer(text):
        if run.start() < searched_to:
            continue
        start = text.rfind('"', 0, run.start()) + 1
        end = text.find('"', run.end())
        end = len(text) if end < 0 else end
        searched_to = end
        part = text[start:end]
        # A personnummer has ten digits at least; a record repeats its URIs and numbers.
        if part in seen or len(_ONE_DIGIT.findall(part)) < 10:
            continue
        seen.add(part)
        if find_personnummer(part):
            return True
    return False


# --- by column name --------------------------------------------------------------------

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})
_CAMEL = re.compile(r"([a-zåäö0-9])([A-ZÅÄÖ])")
_SPLIT = re.compile(r"[^a-z0-9]+")


def _w(words: str) -> list[str]:
    return words.split()


# Whole words (after folding å/ä/ö and joining neighbouring parts: "e_post" → "epost").
_WORDS: dict[str, str] = {
    **dict.fromkeys(
        _w(
            "personnummer personnr persnr pnr pnummer personnumret samordningsnummer "
            "samordningsnr ssn socialsecuritynumber socialsecurityno nationalidentitynumber "
            "personalidentitynumber personalnumber"
        ),
        PERSONNUMMER,
    ),
    **dict.fromkeys(
        _w(
            "fornamn efternamn mellannamn tilltalsnamn slaktnamn fullstandigtnamn "
            "firstname lastname surname forename givenname familyname fullname middlename "
            "maidenname kontaktperson handlaggare vardnadshavare"
        ),
        NAMN,
    ),
    **dict.fromkeys(
        _w(
            "adress gatuadress postadress hemadress bostadsadress folkbokforingsadress "
            "fakturaadress leveransadress careof postnummer postnr postort address "
            "streetaddress street zip zipcode postcode postalcode homeaddress"
        ),
        ADRESS,
    ),
    **dict.fromkeys(
        _w(
            "epost epostadress mejl mejladress mail email emailaddress mailaddress "
            "telefon telefonnummer telefonnr tel telnr mobil mobilnummer mobilnr "
            "mobiltelefon phone phonenumber telephone mobile mobilephone cellphone fax"
        ),
        KONTAKTUPPGIFTER,
    ),
    **dict.fromkeys(
        _w("fodelsedatum fodelsedag fodelsear fodd birthdate birthday dateofbirth dob birthyear"),
        FODELSEDATUM,
    ),
    **dict.fromkeys(_w("kon gender sex"), KON),
    **dict.fromkeys(
        _w(
            "halsa halsotillstand halsouppgift halsouppgifter diagnos diagnoser sjukdom "
            "sjukdomar funktionsnedsattning funktionshinder lakemedel medicinering "
            "journalanteckning vardbehov health diagnosis diagnoses medication disability "
            "medicalcondition icd icd10"
        ),
        HALSA,
    ),
    **dict.fromkeys(_w("ipadress ipaddress ipadr ip"), IP_ADRESS),
}

# Endings of Swedish compounds (and run-together English): "sokandepersonnummer",
# "hemtelefon", "kontaktepost". Each with the words that end so but mean something else.
_ENDINGS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("personnummer", PERSONNUMMER, frozenset()),
    ("samordningsnummer", PERSONNUMMER, frozenset()),
    ("fornamn", NAMN, frozenset()),
    ("efternamn", NAMN, frozenset()),
    ("epost", KONTAKTUPPGIFTER, frozenset()),
    ("epostadress", KONTAKTUPPGIFTER, frozenset()),
    ("email", KONTAKTUPPGIFTER, frozenset()),
    ("telefon", KONTAKTUPPGIFTER, frozenset()),
    ("telefonnummer", KONTAKTUPPGIFTER, frozenset()),
    ("mobilnummer", KONTAKTUPPGIFTER, frozenset()),
    ("ipadress", IP_ADRESS, frozenset()),
    (
        "adress",
        ADRESS,
        frozenset({"webbadress", "webadress", "natadress", "macadress", "url", "serveradress"}),
    ),
    ("address", ADRESS, frozenset({"webaddress", "macaddress", "serveraddress"})),
    ("fodelsedatum", FODELSEDATUM, frozenset()),
    ("diagnos", HALSA, frozenset()),
    ("diagnoskod", HALSA, frozenset()),
)
# Beginnings that settle the matter: "diagnoskod", "diagnos_datum".
_BEGINNINGS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("diagnos", HALSA, frozenset({"diagnostik", "diagnostic", "diagnostics"})),
    ("personnummer", PERSONNUMMER, frozenset()),
)

# "…namn"/"…name" is a person's name when what comes before it is a person (or a part
# of a person's name), never when it is a thing: filnamn, tabellnamn, produktnamn.
_PERSON_PREFIXES = frozenset(
    _w(
        "for efter mellan tilltals slakt fullt fullstandigt person kontakt kontaktperson "
        "kund kunds sokande sokandes elev elevs patient patients brukare brukares klient "
        "klients anstalld anstallds medarbetare handlaggare handlaggares vardnadshavare "
        "vardnadshavares foralder medlem medlems agare innehavare mottagare avsandare "
        "invanare anhorig "
        # English
        "first last given family middle full sur fore maiden person contact customer "
        "client employee patient member owner applicant student guardian parent "
        "recipient sender resident"
    )
)
_BARE_NAMES = frozenset({"namn", "name"})
# Tables that are about people: a bare "namn" there is a person's name.
_PERSON_TABLE_STEMS = (
    "person",
    "kund",
    "sokande",
    "elev",
    "anstalld",
    "medarbetare",
    "patient",
    "brukare",
    "klient",
    "medlem",
    "invanare",
    "kontakt",
    "anvandare",
    "vardnadshavare",
    "handlaggare",
    "foralder",
    "user",
    "customer",
    "employee",
    "people",
    "member",
    "contact",
    "student",
    "applicant",
    "client",
    "guardian",
    "staff",
)

_AMBIGUOUS_NAME = "?namn"


def _word_category(word: str, *, compound: bool) -> str | None:
    """Return the category a (folded, joined) word names, ``_AMBIGUOUS_NAME``, or None.

    ``compound``: the word is one part of the name, so its ending and beginning tell
    ("sokandepersonnummer"); parts joined by us must be a known word as a whole.
    """
    if word in _WORDS:
        return _WORDS[word]
    if word in _BARE_NAMES:
        return _AMBIGUOUS_NAME
    for suffix in ("namn", "name"):
        if word.endswith(suffix) and word[: -len(suffix)] in _PERSON_PREFIXES:
            return NAMN
    if not compound:
        return None
    for ending, category, exceptions in _ENDINGS:
        if word.endswith(ending) and word not in exceptions:
            return category
    for beginning, category, exceptions in _BEGINNINGS:
        if word.startswith(beginning) and not any(word.startswith(e) for e in exceptions):
            return category
    return None


# Words that also mean other things ("mobile_app", "mail_server", "ip_range", "kon" as in
# cone): they count only as the last part of a name, or before a part in _FOLLOWERS.
_WEAK = frozenset(
    _w(
        "kon sex gender tel ip ipadr mail mobil mobile phone telephone telefon fax street zip "
        "dob health halsa"
    )
)
_FOLLOWERS = frozenset(
    _w(
        "nr no num number nummer kod code adress address hem home privat private arbete "
        "work arb mobil mobile"
    )
)


def _parts(name: str) -> list[str]:
    """Split a column name into folded, lower-case parts: "SökandeFörNamn" → [sokande, for, namn].

    Trailing parts that are only digits are dropped: "adress_2" → [adress].
    """
    spaced = _CAMEL.sub(r"\1_\2", name)
    parts = [part for part in _SPLIT.split(spaced.casefold().translate(_FOLD)) if part]
    while len(parts) > 1 and parts[-1].isdigit():
        parts.pop()
    return parts


def _name_categories(column: str) -> tuple[list[str], bool]:
    """Return (categories, whether the name is only a bare "namn"/"name").

    The parts are read left to right, each time taking the longest run of parts that
    means something ("e_post_adress" is one word, not "e-post" and "adress").
    """
    parts = _parts(column)
    found: list[str] = []
    ambiguous = False
    start = 0
    while start < len(parts):
        for size in range(min(len(parts) - start, 4), 0, -1):
            end = start + size
            word = "".join(parts[start:end])
            category = _word_category(word, compound=size == 1)
            if category is None:
                continue
            if word in _WEAK and end < len(parts) and parts[end] not in _FOLLOWERS:
                continue
            if category == _AMBIGUOUS_NAME:
                ambiguous = True
            elif category not in found:
                found.append(category)
            start = end
            break
        else:
            start += 1
    # "filnamn" or "file_name" name a thing; the bare part "name" inside does not count.
    thing_name = ambiguous and any(
        part not in _BARE_NAMES and part not in _PERSON_PREFIXES for part in parts
    )
    if NAMN in found or thing_name:
        ambiguous = False
    return found, ambiguous


def categories_by_name(column: str) -> list[str]:
    """Return the personal-data categories a column's name points to, in ``CATEGORIES`` order.

    A bare ``namn``/``name`` counts as ``namn`` here; use ``classify_columns`` to judge it
    by the table it is in.
    """
    found, ambiguous = _name_categories(column)
    if ambiguous:
        found.append(NAMN)
    return [category for category in CATEGORIES if category in found]


def is_person_table(table: str) -> bool:
    """Return whether a table's name says it is about people (kunder, sokande, users …)."""
    joined = "".join(_parts(table))
    return any(stem in joined for stem in _PERSON_TABLE_STEMS)


def classify_columns(
    table: str,
    columns: Iterable[str],
    *,
    by_values: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, list[str]]:
    """Return column → categories for the columns of one table that hold personal data.

    ``by_values`` adds what sampling found per column. Two kinds of column count only in
    a table about people (``is_person_table``, or another column identifies a person: a
    personnummer, a person's name, a birth date, gender, health): a bare ``namn``/``name``
    and an address. A school's ``namn`` beside its ``adress`` is no personal data.
    """
    by_values = by_values or {}
    found: dict[str, list[str]] = {}
    contextual: dict[str, list[str]] = {}
    for column in columns:
        categories, bare = _name_categories(column)
        categories += [c for c in by_values.get(column, ()) if c not in categories]
        maybe = [NAMN] if bare else []
        if ADRESS in categories:
            categories.remove(ADRESS)
            maybe.append(ADRESS)
        if categories:
            found[column] = categories
        if maybe:
            contextual[column] = maybe
    identifying = {PERSONNUMMER, NAMN, FODELSEDATUM, KON, HALSA}
    about_people = is_person_table(table) or any(
        identifying & set(categories) for categories in found.values()
    )
    if about_people:
        for column, maybe in contextual.items():
            found.setdefault(column, []).extend(maybe)
    return {
        column: [category for category in CATEGORIES if category in categories]
        for column, categories in found.items()
    }


# --- by sampled values -----------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[a-zA-Z]{2,}$")
_PHONE_CHARS = re.compile(r"^[\d\s()+/-]+$")
# International (+46 …, 0046 …) or national with an area code (0 and not 0 again).
_PHONE_DIGITS = re.compile(r"^(?:(?:\+|00)[1-9]\d{7,13}|0[1-9]\d{5,9})$")
MAX_VALUE_LENGTH = 320
DEFAULT_MIN_SHARE = 0.5


def value_category(value: object) -> str | None:
    """Return the category one value belongs to (``personnummer``, ``kontaktuppgifter``).

    Strings and integers are looked at (a personnummer may be stored as a number); other
    values, and strings longer than ``MAX_VALUE_LENGTH``, give None.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value).strip()
    if not text or len(text) > MAX_VALUE_LENGTH:
        return None
    if is_personnummer(text):
        return PERSONNUMMER
    if "@" in text:
        return KONTAKTUPPGIFTER if _EMAIL.match(text) else None
    if _PHONE_CHARS.match(text):
        digits = re.sub(r"[\s()/-]", "", text)
        if _PHONE_DIGITS.match(digits):
            return KONTAKTUPPGIFTER
    return None


def categories_by_values(
    values: Iterable[object], *, min_share: float = DEFAULT_MIN_SHARE
) -> list[str]:
    """Return the categories that at least ``min_share`` of the non-empty values belong to.

    One valid personnummer among a hundred other codes can be chance (about one random
    ten-digit number in 300 passes), so a category needs a share of the column, not a hit.
    Nothing of the values is kept.
    """
    counts: dict[str, int] = {}
    total = 0
    for value in values:
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        total += 1
        category = value_category(value)
        if category is not None:
            counts[category] = counts.get(category, 0) + 1
    if total == 0:
        return []
    return [
        category
        for category in CATEGORIES
        if counts.get(category, 0) and counts[category] >= min_share * total
    ]
