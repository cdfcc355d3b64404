# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
import datetime as dt
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.modules.kim_network.tests.tools import create_organisation
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class KimReportingTestCase(CompanyTestMixin, ModuleTestCase):
    "Test KIM Reporting module"
    module = 'kim_reporting'

    @property
    def _skip_company_rule(self):
        # the company of the steering work attributes it for the
        # Kennzahlen; access to it stays with kim_steering's rules
        return super()._skip_company_rule | {
            ('kim.committee', 'company'),
            ('kim.topic', 'company'),
            ('kim.barrier_report', 'company'),
            }

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

    def decision(self, company, baustein, **values):
        Decision = Pool().get('kim.funding.decision')
        year = dt.date.today().year - 1
        authority, = Pool().get('party.party').create([{'name': "BezReg"}])
        decision, = Decision.create([dict({
                        'company': company.id, 'baustein': baustein.id,
                        'year': year, 'date': dt.date(year, 1, 15),
                        'authority': authority.id, 'file_number': '36-1',
                        'amount': Decimal('57000'),
                        'eligible_vzae': Decimal('1'),
                        'period_start': dt.date(year, 1, 1),
                        'period_end': dt.date(year, 12, 31),
                        }, **values)])
        return decision

    @with_transaction()
    def test_forwarding_needs_signed_agreement(self):
        "A Weiterleitung is paid only under a signed Weiterleitungsvertrag"
        pool = Pool()
        Baustein = pool.get('kim.funding.baustein')
        Decision = pool.get('kim.funding.decision')
        Agreement = pool.get('kim.cooperation_agreement')
        Forwarding = pool.get('kim.funding.forwarding')
        company = create_company()
        ki = create_organisation("KI", 'KI')
        drk = create_organisation("DRK", 'WOHLFAHRT')
        other = create_organisation("AWO", 'WOHLFAHRT')
        b2, = Baustein.search([('code', '=', '2')])
        with set_company(company):
            decision = self.decision(company, b2)
            Decision.grant([decision])
            agreement, = Agreement.create([{
                        'name': "Weiterleitung", 'type': 'forwarding',
                        'office': ki.id, 'partners': [('add', [drk.id])]}])
            with self.assertRaises(ValidationError) as cm:
                Forwarding.create([{
                            'company': company.id, 'decision': decision.id,
                            'recipient': other.id, 'agreement': agreement.id,
                            'amount': Decimal('1000')}])
            self.assertIn('Weiterleitungsvertrag', cm.exception.message)
            forwarding, = Forwarding.create([{
                        'company': company.id, 'decision': decision.id,
                        'recipient': drk.id, 'agreement': agreement.id,
                        'amount': Decimal('57000')}])
            with self.assertRaises(UserError) as cm:
                Forwarding.pay([forwarding])
            self.assertIn('signed', cm.exception.message)
            self.assertEqual(forwarding.state, 'draft')
            # a Nachforderung keeps the check open for documents
            Agreement.write([agreement], {
                    'shared_handlungsfelder': [('add', [
                                pool.get('kim.handlungsfeld').search(
                                    [], limit=1)[0].id])]})
            Agreement.sign([agreement])
            Forwarding.pay([forwarding])
            forwarding.proof_spent = Decimal('50000')
            forwarding.check_result = 'additional'
            forwarding.save()
            Forwarding.receive_proof([forwarding])
            Forwarding.check([forwarding])
            self.assertEqual(forwarding.check_result, 'additional')
            self.assertIsNone(forwarding.repayment_amount)
            with self.assertRaises(UserError):
                Forwarding.delete([forwarding])
            with self.assertRaises(UserError):
                Decision.delete([decision])

    @with_transaction()
    def test_proof_only_computed_in_draft(self):
        "A checked Verwendungsnachweis keeps its numbers"
        pool = Pool()
        Baustein = pool.get('kim.funding.baustein')
        Proof = pool.get('kim.funding.proof')
        company = create_company()
        b1, = Baustein.search([('code', '=', '1')])
        with set_company(company):
            proof, = Proof.create([{'company': company.id,
                        'baustein': b1.id, 'year': 2025}])
            Proof.check([proof])
            self.assertEqual(proof.state, 'checked')
            self.assertTrue(proof.sachbericht)
            self.assertEqual(proof.balance, 0)
            with self.assertRaises(UserError):
                Proof.compute([proof])
            proof.sachbericht = None
            proof.save()
            with self.assertRaises(UserError):
                Proof.submit([proof])
            self.assertEqual(proof.state, 'checked')


del ModuleTestCase
