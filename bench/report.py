"""Rows of the result table."""

from __future__ import annotations

from dataclasses import dataclass

from abtiming import Comparison


@dataclass(frozen=True)
class Row:
    """One line of the table: a measured figure, its target and whether it is met (None: no target)."""

    name: str
    value: str
    target: str = ""
    met: bool | None = None
    detail: str = ""


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:.0f} µs"


def ratio_row(name: str, comparison: Comparison, limit: float | None = None, per: int = 1) -> Row:
    """A row for the ratio A/B of ``comparison``; ``per`` divides the times shown (e.g. chunks per call)."""
    unit = "per chunk" if per > 1 else "per call"
    detail = f"A {_us(comparison.a / per)} vs B {_us(comparison.b / per)} {unit}, {comparison.rounds} rounds"
    if limit is None:
        return Row(name, f"{comparison.ratio:.2f}", "", None, detail)
    return Row(name, f"{comparison.ratio:.2f}", f"≤ {limit:g}", comparison.ratio <= limit, detail)


def print_table(rows: list[Row]) -> None:
    """Aligned columns: benchmark, measured, target, met, detail."""
    headers = ("benchmark", "measured", "target", "met", "detail")
    cells = [
        (row.name, row.value, row.target, "" if row.met is None else ("yes" if row.met else "NO"), row.detail)
        for row in rows
    ]
    widths = [max(len(line[index]) for line in [headers, *cells]) for index in range(4)]
    for line in [headers, (*("-" * width for width in widths), "-" * 6), *cells]:
        print("  ".join(cell.ljust(width) for cell, width in zip(line[:4], widths, strict=True)) + "  " + line[4])
