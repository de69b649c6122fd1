"""The printed forms selfeval reads. Each page is read by the form whose signals it matches best
(`best_match`): its title, label cells and header rows. Ties go to the earlier form here."""

from __future__ import annotations

import functools

from ..tables import PageContent
from . import (
    department_anhui,
    department_chongqing,
    department_national,
    department_scoring,
    project_anhui,
    project_national,
    project_sichuan,
    suzhou_overall,
)
from .lib.form import Form, Match, PageTexts, match

FORMS: tuple[Form, ...] = (
    project_sichuan.FORM,
    project_national.FORM,
    project_anhui.FORM,  # the national title: told apart by its 项目类别 row (a distinctive signal)
    department_anhui.FORM,
    department_chongqing.FORM,
    department_scoring.FORM,
    department_national.FORM,
    suzhou_overall.FORM,
)


def best_match(page: PageContent | list[str] | PageTexts) -> Match:
    """The form this page fits best: recognised forms first, then by the points of their signals."""
    return _best_match(PageTexts.of(page))


@functools.lru_cache(maxsize=64)
def _best_match(texts: PageTexts) -> Match:
    """Kept for the pages seen last: a file's first page is matched again to tell whether its text
    layer reads, which form reads it, and where its first run of tables starts."""
    matches = [match(form, texts) for form in FORMS]
    return max(matches, key=lambda m: (m.recognised, m.points, -matches.index(m)))


def recognise(page: PageContent | list[str]) -> Form | None:
    """The form of a page (or of its printed lines), if any form recognises it."""
    found = best_match(page)
    return found.form if found.recognised else None
