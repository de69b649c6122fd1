"""Modules a later step needs, imported on a thread while this process waits on another.

A build's dbt step waits for dbt in a child process (dbt_glue/in_child.py); the audit after it
imports Great Expectations, about 3 s of one core. Imported meanwhile, on the other core, the audit
starts at once. Every fork waits for these imports first (`wait_for_background_imports`): a child
forked while a thread holds an import lock would hang on the same import.
"""

from __future__ import annotations

import contextlib
import importlib
import threading

_running: list[threading.Thread] = []


def import_in_background(*modules: str) -> None:
    thread = threading.Thread(target=_import, args=(modules,), name="background-imports", daemon=True)
    thread.start()
    _running.append(thread)


def wait_for_background_imports() -> None:
    while _running:
        _running.pop().join()


def _import(modules: tuple[str, ...]) -> None:
    for name in modules:
        # An import that fails here fails again, with its traceback, in the step that needs it.
        with contextlib.suppress(Exception):
            importlib.import_module(name)
