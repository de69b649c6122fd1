"""Objects in pdfplumber's shape that our own code makes: table rules for its TableFinder."""

from __future__ import annotations


def rule(x0: float, top: float, x1: float, bottom: float) -> dict:
    """An axis-parallel rule as a pdfplumber line object (horizontal when wider than tall)."""
    x0, x1 = min(x0, x1), max(x0, x1)
    top, bottom = min(top, bottom), max(top, bottom)
    return {
        "object_type": "line",
        "orientation": "h" if bottom - top < x1 - x0 else "v",
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "width": x1 - x0,
        "height": bottom - top,
    }
