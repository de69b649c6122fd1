"""tests.lib.once_per_run: the corpus warehouse is built once per run however many xdist workers ask."""

from pathlib import Path

import pytest

from tests.lib.once_per_run import once_per_run


class _Worker:
    """What once_per_run uses of pytest's TempPathFactory: one worker's base folder in the run's."""

    def __init__(self, run: Path, worker_id: str) -> None:
        self.base = run / f"popen-{worker_id}"
        self.base.mkdir(parents=True, exist_ok=True)

    def getbasetemp(self) -> Path:
        return self.base

    def mktemp(self, name: str) -> Path:
        path = self.base / name
        path.mkdir()
        return path


def _make(calls: list[Path]):
    def make(folder: Path) -> Path:
        calls.append(folder)
        (folder / "product.txt").write_text("made", encoding="utf-8")
        return folder / "product.txt"

    return make


def test_two_workers_get_one_product_made_once(tmp_path):
    calls: list[Path] = []
    first = once_per_run(_Worker(tmp_path, "gw0"), "gw0", "corpus", _make(calls))  # type: ignore[arg-type]
    second = once_per_run(_Worker(tmp_path, "gw1"), "gw1", "corpus", _make(calls))  # type: ignore[arg-type]
    assert first == second and first.read_text(encoding="utf-8") == "made"
    assert len(calls) == 1


def test_a_failed_make_leaves_the_next_worker_to_make_it(tmp_path):
    def failing(folder: Path) -> Path:
        raise RuntimeError("dbt failed")

    with pytest.raises(RuntimeError):
        once_per_run(_Worker(tmp_path, "gw0"), "gw0", "corpus", failing)  # type: ignore[arg-type]
    calls: list[Path] = []
    product = once_per_run(_Worker(tmp_path, "gw1"), "gw1", "corpus", _make(calls))  # type: ignore[arg-type]
    assert product.read_text(encoding="utf-8") == "made" and len(calls) == 1


def test_without_xdist_the_product_is_the_sessions_own(tmp_path):
    calls: list[Path] = []
    worker = _Worker(tmp_path, "master")
    product = once_per_run(worker, "master", "corpus", _make(calls))  # type: ignore[arg-type]
    assert product.parent.parent == worker.base and len(calls) == 1
