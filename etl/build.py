"""data/policies → extracted, corrected and checked targets → the DuckDB file, replaced atomically."""
from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from etl.achievements import reports_from_achievements
from etl.corrections import Correction, CorrectionError, apply_corrections, correction_from_entry, load_corrections
from etl.documents import LoadedDocument, MetadataError, load_document, source_files
from etl.extraction.statements import SectionContext, extract_section, plan_year_of
from etl.model import Statement
from etl.readers import DocumentReadError
from indicators.access import Actor, command_line_actor
from indicators.catalog import Catalog, default_catalog
from indicators.models import REPORT_COLUMNS
from indicators.paths import CORRECTIONS_FILE, POLICIES_DIR, SAMPLES_DIR, database_path
from indicators.progress.samples import SampleWorkbookError, read_sample_workbook
from indicators.regions import RegionHistory, UnknownRegion, default_region_history
from indicators.store import (
    AuditEvent,
    BuildTables,
    ensure_current_schema,
    record_audit,
    replace_build,
    stored_corrections,
)
from indicators.vocabulary import COMPARATORS, FAMILIES, KINDS, UNITS

PLAUSIBLE_YEARS = range(1990, 2061)


TARGET_COLUMNS = (
    "target_id", "document_id", "doc", "line", "column_offset", "section_title", "region_code", "region", "level",
    "category", "indicator", "scope", "value", "value_max", "unit", "comparator", "baseline", "year",
    "year_explicit", "kind", "quote", "correction",
)  # plus "paragraph", the source line, added once the lines are at hand


STATEMENT_FIELDS = tuple(
    field.name for field in dataclasses.fields(Statement) if field.name not in ("notes", "number_text", "column")
)


class BuildCheckFailed(RuntimeError):
    """Extracted data broke an invariant; nothing was written."""


class BuildWouldShrink(BuildCheckFailed):
    """The new build has far fewer targets than the database holds: a folder went missing, or most files failed."""


# A build that keeps less than this share of the targets already stored is refused unless allowed.
SHRINK_FLOOR = 0.5


@dataclass(frozen=True)
class FailedFile:
    file_name: str
    reason: str


@dataclass
class BuildResult:
    database: Path
    files: int
    documents: int
    targets: int
    targets_by_family: dict[str, int]
    failures: list[FailedFile]
    reported_values: int = 0
    unused_corrections: list[Correction] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def target_id(statement: Statement, occurrence: int) -> str:
    """Same place in the same source, same id, build after build."""
    key = f"{statement.doc}|{statement.line}|{statement.column}|{statement.number_text}|{statement.value}|{statement.unit}|{occurrence}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def document_id(doc: str, first_line: int, compilation: bool) -> str:
    return f"{doc}#{first_line}" if compilation else doc


def extract_document(document: LoadedDocument, catalog: Catalog) -> list[tuple[Statement, str]]:
    """Statements of every section, each with the id of the policy document it belongs to."""
    found: list[tuple[Statement, str]] = []
    for section in document.sections:
        owner = document_id(section.doc, section.first_line, document.meta.compilation)
        context = SectionContext(section, plan_year_of(section.title))
        found.extend((statement, owner) for statement in extract_section(document.lines, context, catalog))
    return found


def check_targets(targets: pd.DataFrame, lines_by_doc: dict[str, list[str]], catalog: Catalog, regions: RegionHistory) -> None:
    """The invariants every build must hold before anything is written."""
    problems: list[str] = []
    if targets["target_id"].duplicated().any():
        problems.append(f"duplicate target ids: {targets.loc[targets['target_id'].duplicated(), 'target_id'].tolist()[:5]}")
    for column, allowed in (("unit", UNITS), ("category", FAMILIES), ("comparator", COMPARATORS), ("kind", KINDS)):
        bad = targets.loc[~targets[column].isin(allowed), column].unique().tolist()
        if bad:
            problems.append(f"{column} outside {allowed}: {bad}")
    years = targets["year"].dropna()
    implausible = years[~years.isin(PLAUSIBLE_YEARS)].unique().tolist()
    if implausible:
        problems.append(f"implausible years: {implausible}")
    unknown_indicators = sorted(set(targets["indicator"]) - set(catalog.by_code))
    if unknown_indicators:
        problems.append(f"indicators missing from the catalog: {unknown_indicators}")
    for code in set(targets["region_code"]):
        try:
            regions.by_code(code)
        except UnknownRegion:
            problems.append(f"unknown region code {code}")
    for row in targets.itertuples(index=False):
        line_text = lines_by_doc[row.doc][row.line - 1]
        if line_text[row.column_offset: row.column_offset + len(row.quote)] != row.quote:
            problems.append(f"quote not in source: {row.doc}:{row.line} {row.quote!r}")
            break
    if problems:
        raise BuildCheckFailed("; ".join(problems))


