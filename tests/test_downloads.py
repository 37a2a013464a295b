"""Download files: formula text neutralized, CSV and XLSX round-trip, a stable data version, safe file names."""
import csv
import io
import math
from datetime import datetime, timedelta, timezone

import duckdb
import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators import downloads
from indicators.downloads import (
    DownloadMeta,
    csv_bytes,
    data_version,
    file_name,
    neutralize_formula,
    neutralized,
    xlsx_bytes,
)

HOSTILE = ["=SUM(A1)", "+1", "-1", "@x", "  =x", "\t=x", "\r=x", '=HYPERLINK("http://x","点击")']


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("  =x", "'  =x"),
        ("\t=x", "'\t=x"),
        ("\r=x", "'\r=x"),
        ("\tplain", "'\tplain"),
        ("企业开办时间压缩至2个工作日以内", "企业开办时间压缩至2个工作日以内"),
        ("a=b", "a=b"),
        ("", ""),
        ("   ", "   "),
        (3, 3),
        (-2.5, -2.5),
        (None, None),
    ],
)
def test_neutralize_formula(value, expected):
    result = neutralize_formula(value)
    assert result == expected
    assert type(result) is type(expected)


def test_neutralize_formula_leaves_nan_alone():
    assert math.isnan(neutralize_formula(float("nan")))
    assert neutralize_formula(pd.NA) is pd.NA


def hostile_frame() -> pd.DataFrame:
    count = len(HOSTILE) + 2
    return pd.DataFrame(
        {
            "region": ["青海省", "湖南省", None] + ["重庆市"] * (count - 3),
            "quote": HOSTILE + ["企业开办时间压缩至2个工作日以内", None],
            "value": [2, -3, 5, 0, 1, 10, 90, 7, 8, 9][:count],
            "share": [0.5, -2.5, float("nan")] + [1.25] * (count - 3),
            "year": pd.array([2021, None] + [2020] * (count - 2), dtype="Int64"),
        }
    )


def test_neutralized_is_a_copy_and_touches_only_text():
    frame = hostile_frame()
    original = frame.copy()
    safe = neutralized(frame)
    pd.testing.assert_frame_equal(frame, original)
    assert safe["quote"].tolist()[: len(HOSTILE)] == ["'" + text for text in HOSTILE]
    assert safe["region"].tolist()[:2] == ["青海省", "湖南省"]
    pd.testing.assert_series_equal(safe["value"], frame["value"])
    pd.testing.assert_series_equal(safe["year"], frame["year"])


def test_neutralized_covers_string_and_categorical_columns_and_headers():
    frame = pd.DataFrame(
        {
            "=header": pd.array(["=a", None, "b"], dtype="string"),
            "kind": pd.Categorical(["@x", "'@x", "y"]),
        }
    )
    safe = neutralized(frame)
    assert list(safe.columns) == ["'=header", "kind"]
    assert safe["'=header"].dtype == frame["=header"].dtype
    assert safe["'=header"].tolist()[0] == "'=a" and safe["'=header"].isna().tolist() == [False, True, False]
    assert safe["kind"].tolist() == ["'@x", "'@x", "y"]


def as_csv_text(value) -> str:
    return "" if pd.isna(value) else str(value)


def test_csv_bytes_round_trips_with_bom():
    frame = hostile_frame()
    data = csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    assert "青海省".encode() in data
    read = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    expected = neutralized(frame)
    assert list(read.columns) == list(expected.columns)
    assert read.values.tolist() == [[as_csv_text(value) for value in row] for row in expected.itertuples(index=False)]
    assert read["quote"].tolist()[HOSTILE.index("\r=x")] == "'\r=x"
    # Nothing in the file starts a formula any more.
    assert not any(cell.lstrip().startswith(("=", "+", "-", "@")) for cell in read["quote"])


def test_csv_bytes_quotes_line_breaks_inside_text():
    data = csv_bytes(pd.DataFrame({"quote": ["a\rb", "c\nd", "e"], "n": [1, None, 3]}))
    assert data == '\ufeffquote,n\r\n"a\rb",1.0\r\n"c\nd",\r\ne,3.0\r\n'.encode("utf-8")


