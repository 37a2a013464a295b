"""Targets and reports (tidy frames from the store) → the tables behind each page: status, scores, rankings, flags."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from indicators.attainment import Report, Status, Target, attainment, composite_scores, distance_to_frontier, shortfall
from indicators.models import ORIGIN_PRECEDENCE

STATUS_ORDER = tuple(status.value for status in Status)
DIRECTION_SORT = {"lower": True, "higher": False}


def scope_compatible(left, right) -> bool:
    """Scopes match when equal or when either side does not narrow the indicator."""
    return pd.isna(left) or pd.isna(right) or left == right


ORIGIN_RANK = {origin: rank for rank, origin in enumerate(ORIGIN_PRECEDENCE)}


def latest_first(reports: pd.DataFrame, within: tuple[str, ...] = (), scope=None, rank_scopes: bool = True) -> pd.DataFrame:
    """The reports ordered so that the first of each `within` group is its latest (the rule in indicators.models).

    With `rank_scopes`, a report of `scope` comes first, then one without a scope, then other scopes by name;
    the store's SQL (LATEST_FIRST and the status pairing) orders the same way.
    """
    ranks = {"_origin_rank": reports["origin"].map(ORIGIN_RANK).fillna(len(ORIGIN_RANK)) if "origin" in reports else 0}
    keys: list[tuple[str, bool]] = [(column, True) for column in within]
    if rank_scopes:
        ranks["_scope_rank"] = [0 if (not pd.isna(scope) and own == scope) else 1 if pd.isna(own) else 2
                                for own in reports["scope"]]
        keys.append(("_scope_rank", True))
    keys.append(("period", False))
    if rank_scopes:
        keys.append(("scope", True))
    keys.append(("_origin_rank", True))
    keys += [(column, ascending) for column, ascending in (("as_of", False), ("reported_id", True)) if column in reports]
    ranked = reports.assign(**ranks).sort_values([key for key, _ in keys], ascending=[order for _, order in keys],
                                                 na_position="last", kind="stable")
    return ranked.drop(columns=list(ranks))


def latest_report(reports: pd.DataFrame, scope=None) -> pd.Series | None:
    """The one report that counts: the given scope (or none) before others, then the latest by the models' rule."""
    if reports.empty:
        return None
    return reports.loc[latest_first(reports, scope=scope).index[0]]


def filter_scope(frame: pd.DataFrame, scope: str | None) -> pd.DataFrame:
    if not scope:
        return frame
    return frame[frame["scope"].isna() | (frame["scope"] == scope)]


def applicable_target(targets: pd.DataFrame, year: int) -> pd.Series | None:
    """The commitment in force for `year`: the nearest deadline at or after it, else a standing limit, else the latest past one.

    Ties go to the most recent document, since later documents restate and tighten earlier ones.
    """
    if targets.empty:
        return None
    ordered = targets.sort_values(["issue_year", "doc", "line"], na_position="first")
    upcoming = ordered[ordered["year"].notna() & (ordered["year"] >= year)]
    if not upcoming.empty:
        nearest = upcoming["year"].min()
        return upcoming[upcoming["year"] == nearest].iloc[-1]
    standing = ordered[ordered["year"].isna()]
    if not standing.empty:
        return standing.iloc[-1]
    return ordered.sort_values("year").iloc[-1]


def target_of(row: pd.Series) -> Target:
    return Target(
        value=float(row["value"]),
        unit=row["unit"],
        comparator=row["comparator"],
        value_max=None if pd.isna(row.get("value_max")) else float(row["value_max"]),
        baseline=None if pd.isna(row.get("baseline")) else float(row["baseline"]),
        year=None if pd.isna(row.get("year")) else int(row["year"]),
    )


def report_of(row: pd.Series, value_column: str = "value", unit_column: str = "unit", year_column: str = "period_year") -> Report:
    return Report(value=float(row[value_column]), unit=row[unit_column], year=int(row[year_column]))


def chosen_reports(reports: pd.DataFrame, scope: str | None) -> pd.DataFrame:
    """One report per region, by the same rule as latest_report, for all regions at once."""
    if reports.empty:
        return reports
    return latest_first(reports, within=("region_code",), scope=scope).drop_duplicates("region_code")


