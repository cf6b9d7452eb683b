"""A paragraph as boxes, glue and penalties -> the breaks that set it best as a whole (Knuth and Plass, "Breaking
Paragraphs into Lines", 1981): the total-fit algorithm, with at most two hyphenated lines in a row."""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Any

#: Added to the demerits of two hyphenated lines in a row, and of lines whose tightness differs by two classes.
FLAGGED_DEMERITS = 3000.0
FITNESS_DEMERITS = 3000.0
#: Added to the demerits of a line whose spaces stretch beyond twice their width (ratio above 1): fewer such lines,
#: rather than the least total looseness.
LOOSE_DEMERITS = 20000.0
#: A hyphen is a penalty of this much: a break there is taken when it saves real looseness.
HYPHEN_PENALTY = 50.0
#: Lines ending at a hyphen in a row, at most.
MAX_HYPHENS = 2
#: Points a line's natural width keeps from the measure, for the rounding of the widths measured.
SAFETY = 1.5


@dataclass(frozen=True)
class Box:
    """A word, or a piece of one between hyphenation points: its width, and how much its letter-spacing may
    widen it at a ratio of 1 (0: set as it is)."""

    width: float
    stretch: float = 0.0


@dataclass(frozen=True)
class Glue:
    """A space: its natural width, how much it may stretch at a ratio of 1, and shrink at a ratio of -1."""

    width: float
    stretch: float
    shrink: float = 0.0
    breakable: bool = True
    """False where Unicode line breaking forbids a break (before a closing bracket or a full stop, after an
    opening one): WeasyPrint would not break there either."""


@dataclass(frozen=True)
class Penalty:
    """A place a line may end without a space: a hyphenation point (flagged, `width` for the hyphen drawn)."""

    width: float
    cost: float
    flagged: bool


Item = Box | Glue | Penalty


@dataclass(slots=True)
class _Node:
    position: int
    line: int
    fitness: int
    hyphens: int
    total_width: float
    total_stretch: float
    total_shrink: float
    demerits: float
    previous: _Node | None


def breaks(items: list[Item], first: float, measure: float, tolerance: float) -> list[int] | None:
    """Indexes of the items each line ends at (a Glue, or a Penalty, the last item last), choosing the least
    demerits with every line's stretch ratio at most `tolerance`; None when no such set of breaks exists.

    `first` is the first line's measure (less its indent), `measure` every other line's; the last line is set
    ragged (its spaces keep their width). Breaks are allowed at glue after a box and at penalties.
    """
    sums = _sums(items)
    active = [_Node(0, 0, 1, 0, 0.0, 0.0, 0.0, 0.0, None)]
    last = len(items) - 1
    after_box = False
    for index, item in enumerate(items):
        kind = type(item)
        if kind is Box:
            after_box = True
            continue
        if kind is Glue and not (item.breakable and after_box):  # type: ignore[union-attr]
            after_box = False
            continue
        after_box = False
        if index != last and _too_short(active[0], sums[index], item, first, measure, tolerance):
            continue  # from the earliest active node, the line is too loose: from every later one too
        active = _try(items, index, active, sums, first, measure, tolerance, index == last)
        if not active:
            return None
    final = [node for node in active if node.position == last]
    if not final:
        return None
    node: _Node | None = min(final, key=lambda n: n.demerits)
    found = []
    while node is not None and node.previous is not None:
        found.append(node.position)
        node = node.previous
    return found[::-1]


