"""`python -m etl export`: exactly the documented columns, in every format, text kept as text."""
import duckdb
import openpyxl
import pandas as pd
import pytest

from etl.cli import main
from indicators.store import EXPORT_COLUMNS


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_export_has_exactly_the_label_fields(tmp_path, corpus_database, suffix):
    out = tmp_path / f"targets{suffix}"
    assert main(["export", "--out", str(out), "--db", str(corpus_database)]) == 0
    frame = {".csv": pd.read_csv, ".xlsx": pd.read_excel, ".parquet": pd.read_parquet}[suffix](out)
    assert tuple(frame.columns) == EXPORT_COLUMNS
    with duckdb.connect(str(corpus_database), read_only=True) as connection:
        assert len(frame) == connection.execute("SELECT count(*) FROM targets").fetchone()[0]


def test_unknown_format_is_refused(tmp_path, corpus_database, capsys):
    assert main(["export", "--out", str(tmp_path / "targets.json"), "--db", str(corpus_database)]) == 2
    assert "不支持的导出格式" in capsys.readouterr().err


def test_formula_like_text_stays_text_in_xlsx(tmp_path):
    from etl.export import write_xlsx

    out = tmp_path / "hostile.xlsx"
    write_xlsx(pd.DataFrame({"quote": ["=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)"]}), out)
    cells = [row[0] for row in openpyxl.load_workbook(out).active.iter_rows(min_row=2)]
    assert [cell.data_type for cell in cells] == ["s", "s", "s"]
    assert cells[0].value == "=HYPERLINK(\"http://x\")"
