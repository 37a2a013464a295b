"""Extracted statements against hand labels → recall, precision and field accuracy, with every miss listed."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

FAMILIES = ("processing_time", "power_connection", "item_count", "one_stop_coverage")
FIELDS = ("year", "comparator", "kind")


def match_key(row: dict) -> tuple:
    return (row["doc"], int(row["line"]), round(float(row["value"]), 2), row["unit"])


@dataclass
class Evaluation:
    matches: list[tuple[dict, dict]] = field(default_factory=list)  # (label, prediction)
    missed: list[dict] = field(default_factory=list)  # labels with no prediction
    spurious: list[dict] = field(default_factory=list)  # predictions with no label

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

    def field_accuracy(self, name: str) -> float:
        if not self.matches:
            return 0.0
        return sum(1 for label, prediction in self.matches if label[name] == prediction[name]) / len(self.matches)

    def field_misses(self, name: str) -> list[tuple[dict, dict]]:
        return [(label, prediction) for label, prediction in self.matches if label[name] != prediction[name]]

    def category_misses(self) -> list[tuple[dict, dict]]:
        return [(label, prediction) for label, prediction in self.matches if label["category"] != prediction["category"]]

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
                    f"{name.upper():<8} {label['doc'][:3]}:{label['line']} {label['value']} {label['unit']} "
                    f"label={label[name]} got={prediction[name]} | {label['quote']}"
                )
        return "\n".join(lines)


def evaluate(predictions: list[dict], labels: list[dict], labelled_lines: dict[str, tuple[int, int]]) -> Evaluation:
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
    result = Evaluation()
    for label in labels:
        candidates = unused.get(match_key(label))
        if candidates:
            # Prefer the prediction that agrees on category, when a line states the same number twice.
            candidates.sort(key=lambda prediction: prediction["category"] != label["category"])
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


def evaluate_export_against_labels(database, labels_path) -> tuple[str, bool]:
    """Score the targets in `database` against a labels file; passed means the acceptance thresholds hold."""
    import json

    from indicators.store import document_sections, export_rows

    labels = [json.loads(line) for line in open(labels_path, encoding="utf-8") if line.strip()]
    documents = document_sections(database)
    predictions = export_rows(database).astype(object).where(lambda frame: frame.notna(), None).to_dict("records")
    result = evaluate(predictions, labels, labelled_spans(labels, documents))
    passed = all(result.recall(family) >= 0.9 and result.precision(family) >= 0.9 for family in FAMILIES) and all(
        result.field_accuracy(name) >= 0.9 for name in FIELDS
    )
    return result.report(), passed
