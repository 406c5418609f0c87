"""Pieces of error and warning messages."""

from __future__ import annotations


def preview(values, limit: int = 5) -> str:
    """The first ``limit`` values as a bracketed list, and how many more.

    Examples
    --------
    >>> from skl_synth.utils._messages import preview
    >>> preview(["a", "b"])
    "['a', 'b']"
    >>> preview(range(8), limit=3)
    '[0, 1, 2, ... (5 more)]'
    """
    values = list(values)
    shown = ", ".join(repr(v) for v in values[:limit])
    more = f", ... ({len(values) - limit} more)" if len(values) > limit else ""
    return f"[{shown}{more}]"
