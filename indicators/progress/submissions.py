"""An uploaded progress workbook → checked whole → kept with its provenance → stored as one submission, or nothing."""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from indicators import access, accounts, store
from indicators.access import Actor
from indicators.catalog import default_catalog
from indicators.files import write_atomically
from indicators.models import reported_values_frame
from indicators.paths import uploads_dir
from indicators.progress.context import ValidationContext, ValidationResult, reported_value_of
from indicators.progress.problems import Problem
from indicators.progress.validation import validate_upload
from indicators.regions import default_region_table


@dataclass
class SubmissionOutcome:
    """What happened to one upload: stored (with an id) or refused (with every problem)."""

    validation: ValidationResult
    submission_id: str | None = None
    replaced: int = 0
    duplicate_of: dict | None = None
    refusals: list[Problem] = field(default_factory=list)
    retry_later: bool = False  # refused only because the database was busy: the same file may be sent again

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


def validation_context(database: Path, actor: Actor | None = None) -> ValidationContext:
    """Lookups the checks need: regions, the catalog, the latest stored values for the warnings, and,
    for an evaluator, the regions they may write."""
    regions = default_region_table()
    allowed, allowed_text = None, ("", "")
    if actor is not None and actor.role != "admin":
        parents = {region.code: region.parent_code for region in regions.all()}

        def allowed(code: str) -> bool:
            return access.may_write_region(actor, code, parents)

        allowed_text = accounts.scope_text(actor, regions.display_name)
    return ValidationContext(
        regions=regions, catalog=default_catalog(), current_year=dt.date.today().year,
        last_reports=latest_stored_values(database), region_allowed=allowed, allowed_regions_text=allowed_text,
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
    return reported_values_frame(
        reported_value_of(row, "submission", (submission_id, row.sheet, row.row_number),
                          source=row.source or f"上报：{file_name}", submission_id=submission_id)
        for row in result.rows
    )


def submit(data: bytes, file_name: str, actor: Actor, database: Path, *, folder: Path | None = None,
           context: ValidationContext | None = None, on_behalf_of: str | None = None) -> SubmissionOutcome:
    """Check the whole workbook; if it is right, new and within the actor's regions, keep the file and store
    its rows in one atomic write with its audit entry. A refusal is audited too and stores nothing else.

    Raises accounts.NotPermitted when the actor may not upload at all.
    """
    accounts.require(actor, "upload")
    file_name = safe_file_name(file_name)
    context = context or validation_context(database, actor)
    result = validate_upload(data, file_name, context)
    outcome = SubmissionOutcome(validation=result)
    if not result.ok:
        store.record_audit(database, accounts.event(
            actor, "upload_refused", file_name=file_name, file_sha256=result.sha256 or sha256_of(data),
            detail={"errors": len(result.errors), "first_errors": [problem.message("zh") for problem in result.errors[:5]]},
        ))
        return outcome
    earlier = store.submission_with_file(database, result.sha256) if Path(database).exists() else None
    if earlier:
        store.record_audit(database, accounts.event(
            actor, "upload_refused", file_name=file_name, file_sha256=result.sha256,
            detail={"duplicate_of": earlier["submission_id"]}))
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
    uploaded_by = actor.user_name if not on_behalf_of else f"{on_behalf_of}（{actor.user_name}）"
    submission = {
        "submission_id": submission_id,
        "file_name": file_name,
        "file_sha256": result.sha256,
        "uploaded_by": uploaded_by,
        "uploaded_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        "row_count": len(result.rows),
        "stored_path": str(kept),
    }
    try:
        rows = rows_frame(result, submission_id, file_name)
        outcome.replaced = store.commit_submission(database, submission, rows, accounts.event(
            actor, "upload", object_id=submission_id, file_name=file_name, file_sha256=result.sha256,
            stored_path=str(kept), detail={"rows": len(rows), "regions": sorted(set(rows["region_code"])),
                                           **({"on_behalf_of": on_behalf_of} if on_behalf_of else {})},
        ))
    except store.DatabaseBusy:
        # Auditing the refusal would wait for the same busy database: the process log keeps it instead.
        logging.getLogger("bizenv.audit").warning("database busy; upload of %s (%s) by %s refused",
                                                  file_name, result.sha256, actor.user_name)
        outcome.retry_later = True
        outcome.refusals.append(Problem(
            "error", None, None, file_name, "数据库正被另一写入操作占用，本表未保存；请稍后重新上传",
            "The database is busy with another write; nothing was stored: upload again in a while",
        ))
        return outcome
    except store.DuplicateSubmission as duplicate:
        store.record_audit(database, accounts.event(
            actor, "upload_refused", file_name=file_name, file_sha256=result.sha256,
            detail={"duplicate_of": duplicate.args[0]}))
        outcome.duplicate_of = {"submission_id": duplicate.args[0]}
        outcome.refusals.append(Problem(
            "error", None, None, file_name,
            f"同一文件刚刚已作为提交 {duplicate.args[0]} 保存，未重复保存",
            f"The same file was just stored as submission {duplicate.args[0]}; nothing was stored again",
        ))
        return outcome
    outcome.submission_id = submission_id
    return outcome


def may_withdraw(database: Path, actor: Actor, submission_id: str) -> bool:
    """Admins withdraw anything; evaluators only uploads all of whose rows lie within their regions."""
    if access.can(actor, "withdraw_any", anonymous_view=False):
        return True
    if not access.can(actor, "withdraw", anonymous_view=False):
        return False
    codes = store.submission_region_codes(database, submission_id)
    return bool(codes) and not access.regions_outside(actor, codes, store.region_parents(database))


def withdraw(database: Path, submission_id: str, actor: Actor, reason: str | None = None) -> int:
    """Withdraw a submission; returns how many earlier values came back.

    Raises accounts.NotPermitted when the upload has rows outside the actor's regions, LookupError when
    there is no active submission of that id.
    """
    accounts.require(actor, "withdraw")
    if not may_withdraw(database, actor, submission_id):
        raise accounts.NotPermitted(
            f"提交 {submission_id} 含有您负责地区以外的数据，只有管理员可以撤回",
            f"Submission {submission_id} has rows outside your regions; only an admin can withdraw it",
        )
    record = store.submission_record(database, submission_id)
    return store.withdraw_submission(
        database, submission_id, actor.user_name, dt.datetime.now(dt.UTC).replace(tzinfo=None),
        accounts.event(actor, "withdrawal", object_id=submission_id, detail={"reason": reason} if reason else {},
                       file_name=record["file_name"] if record else None,
                       file_sha256=record["file_sha256"] if record else None,
                       stored_path=record["stored_path"] if record else None),
    )


def safe_file_name(file_name: str) -> str:
    """The last part of an uploaded name, without control characters: shown and recorded, never used as a path."""
    name = str(file_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(character for character in name if character.isprintable())[:200].strip()
    return name if name not in ("", ".", "..") else "upload"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
