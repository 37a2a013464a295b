"""The progress template: its rows for a real region, and the workbook's layout, protection and drop-downs."""
import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from etl.cli import main
from indicators import store
from indicators.progress import layout
from indicators.progress.template import HEADER_ROW, TemplateError, target_text, template_rows, template_workbook

SHANXI = "140000"
FIELDS = [column.field for column in layout.COLUMNS]
LOCKED = [column.field for column in layout.COLUMNS if column.locked]
LETTER = {column.field: chr(ord("A") + position) for position, column in enumerate(layout.COLUMNS)}


@pytest.fixture(scope="module")
def shanxi_targets(corpus_database):
    return store.template_targets(corpus_database, (SHANXI,))


@pytest.fixture(scope="module")
def shanxi_rows(shanxi_targets):
    return template_rows(shanxi_targets, [SHANXI], "2021")


@pytest.fixture(scope="module")
def workbook(shanxi_rows):
    return load_workbook(io.BytesIO(template_workbook(shanxi_rows)))


def test_one_row_per_target_indicator_and_scope_of_the_region(shanxi_targets, shanxi_rows):
    named = shanxi_targets[~shanxi_targets["indicator"].str.endswith("_unclassified")]
    expected = sorted({(indicator, scope if isinstance(scope, str) else "") for indicator, scope in zip(named["indicator"], named["scope"])})
    got = [(indicator, scope if isinstance(scope, str) else "") for indicator, scope in zip(shanxi_rows["indicator"], shanxi_rows["scope"])]
    assert got == expected  # sorted by indicator then scope, none missing, none repeated
    assert list(shanxi_rows.columns) == FIELDS
    assert set(shanxi_targets["kind"]) == {"target"}


def test_locked_columns_are_filled_and_input_columns_empty(shanxi_rows, shanxi_targets):
    assert len(shanxi_rows) > 10
    for field in LOCKED:
        if field == "scope":
            continue  # an empty scope means the indicator as a whole
        assert shanxi_rows[field].notna().all() and (shanxi_rows[field].astype(str) != "").all(), field
    assert set(shanxi_rows["region_code"]) == {SHANXI}
    assert set(shanxi_rows["region"]) == {"山西省"}
    assert set(shanxi_rows["period"]) == {"2021"}
    for field in ("value", "as_of", "source", "note"):
        assert shanxi_rows[field].isna().all(), field
    canonical = dict(zip(shanxi_targets["indicator"], shanxi_targets["indicator_unit"]))
    assert (shanxi_rows["unit"] == shanxi_rows["indicator"].map(canonical)).all()
    assert not shanxi_rows["indicator"].str.endswith("_unclassified").any()


def test_target_shows_the_one_in_force_for_the_year_with_its_document(shanxi_rows):
    startup = shanxi_rows[(shanxi_rows["indicator"] == "enterprise_startup_time") & shanxi_rows["scope"].isna()].iloc[0]
    # Shanxi's plan sets 1 working day for 2021 and half a day for 2023: 2021 gets the nearer deadline.
    assert startup["target"] == "≤ 1 工作日（2021年）"
    assert "六最" in startup["target_source"]


def test_a_later_year_moves_to_the_next_deadline(shanxi_targets):
    rows = template_rows(shanxi_targets, [SHANXI], "2022Q2")
    startup = rows[(rows["indicator"] == "enterprise_startup_time") & rows["scope"].isna()].iloc[0]
    assert startup["target"] == "≤ 0.5 工作日（2023年）"
    assert set(rows["period"]) == {"2022Q2"}


def test_target_text_forms():
    base = {"value": 2.0, "value_max": None, "unit": "working_day", "comparator": "<=", "year": 2021}
    assert target_text(pd.Series(base)) == "≤ 2 工作日（2021年）"
    assert target_text(pd.Series({**base, "comparator": ">=", "unit": "percent", "value": 95.0, "year": None})) == "≥ 95%"
    assert target_text(pd.Series({**base, "comparator": "=", "unit": "item", "value": 1.0, "value_max": 2.0})) == "1–2 项（2021年）"
    assert target_text(pd.Series({**base, "comparator": "increase_by", "unit": "percent", "value": 5.0})) == "提高 5 个百分点（2021年）"
    assert target_text(pd.Series({**base, "comparator": "=", "unit": "yuan", "value": 1.647e11})) == "= 164700000000 元（2021年）"


