"""Real ISO 19139 records of geodata.se (../shared/data/iso19139/geodata-se), by identifier."""

from __future__ import annotations

from tests.conftest import shared_file

SGU_JORDARTER = "2410c2e5-2a0e-4a47-9273-b7b77517420a"
STOCKHOLM_GEOARKIV = "e29dd19d-9149-4f5a-a723-9bdbbaf47c8d"
LM_TRANSPORT = "ec6cda58-be88-4f98-9fd5-933a8f4b0a4e"
LIDINGO_WMS = "ec85f32d-a582-47c9-a461-25c3b521bd1d"
KALMAR_STRANDSKYDD = "in2_record_8537df85-6ea0-40a8-9a8c-04e97fa9a9ee.xml"


def geodata_record(name: str) -> bytes:
    """One record file's XML, without its XML declaration (to embed it in a response)."""
    text = shared_file(f"iso19139/geodata-se/{name}").read_bytes()
    return text.split(b"?>", 1)[1] if text.startswith(b"<?xml") else text
