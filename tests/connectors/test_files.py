"""The files connector on real folder trees made in a temporary directory."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from insyn.catalogue.models import CatalogueRecord
from insyn.catalogue.store import Catalogue
from insyn.connectors import files
from insyn.connectors.base import Cursor, Done, Failure, Item
from insyn.errors import ConfigError, ConnectorError
from insyn.harvester.engine import harvest_source
from insyn.vocab.model import Dataset, Record, from_dict

FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
PDF = b"%PDF-1.7\n" + b"x" * 100
DOCX_HEAD = (
    b"PK\x03\x04" + b"\x00" * 26 + b"[Content_Types].xml" + b"\x00" * 20 + b"word/document.xml"
)
ODT_HEAD = b"PK\x03\x04" + b"\x00" * 26 + b"mimetypeapplication/vnd.oasis.opendocument.textPK"


def make_tree(root: Path) -> Path:
    """A small share: nested folders, Swedish names, files without extension, litter."""
    layout: dict[str, bytes] = {
        "Ekonomi/Budget 2024/budget.csv": b"konto;belopp\n3010;1000\n3020;2500\n",
        "Ekonomi/Budget 2024/Årsredovisning.pdf": PDF,
        "Ekonomi/utan_ändelse": PDF,
        "Ekonomi/~$budget.xlsx": b"lock",
        "Ekonomi/Thumbs.db": b"\x00" * 10,
        "Miljö/Luftmätningar/mätning_åäö.json": b'{"halt": 12}',
        "Miljö/karta": b'{"type": "FeatureCollection", "features": []}',
        "Miljö/dokument": DOCX_HEAD,
        "Miljö/protokoll": ODT_HEAD,
        "Miljö/.dold.txt": b"dold",
        ".git/config": b"[core]",
        "Läsmig.txt": "Välkommen till utdelningen.\n".encode(),
    }
    for relative, content in layout.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    (root / "Miljö" / "loop").symlink_to("..")  # a folder link back up: a loop
    (root / "Miljö" / "utanför").symlink_to("/etc/hostname")  # leads outside the root
    (root / "Ekonomi" / "senaste.csv").symlink_to("Budget 2024/budget.csv")  # inside: a file
    (root / "Ekonomi" / "bruten").symlink_to("finns-inte")
    return root


def run(
    root: Path, cursor: Cursor | None = None, **options: str
) -> tuple[dict[str, Item], list[Failure], Done]:
    config = files.Config.from_source(str(root), options)
    items: dict[str, Item] = {}
    failures: list[Failure] = []
    done = None
    for yielded in files.harvest(config, cursor or Cursor()):
        if isinstance(yielded, Item):
            items[yielded.key] = yielded
        elif isinstance(yielded, Failure):
            failures.append(yielded)
        elif isinstance(yielded, Done):
            done = yielded
    assert done is not None
    return items, failures, done


def distributions(item: Item) -> dict[str, Any]:
    assert isinstance(item.record, Dataset)
    return {d.title["sv"]: d for d in item.record.distributions}


def stored(catalogue: Catalogue) -> dict[str, Record]:
    with catalogue.session() as session:
        rows = session.execute(
            select(CatalogueRecord.source_key, CatalogueRecord.data).where(
                CatalogueRecord.deleted_at.is_(None)
            )
        )
        return {key: from_dict(data) for key, data in rows}


# --- mapping ------------------------------------------------------------------------------


def test_folders_become_datasets_and_files_distributions(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "utdelning")
    items, failures, done = run(root)
    assert not failures and done.complete
    assert set(items) == {".", "Ekonomi", "Miljö"}  # hidden .git is skipped

    ekonomi = distributions(items["Ekonomi"])
    assert set(ekonomi) == {
        "Budget 2024/budget.csv",
        "Budget 2024/Årsredovisning.pdf",
        "utan_ändelse",
        "senaste.csv",
    }
    csv = ekonomi["Budget 2024/budget.csv"]
    path = root / "Ekonomi" / "Budget 2024" / "budget.csv"
    assert csv.media_type == "text/csv" and csv.format == FILE_TYPE + "CSV"
    assert csv.byte_size == path.stat().st_size
    assert csv.modified.timestamp() == int(path.stat().st_mtime)
    assert csv.download_url == csv.access_url == path.as_uri()
    assert "%C3%85rsredovisning.pdf" in ekonomi["Budget 2024/Årsredovisning.pdf"].access_url
    # No extension: the first bytes tell.
    assert ekonomi["utan_ändelse"].media_type == "application/pdf"
    assert ekonomi["utan_ändelse"].format == FILE_TYPE + "PDF"
    record = items["Ekonomi"].record
    assert record.title == {"sv": "Ekonomi"}
    assert record.extras["antal filer"] == ["4"]
    assert record.modified == max(d.modified for d in record.distributions)
    assert any("bruten" in w for w in items["Ekonomi"].warnings)

    miljo = distributions(items["Miljö"])
    assert set(miljo) == {"Luftmätningar/mätning_åäö.json", "karta", "dokument", "protokoll"}
    assert miljo["karta"].media_type == "application/geo+json"
    assert miljo["dokument"].format == FILE_TYPE + "DOCX"
    assert miljo["protokoll"].media_type == "application/vnd.oasis.opendocument.text"
    assert miljo["protokoll"].format == FILE_TYPE + "ODT"
    # The loop is not followed, the link out of the root is left out and reported.
    assert items["Miljö"].warnings == ["Länken Miljö/utanför pekar utanför mappen och följs inte"]

    assert set(distributions(items["."])) == {"Läsmig.txt"}
    assert items["."].record.title == {"sv": "utdelning"}


def test_depth_decides_which_folders_are_datasets(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "utdelning")
    whole, _, _ = run(root, depth="0")
    assert set(whole) == {"."}
    assert len(whole["."].record.distributions) == 9
    deeper, _, _ = run(root, depth="2")
    assert set(deeper) == {
        ".",
        "Ekonomi",
        "Ekonomi/Budget 2024",
        "Miljö",
        "Miljö/Luftmätningar",
    }
    assert set(distributions(deeper["Ekonomi"])) == {"utan_ändelse", "senaste.csv"}
    assert deeper["Ekonomi/Budget 2024"].record.title == {"sv": "Ekonomi/Budget 2024"}


def test_include_exclude_and_hidden(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "utdelning")
    items, _, _ = run(root, include="*.pdf,*.CSV")
    assert set(distributions(items["Ekonomi"])) == {
        "Budget 2024/budget.csv",
        "Budget 2024/Årsredovisning.pdf",
        "senaste.csv",
    }
    assert set(items) == {"Ekonomi"}  # the other folders have no such file
    items, _, _ = run(root, exclude="Budget 2024/**,karta")
    assert set(distributions(items["Ekonomi"])) == {"utan_ändelse", "senaste.csv"}
    assert "karta" not in distributions(items["Miljö"])
    items, _, _ = run(root, exclude="/Miljö/**")
    assert set(items) == {".", "Ekonomi"}
    items, _, _ = run(root, hidden="true", exclude=".git/**")
    assert "~$budget.xlsx" in distributions(items["Ekonomi"])
    assert ".dold.txt" in distributions(items["Miljö"])
    assert ".git" not in items


def test_base_url_and_base_uri(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "utdelning")
    items, _, _ = run(
        root, base_url="https://filer.exempel.se/delat/", base_uri="https://data.exempel.se/mapp"
    )
    record = items["Miljö"].record
    assert record.uri == "https://data.exempel.se/mapp/Milj%C3%B6"
    assert (
        distributions(items["Miljö"])["karta"].access_url
        == "https://filer.exempel.se/delat/Milj%C3%B6/karta"
    )


def test_config() -> None:
    assert files.Config.from_source("file:///srv/delat/%C3%A5r", {}).root == Path("/srv/delat/år")
    for url, message in [
        (None, "--url"),
        ("delat/mapp", "absolut"),
        ("https://server/delat", "mappar"),
        ("file://server/delat", "montera"),
    ]:
        with pytest.raises(ConfigError, match=message):
            files.Config.from_source(url, {})
    with pytest.raises(ConfigError, match="depth"):
        files.Config.from_source("/srv", {"depth": "-1"})


# --- sniffing -----------------------------------------------------------------------------


def test_sniffing_reads_only_the_first_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "rot"
    (root / "stor").mkdir(parents=True)
    (root / "stor" / "utan_ändelse").write_bytes(PDF + b"\x00" * 5_000_000)
    read: list[int] = []
    real_open = open

    def counting_open(path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(path, mode, *args, **kwargs)
        original_read = handle.read

        def read_some(size: int = -1) -> bytes:
            data = original_read(size)
            read.append(len(data))
            return data

        handle.read = read_some
        return handle

    monkeypatch.setattr(files, "open", counting_open, raising=False)
    items, _, _ = run(root)
    assert distributions(items["stor"])["utan_ändelse"].media_type == "application/pdf"
    assert read == [files.SNIFF_BYTES]


# --- through the engine: incremental runs, deletions -------------------------------------


def count_sniffs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = files.sniff

    def counted(head: bytes) -> str | None:
        calls.append(1)
        return real(head)

    monkeypatch.setattr(files, "sniff", counted)
    return calls


def test_incremental_runs_see_changes_and_deletions(
    sqlite_catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_tree(tmp_path / "utdelning")
    for number in range(1, 8):  # more folders, so one deleted folder is under the guard
        (root / f"Arkiv {number}").mkdir()
        (root / f"Arkiv {number}" / "lista.txt").write_text(f"{number}", encoding="utf-8")
    sniffs = count_sniffs(monkeypatch)
    sqlite_catalogue.add_source("delat", "files", str(root))
    first = harvest_source(sqlite_catalogue, "delat")
    assert (first.status, first.added) == ("completed", 10)
    assert len(sniffs) == 4  # the four files without an extension
    assert first.warnings >= 2  # the link out of the root, the broken link

    unchanged = harvest_source(sqlite_catalogue, "delat")
    assert (unchanged.added, unchanged.updated, unchanged.unchanged) == (0, 0, 10)
    assert len(sniffs) == 4  # nothing read again

    # One file changes: its folder's dataset is yielded anew, only that one is updated.
    sniffed_file = root / "Miljö" / "karta"
    sniffed_file.write_bytes(b"<?xml version='1.0'?><gml/>")
    # A file copied in with an old modification time is seen all the same.
    copied = root / "Ekonomi" / "gammal.txt"
    copied.write_text("kopierad", encoding="utf-8")
    os.utime(copied, (1_000_000_000, 1_000_000_000))
    changed = harvest_source(sqlite_catalogue, "delat")
    assert (changed.updated, changed.unchanged, changed.deleted) == (2, 8, 0)
    assert len(sniffs) == 5
    records = stored(sqlite_catalogue)
    miljo = {d.title["sv"]: d for d in records["Miljö"].distributions}
    assert miljo["karta"].media_type == "application/xml"
    assert "gammal.txt" in {d.title["sv"] for d in records["Ekonomi"].distributions}

    # A deleted file: its folder loses it. A deleted folder: its dataset is tombstoned.
    (root / "Ekonomi" / "utan_ändelse").unlink()
    shutil.rmtree(root / "Arkiv 7")
    deleted = harvest_source(sqlite_catalogue, "delat")
    assert (deleted.status, deleted.updated, deleted.deleted) == ("completed", 1, 1)
    records = stored(sqlite_catalogue)
    assert "Arkiv 7" not in records
    assert "utan_ändelse" not in {d.title["sv"] for d in records["Ekonomi"].distributions}
    cursor = sqlite_catalogue.get_source("delat").cursor
    assert cursor["last_value"].startswith("20")
    assert "Miljö/karta" in cursor["http"]


def test_root_lost_mid_run_fails_and_keeps_everything(
    sqlite_catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_tree(tmp_path / "utdelning")
    sqlite_catalogue.add_source("delat", "files", str(root))
    assert harvest_source(sqlite_catalogue, "delat").added == 3
    before = stored(sqlite_catalogue)
    (root / "Läsmig.txt").write_text("Ändrad", encoding="utf-8")
    original = files.harvest

    def unmounted_after_first(config: files.Config, cursor: Cursor) -> Iterator[Any]:
        first = True
        for yielded in original(config, cursor):
            yield yielded
            if first and isinstance(yielded, Item):
                first = False
                root.rename(tmp_path / "avmonterad")  # the share goes away

    monkeypatch.setattr(files, "harvest", unmounted_after_first)
    summary = harvest_source(sqlite_catalogue, "delat")
    assert summary.status == "failed"
    assert str(root) in summary.error and "Ekonomi" in summary.error
    assert "källa delat" in summary.error
    assert stored(sqlite_catalogue) == before
    assert sqlite_catalogue.incidents()[0].kind == "run_failed"


def test_a_walk_that_outlasts_max_run_seconds_fails_and_keeps_everything(
    sqlite_catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_tree(tmp_path / "utdelning")
    for year in range(2000, 2030):  # a tree larger than the time allows
        (root / "Arkiv" / str(year)).mkdir(parents=True)
        (root / "Arkiv" / str(year) / "protokoll").write_bytes(PDF)
    sqlite_catalogue.add_source("delat", "files", str(root), {"max_run_seconds": "20"})
    assert harvest_source(sqlite_catalogue, "delat").added == 4
    before = stored(sqlite_catalogue)
    (root / "Läsmig.txt").write_text("Ändrad", encoding="utf-8")
    shutil.rmtree(root / "Miljö")
    # A share that answers slowly: every look at the clock finds a second gone.
    ticks = iter(range(0, 10**6))
    monkeypatch.setattr("insyn.connectors.base._monotonic", lambda: float(next(ticks)))
    summary = harvest_source(sqlite_catalogue, "delat")
    assert summary.status == "failed"
    assert "max_run_seconds" in summary.error and "20 sekunder" in summary.error
    assert "Arkiv/" in summary.error  # the folder the walk had reached
    assert stored(sqlite_catalogue) == before  # nothing changed, nothing tombstoned
    assert sqlite_catalogue.incidents()[0].kind == "run_failed"


def test_missing_root_fails_the_run_and_deletes_nothing(
    sqlite_catalogue: Catalogue, tmp_path: Path
) -> None:
    root = make_tree(tmp_path / "utdelning")
    sqlite_catalogue.add_source("delat", "files", str(root))
    assert harvest_source(sqlite_catalogue, "delat").added == 3
    shutil.rmtree(root)
    summary = harvest_source(sqlite_catalogue, "delat")
    assert summary.status == "failed" and "monterad" in summary.error
    assert len(stored(sqlite_catalogue)) == 3
    root.write_text("en fil, ingen mapp", encoding="utf-8")
    summary = harvest_source(sqlite_catalogue, "delat")
    assert summary.status == "failed" and "ingen mapp" in summary.error


def test_io_error_in_a_folder_fails_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_tree(tmp_path / "utdelning")
    real_scandir = os.scandir
    failing = str(root / "Miljö")

    def scandir(path: Any = ".") -> Any:
        if str(path) == failing:
            raise OSError(5, "Input/output error")  # EIO: the share is failing
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(ConnectorError, match="Miljö: Input/output error"):
        run(root)


# --- unreadable folders and files ---------------------------------------------------------


def as_nobody(work: Callable[[], Any]) -> Any:
    """Run ``work`` in a child process that has given up root, and return its JSON result.

    As root, chmod 000 blocks nothing; a real permission error needs an ordinary user.
    """
    if os.geteuid() != 0:
        return work()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop to nobody, do the work, report, and leave at once
        status = 0
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            payload = json.dumps({"result": work()})
        except BaseException as exc:
            payload = json.dumps({"error": f"{type(exc).__name__}: {exc}"})
            status = 1
        with os.fdopen(write_end, "w") as pipe:
            pipe.write(payload)
        os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        answer = json.loads(pipe.read() or '{"error": "no answer"}')
    os.waitpid(pid, 0)
    if "error" in answer:
        raise AssertionError(answer["error"])
    return answer["result"]


@pytest.fixture
def world_readable_tree() -> Iterator[Path]:
    """A tree under /tmp that an ordinary user can reach (pytest's tmp_path is root's own)."""
    base = Path(tempfile.mkdtemp(prefix="insyn-files-"))
    base.chmod(0o755)
    root = make_tree(base / "utdelning")
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
    try:
        yield root
    finally:
        for path in [root, *root.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(base)


def test_unreadable_folders_and_files_are_warnings(world_readable_tree: Path) -> None:
    root = world_readable_tree
    run(root)  # as root first: every lazy import and the vocabulary are loaded before the fork
    (root / "Ekonomi" / "Budget 2024").chmod(0o000)  # inside a dataset: a warning
    (root / "Miljö" / "karta").chmod(0o000)  # a file we must sniff but cannot read
    (root / "Personal").mkdir()
    (root / "Personal" / "löner.xlsx").write_bytes(b"PK")
    (root / "Personal").chmod(0o000)  # a dataset's own folder: a failure, record kept

    def harvest() -> dict[str, Any]:
        items, failures, _ = run(root)
        return {
            "keys": sorted(items),
            "warnings": {key: item.warnings for key, item in items.items()},
            "failures": [[f.key, f.reason] for f in failures],
            "ekonomi": sorted(distributions(items["Ekonomi"])),
            "karta": distributions(items["Miljö"])["karta"].media_type,
        }

    found = as_nobody(harvest)
    assert found["keys"] == [".", "Ekonomi", "Miljö"]
    assert found["failures"] == [
        ["Personal", "Mappen Personal kunde inte läsas: Permission denied"]
    ]
    assert found["warnings"]["Ekonomi"] == [
        "Länken Ekonomi/bruten pekar på något som inte finns",
        # the link leads into the folder we may not read
        "Filen Ekonomi/senaste.csv kunde inte läsas: Permission denied",
        "Mappen Ekonomi/Budget 2024 kunde inte läsas: Permission denied",
    ]
    assert "utan_ändelse" in found["ekonomi"] and "senaste.csv" not in found["ekonomi"]
    assert found["karta"] is None
    assert any("Miljö/karta kunde inte läsas" in w for w in found["warnings"]["Miljö"])


def test_unreadable_dataset_folder_keeps_its_stored_record(
    sqlite_catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Simulated (the real permission error is tested above, as an ordinary user): the
    # engine must keep the record of a folder it could not list, not tombstone it.
    root = make_tree(tmp_path / "utdelning")
    sqlite_catalogue.add_source("delat", "files", str(root))
    assert harvest_source(sqlite_catalogue, "delat").added == 3
    before = stored(sqlite_catalogue)
    real_scandir = os.scandir
    denied = str(root / "Miljö")

    def scandir(path: Any = ".") -> Any:
        if str(path) == denied:
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    summary = harvest_source(sqlite_catalogue, "delat")
    assert (summary.status, summary.failed, summary.deleted) == ("completed", 1, 0)
    assert stored(sqlite_catalogue)["Miljö"] == before["Miljö"]


def test_names_that_are_not_utf8_are_stored_readably(
    sqlite_catalogue: Catalogue, tmp_path: Path
) -> None:
    # An old Windows share may hold Latin-1 names: "räkning.txt" as b"r\xe4kning.txt".
    root = tmp_path / "utdelning"
    (root / "Ekonomi").mkdir(parents=True)
    with open(os.fsencode(root / "Ekonomi") + b"/r\xe4kning.txt", "wb") as handle:
        handle.write(b"summa")
    os.mkdir(os.fsencode(root) + b"/\xc5rsbok")
    with open(os.fsencode(root) + b"/\xc5rsbok/data", "wb") as handle:
        handle.write(b"a;b\n1;2\n3;4\n")
    sqlite_catalogue.add_source("delat", "files", str(root))
    summary = harvest_source(sqlite_catalogue, "delat")
    assert (summary.status, summary.added) == ("completed", 2), summary.error
    records = stored(sqlite_catalogue)
    assert set(records) == {"Ekonomi", "\ufffdrsbok"}
    distribution = records["Ekonomi"].distributions[0]
    assert distribution.title == {"sv": "r\ufffdkning.txt"}
    assert distribution.access_url.endswith("/Ekonomi/r%E4kning.txt")  # the bytes, quoted
    assert records["\ufffdrsbok"].distributions[0].media_type == "text/csv"
