"""dbt-duckdb plugin (profiles.yml `plugins`): SQL's `name_key(text)` is extract.lib.text.name_key.

Extraction stores the key of every name it reads; this makes the names users type into seeds match
them by the same definition, never by a second one written in SQL.
"""

from __future__ import annotations

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from extract.lib.text import name_key


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        conn.create_function("name_key", name_key, ["VARCHAR"], "VARCHAR", side_effects=False)
