"""Each page's folio ("i", "ii", ..., "1", "2") -> the PDF's /PageLabels number tree, set in a pikepdf file."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from octavo.pages import from_roman, roman

#: PDF label styles (ISO 32000-1, 12.4.2) by how a folio is written.
_STYLES = {"decimal": "/D", "lower-roman": "/r", "upper-roman": "/R"}


def label_ranges(labels: Sequence[str]) -> list[tuple[int, str, int]]:
    """(first page from 0, style, first number) of each run of pages numbered on from the page before."""
    ranges: list[tuple[int, str, int]] = []
    previous: tuple[str, int] | None = None
    for index, label in enumerate(labels):
        style, value = _parse(label)
        if previous is None or (style, value) != (previous[0], previous[1] + 1):
            ranges.append((index, style, value))
        previous = style, value
    return ranges


def _parse(label: str) -> tuple[str, int]:
    """The style and number of a folio; a folio that is neither roman nor arabic (or < 1) counts as arabic 0."""
    if label.isdigit():
        return "decimal", int(label)
    for style, text in (("lower-roman", label), ("upper-roman", label.lower())):
        value = from_roman(text)
        if value and (roman(value) if style == "lower-roman" else roman(value).upper()) == label:
            return style, value
    return "decimal", 0


def _entries(labels: Sequence[str]) -> list[tuple[int, dict[str, Any]]]:
    """(first page, label dictionary's keys) of each range, as plain values."""
    entries = []
    for first, style, value in label_ranges(labels):
        keys: dict[str, Any] = {"S": _STYLES[style], "St": value} if value >= 1 else {}
        entries.append((first, keys))
    return entries


def pikepdf_page_labels(pdf: Any, labels: Sequence[str]) -> None:
    """Label the pages of an open pikepdf file with their folios (nothing when there are none)."""
    import pikepdf

    if not labels:
        return
    nums: list[Any] = []
    for first, keys in _entries(labels):
        label = pikepdf.Dictionary(Type=pikepdf.Name("/PageLabel"))
        for key, value in keys.items():
            label[f"/{key}"] = pikepdf.Name(value) if key == "S" else value
        nums += [first, label]
    pdf.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array(nums))


def pydyf_page_labels(pdf: Any, labels: Sequence[str]) -> None:
    """Label the pages of a pydyf PDF about to be written with their folios (a finish pass's work)."""
    import pydyf

    if not labels:
        return
    nums: list[Any] = []
    for first, keys in _entries(labels):
        label = pydyf.Dictionary({"Type": "/PageLabel"})
        for key, value in keys.items():
            label[key] = value
        nums += [first, label]
    pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": pydyf.Array(nums)})
