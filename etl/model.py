"""The canonical records every step passes along: documents, their sections, and extracted statements."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class DocumentMeta:
    """What `<name>.meta.yml` says about one source file."""

    doc: str  # file name inside data/policies, the document's stable id
    title: str
    issuer: str
    region: str
    document_number: str | None
    issue_date: date | None
    issue_year: int | None
    source: str
    compilation: bool = False


@dataclass(frozen=True)
class Section:
    """One policy document inside a file: the whole file, or one part of a compilation."""

    doc: str
    title: str
    region_code: str
    region: str
    level: str
    first_line: int  # 1-based, inclusive
    last_line: int  # 1-based, inclusive
    issue_year: int | None
    issuer: str | None = None


@dataclass
class Statement:
    """One number in one sentence that measures the business environment."""

    doc: str
    line: int
    section_title: str
    region_code: str
    region: str
    level: str
    category: str
    indicator: str
    scope: str | None
    value: float
    value_max: float | None
    unit: str
    comparator: str
    baseline: float | None
    year: int | None
    year_explicit: bool
    kind: str
    quote: str
    column: int = 0  # 0-based offset of the quote inside its line
    number_text: str = ""  # the number as written, for tracing
    notes: list[str] = field(default_factory=list)
