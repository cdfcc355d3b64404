# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"Client documents in the client's language and their handover (document.py)"
import io
import json
import os
import re
import shutil
import tempfile
import unittest

from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import create_employee, set_company
from trytond.modules.kim_case.document import (
    SECTIONS, TEXTS_DIR, available_codes, document_texts, load_texts,
    text_language)
from trytond.modules.kim_case.exceptions import DocumentError
from trytond.modules.kim_network.tests.test_login import configured
from trytond.modules.kim_network.tests.tools import (
    FreshDatabaseMixin, as_user, create_organisation, create_user)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .test_plan import PlanTestMixin

LANGUAGES = ['de', 'en', 'ar', 'uk', 'tr', 'ru', 'ro', 'bg', 'fa']
RTL = {'ar', 'fa'}
# a heading of each document that pypdf extracts whole (no ZWNJ)
HEADINGS = {
    'plan': 'main_goal_heading',
    'info': 'what_heading',
    'progress': 'goals_heading',
    'consent': 'client_heading',
    }
REPORTS = {
    'plan': 'report_plan',
    'info': 'report_info_sheet',
    'progress': 'report_progress',
    'consent': 'report_consent',
    }


def squash(text):
    "The text with all white space removed (PDF extraction breaks lines)"
    return re.sub(r'\s+', '', text)


class DocumentTextsTestCase(unittest.TestCase):
    "The text files of the client documents"

    def test_languages_complete(self):
        "Every shipped language has every key German has"
        texts = load_texts()
        self.assertEqual(sorted(texts), sorted(LANGUAGES))
        german = texts['de']
        for code in LANGUAGES:
            meta = texts[code]['_meta']
            with self.subTest(language=code):
                self.assertEqual(meta['code'], code)
                self.assertEqual(meta['direction'],
                    'rtl' if code in RTL else 'ltr')
                if code != 'de':
                    # machine-drafted: marked for review
                    self.assertIs(meta['reviewed'], False)
                    self.assertIn("beeidigt", meta['note'])
                for section in SECTIONS:
                    self.assertEqual(
                        set(texts[code][section]), set(german[section]),
                        msg=section)
                    for key, value in texts[code][section].items():
                        self.assertTrue(value.strip(), msg=key)
                        # the same placeholders as German
                        self.assertEqual(
                            sorted(re.findall(r'\{\w+\}', value)),
                            sorted(re.findall(
                                    r'\{\w+\}', german[section][key])),
                            msg=(section, key))

    def test_text_language(self):
        "The text file of a language code, Dari with the Persian texts"
        texts = load_texts()
        self.assertEqual(text_language('ar', texts), 'ar')
        self.assertEqual(text_language('de_DE', texts), 'de')
        self.assertEqual(text_language('PRS', texts), 'fa')
        self.assertIsNone(text_language('so', texts))
        self.assertIsNone(text_language(None, texts))
        self.assertIn('prs', available_codes(texts))

    def test_document_texts(self):
        "German beside the client's language, German alone for German"
        arabic = document_texts('plan', 'ar')
        self.assertEqual((arabic['lang'], arabic['dir']), ('ar', 'rtl'))
        self.assertTrue(arabic['bilingual'])
        self.assertFalse(arabic['reviewed'])
        self.assertEqual(arabic['de']['main_goal_heading'], "Hauptziel")
        self.assertEqual(arabic['main_goal_heading'], "الهدف الرئيسي")
        # the common texts are there too
        self.assertEqual(arabic['de']['case_number'], "Fallnummer")
        german = document_texts('plan', None)
        self.assertEqual((german['lang'], german['dir']), ('de', 'ltr'))
        self.assertFalse(german['bilingual'])
        somali = document_texts('info', 'so')
        self.assertEqual(somali['lang'], 'de')

    def test_office_texts(self):
        "An office adds a language and corrects texts in its own directory"
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        with open(os.path.join(directory, 'so.json'), 'w',
                encoding='utf-8') as file:
            json.dump({
                    '_meta': {'code': 'so', 'name': "Soomaali",
                        'direction': 'ltr'},
                    'plan': {'main_goal_heading': "Hadafka ugu weyn"},
                    }, file)
        with open(os.path.join(directory, 'en.json'), 'w',
                encoding='utf-8') as file:
            json.dump({'plan': {'title': "Support Plan"}}, file)
        with configured('kim', document_texts=directory):
            self.check_office_texts()

    def check_office_texts(self):
        somali = document_texts('plan', 'so')
        self.assertEqual(somali['lang'], 'so')
        self.assertEqual(somali['language_name'], "Soomaali")
        self.assertEqual(somali['main_goal_heading'], "Hadafka ugu weyn")
        # a text not translated yet falls back to German
        self.assertEqual(somali['goals_heading'], "Ziele und Maßnahmen")
        english = document_texts('plan', 'en')
        self.assertEqual(english['title'], "Support Plan")
        self.assertEqual(english['main_goal_heading'], "Main goal")

    def test_readme(self):
        "The text directory explains how to add a language"
        with open(os.path.join(TEXTS_DIR, 'README.rst'),
                encoding='utf-8') as file:
            self.assertIn("document_texts", file.read())


