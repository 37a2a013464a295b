"""The extractor against the hand labels: recall, precision and field accuracy, every miss printed."""
from pathlib import Path

from etl.evaluate import evaluate_export_against_labels

# A copy of the development labels (doc, line, value, unit and the fields judged), kept with the tests.
LABELS = Path(__file__).parent / "data" / "dev_labels.jsonl"


def test_labelled_statements_are_found_with_the_right_fields(corpus_database):
    report, passed = evaluate_export_against_labels(corpus_database, LABELS)
    print(report)
    assert passed, report
