"""JSON shapes of the service: the facts submission schema of a campaign, and the documented
request and response bodies of the OpenAPI document.

The response models document the JSON the service sends (they are the OpenAPI schemas that the
schemathesis run checks every response against); handlers send pre-serialised JSON, the same
bytes as ``evaluate --format json`` would give, without re-validating it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from emulation_rules.campaign import model as m
from emulation_rules.facts.history import FIRST_YEAR, LAST_YEAR, MAX_ENTRIES

__all__ = [
    "FACTS_REQUEST_SCHEMA",
    "CampaignDetail",
    "CampaignSummary",
    "DecisionDoc",
    "EvaluationDoc",
    "InitiativesDoc",
    "ProblemDetails",
    "ReloadDoc",
    "TargetsDoc",
    "ValidationDoc",
    "facts_schema",
]

_JSON_TYPES: dict[str, dict[str, Any]] = {
    "bool": {"type": "boolean"},
    "int": {"type": "integer"},
    "money": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string"}]},
    "decimal": {"type": "number"},
    "percent": {"type": "number", "minimum": 0, "maximum": 100},
    "date": {"type": "string", "format": "date"},
    "text": {"type": "string"},
}


def _value_schema(decl: m.FactDecl | m.RecordField) -> dict[str, Any]:
    if decl.type in ("enum", "ordered_enum"):
        names: list[str] = []
        for v in decl.values:
            for n in (v.id, v.label.vi, v.label.en):
                if n not in names:
                    names.append(n)
        schema: dict[str, Any] = {"type": "string", "enum": names}
    elif decl.type == "records":
        fields = decl.fields if isinstance(decl, m.FactDecl) else ()
        schema = {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {f.id: _value_schema(f) for f in fields},
                "required": [f.id for f in fields if f.required],
            },
        }
    else:
        schema = dict(_JSON_TYPES[decl.type])
        if decl.minimum is not None:
            schema["minimum"] = decl.minimum
        if decl.maximum is not None:
            schema["maximum"] = decl.maximum
    schema["title"] = decl.label.en
    schema["description"] = decl.label.vi + (f" ({decl.unit})" if decl.unit else "")
    return schema


def facts_schema(campaign: m.Campaign) -> dict[str, Any]:
    """JSON Schema (2020-12) of a facts submission for ``campaign`` (``GET .../schema``).

    Enum facts list each value's id and its Vietnamese and English labels (the service also
    accepts them in any letter case); ``null`` for a fact means "not known", as if absent.
    """

    def facts_of(kind: str) -> dict[str, Any]:
        return {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                f.id: {"anyOf": [_value_schema(f), {"type": "null"}]}
                for f in campaign.facts
                if f.applies_to == kind
            },
        }

    common = {
        "id": {"type": "string", "minLength": 1},
        "unit": {"type": "string"},
        "name": {"type": "string"},
        "history": HISTORY_SCHEMA,
    }
    collective = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "kind", "level"],
        "properties": {
            **common,
            "kind": {"const": "collective"},
            "level": {"enum": [lv.id for lv in campaign.subjects.collective_levels]},
            "facts": facts_of("collective"),
        },
    }
    individual = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "kind", "role"],
        "properties": {
            **common,
            "kind": {"const": "individual"},
            "role": {"enum": [r.id for r in campaign.subjects.individual_roles]},
            "facts": facts_of("individual"),
        },
    }
    props: dict[str, Any] = {
        "campaign": {"const": campaign.id},
        "as_of": {"type": "string", "format": "date"},
        "subjects": {"type": "array", "items": {"oneOf": [collective, individual]}},
    }
    if campaign.initiatives is not None:
        props["initiatives"] = {
            "type": "array",
            "items": {"type": "object"},
            "description": "initiative register (format: emulation_rules.facts.initiatives)",
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"Facts submission for campaign {campaign.id}",
        "type": "object",
        "additionalProperties": False,
        "required": ["subjects"],
        "properties": props,
    }


HISTORY_SCHEMA: dict[str, Any] = {
    "type": "array",
    "maxItems": MAX_ENTRIES,
    "description": "titles (or yearly ratings) the subject held in earlier years "
    "(emulation_rules.facts.history); absent = not known",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["year"],
        "oneOf": [{"required": ["title"]}, {"required": ["rating"]}],
        "properties": {
            "title": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "maxLength": 64},
            "rating": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "maxLength": 64},
            "year": {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR},
            "decided_by": {"type": "string"},
            "decision": {"type": "string"},
        },
    },
}


FACTS_REQUEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["subjects"],
    "description": "A facts submission (the facts JSON format); GET /campaigns/{id}/schema gives "
    "the exact schema for one campaign.",
    "properties": {
        "campaign": {"type": "string"},
        "as_of": {"type": "string", "format": "date"},
        "subjects": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "kind"],
                "properties": {
                    "id": {"type": "string"},
                    "kind": {"enum": ["collective", "individual"]},
                    "level": {"type": "string"},
                    "role": {"type": "string"},
                    "unit": {"type": "string"},
                    "name": {"type": "string"},
                    "facts": {"type": "object"},
                    "history": {"type": "array", "items": {"type": "object"}},
                },
            },
        },
        "initiatives": {"type": "array", "items": {"type": "object"}},
    },
}


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ProblemItem(BaseModel):
    """One located problem (``Problem.to_dict()``)."""

    code: str
    message: str
    path: str
    file: str | None
    line: int | None
    column: int | None
    hint: str | None


class ProblemDetails(BaseModel):
    """An error as ``application/problem+json`` (RFC 9457), with the located problems."""

    type: str = Field(description="URI naming the problem type, e.g. urn:emulation-rules:bad-facts")
    title: str
    status: int
    detail: str
    problems: list[ProblemItem] = Field(default_factory=list)


class CampaignSummary(BaseModel):
    """One served campaign in ``GET /campaigns``."""

    id: str
    title: dict[str, str]
    document_number: str | None
    mode: str
    content_hash: str
    file: str


class CampaignDetail(_Open):
    """A campaign's metadata, phases, awards, targets, documents and content hash."""

    id: str
    content_hash: str
    file: str
    phases: list[dict[str, Any]]
    awards: list[dict[str, Any]]
    targets: list[dict[str, Any]]


