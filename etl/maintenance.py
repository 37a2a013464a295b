"""What admins change about the extraction from the app: corrections to single statements, and rebuilds.

A correction is checked here against the same contract as data/corrections.yml and against the
catalog, so a rebuild never fails on a value an admin typed. Both are recorded in the audit trail.
"""
from __future__ import annotations

import json
import math
import uuid
from pathlib import Path

from etl.build import PLAUSIBLE_YEARS, BuildResult, build
from etl.corrections import OVERRIDABLE, CorrectionError, correction_from_entry
from indicators import accounts, store
from indicators.access import Actor
from indicators.catalog import default_catalog
from indicators.paths import CORRECTIONS_FILE, POLICIES_DIR, SAMPLES_DIR
from indicators.vocabulary import COMPARATORS, FAMILIES, KINDS, UNITS

NUMERIC_FIELDS = ("value", "value_max", "baseline")


def checked_changes(changes: dict) -> dict:
    """The override fields with empty ones left out and each value checked; AccountError names the first bad one."""
    catalog = default_catalog()
    checked = {}
    for name, value in changes.items():
        if name not in OVERRIDABLE:
            raise accounts.AccountError(f"不能更正字段 {name}", f"The field {name} cannot be corrected")
        if value is None or value == "":
            continue
        allowed = {"category": FAMILIES, "unit": UNITS, "comparator": COMPARATORS, "kind": KINDS,
                   "indicator": tuple(catalog.by_code)}.get(name)
        if allowed is not None and value not in allowed:
            raise accounts.AccountError(f"{name} 的值 {value} 不在允许范围内", f"{value} is not an allowed {name}")
        if name in NUMERIC_FIELDS:
            try:
                value = float(value)
            except (TypeError, ValueError):
                value = math.nan
            if not math.isfinite(value):
                raise accounts.AccountError(f"{name} 应为有限的数字", f"{name} must be a finite number")
        if name == "year":
            if str(value).strip().lower() in ("none", "null", "无"):
                value = None
            else:
                try:
                    value = int(value)
                except (TypeError, ValueError):
                    raise accounts.AccountError("年份应为四位数字", "The year must be four digits") from None
                if value not in PLAUSIBLE_YEARS:
                    raise accounts.AccountError(f"年份 {value} 不合理", f"The year {value} is implausible")
        if name == "year_explicit":
            value = bool(value)
        checked[name] = value
    return checked


def add_correction(database: Path, actor: Actor, target_id: str, action: str, changes: dict, reason: str) -> str:
    """A correction to one extracted statement, applied from the next rebuild on; returns its id."""
    accounts.require(actor, "correct")
    statement = store.target_detail(database, target_id)
    if statement is None:
        raise accounts.AccountError(f"没有编号为 {target_id} 的表述", f"No statement has the id {target_id}")
    if statement.get("correction"):
        # Corrections find a statement by its value as extracted, which a first correction may have changed.
        raise accounts.AccountError(f"该表述已有更正（{statement['correction']}）：请先撤销那条更正",
                                    f"This statement is already corrected ({statement['correction']}): retract that first")
    pending = store.stored_corrections(database)
    if ((pending["doc"] == statement["doc"]) & (pending["line"] == int(statement["line"]))
            & (pending["value"] == float(statement["value"])) & (pending["unit"] == statement["unit"])).any():
        raise accounts.AccountError("该表述已有一条尚未撤销的更正：请先撤销它",
                                    "This statement already has a correction in force: retract it first")
    changes = checked_changes(changes) if action == "override" else {}
    entry = {"doc": statement["doc"], "line": int(statement["line"]), "value": float(statement["value"]),
             "unit": statement["unit"], "action": action, "set": changes, "reason": (reason or "").strip()}
    try:
        correction_from_entry(entry, "correction")
    except CorrectionError as error:
        raise accounts.AccountError(f"更正无效：{error}", f"Invalid correction: {error}") from None
    correction_id = uuid.uuid4().hex[:12]
    record = {
        "correction_id": correction_id, "doc": entry["doc"], "line": entry["line"], "value": entry["value"],
        "unit": entry["unit"], "action": action, "changes": json.dumps(changes, ensure_ascii=False),
        "reason": entry["reason"], "created_by": actor.user_name, "created_at": accounts.utc_now(),
    }
    store.add_correction(database, record, accounts.event(
        actor, "correction_added", object_id=correction_id,
        detail={"target_id": target_id, "doc": entry["doc"], "line": entry["line"], "action": action,
                "set": changes, "reason": entry["reason"]},
    ))
    return correction_id


def retract_correction(database: Path, actor: Actor, correction_id: str, reason: str) -> None:
    accounts.require(actor, "correct")
    try:
        store.retract_correction(database, correction_id, actor.user_name, accounts.utc_now(), accounts.event(
            actor, "correction_retracted", object_id=correction_id, detail={"reason": (reason or "").strip()}))
    except LookupError:
        raise accounts.AccountError(f"没有有效的更正 {correction_id}", f"No active correction {correction_id}") from None


def rebuild(database: Path, actor: Actor, allow_shrink: bool = False) -> BuildResult:
    """Re-extract every target from data/policies with all corrections; refusals leave the database as it was."""
    accounts.require(actor, "rebuild")
    return build(POLICIES_DIR, database, CORRECTIONS_FILE, samples_dir=SAMPLES_DIR, allow_shrink=allow_shrink, actor=actor)
