"""The extractor against the hand labels: recall, precision and field accuracy, every miss printed."""
from pathlib import Path

import pytest

from etl.evaluate import evaluate_export_against_labels

# Copies of the development labels (doc, line, value, unit and the fields judged), kept with the tests: the plans and
# compilation labelled first, and six of the regulations (x01, x03, x05, x09, x11, x13) labelled since.
LABELS = [Path(__file__).parent / "data" / name for name in ("dev_labels.jsonl", "dev_labels_regulations.jsonl")]


@pytest.mark.parametrize("labels", LABELS, ids=lambda path: path.stem)
def test_labelled_statements_are_found_with_the_right_fields(corpus_database, labels):
    report, passed = evaluate_export_against_labels(corpus_database, labels)
    print(report)
    assert passed, report