def chosen_targets(targets: pd.DataFrame, reports: pd.DataFrame, year: int) -> pd.DataFrame:
    """Each region's target in force for `year`, by the same rule as applicable_target, for all regions at once.

    Targets whose scope fits the region's report come first; among them the nearest deadline at or after
    the year, else a standing limit, else the latest past deadline; ties go to the latest document.
    """
    if targets.empty:
        return targets
    report_scope = reports.set_index("region_code")["scope"] if not reports.empty else pd.Series(dtype=object)
    candidates = targets.assign(report_scope=targets["region_code"].map(report_scope))
    has_report = candidates["region_code"].isin(report_scope.index)
    fits = candidates["scope"].isna() | candidates["report_scope"].isna() | (candidates["scope"] == candidates["report_scope"])
    upcoming = candidates["year"].notna() & (candidates["year"] >= year)
    standing = candidates["year"].isna()
    candidates = candidates.assign(
        fit_rank=(~(fits | ~has_report)).astype(int),
        time_rank=upcoming.map({True: 0, False: 1}) + (~upcoming & ~standing).astype(int),
        # Nearest future deadline first; the latest past deadline first.
        year_key=candidates["year"].where(upcoming, -candidates["year"].fillna(0)),
    )
    ordered = candidates.sort_values(
        ["region_code", "fit_rank", "time_rank", "year_key", "issue_year", "doc", "line"],
        ascending=[True, True, True, True, False, False, False], na_position="last", kind="stable",
    )
    return ordered.drop_duplicates("region_code").drop(columns=["report_scope", "fit_rank", "time_rank", "year_key"])


def compare_table(
    reports: pd.DataFrame,
    targets: pd.DataFrame,
    year: int,
    current_year: int,
    direction: str,
    scope: str | None = None,
) -> pd.DataFrame:
    """One row per region with a report or a target: reported value, own target, status, score and rank.

    `reports` holds each region's latest report for the year; `targets` every target of the indicator.
    Vectorised: a county-scale comparison has thousands of regions.
    """
    reports = chosen_reports(filter_scope(reports, scope), scope)
    regional_targets = filter_scope(targets, scope)
    regional_targets = chosen_targets(regional_targets[regional_targets["region_code"] != "100000"], reports, year)
    report_part = reports.rename(columns={
        "value": "reported", "unit": "reported_unit", "source": "report_source",
    }).reindex(columns=["region_code", "region", "level", "reported", "reported_unit", "period", "origin",
                        "report_source", "period_year"])
    target_part = regional_targets.rename(columns={
        "value": "target", "value_max": "target_max", "unit": "target_unit", "year": "target_year",
        "scope": "target_scope", "quote": "target_quote", "title": "target_document", "document_id": "target_document_id",
        "region": "target_region", "level": "target_level",
    }).reindex(columns=["region_code", "target_region", "target_level", "target", "target_max", "target_unit",
                        "comparator", "target_year", "target_scope", "target_quote", "target_document",
                        "target_document_id", "target_id", "baseline"])
    table = report_part.merge(target_part, on="region_code", how="outer").sort_values("region_code")
    if table.empty:
        return pd.DataFrame(columns=[*COMPARE_COLUMNS, "score", "rank"])
    table["region"] = table["region"].fillna(table["target_region"])
    table["level"] = table["level"].fillna(table["target_level"])
    statuses, shortfalls = [], []
    for row in table.itertuples(index=False):
        if pd.isna(row.target):
            statuses.append("no_target")
            shortfalls.append(None)
            continue
        as_target = Target(
            value=float(row.target), unit=row.target_unit, comparator=row.comparator,
            value_max=None if pd.isna(row.target_max) else float(row.target_max),
            baseline=None if pd.isna(row.baseline) else float(row.baseline),
            year=None if pd.isna(row.target_year) else int(row.target_year),
        )
        as_report = None if pd.isna(row.reported) else Report(float(row.reported), row.reported_unit, int(row.period_year))
        statuses.append(attainment(as_target, as_report, current_year).value)
        shortfalls.append(None if as_report is None else shortfall(as_target, as_report))
    table["status"] = statuses
    table["shortfall"] = shortfalls
    table["target_year"] = table["target_year"].astype("Int64")
    table = table[list(COMPARE_COLUMNS)].reset_index(drop=True)
    # Scores and ranks compare like with like: only values in the most common reported unit.
    unit = table["reported_unit"].mode().iloc[0] if table["reported_unit"].notna().any() else None
    comparable = table["reported_unit"] == unit
    table["score"] = distance_to_frontier(table["reported"].where(comparable).astype(float), direction).round(1)
    ranked = table["reported"].notna() & comparable
    table.loc[ranked, "rank"] = table.loc[ranked, "reported"].astype(float).rank(
        method="min", ascending=DIRECTION_SORT[direction])
    return table.sort_values(["rank", "region_code"], na_position="last").reset_index(drop=True)


COMPARE_COLUMNS = (
    "region_code", "region", "level", "reported", "reported_unit", "period", "origin", "report_source", "target",
    "target_max", "target_unit", "comparator", "target_year", "target_scope", "target_quote", "target_document",
    "target_document_id", "target_id", "status", "shortfall",
)


def national_requirement(targets: pd.DataFrame, year: int, scope: str | None = None) -> pd.Series | None:
    national = filter_scope(targets[targets["region_code"] == "100000"], scope)
    return applicable_target(national, year)


