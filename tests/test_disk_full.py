"""A full disk named after the file being written; a failed write leaves no temporary file."""

import errno

import pytest

from orchestration.build.atomic_write import replaced_on_success
from orchestration.build.disk_full import DiskFullError, named_if_disk_full


def test_copy_onto_a_full_disk_names_its_target_not_its_source():
    expected = r"^no space left on device while writing /wh/new\.duckdb$"
    with pytest.raises(DiskFullError, match=expected), named_if_disk_full("/default"):
        raise OSError(errno.ENOSPC, "No space left on device", "/data/build.duckdb", None, "/wh/new.duckdb")


def test_duckdb_full_disk_names_the_file_it_quotes():
    message = 'IO Error: Could not write file "/data/b.duckdb.wal": No space left on device'
    expected = r"^no space left on device while writing /data/b\.duckdb\.wal$"
    with pytest.raises(DiskFullError, match=expected), named_if_disk_full("/default"):
        raise RuntimeError(message)


def test_other_errors_pass_unchanged():
    with pytest.raises(OSError, match="Permission denied"), named_if_disk_full("/default"):
        raise OSError(errno.EACCES, "Permission denied")


def test_failed_write_leaves_neither_a_temporary_file_nor_a_changed_target(tmp_path):
    target = tmp_path / "entry.json"
    target.write_text("old")
    with pytest.raises(OSError), replaced_on_success(target) as tmp:
        tmp.write_text("half")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert [p.name for p in tmp_path.iterdir()] == ["entry.json"] and target.read_text() == "old"
