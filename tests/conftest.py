from __future__ import annotations

from functools import cache

import pytest

import extract
from tests.truth import PDF_DIR, fixture_names, load_truth

BAD_DIR = PDF_DIR.parent / "bad"


@cache
def _read(name: str) -> extract.Report:
    # Each fixture PDF is read once per test session; the records are immutable.
    return extract.read_report(PDF_DIR / f"{name}.pdf")


@pytest.fixture(scope="session")
def read_fixture():
    return _read


@pytest.fixture(scope="session")
def seed_report() -> extract.Report:
    return _read("seed_suzhou_police_2022")


@pytest.fixture(scope="session")
def seed_truth() -> dict:
    return load_truth("seed_suzhou_police_2022")


def pytest_generate_tests(metafunc):
    if "fixture_name" in metafunc.fixturenames:
        metafunc.parametrize("fixture_name", fixture_names())
