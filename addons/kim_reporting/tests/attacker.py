# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""An attacker on the published Kennzahlen: bounds every suppressed cell by
linear programming over what is published.

The attacker knows every published cell of an indicator's tables in a
report, the minimum cell size, that counts are not negative, and how the
tables are linked: each breakdown adds up to the total (or at least to it
where a case can have several keys, and then no cell exceeds the total),
and each cross-table adds up row by row and column by column to the two
breakdowns (the same inequalities for the dimension with several keys per
case). It solves, for each suppressed cell, the smallest and the largest
value the relations allow: an exact two-phase simplex on fractions, run on
each connected group of suppressed cells separately. Independent of the
module's suppression code on purpose."""
from fractions import Fraction


class Infeasible(Exception):
    pass


class Tableau:
    """A simplex tableau with sparse rows ({column: Fraction}) over
    x >= 0; the basis stays feasible between optimisations"""

    def __init__(self, rows, rhs, basis):
        self.rows = rows
        self.rhs = rhs
        self.basis = basis

    def pivot(self, r, column):
        row = self.rows[r]
        factor = row[column]
        if factor != 1:
            row = self.rows[r] = {j: v / factor for j, v in row.items()}
            self.rhs[r] /= factor
        for i, other in enumerate(self.rows):
            if i == r:
                continue
            f = other.get(column)
            if f:
                for j, v in row.items():
                    value = other.get(j, 0) - f * v
                    if value:
                        other[j] = value
                    else:
                        other.pop(j, None)
                self.rhs[i] -= f * self.rhs[r]
        self.basis[r] = column

    def maximize(self, objective, allowed=None):
        """Maximise sum(objective[j] * x_j) (Bland's rule); return the
        optimum or None when unbounded"""
        while True:
            reduced = dict(objective)
            for i, b in enumerate(self.basis):
                c = objective.get(b)
                if c:
                    for j, v in self.rows[i].items():
                        reduced[j] = reduced.get(j, 0) - c * v
            entering = min((j for j, v in reduced.items() if v > 0
                    and (allowed is None or j in allowed)), default=None)
            if entering is None:
                return sum(objective.get(b, 0) * self.rhs[i]
                    for i, b in enumerate(self.basis))
            best = None
            for i, row in enumerate(self.rows):
                a = row.get(entering, 0)
                if a > 0:
                    ratio = self.rhs[i] / a
                    if (best is None or ratio < best[0]
                            or (ratio == best[0]
                                and self.basis[i] < self.basis[best[1]])):
                        best = (ratio, i)
            if best is None:
                return None
            self.pivot(best[1], entering)


def bounds(variables, equations, inequalities):
    """Return {variable: (low, high)} over x >= 0 with the equations
    ({variable: coefficient}, constant) meaning sum == constant and the
    inequalities meaning sum <= constant; high is None when unbounded"""
    index = {v: i for i, v in enumerate(variables)}
    n = len(variables)
    constraints = [(c, k, None) for c, k in equations]
    constraints += [(c, k, n + i) for i, (c, k) in enumerate(inequalities)]
    first_artificial = n + len(inequalities)
    rows, rhs, basis = [], [], []
    for r, (coefficients, constant, slack) in enumerate(constraints):
        row = {}
        for variable, coefficient in coefficients.items():
            j = index[variable]
            row[j] = row.get(j, 0) + Fraction(coefficient)
        if slack is not None:
            row[slack] = Fraction(1)
        constant = Fraction(constant)
        if constant < 0:
            row = {j: -v for j, v in row.items()}
            constant = -constant
        row = {j: v for j, v in row.items() if v}
        row[first_artificial + r] = Fraction(1)
        rows.append(row)
        rhs.append(constant)
        basis.append(first_artificial + r)
    tableau = Tableau(rows, rhs, basis)
    artificials = set(range(first_artificial,
            first_artificial + len(constraints)))
    optimum = tableau.maximize({a: -1 for a in artificials})
    if optimum is None or optimum < 0:
        raise Infeasible
    # drive the artificial variables out of the basis, drop them
    for r in range(len(tableau.rows) - 1, -1, -1):
        if tableau.basis[r] in artificials:
            column = min((j for j in tableau.rows[r]
                    if j not in artificials), default=None)
            if column is None:
                del tableau.rows[r], tableau.rhs[r], tableau.basis[r]
            else:
                tableau.pivot(r, column)
    for row in tableau.rows:
        for a in artificials:
            row.pop(a, None)
    allowed = set(range(first_artificial))
    result = {}
    for variable in variables:
        j = index[variable]
        high = tableau.maximize({j: 1}, allowed)
        low = tableau.maximize({j: -1}, allowed)
        result[variable] = (-low, high)
    return result


