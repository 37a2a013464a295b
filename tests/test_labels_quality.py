"""The extractor against the hand labels: recall, precision and field accuracy, every miss printed."""
from pathlib import Path

import pytest

from etl.evaluate import FIELD_THRESHOLDS, evaluate_export_against_labels

# Copies of the development labels (doc, line, value, unit and the fields judged), kept with the tests: the plans and
# compilation labelled first, and every regulation (x01–x13; x02, x05, x08, x11 and x12 hold no statement) since.
LABELS = [Path(__file__).parent / "data" / name for name in ("dev_labels.jsonl", "dev_labels_regulations.jsonl")]
# The labels' indicator names that are catalog codes by another name, each with its reason.
INDICATOR_MAP = Path(__file__).parent / "data" / "label_indicators.yml"
# Scope agreement is below the evaluation's 0.9 goal (FIELD_THRESHOLDS): these floors hold what has been reached,
# so that no change loses ground, until the goal is met and they go.
FLOORS = {
    "dev_labels": {"scope": 0.73},
    "dev_labels_regulations": {"scope": 0.5},
}


@pytest.mark.parametrize("labels", LABELS, ids=lambda path: path.stem)
def test_labelled_statements_are_found_with_the_right_fields(corpus_database, labels):
    thresholds = {**FIELD_THRESHOLDS, **FLOORS[labels.stem]}
    report, passed = evaluate_export_against_labels(corpus_database, labels, INDICATOR_MAP, field_thresholds=thresholds)
    print(report)
    assert passed, report