def test_csv_bytes_reads_back_numbers_as_numbers():
    frame = hostile_frame()
    read = pd.read_csv(io.BytesIO(csv_bytes(frame)), encoding="utf-8-sig")
    assert read["value"].tolist() == frame["value"].tolist()
    assert read["share"].isna().tolist() == frame["share"].isna().tolist()


def make_meta(language="zh", filters=None) -> DownloadMeta:
    return DownloadMeta(
        title="企业开办时间 2021 各地区对比",
        filters={"indicator": "enterprise_startup_time", "year": "2021"} if filters is None else filters,
        indicators=pd.DataFrame(
            [
                {
                    "indicator_code": "enterprise_startup_time",
                    "label_zh": "企业开办时间",
                    "label_en": "Enterprise start-up time",
                    "family": "processing_time",
                    "unit": "working_day",
                    "direction": "lower",
                    "evaluation_heading": "开办企业",
                }
            ]
        ),
        sources=pd.DataFrame(
            [
                {
                    "title": "=青海省人民政府办公厅关于印发2020年深化“放管服”改革优化营商环境工作要点的通知",
                    "issuer": "青海省人民政府办公厅",
                    "document_number": "青政办函〔2020〕60号",
                    "issue_date": "2020-04-13",
                    "doc": "002_qinghai.txt",
                },
                {"title": "国务院办公厅", "issuer": "国务院办公厅", "document_number": None, "issue_date": "2020", "doc": "001.txt"},
            ]
        ),
        generated_at=datetime(2024, 5, 1, 16, 30, tzinfo=timezone(timedelta(hours=8))),
        language=language,
    )


def open_workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_xlsx_data_sheet_has_the_same_rows_with_text_kept_as_text():
    frame = hostile_frame()
    workbook = open_workbook(xlsx_bytes(frame, make_meta()))
    assert workbook.sheetnames == ["data", "metadata"]
    sheet = workbook["data"]
    rows = list(sheet.iter_rows(values_only=True))
    expected = neutralized(frame)
    assert list(rows[0]) == list(expected.columns)
    assert [list(row) for row in rows[1:]] == [
        [None if pd.isna(value) else value for value in row] for row in expected.itertuples(index=False)
    ]
    quotes = [row[1] for row in sheet.iter_rows(min_row=2, max_row=len(HOSTILE) + 1)]
    assert [cell.value for cell in quotes] == ["'" + text for text in HOSTILE]
    assert all(cell.data_type == "s" for cell in quotes)
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDE"]
    assert all(0 < width <= 60 for width in widths)