class Attacker:
    """The relations of one indicator's tables and what is published:
    values {cell: number or None when suppressed}"""

    def __init__(self, values, dimensions, crossings, additive,
            rounding=0):
        self.values = values
        self.dimensions = list(dimensions)
        self.crossings = [tuple(c) for c in crossings]
        self.additive = additive
        # a published value v stands for [v - rounding, v + rounding]
        self.rounding = Fraction(rounding)

    def keys(self, dimension):
        return [c[0][1] for c in self.values
            if len(c) == 1 and c[0][0] == dimension]

    def relations(self):
        """Yield (parts, whole, equal): sum(parts) == whole, or >= whole
        with every part <= whole when not equal"""
        for dimension in self.dimensions:
            yield ([((dimension, k),) for k in self.keys(dimension)], (),
                self.additive[dimension])
        for first, second in self.crossings:
            rows, columns = self.keys(first), self.keys(second)
            for k in rows:
                yield ([((first, k), (second, l)) for l in columns],
                    ((first, k),), self.additive[second])
            for l in columns:
                yield ([((first, k), (second, l)) for k in rows],
                    ((second, l),), self.additive[first])

    def value(self, cell):
        "The published value, None if suppressed (absent cells are 0)"
        return self.values.get(cell, 0)

    def attack(self):
        """Return {suppressed cell: (low, high)} (high None: unbounded)"""
        hidden = {c for c, v in self.values.items() if v is None}
        if not hidden:
            return {}
        equations, inequalities = [], []
        for parts, whole, equal in self.relations():
            coefficients, constant = {}, Fraction(0)
            published = 0
            for part in parts:
                if part in hidden:
                    coefficients[part] = coefficients.get(part, 0) + 1
                else:
                    constant -= Fraction(self.value(part))
                    published += 1
            if whole in hidden:
                coefficients[whole] = coefficients.get(whole, 0) - 1
            else:
                constant += Fraction(self.value(whole))
                published += 1
            slack = self.rounding * published
            if equal:
                if coefficients and slack:
                    inequalities.append((coefficients, constant + slack))
                    inequalities.append(({c: -v for c, v in
                                coefficients.items()}, slack - constant))
                elif coefficients:
                    equations.append((coefficients, constant))
                continue
            # sum(parts) >= whole: -sum(hidden parts) + hidden whole <= ...
            if coefficients:
                inequalities.append(({c: -v for c, v in
                            coefficients.items()}, slack - constant))
            for part in parts:
                cap, room = {}, Fraction(0)
                if part in hidden:
                    cap[part] = 1
                else:
                    room -= Fraction(self.value(part))
                if whole in hidden:
                    cap[whole] = cap.get(whole, 0) - 1
                else:
                    room += Fraction(self.value(whole))
                if cap:
                    inequalities.append((cap, room + 2 * self.rounding))
        # connected groups of suppressed cells
        parent = {c: c for c in hidden}

        def find(c):
            while parent[c] != c:
                parent[c] = parent[parent[c]]
                c = parent[c]
            return c
        for coefficients, _ in equations + inequalities:
            cells = list(coefficients)
            for other in cells[1:]:
                parent[find(other)] = find(cells[0])
        groups = {}
        for cell in hidden:
            groups.setdefault(find(cell), []).append(cell)
        result = {}
        for cells in groups.values():
            members = set(cells)
            result.update(bounds(sorted(cells, key=repr),
                    [e for e in equations if set(e[0]) <= members],
                    [i for i in inequalities if set(i[0]) <= members]))
        return result


def weakest(values, dimensions, crossings, additive, rounding=0):
    """Return (width, cell) of the suppressed cell with the narrowest
    interval (width None when there is none suppressed; inf: unbounded)"""
    bounds_ = Attacker(values, dimensions, crossings, additive,
        rounding).attack()
    result = None
    for cell, (low, high) in bounds_.items():
        width = float('inf') if high is None else high - low
        if result is None or width < result[0]:
            result = (width, cell)
    return result or (None, None)
