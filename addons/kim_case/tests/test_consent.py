# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"Schweigepflichtentbindung (kim.consent) of kim_case"
import datetime as dt
import io
import unittest

from trytond.exceptions import UserWarning
from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import (
    create_company, create_employee, set_company)
from trytond.modules.kim_case.exceptions import (
    ConsentReadOnlyError, ConsentValidationError, ConsentWarning)
from trytond.modules.kim_network.tests.tools import (
    FreshDatabaseMixin, as_user, create_organisation, create_user)
from trytond.modules.kim_network.workflow import WorkflowError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction


DAY = dt.timedelta(days=1)


def message(msg_id, **kwargs):
    from trytond.i18n import gettext
    return gettext(msg_id, **kwargs)


class ConsentTestCase(FreshDatabaseMixin, unittest.TestCase):
    "Test kim.consent"

    modules = 'kim_case'

    def setup_data(self):
        pool = Pool()
        Party = pool.get('party.party')
        Handlungsfeld = pool.get('kim.handlungsfeld')
        self.today = pool.get('ir.date').today()
        self.client = Party(name="Fiktiva Beispiel", kim_client=True)
        self.client.save()
        self.other_client = Party(name="Otto Anders", kim_client=True)
        self.other_client.save()
        self.jobcenter = create_organisation("Jobcenter Musterstadt")
        self.school = create_organisation("Sprachschule Muster")
        self.work, self.language = Handlungsfeld.search([
                ('code', 'in', ['ARBEIT', 'SPRACHE'])],
            order=[('code', 'ASC')])

    def create_consent(self, give=True, signed=None, valid_until=None,
            purposes=('case_management', 'transfer'), recipients=None,
            topics=None, client=None, language=None):
        pool = Pool()
        Consent = pool.get('kim.consent')
        if recipients is None:
            recipients = [self.jobcenter]
        if topics is None:
            topics = [self.work]
        consent = Consent(
            client=client or self.client,
            purposes=purposes,
            recipients=recipients,
            handlungsfelder=topics,
            signed_date=signed or self.today - 10 * DAY,
            valid_until=valid_until,
            language=language)
        consent.save()
        if give:
            self.attach(consent)
            Consent.give([consent])
        return consent

    def make_case_manager(self, login='consent_cm'):
        "A case manager user with a case of the client"
        pool = Pool()
        Kommune = pool.get('kim.kommune')
        Case = pool.get('kim.case')
        self.company = create_company()
        employee = create_employee(self.company, "Fallmanagerin Eva")
        kommune = Kommune(name="Musterstadt", ags='05999001')
        kommune.save()
        Case(company=self.company, client=self.client, kommune=kommune,
            case_manager=employee, depth='case_management',
            state='intake').save()
        return create_user(login, [('kim_case', 'group_case_manager')],
            company=self.company, employees=[employee])

    def attach(self, consent):
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        Attachment(resource=consent, name="form.pdf", type='data',
            data=b'%PDF-1.4 scanned').save()

    @with_transaction()
    def test_give(self):
        "Give a consent: the state changes and the attachment is counted"
        self.setup_data()
        consent = self.create_consent()
        self.assertEqual(consent.state, 'given')
        self.assertEqual(consent.attachment_count, 1)
        self.assertEqual(self.client.kim_consents, (consent,))

    @with_transaction()
    def test_give_without_attachment_warns(self):
        "Giving a consent without the scanned form warns"
        pool = Pool()
        Consent = pool.get('kim.consent')
        Warning = pool.get('res.user.warning')
        self.setup_data()
        consent = self.create_consent(give=False)
        with self.assertRaises(ConsentWarning) as cm:
            Consent.give([consent])
        self.assertIsInstance(cm.exception, UserWarning)
        self.assertEqual(consent.state, 'draft')
        Warning(user=Transaction().user, name=cm.exception.name).save()
        Consent.give([consent])
        self.assertEqual(consent.state, 'given')

    @with_transaction()
    def test_give_checks(self):
        "Give requires a signed date, a purpose and recipients to transfer"
        pool = Pool()
        Consent = pool.get('kim.consent')
        self.setup_data()
        consent = Consent(client=self.client, purposes=['transfer'])
        consent.save()
        self.attach(consent)
        with self.assertRaises(ConsentValidationError) as cm:
            Consent.give([consent])
        self.assertEqual(cm.exception.message,
            message('kim_case.msg_consent_give_unsigned',
                consent=consent.rec_name))
        consent.signed_date = self.today
        consent.save()
        with self.assertRaisesRegex(ConsentValidationError,
                'name at least one recipient'):
            Consent.give([consent])
        consent.purposes = []
        consent.save()
        with self.assertRaisesRegex(ConsentValidationError,
                'select at least one purpose'):
            Consent.give([consent])
        consent.purposes = ['case_management']
        consent.save()
        Consent.give([consent])
        self.assertEqual(consent.state, 'given')

    @with_transaction()
    def test_signed_not_in_future(self):
        "The signed date cannot be in the future"
        self.setup_data()
        with self.assertRaisesRegex(ConsentValidationError,
                'cannot be signed in the future'):
            self.create_consent(give=False, signed=self.today + DAY)
        self.create_consent(give=False, signed=self.today)

    @with_transaction()
    def test_valid_until_not_before_signed(self):
        "Valid until cannot be before the signed date"
        self.setup_data()
        with self.assertRaisesRegex(ConsentValidationError,
                'before it was signed'):
            self.create_consent(give=False, signed=self.today,
                valid_until=self.today - DAY)
        self.create_consent(give=False, signed=self.today,
            valid_until=self.today)

    @with_transaction()
    def test_revoke(self):
        "Revoke with a reason; the dates and the reason are checked"
        pool = Pool()
        Consent = pool.get('kim.consent')
        self.setup_data()
        consent = self.create_consent(signed=self.today - 5 * DAY)
        for reason in [None, '', '  ']:
            with self.assertRaisesRegex(ConsentValidationError,
                    'enter the reason'):
                Consent.do_revoke([consent], reason)
        with self.assertRaisesRegex(ConsentValidationError,
                'cannot be revoked in the future'):
            Consent.do_revoke([consent], "Letter", date=self.today + DAY)
        with self.assertRaisesRegex(ConsentValidationError,
                'before it was signed'):
            Consent.do_revoke(
                [consent], "Letter", date=self.today - 6 * DAY)
        consent = Consent(consent.id)
        self.assertEqual(consent.state, 'given')

        Consent.do_revoke([consent], "Client's letter", date=self.today)
        consent = Consent(consent.id)
        self.assertEqual(consent.state, 'revoked')
        self.assertEqual(consent.revoked_date, self.today)
        self.assertEqual(consent.revocation_reason, "Client's letter")

    @with_transaction()
    def test_revoked_requires_reason(self):
        "A revoked consent cannot lose its reason"
        pool = Pool()
        Consent = pool.get('kim.consent')
        self.setup_data()
        consent = self.create_consent()
        Consent.do_revoke([consent], "Phone call")
        with self.assertRaisesRegex(ConsentValidationError,
                'enter the reason'):
            Consent.write([consent], {'revocation_reason': None})

    @with_transaction()
    def test_revoke_wizard(self):
        "Revoke through the wizard"
        pool = Pool()
        Consent = pool.get('kim.consent')
        Revoke = pool.get('kim.consent.revoke', type='wizard')
        self.setup_data()
        consent = self.create_consent()
        user = self.make_case_manager()
        # the server runs wizards without access check (RPC of execute)
        with Transaction().set_user(user.id), Transaction().set_context(
                active_model='kim.consent',
                active_id=consent.id, active_ids=[consent.id]):
            session_id, _, _ = Revoke.create()
            Revoke.execute(session_id, {
                    'start': {'date': self.today, 'reason': "In person"},
                    }, 'revoke')
        consent = Consent(consent.id)
        self.assertEqual(consent.state, 'revoked')
        self.assertEqual(consent.revocation_reason, "In person")

    @with_transaction()
    def test_given_read_only(self):
        "A given consent cannot be edited or deleted"
        pool = Pool()
        Consent = pool.get('kim.consent')
        self.setup_data()
        consent = self.create_consent()
        for values in [
                {'valid_until': self.today + 30 * DAY},
                {'purposes': ['network']},
                {'notes': "Changed"},
                {'recipients': [('add', [self.school.id])]},
                {'handlungsfelder': [('add', [self.language.id])]},
                ]:
            with self.subTest(values=values), \
                    self.assertRaises(AccessError):
                Consent.write([consent], values)
        with self.assertRaises(ConsentReadOnlyError):
            Consent.delete([consent])
        Consent.do_revoke([consent], "Letter")
        with self.assertRaises(AccessError):
            Consent.write([consent], {'notes': "Changed"})
        # the revocation stands: no way back to given, by the state or by
        # the fields of the revocation
        user = self.make_case_manager()
        for values in [{'state': 'given'}, {'revoked_date': None},
                {'revocation_reason': "Irrtum"}]:
            with self.subTest(values=values), as_user(user), \
                    self.assertRaises(WorkflowError):
                Consent.write([Consent(consent.id)], values)
        self.assertEqual(consent.state, 'revoked')
        self.assertFalse(Consent.covers(self.client, self.jobcenter,
                handlungsfeld=self.work))

        draft = self.create_consent(give=False)
        Consent.write([draft], {'notes': "Changed"})
        Consent.delete([draft])

    @with_transaction()
    def test_copy(self):
        "A copy of a given consent is a new draft"
        pool = Pool()
        Consent = pool.get('kim.consent')
        self.setup_data()
        consent = self.create_consent()
        copy, = Consent.copy([consent])
        self.assertEqual(copy.state, 'draft')
        self.assertIsNone(copy.signed_date)
        self.assertEqual(copy.recipients, consent.recipients)

    @with_transaction()
    def test_find_covering(self):
        "find_covering checks purpose, recipient, topic and state"
        pool = Pool()
        Consent = pool.get('kim.consent')
        self.setup_data()
        self.assertIsNone(Consent.find_covering(self.client, self.jobcenter))
        draft = self.create_consent(give=False)
        self.assertIsNone(Consent.find_covering(self.client, self.jobcenter))
        consent = self.create_consent()

        self.assertEqual(
            Consent.find_covering(self.client, self.jobcenter), consent)
        self.assertEqual(Consent.find_covering(
                self.client.id, self.jobcenter.id, self.work.id), consent)
        self.assertEqual(Consent.find_covering(
                self.client, self.jobcenter, self.work), consent)
        self.assertTrue(Consent.covers(self.client, self.jobcenter,
                handlungsfeld=self.work))
        # case_management needs no recipient
        self.assertEqual(Consent.find_covering(
                self.client, None, purpose='case_management'), consent)
        # other purpose
        self.assertIsNone(Consent.find_covering(
                self.client, self.jobcenter, purpose='case_conference'))
        self.assertFalse(Consent.covers(
                self.client, self.jobcenter, purpose='network'))
        # other recipient
        self.assertIsNone(Consent.find_covering(self.client, self.school))
        # other topic
        self.assertIsNone(Consent.find_covering(
                self.client, self.jobcenter, self.language))
        # other client
        self.assertIsNone(
            Consent.find_covering(self.other_client, self.jobcenter))
        self.assertEqual(draft.state, 'draft')

    @with_transaction()
    def test_find_covering_date_window(self):
        "find_covering checks the days from signed to valid until"
        pool = Pool()
        Consent = pool.get('kim.consent')
        self.setup_data()
        signed = self.today - 10 * DAY
        until = self.today + 10 * DAY
        consent = self.create_consent(signed=signed, valid_until=until)

        def covers(date):
            return Consent.covers(self.client, self.jobcenter, date=date)
        self.assertFalse(covers(signed - DAY))
        self.assertTrue(covers(signed))
        self.assertTrue(covers(self.today))
        self.assertTrue(covers(None))
        self.assertTrue(covers(until))
        self.assertFalse(covers(until + DAY))

        # without valid until the consent covers until revoked
        open_ = self.create_consent(signed=signed, recipients=[self.school])
        self.assertTrue(Consent.covers(self.client, self.school,
                date=self.today + 3650 * DAY))
        # the latest signed consent wins
        later = self.create_consent(signed=self.today - DAY)
        self.assertEqual(
            Consent.find_covering(self.client, self.jobcenter), later)
        self.assertEqual(Consent.find_covering(
                self.client, self.jobcenter, date=self.today - 2 * DAY),
            consent)
        self.assertNotEqual(open_, later)

    @with_transaction()
    def test_find_covering_revoked_expired(self):
        "Revoked and expired consents cover nothing, at once"
        pool = Pool()
        Consent = pool.get('kim.consent')
        self.setup_data()
        consent = self.create_consent()
        self.assertTrue(Consent.covers(self.client, self.jobcenter))
        Consent.do_revoke([consent], "Letter")
        self.assertFalse(Consent.covers(self.client, self.jobcenter))
        # also for dates before the revocation: it is recorded as revoked
        self.assertFalse(Consent.covers(self.client, self.jobcenter,
                date=self.today - 5 * DAY))

        expiring = self.create_consent(valid_until=self.today)
        self.assertTrue(Consent.covers(self.client, self.jobcenter))
        Consent.expire(date=self.today + DAY)
        self.assertEqual(expiring.state, 'expired')
        self.assertFalse(Consent.covers(self.client, self.jobcenter,
                date=self.today))

    @with_transaction()
    def test_find_covering_without_access(self):
        "Other parts may ask as a user without access to consents"
        pool = Pool()
        Consent = pool.get('kim.consent')
        self.setup_data()
        consent = self.create_consent()
        user = create_user('consent_nobody', [])
        with as_user(user):
            self.assertEqual(Consent.find_covering(
                    self.client.id, self.jobcenter.id), consent)

    @with_transaction()
    def test_case_manager_access(self):
        "A case manager records and gives a consent"
        pool = Pool()
        Consent = pool.get('kim.consent')
        self.setup_data()
        user = self.make_case_manager()
        with as_user(user):
            consent, = Consent.create([{
                        'client': self.client.id,
                        'purposes': ['case_management'],
                        'signed_date': self.today,
                        }])
            self.attach(consent)
            Consent.give([consent])
            self.assertEqual(consent.state, 'given')

    @with_transaction()
    def test_supervisor_deletes_no_consent(self):
        "The Fachaufsicht cannot delete even a draft consent"
        pool = Pool()
        Consent = pool.get('kim.consent')
        self.setup_data()
        case_manager = self.make_case_manager()
        supervisor = create_user('consent_sup', [
                ('kim_case', 'group_case_supervisor')], company=self.company)
        draft = self.create_consent(give=False)
        other = self.create_consent(give=False)
        with as_user(supervisor):
            self.assertEqual(Consent.search([]), [other, draft])
            with self.assertRaises(AccessError):
                Consent.delete([draft])
        self.assertEqual(Consent.search([('id', '=', draft.id)]), [draft])
        with as_user(case_manager):
            Consent.delete([draft])
        self.assertEqual(Consent.search([]), [other])

    @with_transaction()
    def test_cron_expire(self):
        "The scheduled job expires the consents whose valid until passed"
        pool = Pool()
        Consent = pool.get('kim.consent')
        Cron = pool.get('ir.cron')
        self.setup_data()
        self.assertIn('kim.consent|expire',
            dict(Cron.fields_get(['method'])['method']['selection']))
        signed = dt.date(2025, 1, 10)
        ended = self.create_consent(signed=signed,
            valid_until=dt.date(2025, 6, 30))
        last_day = self.create_consent(signed=signed,
            valid_until=dt.date(2025, 7, 1))
        open_ = self.create_consent(signed=signed)
        draft = self.create_consent(give=False, signed=signed,
            valid_until=dt.date(2025, 3, 1))
        revoked = self.create_consent(signed=signed,
            valid_until=dt.date(2025, 3, 1))
        Consent.do_revoke([revoked], "Letter", date=dt.date(2025, 2, 1))

        expired = Consent.expire(date=dt.date(2025, 7, 1))
        self.assertEqual(expired, [ended])
        self.assertEqual(
            [c.state for c in [ended, last_day, open_, draft, revoked]],
            ['expired', 'given', 'given', 'draft', 'revoked'])
        self.assertEqual(ended.expired_date, dt.date(2025, 7, 1))

        # the scheduled job runs with today's date
        cron, = Cron.search([('method', '=', 'kim.consent|expire')])
        Cron.run_once([cron])
        self.assertEqual(last_day.state, 'expired')
        self.assertEqual(open_.state, 'given')

    @with_transaction()
    def test_consent_form_pdf(self):
        "The consent form in six languages as PDF"
        from pypdf import PdfReader
        pool = Pool()
        Language = pool.get('kim.language')
        ActionReport = pool.get('ir.action.report')
        ModelData = pool.get('ir.model.data')
        Report = pool.get('kim.consent', type='report')
        self.setup_data()
        user = self.make_case_manager()
        action = ActionReport(ModelData.get_id('kim_case', 'report_consent'))
        html_action, = ActionReport.copy([action], {'extension': 'html'})

        expected = {
            'de': ["Schweigepflichtentbindung", "jederzeit"],
            'en': ["Release from Confidentiality", "revoke this consent at",
                "Schweigepflichtentbindung"],
            # pypdf extracts Arabic in logical order from weasyprint
            'ar': ["البيانات الشخصية", "KIM", "Schweigepflichtentbindung"],
            'uk': ["Звільнення від обов’язку", "Добровільність",
                "Schweigepflichtentbindung"],
            'tr': ["Sır Saklama", "Gönüllülük", "Schweigepflichtentbindung"],
            'ru': ["Освобождение от обязанности", "Добровольность",
                "Schweigepflichtentbindung"],
            }
        with set_company(self.company):
            for code, phrases in expected.items():
                with self.subTest(language=code):
                    language, = Language.search([('code', '=', code)])
                    consent = self.create_consent(language=language,
                        purposes=['case_management', 'transfer'],
                        valid_until=self.today + 365 * DAY)
                    with as_user(user):
                        ext, content, _, name = Report.execute(
                            [consent.id], {})
                    self.assertEqual(ext, 'pdf')
                    self.assertTrue(content.startswith(b'%PDF'))
                    self.assertIn(code, name)
                    reader = PdfReader(io.BytesIO(content))
                    text = '\n'.join(
                        p.extract_text() for p in reader.pages)
                    self.assertIn("Fiktiva Beispiel", text)
                    self.assertIn("Jobcenter Musterstadt", text)
                    self.assertIn(
                        (self.today + 365 * DAY).strftime('%d.%m.%Y'),
                        text)
                    for phrase in phrases:
                        self.assertIn(phrase, text)

                    with as_user(user):
                        _, html, _, _ = Report.execute(
                            [consent.id], {'action_id': html_action.id})
                    if isinstance(html, bytes):
                        html = html.decode('utf-8')
                    direction = 'rtl' if code == 'ar' else 'ltr'
                    self.assertRegex(html,
                        r'<html [^>]*lang="%s" dir="%s"' % (code, direction))
                    self.assertIn('<div class="consent" lang="%s" dir="%s">'
                        % (code, direction), html)
                    if code == 'ar':
                        self.assertIn("الإعفاء من واجب السرية", html)

    @with_transaction()
    def test_consent_form_draft(self):
        "A draft form to sign has blank lines for the date"
        from pypdf import PdfReader
        pool = Pool()
        Consent = pool.get('kim.consent')
        Report = pool.get('kim.consent', type='report')
        self.setup_data()
        consent = Consent(client=self.client, purposes=['network'],
            recipients=[], handlungsfelder=[])
        consent.save()
        user = self.make_case_manager()
        with as_user(user):
            _, content, _, _ = Report.execute([consent.id], {})
        text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
        self.assertIn("Keine Stellen benannt.", text)
        self.assertIn("bis zu meinem Widerruf", text)
