"""Expectations GX does not have by name: built-in checks specialised to this domain's rules.

Each rule's query puts the quantity to check in one column (e.g. `abs_diff`, the absolute
difference between a printed figure and the one recomputed from the report's own amounts), so the
custom expectation only fixes the column and the tolerance.
"""

from __future__ import annotations

import great_expectations as gx

TOLERANCE = 0.01


class ExpectPrintedFigureMatchesArithmetic(gx.expectations.ExpectColumnValuesToBeBetween):
    """A printed figure equals what the report's own amounts give, within 0.01."""

    column: str = "abs_diff"
    min_value: float = 0.0
    max_value: float = TOLERANCE


class ExpectPartsWithinWhole(gx.expectations.ExpectColumnValuesToBeBetween):
    """Listed parts do not add up to more than their printed whole (excess over the whole ≤ 0.01)."""

    column: str = "excess"
    max_value: float = TOLERANCE


class ExpectNonNegativeAmount(gx.expectations.ExpectColumnValuesToBeBetween):
    """A budget or spending amount is not negative (adjustments may be)."""

    column: str = "amount"
    min_value: float = 0.0


class ExpectCountBetween(gx.expectations.ExpectColumnValuesToBeBetween):
    """A per-report count of rows lies within its bounds."""
