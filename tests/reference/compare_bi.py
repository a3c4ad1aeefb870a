#!/usr/bin/env python3
"""Compares two BI outputs (design.md §5 rows, one JSON object per line).

    compare_bi.py EXPECTED.jsonl ACTUAL.jsonl [--ignore as_of,version] [--tolerance 1e-6]

Rows are keyed by indicator|scope|period. Reports missing and extra keys and every
differing field. Numbers are compared exactly as printed (their JSON text) unless
--tolerance is given. Field order is checked too, since the row format is fixed.
Exit status: 0 equal, 1 different, 2 unreadable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal, InvalidOperation

SHOWN = 20


class BadInput(Exception):
    """A BI file line that is not a JSON object."""


class Number:
    """A JSON number kept as its printed text, so 0.1 and 0.10 are told apart."""

    def __init__(self, text: str):
        self.text = text

    def __eq__(self, other):
        return isinstance(other, Number) and self.text == other.text

    def __repr__(self):
        return self.text


def load(path: str) -> tuple[dict, list[str]]:
    """key -> (row, field order); the highest `version` wins when a key repeats."""
    rows: dict[str, dict] = {}
    notes: list[str] = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line, parse_int=Number, parse_float=Number)
            except ValueError as error:
                raise BadInput(f"{path}:{number}: not JSON: {error}") from None
            if not isinstance(row, dict):
                raise BadInput(f"{path}:{number}: not a JSON object")
            key = "|".join(str(row.get(k)) for k in ("indicator", "scope", "period"))
            if key in rows:
                notes.append(f"{path}:{number}: key {key} repeated; keeping the highest version")
                if _version(row) < _version(rows[key]):
                    continue
            rows[key] = row
    return rows, notes


def _version(row: dict) -> Decimal:
    value = row.get("version")
    try:
        return Decimal(value.text) if isinstance(value, Number) else Decimal(-1)
    except InvalidOperation:
        return Decimal(-1)


def _show(value) -> str:
    if isinstance(value, Number):
        return value.text
    return json.dumps(value, ensure_ascii=False)


def same(expected, actual, tolerance: Decimal | None) -> bool:
    if isinstance(expected, Number) and isinstance(actual, Number) and tolerance is not None:
        return abs(Decimal(expected.text) - Decimal(actual.text)) <= tolerance
    return expected == actual


def compare(expected: dict, actual: dict, ignore: set[str],
            tolerance: Decimal | None) -> tuple[list[str], dict[str, int]]:
    differences: list[str] = []
    counts = {"missing": 0, "extra": 0, "rows_differing": 0, "fields_differing": 0}
    for key in expected:
        if key not in actual:
            counts["missing"] += 1
            differences.append(f"missing  {key}")
    for key in actual:
        if key not in expected:
            counts["extra"] += 1
            differences.append(f"extra    {key}")
    for key in expected:
        if key not in actual:
            continue
        e, a = expected[key], actual[key]
        row_differs = False
        for field in list(e) + [f for f in a if f not in e]:
            if field in ignore:
                continue
            if field not in a:
                diff = f"{key}: field {field} missing (expected {_show(e[field])})"
            elif field not in e:
                diff = f"{key}: field {field} unexpected ({_show(a[field])})"
            elif not same(e[field], a[field], tolerance):
                diff = f"{key}: {field} expected {_show(e[field])} got {_show(a[field])}"
            else:
                continue
            differences.append(diff)
            counts["fields_differing"] += 1
            row_differs = True
        order_e = [f for f in e if f not in ignore and f in a]
        order_a = [f for f in a if f not in ignore and f in e]
        if order_e != order_a:
            differences.append(f"{key}: field order expected {order_e} got {order_a}")
            counts["fields_differing"] += 1
            row_differs = True
        counts["rows_differing"] += row_differs
    return differences, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("expected")
    parser.add_argument("actual")
    parser.add_argument("--ignore", default="", help="comma-separated fields to skip")
    parser.add_argument("--tolerance", help="numeric tolerance, e.g. 1e-6 (default: exact text)")
    args = parser.parse_args(argv)
    ignore = {f.strip() for f in args.ignore.split(",") if f.strip()}
    tolerance = None
    if args.tolerance is not None:
        try:
            tolerance = Decimal(args.tolerance)
        except InvalidOperation:
            parser.error(f"--tolerance {args.tolerance!r} is not a number")

    try:
        expected, notes_e = load(args.expected)
        actual, notes_a = load(args.actual)
    except (OSError, UnicodeDecodeError, BadInput) as error:
        print(error, file=sys.stderr)
        return 2

    differences, counts = compare(expected, actual, ignore, tolerance)
    for note in (notes_e + notes_a)[:SHOWN]:
        print(f"note: {note}")
    print(f"expected {len(expected)} rows, actual {len(actual)} rows; "
          f"missing {counts['missing']}, extra {counts['extra']}, "
          f"rows differing {counts['rows_differing']} ({counts['fields_differing']} fields)")
    for line in differences[:SHOWN]:
        print(f"  {line}")
    if len(differences) > SHOWN:
        print(f"  ... and {len(differences) - SHOWN} more")
    print("EQUAL" if not differences else "DIFFERENT")
    return 0 if not differences else 1


if __name__ == "__main__":
    sys.exit(main())
