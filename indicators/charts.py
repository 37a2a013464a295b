"""Tidy frames → plotly figures; every region-level point carries its region code in customdata[0]."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from indicators.i18n import STATUS_LABELS, unit_label

STATUS_COLORS = {
    "met": "#2e7d32",
    "not_yet_due": "#1565c0",
    "not_met": "#ef6c00",
    "overdue": "#c62828",
    "no_report": "#9e9e9e",
    "unit_mismatch": "#6a1b9a",
    "no_target": "#bdbdbd",
}
FONT = dict(family="Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, sans-serif")


def base_layout(figure: go.Figure, title: str, y_title: str = "") -> go.Figure:
    figure.update_layout(
        title=title, font=FONT, margin=dict(l=10, r=10, t=50, b=10), legend=dict(orientation="h", y=-0.2),
        yaxis_title=y_title, plot_bgcolor="white",
    )
    figure.update_yaxes(gridcolor="#eeeeee")
    return figure


def compare_chart(
    table: pd.DataFrame, national_value: float | None, language: str, title: str, style: str = "bars"
) -> go.Figure:
    """Reported value per region coloured by attainment (sample data hatched), each region's own target as a marker."""
    figure = go.Figure()
    reported = table[table["reported"].notna()]
    origin_names = {"sample": {"zh": "示例数据", "en": "sample data (示例数据)"}[language]}
    for status, rows in reported.groupby("status", sort=False):
        custom = rows[["region_code", "period"]].assign(
            origin=rows["origin"].map(lambda origin: origin_names.get(origin, ""))).to_numpy()
        common = dict(
            x=rows["region"], y=rows["reported"], name=STATUS_LABELS[status][language], customdata=custom,
            hovertemplate="%{x}<br>%{y}<br>%{customdata[1]} %{customdata[2]}<extra>%{fullData.name}</extra>",
        )
        if style == "dots":
            figure.add_scatter(mode="markers", marker=dict(
                color=STATUS_COLORS[status], size=12,
                symbol=["circle-open" if origin == "sample" else "circle" for origin in rows["origin"]]), **common)
        else:
            figure.add_bar(marker=dict(
                color=STATUS_COLORS[status],
                pattern_shape=["/" if origin == "sample" else "" for origin in rows["origin"]]), **common)
    with_target = table[table["target"].notna()]
    if not with_target.empty:
        figure.add_scatter(
            x=with_target["region"], y=with_target["target"], mode="markers",
            name={"zh": "本地目标", "en": "Own target"}[language],
            marker=dict(symbol="diamond", size=11, color="black", line=dict(color="white", width=1)),
            customdata=with_target[["region_code", "comparator", "target_year"]].to_numpy(),
            hovertemplate="%{x}<br>%{customdata[1]} %{y} (%{customdata[2]})<extra></extra>",
        )
    if national_value is not None:
        figure.add_hline(
            y=national_value, line_dash="dash", line_color="#455a64",
            annotation_text={"zh": f"国家要求 {national_value:g}", "en": f"National requirement {national_value:g}"}[language],
        )
    unit = table["reported_unit"].dropna().iloc[0] if table["reported_unit"].notna().any() else (
        table["target_unit"].dropna().iloc[0] if table["target_unit"].notna().any() else "other")
    figure.update_layout(barmode="overlay", xaxis=dict(categoryorder="array", categoryarray=list(table["region"])))
    return base_layout(figure, title, unit_label(unit, language))


def history_chart(reports: pd.DataFrame, targets: pd.DataFrame, language: str, title: str) -> go.Figure:
    """A region's reported values over the years against each of its targets (marker at the deadline)."""
    figure = go.Figure()
    for scope, rows in reports.groupby(reports["scope"].fillna("—"), sort=False):
        rows = rows.sort_values("period")
        figure.add_scatter(
            x=rows["period"], y=rows["value"], mode="lines+markers", name=f"{ {'zh': '报告值', 'en': 'Reported'}[language]} {scope}",
            customdata=rows[["region_code", "origin"]].to_numpy(),
            hovertemplate="%{x}: %{y} (%{customdata[1]})<extra></extra>",
        )
    dated = targets[targets["year"].notna()]
    if not dated.empty:
        figure.add_scatter(
            x=dated["year"].astype(int).astype(str), y=dated["value"], mode="markers",
            name={"zh": "目标（截止年份）", "en": "Target (deadline)"}[language],
            marker=dict(symbol="diamond", size=12, color="black"),
            customdata=dated[["region_code", "target_id", "quote"]].to_numpy(),
            hovertemplate="%{customdata[2]}<extra></extra>",
        )
    for _, standing in targets[targets["year"].isna()].iterrows():
        figure.add_hline(y=standing["value"], line_dash="dot", line_color="#616161",
                         annotation_text={"zh": "常设时限", "en": "Standing limit"}[language])
    figure.update_xaxes(type="category", categoryorder="category ascending")
    return base_layout(figure, title)