def test_other_regions_and_a_bad_period_are_refused(shanxi_targets):
    assert template_rows(shanxi_targets, ["630000"], "2021").empty
    assert list(template_rows(shanxi_targets, ["630000"], "2021").columns) == FIELDS
    with pytest.raises(TemplateError):
        template_rows(shanxi_targets, [SHANXI], "21")


def test_sheets_and_headers(workbook, shanxi_rows):
    assert workbook.sheetnames == [layout.INSTRUCTIONS_SHEET, layout.DATA_SHEET, layout.LISTS_SHEET]
    assert workbook[layout.LISTS_SHEET].sheet_state == "hidden"
    data = workbook[layout.DATA_SHEET]
    assert HEADER_ROW == 1
    assert [cell.value for cell in data[HEADER_ROW]] == [column.header_zh for column in layout.COLUMNS]
    assert data.max_row == HEADER_ROW + len(shanxi_rows)
    assert all(cell.font.bold and cell.fill.fgColor.rgb.endswith("FFF2CC") for cell in data[HEADER_ROW])
    # Every header the template writes is one the upload reader maps back to its own field.
    assert [layout.field_for_header(cell.value) for cell in data[HEADER_ROW]] == FIELDS
    first = [cell.value for cell in data[HEADER_ROW + 1]]
    assert first[FIELDS.index("region_code")] == SHANXI
    assert first[FIELDS.index("indicator")] == shanxi_rows.iloc[0]["indicator"]
    instructions = " ".join(str(cell.value) for row in workbook[layout.INSTRUCTIONS_SHEET].iter_rows() for cell in row if cell.value)
    for phrase in ("95%", "0.95", "YYYY-MM-DD", "合并单元格", "行号", "锁定"):
        assert phrase in instructions, phrase


def test_english_headers_and_instructions(shanxi_rows):
    workbook = load_workbook(io.BytesIO(template_workbook(shanxi_rows, language="en")))
    data = workbook[layout.DATA_SHEET]
    assert [cell.value for cell in data[HEADER_ROW]] == [column.header_en for column in layout.COLUMNS]
    instructions = " ".join(str(cell.value) for row in workbook[layout.INSTRUCTIONS_SHEET].iter_rows() for cell in row if cell.value)
    assert "merge" in instructions and "YYYY-MM-DD" in instructions and "0.95" in instructions
    with pytest.raises(TemplateError):
        template_workbook(shanxi_rows, language="fr")


def test_english_headers_map_back_to_their_fields():
    assert [layout.field_for_header(column.header_en) for column in layout.COLUMNS] == FIELDS


def test_freeze_widths_protection_and_formats(workbook):
    data = workbook[layout.DATA_SHEET]
    assert data.freeze_panes == "A2"
    for column in layout.COLUMNS:
        assert data.column_dimensions[LETTER[column.field]].width == column.width
    assert data.protection.sheet is True
    assert not data.protection.password  # a guard against slips, not a lock (see the module)
    row = HEADER_ROW + 1
    for column in layout.COLUMNS:
        cell = data[f"{LETTER[column.field]}{row}"]
        assert cell.protection.locked is column.locked, column.field
    assert data[f"{LETTER['value']}{row}"].number_format == "0.00"
    assert data[f"{LETTER['as_of']}{row}"].number_format == "yyyy-mm-dd"


