"""File names as one safe line for a terminal or a log: every character that is not plain text escaped.

A file name may hold anything but `/` and NUL: an escape sequence (`\\x1b[2J` clears the screen), a
newline (forges a second summary line), bidirectional overrides, or bytes that are not UTF-8 (Python
hands them over as lone surrogates, which printing to a UTF-8 stream would raise on).
"""

from __future__ import annotations

import unicodedata

# Control, format (bidi overrides, zero-width), line/paragraph separators, surrogates, private use,
# unassigned. Letters, marks, punctuation and spaces (also the ideographic space) stay as they are.
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def printable(text: object) -> str:
    """`text` (a str or a path) with \\n, \\r, \\t, \\\\ and every non-printing character escaped."""
    return "".join(_escaped(ch) for ch in str(text))


def _escaped(ch: str) -> str:
    if ch in _SHORT:
        return _SHORT[ch]
    if unicodedata.category(ch) not in _ESCAPED_CATEGORIES:
        return ch
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of the name (surrogateescape): show the byte
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
