"""The Kennzahlen of kim_reporting equal the independent set-based SQL of
the benchmark (bench/kennzahlen_baseline.py) on generated data, on the
backend of the test run (SQLite or PostgreSQL)."""
import datetime as dt
import importlib.util
import sys
import unittest
from pathlib import Path

from trytond import backend
from trytond.modules.company.tests import (
    create_company, create_employee, set_company)
from trytond.modules.kim_reporting.tests.tools import generate_cases
from trytond.modules.kim_network.tests.tools import FreshDatabaseMixin
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

ROOT = Path(__file__).resolve().parents[1]


def _import(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


baseline = _import('kim_kennzahlen_baseline',
    ROOT / 'bench' / 'kennzahlen_baseline.py')


class KennzahlenBaselineTestCase(FreshDatabaseMixin, unittest.TestCase):
    "The module's Kennzahlen and the benchmark's baseline SQL"

    modules = 'kim_reporting'

    @with_transaction()
    def test_same_numbers(self):
        "Every shipped indicator by every dimension, three periods"
        pool = Pool()
        Report = pool.get('kim.indicator.report')
        Configuration = pool.get('kim.configuration')
        config = Configuration(1)
        config.min_cell = 0
        config.save()
        company = create_company()
        employee = create_employee(company, "Fallmanagerin Eva")
        year = dt.date.today().year - 1
        dimensions = list(baseline.DIMENSIONS)
        with set_company(company):
            generate_cases(company, employee, count=90, seed=11, year=year)
            for date_from, date_to in [
                    (dt.date(year, 1, 1), dt.date(year, 12, 31)),
                    (dt.date(year, 4, 1), dt.date(year, 6, 30)),
                    (dt.date(year - 2, 3, 15), dt.date(year, 2, 10)),
                    ]:
                report, = Report.create([{
                            'name': "Vergleich",
                            'company': company.id,
                            'period_type': 'custom',
                            'date_from': date_from,
                            'date_to': date_to,
                            'dimensions': dimensions,
                            }])
                Report.compute([report])
                report = Report(report.id)
                module = {(l.code, l.dimension, l.key or ''): l.value
                    for l in report.lines if l.code in baseline.INDICATORS}
                cursor = Transaction().connection.cursor()
                expected = baseline.kennzahlen(cursor, backend.name,
                    company.id, date_from, date_to, dimensions)
                self.assertGreater(len(expected), 300)
                for cell, value in expected.items():
                    self.assertEqual(module.get(cell, 'absent'), value,
                        (date_from, cell))
                # the module's other cells are those of the previous
                # period only: nothing counted in this one
                for cell, value in module.items():
                    if cell not in expected:
                        self.assertIn(value, {0, None}, (date_from, cell))
                # the previous period, computed in the same pass
                previous = {(l.code, l.dimension, l.key or ''):
                    l.previous_value for l in report.lines
                    if l.code in baseline.INDICATORS}
                expected = baseline.kennzahlen(cursor, backend.name,
                    company.id, report.previous_from, report.previous_to,
                    dimensions)
                for cell, value in previous.items():
                    self.assertEqual(value, expected.get(cell, value
                            if value in {0, None} else 'absent'),
                        (report.previous_from, cell))
                for cell, value in expected.items():
                    if cell in module:
                        self.assertEqual(previous[cell], value,
                            (report.previous_from, cell))