def _try(items: list[Item], index: int, active: list[_Node], sums: list[tuple[float, float, float]], first: float,
         measure: float, tolerance: float, final: bool) -> list[_Node]:
    """Consider a break at `index` from every active node; return the active nodes after it. (The hot loop of
    even paragraphs: a hundred thousand calls on the long book, hence the locals.)"""
    item = items[index]
    penalty = type(item) is Penalty
    hyphen = penalty and item.flagged  # type: ignore[union-attr]
    cost = item.cost if penalty else 0.0  # type: ignore[union-attr]
    keep: list[_Node] = []
    best: dict[int, _Node] = {}
    width, stretch_sum, shrink_sum = sums[index]
    if penalty:
        width += item.width
    first_room, room_after = first - SAFETY - width, measure - SAFETY - width
    for number, node in enumerate(active):
        room = (first_room if node.line == 0 else room_after) + node.total_width
        shrink = shrink_sum - node.total_shrink
        if room < -shrink:
            continue  # too wide even shrunk: this node can start no line reaching further
        if room < 0:
            ratio = room / shrink
        elif final:
            ratio = 0.0
        else:
            stretch = stretch_sum - node.total_stretch
            ratio = room / stretch if stretch > 0 else math.inf
            if ratio > tolerance:  # the nodes after this one start later: their lines are looser still
                keep += active[number:]
                break
        keep.append(node)
        if ratio > tolerance or (hyphen and node.hyphens >= MAX_HYPHENS):
            continue
        badness = 100 * abs(ratio) ** 3
        demerits = (1 + badness + cost) ** 2 if cost >= 0 else (1 + badness) ** 2
        fitness = 0 if ratio < -0.5 else 1 if ratio < 0.5 else 2 if ratio < 1 else 3
        if hyphen and node.hyphens:
            demerits += FLAGGED_DEMERITS
        if ratio > 1:
            demerits += LOOSE_DEMERITS
        if abs(fitness - node.fitness) > 1:
            demerits += FITNESS_DEMERITS
        total = node.demerits + demerits
        found = best.get(fitness)
        if found is None or total < found.demerits:
            best[fitness] = _Node(index, node.line + 1, fitness, node.hyphens + 1 if hyphen else 0, 0.0, 0.0, 0.0,
                                  total, node)
    if best:
        after = _after_break(items, index, sums)
        for node in best.values():
            node.total_width, node.total_stretch, node.total_shrink = after
    return keep + list(best.values())


def _too_short(node: _Node, sums: tuple[float, float, float], item: Item, first: float, measure: float,
               tolerance: float) -> bool:
    """Whether a line from `node` to a break at `item` stretches beyond `tolerance` (as `_try` computes it): most
    places a line may end are too early for every active node, and are passed over without the call."""
    width = sums[0] + item.width if type(item) is Penalty else sums[0]
    room = ((first if node.line == 0 else measure) - SAFETY - width) + node.total_width
    if room < 0:
        return False
    stretch = sums[1] - node.total_stretch
    return (room / stretch if stretch > 0 else math.inf) > tolerance