def tightening_chart(steps: pd.DataFrame, labels: dict[str, str], language: str, title: str) -> go.Figure:
    """Each commitment's value across successive documents: 5 → 3 → 2 working days."""
    figure = go.Figure()
    for (indicator, scope, unit), rows in steps.groupby([steps["indicator"], steps["scope"].fillna(""), steps["unit"]]):
        name = f"{labels.get(indicator, indicator)} {scope} ({unit_label(unit, language)})".replace("  ", " ")
        figure.add_scatter(
            x=rows["issue_year"].astype("Int64").astype(str) + " · " + rows["title"].str.slice(0, 14),
            y=rows["value"], mode="lines+markers+text", text=rows["value"].map(lambda value: f"{value:g}"),
            textposition="top center", name=name,
            customdata=rows[["region_code", "target_id", "quote"]].to_numpy(),
            hovertemplate="%{customdata[2]}<extra></extra>",
        )
    return base_layout(figure, title)


def spread_chart(targets: pd.DataFrame, language: str, title: str) -> go.Figure:
    """Target values across regions, by deadline year: every region a point, the spread a box."""
    shown = targets.assign(deadline=targets["year"].astype("Int64").astype(str).replace("<NA>", {"zh": "常设", "en": "standing"}[language]))
    figure = go.Figure()
    figure.add_box(
        x=shown["deadline"], y=shown["value"], boxpoints="all", jitter=0.4, pointpos=0,
        name={"zh": "目标值", "en": "Target values"}[language],
        customdata=shown[["region_code", "region", "target_id"]].to_numpy(),
        hovertemplate="%{customdata[1]}: %{y}<extra></extra>",
    )
    figure.update_xaxes(type="category", categoryorder="category ascending")
    unit = targets["unit"].mode().iloc[0] if not targets.empty else "other"
    return base_layout(figure, title, unit_label(unit, language))


def ambition_chart(table: pd.DataFrame, language: str, title: str) -> go.Figure:
    """How strict each region's target is (x) against how far along it is (y), both 0–100."""
    both = table.dropna(subset=["ambition", "attainment"])
    figure = go.Figure()
    figure.add_scatter(
        x=both["ambition"], y=both["attainment"], mode="markers+text", text=both["region"], textposition="top center",
        marker=dict(size=11, color="#1565c0"), customdata=both[["region_code", "target", "reported"]].to_numpy(),
        hovertemplate="%{text}<br>target %{customdata[1]} · reported %{customdata[2]}<extra></extra>",
        name={"zh": "地区", "en": "Regions"}[language],
    )
    figure.update_xaxes(range=[-5, 105], title={"zh": "目标严格程度（0–100）", "en": "Ambition of target (0–100)"}[language])
    figure.update_yaxes(range=[-5, 105])
    return base_layout(figure, title, {"zh": "实际进展（0–100）", "en": "Attainment (0–100)"}[language])


def time_series_chart(yearly: pd.DataFrame, highlighted: list[str], language: str, title: str) -> go.Figure:
    """The median and middle half of all regions' reports per year, with a few regions drawn on top."""
    figure = go.Figure()
    if yearly.empty:
        return base_layout(figure, title)
    summary = yearly.groupby("period_year")["value"].describe(percentiles=[0.25, 0.5, 0.75]).reset_index()
    years = summary["period_year"].astype(str)
    figure.add_scatter(x=years, y=summary["75%"], mode="lines", line=dict(width=0), showlegend=False, hoverinfo="skip")
    figure.add_scatter(
        x=years, y=summary["25%"], mode="lines", line=dict(width=0), fill="tonexty", fillcolor="rgba(21,101,192,0.15)",
        name={"zh": "中间 50% 地区", "en": "Middle 50% of regions"}[language], hoverinfo="skip",
    )
    figure.add_scatter(x=years, y=summary["50%"], mode="lines+markers", line=dict(color="#1565c0", width=3),
                       name={"zh": "中位数", "en": "Median"}[language])
    for code in highlighted:
        rows = yearly[yearly["region_code"] == code].sort_values("period_year")
        if rows.empty:
            continue
        figure.add_scatter(
            x=rows["period_year"].astype(str), y=rows["value"], mode="lines+markers", name=rows["region"].iloc[0],
            customdata=rows[["region_code"]].to_numpy(), hovertemplate="%{x}: %{y}<extra>%{fullData.name}</extra>",
        )
    figure.update_xaxes(type="category")
    unit = yearly["unit"].mode().iloc[0]
    return base_layout(figure, title, unit_label(unit, language))
