"""A cell as the sheet displays it (extract.lib.number_format): the forms read `102.59%`, not 1.0259."""

from __future__ import annotations

import datetime as dt

import pytest

from extract.lib.number_format import display


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        (1.0259, "0.00%", "102.59%"),
        (1, "0.0%", "100.0%"),
        (0.955, "0%", "96%"),
        (186.4, "0.00", "186.40"),
        (22.5, "0.0", "22.5"),
        (10, "General", "10"),
        (0.1 + 0.2, "General", "0.3"),
        (81371.78, "#,##0.00", "81,371.78"),
        (1234.5, "#,##0_ ", "1,235"),
        (2.675, "0.00", "2.68"),  # half up on the decimal the sheet shows, not on the float
        (-5, "0.00;[Red]-0.00", "-5.00"),
        (-3, "#,##0.00_);(#,##0.00)", "(3.00)"),
        (0, '0.00;-0.00;"-"', "-"),
        (12.5, '0.00"万元"', "12.50万元"),
        (dt.datetime(2023, 1, 5), 'yyyy"年"m"月"d"日"', "2023年1月5日"),
        (dt.datetime(2023, 1, 5), "yyyy-mm-dd", "2023-01-05"),
        ("≥95%", "General", "≥95%"),
        (56.8, "@", "56.8"),  # a number in a cell formatted as text
        (None, "0.00", ""),
    ],
)
def test_display(value, number_format, shown):
    assert display(value, number_format) == shown
