"""The header row of a progress sheet found among the first rows, in Chinese or English, in any order."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from indicators.progress import layout
from indicators.progress.cells import CellValue, shown_value

HEADER_SEARCH_ROWS = 10

REQUIRED_FIELDS = tuple(column.field for column in layout.COLUMNS if column.required)
# Locked template columns (names, targets) are for the evaluator's eyes; only these are imported.
IMPORTED_FIELDS = ("region_code", "region", "indicator", "scope", "unit", "period", "value", "as_of", "source", "note")


# --- headers ---------------------------------------------------------------------------------------------------


@dataclass
class Header:
    row: int
    columns: dict[bytes, str]  # column letters → field
    cells: dict[str, str]  # field → header cell, e.g. "J1"
    extras: list[tuple[str, str]]  # (header text, cell) of columns that are not fields
    duplicates: list[tuple[str, str, str]]  # (field, cell, first cell)

    @property
    def missing(self) -> list[str]:
        return [field for field in REQUIRED_FIELDS if field not in self.cells]


def read_header(number: int, cells: dict[bytes, CellValue]) -> Header:
    header = Header(number, {}, {}, [], [])
    for column, cell in cells.items():
        reference = f"{column.decode()}{number}"
        text = shown_value(cell) or ""
        field = layout.field_for_header(text)
        if field is None:
            header.extras.append((text, reference))
        elif field in header.cells:
            header.duplicates.append((field, reference, header.cells[field]))
        else:
            header.cells[field] = reference
            header.columns[column] = field
    return header


def field_names(fields: list[str], language: str) -> str:
    if language == "zh":
        return "、".join(layout.COLUMNS_BY_FIELD[field].header_zh for field in fields)
    return ", ".join(layout.COLUMNS_BY_FIELD[field].header_en for field in fields)


def find_header(rows: Iterator[tuple[int, bool, dict[bytes, CellValue]]]) -> Header | None:
    """The first of the first ten rows naming every required column; else the row naming the most fields."""
    best = None
    for number, _, cells in rows:
        if number > HEADER_SEARCH_ROWS:
            break
        header = read_header(number, cells)
        if not header.missing:
            return header
        if len(header.cells) >= 2 and (best is None or len(header.cells) > len(best.cells)):
            best = header
    return best
