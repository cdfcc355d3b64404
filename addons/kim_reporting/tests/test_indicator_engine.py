# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""The set-based Kennzahlen engine gives the numbers of the per-cell engine
it replaces, on random data."""
import datetime as dt
import unittest

from trytond.modules.company.tests import (
    create_company, create_employee, set_company)
from trytond.modules.kim_reporting.indicator import (
    INDICATORS, IndicatorEngine)
from trytond.modules.kim_reporting.indicator_engine import (
    DIMENSIONS, Definition, KennzahlenEngine, finish)
from trytond.modules.kim_reporting.tests.tools import generate_cases
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction

# the shipped definitions of the Kennzahlen the old engine computed
SHIPPED = [
    Definition('intakes', 'intake'),
    Definition('active', 'active'),
    Definition('closed', 'closed'),
    Definition('duration', 'closed', 'avg'),
    Definition('contacts', 'contact'),
    Definition('contact_hours', 'contact', 'sum'),
    Definition('interpreter', 'contact', interpreter=True),
    Definition('outreach_pct', 'contact', 'pct',
        channels=['home_visit', 'outreach']),
    Definition('with_plan', 'case_plan'),
    Definition('goals_set', 'goal'),
    Definition('goals_achieved', 'goal', goal_statuses=['achieved']),
    Definition('referrals', 'referral'),
    Definition('handovers', 'event', event_type='handover'),
    Definition('rechtskreis_changes', 'event',
        event_type='rechtskreis_change'),
    ]


class KimIndicatorEngineTestCase(unittest.TestCase):
    "Test the set-based Kennzahlen engine against the per-cell engine"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('kim_reporting')

    def old_numbers(self, company, start, end):
        engine = IndicatorEngine(company.id, start, end)
        result = {}
        for code in INDICATORS:
            for dimension in ['total'] + DIMENSIONS:
                for key, (value, base) in engine.compute(
                        code, dimension).items():
                    key = None if key is None else str(key)
                    cell = () if dimension == 'total' else (
                        (dimension, key),)
                    result[code, cell] = (value, base)
        return result

    def new_numbers(self, company, start, end):
        engine = KennzahlenEngine(company.id, start, end, SHIPPED)
        definitions = {d.code: d for d in SHIPPED}
        result = {}
        for cell, values in engine.compute(DIMENSIONS).items():
            for code, (n, v) in values.items():
                result[code, cell] = finish(definitions[code], n, v)
        return result

    @with_transaction()
    def test_same_numbers(self):
        "Every indicator by every dimension: the same cells and values"
        company = create_company()
        employee = create_employee(company, "Fallmanagerin Eva")
        year = dt.date.today().year - 1
        with set_company(company):
            generate_cases(company, employee, count=90, seed=7, year=year)
        with Transaction().set_user(0):
            for start, end in [
                    (dt.date(year, 1, 1), dt.date(year, 12, 31)),
                    (dt.date(year, 4, 1), dt.date(year, 6, 30)),
                    (dt.date(year - 2, 3, 15), dt.date(year, 2, 10)),
                    ]:
                old = self.old_numbers(company, start, end)
                new = self.new_numbers(company, start, end)
                self.assertGreater(len(old), 150)
                self.assertEqual(set(new), set(old), (start, end))
                for cell, value in old.items():
                    self.assertEqual(new[cell], value, cell)