def test_xlsx_never_stores_a_formula_even_for_a_formula_header():
    frame = pd.DataFrame({"=cmd|' /C calc'!A0": ["=1+1"], "n": [1]})
    sheet = open_workbook(xlsx_bytes(frame, make_meta()))["data"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert "f" not in {cell.data_type for cell in cells}


def test_xlsx_long_text_width_is_capped_and_control_characters_do_not_break_it():
    frame = pd.DataFrame({"quote": ["很" * 300, "bell\x07ring"]})
    sheet = open_workbook(xlsx_bytes(frame, make_meta()))["data"]
    assert sheet.column_dimensions["A"].width == 60
    assert sheet["A3"].value == "bell\ufffdring"


def metadata_rows(data: bytes) -> list[tuple]:
    return list(open_workbook(data)["metadata"].iter_rows(values_only=True))


def test_xlsx_metadata_sheet_in_chinese():
    frame = hostile_frame()
    meta = make_meta()
    rows = metadata_rows(xlsx_bytes(frame, meta))
    pairs = {row[0]: row[1] for row in rows[:6]}
    assert pairs == {
        "标题": "企业开办时间 2021 各地区对比",
        "筛选条件：indicator": "enterprise_startup_time",
        "筛选条件：year": "2021",
        "生成时间（UTC）": "2024-05-01T08:30:00+00:00",
        "数据版本（SHA-256）": data_version(frame),
        "行数": len(frame),
    }
    assert all(value is None for value in rows[6])
    assert list(rows[7][:7]) == list(meta.indicators.columns)
    assert rows[8][0] == "enterprise_startup_time" and rows[8][1] == "企业开办时间"
    assert all(value is None for value in rows[9])
    assert list(rows[10][:5]) == list(meta.sources.columns)
    assert rows[11][0].startswith("'=青海省") and rows[11][2] == "青政办函〔2020〕60号"
    assert rows[12][2] is None
    assert len(rows) == 13


def test_xlsx_metadata_sheet_in_english_holds_the_data_version():
    frame = hostile_frame()
    rows = metadata_rows(xlsx_bytes(frame, make_meta(language="en", filters={})))
    pairs = {row[0]: row[1] for row in rows[:4]}
    assert pairs["Title"] == "企业开办时间 2021 各地区对比"
    assert pairs["Data version (SHA-256)"] == data_version(frame)
    assert pairs["Rows"] == len(frame)
    assert pairs["Generated at (UTC)"].endswith("+00:00")


def test_download_meta_refuses_naive_times_and_unknown_languages():
    meta = make_meta()
    with pytest.raises(ValueError):
        DownloadMeta(meta.title, meta.filters, meta.indicators, meta.sources, datetime(2024, 5, 1))
    with pytest.raises(ValueError):
        DownloadMeta(meta.title, meta.filters, meta.indicators, meta.sources, meta.generated_at, language="fr")


def test_data_version_is_a_sha256_hex_independent_of_dtypes():
    version = data_version(pd.DataFrame({"value": [1, 2], "note": ["a", None]}))
    assert len(version) == 64 and int(version, 16) >= 0
    assert version == data_version(pd.DataFrame({"value": [1.0, 2.0], "note": pd.array(["a", None], dtype="string")}))
    assert version == data_version(pd.DataFrame({"value": pd.array([1, 2], dtype="Int64"), "note": ["a", np.nan]}))
    assert version != data_version(pd.DataFrame({"value": [1, 2], "note": ["a", ""]}))
    assert version != data_version(pd.DataFrame({"amount": [1, 2], "note": ["a", None]}))


TEXTS = st.one_of(st.none(), st.text(alphabet="青海湖南=+-@ ab,\"\n", max_size=6))
NUMBERS = st.one_of(st.none(), st.integers(-1000, 1000))
ROWS = st.lists(st.tuples(TEXTS, NUMBERS, st.floats(-1e6, 1e6, allow_nan=False)), min_size=1, max_size=8)
COLUMNS = ["region", "value", "share"]


@settings(max_examples=150, database=None, deadline=None)
@given(rows=ROWS, data=st.data())
def test_data_version_ignores_row_order(rows, data):
    shuffled = data.draw(st.permutations(rows))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    assert data_version(frame) == data_version(pd.DataFrame(shuffled, columns=COLUMNS))
    assert data_version(frame) == data_version(frame.sample(frac=1, random_state=0).reset_index(drop=True))


@settings(max_examples=150, database=None, deadline=None)
@given(rows=ROWS, data=st.data())
def test_data_version_changes_when_a_value_changes(rows, data):
    position = data.draw(st.integers(0, len(rows) - 1))
    column = data.draw(st.integers(0, len(COLUMNS) - 1))
    row = list(rows[position])
    old = row[column]
    if column == 0:
        row[column] = "x" if old is None else old + "x"
    elif column == 1:
        row[column] = 0 if old is None else old + 1
    else:
        row[column] = old + 1.0 if abs(old) < 1e5 else old / 2
    changed = rows[:position] + [tuple(row)] + rows[position + 1 :]
    assert data_version(pd.DataFrame(rows, columns=COLUMNS)) != data_version(pd.DataFrame(changed, columns=COLUMNS))


@pytest.mark.parametrize(
    ("kind", "filters", "suffix", "expected"),
    [
        ("compare", {"indicator": "enterprise_startup_time", "year": "2021"}, ".csv", "bizenv_compare_enterprise_startup_time_2021.csv"),
        ("map", {"region": "青海省", "year": "2020"}, ".xlsx", "bizenv_map_青海省_2020.xlsx"),
        ("table", {}, ".csv", "bizenv_table.csv"),
        ("compare", {"indicator": "../../etc/passwd"}, ".csv", "bizenv_compare_etc_passwd.csv"),
        ("compare", {"region": "a/b", "note": "x.y"}, ".xlsx", "bizenv_compare_a_b_x_y.xlsx"),
        ("../x", {"region": "a\\b c", "empty": ""}, ".csv", "bizenv_x_a_b_c.csv"),
    ],
)
def test_file_name_examples(kind, filters, suffix, expected):
    assert file_name(kind, filters, suffix) == expected


@pytest.mark.parametrize(
    "hostile",
    ["../../etc/passwd", "a/b", "x.y", "..", "C:\\Windows\\system32", "名称\x00.exe", "..\\..\\boot.ini", "~/.ssh/id"],
)
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_file_name_never_escapes_the_folder(hostile, suffix):
    name = file_name(hostile, {"region": hostile, "year": hostile}, suffix)
    stem = name[: -len(suffix)]
    assert name.endswith(suffix)
    assert "/" not in name and "\\" not in name and ".." not in name and "." not in stem
    assert all(character.isalnum() or character in "_-" for character in stem)


@given(kind=st.text(max_size=40), values=st.lists(st.text(max_size=80), max_size=4))
@settings(max_examples=200, database=None)
def test_file_name_is_always_safe_and_short(kind, values):
    name = file_name(kind, {f"f{position}": value for position, value in enumerate(values)}, ".csv")
    stem = name[: -len(".csv")]
    assert stem.startswith("bizenv")
    assert len(stem) <= 120 and len(name.encode("utf-8")) <= 255
    assert "/" not in name and "\\" not in name and "." not in stem


def test_file_name_caps_the_length():
    assert len(file_name("compare", {"note": "a" * 500}, ".csv")) == 120 + len(".csv")
    cjk = file_name("compare", {"note": "营" * 500}, ".xlsx")
    assert len(cjk.encode("utf-8")) <= 255


@pytest.mark.parametrize("suffix", [".parquet", "csv", ".CSV", ".csv/../x", ""])
def test_file_name_refuses_other_suffixes(suffix):
    with pytest.raises(ValueError):
        file_name("compare", {}, suffix)


FORMULA_TEXT = st.text(alphabet=st.sampled_from(list(downloads.BLANKS) + ["=", "+", "-", "@", "a", "1", "'", "中"]),
                       max_size=6)


@settings(max_examples=300, deadline=None)
@given(FORMULA_TEXT)
def test_the_sql_export_neutralizes_exactly_what_the_python_downloads_do(text):
    """The whole-database CSV is written by DuckDB (store.neutralized_sql), the other downloads by pandas: one rule."""
    from indicators.store import neutralized_sql

    with duckdb.connect() as connection:
        [(in_sql,)] = connection.execute(f"SELECT {neutralized_sql('CAST($text AS VARCHAR)', 'cell')}", {"text": text}).fetchall()
    assert in_sql == downloads.neutralize_formula(text)


@pytest.mark.parametrize("text", ["\t=1", "\r=1", "\u3000=1", "\xa0@x", "\n+1", "-2"])
def test_formula_starts_after_any_blank_are_neutralized(text):
    assert downloads.neutralize_formula(text) == "'" + text


def test_the_whole_reported_values_csv_names_regions_as_given(corpus_database):
    from indicators import store

    def regions(names):
        rows = csv.DictReader(io.StringIO(store.reported_values_csv(corpus_database, names).decode("utf-8-sig")))
        return {(row["region_code"], row["region"]) for row in rows}

    chinese, english = regions(None), regions({"630000": "Qinghai", "140000": "Shanxi"})
    assert ("630000", "青海省") in chinese and ("630000", "Qinghai") in english and ("140000", "Shanxi") in english
    assert {row for row in chinese if row[0] not in ("630000", "140000")} == \
        {row for row in english if row[0] not in ("630000", "140000")}
