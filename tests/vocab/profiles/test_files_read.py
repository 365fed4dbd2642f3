"""The files read profile: media types from names and first bytes, a folder's dataset."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from insyn.vocab.profiles import files_read

FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
PDF = b"%PDF-1.7\n" + b"x" * 100
DOCX_HEAD = (
    b"PK\x03\x04" + b"\x00" * 26 + b"[Content_Types].xml" + b"\x00" * 20 + b"word/document.xml"
)
ODT_HEAD = b"PK\x03\x04" + b"\x00" * 26 + b"mimetypeapplication/vnd.oasis.opendocument.textPK"


@pytest.mark.parametrize(
    "head,expected",
    [
        (PDF, "application/pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "image/png"),
        (b"\xff\xd8\xff\xe0", "image/jpeg"),
        (b"\x1f\x8b\x08", "application/gzip"),
        (b"SQLite format 3\x00" + b"\x00" * 10, "application/vnd.sqlite3"),
        (DOCX_HEAD, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (ODT_HEAD, "application/vnd.oasis.opendocument.text"),
        (b"PK\x03\x04" + b"\x00" * 40, "application/zip"),
        (b"<?xml version='1.0'?><rdf:RDF>", "application/rdf+xml"),
        (b"<?xml version='1.0'?><root/>", "application/xml"),
        (b"<!DOCTYPE html><html>", "text/html"),
        (b'{"a": 1}', "application/json"),
        (b"@prefix dcat: <http://www.w3.org/ns/dcat#> .", "text/turtle"),
        ("namn;ort\nÅsa;Umeå\nÖrjan;Gävle\n".encode(), "text/csv"),
        ("namn;ort\nÅsa;Umeå\n".encode("cp1252"), "text/csv"),
        (b"a\tb\n1\t2\n3\t4\n", "text/tab-separated-values"),
        ("Hej på dig".encode(), "text/plain"),
        ("Hej på dig".encode("cp1252"), "text/plain"),
        (bytes(range(256)), "application/octet-stream"),
        (b"", None),
    ],
)
def test_sniff(head: bytes, expected: str | None) -> None:
    assert files_read.sniff(head) == expected


def test_a_folder_becomes_a_dataset_with_one_distribution_per_file() -> None:
    folders = files_read.Folders("file:///srv/delat/", "https://data.exempelby.se/filer", "delat")
    mtime = 1_700_000_000_123_456_789
    files = [
        files_read.File(
            "Miljö/mätning åäö.json", "Miljö/mätning åäö.json".encode(), 12, mtime, None
        ),
        files_read.File("Miljö/a/b.pdf", b"Milj\xf6/a/b.pdf", 5, mtime - 10**9, "application/pdf"),
    ]
    dataset = folders.dataset("Miljö", "Miljö", files)
    assert dataset.uri == "https://data.exempelby.se/filer/Milj%C3%B6"
    assert dataset.title == {"sv": "Miljö"}
    assert dataset.modified == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    by_title = {d.title["sv"]: d for d in dataset.distributions}
    json_file = by_title["mätning åäö.json"]
    assert (
        json_file.access_url
        == "file:///srv/delat/Milj%C3%B6/m%C3%A4tning%20%C3%A5%C3%A4%C3%B6.json"
    )
    assert json_file.format == FILE_TYPE + "JSON"
    pdf = by_title["a/b.pdf"]
    assert pdf.download_url == "file:///srv/delat/Milj%F6/a/b.pdf"  # the bytes on disk
    assert (pdf.format, pdf.byte_size) == (FILE_TYPE + "PDF", 5)
    assert dataset.extras == {"sökväg": ["Miljö"], "antal filer": ["2"], "storlek (byte)": ["17"]}
    root = folders.dataset(".", "", [])
    assert (root.title, root.modified, root.uri) == (
        {"sv": "delat"},
        None,
        "https://data.exempelby.se/filer/.",
    )


def test_media_type_by_name() -> None:
    assert files_read.media_type_by_name("karta.geojson") == "application/geo+json"
    assert files_read.media_type_by_name("arkiv.tar.gz") == "application/gzip"
    assert files_read.media_type_by_name("utan_ändelse") is None