def status_shares(pairs: pd.DataFrame, current_year: int) -> pd.Series:
    """Share of targets met / not met / not yet due / without a report, from targets joined to latest reports."""
    statuses = []
    for row in pairs.itertuples(index=False):
        target = Target(
            value=float(row.value), unit=row.unit, comparator=row.comparator,
            value_max=None if pd.isna(row.value_max) else float(row.value_max),
            baseline=None if pd.isna(row.baseline) else float(row.baseline),
            year=None if pd.isna(row.year) else int(row.year),
        )
        report = None if pd.isna(row.reported_value) else Report(float(row.reported_value), row.reported_unit, int(row.reported_year))
        statuses.append(attainment(target, report, current_year).value)
    counts = pd.Series(statuses, dtype="object").value_counts()
    return counts.reindex(STATUS_ORDER, fill_value=0)


def region_statuses(targets: pd.DataFrame, reports: pd.DataFrame, current_year: int) -> pd.DataFrame:
    """Every target of one region with its latest compatible report and status."""
    rows = []
    for _, target in targets[targets["kind"] == "target"].iterrows():
        candidates = reports[(reports["indicator"] == target["indicator"])]
        candidates = candidates[[scope_compatible(scope, target["scope"]) for scope in candidates["scope"]]]
        report = latest_report(candidates, target["scope"])
        as_report = None if report is None else report_of(report)
        status = attainment(target_of(target), as_report, current_year).value
        rows.append({
            **target.to_dict(),
            "reported": None if report is None else float(report["value"]),
            "reported_unit": None if report is None else report["unit"],
            "period": None if report is None else report["period"],
            "origin": None if report is None else report["origin"],
            "status": status,
        })
    return pd.DataFrame(rows)


def tightening(targets: pd.DataFrame) -> pd.DataFrame:
    """How each commitment changed across successive documents: value per document, in issue order.

    Only indicator/scope/unit series stated in more than one document are returned.
    """
    own = targets[targets["kind"] == "target"].copy()
    if own.empty:
        return own.assign(step=pd.Series(dtype=int))
    own["scope_key"] = own["scope"].fillna("")
    own = own.sort_values(["issue_year", "doc", "line"])
    series = own.groupby(["indicator", "scope_key", "unit"])["document_id"].transform("nunique")
    repeated = own[series > 1].copy()
    repeated["step"] = repeated.groupby(["indicator", "scope_key", "unit"]).cumcount() + 1
    return repeated.drop(columns="scope_key")


def weaker_than_national(region_targets: pd.DataFrame, national: pd.DataFrame, directions: dict[str, str]) -> pd.DataFrame:
    """Targets of a region less strict than the national requirement for the same indicator, unit and scope."""
    flagged = []
    for _, own in region_targets[region_targets["kind"] == "target"].iterrows():
        if own["comparator"] not in ("<=", ">="):
            continue
        same = national[(national["indicator"] == own["indicator"]) & (national["unit"] == own["unit"])
                        & (national["comparator"] == own["comparator"])]
        same = same[[scope_compatible(scope, own["scope"]) for scope in same["scope"]]]
        if same.empty:
            continue
        direction = directions.get(own["indicator"], "lower")
        # Against the national requirement in force for the region's own deadline, not any year's.
        in_force = applicable_target(same, int(own["year"]) if not pd.isna(own["year"]) else int(same["year"].max()
                                     if same["year"].notna().any() else 0))
        strictest_national = in_force["value"]
        weaker = own["value"] > strictest_national if direction == "lower" else own["value"] < strictest_national
        if weaker:
            flagged.append({**own.to_dict(), "national_value": float(strictest_national)})
    return pd.DataFrame(flagged)


def ambition_and_attainment(targets: pd.DataFrame, reports: pd.DataFrame, direction: str) -> pd.DataFrame:
    """Per region: how strict its target is and how far along its latest report is, both as 0–100 scores.

    Scores compare regions with one another on one indicator, in one unit (the most common one).
    """
    regional = targets[targets["region_code"] != "100000"]
    if regional.empty and reports.empty:
        return pd.DataFrame(columns=["region_code", "region", "target", "reported", "ambition", "attainment"])
    unit = pd.concat([regional["unit"], reports["unit"]]).mode().iloc[0]
    regional = regional[regional["unit"] == unit]
    reports = reports[reports["unit"] == unit]
    strictest = regional.groupby(["region_code", "region"])["value"].agg("min" if direction == "lower" else "max")
    latest = reports.sort_values("period_year").groupby(["region_code", "region"])["value"].last()
    table = pd.concat([strictest.rename("target"), latest.rename("reported")], axis=1).reset_index()
    pool = pd.concat([table["target"], table["reported"]]).dropna()
    worst = pool.max() if direction == "lower" else pool.min()
    best = pool.min() if direction == "lower" else pool.max()
    table["ambition"] = distance_to_frontier(table["target"].astype(float), direction, worst, best).round(1)
    table["attainment"] = distance_to_frontier(table["reported"].astype(float), direction, worst, best).round(1)
    table["unit"] = unit
    return table