class DocumentTestCase(FreshDatabaseMixin, PlanTestMixin, unittest.TestCase):
    "Print client documents and record their handover"

    modules = 'kim_case'

    def setup_documents(self):
        pool = Pool()
        Consent = pool.get('kim.consent')
        Company = pool.get('company.company')
        Language = pool.get('kim.language')
        case = self.setup_case(state='implementation')
        Company.write([self.company], {
                'kim_data_protection_officer': (
                    "Dana Datenschutz, datenschutz@example.org"),
                })
        self.plan = self.create_plan(case)
        goal = self.plan.goals[0]
        goal.status = 'achieved'
        goal.save()
        measure = goal.measures[0]
        measure.status = 'done'
        measure.save()
        self.jobcenter = create_organisation("Jobcenter Musterstadt")
        self.consent = Consent(client=self.client,
            purposes=['case_management', 'transfer'],
            recipients=[self.jobcenter], handlungsfelder=[self.work],
            signed_date=self.today)
        self.consent.save()
        self.languages = {l.code: l for l in Language.search([
                    ('code', 'in', LANGUAGES + ['prs', 'so'])])}
        self.user = create_user('documents_cm',
            [('kim_case', 'group_case_manager')], company=self.company,
            employees=[self.employee])
        return case

    def records(self, case, document):
        return {
            'plan': self.plan,
            'info': case,
            'progress': case,
            'consent': self.consent,
            }[document]

    def print_(self, document, record, language, extension=None):
        pool = Pool()
        ActionReport = pool.get('ir.action.report')
        ModelData = pool.get('ir.model.data')
        action = ActionReport(ModelData.get_id('kim_case', REPORTS[document]))
        Report = pool.get(action.report_name, type='report')
        data = {'kim_language': language.id}
        if extension:
            data['action_id'] = self.html_actions[document].id
        with as_user(self.user):
            return Report.execute([record.id], data)

    @with_transaction()
    def test_documents_in_all_languages(self):
        "Each document prints in each language beside German"
        from pypdf import PdfReader
        pool = Pool()
        ActionReport = pool.get('ir.action.report')
        ModelData = pool.get('ir.model.data')
        case = self.setup_documents()
        self.html_actions = {}
        for document, xml_id in REPORTS.items():
            action = ActionReport(ModelData.get_id('kim_case', xml_id))
            self.html_actions[document], = ActionReport.copy(
                [action], {'extension': 'html'})
        with set_company(self.company):
            for document in REPORTS:
                record = self.records(case, document)
                for code in LANGUAGES:
                    with self.subTest(document=document, language=code):
                        texts = document_texts(document, code)
                        ext, content, _, _ = self.print_(
                            document, record, self.languages[code])
                        self.assertEqual(ext, 'pdf')
                        reader = PdfReader(io.BytesIO(content))
                        text = squash('\n'.join(
                                p.extract_text() for p in reader.pages))
                        key = HEADINGS[document]
                        self.assertIn(squash(texts['de'][key]), text)
                        self.assertIn(squash(texts[key]), text)
                        self.assertIn("FiktivaBeispiel", text)

                        _, html, _, _ = self.print_(document, record,
                            self.languages[code], extension='html')
                        if isinstance(html, bytes):
                            html = html.decode('utf-8')
                        direction = 'rtl' if code in RTL else 'ltr'
                        self.assertRegex(html,
                            r'<html [^>]*lang="%s" dir="%s"'
                            % (code, direction))
                        self.assertRegex(html,
                            r'<div class="[^"]*" lang="%s" dir="%s">'
                            % (code, direction))
                        if code in RTL:
                            # the German beside it runs left to right
                            self.assertIn(
                                'class="de" lang="de" dir="ltr"', html)

    @with_transaction()
    def test_info_sheet_contents(self):
        "The information sheet names the controllers and the DPO"
        from pypdf import PdfReader
        case = self.setup_documents()
        with set_company(self.company):
            _, content, _, _ = self.print_(
                'info', case, self.languages['uk'])
        text = squash('\n'.join(
                p.extract_text() for p in PdfReader(
                    io.BytesIO(content)).pages))
        self.assertIn(squash("Dana Datenschutz"), text)
        self.assertIn(squash("Ministerium für Kinder"), text)
        self.assertIn(squash("Art. 26 DSGVO"), text)
        self.assertIn(squash("(Art. 21 DSGVO)"), text)
        self.assertIn(squash("Ваші права"), text)

    @with_transaction()
    def test_progress_contents(self):
        "The progress summary shows what was achieved, not what was dropped"
        from pypdf import PdfReader
        pool = Pool()
        Goal = pool.get('kim.case.plan.goal')
        case = self.setup_documents()
        dropped = self.plan.goals[1]
        Goal.write([dropped], {'status': 'dropped'})
        with set_company(self.company):
            _, content, _, _ = self.print_(
                'progress', case, self.languages['ro'])
        text = squash('\n'.join(
                p.extract_text() for p in PdfReader(
                    io.BytesIO(content)).pages))
        self.assertIn(squash("Find an apprenticeship"), text)
        self.assertIn(squash("Apply"), text)
        self.assertNotIn(squash("Reach level B1"), text)
        self.assertIn(squash("atins"), text)

    @with_transaction()
    def test_client_language(self):
        "Documents print in the client's language unless one is chosen"
        pool = Pool()
        Party = pool.get('party.party')
        Report = pool.get('kim.case.info_sheet', type='report')
        case = self.setup_documents()
        languages = self.languages
        self.assertIsNone(self.client.kim_get_document_language())
        # a native language without texts is skipped, Dari prints Persian
        Party.write([self.client], {
                'kim_client_languages': [('create', [
                            {'language': languages['so'].id,
                                'level': 'native'},
                            {'language': languages['prs'].id,
                                'level': 'native'},
                            ])],
                })
        self.assertEqual(
            self.client.kim_get_document_language(), languages['prs'])
        Party.write([self.client], {
                'kim_language_mediation': True,
                'kim_mediation_language': languages['ar'].id,
                })
        self.assertEqual(
            self.client.kim_get_document_language(), languages['ar'])
        Party.write([self.client], {
                'kim_document_language': languages['uk'].id,
                })
        self.assertEqual(
            self.client.kim_get_document_language(), languages['uk'])
        Party.write([self.client], {
                'kim_document_language': languages['de'].id,
                })
        self.assertIsNone(self.client.kim_get_document_language())

        Party.write([self.client], {
                'kim_document_language': languages['fa'].id,
                })
        ActionReport = pool.get('ir.action.report')
        ModelData = pool.get('ir.model.data')
        action = ActionReport(
            ModelData.get_id('kim_case', 'report_info_sheet'))
        html_action, = ActionReport.copy([action], {'extension': 'html'})
        with set_company(self.company), as_user(self.user):
            _, html, _, _ = Report.execute(
                [case.id], {'action_id': html_action.id})
            _, german, _, _ = Report.execute(
                [case.id], {'action_id': html_action.id,
                    'kim_language': 'de'})
        self.assertRegex(html, r'<html [^>]*lang="fa" dir="rtl"')
        self.assertRegex(german, r'<html [^>]*lang="de" dir="ltr"')
        self.assertNotIn('class="de"', german)

    @with_transaction()
    def test_hand_out(self):
        "Handing out prints the document and records it on the case"
        pool = Pool()
        Case = pool.get('kim.case')
        HandOut = pool.get('kim.case.document.hand_out', type='wizard')
        case = self.setup_documents()
        self.client.kim_document_language = self.languages['ar']
        self.client.save()
        context = {
            'active_model': 'kim.case', 'active_id': case.id,
            'active_ids': [case.id], 'company': self.company.id,
            'employee': self.employee.id,
            }
        with Transaction().set_user(self.user.id), \
                Transaction().set_context(**context):
            session_id, _, _ = HandOut.create()
            result = HandOut.execute(session_id, {}, 'start')
            defaults = {k: v for k, v in result['view']['defaults'].items()
                if '.' not in k}
            self.assertEqual(defaults['language'], self.languages['ar'].id)
            self.assertEqual(defaults['kind'], 'info')
            self.assertIn('fa', defaults['available_codes'])
            result = HandOut.execute(session_id, {
                    'start': dict(defaults, kind='plan',
                        plan=self.plan.id, consent=None),
                    }, 'hand_out')
            (action, data), = [a for a in result['actions']]
            HandOut.delete(session_id)
        self.assertEqual(action['report_name'], 'kim.case.plan')
        self.assertEqual(data['ids'], [self.plan.id])
        self.assertEqual(data['kim_language'], self.languages['ar'].id)
        case = Case(case.id)
        document, = case.documents
        self.assertEqual(document.kind, 'plan')
        self.assertEqual(document.language, self.languages['ar'])
        self.assertEqual(document.date, self.today)
        self.assertEqual(document.document, self.plan)
        self.assertEqual(document.employee, self.employee)
        # the record is evidence: no client changes it
        Document = pool.get('kim.case.document')
        with Transaction().set_user(self.user.id), \
                Transaction().set_context(_check_access=True, **context):
            with self.assertRaises(DocumentError):
                Document.write([Document(document.id)], {'kind': 'info'})
        self.assertEqual(Document(document.id).kind, 'plan')

        # print only, German alone
        with Transaction().set_user(self.user.id), \
                Transaction().set_context(**context):
            session_id, _, _ = HandOut.create()
            result = HandOut.execute(session_id, {
                    'start': dict(defaults, kind='progress', language=None,
                        plan=None, consent=None, record=False),
                    }, 'hand_out')
            (action, data), = result['actions']
            HandOut.delete(session_id)
        self.assertEqual(action['report_name'], 'kim.case.progress')
        self.assertEqual(data['kim_language'], 'de')
        self.assertEqual(len(Case(case.id).documents), 1)

        # a plan of another case is refused
        other = Case(company=self.company, client=self.client,
            kommune=self.kommune, case_manager=self.employee,
            depth='case_management', state='implementation')
        other.save()
        with Transaction().set_user(self.user.id), \
                Transaction().set_context(**dict(context,
                    active_id=other.id, active_ids=[other.id])):
            session_id, _, _ = HandOut.create()
            with self.assertRaises(DocumentError):
                HandOut.execute(session_id, {
                        'start': dict(defaults, case=other.id, kind='plan',
                            plan=self.plan.id, consent=None),
                        }, 'hand_out')

    @with_transaction()
    def test_access(self):
        "Who cannot read the case prints none of its documents"
        pool = Pool()
        HandOut = pool.get('kim.case.document.hand_out', type='wizard')
        Document = pool.get('kim.case.document')
        case = self.setup_documents()
        Document.create([{'case': case.id, 'kind': 'info',
                    'date': self.today}])
        other_employee = create_employee(self.company, name="Other")
        other = create_user('documents_other',
            [('kim_case', 'group_case_manager')], company=self.company,
            employees=[other_employee])
        coordinator = create_user('documents_coordinator', [],
            company=self.company)
        for user in [other, coordinator]:
            self.user = user
            with self.subTest(user=user.login), set_company(self.company):
                for document in REPORTS:
                    with self.assertRaises(AccessError):
                        self.print_(document, self.records(case, document),
                            self.languages['ar'])
                with as_user(user):
                    if user == other:
                        self.assertEqual(Document.search([]), [])
                    else:
                        with self.assertRaises(AccessError):
                            Document.search([])
                with Transaction().set_user(user.id), \
                        Transaction().set_context(active_model='kim.case',
                            active_id=case.id, active_ids=[case.id]), \
                        self.assertRaises(AccessError):
                    HandOut.create()
