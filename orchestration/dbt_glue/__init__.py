"""dbt glue: `runner.dbt_build` runs `dbt build` into a new DuckDB file through dagster-dbt, and
`name_key` is the dbt-duckdb plugin that gives SQL the extractor's name key. (Not named `dbt`: a
Python started inside orchestration/ would import it in place of dbt itself.)"""