def test_drop_downs_and_checks_reference_the_hidden_lists(workbook, shanxi_rows):
    data = workbook[layout.DATA_SHEET]
    lists = workbook[layout.LISTS_SHEET]
    validations = data.data_validations.dataValidation
    last = HEADER_ROW + len(shanxi_rows)

    def covering(cell: str):
        return [validation for validation in validations if cell in validation.sqref]

    source = covering(f"{LETTER['source']}{last}")
    assert len(source) == 1 and source[0].type == "list"
    assert source[0].formula1.startswith(f"'{layout.LISTS_SHEET}'!")
    assert values_of(lists, source[0].formula1) == list(layout.SOURCE_CHOICES)

    for offset, unit in enumerate(shanxi_rows["unit"], start=HEADER_ROW + 1):
        found = covering(f"{LETTER['unit']}{offset}")
        assert len(found) == 1 and found[0].type == "list", offset
        assert found[0].formula1.startswith(f"'{layout.LISTS_SHEET}'!")
        assert values_of(lists, found[0].formula1) == list(layout.UNIT_CHOICES.get(unit, (unit,)))

    value = covering(f"{LETTER['value']}{last}")
    assert len(value) == 1 and value[0].type == "decimal"
    as_of = covering(f"{LETTER['as_of']}{last}")
    assert len(as_of) == 1 and as_of[0].type == "date"


def values_of(sheet, formula: str) -> list[str]:
    cells = formula.split("!", 1)[1].replace("$", "")
    return [row[0].value for row in sheet[cells]]


def test_text_cells_are_text_never_formulas(corpus_database):
    rows = template_rows(store.template_targets(corpus_database, (SHANXI,)), [SHANXI], "2021")
    rows.loc[0, "scope"] = "=HYPERLINK(\"http://example.com\")"
    rows.loc[1, "note"] = "+1 待核实"
    workbook = load_workbook(io.BytesIO(template_workbook(rows)))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (sheet.title, cell.coordinate)
    data = workbook[layout.DATA_SHEET]
    assert data[f"{LETTER['scope']}{HEADER_ROW + 1}"].value == "=HYPERLINK(\"http://example.com\")"


def test_cli_writes_the_template(corpus_database, tmp_path, capsys):
    out = tmp_path / "nested" / "shanxi.xlsx"
    code = main(["template", "--region", "山西", "--region", SHANXI, "--period", "2021", "--out", str(out),
                 "--db", str(corpus_database)])
    assert code == 0
    rows = template_rows(store.template_targets(corpus_database, (SHANXI,)), [SHANXI], "2021")
    assert f"{len(rows)} rows" in capsys.readouterr().out
    data = load_workbook(out)[layout.DATA_SHEET]
    assert data.max_row == HEADER_ROW + len(rows)
    assert [path.name for path in out.parent.iterdir()] == ["shanxi.xlsx"]  # no temporary file left behind


def test_cli_with_children_and_english(corpus_database, tmp_path, capsys):
    out = tmp_path / "guangdong.xlsx"
    code = main(["template", "--region", "广东省", "--with-children", "--period", "2021Q4", "--lang", "en",
                 "--out", str(out), "--db", str(corpus_database)])
    assert code == 0
    capsys.readouterr()
    data = load_workbook(out)[layout.DATA_SHEET]
    assert data["A1"].value == "Region code"
    codes = {row[0] for row in data.iter_rows(min_row=HEADER_ROW + 1, values_only=True)}
    # The province's own targets (its regulation) and its cities' (广州, 江门 in the compilation), nothing else.
    assert all(code.startswith("44") for code in codes) and any(code != "440000" for code in codes)


@pytest.mark.parametrize("arguments, message", [
    (["--region", "火星", "--period", "2021"], "未知地区"),
    (["--region", "999999", "--period", "2021"], "未知地区代码"),
    (["--region", SHANXI, "--period", "2021Q5"], "期间格式不正确"),
    (["--region", SHANXI, "--period", "21"], "期间格式不正确"),
])
def test_cli_refuses_unknown_regions_and_bad_periods(corpus_database, tmp_path, capsys, arguments, message):
    out = tmp_path / "refused.xlsx"
    code = main(["template", *arguments, "--out", str(out), "--db", str(corpus_database)])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_a_template_without_rows_has_only_its_header():
    rows = template_rows(pd.DataFrame(columns=["region_code", "indicator", "scope", "kind"]), [SHANXI], "2021")
    data = load_workbook(io.BytesIO(template_workbook(rows)))[layout.DATA_SHEET]
    assert data.max_row == HEADER_ROW
    assert data.protection.sheet is True