def targets_frame(
    extracted: list[tuple[Statement, str]], corrections: list[Correction]
) -> tuple[pd.DataFrame, list[Correction]]:
    statements = [statement for statement, _ in extracted]
    corrected, unused = apply_corrections(statements, corrections)
    # Ids come from the statements as extracted, before any correction or drop, so a correction never
    # changes the id of the statement it corrects nor of any other.
    occurrences: Counter = Counter()
    ids = []
    for statement in statements:
        key = (statement.doc, statement.line, statement.column, statement.number_text)
        occurrences[key] += 1
        ids.append(target_id(statement, occurrences[key]))
    rows = []
    for position, statement, reason in corrected:
        # A shallow copy of the fields: dataclasses.asdict deep-copies and dominated large builds.
        row = {name: getattr(statement, name) for name in STATEMENT_FIELDS}
        row["column_offset"] = statement.column
        row["target_id"] = ids[position]
        row["document_id"] = extracted[position][1]
        row["correction"] = reason
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(TARGET_COLUMNS))
    frame["year"] = frame["year"].astype("Int64")
    return frame, unused


def stored_target_count(database: Path) -> int:
    from indicators.store import database_summary

    return database_summary(database)["targets"] if Path(database).exists() else 0


def file_sha256(path: Path) -> str | None:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest() if Path(path).exists() else None


def app_corrections(database: Path) -> list[Correction]:
    """Corrections admins made in the app and have not retracted, checked like those of the file."""
    corrections = []
    for record in stored_corrections(database).to_dict("records"):
        entry = {**record, "set": json.loads(record["changes"] or "{}")}
        corrections.append(correction_from_entry(entry, f"stored correction {record['correction_id']}"))
    return corrections


def documents_frame(documents: list[LoadedDocument]) -> pd.DataFrame:
    rows = []
    for document in documents:
        meta = document.meta
        for section in document.sections:
            rows.append({
                "document_id": document_id(meta.doc, section.first_line, meta.compilation),
                "doc": meta.doc,
                "file_sha256": document.sha256,
                "title": section.title,
                "issuer": section.issuer or meta.issuer,
                "document_number": None if meta.compilation else meta.document_number,
                "issue_date": None if meta.compilation else meta.issue_date,
                "issue_year": section.issue_year,
                "region_code": section.region_code,
                "level": section.level,
                "first_line": section.first_line,
                "last_line": section.last_line,
                "source": meta.source,
            })
    return pd.DataFrame(rows)


REGION_COLUMNS = ("region_code", "name", "name_en", "level", "parent_code", "valid_from", "valid_until",
                  "successor_codes", "current_codes")


def regions_frame(regions: RegionHistory) -> pd.DataFrame:
    """Every code of the history as last used, plus national: the regions of any year a document, a sample, an
    upload or a grant may name, with the years each was in use and the codes in use now that cover it."""
    rows = []
    for region in regions.all():
        spans = regions.valid_years(region.code)
        rows.append({
            "region_code": region.code, "name": region.name, "name_en": region.name_en, "level": region.level,
            "parent_code": region.parent_code, "valid_from": spans[-1][0], "valid_until": spans[-1][1],
            "successor_codes": list(regions.successors(region.code)),
            "current_codes": list(regions.current_codes_for(region.code)),
        })
    frame = pd.DataFrame(rows, columns=list(REGION_COLUMNS))
    frame["valid_until"] = frame["valid_until"].astype("Int64")
    return frame


def indicators_frame(catalog: Catalog) -> pd.DataFrame:
    return pd.DataFrame([
        {
            "indicator_code": indicator.code, "label_zh": indicator.label_zh, "label_en": indicator.label_en,
            "family": indicator.family, "unit": indicator.unit, "direction": indicator.direction,
            "evaluation_heading": indicator.evaluation_heading,
        }
        for indicator in catalog.indicators
    ])


def build(
    policies_dir: Path = POLICIES_DIR,
    database: Path | None = None,
    corrections_file: Path = CORRECTIONS_FILE,
    progress: Callable[[Iterable[Path]], Iterable[Path]] = lambda paths: paths,
    samples_dir: Path | None = SAMPLES_DIR,
    allow_shrink: bool = False,
    actor: Actor | None = None,
) -> BuildResult:
    """Rebuild every target from the documents; a file that cannot be read is reported, the rest load.

    Corrections made in the app come before those of the file, so the newer word wins. The build is
    recorded in the audit trail under the actor (by default the operating-system user running it), and
    so is a build refused by its checks, which changes nothing else.
    """
    database = Path(database or database_path())
    actor = actor or command_line_actor(getpass.getuser())
    try:
        return _build(policies_dir, database, corrections_file, progress, samples_dir, allow_shrink, actor)
    except BuildCheckFailed as error:
        if database.exists():
            record_audit(database, AuditEvent(
                actor=actor.user_name, actor_role=actor.role, sign_in_method=actor.method, action="rebuild_refused",
                detail={"reason": str(error), "policies": str(policies_dir)}))
        raise


