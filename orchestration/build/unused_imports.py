"""Libraries a forked phase of a build has installed but does not use, kept out of it.

A library that imports another only when it is installed (pandas and GX import Arrow and shapely;
Arrow imports pandas to tell a pandas object from a list) costs the phase the other's import,
≈ 40 MB each, at the build's peak memory (docs/performance.md). Each of these libraries catches the
ImportError and goes on without it, as it does where the other is not installed: `leave_out`.

A library that imports another unconditionally for features the phase does not use (GX imports
scipy.stats and altair for statistical expectations and their charts) gets it as a lazy module
instead, whose code runs only if something reads it: `load_when_used`.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from collections.abc import Sequence


class _Finder(importlib.abc.MetaPathFinder):
    """A finder (the import system's documented hook) for the modules `names`."""

    def __init__(self, names: frozenset[str]):
        self.names = names

    @classmethod
    def install(cls, names: tuple[str, ...]) -> None:
        """Put one first on `sys.meta_path` for each name not already imported (a process that has
        it, one that extracted or a test's, keeps using it)."""
        fresh = frozenset(name for name in names if name not in sys.modules)
        if fresh:
            sys.meta_path.insert(0, cls(fresh))


class _Absent(_Finder):
    """Finds `names`, and everything in them, missing."""

    def find_spec(self, fullname: str, path: Sequence[str] | None = None, target: object = None) -> None:
        if fullname.partition(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {fullname!r} (not used here)", name=fullname)
        return None


def leave_out(names: tuple[str, ...]) -> None:
    """From now on in this process, `import name` raises ModuleNotFoundError, for each name not
    already imported."""
    _Absent.install(names)


class _Lazy(_Finder):
    """Gives `names` a lazy loader (`importlib.util.LazyLoader`): the module's code runs when one of
    its attributes is first read. The spec itself comes from the finders after this one, as it
    would have."""

    def find_spec(self, fullname: str, path: Sequence[str] | None = None, target: object = None):
        if fullname not in self.names:
            return None
        for finder in sys.meta_path[sys.meta_path.index(self) + 1 :]:
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find is not None else None
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = importlib.util.LazyLoader(spec.loader)
                return spec
        return None


def load_when_used(names: tuple[str, ...]) -> None:
    """From now on in this process, each module named, unless already imported, is imported as a
    lazy module: its code runs when one of its attributes is first read, not at its import. What
    it does is unchanged; only when."""
    _Lazy.install(names)
