"""Extracted statements against hand labels → recall, precision and field accuracy, with every miss listed."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

FAMILIES = ("processing_time", "power_connection", "item_count", "one_stop_coverage")
FIELDS = ("year", "comparator", "kind", "indicator", "scope")
# What the evaluation requires of the development labels; held-out documents are judged at 0.9.
FAMILY_THRESHOLD = 0.95
FIELD_THRESHOLDS = {"year": 0.95, "comparator": 0.95, "kind": 0.95, "indicator": 0.9, "scope": 0.9}
# Quotation marks, brackets and spaces carry no meaning in a qualifier; "所有/全部/各" only say "every".
SCOPE_NOISE = re.compile(r"[\s“”\"‘’'《》「」]|^(?:全省|全市|全国|所有|全部|各类|各级|各)")


def match_key(row: dict) -> tuple:
    return (row["doc"], int(row["line"]), round(float(row["value"]), 2), row["unit"])


def normalized_scope(scope: str | None) -> str | None:
    if scope is None:
        return None
    text = SCOPE_NOISE.sub("", str(scope))
    return text or None


def scopes_agree(labelled: str | None, extracted: str | None) -> bool:
    """Both say nothing narrows the indicator, or both name the same qualifier, one perhaps with more words.

    Labels write a qualifier as it stands in the text, sometimes with its whole noun phrase
    ("强制性认证目录中适用自我声明方式的产品种类"); an extracted scope that is part of it, or holds it, names the
    same group. Several qualifiers in one label are separated by "；" and each is tried.
    """
    extracted_text = normalized_scope(extracted)
    parts = [normalized_scope(part) for part in str(labelled).split("；")] if labelled is not None else [None]
    parts = [part for part in parts if part] or [None]
    if extracted_text is None or parts == [None]:
        return extracted_text is None and parts == [None]
    whole = normalized_scope(labelled) or ""
    return any(part in extracted_text or extracted_text in part for part in parts + [whole])


def indicators_agree(labelled: str, extracted: str, synonyms: dict[str, set[str]]) -> bool:
    """The label names the extracted indicator, by its catalog code or by a name the map says is the same measure."""
    return labelled == extracted or extracted in synonyms.get(labelled, ())


@dataclass
class Evaluation:
    matches: list[tuple[dict, dict]] = field(default_factory=list)  # (label, prediction)
    missed: list[dict] = field(default_factory=list)  # labels with no prediction
    spurious: list[dict] = field(default_factory=list)  # predictions with no label
    indicator_synonyms: dict[str, set[str]] = field(default_factory=dict)

    def recall(self, family: str) -> float:
        labelled = [label for label, _ in self.matches if label["category"] == family]
        total = len(labelled) + sum(1 for label in self.missed if label["category"] == family)
        hits = sum(1 for label, prediction in self.matches if label["category"] == family == prediction["category"])
        return hits / total if total else 1.0

    def precision(self, family: str) -> float:
        predicted = [prediction for _, prediction in self.matches if prediction["category"] == family]
        total = len(predicted) + sum(1 for prediction in self.spurious if prediction["category"] == family)
        hits = sum(1 for label, prediction in self.matches if label["category"] == family == prediction["category"])
        return hits / total if total else 1.0

    def field_agrees(self, name: str, label: dict, prediction: dict) -> bool:
        if name == "scope":
            return scopes_agree(label["scope"], prediction["scope"])
        if name == "indicator":
            return indicators_agree(label["indicator"], prediction["indicator"], self.indicator_synonyms)
        return label[name] == prediction[name]

    def field_accuracy(self, name: str) -> float:
        if not self.matches:
            return 0.0
        return sum(1 for label, prediction in self.matches if self.field_agrees(name, label, prediction)) / len(self.matches)

    def field_misses(self, name: str) -> list[tuple[dict, dict]]:
        return [(label, prediction) for label, prediction in self.matches if not self.field_agrees(name, label, prediction)]

    def category_misses(self) -> list[tuple[dict, dict]]:
        return [(label, prediction) for label, prediction in self.matches if label["category"] != prediction["category"]]

    def passed(self, family_threshold: float = FAMILY_THRESHOLD, field_thresholds: dict[str, float] | None = None) -> bool:
        field_thresholds = FIELD_THRESHOLDS if field_thresholds is None else field_thresholds
        return all(
            self.recall(family) >= family_threshold and self.precision(family) >= family_threshold for family in FAMILIES
        ) and all(self.field_accuracy(name) >= threshold for name, threshold in field_thresholds.items())

    def report(self) -> str:
        lines = ["family               recall  precision"]
        for family in FAMILIES:
            lines.append(f"{family:<20} {self.recall(family):6.3f}  {self.precision(family):9.3f}")
        for name in FIELDS:
            lines.append(f"{name} right on {self.field_accuracy(name):.3f} of {len(self.matches)} matches")
        for label in self.missed:
            lines.append(f"MISSED   {label['doc'][:3]}:{label['line']} {label['category']} {label['value']} {label['unit']} | {label['quote']}")
        for prediction in self.spurious:
            lines.append(
                f"SPURIOUS {prediction['doc'][:3]}:{prediction['line']} {prediction['category']} {prediction['value']} "
                f"{prediction['unit']} | {prediction['quote']}"
            )
        for label, prediction in self.category_misses():
            lines.append(f"CATEGORY {label['doc'][:3]}:{label['line']} {label['value']} label={label['category']} got={prediction['category']} | {label['quote']}")
        for name in FIELDS:
            for label, prediction in self.field_misses(name):
                lines.append(
                    f"{name.upper():<9} {label['doc'][:3]}:{label['line']} {label['value']} {label['unit']} "
                    f"label={label[name]} got={prediction[name]} | {label['quote']}"
                )
        return "\n".join(lines)


def evaluate(
    predictions: list[dict], labels: list[dict], labelled_lines: dict[str, tuple[int, int]],
    indicator_synonyms: dict[str, set[str]] | None = None,
) -> Evaluation:
    """Pair labels with predictions on (doc, line, value, unit), one to one.

    Only predictions inside `labelled_lines` (doc → first, last line) are judged: the labels cover
    those spans and nothing else.
    """
    judged = [
        prediction for prediction in predictions
        if prediction["doc"] in labelled_lines
        and labelled_lines[prediction["doc"]][0] <= int(prediction["line"]) <= labelled_lines[prediction["doc"]][1]
    ]
    unused: dict[tuple, list[dict]] = defaultdict(list)
    for prediction in judged:
        unused[match_key(prediction)].append(prediction)
    result = Evaluation(indicator_synonyms=indicator_synonyms or {})
    for label in labels:
        candidates = unused.get(match_key(label))
        if candidates:
            # When a line states the same number twice, prefer the prediction that agrees on category, then on scope.
            candidates.sort(key=lambda prediction: (
                prediction["category"] != label["category"], not scopes_agree(label["scope"], prediction["scope"]),
            ))
            result.matches.append((label, candidates.pop(0)))
        else:
            result.missed.append(label)
    result.spurious = [prediction for remaining in unused.values() for prediction in remaining]
    return result


def labelled_spans(labels: list[dict], documents: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """The lines the labels cover: for each labelled document, the section whose title they name."""
    spans: dict[str, tuple[int, int]] = {}
    for doc, title in {(label["doc"], label["section_title"]) for label in labels}:
        rows = documents[(documents["doc"] == doc) & (documents["title"] == title)]
        if rows.empty:
            rows = documents[documents["doc"] == doc]
            if len(rows) != 1:
                raise ValueError(f"labels name section {title!r} of {doc}, which the database does not have")
        spans[doc] = (int(rows["first_line"].iloc[0]), int(rows["last_line"].iloc[0]))
    return spans


def read_indicator_synonyms(path: Path | None) -> dict[str, set[str]]:
    """A labels' vocabulary → catalog codes map (YAML: label name → {codes: [...], reason: ...})."""
    if path is None:
        return {}
    import yaml

    with open(path, encoding="utf-8") as stream:
        entries = yaml.safe_load(stream) or {}
    synonyms: dict[str, set[str]] = {}
    for name, entry in entries.items():
        if not isinstance(entry, dict) or not entry.get("codes") or not entry.get("reason"):
            raise ValueError(f"{path}: {name} needs codes and a reason")
        synonyms[name] = set(entry["codes"])
    return synonyms


def evaluate_export_against_labels(
    database, labels_path, indicator_map: Path | None = None, family_threshold: float = FAMILY_THRESHOLD,
    field_thresholds: dict[str, float] | None = None,
) -> tuple[str, bool]:
    """Score the targets in `database` against a labels file; passed means the acceptance thresholds hold."""
    import json

    from indicators.store import document_sections, export_rows

    lines = [json.loads(line) for line in open(labels_path, encoding="utf-8") if line.strip()]
    # {"doc": …, "section_title": …, "no_statements": true} says a document was read and holds no statement.
    labels = [line for line in lines if not line.get("no_statements")]
    documents = document_sections(database)
    predictions = export_rows(database).astype(object).where(lambda frame: frame.notna(), None).to_dict("records")
    result = evaluate(predictions, labels, labelled_spans(lines, documents), read_indicator_synonyms(indicator_map))
    return result.report(), result.passed(family_threshold, field_thresholds)
