"""The attacker of the Kennzahlen (kim_reporting/tests/attacker.py) on the
demo data: the Lenkungsgruppe board report the generator computes, the state
export of the year and a report with cross-tables. No suppressed cell may be
recovered or narrowed below the minimum cell size."""
import datetime as dt
import importlib.util
import sys
import unittest
from pathlib import Path

from trytond.modules.kim_reporting.tests.test_disclosure import attack_report
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module, drop_db, with_transaction)
from trytond.transaction import Transaction

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 6, 30)


def _import(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


generate = _import('kim_demo_generate', ROOT / 'data' / 'generate.py')


class KennzahlenDemoAttackTestCase(unittest.TestCase):
    "The Kennzahlen of the demo against the attacker"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module(['kim_reporting'])
        cls.plugins = [(m, generate.import_plugin(m, p))
            for m, p in generate.plugin_files()]

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def check(self, report, definitions, minimum):
        result = attack_report(report, definitions)
        hidden = 0
        for code, definition in definitions.items():
            hidden += len(result[code, 'hidden'])
            width, cell = result.get(code, (None, None))
            if width is None:
                continue
            if definition.kind == 'count':
                self.assertGreaterEqual(width, minimum,
                    (report.name, code, cell))
            elif definition.kind == 'sum':
                self.assertGreater(width, 0, (report.name, code, cell))
        return hidden

    @with_transaction(user=0)
    def test_demo(self):
        "The board report, the state export and cross-tables of the demo"
        pool = Pool()
        Module = pool.get('ir.module')
        Report = pool.get('kim.indicator.report')
        Indicator = pool.get('kim.indicator')
        args = generate.parse_args(['--today', TODAY.isoformat(),
                '--scale', '0.2', '--cases', '300'], self.plugins)
        activated = {m.name for m in Module.search(
                [('state', '=', 'activated')])}
        ctx = generate.Context(args, pool, activated)
        ctx.log = lambda msg: None
        for name, plugin in self.plugins:
            if name in activated:
                ctx.for_plugin(getattr(plugin, 'MODULE', name))
                with Transaction().set_context(language='de'):
                    plugin.generate(ctx)
        board, = Report.search([('on_board', '=', True)])
        company, year = board.company, board.year
        definitions = {i.code: i.definition() for i in Indicator.search([])
            if i.definition().level != 'steering'}
        with Transaction().set_context(company=company.id):
            state, local = Report.create([{
                        'name': "Landescontrolling", 'company': company.id,
                        'kind': 'state', 'year': year,
                        'dimensions': ['kommune', 'target_group',
                            'rechtskreis', 'handlungsfeld', 'access_channel',
                            'closing_reason', 'age_band', 'gender',
                            'residence_status'],
                        }, {
                        'name': "Lenkungsgruppe", 'company': company.id,
                        'year': year, 'dimensions': ['team'],
                        'crossings': [('create', [
                                    {'first': 'kommune',
                                        'second': 'rechtskreis'},
                                    {'first': 'kommune',
                                        'second': 'age_band'},
                                    {'first': 'gender',
                                        'second': 'age_band'},
                                    ])],
                        }])
            Report.compute([state, local])
        hidden = 0
        for report in [board, state, local]:
            report = Report(report.id)
            self.assertTrue(report.lines)
            hidden += self.check(report, definitions, report.min_cell)
        self.assertGreater(hidden, 100)
