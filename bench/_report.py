"""How every benchmark reports: one figure of rows, printed as a table, saved as JSON.

A row is one measurement against the baseline measured in the same run (DESIGN.md:
"each reporting a ratio against a baseline"). ``run_all`` reads the JSON to write
``bench/RESULTS.md``, so the shape here is the contract between the scripts and it.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(slots=True)
class Row:
    """One measured value, its same-run baseline, and the target it is held to."""

    label: str
    value: float
    unit: str
    baseline_label: str = ""
    baseline: float | None = None
    target: str = ""  # as the issue states it, e.g. "p50 < 100 us"
    met: bool | None = None  # None: no target for this row

    @property
    def ratio(self) -> float | None:
        """How many times the baseline the value is (None without a baseline)."""
        if self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline


@dataclass(slots=True)
class Figure:
    """The result of one script: what ``--json`` writes and ``run_all`` reads."""

    name: str
    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        return row

    def to_json(self) -> dict[str, object]:
        rows = [dict(asdict(row), ratio=row.ratio) for row in self.rows]
        return {"name": self.name, "title": self.title, "rows": rows, "notes": self.notes}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile: the smallest value with at least q of the sample at or below."""
    if not values:
        raise ValueError("percentile of an empty sample")
    if not 0 < q <= 1:
        raise ValueError(f"percentile must be in (0, 1], got {q}")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f} {unit}"
    if abs(value) >= 10:
        return f"{value:.1f} {unit}"
    return f"{value:.2f} {unit}"


def format_ratio(ratio: float | None) -> str:
    if ratio is None:
        return "-"
    if ratio >= 1:
        return f"{ratio:.2f}x"
    return f"{ratio:.3f}x (1/{1 / ratio:.1f})" if ratio > 0 else f"{ratio:.3f}x"


def format_met(met: bool | None) -> str:
    return {True: "met", False: "MISSED", None: ""}[met]


def table(figure: Figure) -> str:
    """A fixed-width table for the terminal."""
    header = ("measurement", "value", "baseline", "ratio", "target", "")
    lines = [
        (
            row.label,
            format_value(row.value, row.unit),
            f"{row.baseline_label} {format_value(row.baseline, row.unit)}".strip()
            if row.baseline is not None
            else "-",
            format_ratio(row.ratio),
            row.target or "-",
            format_met(row.met),
        )
        for row in figure.rows
    ]
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]
    out = [f"== {figure.title} =="]
    for line in [header, *lines]:
        cells = zip(line, widths, strict=True)
        out.append("  ".join(str(cell).ljust(width) for cell, width in cells).rstrip())
    out.extend(f"  note: {note}" for note in figure.notes)
    return "\n".join(out)


def argument_parser(description: str | None) -> argparse.ArgumentParser:
    """Every script takes ``--json PATH``; scripts add their own knobs to this parser."""
    parser = argparse.ArgumentParser(description=(description or "").split("\n\n")[0])
    parser.add_argument("--json", type=Path, default=None, help="also write the result here")
    return parser


def emit(figure: Figure, json_path: Path | None) -> None:
    """Print the table and, when asked, write the JSON ``run_all`` reads."""
    print(table(figure), flush=True)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(figure.to_json(), indent=2) + "\n")
