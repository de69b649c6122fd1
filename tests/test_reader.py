"""A long-lived process reading the warehouse sees each newly published build."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from orchestration.build.publish import publish
from orchestration.reader import WarehouseReader, connect_read_only

COUNT = "select count(*) from marts.fct_spend"


@pytest.fixture
def builds(warehouse, tmp_path):
    """The published warehouse, and a next build of it with the 2021 lines gone (351 - 31 rows)."""
    published = tmp_path / "warehouse.duckdb"
    shutil.copyfile(warehouse, published)
    next_build = tmp_path / "build" / "next.duckdb"
    next_build.parent.mkdir()
    shutil.copyfile(warehouse, next_build)
    with duckdb.connect(str(next_build)) as con:
        con.execute("delete from marts.fct_spend where fiscal_year = 2021").fetchall()
    return published, next_build


def _count(con) -> int:
    return con.execute(COUNT).fetchall()[0][0]


def test_plain_connect_in_the_same_process_keeps_the_old_build(builds):
    """What the README warns about: DuckDB hands out the database the process already holds."""
    published, next_build = builds
    held = duckdb.connect(str(published), read_only=True)
    try:
        assert _count(held) == 351
        publish(next_build, published)
        with duckdb.connect(str(published), read_only=True) as again:
            assert _count(again) == 351
    finally:
        held.close()


def test_reader_sees_the_new_build_while_the_process_holds_the_old(builds):
    published, next_build = builds
    held = duckdb.connect(str(published), read_only=True)
    try:
        with WarehouseReader(published) as reader:
            assert _count(reader.connection()) == 351
            publish(next_build, published)
            assert _count(reader.connection()) == 320
        assert _count(held) == 351  # a connection already open keeps its file
    finally:
        held.close()


def test_reader_keeps_its_connection_while_the_file_is_unchanged(builds):
    published, _ = builds
    with WarehouseReader(published) as reader:
        first = reader.connection()
        assert reader.connection() is first


def test_reader_connection_cannot_read_other_files(builds, tmp_path):
    published, _ = builds
    with connect_read_only(published) as con:
        with pytest.raises(duckdb.PermissionException):
            con.execute("select * from read_csv('/etc/passwd')")
        with pytest.raises(duckdb.PermissionException):
            con.execute(f"attach '{tmp_path / 'other.duckdb'}' as other")


def test_reader_connection_cannot_write_files(builds, tmp_path):
    published, _ = builds
    with connect_read_only(published) as con, pytest.raises(duckdb.PermissionException):
        con.execute(f"copy (select 1) to '{tmp_path / 'x.csv'}'")
    assert not (tmp_path / "x.csv").exists()


def test_reader_connection_cannot_change_the_warehouse(builds):
    published, _ = builds
    with connect_read_only(published) as con, pytest.raises(duckdb.Error, match="read-only"):
        con.execute("delete from marts.fct_spend")


def test_reader_opens_a_path_with_a_quote(builds, tmp_path):
    published, _ = builds
    odd = tmp_path / "o'ut" / "warehouse.duckdb"
    odd.parent.mkdir()
    shutil.copyfile(published, odd)
    with connect_read_only(odd) as con:
        assert _count(con) == 351


def test_sqlalchemy_engine_sees_the_new_build_after_dispose(builds):
    """What the README says of a pooled engine on its URI: the old build until the pool is emptied."""
    import sqlalchemy as sa

    from tests.test_bi_clients import readme_uri

    published, next_build = builds
    engine = sa.create_engine(readme_uri(published))
    try:
        with engine.connect() as con:
            assert con.execute(sa.text(COUNT)).scalar() == 351
        publish(next_build, published)
        with engine.connect() as con:
            assert con.execute(sa.text(COUNT)).scalar() == 351
        engine.dispose()
        with engine.connect() as con:
            assert con.execute(sa.text(COUNT)).scalar() == 320
    finally:
        engine.dispose()