def _build(policies_dir: Path, database: Path, corrections_file: Path, progress: Callable, samples_dir: Path | None,
           allow_shrink: bool, actor: Actor) -> BuildResult:
    ensure_current_schema(database)
    regions = default_region_history()  # documents resolve as of their year; samples against the latest table
    catalog = default_catalog()
    try:
        corrections = [*app_corrections(database), *load_corrections(corrections_file)]
    except CorrectionError as error:
        raise BuildCheckFailed(f"更正无效 invalid correction: {error}") from None

    # Load: every file with its metadata, failures kept with their reason.
    if not Path(policies_dir).is_dir():
        raise BuildCheckFailed(f"文档文件夹不存在：{policies_dir}")
    files = source_files(policies_dir)
    documents: list[LoadedDocument] = []
    failures: list[FailedFile] = []
    for path in progress(files):
        try:
            documents.append(load_document(path, regions))
        except (DocumentReadError, MetadataError) as error:
            failures.append(FailedFile(path.name, error.reason_zh))
        except UnknownRegion as error:
            failures.append(FailedFile(path.name, str(error)))

    # Process: extract, correct, check.
    if not documents:
        reasons = "；".join(f"{failure.file_name}：{failure.reason}" for failure in failures) or "文件夹中没有文档"
        raise BuildCheckFailed(f"没有任何文档可以载入（{reasons}）")
    extracted = [pair for document in documents for pair in extract_document(document, catalog)]
    targets, unused = targets_frame(extracted, corrections)
    stored = stored_target_count(database)
    if not allow_shrink and stored and len(targets) < stored * SHRINK_FLOOR:
        raise BuildWouldShrink(
            f"新构建只有 {len(targets)} 个目标，而数据库现有 {stored} 个；为防误删，未作改动"
            f"（若确属预期，请加 --allow-shrink）"
        )
    lines_by_doc = {document.meta.doc: document.lines for document in documents}
    targets["paragraph"] = [lines_by_doc[doc][line - 1] for doc, line in zip(targets["doc"], targets["line"])]
    check_targets(targets, lines_by_doc, catalog, regions)
    documents_table = documents_frame(documents)
    derived_reports = [reports_from_achievements(targets, documents_table)]
    for workbook in sorted(samples_dir.glob("*.xlsx")) if samples_dir and samples_dir.exists() else []:
        try:
            derived_reports.append(read_sample_workbook(workbook, regions.table(), catalog))
        except (SampleWorkbookError, UnknownRegion) as error:
            failures.append(FailedFile(workbook.name, str(error)))
    reports = pd.concat([frame for frame in derived_reports if not frame.empty] or [pd.DataFrame(columns=list(REPORT_COLUMNS))])

    # Save: one atomic swap of the database file.
    corpus_sha256 = hashlib.sha256(
        "\n".join(f"{document.meta.doc}:{document.sha256}" for document in documents).encode()
    ).hexdigest()
    finished_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    build_record = {
        "build_id": uuid.uuid4().hex,
        "finished_at": finished_at,
        "corpus_sha256": corpus_sha256,
        "documents": sum(len(document.sections) for document in documents),
        "targets": len(targets),
        "failed_files": len(failures),
    }
    failures_frame = pd.DataFrame(
        [{"build_id": build_record["build_id"], "file_name": f.file_name, "reason": f.reason} for f in failures],
        columns=["build_id", "file_name", "reason"],
    )
    replace_build(
        database,
        BuildTables(
            regions=regions_frame(regions),
            indicators=indicators_frame(catalog),
            documents=documents_table,
            targets=targets,
            build=build_record,
            failures=failures_frame,
            derived_reports=reports,
        ),
        AuditEvent(
            actor=actor.user_name, actor_role=actor.role, sign_in_method=actor.method, action="rebuild",
            object_id=build_record["build_id"],
            detail={"documents": build_record["documents"], "targets": len(targets), "failed_files": len(failures),
                    "corrections": len(corrections), "corpus_sha256": corpus_sha256,
                    "corrections_sha256": file_sha256(corrections_file),
                    "samples": {path.name: file_sha256(path) for path in sorted(samples_dir.glob("*.xlsx"))}
                    if samples_dir and samples_dir.exists() else {},
                    "policies": str(policies_dir), "allow_shrink": allow_shrink},
        ),
    )
    return BuildResult(
        database=database,
        files=len(files),
        documents=build_record["documents"],
        targets=len(targets),
        targets_by_family=dict(Counter(targets["category"])),
        failures=failures,
        reported_values=len(reports),
        unused_corrections=unused,
    )
