"""An uploaded progress workbook → checked whole → kept with its provenance → stored as one submission, or nothing."""
from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from etl.files import write_atomically
from etl.paths import uploads_dir
from etl.progress_import import Problem, ValidationContext, ValidationResult, validate_upload
from etl.regions import default_region_table
from etl.reports import REPORT_COLUMNS, reported_id
from indicators import store
from indicators.catalog import default_catalog


@dataclass
class SubmissionOutcome:
    """What happened to one upload: stored (with an id) or refused (with every problem)."""

    validation: ValidationResult
    submission_id: str | None = None
    replaced: int = 0
    duplicate_of: dict | None = None
    refusals: list[Problem] = field(default_factory=list)

    @property
    def stored(self) -> bool:
        return self.submission_id is not None

    @property
    def errors(self) -> list[Problem]:
        return [*self.refusals, *self.validation.errors]


def latest_stored_values(database: Path) -> dict:
    """(region, indicator, scope) → (value, period) of the latest stored report, read in one query."""
    if not Path(database).exists():
        return {}
    frame = store.latest_values_by_key(database)
    scopes = frame["scope"].astype(object).where(frame["scope"].notna(), None)
    return {
        (region, indicator, scope): (float(value), period)
        for region, indicator, scope, value, period in zip(
            frame["region_code"], frame["indicator"], scopes, frame["value"], frame["period"])
    }


def validation_context(database: Path) -> ValidationContext:
    """Lookups the checks need: regions, the catalog, and the latest stored values for the warnings."""
    return ValidationContext(
        regions=default_region_table(), catalog=default_catalog(), current_year=dt.date.today().year,
        last_reports=latest_stored_values(database),
    )


def keep_file(data: bytes, file_name: str, sha256: str, folder: Path) -> Path:
    """The upload kept byte for byte, named by its content so the same file is stored once."""
    folder.mkdir(parents=True, exist_ok=True)
    suffix = "".join(character for character in Path(file_name).suffix.lower() if character.isalnum() or character == ".")
    kept = folder / f"{sha256}{suffix[:6]}"
    if not kept.exists():
        write_atomically(kept, data)
    return kept


def rows_frame(result: ValidationResult, submission_id: str, file_name: str) -> pd.DataFrame:
    records = []
    for row in result.rows:
        converted = row.reported_unit != row.unit
        note = row.note
        if converted:
            original = f"原填报 {row.reported_value:g} {row.reported_unit}"
            note = f"{note}；{original}" if note else original
        records.append({
            "reported_id": reported_id("submission", submission_id, row.sheet, row.row_number),
            "origin": "submission",
            "submission_id": submission_id,
            "target_id": None,
            "region_code": row.region_code,
            "indicator": row.indicator,
            "scope": row.scope,
            "period": row.period,
            "period_year": row.period_year,
            "value": row.value,
            "unit": row.unit,
            "as_of": row.as_of,
            "source": row.source or f"上报：{file_name}",
            "note": note,
        })
    return pd.DataFrame(records, columns=list(REPORT_COLUMNS))


def submit(data: bytes, file_name: str, uploaded_by: str, database: Path, *, folder: Path | None = None,
           context: ValidationContext | None = None) -> SubmissionOutcome:
    """Check the whole workbook; if it is right and new, keep the file and store its rows in one atomic write."""
    context = context or validation_context(database)
    result = validate_upload(data, file_name, context)
    outcome = SubmissionOutcome(validation=result)
    if not result.ok:
        return outcome
    earlier = store.submission_with_file(database, result.sha256) if Path(database).exists() else None
    if earlier:
        outcome.duplicate_of = earlier
        outcome.refusals.append(Problem(
            "error", None, None, file_name,
            f"同一文件已于 {earlier['uploaded_at']:%Y-%m-%d %H:%M} 由 {earlier['uploaded_by']} 上传"
            f"（提交编号 {earlier['submission_id']}），未重复保存",
            f"The same file was uploaded on {earlier['uploaded_at']:%Y-%m-%d %H:%M} by {earlier['uploaded_by']} "
            f"(submission {earlier['submission_id']}); nothing was stored again",
        ))
        return outcome
    submission_id = uuid.uuid4().hex[:16]
    kept = keep_file(data, file_name, result.sha256, folder or uploads_dir(database))
    submission = {
        "submission_id": submission_id,
        "file_name": Path(file_name).name,
        "file_sha256": result.sha256,
        "uploaded_by": uploaded_by,
        "uploaded_at": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
        "row_count": len(result.rows),
        "stored_path": str(kept),
    }
    try:
        outcome.replaced = store.commit_submission(database, submission, rows_frame(result, submission_id, file_name))
    except store.DuplicateSubmission as duplicate:
        outcome.duplicate_of = {"submission_id": duplicate.args[0]}
        outcome.refusals.append(Problem(
            "error", None, None, file_name,
            f"同一文件刚刚已作为提交 {duplicate.args[0]} 保存，未重复保存",
            f"The same file was just stored as submission {duplicate.args[0]}; nothing was stored again",
        ))
        return outcome
    outcome.submission_id = submission_id
    return outcome


def withdraw(database: Path, submission_id: str, withdrawn_by: str) -> int:
    """Withdraw a submission; returns how many earlier values came back."""
    return store.withdraw_submission(
        database, submission_id, withdrawn_by, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    )


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
