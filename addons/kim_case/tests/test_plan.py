# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"Assessment, Hilfeplan and counselling contacts of kim_case"
import datetime as dt
import re
import unittest
import zlib

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.company.tests import (
    create_company, create_employee, set_company)
from trytond.modules.kim_case.exceptions import PlanWarning
from trytond.modules.kim_network.tests.tools import add_groups, attach_scan
from trytond.modules.kim_network.tests.tools import FreshDatabaseMixin
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction


def pdf_text(content):
    "The raw and inflated streams of a PDF, enough to find its metadata"
    chunks = [content]
    for match in re.finditer(
            rb'stream\r?\n(.*?)\r?\nendstream', content, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            pass
    return b'\n'.join(chunks)


def message(msg_id, **kwargs):
    "The text of the message msg_id as the user sees it"
    from trytond.i18n import gettext
    return gettext(msg_id, **kwargs)


class PlanTestMixin:

    def setup_case(self, state='assessment'):
        pool = Pool()
        Party = pool.get('party.party')
        Kommune = pool.get('kim.kommune')
        Handlungsfeld = pool.get('kim.handlungsfeld')
        Case = pool.get('kim.case')

        company = self.company = create_company()
        self.employee = create_employee(company, name="Fallmanagerin Test")
        self.kommune = Kommune(name="Musterstadt", ags='05999001')
        self.kommune.save()
        self.client = Party(name="Fiktiva Beispiel", kim_client=True,
            kim_residence_kommune=self.kommune)
        self.client.save()
        self.work, self.language = Handlungsfeld.search([
                ('code', 'in', ['ARBEIT', 'SPRACHE'])],
            order=[('code', 'ASC')])
        self.today = pool.get('ir.date').today()
        case = Case(company=company, client=self.client,
            kommune=self.kommune, case_manager=self.employee,
            depth='case_management', state=state)
        case.save()
        return case

    def create_assessment(self, case, date=None, needs=None, sign=True):
        pool = Pool()
        Assessment = pool.get('kim.case.assessment')
        if needs is None:
            needs = {self.work: 'urgent', self.language: 'some'}
        assessment, = Assessment.create([{
                    'case': case.id,
                    'date': date or self.today - dt.timedelta(days=30),
                    'case_manager': self.employee.id,
                    'lines': [('create', [{
                                    'handlungsfeld': h.id,
                                    'need': need,
                                    'situation': "Situation %s" % h.code,
                                    } for h, need in needs.items()])],
                    }])
        if sign:
            Assessment.sign([assessment])
        return assessment

    def create_plan(self, case, agree=True):
        pool = Pool()
        Plan = pool.get('kim.case.plan')
        plan, = Plan.create([{
                    'case': case.id,
                    'main_goal': "Eigenständig leben und arbeiten",
                    'agreement_date': self.today,
                    'goals': [('create', [{
                                    'handlungsfeld': self.work.id,
                                    'description': "Find an apprenticeship",
                                    'target_date': (
                                        self.today + dt.timedelta(days=180)),
                                    'measures': [('create', [{
                                                    'name': "Apply",
                                                    'responsible': 'client',
                                                    'due_date': self.today,
                                                    }])],
                                    }, {
                                    'handlungsfeld': self.language.id,
                                    'description': "Reach level B1",
                                    }])],
                    }])
        if agree:
            attach_scan(plan)
            Plan.agree([plan])
        return plan


class KimCasePlanTestCase(
        FreshDatabaseMixin, PlanTestMixin, unittest.TestCase):
    "Test assessment, Hilfeplan and contacts"

    modules = 'kim_case'

    # Assessment

    @with_transaction()
    def test_assessment_sign(self):
        "Signing an assessment records who signed and when"
        case = self.setup_case()
        assessment = self.create_assessment(case)
        self.assertEqual(assessment.state, 'done')
        self.assertEqual(assessment.signed_by.id, Transaction().user)
        self.assertEqual(assessment.signed_date, self.today)
        self.assertEqual(assessment.kind, 'initial')
        self.assertEqual(case.last_assessment, assessment)

    @with_transaction()
    def test_assessment_future_date(self):
        "An assessment cannot be dated in the future"
        case = self.setup_case()
        with self.assertRaises(ValidationError) as cm:
            self.create_assessment(
                case, date=self.today + dt.timedelta(days=1), sign=False)
        self.assertIn("is in the future", cm.exception.message)

    @with_transaction()
    def test_assessment_next_date_before(self):
        "The next assessment cannot be planned before the assessment"
        pool = Pool()
        Assessment = pool.get('kim.case.assessment')
        case = self.setup_case()
        assessment = self.create_assessment(case, sign=False)
        with self.assertRaises(ValidationError) as cm:
            Assessment.write([assessment], {
                    'next_assessment_date': (
                        assessment.date - dt.timedelta(days=1)),
                    })
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_assessment_next_date_before',
                assessment=assessment.rec_name, date=assessment.date,
                next_date=assessment.date - dt.timedelta(days=1)))

    @with_transaction()
    def test_assessment_done_readonly(self):
        "A signed assessment and its lines cannot be changed or deleted"
        pool = Pool()
        Assessment = pool.get('kim.case.assessment')
        Line = pool.get('kim.case.assessment.line')
        case = self.setup_case()
        assessment = self.create_assessment(case)
        expected = message('kim_case.msg_assessment_done_readonly',
            record=assessment.rec_name)
        with self.assertRaises(AccessError) as cm:
            Assessment.write([assessment], {'summary': "Changed"})
        self.assertEqual(cm.exception.message, expected)
        with self.assertRaises(AccessError) as cm:
            Line.write(list(assessment.lines), {'need': 'none'})
        self.assertEqual(cm.exception.message, expected)
        with self.assertRaises(AccessError) as cm:
            Line.create([{
                        'assessment': assessment.id,
                        'handlungsfeld': Pool().get('kim.handlungsfeld')
                        .search([('code', '=', 'WOHNEN')])[0].id,
                        'need': 'some',
                        }])
        self.assertEqual(cm.exception.message, expected)
        with self.assertRaises(AccessError) as cm:
            Assessment.delete([assessment])
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_assessment_done_delete',
                assessment=assessment.rec_name))

    @with_transaction()
    def test_assessment_sign_without_lines(self):
        "An assessment without Handlungsfeld cannot be signed"
        pool = Pool()
        Assessment = pool.get('kim.case.assessment')
        case = self.setup_case()
        assessment = self.create_assessment(case, needs={}, sign=False)
        with self.assertRaises(UserError) as cm:
            Assessment.sign([assessment])
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_assessment_sign_no_lines',
                assessment=assessment.rec_name))
        self.assertEqual(assessment.state, 'draft')

    @with_transaction()
    def test_reassessment_compare(self):
        "A re-assessment copies the last one and compares the needs"
        pool = Pool()
        Assessment = pool.get('kim.case.assessment')
        Line = pool.get('kim.case.assessment.line')
        Case = pool.get('kim.case')
        case = self.setup_case()
        first = self.create_assessment(case)

        Case.reassess([case])
        draft, = Assessment.search([
                ('case', '=', case.id), ('state', '=', 'draft')])
        self.assertEqual(draft.previous, first)
        self.assertEqual(draft.predecessor, first)
        self.assertIsNone(draft.signed_by)
        self.assertEqual(draft.kind, 'reassessment')
        self.assertEqual(draft.date, self.today)
        self.assertEqual(len(draft.lines), 2)

        # A second draft is refused
        with self.assertRaises(UserError) as cm:
            Assessment.reassess([first])
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_assessment_draft_exists',
                case=case.rec_name, assessment=draft.rec_name))

        work, = [l for l in draft.lines if l.handlungsfeld == self.work]
        language, = [l for l in draft.lines
            if l.handlungsfeld == self.language]
        Line.write([work], {'need': 'some'}, [language], {'need': 'urgent'})
        Assessment.sign([draft])
        work, language = Line.browse([work.id, language.id])
        self.assertEqual(work.need_previous, 'urgent')
        self.assertEqual(work.trend, 'improved')
        self.assertEqual(language.need_previous, 'some')
        self.assertEqual(language.trend, 'worse')
        case = Case(case.id)
        self.assertEqual(case.last_assessment, draft)
        first_work, = [l for l in first.lines if l.handlungsfeld == self.work]
        self.assertIsNone(first_work.trend)

    @with_transaction()
    def test_plan_gate(self):
        "The case moves to planning only with a signed assessment"
        pool = Pool()
        Case = pool.get('kim.case')
        case = self.setup_case()
        with self.assertRaises(UserError) as cm:
            Case.plan([case])
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_case_plan_no_assessment', case=case.rec_name))
        self.assertEqual(case.state, 'assessment')
        self.create_assessment(case)
        Case.plan([case])
        self.assertEqual(case.state, 'planning')

    # Hilfeplan

    @with_transaction()
    def test_implement_gate(self):
        "The case moves to implementation only with an agreed plan"
        pool = Pool()
        Case = pool.get('kim.case')
        case = self.setup_case(state='planning')
        with self.assertRaises(UserError) as cm:
            Case.implement([case])
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_case_implement_no_plan', case=case.rec_name))
        plan = self.create_plan(case, agree=False)
        with self.assertRaises(UserError):
            Case.implement([case])
        attach_scan(plan)
        pool.get('kim.case.plan').agree([plan])
        Case.implement([case])
        self.assertEqual(case.state, 'implementation')

    @with_transaction()
    def test_plan_version(self):
        "Plans are numbered per case"
        case = self.setup_case()
        plan = self.create_plan(case)
        self.assertEqual(plan.version, 1)
        self.assertEqual(plan.state, 'agreed')
        self.assertEqual(case.current_plan, plan)

    @with_transaction()
    def test_goal_without_handlungsfeld(self):
        "A goal without Handlungsfeld is refused"
        pool = Pool()
        Goal = pool.get('kim.case.plan.goal')
        case = self.setup_case()
        plan = self.create_plan(case, agree=False)
        with self.assertRaises(ValidationError) as cm:
            Goal.create([{
                        'plan': plan.id,
                        'description': "Find a flat",
                        }])
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_goal_handlungsfeld_required',
                goal="Find a flat"))
        with self.assertRaises(ValidationError):
            Goal.write(list(plan.goals), {'handlungsfeld': None})

    @with_transaction()
    def test_goal_attainment(self):
        "The attainment is on a 5-step scale and summarised on the case"
        pool = Pool()
        Goal = pool.get('kim.case.plan.goal')
        Case = pool.get('kim.case')
        case = self.setup_case()
        plan = self.create_plan(case)
        work, language = plan.goals
        with self.assertRaises(ValidationError) as cm:
            Goal.write([work], {'attainment': 6})
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_goal_attainment_range', goal=work.rec_name))
        Goal.write([work], {'status': 'achieved', 'attainment': 5},
            [language], {'status': 'partly_achieved', 'attainment': 2})
        case = Case(case.id)
        self.assertEqual(case.goal_attainment, 3.5)
        self.assertEqual(case.current_plan.goals_achieved, 0.5)

    @with_transaction()
    def test_second_current_plan(self):
        "A second current plan of the case is refused"
        pool = Pool()
        Plan = pool.get('kim.case.plan')
        case = self.setup_case()
        plan = self.create_plan(case)
        with self.assertRaises(ValidationError) as cm:
            Plan.create([{'case': case.id}])
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_plan_current_exists',
                case=case.rec_name, plan=plan.rec_name))

    @with_transaction()
    def test_plan_agreement_future(self):
        "The client cannot have agreed in the future"
        pool = Pool()
        Plan = pool.get('kim.case.plan')
        case = self.setup_case()
        plan = self.create_plan(case, agree=False)
        tomorrow = self.today + dt.timedelta(days=1)
        with self.assertRaises(ValidationError) as cm:
            Plan.write([plan], {'agreement_date': tomorrow})
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_plan_agreement_date_future',
                plan=plan.rec_name, date=tomorrow))

    @with_transaction()
    def test_plan_agree_requirements(self):
        "A plan is agreed only with Hauptziel, date and goals"
        pool = Pool()
        Plan = pool.get('kim.case.plan')
        case = self.setup_case()
        plan, = Plan.create([{'case': case.id}])
        with self.assertRaises(UserError) as cm:
            Plan.agree([plan])
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_plan_main_goal_required', plan=plan.rec_name))
        plan.main_goal = "Arbeit finden"
        plan.save()
        with self.assertRaises(UserError) as cm:
            Plan.agree([plan])
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_plan_agreement_date_required',
                plan=plan.rec_name))
        plan.agreement_date = self.today
        plan.save()
        with self.assertRaises(UserError) as cm:
            Plan.agree([plan])
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_plan_no_goals', plan=plan.rec_name))
        self.assertEqual(plan.state, 'draft')

    @with_transaction()
    def test_agreed_plan_readonly(self):
        "An agreed plan changes only in goal and measure review fields"
        pool = Pool()
        Plan = pool.get('kim.case.plan')
        Goal = pool.get('kim.case.plan.goal')
        Measure = pool.get('kim.case.plan.measure')
        case = self.setup_case()
        plan = self.create_plan(case)
        goal = plan.goals[0]
        measure, = goal.measures
        with self.assertRaises(AccessError) as cm:
            Plan.write([plan], {'main_goal': "Other"})
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_plan_readonly', record=plan.rec_name))
        with self.assertRaises(AccessError) as cm:
            Goal.write([goal], {'description': "Other"})
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_goal_readonly',
                goal=goal.rec_name, plan=plan.rec_name))
        with self.assertRaises(AccessError):
            Goal.create([{
                        'plan': plan.id,
                        'handlungsfeld': self.work.id,
                        'description': "New",
                        }])
        with self.assertRaises(AccessError) as cm:
            Measure.write([measure], {'name': "Other"})
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_measure_readonly',
                measure=measure.rec_name, plan=plan.rec_name))
        with self.assertRaises(AccessError):
            Plan.delete([plan])

        # Review
        Plan.write([plan], {
                'review_date': self.today,
                'goals': [('write', [goal.id], {
                            'status': 'achieved', 'attainment': 4})],
                })
        Measure.write([measure], {'status': 'done', 'feedback': "Done"})
        self.assertEqual(goal.status, 'achieved')
        self.assertEqual(measure.status, 'done')

    @with_transaction()
    def test_plan_revise(self):
        "A revision copies goals and measures and supersedes on agreement"
        pool = Pool()
        Plan = pool.get('kim.case.plan')
        Case = pool.get('kim.case')
        case = self.setup_case()
        first = self.create_plan(case)
        Plan.revise([first])
        second, = Plan.search([
                ('case', '=', case.id), ('state', '=', 'draft')])
        self.assertEqual(second.version, 2)
        self.assertEqual(second.predecessor, first)
        self.assertEqual(first.successor, second)
        self.assertEqual(len(second.goals), 2)
        self.assertEqual(
            sum(len(g.measures) for g in second.goals), 1)
        # The agreed plan stays current until the revision is agreed
        self.assertEqual(Case(case.id).current_plan, first)
        # A second revision is refused
        with self.assertRaises(ValidationError):
            Plan.revise([first])
        # Only agreed plans are revised
        with self.assertRaises(UserError) as cm:
            Plan.revise([second])
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_plan_revise_not_agreed',
                plan=second.rec_name, state="Draft"))

        Plan.write([second], {
                'revision_reason': "New job",
                'agreement_date': self.today,
                })
        attach_scan(second)
        Plan.agree([second])
        first, second = Plan.browse([first.id, second.id])
        self.assertEqual(first.state, 'superseded')
        self.assertEqual(second.state, 'agreed')
        self.assertEqual(Case(case.id).current_plan, second)
        with self.assertRaises(AccessError):
            Plan.write([first], {'review_note': "Late note"})

    @with_transaction()
    def test_plan_agree_without_scan(self):
        "Agreeing a plan without the scan of the signed plan warns"
        pool = Pool()
        Plan = pool.get('kim.case.plan')
        Warning = pool.get('res.user.warning')
        case = self.setup_case()
        plan = self.create_plan(case, agree=False)
        with self.assertRaises(PlanWarning) as cm:
            Plan.agree([plan])
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_plan_no_scan', record=plan.rec_name))
        self.assertEqual(plan.state, 'draft')
        self.assertEqual(plan.attachment_count, 0)
        Warning(user=Transaction().user, name=cm.exception.name).save()
        Plan.agree([plan])
        self.assertEqual(plan.state, 'agreed')

    @with_transaction()
    def test_plan_report(self):
        "The Hilfeplan prints as a PDF"
        pool = Pool()
        PlanReport = pool.get('kim.case.plan', type='report')
        ActionReport = pool.get('ir.action.report')
        case = self.setup_case()
        plan = self.create_plan(case)
        action, = ActionReport.search([('report_name', '=', 'kim.case.plan')])
        records = PlanReport._get_records([plan.id], 'kim.case.plan', {})
        context = PlanReport.get_context(records, {}, {})
        html = PlanReport.render(action, context)
        if isinstance(html, bytes):
            html = html.decode('utf-8')
        for text in [self.client.name, case.number,
                "Eigenständig leben und arbeiten", "Find an apprenticeship",
                "Apply", "Unterschrift der Sprachmittlerin"]:
            self.assertIn(text, html)

        # the administrator prints no Hilfeplan unless in a case group
        with set_company(self.company), self.assertRaises(AccessError):
            PlanReport.execute([plan.id], {})
        add_groups(Transaction().user)
        with set_company(self.company):
            oext, content, _, name = PlanReport.execute([plan.id], {})
        self.assertEqual(oext, 'pdf')
        content = bytes(content)
        self.assertTrue(content.startswith(b'%PDF'))
        self.assertIn(case.number, name)
        self.assertGreater(len(content), 5000)
        # weasyprint writes the HTML title into the document information
        self.assertIn(
            ('(Hilfeplan %s v1 - %s)' % (case.number, self.client.name)
                ).encode(), pdf_text(content))

    @with_transaction()
    def test_history(self):
        "The case data that can change keeps its revisions"
        pool = Pool()
        Party = pool.get('party.party')
        Language = pool.get('kim.language')
        case = self.setup_case()
        assessment = self.create_assessment(case, sign=False)
        plan = self.create_plan(case, agree=False)
        measure = plan.goals[0].measures[0]
        contact, = pool.get('kim.case.contact').create([{
                    'case': case.id, 'start': dt.datetime(2025, 3, 3, 10),
                    'duration': 30}])
        arabic, = Language.search([('code', '=', 'ar')])
        Party.write([self.client], {
                'kim_client_languages': [('create', [{
                                'language': arabic.id, 'level': 'a1'}])],
                'kim_household': [('create', [{
                                'member': Party.create([{
                                            'name': "Kind"}])[0].id,
                                'relation': 'child'}])],
                })
        records = [assessment, assessment.lines[0], measure, contact,
            self.client, self.client.kim_client_languages[0],
            self.client.kim_household[0]]
        cursor = Transaction().connection.cursor()
        for record in records:
            Model = record.__class__
            with self.subTest(model=Model.__name__):
                self.assertTrue(Model._history)
                history = Model.__table_history__()
                cursor.execute(*history.select(history.id,
                        where=history.id == record.id))
                self.assertTrue(cursor.fetchall())

    # Contacts

    @with_transaction()
    def test_contact_duration_negative(self):
        "A contact cannot last a negative time"
        pool = Pool()
        Contact = pool.get('kim.case.contact')
        case = self.setup_case()
        with self.assertRaises(ValidationError) as cm:
            Contact.create([{
                        'case': case.id,
                        'subject': "Beratung",
                        'start': dt.datetime(2025, 3, 3, 10, 0),
                        'duration': -5,
                        }])
        self.assertIn("cannot be negative", cm.exception.message)

    @with_transaction()
    def test_contact_done_future(self):
        "A contact in the future cannot be done"
        pool = Pool()
        Contact = pool.get('kim.case.contact')
        case = self.setup_case()
        contact, = Contact.create([{
                    'case': case.id,
                    'start': dt.datetime.now() + dt.timedelta(days=2),
                    }])
        with self.assertRaises(ValidationError) as cm:
            Contact.do([contact])
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_contact_done_future',
                contact=contact.rec_name, start=contact.start))

    @with_transaction()
    def test_contact_effort(self):
        "Done contacts feed the hours of the case; end moves duration"
        pool = Pool()
        Contact = pool.get('kim.case.contact')
        Case = pool.get('kim.case')
        case = self.setup_case()
        start = dt.datetime(2025, 3, 3, 10, 0)
        contacts = Contact.create([{
                    'case': case.id,
                    'start': start + dt.timedelta(days=i),
                    'duration': 90,
                    'channel': 'home_visit',
                    'handlungsfelder': [('add', [self.work.id])],
                    } for i in range(3)])
        Contact.do(contacts[:2])
        Contact.cancel(contacts[2:])
        case = Case(case.id)
        self.assertEqual(case.contact_count, 2)
        self.assertEqual(case.contact_hours, 3.0)
        self.assertEqual(case.last_contact, start + dt.timedelta(days=1))

        contact = contacts[2]
        Contact.plan([contact])
        self.assertEqual(contact.end, start + dt.timedelta(days=2, hours=1.5))
        Contact.write([contact], {
                'end': start + dt.timedelta(days=2, minutes=45)})
        self.assertEqual(contact.duration, 45)

    @with_transaction()
    def test_plan_agree_wizard(self):
        "Agree Hilfeplan on the case: today proposed, the assessment set"
        pool = Pool()
        Plan = pool.get('kim.case.plan')
        Case = pool.get('kim.case')
        Agree = pool.get('kim.case.plan.agree', type='wizard')
        add_groups(Transaction().user)
        case = self.setup_case(state='planning')
        assessment = self.create_assessment(case)
        plan = self.create_plan(case, agree=False)
        Plan.write([plan], {'agreement_date': None})
        self.assertIsNone(plan.assessment)
        # a new plan of the case proposes its last signed assessment
        proposed = Plan(case=Case(case.id))
        proposed.on_change_case()
        self.assertEqual(proposed.assessment, assessment)

        attach_scan(plan)
        session_id, _, _ = Agree.create()
        agree = Agree(session_id)
        with Transaction().set_context(
                active_model='kim.case', active_id=case.id,
                active_ids=[case.id]):
            defaults = agree.default_start(None)
            self.assertEqual(defaults, {
                    'plan': plan.id, 'agreement_date': self.today,
                    'implement': True})
            agree.start.agreement_date = self.today
            agree.start.implement = False
            self.assertEqual(agree.transition_agree(), 'end')
        plan = Plan(plan.id)
        self.assertEqual(plan.state, 'agreed')
        self.assertEqual(plan.agreement_date, self.today)
        self.assertEqual(plan.assessment, assessment)

        # no draft left: the wizard says what to do
        with Transaction().set_context(
                active_model='kim.case', active_id=case.id,
                active_ids=[case.id]):
            with self.assertRaises(UserError) as cm:
                agree.default_start(None)
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_plan_agree_no_draft', case=case.rec_name))

    @with_transaction()
    def test_plan_print_from_case(self):
        "The case prints its current Hilfeplan"
        pool = Pool()
        Report = pool.get('kim.case.plan.case', type='report')
        add_groups(Transaction().user)
        case = self.setup_case(state='planning')
        with set_company(self.company), \
                self.assertRaises(UserError) as cm:
            Report.execute([case.id], {})
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_case_print_no_plan', case=case.rec_name))
        self.create_assessment(case)
        self.create_plan(case)
        with set_company(self.company):
            ext, content, _, name = Report.execute([case.id], {})
        self.assertEqual(ext, 'pdf')
        self.assertTrue(name.endswith('-v1'), name)
        self.assertTrue(bytes(content).startswith(b'%PDF'))

    @with_transaction()
    def test_contact_search_end(self):
        "The end of a contact is searchable (the calendar of appointments)"
        pool = Pool()
        Contact = pool.get('kim.case.contact')
        case = self.setup_case()
        start = dt.datetime(2025, 3, 3, 10, 0)
        short, long_, later = Contact.create([{
                    'case': case.id,
                    'start': start,
                    'duration': 30,
                    }, {
                    'case': case.id,
                    'start': start,
                    'duration': 240,
                    }, {
                    'case': case.id,
                    'start': start + dt.timedelta(days=1),
                    'duration': 60,
                    }])
        noon = start + dt.timedelta(hours=2)
        self.assertEqual(Contact.search([('end', '>=', noon)],
                order=[('id', 'ASC')]), [long_, later])
        self.assertEqual(Contact.search([('end', '<', noon)]), [short])
        self.assertEqual(Contact.search([
                    ('end', '=', start + dt.timedelta(minutes=30))]),
            [short])
        self.assertEqual(Contact.search([
                    ('start', '<=', noon), ('end', '>=', start)],
                order=[('id', 'ASC')]), [short, long_])

    @with_transaction()
    def test_contact_record_wizard(self):
        "Record Contact on the case: one small form, the contact done"
        pool = Pool()
        Contact = pool.get('kim.case.contact')
        Case = pool.get('kim.case')
        Record = pool.get('kim.case.contact.record', type='wizard')
        add_groups(Transaction().user)
        case = self.setup_case(state='implementation')
        session_id, _, _ = Record.create()
        record = Record(session_id)
        with Transaction().set_context(
                active_model='kim.case', active_id=case.id,
                active_ids=[case.id]):
            defaults = record.default_start(None)
            self.assertEqual(defaults, {'case': case.id})
            Start = pool.get('kim.case.contact.record.start')
            record.start.start = Start.default_start()
            record.start.duration = 45
            record.start.channel = 'phone'
            record.start.subject = "Rückruf Jobcenter"
            record.start.note = None
            record.start.done = True
            self.assertEqual(record.transition_save_contact(), 'end')
        contact, = Contact.search([('case', '=', case.id)])
        self.assertEqual(contact.state, 'done')
        self.assertEqual(contact.duration, 45)
        self.assertEqual(contact.channel, 'phone')
        self.assertEqual(contact.case_manager, self.employee)
        self.assertEqual(Case(case.id).contact_count, 1)

        # an appointment to come stays planned
        with Transaction().set_context(
                active_model='kim.case', active_id=case.id,
                active_ids=[case.id]):
            record.start.start = dt.datetime.now() + dt.timedelta(days=3)
            record.start.done = False
            record.transition_save_contact()
        self.assertEqual(sorted(c.state for c in Contact.search(
                        [('case', '=', case.id)])), ['done', 'planned'])

    # Erasure

    @with_transaction()
    def test_erase_client(self):
        "Erasing the client removes the texts of assessments, plans, contacts"
        pool = Pool()
        Party = pool.get('party.party')
        Case = pool.get('kim.case')
        Assessment = pool.get('kim.case.assessment')
        Line = pool.get('kim.case.assessment.line')
        Plan = pool.get('kim.case.plan')
        Goal = pool.get('kim.case.plan.goal')
        Measure = pool.get('kim.case.plan.measure')
        Contact = pool.get('kim.case.contact')
        Reason = pool.get('kim.closing_reason')
        Erase = pool.get('party.erase', type='wizard')
        Session = pool.get('ir.session.wizard')
        case = self.setup_case()
        assessment = self.create_assessment(case)
        plan = self.create_plan(case)
        contact, = Contact.create([{
                    'case': case.id,
                    'start': dt.datetime(2025, 3, 3, 10, 0),
                    'note': "Told about the family",
                    }])
        reason, = Reason.search([], limit=1)
        Case.write([case], {
                'state': 'closed',
                'closing_reason': reason.id,
                'closing_date': self.today,
                })
        Party.write([self.client], {'active': False})
        session = Session()
        session.save()
        erase = Erase(session.id)
        erase.ask.party = self.client
        erase.transition_erase()
        Transaction().counter += 1
        for cache in Transaction().cache.values():
            cache.clear()

        assessment, = Assessment.read([assessment.id], ['summary', 'lines'])
        self.assertIsNone(assessment['summary'])
        self.assertTrue(all(l['situation'] is None
                for l in Line.read(assessment['lines'], ['situation'])))
        plan, = Plan.read([plan.id], ['main_goal', 'goals'])
        self.assertIsNone(plan['main_goal'])
        # required texts are overwritten with a placeholder
        goals = Goal.read(plan['goals'], ['description', 'measures'])
        self.assertFalse({g['description'] for g in goals}
            & {"Find an apprenticeship", "Reach level B1"})
        measures = Measure.read(
            sum((list(g['measures']) for g in goals), []), ['name'])
        self.assertTrue(measures)
        self.assertNotIn("Apply", {m['name'] for m in measures})
        contact, = Contact.read([contact.id], ['note'])
        self.assertIsNone(contact['note'])

    # Wiedervorlage

    @with_transaction()
    def test_due_list(self):
        "Re-assessments and open measures show in the Wiedervorlage list"
        pool = Pool()
        Assessment = pool.get('kim.case.assessment')
        Due = pool.get('kim.case.due')
        case = self.setup_case()
        assessment = self.create_assessment(case, sign=False)
        Assessment.write([assessment], {
                'next_assessment_date': self.today + dt.timedelta(days=3)})
        Assessment.sign([assessment])
        self.create_plan(case)
        dues = Due.search([('case', '=', case.id)])
        kinds = {d.kind: d.date for d in dues}
        self.assertEqual(kinds.get('reassessment'),
            self.today + dt.timedelta(days=3))
        self.assertEqual(kinds.get('measure'), self.today)


if __name__ == '__main__':
    unittest.main()
