"""Extraction has one error taxonomy: every exception class it defines lives in extract.errors."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import extract


def test_every_extraction_exception_is_defined_in_errors():
    defined_elsewhere = []
    for info in pkgutil.walk_packages(extract.__path__, "extract."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == info.name:
                defined_elsewhere.append(f"{info.name}.{name}")
    assert [n for n in defined_elsewhere if not n.startswith("extract.errors.")] == []
