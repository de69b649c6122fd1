"""The report's charts as Plotly figure specs (plain JSON: data + layout), drawn in the page by plotly.js.

Specs are written by hand rather than with plotly's Python package: building them needs nothing but
the warehouse rows, and the build process that rebuilds the report after each publish stays free of
plotly's Python import. Amounts go into the specs as JSON numbers: a chart only draws them.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from .warehouse_data import UNDERSPENT_BELOW_PCT, WarehouseData

# The worst projects shown in the under-spent bar chart, and projects offered in the year-to-year chart.
UNDERSPENT_BARS_SHOWN = 40
PROJECTS_OVER_YEARS_SHOWN = 40
_FONT = {"family": "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"}


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _layout(title: str, **extra) -> dict:
    return {"title": {"text": title}, "font": _FONT, "margin": {"l": 60, "r": 20, "t": 50, "b": 60}, **extra}


def execution_rate_by_department(data: WarehouseData) -> dict:
    by_year: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    for line in data.project_lines:
        if line["execution_rate_calc_pct"] is None:
            continue
        departments, rates = by_year[line["fiscal_year"]]
        departments.append(line["department_name"])
        rates.append(_number(line["execution_rate_calc_pct"]))
    traces = [
        {"type": "box", "name": str(year), "x": departments, "y": rates, "boxpoints": "outliers"}
        for year, (departments, rates) in sorted(by_year.items())
    ]
    return {
        "data": traces,
        "layout": _layout(
            "项目执行率分布（按部门、年度） Project execution rate by department and year",
            boxmode="group",
            yaxis={"title": {"text": "执行率 execution rate, %"}},
            legend={"title": {"text": "年度 year"}},
        ),
    }


def underspent_projects(data: WarehouseData) -> dict:
    worst = [
        line
        for line in data.project_lines
        if line["execution_rate_calc_pct"] is not None
        and line["execution_rate_calc_pct"] < UNDERSPENT_BELOW_PCT
    ][:UNDERSPENT_BARS_SHOWN]
    labels = [f"{w['department_name']} · {w['line_name']} ({w['fiscal_year']})" for w in worst]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": labels,
                "x": [_number(w["execution_rate_calc_pct"]) for w in worst],
                "marker": {"color": "#d62728"},
                "hovertemplate": "%{y}<br>%{x:.2f}%<extra></extra>",
            }
        ],
        "layout": _layout(
            f"执行率低于{UNDERSPENT_BELOW_PCT}%的项目（最差在上） "
            f"Projects under {UNDERSPENT_BELOW_PCT}%, worst first",
            height=max(300, 60 + 22 * len(worst)),
            margin={"l": 360, "r": 20, "t": 50, "b": 40},
            xaxis={"title": {"text": "执行率 execution rate, %"}, "range": [0, float(UNDERSPENT_BELOW_PCT)]},
            yaxis={"autorange": "reversed", "automargin": True},
        ),
    }


def indicators_missed(data: WarehouseData) -> dict:
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in data.indicators_missed:
        counts[row["fiscal_year"]][row["department_name"]] += 1
    departments = sorted({d for per_year in counts.values() for d in per_year})
    return {
        "data": [
            {
                "type": "bar",
                "name": str(year),
                "x": departments,
                "y": [counts[year].get(d, 0) for d in departments],
            }
            for year in sorted(counts)
        ],
        "layout": _layout(
            "未达标指标数 Indicators that missed their target",
            barmode="stack",
            yaxis={"title": {"text": "指标数 indicators"}, "dtick": 1},
            legend={"title": {"text": "年度 year"}},
        ),
    }


def projects_over_years(data: WarehouseData) -> dict:
    """Budget and spend per year of projects printed in two or more years, one project shown at a time."""
    years_of: dict[str, list[dict]] = defaultdict(list)
    for line in data.project_lines:
        years_of[line["project_id"]].append(line)
    multi_year = [sorted(rows, key=lambda r: r["fiscal_year"]) for rows in years_of.values() if len(rows) > 1]
    multi_year.sort(key=lambda rows: -max(r["adjusted_budget_wan_yuan"] or 0 for r in rows))
    multi_year = multi_year[:PROJECTS_OVER_YEARS_SHOWN]
    traces, buttons = [], []
    for i, rows in enumerate(multi_year):
        years = [r["fiscal_year"] for r in rows]
        for label, column in (
            ("调整预算 adjusted budget", "adjusted_budget_wan_yuan"),
            ("实际支出 spend", "actual_spend_wan_yuan"),
        ):
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": label,
                    "x": years,
                    "y": [_number(r[column]) for r in rows],
                    "visible": i == 0,
                }
            )
        name = f"{rows[0]['department_name']} · {rows[0]['line_name']}"
        visible = [j // 2 == i for j in range(2 * len(multi_year))]
        buttons.append({"label": name, "method": "update", "args": [{"visible": visible}]})
    return {
        "data": traces,
        "layout": _layout(
            "项目历年预算与支出 A project's budget and spend over the years",
            xaxis={"title": {"text": "年度 fiscal year"}, "dtick": 1},
            yaxis={"title": {"text": "万元 10k yuan"}},
            updatemenus=[{"buttons": buttons, "x": 0, "xanchor": "left", "y": 1.18, "yanchor": "top"}]
            if buttons
            else [],
        ),
    }


def all_charts(data: WarehouseData) -> list[tuple[str, dict]]:
    """(element id, figure) for every chart, in page order."""
    return [
        ("chart-execution-rate", execution_rate_by_department(data)),
        ("chart-underspent", underspent_projects(data)),
        ("chart-indicators-missed", indicators_missed(data)),
        ("chart-project-years", projects_over_years(data)),
    ]
