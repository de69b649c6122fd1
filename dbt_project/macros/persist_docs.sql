{#- The yml descriptions as table and column comments (persist_docs, dbt_project.yml), as dbt's own
    persist_docs writes them, in fewer queries: dbt's version reads the relation's columns through
    the adapter (a macro context of its own, ≈ 5 ms a model), dbt-duckdb's alter_column_comment reads
    them again, and the relation's comment is a statement of its own. Here the columns are read once
    in this context and every comment is one statement: the same comments, two queries fewer per model
    (docs/performance.md). Warns of documented columns the relation lacks as dbt does. -#}
{% macro duckdb__persist_docs(relation, model, for_relation, for_columns) -%}
  {%- set statements = [] -%}
  {%- if for_relation and config.persist_relation_docs() and model.description -%}
    {%- do statements.append(alter_relation_comment(relation, model.description)) -%}
  {%- endif -%}
  {%- if for_columns and config.persist_column_docs() and model.columns -%}
    {%- set described = run_query("select column_name from (describe " ~ relation ~ ")") -%}
    {%- set documented = validate_doc_columns(relation, model.columns, described.columns[0].values() | list) -%}
    {%- do statements.append(alter_column_comment(relation, documented)) -%}
  {%- endif -%}
  {%- set sql = statements | join('\n') -%}
  {%- if sql | trim | length > 0 -%}
    {%- do run_query(sql) -%}
  {%- endif -%}
{%- endmacro %}

{#- Called by the persist_docs above with the columns the relation has: dbt-duckdb's version reads them
    again first. -#}
{% macro duckdb__alter_column_comment(relation, column_dict) %}
  {% for column_name in column_dict %}
    {% set comment = column_dict[column_name]['description'] %}
    {% set escaped_comment = duckdb_escape_comment(comment) %}
    comment on column {{ relation }}.{{ adapter.quote(column_name) if column_dict[column_name]['quote'] else column_name }} is {{ escaped_comment }};
  {% endfor %}
{% endmacro %}
