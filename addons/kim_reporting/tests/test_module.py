# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
import datetime as dt
import io
import os
import re
from decimal import Decimal

import trytond.ir
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import ValidationError
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, create_employee, set_company)
from trytond.modules.kim_network.tests.tools import (
    as_user, create_organisation, create_user, load_german)
from trytond.modules.kim_reporting.spreadsheet import read_xlsx
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

D = Decimal


def ref(xml_id):
    return Pool().get('ir.model.data').get_id('kim_reporting', xml_id)


def kind(code):
    return Pool().get('kim.funding.position_kind')(ref('kind_' + code))


def baustein(code):
    return Pool().get('kim.funding.baustein')(ref('baustein_' + code))


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
    def test_conditions_shipped(self):
        """The conditions per Baustein and year are data: rates per position
        kind, funding type, workplace allowance, advice days"""
        b1, b2, b3 = baustein('1'), baustein('2'), baustein('3')
        self.assertEqual(b2.get_rate(2022).rate_per_vzae, 55000)
        self.assertEqual(b2.get_rate(2025).rate_per_vzae, 57000)
        self.assertEqual(kind('coordination').get_rate(2025).amount, 57000)
        assistance = kind('assistance').get_rate(2025)
        self.assertEqual((assistance.amount, assistance.per_vzae),
            (22500, D('0.5')))
        self.assertEqual(assistance.rate_per_vzae, 45000)
        self.assertEqual(kind('abh').get_rate(2020).amount_for(D('0.5')),
            25000)
        self.assertEqual(b1.get_rate(2022).workplace_rate, 9700)
        self.assertEqual(b1.get_rate(2023).workplace_rate, 5700)
        self.assertEqual(b1.get_rate(2025).advice_day_cap, 1012)
        self.assertEqual(b1.get_rate(2025).advice_days, 6)
        self.assertEqual(b1.get_rate(2025).exchange_days, 3)
        self.assertIsNone(b1.get_rate(2019))
        # Baustein 2 is a Pauschale in 2020 and 2021, a Zuwendung from 2022
        self.assertEqual(b2.get_funding_type(2021), 'pauschale')
        self.assertEqual(b2.get_funding_type(2022), 'zuwendung')
        self.assertEqual(b3.get_funding_type(2020), 'pauschale')
        self.assertEqual(b1.get_funding_type(2020), 'zuwendung')

    # --- helpers -----------------------------------------------------------
    def authority(self):
        Party = Pool().get('party.party')
        parties = Party.search([('name', '=', "BezReg Arnsberg")])
        if parties:
            return parties[0]
        party, = Party.create([{'name': "BezReg Arnsberg"}])
        return party

    def decision(self, company, baustein_, year, amount, vzae=None,
            lines=(), **values):
        Decision = Pool().get('kim.funding.decision')
        decision, = Decision.create([dict({
                        'company': company.id, 'baustein': baustein_.id,
                        'year': year, 'date': dt.date(year, 1, 15),
                        'authority': self.authority().id,
                        'file_number': '36.08-%s/%s' % (baustein_.code, year),
                        'amount': D(amount),
                        'eligible_vzae': D(vzae) if vzae else None,
                        'period_start': dt.date(year, 1, 1),
                        'period_end': dt.date(year, 12, 31),
                        'lines': [('create', list(lines))],
                        }, **values)])
        return decision

    def plan(self, company, year, positions):
        Stellenplan = Pool().get('kim.funding.stellenplan')
        plan, = Stellenplan.create([{
                    'company': company.id, 'name': 'Stellenplan %s' % year,
                    'year': year,
                    'positions': [('create', positions)],
                    }])
        return plan

    def position(self, code, baustein_, vzae, employer, employer_kind='ki',
            **values):
        return dict({
                'code': code, 'name': code, 'baustein': baustein_.id,
                'vzae': D(vzae), 'home': employer.id,
                'employer': employer.id, 'employer_kind': employer_kind,
                }, **values)

    def agreement(self, office, partner):
        pool = Pool()
        Agreement = pool.get('kim.cooperation_agreement')
        Handlungsfeld = pool.get('kim.handlungsfeld')
        agreement, = Agreement.create([{
                    'name': "Weiterleitung %s" % partner.name,
                    'type': 'forwarding', 'office': office.id,
                    'partners': [('add', [partner.id])],
                    'shared_handlungsfelder': [('add', [
                                Handlungsfeld.search([], limit=1)[0].id])],
                    }])
        Agreement.sign([agreement])
        return agreement

    # --- the rules ---------------------------------------------------------
    @with_transaction()
    def test_baustein1_bescheid_by_kind(self):
        """Baustein 1 by position kind: 3.5 coordination x 57,000 + 0.5
        Verwaltungsassistenz at 22,500 = 222,000 EUR (funding-rules.md
        lines 26-27 and 34; Wesel W 79, Steinfurt ST 101)"""
        pool = Pool()
        Decision = pool.get('kim.funding.decision')
        Line = pool.get('kim.funding.decision.line')
        company = create_company()
        b1 = baustein('1')
        with set_company(company):
            decision = self.decision(company, b1, 2025, '222000', '4', [
                    {'type': 'position', 'kind': kind('coordination').id,
                        'vzae': D('3.5'), 'amount': D('199500')},
                    {'type': 'position', 'kind': kind('assistance').id,
                        'vzae': D('0.5'), 'amount': D('22500')},
                    ])
            self.assertEqual([l.rate_amount for l in decision.lines],
                [D('199500'), D('22500')])
            self.assertEqual(decision.rate_amount, D('222000'))
            self.assertEqual(decision.plan_amount, D('222000'))
            self.assertEqual(decision.funding_type, 'zuwendung')
            self.assertIsNone(decision.warnings)
            # the proof deadline comes from the year's six months
            self.assertEqual(decision.proof_deadline, dt.date(2026, 6, 30))
            # the eligible VZÄ are the posts of the plan
            with self.assertRaises(ValidationError) as cm:
                Decision.write([decision], {'eligible_vzae': D('4.5')})
            self.assertIn('4.00 VZÄ', cm.exception.message)
            # the old reading 4 x 57,000 = 228,000 exceeds the rates
            Decision.write([decision], {'amount': D('228000')})
            self.assertIn('222000.00', decision.warnings)
            self.assertIn('228000.00', decision.warnings)
            with self.assertRaises(UserWarning):
                Decision.grant([decision])
            self.assertEqual(decision.state, 'draft')
            Decision.write([decision], {'amount': D('222000')})
            Decision.grant([decision])
            self.assertEqual(decision.state, 'granted')
            # the plan of a granted Bescheid is what was decided
            with self.assertRaises(UserError) as cm:
                Line.write([decision.lines[0]], {'amount': D('1')})
            self.assertIn('only be changed in draft', cm.exception.message)
            Decision.draft([decision])
            # a line of the wrong Baustein is refused
            with self.assertRaises(ValidationError):
                Line.create([{'decision': decision.id, 'type': 'position',
                            'kind': kind('case_management').id,
                            'vzae': D('1'), 'amount': D('57000')}])

    @with_transaction()
    def test_vzae_steps_steinfurt(self):
        """0.25 steps: Steinfurt's Baustein 3 Bescheid with 2.25 posts at
        the Kreis and 0.75 at Rheine (seed 004 lines 140-142); coordination
        posts from 0.5 VZÄ only (seed 002 line 252)"""
        pool = Pool()
        Position = pool.get('kim.funding.position')
        company = create_company()
        b1, b3 = baustein('1'), baustein('3')
        abh = create_organisation("ABH Kreis Steinfurt", 'ABH')
        rheine = create_organisation("Stadt Rheine", 'SONSTIGE')
        ki = create_organisation("KI Kreis Steinfurt", 'KI')
        with set_company(company):
            decision = self.decision(company, b3, 2021, '150000', '3', [
                    {'type': 'position', 'kind': kind('abh').id,
                        'vzae': D('2.25'), 'amount': D('112500')},
                    {'type': 'position', 'kind': kind('abh').id,
                        'vzae': D('0.75'), 'amount': D('37500')},
                    ])
            self.assertEqual(decision.rate_amount, D('150000'))
            plan = self.plan(company, 2021, [
                    self.position('ABH-01', b3, '2.25', abh, 'office'),
                    self.position('ABH-02', b3, '0.75', rheine, 'town',
                        forwarded=True, recipient=rheine.id),
                    ])
            self.assertEqual([p.vzae for p in plan.positions],
                [D('2.25'), D('0.75')])
            # the kind defaults to the Baustein's first kind
            self.assertEqual({p.kind for p in plan.positions}, {kind('abh')})
            with self.assertRaises(ValidationError) as cm:
                Position.create([dict(self.position(
                                'K-01', b1, '0.25', ki), stellenplan=plan.id)])
            self.assertIn('from 0.5 VZÄ', cm.exception.message)
            with self.assertRaises(ValidationError) as cm:
                Position.create([dict(self.position(
                                'ABH-03', b3, '0.3', abh, 'office'),
                            stellenplan=plan.id)])
            self.assertIn('multiples of 0.25', cm.exception.message)
            position, = Position.create([dict(self.position(
                            'K-01', b1, '0.75', ki), stellenplan=plan.id)])
            self.assertEqual(position.kind, kind('coordination'))

    @with_transaction()
    def test_entitlement_wesel(self):
        """Baustein 1 entitlement: 3.5 coordination + 0.5 assistance, plus
        1.0 per large Kommune with its own Ausländerbehörde, Jugendamt and
        Integrationsrat (funding-rules.md lines 38-39; seed 002 line 252):
        Wesel's Dinslaken, Moers and Wesel give 6.5 (seed 000 line 65)"""
        pool = Pool()
        Kommune = pool.get('kim.kommune')
        company = create_company()
        b1 = baustein('1')
        Kommune.create([{
                    'name': name, 'ags': ags, 'size_class': size,
                    'has_auslaenderbehoerde': True, 'has_jugendamt': True,
                    'has_integrationsrat': council,
                    } for name, ags, size, council in [
                    ("Dinslaken", '05170008', 'large', True),
                    ("Moers", '05170024', 'large', True),
                    ("Wesel", '05170048', 'large', True),
                    # no Integrationsrat: no further post
                    ("Voerde", '05170044', 'large', False),
                    ("Hamminkeln", '05170020', 'medium', True),
                    ]])

        def lines(coordination, assistance='0.5'):
            return [
                {'type': 'position', 'kind': kind('coordination').id,
                    'vzae': D(coordination),
                    'amount': 57000 * D(coordination)},
                {'type': 'position', 'kind': kind('assistance').id,
                    'vzae': D(assistance), 'amount': D('22500')},
                ]
        with set_company(company):
            # 3.5 + 3 x 1.0 forwarded to the three towns, 0.5 assistance
            decision = self.decision(company, b1, 2025, '393000', '7',
                lines('6.5'))
            self.assertEqual(decision.check_entitlement(), [])
            too_many = self.decision(company, b1, 2025, '450000', '8',
                lines('7.5'), file_number='36.08-1b/2025')
            message, = too_many.check_entitlement()
            self.assertIn('7.50 VZÄ', message)
            self.assertIn('6.50 VZÄ', message)
            self.assertIn('Dinslaken, Moers, Wesel', message)
            self.assertNotIn('Voerde', message)
            assistance = self.decision(company, b1, 2025, '267000', '5',
                lines('3.5', '1.5'), file_number='36.08-1c/2025')
            message, = assistance.check_entitlement()
            self.assertIn('Verwaltungsassistenz', message)

    @with_transaction()
    def test_entitlement_without_large_kommunen(self):
        "Without such Kommunen the Kreis gets 3.5 + 0.5 (Coesfeld 2023)"
        company = create_company()
        with set_company(company):
            decision = self.decision(company, baustein('1'), 2023, '228000',
                '4')
            self.assertEqual(decision.check_entitlement(), [])
            decision.eligible_vzae = D('5')
            decision.amount = D('285000')
            decision.save()
            message, = decision.check_entitlement()
            self.assertIn('4.00 VZÄ', message)

    @with_transaction()
    def test_workplace_allowance(self):
        """The workplace allowance per VZÄ (9,700 EUR until 2022, 5,700 EUR
        from 2023; funding-rules.md line 28) in the plan and as the cap of
        the workplace costs in the proof"""
        pool = Pool()
        Cost = pool.get('kim.funding.cost')
        Proof = pool.get('kim.funding.proof')
        company = create_company()
        b1 = baustein('1')
        workplace = pool.get('kim.funding.cost_category')(
            ref('cost_category_workplace'))
        self.assertEqual(workplace.kind, 'workplace')
        with set_company(company):
            for year, rate in [(2022, 9700), (2023, 5700)]:
                decision = self.decision(company, b1, year,
                    2 * rate + 57000, '1', [
                        {'type': 'position',
                            'kind': kind('coordination').id,
                            'vzae': D('1'), 'amount': D('57000')},
                        {'type': 'workplace', 'vzae': D('2'),
                            'amount': D(2 * rate)},
                        ])
                workplace_line = decision.lines[1]
                self.assertEqual(workplace_line.rate_amount, 2 * rate)
            Cost.create([{
                        'company': company.id, 'baustein': b1.id,
                        'date': dt.date(2023, 3, 1), 'category': workplace.id,
                        'description': "Arbeitsplätze", 'amount': D('12000'),
                        }])
            proof, = Proof.create([{'company': company.id,
                        'baustein': b1.id, 'year': 2023,
                        'decision': decision.id}])
            Proof.compute([proof])
            lines = {l.code: l for l in proof.lines}
            self.assertEqual(lines['workplace'].planned, D('11400'))
            self.assertEqual(lines['workplace'].amount, D('11400'))
            self.assertEqual(lines['workplace_excess'].amount, D('600'))
            self.assertEqual(lines['spent'].amount, D('11400'))

    @with_transaction()
    def test_forwarding_caps(self):
        """Weiterleitung capped at the rate x VZÄ, at the Bescheid's amount
        and, at the check, at the recipient's proven costs
        (funding-rules.md lines 45-46)"""
        pool = Pool()
        Decision = pool.get('kim.funding.decision')
        Forwarding = pool.get('kim.funding.forwarding')
        company = create_company()
        ki = create_organisation("KI", 'KI')
        drk = create_organisation("DRK", 'WOHLFAHRT')
        b2 = baustein('2')
        with set_company(company):
            decision = self.decision(company, b2, 2025, '114000', '2',
                forwarding_consent=True)
            Decision.grant([decision])
            agreement = self.agreement(ki, drk)

            def forward(vzae, amount):
                forwarding, = Forwarding.create([{
                            'company': company.id, 'decision': decision.id,
                            'recipient': drk.id, 'agreement': agreement.id,
                            'vzae': D(vzae), 'amount': D(amount)}])
                return forwarding
            first = forward('1', '57000')
            self.assertEqual(first.kind, kind('case_management'))
            self.assertEqual(first.rate_cap, D('57000'))
            Forwarding.pay([first])
            # the recipient proves more than the rate: nothing to pay back
            first.proof_spent = D('60000')
            first.save()
            Forwarding.receive_proof([first])
            self.assertEqual(first.allowed_amount, D('57000'))
            Forwarding.check([first])
            self.assertEqual(first.check_result, 'checked')
            self.assertIsNone(first.repayment_amount)
            # less than forwarded: the difference is claimed back
            Forwarding.receive_proof([first])
            first.proof_spent = D('52500')
            first.check_result = None
            first.save()
            Forwarding.check([first])
            self.assertEqual(first.check_result, 'repayment')
            self.assertEqual(first.repayment_amount, D('4500'))
            forward('1', '50000')
            # (a refused create leaves its row in the test transaction, so
            # the refusals come last)
            with self.assertRaises(ValidationError) as cm:
                forward('0.25', '14250')
            self.assertIn('121250.00', cm.exception.message)
            with self.assertRaises(ValidationError) as cm:
                forward('1', '60000')
            self.assertIn('57000.00', cm.exception.message)

    @with_transaction()
    def test_forwarding_consent(self):
        """A Weiterleitung needs the authority's consent unless the Bescheid
        permits it (funding-rules.md lines 48-49); an unsigned
        Weiterleitungsvertrag refuses the payment"""
        pool = Pool()
        Decision = pool.get('kim.funding.decision')
        Agreement = pool.get('kim.cooperation_agreement')
        Forwarding = pool.get('kim.funding.forwarding')
        company = create_company()
        ki = create_organisation("KI", 'KI')
        drk = create_organisation("DRK", 'WOHLFAHRT')
        other = create_organisation("AWO", 'WOHLFAHRT')
        b2 = baustein('2')
        with set_company(company):
            decision = self.decision(company, b2, 2025, '57000', '1')
            Decision.grant([decision])
            agreement, = Agreement.create([{
                        'name': "Weiterleitung", 'type': 'forwarding',
                        'office': ki.id, 'partners': [('add', [drk.id])]}])
            forwarding, = Forwarding.create([{
                        'company': company.id, 'decision': decision.id,
                        'recipient': drk.id, 'agreement': agreement.id,
                        'vzae': D('1'), 'amount': D('57000'),
                        'proof_deadline': dt.date(2026, 3, 31)}])
            with self.assertRaises(UserError) as cm:
                Forwarding.pay([forwarding])
            self.assertIn('signed', cm.exception.message)
            Agreement.write([agreement], {
                    'shared_handlungsfelder': [('add', [
                                pool.get('kim.handlungsfeld').search(
                                    [], limit=1)[0].id])]})
            Agreement.sign([agreement])
            with self.assertRaises(UserWarning) as cm:
                Forwarding.pay([forwarding])
            self.assertIn('consent', cm.exception.message)
            self.assertEqual(forwarding.state, 'draft')
            forwarding.consent_date = dt.date(2025, 2, 1)
            forwarding.consent_reference = "36.08.01 Zustimmung"
            forwarding.save()
            Forwarding.pay([forwarding])
            self.assertEqual(forwarding.state, 'paid')
            # a Nachforderung keeps the check open for documents
            forwarding.proof_spent = D('50000')
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
            with self.assertRaises(ValidationError) as cm:
                Forwarding.create([{
                            'company': company.id, 'decision': decision.id,
                            'recipient': other.id, 'agreement': agreement.id,
                            'vzae': D('1'), 'amount': D('1000')}])
            self.assertIn('Weiterleitungsvertrag', cm.exception.message)

    @with_transaction()
    def test_placement_rules(self):
        """Per post: case management with a welfare organisation needs a
        justification and the proof that it is "nachweisbar außerhalb des
        Personaltableaus der JMD und MBE" (seed 002 line 280, seed 004 line
        133); coordination outside the KI needs the state's approval
        (seed 002 line 248), except posts forwarded to a town"""
        pool = Pool()
        Position = pool.get('kim.funding.position')
        Stellenplan = pool.get('kim.funding.stellenplan')
        company = create_company()
        ki = create_organisation("KI", 'KI')
        office = create_organisation("Sozialamt", 'SOZIALAMT')
        town = create_organisation("Stadt Moers", 'SONSTIGE')
        caritas = create_organisation("Caritas", 'WOHLFAHRT')
        b1, b2 = baustein('1'), baustein('2')
        with set_company(company):
            plan = self.plan(company, 2025, [
                    self.position('K-01', b1, '1', ki),
                    self.position('K-02', b1, '1', office, 'office'),
                    self.position('K-03', b1, '1', town, 'town',
                        forwarded=True, recipient=town.id),
                    self.position('CM-01', b2, '1', ki),
                    self.position('CM-02', b2, '1', caritas, 'welfare'),
                    ])
            messages = plan.check_rules()
            self.assertEqual(len(messages), 3, messages)
            # in the order of the position numbers
            self.assertIn('CM-02', messages[0])
            self.assertIn('justification', messages[0])
            self.assertIn('Personaltableaus', messages[1])
            self.assertIn('K-02', messages[2])
            self.assertIn('Ausnahmegenehmigung', messages[2])
            cm2, k2 = [p for p in plan.positions
                if p.code in {'K-02', 'CM-02'}]
            Position.write([k2], {'approval_date': dt.date(2025, 1, 10),
                    'approval_reference': "MKJFGFI 2025-17"})
            Position.write([cm2], {
                    'justification': "Beratungsstellen vor Ort",
                    'jmd_mbe_outside': True})
            # ticked without the document is not enough
            plan = Stellenplan(plan.id)
            self.assertEqual(len(plan.check_rules()), 1)
            Position.write([cm2], {'jmd_mbe_proof': b'%PDF-1.4',
                    'jmd_mbe_proof_name': 'Stellenplan_Caritas.pdf'})
            plan = Stellenplan(plan.id)
            self.assertEqual(plan.check_rules(), [])

    @with_transaction()
    def test_double_funding(self):
        """A post's funding sources together at most 100 % (§ 9 (4) TIntG
        NRW, funding-rules.md line 10; seed 004 line 89)"""
        pool = Pool()
        Position = pool.get('kim.funding.position')
        Programme = pool.get('kim.funding.programme')
        company = create_company()
        ki = create_organisation("KI", 'KI')
        kim, = Programme.search([('code', '=', 'KIM')])
        gk, = Programme.search([('code', '=', 'GK')])
        with set_company(company):
            plan = self.plan(company, 2025, [
                    self.position('CM-01', baustein('2'), '1', ki)])
            position, = plan.positions
            Position.write([position], {'funding_sources': [('create', [
                                {'programme': kim.id, 'share': D('0.7')},
                                {'programme': gk.id, 'share': D('0.3')},
                                ])]})
            with self.assertRaises(ValidationError) as cm:
                Position.write([position], {'funding_sources': [('create', [
                                    {'programme': gk.id,
                                        'share': D('0.1')}])]})
            self.assertIn('110.00 %', cm.exception.message)

    # --- the Verwendungsnachweis ------------------------------------------
    def zuwendung_b2(self, company):
        """Baustein 2, Bescheid of 2024 for 01.07.2024 - 30.06.2025 (not the
        calendar year): plan 2.0 VZÄ case management 114,000 and Sachkosten
        3,000; one own post at 5,000 a month, one forwarded post"""
        pool = Pool()
        Decision = pool.get('kim.funding.decision')
        Forwarding = pool.get('kim.funding.forwarding')
        Cost = pool.get('kim.funding.cost')
        ki = create_organisation("KI", 'KI')
        drk = create_organisation("DRK", 'WOHLFAHRT')
        b2 = baustein('2')
        material = pool.get('kim.funding.cost_category')(
            ref('cost_category_material'))
        event = pool.get('kim.funding.cost_category')(
            ref('cost_category_event'))
        decision = self.decision(company, b2, 2024, '117000', '2', [
                {'type': 'position', 'kind': kind('case_management').id,
                    'vzae': D('2'), 'amount': D('114000')},
                {'type': 'cost', 'category': material.id,
                    'amount': D('3000')},
                ],
            period_start=dt.date(2024, 7, 1), period_end=dt.date(2025, 6, 30),
            interim_deadline=dt.date(2025, 4, 30),
            forwarding_consent=True,
            payments=[('create', [
                        {'date': dt.date(2024, 8, 1), 'amount': D('60000')},
                        {'date': dt.date(2025, 2, 1), 'amount': D('54000')},
                        ])])
        Decision.grant([decision])
        employee_a = create_employee(company, "Eva")
        employee_b = create_employee(company, "Nina")
        agreement = self.agreement(ki, drk)
        for year in (2024, 2025):
            plan = self.plan(company, year, [
                    self.position('CM-01', b2, '1', ki, occupancies=[
                            ('create', [{'employee': employee_a.id,
                                        'share': D('1'),
                                        'start_date': dt.date(2024, 1, 1),
                                        'monthly_cost': D('5000')}])]),
                    self.position('CM-02', b2, '1', drk, 'welfare',
                        forwarded=True, recipient=drk.id,
                        forwarding_agreement=agreement.id,
                        justification="Beratung vor Ort im Nordkreis",
                        jmd_mbe_outside=True, jmd_mbe_proof=b'%PDF-1.4',
                        jmd_mbe_proof_name='Erklaerung_DRK.pdf',
                        occupancies=[
                            ('create', [{'employee': employee_b.id,
                                        'share': D('1'),
                                        'start_date': dt.date(2024, 1, 1),
                                        'monthly_cost': D('4800')}])]),
                    ])
            pool.get('kim.funding.stellenplan').confirm([plan])
        Cost.create([{
                    'company': company.id, 'baustein': b2.id, 'date': date,
                    'category': category.id, 'description': "Kosten",
                    'amount': D(amount),
                    } for date, category, amount in [
                    (dt.date(2024, 6, 1), material, '1000'),  # before
                    (dt.date(2024, 9, 1), material, '2000'),
                    (dt.date(2025, 3, 1), material, '500'),
                    (dt.date(2025, 2, 1), event, '400'),  # not planned
                    (dt.date(2025, 7, 1), material, '700'),  # after
                    ]])
        forwarding, = Forwarding.create([{
                    'company': company.id, 'decision': decision.id,
                    'recipient': drk.id, 'agreement': agreement.id,
                    'vzae': D('1'), 'amount': D('57000'),
                    'payment_date': dt.date(2024, 8, 1)}])
        Forwarding.pay([forwarding])
        forwarding.proof_spent = D('55000')
        forwarding.save()
        Forwarding.receive_proof([forwarding])
        Forwarding.check([forwarding])
        self.assertEqual(forwarding.repayment_amount, D('2000'))
        return decision

    @with_transaction()
    def test_proof_reconciles(self):
        """The Verwendungsnachweis of a Zuwendung for the period of the
        Bescheid against a hand calculation: plan against actual per item,
        VZÄ and costs of the same posts per month"""
        pool = Pool()
        Proof = pool.get('kim.funding.proof')
        company = create_company()
        with set_company(company):
            decision = self.zuwendung_b2(company)
            proof, = Proof.create([{'company': company.id,
                        'baustein': decision.baustein.id, 'year': 2024,
                        'decision': decision.id}])
            self.assertEqual((proof.period_start, proof.period_end),
                (dt.date(2024, 7, 1), dt.date(2025, 6, 30)))
            self.assertEqual(proof.funding_type, 'zuwendung')
            self.assertEqual(proof.deadline, dt.date(2025, 12, 30))
            Proof.compute([proof])
            lines = proof.lines
            by_code = {}
            for line in lines:
                by_code.setdefault(line.code, []).append(line)
            self.assertEqual(by_code['received'][0].amount, D('114000'))
            self.assertEqual(by_code['granted'][0].amount, D('117000'))
            self.assertEqual(by_code['forwarded_net'][0].amount, D('55000'))
            # by hand: own post 12 months x 5,000 = 60,000, with the
            # forwarded 57,000 - 2,000 paid back: 115,000 against 114,000
            position, = by_code['position']
            self.assertEqual((position.planned, position.amount,
                    position.quantity), (D('114000'), D('115000'), D('2')))
            material, event = by_code['cost']
            self.assertEqual((material.planned, material.amount),
                (D('3000'), D('2500')))
            self.assertEqual((event.planned, event.amount),
                (None, D('400')))
            spent, = by_code['spent']
            self.assertEqual((spent.planned, spent.amount),
                (D('117000'), D('117900')))
            self.assertEqual(by_code['balance'][0].amount, D('-3900'))
            self.assertEqual(by_code['repayment'][0].amount, D('0'))
            self.assertEqual(proof.balance, D('-3900'))
            # twelve months July to June; VZÄ and costs of the own post
            filled = by_code['filled']
            self.assertEqual([l.month for l in filled][:2],
                [dt.date(2024, 7, 1), dt.date(2024, 8, 1)])
            self.assertEqual(filled[-1].month, dt.date(2025, 6, 1))
            self.assertEqual({(l.quantity, l.amount) for l in filled},
                {(D('1'), D('5000'))})
            self.assertEqual(sum(l.amount for l in filled), D('60000'))
            self.assertEqual({l.quantity for l in by_code['filled_forwarded']},
                {D('1')})
            self.assertEqual(by_code['positions'][0].quantity, D('2'))
            self.assertEqual(
                by_code['positions_forwarded'][0].quantity, D('1'))
            self.assertEqual(filled[0].name,
                "Filled VZÄ and personnel costs of the own posts 07/2024")

    @with_transaction()
    def test_interim_proof(self):
        """The Zwischennachweis covers the part of the period up to its end:
        payments, Weiterleitungen and costs until then"""
        pool = Pool()
        Proof = pool.get('kim.funding.proof')
        company = create_company()
        with set_company(company):
            decision = self.zuwendung_b2(company)
            proof, = Proof.create([{'company': company.id, 'kind': 'interim',
                        'baustein': decision.baustein.id, 'year': 2024,
                        'decision': decision.id}])
            self.assertEqual(proof.period_end, dt.date(2024, 12, 31))
            self.assertEqual(proof.deadline, dt.date(2025, 4, 30))
            Proof.compute([proof])
            amounts = {l.code: l.amount for l in proof.lines
                if l.code not in {'filled', 'filled_forwarded', 'cost'}}
            # 60,000 received; 6 x 5,000 + 55,000 + 2,000 Sachkosten
            self.assertEqual(amounts['received'], D('60000'))
            self.assertEqual(amounts['position'], D('85000'))
            self.assertEqual(amounts['spent'], D('87000'))
            self.assertEqual(amounts['balance'], D('-27000'))
            self.assertEqual(
                len([l for l in proof.lines if l.code == 'filled']), 6)
            with self.assertRaises(UserError):
                Proof.write([proof], {'period_end': dt.date(2025, 6, 30)})

    @with_transaction()
    def test_pauschale_proof(self):
        """A Pauschale (Baustein 2 in 2021) is proven by the filled posts:
        1.0 post all year and 1.0 post for six months are 1.5 VZÄ-years x
        55,000 = 82,500 EUR of 110,000 received"""
        pool = Pool()
        Decision = pool.get('kim.funding.decision')
        Proof = pool.get('kim.funding.proof')
        company = create_company()
        ki = create_organisation("KI", 'KI')
        b2 = baustein('2')
        with set_company(company):
            decision = self.decision(company, b2, 2021, '110000', '2',
                payments=[('create', [{'date': dt.date(2021, 3, 1),
                                'amount': D('110000')}])])
            self.assertEqual(decision.funding_type, 'pauschale')
            Decision.grant([decision])
            eva = create_employee(company, "Eva")
            ali = create_employee(company, "Ali")
            plan = self.plan(company, 2021, [
                    self.position('CM-01', b2, '1', ki, occupancies=[
                            ('create', [{'employee': eva.id, 'share': D('1'),
                                        'start_date': dt.date(2021, 1, 1),
                                        'monthly_cost': D('5000')}])]),
                    self.position('CM-02', b2, '1', ki, occupancies=[
                            ('create', [{'employee': ali.id, 'share': D('1'),
                                        'start_date': dt.date(2021, 7, 1),
                                        'monthly_cost': D('4500')}])]),
                    ])
            pool.get('kim.funding.stellenplan').confirm([plan])
            proof, = Proof.create([{'company': company.id,
                        'baustein': b2.id, 'year': 2021,
                        'decision': decision.id}])
            Proof.compute([proof])
            sections = {l.section for l in proof.lines}
            self.assertNotIn('expense', sections)
            self.assertIn('pauschale', sections)
            amounts = {l.code: (l.quantity, l.amount) for l in proof.lines}
            self.assertEqual(amounts['pauschale'], (D('1.5'), D('82500')))
            self.assertEqual(amounts['earned'][1], D('82500'))
            self.assertEqual(amounts['balance'][1], D('27500'))
            self.assertEqual(proof.spent, D('82500'))

    @with_transaction()
    def test_proof_only_computed_in_draft(self):
        "A checked Verwendungsnachweis keeps its numbers; received is 0"
        pool = Pool()
        Proof = pool.get('kim.funding.proof')
        company = create_company()
        b1 = baustein('1')
        with set_company(company):
            proof, = Proof.create([{'company': company.id,
                        'baustein': b1.id, 'year': 2025}])
            Proof.check([proof])
            self.assertEqual(proof.state, 'checked')
            self.assertTrue(proof.sachbericht)
            self.assertEqual(proof.balance, 0)
            self.assertEqual(proof.received, 0)
            with self.assertRaises(UserError):
                Proof.compute([proof])
            proof.sachbericht = None
            proof.save()
            with self.assertRaises(UserError):
                Proof.submit([proof])
            self.assertEqual(proof.state, 'checked')

    @with_transaction()
    def test_proof_german(self):
        """The PDF and the spreadsheet are German: headings, sections, line
        names, cost categories, Kennzahlen, dd.mm.yyyy dates, 0,00"""
        pool = Pool()
        Proof = pool.get('kim.funding.proof')
        ProofReport = pool.get('kim.funding.proof', type='report')
        ActionReport = pool.get('ir.action.report')
        Spreadsheet = pool.get('kim.funding.proof.xlsx', type='report')
        for module in ['kim_network', 'kim_reporting']:
            load_german(module)
        # the month names of ir
        pool.get('ir.translation').translation_import('de', 'ir',
            os.path.join(os.path.dirname(trytond.ir.__file__), 'locale',
                'de.po'))
        company = create_company()
        with set_company(company):
            decision = self.zuwendung_b2(company)
            proof, = Proof.create([{'company': company.id,
                        'baustein': decision.baustein.id, 'year': 2024,
                        'decision': decision.id}])
            empty, = Proof.create([{'company': company.id,
                        'baustein': baustein('1').id, 'year': 2024}])
            with Transaction().set_context(language='de'):
                Proof.compute([proof, empty])
            self.assertIn('Neuaufnahmen', proof.sachbericht)
            self.assertIn('01.07.2024 - 30.06.2025', proof.sachbericht)
            action, = ActionReport.search([
                    ('report_name', '=', 'kim.funding.proof')])
            with Transaction().set_context(language='de'):
                records = Proof.browse([proof.id, empty.id])
                context = ProofReport.get_context(records, {}, {})
                html = ProofReport.render(action, context)
            text = re.sub(r'<[^>]+>', ' ', html).replace('\xa0', ' ')
            for english in ['Income', 'Own Expenses', 'Result', 'Positions',
                    'Section', 'Item', 'Amount', 'Draft', 'Period',
                    'Signature', 'Authority', 'Number', 'Submitted',
                    'New Intakes', 'cost_', 'SACHKOSTEN', 'Filled',
                    'Workshops, Fachtagungen, Events', 'Personnel',
                    'Planned', 'Actual', 'Month', 'July', 'Total',
                    'What was done', 'Funding Type', 'Zuwendung (by']:
                self.assertNotIn(english, text)
            for german in ['Einnahmen', 'Ergebnis', 'Zuwendungsempfänger',
                    'Bewilligungszeitraum', '01.07.2024 - 30.06.2025',
                    'Vorzulegen bis', '30.12.2025', '114.000,00',
                    '-3.900,00', 'Sonstige Sachkosten', 'Entwurf',
                    'Juli 2024', 'Personalausgaben Case Management',
                    'Zuwendung (auf Antrag)', 'Durchgeführte Maßnahmen',
                    'Neuaufnahmen']:
                self.assertIn(german, text)
            # received without payments prints 0,00
            self.assertRegex(text, r'Erhaltene Mittel\s+0,00')
            # dates as dd.mm.yyyy, never ISO (issue 17)
            self.assertNotRegex(text, r'\d{4}-\d{2}-\d{2}')
            # the lines of VZÄ have no currency sign in the client
            vzae = [l for l in proof.lines if l.code == 'positions']
            self.assertTrue(vzae)
            self.assertTrue(all(l.currency is None for l in vzae))
            self.assertTrue(all(l.currency for l in proof.lines
                    if l.amount is not None))
            oext, content, _, _ = Spreadsheet.execute([proof.id], {})
            self.assertEqual(oext, 'xlsx')
            sheet, = read_xlsx(content).values()
            header = sheet[6]
            self.assertEqual(header[:3], ['Abschnitt', 'Position',
                    'VZÄ / Tage'])
            self.assertEqual(sheet[4][1:], [dt.date(2024, 7, 1),
                    dt.date(2025, 6, 30)])
            balance, = [r for r in sheet
                if len(r) > 1 and str(r[1]).startswith('Überschuss')]
            self.assertEqual(balance[4], D('-3900'))
            from openpyxl import load_workbook
            worksheet = load_workbook(io.BytesIO(content)).active
            self.assertEqual(worksheet.freeze_panes, 'A8')
            self.assertEqual(worksheet['E9'].number_format, '#,##0.00')
            self.assertEqual(worksheet['B5'].number_format, 'DD.MM.YYYY')
            self.assertTrue(worksheet['A7'].font.bold)
            self.assertGreater(worksheet.column_dimensions['B'].width, 40)

    @with_transaction()
    def test_reminder(self):
        """The daily job reminds the finance users of the company of the
        proofs due within the reminder days (42 by default) and of the
        recipients' overdue proofs, at most once a week"""
        pool = Pool()
        Decision = pool.get('kim.funding.decision')
        Forwarding = pool.get('kim.funding.forwarding')
        Notification = pool.get('res.notification')
        Proof = pool.get('kim.funding.proof')
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        company = create_company()
        other = create_company("Other")
        finance = create_user('fin', [('kim_reporting', 'group_finance')],
            company)
        create_user('fin_other', [('kim_reporting', 'group_finance')],
            other)
        create_user('coord', [('kim_network', 'group_kim_coordination')],
            company)
        with set_company(company):
            decision = self.zuwendung_b2(company)
            checked, = Forwarding.search([])
            # a second Weiterleitung whose recipient is late with its proof
            late, = Forwarding.copy([checked], {
                    'vzae': D('0.5'), 'amount': D('28500'),
                    'payment_date': dt.date(2024, 9, 1),
                    'proof_deadline': dt.date(2025, 3, 31)})
            Forwarding.pay([late])
        self.assertEqual(Decision.remind_proof_due(dt.date(2025, 10, 1)),
            [decision])
        # the finance users of the company (and the administrator, who is
        # in every group), not those of the other company
        notification, = Notification.search([('user', '=', finance.id)])
        self.assertEqual(Notification.search([], count=True), 2)
        # the Zwischennachweis and the recipient's proof are overdue, the
        # Verwendungsnachweis is not yet due within 42 days
        self.assertIn(lang.strftime(dt.date(2025, 4, 30)),
            notification.description)
        self.assertIn(lang.strftime(dt.date(2025, 3, 31)),
            notification.description)
        self.assertNotIn(lang.strftime(dt.date(2025, 12, 30)),
            notification.description)
        self.assertEqual(notification.model, 'kim.funding.decision')
        # again within a week: nothing
        self.assertEqual(Decision.remind_proof_due(dt.date(2025, 10, 5)), [])
        self.assertEqual(Decision.remind_proof_due(dt.date(2025, 11, 20)),
            [decision])
        self.assertIn(lang.strftime(dt.date(2025, 12, 30)),
            Notification.search([('user', '=', finance.id)],
                order=[('id', 'DESC')])[0].description)
        # submitted proofs and a received recipient's proof end them
        with set_company(company):
            for kind_ in ['interim', 'final']:
                proof, = Proof.create([{'company': company.id,
                            'kind': kind_, 'baustein': decision.baustein.id,
                            'year': 2024, 'decision': decision.id,
                            'sachbericht': "Bericht"}])
                Proof.check([proof])
                Proof.submit([proof])
            late.proof_spent = D('28500')
            late.save()
            Forwarding.receive_proof([late])
        self.assertEqual(Decision.remind_proof_due(dt.date(2025, 12, 20)),
            [])
        self.assertEqual(Notification.search([], count=True), 4)

    @with_transaction()
    def test_finance_access(self):
        """The finance user of a company creates and reads Bescheide with
        their plan, Stellenpläne, Verwendungsnachweise; coordination only
        reads"""
        pool = Pool()
        Decision = pool.get('kim.funding.decision')
        Stellenplan = pool.get('kim.funding.stellenplan')
        Proof = pool.get('kim.funding.proof')
        company = create_company()
        finance = create_user('fin', [('kim_reporting', 'group_finance')],
            company)
        coordination = create_user('coord',
            [('kim_network', 'group_kim_coordination')], company)
        ki = create_organisation("KI", 'KI')
        b1 = baustein('1')
        with as_user(finance), \
                Transaction().set_context(company=company.id):
            decision = self.decision(company, b1, 2025, '222000', '4', [
                    {'type': 'position', 'kind': kind('coordination').id,
                        'vzae': D('3.5'), 'amount': D('199500')},
                    {'type': 'position', 'kind': kind('assistance').id,
                        'vzae': D('0.5'), 'amount': D('22500')},
                    ])
            Decision.grant([decision])
            plan = self.plan(company, 2025, [
                    self.position('K-01', b1, '1', ki)])
            proof, = Proof.create([{'company': company.id,
                        'baustein': b1.id, 'year': 2025,
                        'decision': decision.id}])
            Proof.compute([proof])
            self.assertEqual(Decision.search([], count=True), 1)
            self.assertTrue(proof.lines)
        with as_user(coordination), \
                Transaction().set_context(company=company.id):
            self.assertEqual(len(Stellenplan.search([])), 1)
            self.assertEqual(Decision(decision.id).rate_amount, D('222000'))
            with self.assertRaises(UserError):
                Decision.write([Decision(decision.id)], {'conditions': 'x'})
        del plan


del ModuleTestCase
