"""The printed forms selfeval reads. A file is read by the first form here that recognises its first
page: provincial project forms before the national one, the department-wide report last."""

from __future__ import annotations

from . import project_anhui, project_national, project_sichuan, suzhou_overall
from .lib.form import Form

FORMS: tuple[Form, ...] = (
    project_anhui.FORM,  # before the national form, whose title it shares
    project_sichuan.FORM,
    project_national.FORM,
    suzhou_overall.FORM,
)


def recognise(first_page_lines: list[str]) -> Form | None:
    """The form of a file whose first page prints these text lines (whitespace removed), if any."""
    return next((form for form in FORMS if form.recognises(first_page_lines)), None)
