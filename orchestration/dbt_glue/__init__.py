"""dbt glue: `runner.dbt_build` runs `dbt build` into a new DuckDB file (dbt's `dbtRunner` in a forked
child, `in_child`, its events turned into Dagster's by dagster-dbt), and
`name_key` is the dbt-duckdb plugin that gives SQL the extractor's name key. (Not named `dbt`: a
Python started inside orchestration/ would import it in place of dbt itself.)"""
