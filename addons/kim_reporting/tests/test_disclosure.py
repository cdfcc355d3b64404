# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Disclosure control: an attacker who knows the published cells, the
totals, how the tables add up and the minimum cell size bounds every
suppressed cell by linear programming; no interval may be narrower than
the minimum."""
import datetime as dt
import random
import unittest
from collections import Counter
from fractions import Fraction

from trytond.modules.company.tests import (
    create_company, create_employee, set_company)
from trytond.modules.kim_reporting.disclosure import suppress
from trytond.modules.kim_reporting.tests.attacker import (
    Attacker, bounds, weakest)
from trytond.modules.kim_reporting.tests.tools import generate_cases
from trytond.modules.kim_network.tests.tools import FreshDatabaseMixin
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction


def random_tables(rng):
    """Counts of random facts by a few dimensions (one of them with
    several keys per fact) and random cross-tables. Return (counts,
    dimensions, crossings, additive)."""
    dimensions = {
        'a': (True, [None] + ['a%d' % i for i in range(rng.randint(2, 7))]),
        'b': (True, ['b%d' % i for i in range(rng.randint(2, 5))]),
        'c': (False, [None] + ['c%d' % i for i in range(rng.randint(2, 4))]),
        }
    facts = []
    for _ in range(rng.choice([3, 8, 15, 30, 60, 120])):
        fact = {}
        for name, (additive, keys) in dimensions.items():
            weights = [1 + 6 * (i == 0) for i in range(len(keys))]
            if additive:
                fact[name] = {rng.choices(keys, weights)[0]}
            else:
                fact[name] = set(rng.sample(keys[1:], rng.randint(0, 2))) \
                    or {None}
        facts.append(fact)
    names = list(dimensions)
    pairs = [(x, y) for i, x in enumerate(names) for y in names[i + 1:]]
    crossings = rng.sample(pairs, rng.randint(0, 2))
    counts = Counter()
    for fact in facts:
        counts[()] += 1
        for name in names:
            for key in fact[name]:
                counts[((name, key),)] += 1
        for first, second in crossings:
            for k in fact[first]:
                for l in fact[second]:
                    counts[((first, k), (second, l))] += 1
    additive = {n: a for n, (a, _) in dimensions.items()}
    return dict(counts), names, crossings, additive


def random_multi_valued(rng):
    """Counts like the demo's Kommune x Rechtskreis: most facts have one
    key of the multi-valued dimension (AufenthG), many one or two more.
    Return (counts, dimensions, crossings, additive)."""
    kommunen = ['k%d' % i for i in range(rng.randint(2, 6))]
    rechtskreise = ['aufenthg', 'sgb2', 'sgb3', 'sgb8', 'sgb12']
    ages = ['a%d' % i for i in range(rng.randint(2, 4))]
    counts = Counter()
    crossings = rng.choice([[('k', 'r')], [('k', 'r'), ('k', 'a')]])
    for _ in range(rng.choice([8, 15, 30, 60, 120, 300])):
        fact = {'k': rng.choices(kommunen,
                [1 + 6 * (i == 0) for i in range(len(kommunen))]),
            'a': [rng.choice(ages)]}
        keys = {'aufenthg'} if rng.random() < 0.8 else set()
        keys |= set(rng.sample(rechtskreise[1:], rng.randint(0, 2)))
        fact['r'] = keys or {None}
        counts[()] += 1
        for name in ['k', 'r', 'a']:
            for key in fact[name]:
                counts[((name, key),)] += 1
        for first, second in crossings:
            for k in fact[first]:
                for l in fact[second]:
                    counts[((first, k), (second, l))] += 1
    return (dict(counts), ['k', 'r', 'a'], crossings,
        {'k': True, 'r': False, 'a': True})


def published(counts, hidden):
    return {c: (None if c in hidden else v) for c, v in counts.items()}


class KimDisclosureTestCase(unittest.TestCase):
    "Test the disclosure control of the Kennzahlen"

    def test_solver(self):
        "The exact interval solver on hand-made systems"
        # x + y = 7, x <= 3 (as x + s = 3)
        result = bounds(['x', 'y'], [({'x': 1, 'y': 1}, 7)],
            [({'x': 1}, 3)])
        self.assertEqual(result['x'], (0, 3))
        self.assertEqual(result['y'], (4, 7))
        # x - y = 2: x unbounded
        result = bounds(['x', 'y'], [({'x': 1, 'y': -1}, 2)], [])
        self.assertEqual(result['x'], (2, None))
        self.assertEqual(result['y'], (0, None))
        self.assertIsInstance(result['x'][0], Fraction)

    def test_old_rule_is_broken(self):
        """The former rule (hide the smallest other cell when exactly one
        is hidden) lets the attacker recover cells: the demo's 'closed cases
        by gender'"""
        counts = {(): 40, (('g', 'f'),): 20, (('g', 'm'),): 18,
            (('g', 'd'),): 1, (('g', 'n'),): 1}
        values = published(counts, {(('g', 'd'),), (('g', 'n'),)})
        width, _ = weakest(values, ['g'], [], {'g': True})
        self.assertEqual(width, 2)
        hidden = suppress(counts, ['g'], [], {'g': True}, 5)
        width, _ = weakest(published(counts, hidden), ['g'], [],
            {'g': True})
        self.assertGreaterEqual(width, 5)
        self.assertEqual(len(hidden), 3)

    def test_cross_table(self):
        "A cross-table with its margins: interior and margin cells"
        counts = {(): 30,
            (('a', 'x'),): 12, (('a', 'y'),): 15, (('a', 'z'),): 3,
            (('b', 'p'),): 20, (('b', 'q'),): 10,
            (('a', 'x'), ('b', 'p')): 10, (('a', 'x'), ('b', 'q')): 2,
            (('a', 'y'), ('b', 'p')): 8, (('a', 'y'), ('b', 'q')): 7,
            (('a', 'z'), ('b', 'p')): 2, (('a', 'z'), ('b', 'q')): 1,
            }
        additive = {'a': True, 'b': True}
        hidden = suppress(counts, ['a', 'b'], [('a', 'b')], additive, 5)
        self.assertIn((('a', 'z'),), hidden)
        self.assertIn((('a', 'x'), ('b', 'q')), hidden)
        width, cell = weakest(published(counts, hidden), ['a', 'b'],
            [('a', 'b')], additive)
        self.assertGreaterEqual(width, 5, cell)

    def test_multi_valued(self):
        """A cross-table with a dimension whose facts have several keys
        (every case AufenthG, some also SGB II): its cells do not add up to
        the row, but a published cell bounds a suppressed row from below"""
        facts = ([('x', {'a'})] * 12 + [('x', {'a', 's'})] * 8
            + [('y', {'a'})] * 2 + [('y', {'a', 's'})]
            + [('z', {'a'})] * 3 + [('z', {'a', 's'})] * 3
            + [('w', {'a'})] * 10 + [('w', {'a', 's'})] * 5)
        counts = Counter()
        for k, rs in facts:
            counts[()] += 1
            counts[(('k', k),)] += 1
            for r in rs:
                counts[(('r', r),)] += 1
                counts[(('k', k), ('r', r))] += 1
        counts = dict(counts)
        additive = {'k': True, 'r': False}
        hidden = suppress(counts, ['k', 'r'], [('k', 'r')], additive, 5)
        self.assertIn((('k', 'y'),), hidden)
        self.assertIn((('k', 'y'), ('r', 's')), hidden)
        self.assertNotIn((), hidden)
        width, cell = weakest(published(counts, hidden), ['k', 'r'],
            [('k', 'r')], additive)
        self.assertGreaterEqual(width, 5, cell)

    def test_zero_cell(self):
        """A cell without facts has no line: the reader knows it is 0, so
        a rectangle through it protects nothing (the demo's Kommune x
        Rechtskreis)"""
        counts = {(): 75, (('a', 'x'),): 30, (('a', 'y'),): 45,
            (('b', 'p'),): 9, (('b', 'q'),): 6, (('b', 'r'),): 60,
            (('a', 'x'), ('b', 'p')): 4, (('a', 'x'), ('b', 'q')): 6,
            (('a', 'x'), ('b', 'r')): 20, (('a', 'y'), ('b', 'p')): 5,
            (('a', 'y'), ('b', 'r')): 40}
        additive = {'a': True, 'b': True}
        hidden = suppress(counts, ['a', 'b'], [('a', 'b')], additive, 5)
        self.assertNotIn((('a', 'y'), ('b', 'q')), hidden)
        width, cell = weakest(published(counts, hidden), ['a', 'b'],
            [('a', 'b')], additive)
        self.assertGreaterEqual(width, 5, cell)

    def test_small_total(self):
        "A total below the minimum hides every non-zero cell"
        counts = {(): 3, (('a', 'x'),): 3, (('b', 'p'),): 2,
            (('b', 'q'),): 1}
        hidden = suppress(counts, ['a', 'b'], [], {'a': True, 'b': True},
            5)
        self.assertEqual(hidden, set(counts))
        attack = Attacker(published(counts, hidden), ['a', 'b'], [],
            {'a': True, 'b': True}).attack()
        self.assertTrue(all(high is None for _, high in attack.values()))

    def test_random_tables(self):
        "No suppressed cell of random linked tables is narrowed below m"
        rng = random.Random(2026)
        suppressed = 0
        for run in range(300):
            counts, dimensions, crossings, additive = random_tables(rng)
            minimum = rng.choice([3, 5, 10])
            hidden = suppress(counts, dimensions, crossings, additive,
                minimum)
            suppressed += len(hidden)
            for cell, value in counts.items():
                if cell not in hidden:
                    self.assertFalse(0 < value < minimum, (run, cell))
            width, cell = weakest(published(counts, hidden), dimensions,
                crossings, additive)
            if width is not None:
                self.assertGreaterEqual(width, minimum,
                    (run, cell, crossings, counts, hidden))
        self.assertGreater(suppressed, 1000)

    def test_random_multi_valued(self):
        """No suppressed cell of random cross-tables with a key most facts
        have in a multi-valued dimension is narrowed below m"""
        rng = random.Random(2026)
        for run in range(100):
            counts, dimensions, crossings, additive = \
                random_multi_valued(rng)
            hidden = suppress(counts, dimensions, crossings, additive, 5)
            width, cell = weakest(published(counts, hidden), dimensions,
                crossings, additive)
            if width is not None:
                self.assertGreaterEqual(width, 5,
                    (run, cell, crossings, counts, hidden))


