# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Kennzahlen on a fixed small data set with hand-counted values, the
suppression of small cells, the exports and who may see what."""
import csv
import datetime as dt
import io
from decimal import Decimal

import unittest

from trytond.model.exceptions import AccessError

from trytond.modules.company.tests import (
    create_company, create_employee, set_company)
from trytond.modules.kim_network.tests.tools import (
    FreshDatabaseMixin, as_user, attach_scan, codes, create_organisation,
    create_user, load_german)
from trytond.modules.kim_reporting.exceptions import (
    IndicatorValidationError)
from trytond.modules.kim_reporting.spreadsheet import read_xlsx
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

Y = dt.date.today().year - 1


def d(month, day, year=Y):
    return dt.date(year, month, day)


def ts(month, day, minutes=0, year=Y):
    return dt.datetime(year, month, day, 9, 0) + dt.timedelta(
        minutes=minutes)


def create_dataset(company, employee):
    """Eight cases in two Kommunen (see the table in the test docstrings).
    Return {name: record}."""
    pool = Pool()
    Party = pool.get('party.party')
    Kommune = pool.get('kim.kommune')
    Case = pool.get('kim.case')
    Contact = pool.get('kim.case.contact')
    Plan = pool.get('kim.case.plan')
    Goal = pool.get('kim.case.plan.goal')
    Event = pool.get('kim.case.event')
    nord, sued = Kommune.create([
            {'name': "Nordstadt", 'ags': '05999001'},
            {'name': "Südstadt", 'ags': '05999002'},
            ])
    asyl, p24 = codes('kim.target_group', 'ASYL', 'P24')
    sprache, arbeit, wohnen = codes('kim.handlungsfeld',
        'SPRACHE', 'ARBEIT', 'WOHNEN')
    goal_reached, = codes('kim.closing_reason', 'ZIEL')
    # name: (opened, kommune, target groups, gender, birth year, state)
    spec = [
        ('c1', d(1, 10), nord, [asyl], 'female', Y - 30, 'implementation'),
        ('c2', d(2, 1), nord, [asyl, p24], 'male', Y - 20, 'implementation'),
        ('c3', d(3, 15), nord, [p24], 'female', Y - 50, 'implementation'),
        ('c4', d(11, 1, Y - 1), sued, [asyl], 'male', None,
            'implementation'),
        ('c5', d(5, 5), sued, [], 'diverse', Y - 10, 'implementation'),
        ('c6', d(6, 1, Y - 1), sued, [p24], 'female', Y - 70,
            'implementation'),
        ('c7', d(7, 1), sued, [asyl], 'female', Y - 40, 'cancelled'),
        ('c8', d(3, 1, Y - 1), nord, [asyl], 'male', Y - 35,
            'implementation'),
        ]
    clients = Party.create([{
                'name': 'Client %s' % name,
                'kim_client': True,
                'kim_gender': gender,
                'kim_birth_date': dt.date(birth, 6, 1) if birth else None,
                } for name, _, _, _, gender, birth, _ in spec])
    cases = Case.create([{
                'company': company.id,
                'client': client.id,
                'case_manager': employee.id,
                'kommune': kommune.id,
                'target_groups': [('add', [t.id for t in groups])],
                'opened_date': opened,
                'depth': 'case_management',
                'state': state,
                } for client, (_, opened, kommune, groups, _, _, state)
            in zip(clients, spec)])
    c = dict(zip([s[0] for s in spec], cases))

    def contact(case, start, minutes, channel='office', interpreter=False,
            state='done'):
        values = {
            'case': case.id, 'start': start, 'duration': minutes,
            'channel': channel, 'state': state,
            'interpreter_used': interpreter,
            }
        if interpreter:
            values['interpreter_language'] = codes('kim.language', 'ar')[0].id
        return values
    Contact.create([
            contact(c['c1'], ts(1, 20), 60),
            contact(c['c1'], ts(2, 20), 90, interpreter=True),
            contact(c['c1'], ts(3, 20), 30, channel='home_visit'),
            contact(c['c2'], ts(2, 10), 60),
            contact(c['c2'], ts(4, 10), 60, channel='outreach'),
            contact(c['c3'], ts(5, 10), 45),
            contact(c['c6'], ts(7, 10, year=Y - 1), 60),
            contact(c['c3'], ts(6, 10), 60, state='planned'),
            contact(c['c3'], ts(6, 11), 60, state='cancelled'),
            ])

    def plan(case, agreed, goals, measures=()):
        plan, = Plan.create([{
                    'case': case.id,
                    'main_goal': 'Hauptziel',
                    'agreement_date': agreed,
                    'goals': [('create', [{
                                    'handlungsfeld': h.id,
                                    'description': 'Goal',
                                    'measures': [('create', [{
                                                    'name': 'Step',
                                                    'responsible': who,
                                                    'organisation': (
                                                        partner.id if who
                                                        == 'partner'
                                                        else None),
                                                    } for who in measures])],
                                    } for h, _ in goals])],
                    }])
        if agreed:
            attach_scan(plan)
            Plan.agree([plan])
        for goal, (_, status) in zip(plan.goals, goals):
            if status != 'open':
                Goal.write([goal], {'status': status})
        return plan
    partner = create_organisation("VHS Musterland", 'VHS')
    # one partner measure per goal: two referrals in c1, none in c3
    plan(c['c1'], d(2, 15), [(sprache, 'achieved'), (arbeit, 'open')],
        ['partner', 'client'])
    plan(c['c3'], d(4, 1), [(arbeit, 'achieved'), (wohnen, 'dropped')])
    plan(c['c6'], d(7, 1, Y - 1), [(sprache, 'achieved')])
    plan(c['c2'], None, [(wohnen, 'open')])
    Event.create([
            {'case': c['c1'].id, 'date': d(3, 1),
                'type': 'rechtskreis_change'},
            {'case': c['c5'].id, 'date': d(6, 1),
                'type': 'rechtskreis_change'},
            {'case': c['c6'].id, 'date': d(8, 1, Y - 1),
                'type': 'rechtskreis_change'},
            {'case': c['c2'].id, 'date': d(6, 30), 'type': 'handover'},
            ])
    for name, closing in [('c2', d(6, 30)), ('c4', d(3, 1)),
            ('c8', d(12, 31, Y - 1))]:
        Case.write([c[name]], {
                'state': 'closed',
                'closing_date': closing,
                'closing_reason': goal_reached.id,
                })
    c.update(nord=nord, sued=sued, asyl=asyl, p24=p24, sprache=sprache,
        arbeit=arbeit)
    return c


class KimIndicatorTestCase(FreshDatabaseMixin, unittest.TestCase):
    "Test the Kennzahlen of KIM Reporting"

    modules = 'kim_reporting'

    def setup(self, min_cell=0):
        pool = Pool()
        Configuration = pool.get('kim.configuration')
        company = create_company()
        employee = create_employee(company, "Fallmanagerin Eva")
        config = Configuration(1)
        config.min_cell = min_cell
        config.save()
        return company, employee

    def report(self, company, dimensions, **values):
        "Create and compute a report of the year Y (values override)"
        Report = Pool().get('kim.indicator.report')
        report, = Report.create([dict({
                        'name': 'Test',
                        'company': company.id,
                        'period_type': 'year',
                        'year': Y,
                        'dimensions': dimensions,
                        }, **values)])
        Report.compute([report])
        return Report(report.id)

    @with_transaction()
    def test_totals(self):
        "Totals of every indicator counted by hand"
        company, employee = self.setup()
        with set_company(company):
            c = create_dataset(company, employee)
            report = self.report(company, [])
        duration = ((d(6, 30) - d(2, 1)).days
            + (d(3, 1) - d(11, 1, Y - 1)).days) / Decimal(2)
        expected = {
            # c1, c2, c3, c5 opened in Y; c7 is cancelled
            'intakes': 4,
            # c1, c3, c5, c6 open on 31 December
            'active': 4,
            # c2 and c4 closed in Y (c8 the year before)
            'closed': 2,
            'duration': duration.quantize(Decimal('0.1')),
            # six done contacts in Y: 345 minutes
            'contacts': 6,
            'contact_hours': Decimal('5.75'),
            'interpreter': 1,
            'outreach_pct': Decimal('33.3'),
            # c1 and c3 agreed in Y, c6 before and still active
            'with_plan': 3,
            # goals of the plans agreed in Y, the dropped one left out
            'goals_set': 3,
            'goals_achieved': 2,
            'referrals': 2,
            'handovers': 1,
            'rechtskreis_changes': 2,
            }
        for indicator, value in expected.items():
            self.assertEqual(report.value(indicator), value, indicator)
        self.assertTrue(c)

    @with_transaction()
    def test_dimensions(self):
        "Breakdowns by Kommune, target group, gender, age band, Handlungsfeld"
        company, employee = self.setup()
        with set_company(company):
            create_dataset(company, employee)
            report = self.report(company, ['kommune', 'target_group',
                    'gender', 'age_band', 'handlungsfeld'])
        v = report.value
        self.assertEqual(v('intakes', 'kommune', '05999001'), 3)
        self.assertEqual(v('intakes', 'kommune', '05999002'), 1)
        self.assertEqual(v('active', 'kommune', '05999001'), 2)
        self.assertEqual(v('active', 'kommune', '05999002'), 2)
        self.assertEqual(v('closed', 'kommune', '05999001'), 1)
        self.assertEqual(v('contacts', 'kommune', '05999001'), 6)
        # no contact in Südstadt this year, one the year before
        self.assertEqual(v('contacts', 'kommune', '05999002'), 0)
        # a case counts in each of its target groups; c5 has none
        self.assertEqual(v('intakes', 'target_group', 'ASYL'), 2)
        self.assertEqual(v('intakes', 'target_group', 'P24'), 2)
        self.assertEqual(v('intakes', 'target_group', ''), 1)
        self.assertEqual(v('active', 'gender', 'female'), 3)
        self.assertEqual(v('active', 'gender', 'diverse'), 1)
        # c4 (male) was active at the end of the year before only
        self.assertEqual(v('active', 'gender', 'male'), 0)
        self.assertEqual(v('contacts', 'gender', 'female'), 4)
        self.assertEqual(v('contacts', 'gender', 'male'), 2)
        for band in ['u18', '18_26', '27_44', '45_64']:
            self.assertEqual(v('intakes', 'age_band', band), 1, band)
        # c6 (born Y-70) is active, c4 has no date of birth
        self.assertEqual(v('active', 'age_band', '65'), 1)
        self.assertEqual(v('closed', 'age_band', ''), 1)
        # goals count by their own Handlungsfeld
        self.assertEqual(v('goals_set', 'handlungsfeld', 'SPRACHE'), 1)
        self.assertEqual(v('goals_set', 'handlungsfeld', 'ARBEIT'), 2)
        self.assertEqual(v('goals_achieved', 'handlungsfeld', 'ARBEIT'), 1)
        self.assertEqual(v('goals_achieved', 'handlungsfeld', 'SPRACHE'), 1)
        # cases by the Handlungsfelder of their goals: c1 and c3 (ARBEIT)
        self.assertEqual(v('active', 'handlungsfeld', 'ARBEIT'), 2)

    @with_transaction()
    def test_quarter(self):
        "A quarter counts its own intakes and its reference date"
        company, employee = self.setup()
        with set_company(company):
            create_dataset(company, employee)
            report = self.report(company, [], period_type='quarter',
                quarter='1')
        self.assertEqual(report.date_to, d(3, 31))
        # c1, c2 and c3 opened in Q1
        self.assertEqual(report.value('intakes'), 3)
        # c1, c2, c3, c6 open on 31 March; c4 closed on 1 March
        self.assertEqual(report.value('active'), 4)
        self.assertEqual(report.value('closed'), 1)

    @with_transaction()
    def test_suppression(self):
        "Cells below the minimum are suppressed in the lines and exports"
        pool = Pool()
        Report = pool.get('kim.indicator.report')
        CSV = pool.get('kim.indicator.report.csv', type='report')
        company, employee = self.setup(min_cell=5)
        with set_company(company):
            create_dataset(company, employee)
            report = self.report(company, ['kommune', 'gender'])
        self.assertEqual(report.min_cell, 5)
        lines = {(l.code, l.dimension, l.key): l for l in report.lines}
        # 4 intakes < 5: suppressed, shown as '.'; 6 contacts: shown
        self.assertTrue(lines['intakes', 'total', ''].suppressed)
        self.assertIsNone(lines['intakes', 'total', ''].value)
        self.assertEqual(lines['intakes', 'total', ''].display, '.')
        self.assertEqual(lines['contacts', 'total', ''].value, 6)
        # hours and shares hide with the count of their facts
        self.assertEqual(lines['contact_hours', 'total', ''].value,
            Decimal('5.75'))
        self.assertTrue(lines['duration', 'total', ''].suppressed)
        # a total below the minimum hides every cell of the indicator
        self.assertTrue(all(l.suppressed for l in report.lines
                if l.code == 'intakes' and l.value is None
                and l.dimension != 'total'))
        # two small cells of a breakdown: both hidden, and together they
        # make at least the minimum (4 + 2 contacts by gender)
        self.assertEqual(lines['contacts', 'kommune', '05999001'].value, 6)
        self.assertTrue(lines['contacts', 'gender', 'male'].suppressed)
        self.assertTrue(lines['contacts', 'gender', 'female'].suppressed)
        self.assertTrue(lines['contact_hours', 'gender', 'male'].suppressed)
        self.assertTrue(lines['outreach_pct', 'gender', 'male'].suppressed)
        # no export holds a value below the minimum
        oext, content, _, _ = CSV.execute([report.id], {
                'action_id': pool.get('ir.model.data').get_id(
                    'kim_reporting', 'report_indicator_csv')})
        self.assertEqual(oext, 'csv')
        rows = list(csv.reader(io.StringIO(
                    content.decode('utf-8-sig')), delimiter=';'))
        header, rows = rows[0], rows[1:]
        self.assertEqual(header[3], "Indicator Code")
        for row in rows:
            if row[11] not in {'.', ''}:
                number = Decimal(row[11])
                if row[3] in {'intakes', 'active', 'closed', 'contacts'}:
                    self.assertTrue(number == 0 or number >= 5, row)
        intakes, = [r for r in rows if r[3] == 'intakes' and r[5] == "Total"]
        self.assertEqual(intakes[11], '.')
        self.assertEqual(intakes[14], '1')
        oext, content, _, _ = CSV.execute([report.id], {
                'action_id': pool.get('ir.model.data').get_id(
                    'kim_reporting', 'report_indicator_xlsx')})
        self.assertEqual(oext, 'xlsx')
        sheet, = read_xlsx(content).values()
        self.assertEqual(sheet[0][3], "Indicator Code")
        contacts, = [r for r in sheet
            if r[3] == 'contacts' and r[5] == "Total"]
        self.assertEqual(contacts[11], 6)
        self.assertEqual(Report.search([], count=True), 1)

    @with_transaction()
    def test_state_export(self):
        "The state export: the year's anonymous breakdowns as CSV and PDF"
        pool = Pool()
        StateExport = pool.get('kim.indicator.state_export', type='wizard')
        Report = pool.get('kim.indicator.report')
        PDF = pool.get('kim.indicator.report', type='report')
        company, employee = self.setup(min_cell=5)
        with set_company(company):
            create_dataset(company, employee)
            session_id, _, _ = StateExport.create()
            export = StateExport(session_id)
            export.start.company = company
            export.start.year = Y
            action, data = export.do_open_(None)
            report, = Report.browse(data['res_id'])
            self.assertEqual(report.kind, 'state')
            self.assertEqual(report.state, 'done')
            dimensions = {l.dimension for l in report.lines}
            self.assertNotIn('team', dimensions)
            self.assertNotIn('organisation', dimensions)
            self.assertIn('residence_status', dimensions)
            oext, content, _, _ = PDF.execute([report.id], {})
            self.assertEqual(oext, 'pdf')
            self.assertTrue(content.startswith(b'%PDF'))

    @with_transaction()
    def test_finance_reads_indicators_not_cases(self):
        "Finance and coordination compute and read Kennzahlen, no case"
        pool = Pool()
        Case = pool.get('kim.case')
        Report = pool.get('kim.indicator.report')
        Line = pool.get('kim.indicator.report.line')
        company, employee = self.setup()
        with set_company(company):
            create_dataset(company, employee)
        finance = create_user('finance', [
                ('kim_network', 'group_kim_user'),
                ('kim_reporting', 'group_finance')], company=company)
        coordination = create_user('coordination', [
                ('kim_network', 'group_kim_coordination')], company=company)
        for user in [finance, coordination]:
            with as_user(user), Transaction().set_context(
                    company=company.id, companies=[company.id]):
                with self.assertRaises(AccessError):
                    Case.search([])
                with self.assertRaises(AccessError):
                    Case.read([1], ['client'])
                report, = Report.create([{
                            'name': 'Jahresbericht',
                            'company': company.id,
                            'year': Y,
                            'dimensions': ['kommune'],
                            }])
                Report.compute([report])
                lines = Line.search([('report', '=', report.id),
                        ('code', '=', 'intakes'),
                        ('dimension', '=', 'total')])
                self.assertEqual([l.value for l in lines], [4])
                with self.assertRaises(AccessError):
                    Line.write(lines, {'value': 99})

    @with_transaction()
    def test_definitions_as_data(self):
        "An administrator adds, retires and changes indicators"
        pool = Pool()
        Indicator = pool.get('kim.indicator')
        company, employee = self.setup()
        with set_company(company):
            create_dataset(company, employee)
            home, = Indicator.create([{
                        'name': "Hausbesuche", 'code': 'home_visits',
                        'source': 'contact', 'kind': 'count',
                        'contact_channels': ['home_visit'],
                        }])
            share, = Indicator.create([{
                        'name': "Anteil mit Sprachmittlung", 'code': 'sm',
                        'source': 'contact', 'kind': 'pct',
                        'interpreter_only': True,
                        }])
            interpreter, = Indicator.search([('code', '=', 'interpreter')])
            first = self.report(company, [])
            Indicator.write([interpreter], {'active': False})
            second = self.report(company, [])
        # one home visit (c1) and one contact with interpreter of six
        self.assertEqual(first.value('home_visits'), 1)
        self.assertEqual(first.value('sm'), Decimal('16.7'))
        self.assertEqual(first.value('interpreter'), 1)
        # retired: not computed again, the old report keeps its line
        self.assertNotIn('interpreter', {l.code for l in second.lines})
        self.assertEqual(first.value('interpreter'), 1)
        self.assertEqual(second.value('home_visits'), 1)
        # the order of the lines follows the sequence of the definitions
        codes_ = [l.code for l in second.lines if l.dimension == 'total']
        self.assertLess(codes_.index('intakes'), codes_.index('closed'))

    @with_transaction()
    def test_definition_validation(self):
        "A sum needs a value, steering work is counted only"
        pool = Pool()
        Indicator = pool.get('kim.indicator')
        for i, values in enumerate([
                    {'source': 'referral', 'kind': 'sum'},
                    {'source': 'intake', 'kind': 'avg'},
                    {'source': 'meeting', 'kind': 'pct'},
                    ]):
            with self.assertRaises(IndicatorValidationError):
                Indicator.create([dict(values, name="X", code='x%s' % i)])
        with self.assertRaises(Exception):
            Indicator.create([{'name': "Doppelt", 'code': 'intakes',
                        'source': 'intake', 'kind': 'count'}])

    @with_transaction()
    def test_targets(self):
        "A target value per year and company, compared in the total"
        pool = Pool()
        Indicator = pool.get('kim.indicator')
        Target = pool.get('kim.indicator.target')
        company, employee = self.setup()
        other = create_company("Anderer Träger")
        intakes, = Indicator.search([('code', '=', 'intakes')])
        duration, = Indicator.search([('code', '=', 'duration')])
        with set_company(company):
            create_dataset(company, employee)
            Target.create([
                    {'indicator': intakes.id, 'year': Y,
                        'value': Decimal(10)},
                    {'indicator': intakes.id, 'year': Y - 1,
                        'value': Decimal(2)},
                    {'indicator': duration.id, 'year': Y,
                        'value': Decimal(200)},
                    ])
            Target.create([{'indicator': intakes.id, 'year': Y,
                        'company': other.id, 'value': Decimal(1)}])
            report = self.report(company, [])
            quarter = self.report(company, [], period_type='quarter',
                quarter='2')
        total = {l.code: l for l in report.lines if l.dimension == 'total'}
        self.assertEqual(total['intakes'].target, 10)
        self.assertIs(total['intakes'].target_reached, False)
        self.assertEqual(total['intakes'].target_display, '10')
        # lower is better for the duration (137.5 days)
        self.assertIs(total['duration'].target_reached, True)
        self.assertIsNone(total['closed'].target)
        # a quarter is not compared with the year's target
        self.assertIsNone(
            [l for l in quarter.lines if l.code == 'intakes'][0].target)
        with self.assertRaises(Exception):
            Target.create([{'indicator': intakes.id, 'year': Y,
                        'company': company.id, 'value': Decimal(3)}])

    @with_transaction()
    def test_who_defines_what(self):
        """Administrators define indicators; coordination sets targets;
        finance reads both"""
        pool = Pool()
        Indicator = pool.get('kim.indicator')
        Target = pool.get('kim.indicator.target')
        company, _ = self.setup()
        admin = create_user('kim_admin', [
                ('kim_network', 'group_kim_admin')], company=company)
        finance = create_user('finance', [
                ('kim_network', 'group_kim_user'),
                ('kim_reporting', 'group_finance')], company=company)
        coordination = create_user('coordination', [
                ('kim_network', 'group_kim_coordination')], company=company)
        intakes, = Indicator.search([('code', '=', 'intakes')])
        values = {'name': "Neu", 'code': 'neu', 'source': 'intake',
            'kind': 'count'}
        context = dict(company=company.id, companies=[company.id])
        with as_user(admin), Transaction().set_context(context):
            Indicator.create([values])
            Indicator.write([intakes], {'name': "Neuaufnahmen"})
        for user in [finance, coordination]:
            with as_user(user), Transaction().set_context(context):
                self.assertTrue(Indicator.search([]))
                with self.assertRaises(AccessError):
                    Indicator.create([dict(values, code='x')])
                with self.assertRaises(AccessError):
                    Indicator.write([intakes], {'active': False})
        with as_user(coordination), Transaction().set_context(context):
            target, = Target.create([{'indicator': intakes.id, 'year': Y,
                        'value': Decimal(40)}])
        with as_user(finance), Transaction().set_context(context):
            self.assertEqual(Target.search([]), [target])
            with self.assertRaises(AccessError):
                Target.write([target], {'value': Decimal(1)})

    @with_transaction()
    def test_cross_table(self):
        "Kommune x target group, with both breakdowns as margins"
        pool = Pool()
        Report = pool.get('kim.indicator.report')
        PDF = pool.get('kim.indicator.report', type='report')
        company, employee = self.setup()
        with set_company(company):
            create_dataset(company, employee)
            report = self.report(company, ['gender'], crossings=[('create', [
                            {'first': 'target_group',
                                'second': 'kommune'}])])
        v = report.value
        # the crossing's dimensions are published as its margins
        self.assertEqual(v('intakes', 'kommune', '05999001'), 3)
        self.assertEqual(v('intakes', 'target_group', 'ASYL'), 2)
        # rows and columns in the order of the dimensions: Kommune first
        nord, sued = '05999001', '05999002'
        self.assertEqual(v('intakes', 'kommune', nord, 'target_group',
                'ASYL'), 2)
        self.assertEqual(v('intakes', 'kommune', nord, 'target_group',
                'P24'), 2)
        self.assertEqual(v('intakes', 'kommune', sued, 'target_group', ''),
            1)
        self.assertEqual(v('contacts', 'kommune', nord, 'target_group',
                'ASYL'), 5)
        self.assertEqual(v('goals_set', 'kommune', nord, 'handlungsfeld',
                'ARBEIT'), None)
        self.assertNotIn('gender',
            {l.dimension2 for l in report.lines if l.dimension2})
        oext, content, _, _ = PDF.execute([report.id], {})
        self.assertTrue(content.startswith(b'%PDF'))
        self.assertEqual(Report.search([], count=True), 1)

    @with_transaction()
    def test_previous_period(self):
        "The year and the quarter are compared with the one before"
        company, employee = self.setup()
        with set_company(company):
            create_dataset(company, employee)
            report = self.report(company, ['kommune'])
            quarter = self.report(company, [], period_type='quarter',
                quarter='2')
        self.assertEqual((report.previous_from, report.previous_to),
            (d(1, 1, Y - 1), d(12, 31, Y - 1)))
        total = {l.code: l for l in report.lines if l.dimension == 'total'}
        # c4, c6 and c8 were opened the year before
        self.assertEqual(total['intakes'].previous_value, 3)
        self.assertEqual(total['intakes'].change, 1)
        self.assertEqual(total['intakes'].change_display, '+1')
        self.assertEqual(total['contacts'].previous_value, 1)
        by_key = {(l.code, l.key): l for l in report.lines
            if l.dimension == 'kommune'}
        self.assertEqual(by_key['intakes', '05999002'].previous_value, 2)
        self.assertEqual((quarter.previous_from, quarter.previous_to),
            (d(1, 1), d(3, 31)))

    @with_transaction()
    def test_german_labels(self):
        "Indicator names, dimensions and keys in German, from translations"
        pool = Pool()
        CSV = pool.get('kim.indicator.report.csv', type='report')
        for module in ['kim_network', 'kim_case', 'kim_reporting']:
            load_german(module)
        company, employee = self.setup()
        with set_company(company), \
                Transaction().set_context(language='de'):
            create_dataset(company, employee)
            report = self.report(company, ['gender', 'age_band',
                    'target_group'])
            labels = {(l.code, l.dimension, l.key): l.label
                for l in report.lines}
            self.assertEqual(labels['intakes', 'total', ''], "Gesamt")
            self.assertEqual(labels['active', 'gender', 'female'],
                "Weiblich")
            self.assertEqual(labels['intakes', 'age_band', '18_26'],
                "18 bis 26")
            self.assertEqual(labels['intakes', 'target_group', ''],
                "(nicht erfasst)")
            self.assertEqual([l.indicator.rec_name for l in report.lines
                    if l.code == 'intakes'][0], "Neuaufnahmen")
            oext, content, _, _ = CSV.execute([report.id], {
                    'action_id': pool.get('ir.model.data').get_id(
                        'kim_reporting', 'report_indicator_xlsx')})
            sheet, = read_xlsx(content).values()
        self.assertIn("Kennzahl", sheet[0])
        self.assertIn("Vorperiode", sheet[0])
        words = ' '.join(str(c) for row in sheet for c in row if c)
        for english in ["New Intakes", "Female", "18 to 26",
                "not recorded", "Total", "Gender"]:
            self.assertNotIn(english, words)

        # computed in English (a scheduled job, an English-speaking user):
        # the stored labels are the German of the office's documents
        with set_company(company), \
                Transaction().set_context(language='en'):
            report = self.report(company, ['gender'])
        labels = {(l.code, l.dimension, l.key): l.label
            for l in report.lines}
        self.assertEqual(labels['active', 'gender', 'female'], "Weiblich")
        self.assertEqual(labels['intakes', 'total', ''], "Gesamt")


class KimSteeringIndicatorTestCase(FreshDatabaseMixin, unittest.TestCase):
    "Test the steering Kennzahlen (kim_steering)"

    modules = 'kim_reporting'

    @with_transaction()
    def test_steering_indicators(self):
        "Barrier reports, topics, meetings held and their decisions"
        pool = Pool()
        Committee = pool.get('kim.committee')
        Meeting = pool.get('kim.committee.meeting')
        AgendaItem = pool.get('kim.committee.agenda_item')
        Decision = pool.get('kim.committee.decision')
        Topic = pool.get('kim.topic')
        Barrier = pool.get('kim.barrier_report')
        Report = pool.get('kim.indicator.report')
        company = create_company()
        other = create_company("Anderer Träger")
        with set_company(other):
            # the steering work of another company does not count
            committee, = Committee.create([{
                        'name': "Arbeitsgruppe", 'code': 'AG',
                        'type': 'arbeitsgruppe', 'start_date': d(1, 1)}])
            meeting, = Meeting.create([{
                        'committee': committee.id,
                        'start': dt.datetime(Y, 4, 1, 10),
                        'end': dt.datetime(Y, 4, 1, 12),
                        'place': "Rathaus"}])
            Meeting.hold([meeting])
            Topic.create([{'name': "Anderes Thema", 'state': 'collected'}])
        with set_company(company):
            committee, = Committee.create([{
                        'name': "Lenkungsgruppe", 'code': 'LG',
                        'type': 'lenkungsgruppe', 'start_date': d(1, 1)}])
            held, cancelled = Meeting.create([{
                        'committee': committee.id,
                        'start': dt.datetime(Y, month, 1, 10),
                        'end': dt.datetime(Y, month, 1, 12),
                        'place': "Kreishaus"} for month in (3, 9)])
            item, = AgendaItem.create([{
                        'meeting': held.id, 'title': "Bericht",
                        'sequence': 300}])
            Decision.create([{'agenda_item': item.id, 'text': text}
                    for text in ["Die Lenkungsgruppe beschließt.",
                        "Die Lenkungsgruppe beauftragt."]])
            Meeting.hold([held])
            Meeting.cancel([cancelled])
            wohnen, = codes('kim.handlungsfeld', 'WOHNEN')
            topic, = Topic.create([{
                        'name': "Wohnraum", 'state': 'collected'}])
            reports = Barrier.create([{
                        'description': "Mietbescheinigung fehlt.",
                        'handlungsfeld': wohnen.id,
                        'kind': 'interface',
                        'topic': topic.id,
                        'date': date,
                        } for date in [d(5, 1), d(6, 1)]])
            Barrier.submit(reports[:1])
            report, = Report.create([{
                        'name': 'Steuerung', 'company': company.id,
                        'period_type': 'custom', 'date_from': d(1, 1),
                        'date_to': dt.date.today()}])
            Report.compute([report])
        self.assertEqual(report.value('meetings'), 1)
        self.assertEqual(report.value('decisions'), 2)
        self.assertEqual(report.value('topics'), 1)
        self.assertEqual(report.value('barrier_reports'), 1)
