"""The warehouse as BI tools reach it: SQLAlchemy + duckdb-engine with the README's URI, column
comments, and the analyses shipped as views and plain SQL."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
ANALYSES_DIR = ROOT / "dbt_project" / "models" / "analyses"
ANALYSES = sorted(p.stem for p in ANALYSES_DIR.glob("*.sql"))
MARTS = [
    "dim_department",
    "dim_duty",
    "dim_project",
    "dim_report",
    "fct_indicator",
    "fct_key_task",
    "fct_spend",
    "map_project_name",
    "unmatched_project_names",
]
# Rows of each analysis view on the fixture corpus.
ANALYSIS_ROWS = {
    "execution_rate_by_project": 321,
    "funding_by_source": 0,  # the corpus holds no project tables (tests/test_project_warehouse.py)
    "indicators_missed_target": 36,
    "key_tasks_with_underspent_projects": 70,
    "project_year_over_year": 56,
    "projects_scoring_under_90": 0,
    "projects_under_80_pct": 47,
}


def _tools_section() -> str:
    return (ROOT / "docs" / "bi_tools.md").read_text(encoding="utf-8")


def readme_uri(warehouse: Path) -> str:
    """The README's SQLAlchemy URI, exactly as written, with its placeholder path replaced."""
    [uri] = set(re.findall(r"`(duckdb:///[^`]+)`", _tools_section()))
    assert "/abs/path/warehouse.duckdb" in uri
    return uri.replace("/abs/path/warehouse.duckdb", str(warehouse))


@pytest.fixture(scope="module")
def published(warehouse, tmp_path_factory) -> Path:
    """A copy of the built warehouse, as a BI server would hold it (no other connection on it)."""
    path = tmp_path_factory.mktemp("bi") / "warehouse.duckdb"
    shutil.copyfile(warehouse, path)
    return path


@pytest.fixture(scope="module")
def engine(published):
    engine = sa.create_engine(readme_uri(published))
    yield engine
    engine.dispose()


def test_every_documented_recipe_is_read_only_without_file_access():
    recipes = [line for line in _tools_section().split("\n- ") if line.startswith("**")]
    connecting = [r for r in recipes if re.match(r"\*\*(Python|SQLAlchemy|DBeaver|Metabase)", r)]
    assert len(connecting) == 4
    for recipe in connecting:
        assert re.search(r"read_only|read-only", recipe), recipe
        assert re.search(r"enable_external_access(=false|\"?: False)", recipe), recipe


def test_readme_uri_cannot_write_files(engine, tmp_path):
    target = tmp_path / "x.csv"
    with engine.connect() as con, pytest.raises(sa.exc.DBAPIError, match="Permission Error"):
        con.execute(sa.text(f"copy (select 1) to '{target}'"))
    assert not target.exists()


def test_readme_uri_cannot_read_server_files(engine):
    with engine.connect() as con, pytest.raises(sa.exc.DBAPIError, match="Permission Error"):
        con.execute(sa.text("select * from read_csv('/etc/passwd')"))


def test_readme_uri_cannot_change_the_warehouse(engine):
    with engine.connect() as con, pytest.raises(sa.exc.DBAPIError, match="read-only"):
        con.execute(sa.text("delete from marts.fct_spend"))


def test_readme_uri_answers_marts_queries(engine):
    sql = (
        "select s.adjusted_budget_wan_yuan, s.actual_spend_wan_yuan from marts.fct_spend as s "
        "inner join marts.dim_department as d using (department_id) "
        "where d.department_name = '苏州市公安局' and s.fiscal_year = 2022 and s.line_type = 'total'"
    )
    with engine.connect() as con:
        assert con.execute(sa.text("select count(*) from marts.fct_spend")).scalar() == 351
        assert con.execute(sa.text(sql)).all() == [(Decimal("454227.25"), Decimal("449655.56"))]


def test_inspect_lists_mart_tables(engine):
    assert sa.inspect(engine).get_table_names(schema="marts") == MARTS


def test_inspect_lists_mart_columns(engine, published):
    import duckdb

    with duckdb.connect(":memory:") as con:
        con.execute(f"attach '{published}' as w (read_only)")
        want = [
            r[0]
            for r in con.execute(
                "select column_name from duckdb_columns() where database_name = 'w' "
                "and schema_name = 'marts' and table_name = 'fct_spend' order by column_index"
            ).fetchall()
        ]
    got = [c["name"] for c in sa.inspect(engine).get_columns("fct_spend", schema="marts")]
    assert got == want and "actual_spend_wan_yuan" in got


def test_inspect_lists_the_analyses_views(engine):
    assert sorted(sa.inspect(engine).get_view_names(schema="analyses")) == ANALYSES


def _uncommented(engine, sql: str, schema: str) -> tuple[int, list[tuple]]:
    """How many (name..., comment) rows `sql` gives for `schema`, and the names of those whose
    comment is empty."""
    with engine.connect() as con:
        rows = con.execute(sa.text(sql), {"schema": schema}).all()
    return len(rows), [row[:-1] for row in rows if not (row[-1] or "").strip()]


@pytest.mark.parametrize("schema", ["marts", "analyses"])
def test_every_column_has_a_comment(engine, schema):
    sql = (
        "select table_name, column_name, comment from duckdb_columns() "
        "where schema_name = :schema order by table_name, column_index"
    )
    assert _uncommented(engine, sql, schema) == ({"marts": 162, "analyses": 67}[schema], [])


@pytest.mark.parametrize("schema", ["marts", "analyses"])
def test_every_relation_has_a_comment(engine, schema):
    sql = (
        "select table_name, comment from duckdb_tables() where schema_name = :schema "
        "union all select view_name, comment from duckdb_views() where schema_name = :schema"
    )
    assert _uncommented(engine, sql, schema) == ({"marts": len(MARTS), "analyses": len(ANALYSES)}[schema], [])


def test_mart_column_comment_is_its_bilingual_description(engine):
    sql = (
        "select comment from duckdb_columns() where schema_name = 'marts' "
        "and table_name = 'fct_spend' and column_name = 'adjusted_budget_wan_yuan'"
    )
    with engine.connect() as con:
        assert con.execute(sa.text(sql)).scalar() == "Adjusted budget, 10k yuan (调整预算数（万元）)."


def test_analyses_are_the_readme_queries():
    assert sorted(ANALYSIS_ROWS) == ANALYSES
    text = (ROOT / "docs" / "analyst_queries.md").read_text(encoding="utf-8")
    for name in ANALYSES:
        body = "\n".join(
            line
            for line in (ANALYSES_DIR / f"{name}.sql").read_text(encoding="utf-8").splitlines()
            if not line.startswith("--")
        )
        assert f"(`dbt_project/models/analyses/{name}.sql`)\n\n```sql\n{body}\n```" in text, name


@pytest.mark.parametrize("name", ANALYSES)
def test_analysis_view_answers_through_sqlalchemy(engine, name):
    with engine.connect() as con:
        rows = con.execute(sa.text(f"select * from analyses.{name}")).all()
    assert len(rows) == ANALYSIS_ROWS[name]


@pytest.mark.parametrize("name", ANALYSES)
def test_analysis_file_runs_as_pasted(engine, name):
    """The file's text as it is, sent as a BI tool's SQL editor sends it: no dbt, no Jinja."""
    sql = (ANALYSES_DIR / f"{name}.sql").read_text(encoding="utf-8")
    with engine.connect() as con:
        pasted = con.execute(sa.text(sql)).all()
        view = con.execute(sa.text(f"select * from analyses.{name}")).all()
    assert pasted == view
