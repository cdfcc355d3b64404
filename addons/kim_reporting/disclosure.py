# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Disclosure control of the Kennzahlen: which cells of an indicator's
tables are suppressed.

The tables of one indicator in one report are linked: every breakdown of a
dimension adds up to the total (or, where a case can have several keys, at
least to it), and every cross-table of two dimensions adds up, row by row
and column by column, to the two breakdowns. An attacker who knows the
published cells, these relations and the minimum cell size m can bound every
suppressed cell by linear programming. The suppression guarantees that every
suppressed cell keeps an interval of at least m possible values:

* primary suppression: counts 0 < n < m;
* a total below m hides every non-zero cell of the indicator (all tables
  can then be scaled together: no cell is bounded above);
* a breakdown linked to no cross-table is protected as a line: none or at
  least two suppressed cells whose sum is at least m (the attacker's
  interval of each is [0, sum]);
* a cell of a breakdown that is crossed, or of a cross-table, is protected
  by a *move*: a set of suppressed cells that can shift by +t and -t
  without changing any published number of the report (a rectangle of four
  cells of a cross-table, or two cells of a breakdown with the cells of a
  column in each of its cross-tables, or of several columns where a fact
  can have several keys). The range of t of a move is checked against
  exactly the relations the attacker uses (Structure.relations): the
  equations must hold, and for a dimension whose facts can have several
  keys the sum of a line must stay at least its margin and every cell of
  the line, published or not, at most its margin. The margins of such a
  dimension are no sum of their cells: a published cell (every case of a
  Kommune has AufenthG) bounds a suppressed margin from below, which a
  check of the moved cells alone misses. A cell without facts has no line
  and is known to be 0: no move can use it. The values any move allows are
  possible for the attacker, so a move whose range of t spans m protects
  all its cells. Secondary suppression picks the cheapest such move;
  where none exists, every non-zero cell of the indicator is suppressed.

Sums (hours), means and percentages are suppressed exactly where the count
of their facts is, computed by the same rules on those counts.

Cells are identified as in the engine: () for the total, ((dimension,
key),) for a breakdown, ((dimension, key), (dimension, key)) for a
cross-table."""
from collections import defaultdict

INFINITY = float('inf')


class Structure:
    """The linked tables of one indicator: counts by cell and whether each
    dimension's cells add up (additive) or can overlap"""

    def __init__(self, cells, dimensions, crossings, additive):
        self.cells = cells
        self.dimensions = list(dimensions)
        self.crossings = [tuple(c) for c in crossings]
        self.additive = additive
        self.keys = {d: sorted((c[0][1] for c in cells
                    if len(c) == 1 and c[0][0] == d), key=_sort_key)
            for d in self.dimensions}
        self.crossed = {d for c in self.crossings for d in c}
        self._relations = None

    def value(self, cell):
        return self.cells.get(cell, 0)

    def all_cells(self):
        "Every cell of the tables, zeros of the cross-tables included"
        yield ()
        for dimension in self.dimensions:
            for key in self.keys[dimension]:
                yield ((dimension, key),)
        for first, second in self.crossings:
            for k in self.keys[first]:
                for l in self.keys[second]:
                    yield ((first, k), (second, l))

    def relations(self):
        """The published relations of the tables, exactly those an attacker
        can use: (parts, whole, equal) meaning sum(parts) == whole, or, for
        a dimension whose facts can have several keys, sum(parts) >= whole
        and every part <= whole. The margins of such a dimension are no sum
        of its cells; every cell of a line is bounded by its margin, so a
        published cell bounds a suppressed margin from below."""
        if self._relations is None:
            relations = []
            for dimension in self.dimensions:
                relations.append((
                        [((dimension, k),) for k in self.keys[dimension]],
                        (), self.additive[dimension]))
            for first, second in self.crossings:
                rows, columns = self.keys[first], self.keys[second]
                for k in rows:
                    relations.append((
                            [((first, k), (second, l)) for l in columns],
                            ((first, k),), self.additive[second]))
                for l in columns:
                    relations.append((
                            [((first, k), (second, l)) for k in rows],
                            ((second, l),), self.additive[first]))
            self._relations = relations
            self._touching = defaultdict(list)
            for i, (parts, whole, _) in enumerate(relations):
                for cell in parts + [whole]:
                    self._touching[cell].append(i)
        return self._relations

    def touching(self, cells):
        "The relations in which any of the cells takes part"
        relations = self.relations()
        seen = set()
        for cell in cells:
            for i in self._touching.get(cell, ()):
                if i not in seen:
                    seen.add(i)
                    yield relations[i]


def _sort_key(key):
    return (key is None, str(key))


def move_range(structure, move):
    """The width of the range of t for which the cells of the move,
    shifted by sign * t, keep every published relation of the tables and
    stay possible (not negative, not above the margins that bound them).
    A move that changes a published equation has no range."""
    low, high = -INFINITY, INFINITY
    signs = dict(move)

    def bound(slack, slope):
        # slack + slope * t >= 0
        nonlocal low, high
        if slope > 0:
            low = max(low, -slack / slope)
        elif slope < 0:
            high = min(high, -slack / slope)

    for cell, sign in move:
        if not structure.value(cell):
            # a cell without facts has no line: the reader knows it is 0
            return 0
        bound(structure.value(cell), sign)
    for parts, whole, equal in structure.touching(signs):
        change = sum(signs.get(p, 0) for p in parts) - signs.get(whole, 0)
        if equal:
            if change:
                return 0
            continue
        value = structure.value(whole)
        bound(sum(structure.value(p) for p in parts) - value, change)
        for part in parts:
            bound(value - structure.value(part),
                signs.get(whole, 0) - signs.get(part, 0))
    return max(high - low, 0)


