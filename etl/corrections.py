"""data/corrections.yml → hand fixes applied to extracted statements on every build, each with its reason."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import yaml

from etl.model import Statement

OVERRIDABLE = {
    "category", "indicator", "scope", "value", "value_max", "unit", "comparator", "baseline", "year",
    "year_explicit", "kind",
}


class CorrectionError(ValueError):
    """corrections.yml breaks its contract."""


@dataclass(frozen=True)
class Correction:
    doc: str
    line: int
    value: float
    unit: str
    action: str  # drop or override
    changes: dict
    reason: str

    def matches(self, statement: Statement) -> bool:
        return (
            statement.doc == self.doc and statement.line == self.line
            and round(statement.value, 4) == round(self.value, 4) and statement.unit == self.unit
        )


def load_corrections(path: Path) -> list[Correction]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as stream:
        entries = yaml.safe_load(stream) or []
    return [correction_from_entry(entry, f"correction {position}") for position, entry in enumerate(entries, start=1)]


def correction_from_entry(entry: dict, where: str) -> Correction:
    """One correction checked against the contract, from the YAML file or from a correction made in the app."""
    missing = [key for key in ("doc", "line", "value", "unit", "action", "reason") if entry.get(key) is None]
    if missing:
        raise CorrectionError(f"{where} lacks {', '.join(missing)}")
    if entry["action"] not in ("drop", "override"):
        raise CorrectionError(f"{where}: action must be drop or override")
    changes = entry.get("set") or {}
    unknown = set(changes) - OVERRIDABLE
    if unknown:
        raise CorrectionError(f"{where}: cannot set {', '.join(sorted(unknown))}")
    if entry["action"] == "override" and not changes:
        raise CorrectionError(f"{where}: override needs a 'set' mapping")
    if not str(entry["reason"]).strip():
        raise CorrectionError(f"{where}: a reason is required")
    return Correction(
        doc=entry["doc"], line=int(entry["line"]), value=float(entry["value"]), unit=entry["unit"],
        action=entry["action"], changes=changes, reason=str(entry["reason"]).strip(),
    )


def apply_corrections(
    statements: list[Statement], corrections: list[Correction]
) -> tuple[list[tuple[int, Statement, str | None]], list[Correction]]:
    """(index in `statements`, corrected statement, reason or None) for each kept one, and unused corrections."""
    by_place: dict[tuple, list[int]] = {}
    for index, correction in enumerate(corrections):
        by_place.setdefault((correction.doc, correction.line), []).append(index)
    kept: list[tuple[int, Statement, str | None]] = []
    used: set[int] = set()
    for position, statement in enumerate(statements):
        correction_index = next(
            (index for index in by_place.get((statement.doc, statement.line), []) if corrections[index].matches(statement)),
            None,
        )
        if correction_index is None:
            kept.append((position, statement, None))
            continue
        used.add(correction_index)
        correction = corrections[correction_index]
        if correction.action == "override":
            kept.append((position, dataclasses.replace(statement, **correction.changes), correction.reason))
    unused = [correction for index, correction in enumerate(corrections) if index not in used]
    return kept, unused
