# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class KimReportingTestCase(CompanyTestMixin, ModuleTestCase):
    "Test KIM Reporting module"
    module = 'kim_reporting'

    @with_transaction()
    def test_board(self):
        "The Lenkungsgruppe board opens its graph and list actions"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        View = pool.get('ir.ui.view')
        ActWindow = pool.get('ir.action.act_window')
        view = View(ModelData.get_id('kim_reporting', 'board_view'))
        arch = view.view_get()['arch']
        names = [n.split('"')[0] for n in arch.split('<action name="')[1:]]
        self.assertEqual(len(names), 4)
        for name in names:
            action = ActWindow.get(name)
            self.assertEqual(action['res_model'],
                'kim.indicator.report.line')
        board = ActWindow.get('kim_reporting.act_board')
        self.assertFalse(board['res_model'])

    @with_transaction()
    def test_rates_shipped(self):
        "The Bausteine and their rates are data, not code"
        pool = Pool()
        Baustein = pool.get('kim.funding.baustein')
        b1, b2, b3 = Baustein.search([], order=[('code', 'ASC')])
        self.assertEqual(b2.get_rate(2022).rate_per_vzae, 55000)
        self.assertEqual(b2.get_rate(2025).rate_per_vzae, 57000)
        self.assertEqual(b1.get_rate(2025).advice_day_cap, 1012)
        self.assertEqual(b1.get_rate(2025).advice_days, 6)
        self.assertEqual(b1.get_rate(2025).exchange_days, 3)
        self.assertIsNone(b1.get_rate(2019))


del ModuleTestCase