class Protector:
    "Computes the suppressed cells of one Structure"

    def __init__(self, structure, minimum):
        self.s = structure
        self.m = minimum
        self.hidden = set()
        self.covered = set()

    def run(self):
        s, m = self.s, self.m
        self.hidden = {c for c in s.all_cells() if 0 < s.value(c) < m}
        if () in self.hidden:
            return self.everything()
        for dimension in s.dimensions:
            if dimension not in s.crossed:
                self.protect_line(dimension)
        queue = sorted((c for c in self.hidden
                if len(c) == 2 or (len(c) == 1 and c[0][0] in s.crossed)),
            key=lambda c: (s.value(c), repr(c)))
        for cell in queue:
            if cell in self.covered:
                continue
            move = self.best_move(cell)
            if move is None:
                return self.everything()
            for moved, _ in move:
                self.hidden.add(moved)
                self.covered.add(moved)
        return self.hidden

    def everything(self):
        "Suppress every non-zero cell of the indicator"
        self.hidden = {c for c in self.s.all_cells() if self.s.value(c)}
        return self.hidden

    def protect_line(self, dimension):
        """A breakdown without cross-table: none or at least two suppressed
        cells that add up to at least m"""
        s, m = self.s, self.m
        cells = [((dimension, k),) for k in s.keys[dimension]]
        hidden = [c for c in cells if c in self.hidden]
        total = sum(s.value(c) for c in hidden)
        shown = sorted((c for c in cells
                if c not in self.hidden and s.value(c)),
            key=lambda c: (s.value(c), repr(c)))
        while hidden and (len(hidden) == 1 or total < m):
            if not shown:
                return
            need = m - total
            enough = [c for c in shown if s.value(c) >= need]
            cell = enough[0] if enough else shown[-1]
            shown.remove(cell)
            hidden.append(cell)
            self.hidden.add(cell)
            total += s.value(cell)

    def cost(self, move):
        return sum(self.s.value(c) + 1 for c, _ in move
            if c not in self.hidden)

    def best_move(self, cell):
        best, best_cost = None, INFINITY
        for move in self.moves(cell):
            if move_range(self.s, move) < self.m:
                continue
            cost = self.cost(move)
            if cost < best_cost:
                best, best_cost = move, cost
        return best

    def moves(self, cell):
        s = self.s
        if len(cell) == 1:
            dimension, key = cell[0]
            for other in s.keys[dimension]:
                if other != key:
                    yield from self.pair_moves(dimension, key, other)
            return
        (first, k), (second, l) = cell
        for k2 in s.keys[first]:
            if k2 == k:
                continue
            for l2 in s.keys[second]:
                if l2 == l:
                    continue
                yield [(cell, 1), (((first, k2), (second, l2)), 1),
                    (((first, k), (second, l2)), -1),
                    (((first, k2), (second, l)), -1)]
            yield from self.pair_moves(first, k, k2,
                fixed={(first, second): l})
        for l2 in s.keys[second]:
            if l2 != l:
                yield from self.pair_moves(second, l, l2,
                    fixed={(first, second): k})

    def pair_moves(self, dimension, key, other, fixed=None):
        """Two cells of a breakdown with, in each cross-table of the
        dimension, the cells of one key of the other dimension: key gains
        what other loses. Where a fact can have several keys of the other
        dimension, a second move shifts facts with several keys: the cells
        of every key that (nearly) all facts of either line have, whose
        published cells bound the margins of the two lines from below."""
        s, m = self.s, self.m
        fixed = fixed or {}
        single = [(((dimension, key),), 1), (((dimension, other),), -1)]
        several = list(single)
        for crossing in s.crossings:
            if dimension not in crossing:
                continue
            first = crossing[0] == dimension
            partner = crossing[1] if first else crossing[0]

            def cross(a, b):
                return ((dimension, a), (partner, b)) if first \
                    else ((partner, b), (dimension, a))
            if crossing in fixed:
                choice = fixed[crossing]
            else:
                choices = s.keys[partner]
                if not choices:
                    return
                choice = max(choices, key=lambda b: (
                        min(s.value(cross(key, b)), s.value(cross(other, b)))
                        + (cross(key, b) in self.hidden)
                        + (cross(other, b) in self.hidden),
                        s.value(cross(other, b))))
            single.append((cross(key, choice), 1))
            single.append((cross(other, choice), -1))
            chosen = {choice}
            if not s.additive[partner]:
                for b in s.keys[partner]:
                    if any(s.value(cross(a, b))
                            and s.value(cross(a, b)) + m
                            > s.value(((dimension, a),))
                            for a in [key, other]):
                        chosen.add(b)
            for b in sorted(chosen, key=_sort_key):
                several.append((cross(key, b), 1))
                several.append((cross(other, b), -1))
        yield single
        if len(several) > len(single):
            yield several


def suppress(counts, dimensions, crossings, additive, minimum):
    """Return the suppressed cells of an indicator from the counts of its
    facts by cell ({cell: count}); additive: {dimension: bool}"""
    if not minimum:
        return set()
    structure = Structure({c: int(n or 0) for c, n in counts.items()},
        dimensions, crossings, additive)
    return Protector(structure, minimum).run()


def suppress_all(definitions, cells, dimensions, crossings, minimum):
    """Return {code: suppressed cells} of the definitions from the
    engine's cells ({cell: {code: (n, v)}}). The cells of a dimension or
    crossing without any fact of an indicator are absent."""
    counts = defaultdict(dict)
    for cell, values in cells.items():
        for code, (n, _) in values.items():
            counts[code][cell] = n
    result = {}
    for definition in definitions:
        additive = {d: definition.additive(d) for d in dimensions}
        result[definition.code] = suppress(counts[definition.code],
            dimensions, crossings, additive, minimum)
    return result