def coverage_pivot(counts: pd.DataFrame, family_label) -> pd.DataFrame:
    """Regions down, indicator families across, number of targets in each cell."""
    if counts.empty:
        return pd.DataFrame()
    table = counts.pivot_table(index="region", columns="category", values="targets", aggfunc="sum", fill_value=0)
    table.columns = [family_label(family) for family in table.columns]
    return table.astype(int)


def compare_view(reports: pd.DataFrame, targets: pd.DataFrame, year: int, current_year: int, direction: str,
                 scope: str | None) -> tuple[pd.DataFrame, pd.Series | None]:
    """The compare page's table and the national requirement it is drawn against."""
    table = compare_table(reports, targets, year, current_year, direction, scope)
    national = national_requirement(targets, year, scope)
    if national is not None and not table.empty and table["reported_unit"].notna().any():
        # The national line is drawn on the chart's axis only when it is in the chart's unit.
        if national["unit"] != table["reported_unit"].mode().iloc[0]:
            national = None
    return table, national


@dataclass(frozen=True)
class RegionProfile:
    statuses: pd.DataFrame  # every target with its latest report and status
    steps: pd.DataFrame  # commitments restated across documents, in order
    weaker: pd.DataFrame  # targets weaker than the national requirement
    overdue: pd.DataFrame  # deadlines passed and not met
    unreported: pd.DataFrame  # deadlines passed with nothing reported


def region_profile(targets: pd.DataFrame, reports: pd.DataFrame, national: pd.DataFrame, directions: dict[str, str],
                   current_year: int) -> RegionProfile:
    statuses = region_statuses(targets, reports, current_year)
    empty = statuses.iloc[0:0]
    return RegionProfile(
        statuses=statuses,
        steps=tightening(targets),
        weaker=weaker_than_national(targets, national, directions) if targets["region_code"].ne("100000").any() else pd.DataFrame(),
        overdue=statuses[statuses["status"] == "overdue"] if not statuses.empty else empty,
        unreported=statuses[statuses["status"] == "no_report"] if not statuses.empty else empty,
    )


MARKDOWN_SPECIAL = set("\\`*_{}[]()#+-.!|<>:$~=")


def escaped_markdown(text: str) -> str:
    """Text shown literally by Markdown: every character with a meaning there is escaped, so no HTML or link gets through."""
    return "".join("\\" + character if character in MARKDOWN_SPECIAL else character for character in text)


def highlighted_paragraph(paragraph: str, start: int, length: int) -> str:
    """The paragraph as Markdown with the quote at `start` highlighted; all text escaped."""
    before, quote, after = paragraph[:start], paragraph[start:start + length], paragraph[start + length:]
    return f"{escaped_markdown(before)}:orange-background[**{escaped_markdown(quote)}**]{escaped_markdown(after)}"


def composite_table(reports: pd.DataFrame, directions: dict[str, str], labels: dict[str, str]) -> pd.DataFrame:
    """Per region: the mean of its indicator scores (distance to frontier among all regions), with the components.

    Each indicator is scored in its most common unit only, so days are never averaged with hours. Grouped
    rather than looped, since a county-scale year holds about a hundred thousand reports.
    """
    columns = ["region_code", "region", "composite", "indicators", "components"]
    if reports.empty:
        return pd.DataFrame(columns=columns)
    latest = latest_first(reports, within=("region_code", "indicator"), rank_scopes=False)
    latest = latest.drop_duplicates(["region_code", "indicator", "unit"])
    units = latest.groupby("indicator")["unit"].agg(lambda values: values.mode().iloc[0])
    latest = latest[latest["unit"] == latest["indicator"].map(units)].drop_duplicates(["region_code", "indicator"])
    scores = []
    for indicator, rows in latest.groupby("indicator"):
        scores.append(rows.assign(score=distance_to_frontier(rows["value"].astype(float), directions.get(indicator, "lower"))))
    scored = pd.concat(scores)
    table = composite_scores(scored[["region_code", "indicator", "score"]])
    table = table[table["indicators"] > 0]
    names = reports.drop_duplicates("region_code").set_index("region_code")["region"]
    table.insert(1, "region", table["region_code"].map(names))
    table["composite"] = table["composite"].round(1)
    table["components"] = table["components"].map(
        lambda parts: " · ".join(f"{labels.get(code, code)} {score:.0f}" for code, score in sorted(parts.items())))
    return table.reset_index(drop=True)[columns]