def _after_break(items: list[Item], index: int, sums: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Totals at the first box after a break at `index`: the glue and penalties there vanish at a line's start."""
    position = index + 1
    while position < len(items) and not isinstance(items[position], Box):
        position += 1
    return sums[min(position, len(items))]


def lines(items: list[Item], ends: list[int], first: float, measure: float) -> list[tuple[int, float, float]]:
    """For each line of the breaks `ends`: (its first item, its natural width, the room left in its measure)."""
    found = []
    start = 0
    for number, end in enumerate(ends):
        natural = sum(i.width for i in items[start:end] if isinstance(i, (Box, Glue)))
        if isinstance(items[end], Penalty):
            natural += items[end].width
        found.append((start, natural, (first if number == 0 else measure) - natural))
        start = end + 1
        while start < len(items) and not isinstance(items[start], Box):
            start += 1
    return found


def ratios(items: list[Item], ends: list[int], first: float, measure: float) -> list[float]:
    """Each line's stretch ratio (negative: shrink) for the breaks `ends`; the last line's is 0 unless shrunk."""
    found = []
    for (start, _, room), end in zip(lines(items, ends, first, measure), ends, strict=True):
        glue = [i for i in items[start:end] if isinstance(i, Glue)]
        stretch = sum(i.stretch for i in items[start:end] if isinstance(i, (Box, Glue)))
        shrink = sum(g.shrink for g in glue)
        if room < 0:
            found.append(room / shrink if shrink else -math.inf)
        else:
            found.append(0.0 if end == ends[-1] else room / stretch if stretch else math.inf)
    return found


def breaks_in_lines(items: list[Item], first: float, measure: float, tolerance: float, count: int,
                    no_hyphen: frozenset[int]) -> list[int] | None:
    """Breaks as `breaks` chooses them, but in exactly `count` lines, and with none of the lines numbered in
    `no_hyphen` (from 0) ending at a hyphen; None when no such set exists (pdf/recto.py: a word no longer broken
    at a recto's foot, and every line still on its page)."""
    sums = _sums(items)
    places = [i for i, item in enumerate(items) if (isinstance(item, Glue) and item.breakable and i > 0
                                                     and isinstance(items[i - 1], Box)) or isinstance(item, Penalty)]
    # a layer per line: (where the line before ended, fitness, hyphens in a row) -> (demerits, the node before)
    layer: _Layer = {(-1, 1, 0): (0.0, None)}
    for line in range(count):
        layer = _next_layer(items, sums, places, layer, first if line == 0 else measure, tolerance,
                            line == count - 1, line in no_hyphen)
        if not layer:
            return None
    node = min(layer.values(), key=lambda v: v[0])[1]
    found: list[int] = []
    while node is not None:
        found.append(node[0])
        node = node[1]
    return found[::-1]


_Layer = dict[tuple[int, int, int], tuple[float, Any]]


def _next_layer(items: list[Item], sums: list[tuple[float, float, float]], places: list[int], layer: _Layer,
                width: float, tolerance: float, final: bool, whole: bool) -> _Layer:
    """The best ways to end one more line from each way the lines before ended (`final`: the last line, which
    ends the paragraph; `whole`: a line that may not end at a hyphen)."""
    last = len(items) - 1
    following: _Layer = {}
    for (start, fitness, hyphens), (total, back) in layer.items():
        begin = _after_break(items, start, sums) if start >= 0 else sums[0]
        for end in places[bisect.bisect_right(places, start):]:
            if (end == last) != final:
                if end == last:
                    break
                continue
            fit = _line_fit(items, end, begin, sums, width, end == last)
            if fit is None:
                break  # too wide even shrunk: so is every line reaching further
            item = items[end]
            hyphen = isinstance(item, Penalty) and item.flagged
            if fit[0] > tolerance or (hyphen and (whole or hyphens >= MAX_HYPHENS)):
                continue
            demerits, fit_class = _demerits(fit[0], fit[1], fitness, hyphen and hyphens > 0)
            key = (end, fit_class, hyphens + 1 if hyphen else 0)
            if key not in following or total + demerits < following[key][0]:
                following[key] = (total + demerits, (end, back))
    return following


def _sums(items: list[Item]) -> list[tuple[float, float, float]]:
    """The width, stretch and shrink of the items before each index (and of all of them, last)."""
    width = stretch = shrink = 0.0
    sums: list[tuple[float, float, float]] = []
    append = sums.append
    for item in items:
        append((width, stretch, shrink))
        kind = type(item)
        if kind is Box:
            width += item.width
            stretch += item.stretch  # type: ignore[union-attr]
        elif kind is Glue:
            width += item.width
            stretch += item.stretch  # type: ignore[union-attr]
            shrink += item.shrink  # type: ignore[union-attr]
    append((width, stretch, shrink))
    return sums


def _line_fit(items: list[Item], end: int, begin: tuple[float, float, float], sums: list[tuple[float, float, float]],
              width: float, final: bool) -> tuple[float, float] | None:
    """(stretch ratio, penalty cost) of a line from the totals `begin` to a break at `end`; None when too wide."""
    item = items[end]
    natural = sums[end][0] - begin[0] + (item.width if isinstance(item, Penalty) else 0.0)
    stretch, shrink = sums[end][1] - begin[1], sums[end][2] - begin[2]
    room = width - SAFETY - natural
    if room < -shrink:
        return None
    if room < 0:
        ratio = room / shrink
    else:
        ratio = 0.0 if final else (room / stretch if stretch > 0 else math.inf)
    return ratio, item.cost if isinstance(item, Penalty) else 0.0


def _demerits(ratio: float, cost: float, fitness: int, flagged_again: bool) -> tuple[float, int]:
    """A line's demerits and fitness class, as `_try` counts them."""
    badness = 100 * abs(ratio) ** 3
    demerits = (1 + badness + cost) ** 2 if cost >= 0 else (1 + badness) ** 2
    fit_class = 0 if ratio < -0.5 else 1 if ratio < 0.5 else 2 if ratio < 1 else 3
    if flagged_again:
        demerits += FLAGGED_DEMERITS
    if ratio > 1:
        demerits += LOOSE_DEMERITS
    if abs(fit_class - fitness) > 1:
        demerits += FITNESS_DEMERITS
    return demerits, fit_class
