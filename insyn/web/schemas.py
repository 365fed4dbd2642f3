"""The JSON API's response models: what ``/openapi.json`` documents and clients rely on."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(description="Stabil felkod, t.ex. not_found, invalid_parameter.")
    message: str = Field(description="Vad som gick fel, på svenska.")
    status: int
    field: str | None = Field(None, description="Parametern som var fel, när det finns en.")
    errors: list[dict[str, str]] | None = None


class ErrorResponse(BaseModel):
    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    texts = {
        401: "Inloggning krävs",
        403: "Rollen ger inte tillgång",
        404: "Finns inte (eller får inte visas)",
        406: "Inget av de begärda formaten kan levereras",
        422: "Ogiltig parameter; fältet anges i error.field",
        429: "För många anrop; se Retry-After",
        503: "Sökningen är tillfälligt otillgänglig",
    }
    return {s: {"model": ErrorResponse, "description": texts[s]} for s in statuses}


class Coded(BaseModel):
    code: str
    label: str


class FacetValue(BaseModel):
    value: str
    label: str
    count: int
    selected: bool


class Hit(BaseModel):
    id: str
    kind: str
    kind_label: str
    title: str
    title_html: str | None = Field(None, description="Titeln som HTML med träffar i <mark>.")
    description: str
    description_html: str | None = Field(None, description="Utdrag som HTML med <mark>.")
    uri: str | None
    url: str = Field(description="Postens sida (och dereferenserbara URI).")
    publisher: str | None
    themes: list[Coded]
    formats: list[str]
    access_rights: Coded | None
    licences: list[Coded]
    modified: str | None
    year: int | None
    score: float | None


class SearchLinks(BaseModel):
    self: str
    first: str
    last: str
    next: str | None
    prev: str | None
    html: str


class SearchResponse(BaseModel):
    query: str
    total: int
    page: int
    page_size: int
    pages: int
    sort: str
    took_ms: float
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    links: SearchLinks


class OrganisationRef(BaseModel):
    id: int
    slug: str
    name: str
    uri: str | None
    url: str


class Provenance(BaseModel):
    source: str | None
    source_kind: str | None
    source_key: str
    first_seen: str
    last_changed: str
    last_harvested: str | None


class RecordResponse(BaseModel):
    id: str
    uri: str | None
    kind: str
    title: str
    url: str
    formats: dict[str, str] = Field(description="Postens maskinläsbara former (RDF).")
    publisher: OrganisationRef | None
    information_owner: OrganisationRef | None
    governance: dict[str, Any]
    provenance: Provenance
    record: dict[str, Any] = Field(description="Hela posten enligt Insyns modell.")


class SuggestResponse(BaseModel):
    query: str
    suggestions: list[str]


class Organisation(BaseModel):
    id: int
    slug: str
    name: str
    name_en: str | None
    uri: str | None
    identifier: str | None
    type: str | None
    type_label: str | None
    parent_id: int | None
    homepage: str | None
    email: str | None
    records: int = Field(description="Antal offentliga poster som organisationen ger ut.")
    url: str


class RecordSummary(BaseModel):
    id: str
    kind: str
    title: str
    url: str


class OrganisationsResponse(BaseModel):
    total: int
    organisations: list[Organisation]


class OrganisationDetail(Organisation):
    units: list[Organisation]
    published: list[RecordSummary]


class SourceInfo(BaseModel):
    name: str
    kind: str
    url: str | None
    schedule: str | None
    enabled: bool
    options: dict[str, Any]
    created_at: str
    last_harvest: str | None


class RunInfo(BaseModel):
    id: int
    source: str
    status: str
    started_at: str
    finished_at: str | None
    added: int
    updated: int
    unchanged: int
    deleted: int
    failed: int
    error: str | None
    record_errors: int


class Health(BaseModel):
    status: str = Field(description="ok eller unavailable")
    version: str
    checks: dict[str, str]