def attack_report(report, definitions):
    """Attack every indicator of a computed report from its lines: return
    {code: (width, cell)} of the narrowest suppressed cell"""
    crossings = sorted({(l.dimension, l.dimension2) for l in report.lines
            if l.dimension2})
    dimensions = sorted({l.dimension for l in report.lines
            if l.dimension != 'total' and not l.dimension2})
    result = {}
    for code, definition in definitions.items():
        values, hidden = {}, set()
        for line in report.lines:
            if line.code != code:
                continue
            if line.dimension == 'total':
                cell = ()
            elif not line.dimension2:
                cell = ((line.dimension, line.key),)
            else:
                cell = ((line.dimension, line.key),
                    (line.dimension2, line.key2))
            values[cell] = None if line.suppressed else line.value
            if line.suppressed:
                hidden.add(cell)
        if definition.kind in {'count', 'sum'}:
            additive = {d: definition.additive(d) for d in dimensions}
            # hours are published rounded to 0.01
            rounding = Fraction(1, 200) if definition.kind == 'sum' else 0
            result[code] = weakest(values, dimensions, crossings, additive,
                rounding)
        result[code, 'hidden'] = hidden
    return result


class KimDisclosureReportTestCase(FreshDatabaseMixin, unittest.TestCase):
    "Test the disclosure control of computed reports"

    modules = 'kim_reporting'

    @with_transaction()
    def test_report(self):
        "No suppressed cell of a report with cross-tables is narrowed"
        pool = Pool()
        Report = pool.get('kim.indicator.report')
        Indicator = pool.get('kim.indicator')
        company = create_company()
        employee = create_employee(company, "Fallmanagerin Eva")
        year = dt.date.today().year - 1
        with set_company(company):
            generate_cases(company, employee, count=120, seed=5, year=year)
            report, = Report.create([{
                        'name': "Jahresbericht", 'company': company.id,
                        'year': year,
                        'dimensions': ['gender', 'age_band', 'rechtskreis'],
                        'crossings': [('create', [
                                    {'first': 'kommune',
                                        'second': 'target_group'},
                                    {'first': 'kommune', 'second': 'gender'},
                                    ])],
                        }])
            Report.compute([report])
        report = Report(report.id)
        self.assertEqual(report.min_cell, 5)
        definitions = {i.code: i.definition() for i in Indicator.search([])
            if i.definition().level != 'steering'}
        result = attack_report(report, definitions)
        hidden = 0
        for code, definition in definitions.items():
            width, cell = result.get(code, (None, None))
            hidden += len(result[code, 'hidden'])
            if width is None:
                continue
            if definition.kind == 'count':
                self.assertGreaterEqual(width, 5, (code, cell))
            elif definition.kind == 'sum':
                self.assertGreater(width, 0, (code, cell))
        self.assertGreater(hidden, 50)
        # sums, means and shares are hidden with the count of their facts
        for derived, base in [('contact_hours', 'contacts'),
                ('outreach_pct', 'contacts'), ('duration', 'closed'),
                ('closed_goal_reached', 'closed'),
                ('goal_rate', 'goals_set')]:
            self.assertEqual(result[derived, 'hidden'],
                result[base, 'hidden'], derived)
        for line in report.lines:
            if (definitions.get(line.code)
                    and definitions[line.code].kind == 'count'
                    and not line.suppressed):
                self.assertFalse(0 < line.value < 5, line.code)
