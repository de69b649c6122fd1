"""The audit rules: what each checks, on which rows, and how bad a failure is.

severity 'error': our data is broken (keys, nulls, missing sections) — the build is not published.
severity 'warn': the report itself does not add up — published, and every failing row is a finding.

Each rule's SQL runs on the freshly built warehouse and returns one row per thing checked, with a
`finding_key` and the context a finding needs: fiscal_year, department_name, subject, source_file,
source_page, expected_value, actual_value. Its expectations name the column they check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Great Expectations takes ~10 s to import: expectations are made only when an audit runs, so
# loading the Dagster definitions (UI, sensor ticks) does not pay for it.


def _custom(name: str, **kwargs: Any) -> Callable[[], Any]:
    def make():
        from . import custom

        return getattr(custom, name)(**kwargs)

    return make


def _builtin(name: str, **kwargs: Any) -> Callable[[], Any]:
    def make():
        import great_expectations as gx

        return getattr(gx.expectations, name)(**kwargs)

    return make


@dataclass(frozen=True)
class Check:
    expectation: Callable[[], Any]  # builds the GX expectation
    message: str  # what a failing row means, for audit.findings


@dataclass(frozen=True)
class Rule:
    name: str
    severity: str  # 'error' | 'warn'
    description: str
    sql: str
    checks: tuple[Check, ...]


_CONTEXT = "s.fiscal_year, d.department_name, s.source_file, s.source_page"
_SPEND = "marts.fct_spend as s join marts.dim_department as d on s.department_id = d.department_id"
_AMOUNTS = (
    ("initial_budget_wan_yuan", "年初预算数"),
    ("adjustment_wan_yuan", "上年度结转及当年预算追加追减数"),
    ("adjusted_budget_wan_yuan", "调整预算数"),
    ("actual_spend_wan_yuan", "实际支出数"),
)


def _per_amount(select: str, amounts=_AMOUNTS) -> str:
    return "\nunion all\n".join(select.format(col=col, label=label) for col, label in amounts)


_SUMMARY = """
with lines as (
    select s.report_id, s.line_type, s.source_page, {cols}
    from marts.fct_spend as s
),
per_report as (
    select
        r.report_id, r.fiscal_year, d.department_name, r.source_file,
        {sums}
    from marts.dim_report as r
    join marts.dim_department as d on r.department_id = d.department_id
    join lines as l on l.report_id = r.report_id
    where r.is_current
    group by all
)
"""


def _summary_cte() -> str:
    cols = ", ".join(f"coalesce(s.{c}, 0) as {c}" for c, _ in _AMOUNTS)
    sums = ",\n        ".join(
        f"sum({c}) filter (where line_type = '{t}') as {t}__{c}"
        for c, _ in _AMOUNTS
        for t in ("total", "basic", "project_total", "project")
    )
    sums += (
        ",\n        count(*) filter (where line_type = 'total') as n_total"
        ",\n        count(*) filter (where line_type = 'basic') as n_basic"
        ",\n        count(*) filter (where line_type = 'project_total') as n_project_total"
        ",\n        min(source_page) filter (where line_type = 'total') as total_page"
    )
    return _SUMMARY.format(cols=cols, sums=sums)


RULES: tuple[Rule, ...] = (
    Rule(
        name="execution_rate",
        severity="warn",
        description="Printed execution rate = actual ÷ adjusted budget × 100 (blank actual = 0), ± 0.01, "
        "where the adjusted budget > 0.",
        sql=f"""
            select s.spend_id as finding_key, {_CONTEXT}, s.line_name as subject,
                cast(round(coalesce(s.actual_spend_wan_yuan, 0) * 100 / s.adjusted_budget_wan_yuan, 4) as varchar)
                    as expected_value,
                coalesce(cast(s.execution_rate_pct as varchar), 'blank') as actual_value,
                case when s.execution_rate_pct is null then 100.0 else round(abs(
                    s.execution_rate_pct - coalesce(s.actual_spend_wan_yuan, 0) * 100 / s.adjusted_budget_wan_yuan
                ), 6) end as abs_diff
            from {_SPEND}
            where s.adjusted_budget_wan_yuan > 0
        """,
        checks=(
            Check(
                _custom("ExpectPrintedFigureMatchesArithmetic"),
                "printed execution rate differs from actual / adjusted × 100",
            ),
        ),
    ),
    Rule(
        name="adjusted_budget",
        severity="warn",
        description="Adjusted budget = initial budget + adjustment (blank = 0), ± 0.01.",
        sql=f"""
            select s.spend_id as finding_key, {_CONTEXT}, s.line_name as subject,
                cast(coalesce(s.initial_budget_wan_yuan, 0) + coalesce(s.adjustment_wan_yuan, 0) as varchar)
                    as expected_value,
                coalesce(cast(s.adjusted_budget_wan_yuan as varchar), 'blank') as actual_value,
                cast(abs(coalesce(s.adjusted_budget_wan_yuan, 0) - coalesce(s.initial_budget_wan_yuan, 0)
                    - coalesce(s.adjustment_wan_yuan, 0)) as double) as abs_diff
            from {_SPEND}
        """,
        checks=(
            Check(
                _custom("ExpectPrintedFigureMatchesArithmetic"),
                "adjusted budget differs from initial budget + adjustment",
            ),
        ),
    ),
    Rule(
        name="totals",
        severity="warn",
        description="基本支出 + 项目支出 = 预算总金额 for each of the four amounts, ± 0.01.",
        sql=_summary_cte()
        + _per_amount("""
            select report_id || ':{col}' as finding_key, fiscal_year, department_name, source_file,
                total_page as source_page, '预算总金额 {label}' as subject,
                cast(basic__{col} + project_total__{col} as varchar) as expected_value,
                cast(total__{col} as varchar) as actual_value,
                cast(abs(total__{col} - basic__{col} - project_total__{col}) as double) as abs_diff
            from per_report where n_total = 1 and n_basic = 1 and n_project_total = 1
        """),
        checks=(
            Check(
                _custom("ExpectPrintedFigureMatchesArithmetic"),
                "basic + project spending differs from the printed total",
            ),
        ),
    ),
    Rule(
        name="project_coverage",
        severity="warn",
        description="The listed project lines add up to no more than 项目支出 (initial, adjusted, actual); "
        "coverage = listed ÷ 项目支出 is reported.",
        sql=_summary_cte()
        + _per_amount(
            """
            select report_id || ':{col}' as finding_key, fiscal_year, department_name, source_file,
                total_page as source_page, '项目支出 {label}' as subject,
                '≤ ' || cast(project_total__{col} as varchar) as expected_value,
                cast(coalesce(project__{col}, 0) as varchar) as actual_value,
                cast(coalesce(project__{col}, 0) - project_total__{col} as double) as excess,
                case when project_total__{col} > 0
                    then cast(coalesce(project__{col}, 0) / project_total__{col} as double) end as coverage
            from per_report where n_project_total = 1
        """,
            [a for a in _AMOUNTS if a[0] != "adjustment_wan_yuan"],
        ),
        checks=(
            Check(_custom("ExpectPartsWithinWhole"), "listed project lines add up to more than 项目支出"),
        ),
    ),
    Rule(
        name="deviation",
        severity="warn",
        description="Printed deviation = (actual − target) ÷ target × 100, ± 0.01, for numeric targets ≠ 0 "
        "in the same unit as the actual.",
        sql="""
            select i.indicator_id as finding_key, i.fiscal_year, d.department_name, i.source_file,
                i.source_page, i.indicator_name as subject,
                cast(round((i.actual_value - i.target_value) * 100 / i.target_value, 4) as varchar)
                    as expected_value,
                i.deviation_raw as actual_value,
                round(abs(i.deviation_pct - (i.actual_value - i.target_value) * 100 / i.target_value), 6)
                    as abs_diff
            from marts.fct_indicator as i join marts.dim_department as d on i.department_id = d.department_id
            where i.target_value is not null and i.target_value <> 0 and i.actual_value is not null
                and i.deviation_pct is not null and coalesce(i.target_unit, '') = coalesce(i.actual_unit, '')
        """,
        checks=(
            Check(
                _custom("ExpectPrintedFigureMatchesArithmetic"),
                "printed deviation differs from (actual − target) / target × 100",
            ),
        ),
    ),
    Rule(
        name="completeness",
        severity="error",
        description="Each current report has exactly one 预算总金额, 基本支出 and 项目支出 line, at least one "
        "project line, indicator and key task.",
        sql="""
            select r.report_id as finding_key, r.fiscal_year, r.department_name, r.source_file,
                null::integer as source_page, 'report sections' as subject,
                '1 / 1 / 1 / ≥1 / ≥1 / ≥1' as expected_value,
                concat_ws(' / ', n_total, n_basic, n_project_total, n_project, n_indicators, n_key_tasks)
                    as actual_value,
                n_total, n_basic, n_project_total, n_project, n_indicators, n_key_tasks
            from (select r.*, d.department_name,
                coalesce(s.n_total, 0) as n_total, coalesce(s.n_basic, 0) as n_basic,
                coalesce(s.n_project_total, 0) as n_project_total, coalesce(s.n_project, 0) as n_project,
                coalesce(i.n_indicators, 0) as n_indicators, coalesce(k.n_key_tasks, 0) as n_key_tasks
            from marts.dim_report as r
            join marts.dim_department as d on r.department_id = d.department_id
            left join (
                select report_id,
                    count(*) filter (where line_type = 'total') as n_total,
                    count(*) filter (where line_type = 'basic') as n_basic,
                    count(*) filter (where line_type = 'project_total') as n_project_total,
                    count(*) filter (where line_type = 'project') as n_project
                from marts.fct_spend group by report_id
            ) as s on s.report_id = r.report_id
            left join (
                select report_id, count(*) as n_indicators from marts.fct_indicator group by report_id
            ) as i on i.report_id = r.report_id
            left join (
                select report_id, count(*) as n_key_tasks from marts.fct_key_task group by report_id
            ) as k on k.report_id = r.report_id
            where r.is_current) as r
        """,
        checks=tuple(
            Check(
                _custom("ExpectCountBetween", column=col, min_value=lo, max_value=hi),
                msg,
            )
            for col, lo, hi, msg in (
                ("n_total", 1, 1, "not exactly one 预算总金额 line"),
                ("n_basic", 1, 1, "not exactly one 基本支出 line"),
                ("n_project_total", 1, 1, "not exactly one 项目支出 line"),
                ("n_project", 1, None, "no project line"),
                ("n_indicators", 1, None, "no indicator (九、部门整体自评表)"),
                ("n_key_tasks", 1, None, "no key task (八、年度重点任务)"),
            )
        ),
    ),
    Rule(
        name="key_task_project_resolves",
        severity="warn",
        description="Every project a key task names resolves to a budget line of its department.",
        sql="""
            select k.key_task_project_id as finding_key, k.fiscal_year, d.department_name, k.source_file,
                k.source_page, k.project_name_raw as subject, 'a budget line of the department' as expected_value,
                'no match' as actual_value, k.project_id
            from marts.fct_key_task as k join marts.dim_department as d on k.department_id = d.department_id
            where k.project_name_raw is not null
        """,
        checks=(
            Check(
                _builtin("ExpectColumnValuesToNotBeNull", column="project_id"),
                "key-task project matches no budget line (add it to project_name_overrides.csv if it should)",
            ),
        ),
    ),
    Rule(
        name="non_negative_amounts",
        severity="error",
        description="Initial budget, adjusted budget and actual spending are ≥ 0 (adjustments may be negative).",
        sql=_per_amount(
            f"""
            select s.spend_id || ':{{col}}' as finding_key, {_CONTEXT}, s.line_name || ' {{label}}' as subject,
                '≥ 0' as expected_value, cast(s.{{col}} as varchar) as actual_value, cast(s.{{col}} as double) as amount
            from {_SPEND} where s.{{col}} is not null
        """,
            [a for a in _AMOUNTS if a[0] != "adjustment_wan_yuan"],
        ),
        checks=(Check(_custom("ExpectNonNegativeAmount"), "negative amount"),),
    ),
    Rule(
        name="required_values",
        severity="error",
        description="Summary lines have their initial, adjusted and actual amounts; every line and indicator "
        "has a name.",
        sql=f"""
            select s.spend_id as finding_key, {_CONTEXT}, coalesce(s.line_name, '(no name)') as subject,
                'present' as expected_value, 'missing' as actual_value,
                case when s.line_name is null or s.line_type <> 'project' and (
                    s.initial_budget_wan_yuan is null or s.adjusted_budget_wan_yuan is null
                    or s.actual_spend_wan_yuan is null) then null else 1 end as present
            from {_SPEND}
            union all
            select i.indicator_id, i.fiscal_year, d.department_name, i.source_file, i.source_page,
                coalesce(i.indicator_name, '(no name)'), 'present', 'missing',
                case when i.indicator_name is null or i.level1 is null then null else 1 end
            from marts.fct_indicator as i join marts.dim_department as d on i.department_id = d.department_id
        """,
        checks=(
            Check(
                _builtin("ExpectColumnValuesToNotBeNull", column="present"),
                "a required name or amount is missing",
            ),
        ),
    ),
)


# Keys of the published tables: unique and not null, else the warehouse is broken.
KEYS: tuple[tuple[str, str], ...] = (
    ("dim_department", "department_id"),
    ("dim_project", "project_id"),
    ("dim_duty", "duty_id"),
    ("dim_report", "report_id"),
    ("fct_spend", "spend_id"),
    ("fct_indicator", "indicator_id"),
    ("fct_key_task", "key_task_project_id"),
)

RULES += (
    Rule(
        name="keys",
        severity="error",
        description="Every key of the published tables is unique and not null.",
        sql="\nunion all\n".join(
            f"""select '{table}.{col}:' || coalesce(cast({col} as varchar), 'null') || ':' || row_number() over ()
                    as finding_key, null::integer as fiscal_year, null as department_name, null as source_file,
                    null::integer as source_page, '{table}.{col}' as subject, 'unique, not null' as expected_value,
                    coalesce(cast({col} as varchar), 'null') as actual_value, '{table}.{col}' as key_name,
                    cast({col} as varchar) as key_value
                from marts.{table}"""
            for table, col in KEYS
        ),
        checks=(
            Check(_builtin("ExpectColumnValuesToNotBeNull", column="key_value"), "null key"),
            Check(
                _builtin("ExpectCompoundColumnsToBeUnique", column_list=["key_name", "key_value"]),
                "duplicate key",
            ),
        ),
    ),
)

RULE_NAMES = tuple(r.name for r in RULES)
