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
    "DECISION_REQUEST_SCHEMA",
    "FACTS_REQUEST_SCHEMA",
    "REVIEW_REQUEST_SCHEMA",
    "CampaignDetail",
    "CampaignSummary",
    "DecisionDoc",
    "EvaluationDoc",
    "HistoryDoc",
    "InitiativesDoc",
    "ProblemDetails",
    "RegisterDecisionDoc",
    "ReloadDoc",
    "ReviewDoc",
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
    props.update(CYCLE_PROPERTIES)
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


CYCLE_PROPERTIES: dict[str, Any] = {
    "proposals": {
        "type": "array",
        "description": "who the unit proposes for which award (danh sách đề nghị): "
        "{award, subjects}, awards and subjects by id or label (emulation_rules.facts.cycle)",
        "items": {
            "type": "object",
            "required": ["award", "subjects"],
            "properties": {"award": {"type": "string"}, "subjects": {"type": "array", "items": {"type": "string"}}},
        },
    },
    "ballots": {
        "type": "array",
        "description": "the emulation council's ballots (biên bản bỏ phiếu), per subject and award",
        "items": {
            "type": "object",
            "required": ["subject", "award"],
            "properties": {
                "subject": {"type": "string"},
                "award": {"type": "string"},
                "members": {"type": "integer", "minimum": 0},
                "present": {"type": "integer", "minimum": 0},
                "votes_for": {"type": "integer", "minimum": 0},
                "minutes": {"type": "string"},
            },
        },
    },
}
"""The review cycle's keys of a submission, beside ``subjects`` (:mod:`emulation_rules.facts.cycle`)."""

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
        **CYCLE_PROPERTIES,
    },
}

CORRECTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["subject", "value"],
    "description": "one reviewed value: a fact, or a score-sheet item with a points fact, exactly one; "
    "value null = not known (emulation_rules.facts.corrections)",
    "properties": {
        "subject": {"type": "string"},
        "fact": {"type": "string"},
        "item": {"type": "string"},
        "value": {},
        "note": {"type": "string", "description": "why (diễn giải)"},
        "reviewer": {"type": "string"},
    },
}

REVIEW_REQUEST_SCHEMA: dict[str, Any] = {
    **FACTS_REQUEST_SCHEMA,
    "required": ["subjects", "review"],
    "description": "A facts submission (the unit's self-assessment) with the upper level's review: "
    "the corrections, as in a review file (evaluate --reviewed).",
    "properties": {
        **FACTS_REQUEST_SCHEMA["properties"],
        "review": {
            "type": "object",
            "required": ["corrections"],
            "properties": {
                "campaign": {"type": "string"},
                "reviewed_by": {"type": "string", "description": "the reviewer of every line without its own"},
                "corrections": {"type": "array", "items": CORRECTION_SCHEMA},
            },
        },
    },
}

CONFERRAL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["subject", "title"],
    "properties": {
        "subject": {"type": "string", "minLength": 1},
        "title": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "maxLength": 64},
        "year": {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR,
                 "description": "default: the decision's year"},
        "name": {"type": "string"},
    },
}

DECISION_REQUEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["number", "date", "issued_by"],
    "description": "A decision to record in the register of titles conferred (register add): the titles "
    "from an evaluation document (awarded, within every quota) or listed in 'conferrals'; a "
    "revocation cites the decision it revokes and lists what it takes back.",
    "oneOf": [{"required": ["evaluation"]}, {"required": ["conferrals"]}],
    "properties": {
        "number": {"type": "string", "minLength": 1, "maxLength": 128, "description": "số quyết định"},
        "date": {"type": "string", "format": "date"},
        "issued_by": {"type": "string", "minLength": 1, "maxLength": 256, "description": "cơ quan ban hành"},
        "year": {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR,
                 "description": "the year the titles are for (default: the evaluation's, else the date's)"},
        "revokes": {"type": "string", "description": "the number of the decision (same body) it revokes"},
        "campaign": {"type": "string", "description": "the served campaign of the evaluation (its quotas)"},
        "awards": {"type": "array", "items": {"type": "string"},
                   "description": "with an evaluation: record only these awards (default: all)"},
        "evaluation": {"type": "object", "description": "a POST .../evaluations (or reviews) answer"},
        "conferrals": {"type": "array", "items": CONFERRAL_SCHEMA},
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


class ReviewDoc(EvaluationDoc):
    """The reviewed evaluation document (the verdicts that count), with the self-assessed one and
    the review (``evaluate --reviewed FILE --format json``)."""

    self_assessed: dict[str, Any] = Field(description="the evaluation document of the unit's own facts")
    review: list[dict[str, Any]] = Field(
        description="per subject corrected: the corrected facts with both values and the note, each "
        "award's self-assessed and reviewed verdict, points and band, the criteria that changed")


class ConferralDoc(BaseModel):
    """One title conferred (or taken back) to one subject."""

    subject: str
    title: str
    year: int
    name: str | None


class RegisterDecisionDoc(BaseModel):
    """A decision as recorded in the register."""

    id: int
    number: str
    issued_by: str
    date: str
    kind: Literal["confer", "revoke"]
    revokes: str | None
    campaign: str | None
    conferrals: list[ConferralDoc]
    notes: list[str] = Field(description="awarded titles left out (over a quota's cap), in words")


class HeldTitleDoc(BaseModel):
    """A title a subject holds according to the register."""

    title: str
    year: int
    decided_by: str | None
    decision: str | None


class HistoryDoc(BaseModel):
    """A subject's history from the register (``register history --format json``)."""

    subject: str
    history: list[HeldTitleDoc]


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
    kind: Literal["evaluation", "targets", "initiatives", "review"]
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
