"""Documents, regions, indicators and extracted statements as the pages, templates and library read them."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from indicators.store.connection import read_connection


def database_summary(database: Path) -> dict:
    """Counts for the command line and the home page."""
    with read_connection(database) as connection:
        documents = connection.execute("SELECT count(*) FROM documents").fetchone()[0]
        targets = connection.execute("SELECT count(*) FROM targets").fetchone()[0]
        regions = connection.execute("SELECT count(DISTINCT region_code) FROM targets").fetchone()[0]
        reported = connection.execute("SELECT count(*) FROM current_reports").fetchone()[0]
        by_family = connection.execute(
            "SELECT category, kind, count(*) AS n FROM targets GROUP BY category, kind ORDER BY category, kind"
        ).df()
        last_build = connection.execute(
            "SELECT build_id, finished_at, failed_files FROM builds ORDER BY finished_at DESC LIMIT 1"
        ).fetchone()
    return {
        "documents": documents,
        "targets": targets,
        "regions_with_targets": regions,
        "reported_values": reported,
        "by_family": by_family,
        "last_build": last_build,
    }


def targets_table(database: Path, region_code: str | None = None, family: str | None = None,
                  limit: int = 5000) -> pd.DataFrame:
    """Targets joined to their document, optionally for one region and one family."""
    conditions = []
    parameters: dict[str, str] = {}
    if region_code:
        conditions.append("t.region_code = $region_code")
        parameters["region_code"] = region_code
    if family:
        conditions.append("t.category = $family")
        parameters["family"] = family
    where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT t.region, t.level, t.category, t.indicator, i.label_zh AS indicator_zh, i.label_en AS indicator_en, "
            "t.scope, t.value, t.value_max, t.unit, t.comparator, t.baseline, t.year, t.kind, t.quote, d.title, "
            "d.document_number, t.doc, t.line, t.region_code "
            f"FROM targets t JOIN documents d USING (document_id) JOIN indicators i ON i.indicator_code = t.indicator {where} "
            "ORDER BY t.region_code, t.category, t.indicator, t.year LIMIT $limit",
            {**parameters, "limit": limit},
        ).df()


def documents_overview(database: Path) -> pd.DataFrame:
    """One row per policy document with its number of statements."""
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT d.title, d.issuer, d.document_number, d.issue_date, r.name AS region, d.level, "
            "count(t.target_id) AS targets, d.region_code "
            "FROM documents d JOIN regions r USING (region_code) "
            "LEFT JOIN targets t ON t.document_id = d.document_id "
            "GROUP BY d.document_id, d.title, d.issuer, d.document_number, d.issue_date, r.name, d.level, d.region_code, "
            "d.doc, d.first_line "
            "ORDER BY d.doc, d.first_line"
        ).df()


def document_sections(database: Path) -> pd.DataFrame:
    """Where each policy document sits in its source file."""
    with read_connection(database) as connection:
        return connection.execute("SELECT doc, title, first_line, last_line FROM documents").df()

TARGET_COLUMNS_FOR_PAGES = (
    "t.target_id, t.document_id, t.region_code, r.name AS region, r.level, r.parent_code, t.category, t.indicator, "
    "t.scope, t.value, t.value_max, t.unit, t.comparator, t.baseline, t.year, t.year_explicit, t.kind, t.quote, "
    "t.doc, t.line, d.title, d.issuer, d.document_number, d.issue_date, d.issue_year"
)


def indicator_choices(database: Path) -> pd.DataFrame:
    """Named indicators that have at least one target or report, with their counts."""
    with read_connection(database) as connection:
        return connection.execute(
            "WITH target_counts AS (SELECT indicator, count(*) AS targets FROM targets WHERE kind = 'target' "
            "GROUP BY indicator), report_counts AS (SELECT indicator, count(*) AS reports FROM current_reports "
            "GROUP BY indicator) "
            "SELECT i.indicator_code, i.label_zh, i.label_en, i.family, i.unit, i.direction, i.evaluation_heading, "
            "coalesce(tc.targets, 0) AS targets, coalesce(rc.reports, 0) AS reports FROM indicators i "
            "LEFT JOIN target_counts tc ON tc.indicator = i.indicator_code "
            "LEFT JOIN report_counts rc ON rc.indicator = i.indicator_code "
            "WHERE i.indicator_code NOT LIKE '%\\_unclassified' ESCAPE '\\' "
            "AND (tc.targets IS NOT NULL OR rc.reports IS NOT NULL) ORDER BY i.family, i.indicator_code"
        ).df()


def indicator_scopes(database: Path, indicator: str) -> list[str]:
    with read_connection(database) as connection:
        rows = connection.execute(
            "SELECT scope FROM targets WHERE indicator = $indicator AND scope IS NOT NULL AND kind = 'target' "
            "UNION SELECT scope FROM current_reports WHERE indicator = $indicator AND scope IS NOT NULL ORDER BY 1",
            {"indicator": indicator},
        ).fetchall()
    return [scope for (scope,) in rows]


def indicator_targets(database: Path, indicator: str) -> pd.DataFrame:
    """Every target (not statements of status) for one indicator, with region and document."""
    with read_connection(database) as connection:
        return connection.execute(
            f"SELECT {TARGET_COLUMNS_FOR_PAGES} FROM targets t JOIN regions r USING (region_code) "
            "JOIN documents d USING (document_id) WHERE t.indicator = $indicator AND t.kind = 'target' "
            "ORDER BY t.region_code, d.issue_year, t.doc, t.line",
            {"indicator": indicator},
        ).df()


def regions_with_data(database: Path) -> pd.DataFrame:
    """Regions in use now that have a target or a report, for pickers; a retired code's statements stay in the
    library and the exports, but no template or upload may name it."""
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT r.region_code, r.name, r.level FROM regions r WHERE r.valid_until IS NULL AND r.region_code IN "
            "(SELECT region_code FROM targets UNION SELECT region_code FROM current_reports) ORDER BY r.region_code"
        ).df()


def region_targets(database: Path, region_code: str) -> pd.DataFrame:
    """Every statement (targets and statements of status) of one region, with documents."""
    with read_connection(database) as connection:
        return connection.execute(
            f"SELECT {TARGET_COLUMNS_FOR_PAGES}, i.label_zh, i.label_en, i.direction FROM targets t "
            "JOIN regions r USING (region_code) JOIN documents d USING (document_id) "
            "JOIN indicators i ON i.indicator_code = t.indicator "
            "WHERE t.region_code = $code ORDER BY t.category, t.indicator, d.issue_year, t.doc, t.line",
            {"code": region_code},
        ).df()


def national_targets(database: Path) -> pd.DataFrame:
    with read_connection(database) as connection:
        return connection.execute(
            f"SELECT {TARGET_COLUMNS_FOR_PAGES} FROM targets t JOIN regions r USING (region_code) "
            "JOIN documents d USING (document_id) WHERE t.region_code = '100000' AND t.kind = 'target'",
        ).df()


LIBRARY_FILTERS = ("region_code", "level", "category", "indicator", "year", "kind", "document_id")


def library_rows(database: Path, filters: dict, search: str | None, limit: int = 2000) -> pd.DataFrame:
    """Targets matching exact filters (whitelisted columns) and a text search over quote, scope and title."""
    conditions = []
    parameters: dict = {"limit": limit}
    for column in LIBRARY_FILTERS:
        value = filters.get(column)
        if value in (None, "", []):
            continue
        conditions.append(f"t.{column} = ${column}")
        parameters[column] = value
    if search:
        conditions.append("(t.quote LIKE $search ESCAPE '\\' OR t.scope LIKE $search ESCAPE '\\' "
                          "OR d.title LIKE $search ESCAPE '\\' OR i.label_zh LIKE $search ESCAPE '\\' "
                          "OR i.label_en ILIKE $search ESCAPE '\\')")
        # The user's text is matched literally: % and _ are not wildcards here.
        literal = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        parameters["search"] = f"%{literal}%"
    where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
    with read_connection(database) as connection:
        return connection.execute(
            f"SELECT {TARGET_COLUMNS_FOR_PAGES}, i.label_zh, i.label_en FROM targets t JOIN regions r USING (region_code) "
            "JOIN documents d USING (document_id) JOIN indicators i ON i.indicator_code = t.indicator "
            f"{where} ORDER BY t.doc, t.line, t.column_offset LIMIT $limit",
            parameters,
        ).df()


def target_detail(database: Path, target_id: str) -> dict | None:
    """One statement with its paragraph and the document it comes from."""
    with read_connection(database) as connection:
        frame = connection.execute(
            f"SELECT {TARGET_COLUMNS_FOR_PAGES}, t.paragraph, t.column_offset, t.correction, d.source, i.label_zh, i.label_en "
            "FROM targets t JOIN regions r USING (region_code) JOIN documents d USING (document_id) "
            "JOIN indicators i ON i.indicator_code = t.indicator WHERE t.target_id = $id",
            {"id": target_id},
        ).df()
    return frame.iloc[0].to_dict() if len(frame) else None


def documents_for_filter(database: Path) -> pd.DataFrame:
    with read_connection(database) as connection:
        return connection.execute("SELECT document_id, title FROM documents ORDER BY doc, first_line").df()


def coverage_matrix(database: Path) -> pd.DataFrame:
    """Targets per region and family, for the home page."""
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT r.name AS region, t.region_code, t.category, count(*) AS targets FROM targets t "
            "JOIN regions r USING (region_code) WHERE t.kind = 'target' GROUP BY r.name, t.region_code, t.category "
            "ORDER BY t.region_code"
        ).df()


def indicator_definitions(database: Path, codes: tuple[str, ...] = ()) -> pd.DataFrame:
    """Catalog rows for the given indicators (all when none are given), for download metadata."""
    with read_connection(database) as connection:
        if not codes:
            return connection.execute("SELECT * FROM indicators ORDER BY indicator_code").df()
        return connection.execute(
            "SELECT * FROM indicators WHERE indicator_code IN (SELECT unnest($codes)) ORDER BY indicator_code",
            {"codes": list(codes)},
        ).df()


def documents_by_id(database: Path, document_ids: tuple[str, ...]) -> pd.DataFrame:
    """Title, issuer, number and date of the given documents, for download metadata."""
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT document_id, title, issuer, document_number, issue_date, doc FROM documents "
            "WHERE document_id IN (SELECT unnest($ids)) ORDER BY doc, first_line",
            {"ids": list(document_ids)},
        ).df()


def template_targets(database: Path, region_codes: tuple[str, ...]) -> pd.DataFrame:
    """Every target (not statements of status) of the given regions, with what a progress template shows beside it."""
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT t.target_id, t.region_code, r.name AS region, t.indicator, i.label_zh AS indicator_zh, "
            "i.label_en AS indicator_en, i.unit AS indicator_unit, t.scope, t.value, t.value_max, t.unit, t.comparator, "
            "t.baseline, t.year, t.kind, t.doc, t.line, d.title, d.document_number, d.issue_year "
            "FROM targets t JOIN regions r USING (region_code) JOIN documents d USING (document_id) "
            "JOIN indicators i ON i.indicator_code = t.indicator "
            "WHERE t.kind = 'target' AND t.region_code IN (SELECT unnest($codes)) "
            "ORDER BY t.region_code, t.indicator, t.scope NULLS FIRST, d.issue_year, t.doc, t.line",
            {"codes": list(region_codes)},
        ).df()


def region_names(database: Path) -> list[tuple[str, str, str | None, bool]]:
    """Every region ever used as (code, level, English name, in use now), for the names the English interface shows."""
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT region_code, level, name_en, valid_until IS NULL FROM regions ORDER BY region_code"
        ).fetchall()


def region_parents(database: Path) -> dict[str, str | None]:
    with read_connection(database) as connection:
        return dict(connection.execute("SELECT region_code, parent_code FROM regions").fetchall())


def region_choices(database: Path) -> pd.DataFrame:
    """Every region in use now with its parent's name, for assigning regions to users, and any retired region
    still granted to someone, so that the grant shows and can be taken away."""
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT r.region_code, r.name, r.level, coalesce(p.name, '') AS parent, r.parent_code FROM regions r "
            "LEFT JOIN regions p ON p.region_code = r.parent_code "
            "WHERE r.valid_until IS NULL OR r.region_code IN (SELECT region_code FROM user_regions) "
            "ORDER BY r.region_code"
        ).df()