class EvaluationDoc(BaseModel):
    """The evaluation document: the same JSON as ``evaluate --format json`` (format_version 1)."""

    format_version: int
    campaign: str
    as_of: str | None
    phase: str | None
    backend: str | None
    params: dict[str, float]
    subjects: list[dict[str, Any]]
    rejected: list[dict[str, Any]]
    quotas: list[dict[str, Any]]


class TargetsDoc(BaseModel):
    """Target statuses for one phase (``targets --format json``)."""

    campaign: str
    phase: str | None
    as_of: str | None
    targets: list[dict[str, Any]]


class InitiativesDoc(BaseModel):
    """The judged initiative register (``initiatives --format json``)."""

    initiatives: list[dict[str, Any]]


class ValidationDoc(BaseModel):
    """Result of ``POST /validate``: ok, the campaign id when valid, else located problems."""

    ok: bool
    campaign: str | None
    problems: list[ProblemItem]


class DecisionDoc(BaseModel):
    """One logged decision."""

    id: str
    created_at: str
    kind: Literal["evaluation", "targets", "initiatives"]
    campaign_id: str
    content_hash: str
    backend: str | None
    package_version: str
    facts_sha256: str
    result_sha256: str
    options: dict[str, Any]
    verdicts: Any
    facts_logged: bool


class ReloadDoc(BaseModel):
    """What a reload did (see ``ReloadReport``)."""

    loaded: list[str]
    unchanged: list[str]
    kept: list[str]
    removed: list[str]
    problems: dict[str, list[ProblemItem]]
