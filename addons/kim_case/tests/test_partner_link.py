# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""The partner link of a referral over HTTP (werkzeug's test client against
trytond.wsgi.app): valid, expired, forged, revoked, replayed tokens and a
token of another referral; the e-mails in a local SMTP sink"""
import datetime as dt
import re
import unittest

from trytond.modules.company.tests import create_company, create_employee
from trytond.modules.kim_network.tests.tools import (
    PartnerLinkTestMixin, SMTPSink, codes, create_organisation, phone_layout)
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME

DAY = dt.timedelta(days=1)
CLIENT_NAME = "Fiktiva Beispielperson"
NOTE_TEXT = "Vertrauliche Notiz XYZ"
URL = re.compile(r'https?://[^\s]+/kim/link/([A-Za-z0-9_.-]+)')


class PartnerLinkReferralTestCase(PartnerLinkTestMixin, unittest.TestCase):
    "The referral answered by the organisation from its link"
    module = 'kim_case'

    def make_referrals(self, count=2):
        "Sent referrals of a new case with a consent; return their ids"
        pool = Pool()
        Party = pool.get('party.party')
        Case = pool.get('kim.case')
        Consent = pool.get('kim.consent')
        Attachment = pool.get('ir.attachment')
        Referral = pool.get('kim.case.referral')
        Note = pool.get('kim.case.note')
        Contact = pool.get('kim.organisation.contact')
        today = pool.get('ir.date').today()
        company = create_company()
        eva = create_employee(company, "Fallmanagerin Eva")
        eva.party.contact_mechanisms = [{'type': 'email',
                'value': 'eva@kim.example.org'}]
        eva.party.save()
        Kommune = pool.get('kim.kommune')
        kommune = Kommune(name="Musterstadt",
            ags='059%05d' % Kommune.search([], count=True))
        kommune.save()
        client = Party(name=CLIENT_NAME, kim_client=True,
            kim_residence_kommune=kommune)
        client.save()
        jobcenter = create_organisation("Jobcenter Musterstadt", 'JOBCENTER')
        person = Party(name="Frau Kontakt")
        person.save()
        contact = Contact(organisation=jobcenter, person=person,
            email='kontakt@jobcenter.example.org')
        contact.save()
        work, = codes('kim.handlungsfeld', 'ARBEIT')
        case = Case(company=company, client=client, case_manager=eva,
            kommune=kommune,
            depth='case_management', state='implementation',
            opened_date=today - 30 * DAY)
        case.save()
        Note(case=case, text=NOTE_TEXT, author=eva).save()
        consent = Consent(client=client,
            purposes=['case_management', 'transfer'],
            recipients=[jobcenter], handlungsfelder=[work],
            signed_date=today - 5 * DAY)
        consent.save()
        Attachment(resource=consent, name="form.pdf", type='data',
            data=b'%PDF-1.4').save()
        Consent.give([consent])
        referrals = []
        for i in range(count):
            referral = Referral(case=case, organisation=jobcenter,
                contact=contact, handlungsfeld=work,
                purpose="Beratung zur Arbeitsaufnahme %s" % i,
                description="Text der Weiterleitung %s" % i)
            referral.save()
            referrals.append(referral)
        Referral.check_agreements = classmethod(lambda cls, r, date=None: {
                x.id: None for x in r})
        try:
            Referral.send(referrals)
        finally:
            del Referral.check_agreements
        return [r.id for r in referrals]

    def send(self, count=2):
        "Send referrals, return (ids, tokens) from the e-mails in the sink"
        with SMTPSink() as sink:
            with self.committed() as transaction:
                ids = self.make_referrals(count)
                transaction.commit()
        tokens = []
        for message in sink.messages:
            body = message.get_body(('plain',)).get_content()
            if 'kim/link' in body:
                tokens.append(URL.search(body).group(1))
        self.assertEqual(len(tokens), count)
        for message in sink.messages:
            self.assertNotIn(CLIENT_NAME, message.as_string())
        return ids, tokens, sink

    def url(self, token):
        return '/%s/kim/link/%s' % (DB_NAME, token)

    def referral(self, id_):
        with self.committed():
            Referral = Pool().get('kim.case.referral')
            referral = Referral(id_)
            return (referral.state, referral.rejection_reason,
                referral.feedback)

    def assert_refused(self, response, status=404):
        self.assertEqual(response.status_code, status)
        text = response.get_data(as_text=True)
        self.assertIn("Dieser Link kann nicht geöffnet werden", text)
        for secret in [CLIENT_NAME, "Jobcenter", "Arbeitsaufnahme",
                "Weiterleitung", NOTE_TEXT, "Eva"]:
            self.assertNotIn(secret, text)
        return text

    def test_valid_page_and_accept_complete(self):
        "A valid token shows the referral and takes accept and completion"
        ids, tokens, _ = self.send()
        response = self.client.get(self.url(tokens[0]))
        self.assertEqual(response.status_code, 200)
        text = response.get_data(as_text=True)
        self.assertIn(CLIENT_NAME, text)
        self.assertIn("Beratung zur Arbeitsaufnahme 0", text)
        self.assertNotIn("Arbeitsaufnahme 1", text)
        self.assertNotIn(NOTE_TEXT, text)
        self.assertIn('lang="de"', text)
        self.assertIn('name="viewport"', text)
        self.assertNotIn('http', re.sub(r'https?://[^"]*kim/link', '', text)
            .replace('http-equiv', ''))
        self.assertEqual(response.headers['Cache-Control'], 'no-store')
        self.assertEqual(response.headers['Referrer-Policy'], 'no-referrer')

        with SMTPSink() as sink:
            response = self.client.post(self.url(tokens[0]), data={
                    'record': str(ids[0]), 'action': 'accept'})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.referral(ids[0])[0], 'accepted')
        self.assertEqual(self.referral(ids[1])[0], 'sent')
        self.assertEqual([m['To'] for m in sink.messages],
            ['eva@kim.example.org'])
        self.assertNotIn(CLIENT_NAME, sink.messages[0].as_string())

        # the accept again is not possible any more (the page says so)
        response = self.client.post(self.url(tokens[0]), data={
                'record': str(ids[0]), 'action': 'accept'})
        self.assertEqual(response.status_code, 400)

        # completion needs feedback
        response = self.client.post(self.url(tokens[0]), data={
                'record': str(ids[0]), 'action': 'complete', 'feedback': ''})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.referral(ids[0])[0], 'accepted')
        response = self.client.post(self.url(tokens[0]), data={
                'record': str(ids[0]), 'action': 'complete',
                'feedback': "Arbeitsaufnahme erfolgt"})
        self.assertEqual(response.status_code, 200)
        state, _, feedback = self.referral(ids[0])
        self.assertEqual(state, 'completed')
        self.assertEqual(feedback, "Arbeitsaufnahme erfolgt")

        # replayed: the link is used up
        self.assert_refused(self.client.get(self.url(tokens[0])))
        self.assert_refused(self.client.post(self.url(tokens[0]), data={
                    'record': str(ids[0]), 'action': 'complete',
                    'feedback': "nochmal"}))

        with self.committed():
            pool = Pool()
            Event = pool.get('kim.case.event')
            Use = pool.get('kim.partner.link.use')
            Notification = pool.get('res.notification')
            Referral = pool.get('kim.case.referral')
            referral = Referral(ids[0])
            events = Event.search([('case', '=', referral.case.id),
                    ('description', 'ilike', '%Link%')])
            self.assertEqual(len(events), 2)
            outcomes = [u.outcome for u in Use.search(
                    [('link.resource', '=', str(referral))],
                    order=[('id', 'ASC')])]
            self.assertEqual(outcomes,
                ['shown', 'done', 'input', 'input', 'done', 'used', 'used'])
            self.assertEqual(Notification.search([], count=True), 0)

    def test_phone_layout(self):
        "The page fits a phone held upright, with large enough buttons"
        ids, tokens, _ = self.send(1)
        html = self.client.get(self.url(tokens[0])).get_data(as_text=True)
        layout = phone_layout(html)
        if layout is None:
            self.skipTest("Chromium, chromedriver or selenium missing")
        self.assertLessEqual(layout['scroll_width'], layout['width'])
        self.assertGreaterEqual(layout['font_size'], 16)
        self.assertEqual(len(layout['buttons']), 2)
        for text, width, height in layout['buttons']:
            self.assertGreaterEqual(height, 44, text)
            self.assertLessEqual(width, layout['width'], text)

    def test_reject_with_reason(self):
        "Reject needs a reason; the reason is on the referral"
        ids, tokens, _ = self.send(1)
        response = self.client.post(self.url(tokens[0]), data={
                'record': str(ids[0]), 'action': 'reject', 'reason': ' '})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.referral(ids[0])[0], 'sent')
        response = self.client.post(self.url(tokens[0]), data={
                'record': str(ids[0]), 'action': 'reject',
                'reason': "Kein Platz frei"})
        self.assertEqual(response.status_code, 200)
        state, reason, _ = self.referral(ids[0])
        self.assertEqual((state, reason), ('rejected', "Kein Platz frei"))
        self.assert_refused(self.client.get(self.url(tokens[0])))

    def test_other_referral(self):
        "A token answers its own referral only"
        ids, tokens, _ = self.send()
        self.assert_refused(self.client.post(self.url(tokens[0]), data={
                    'record': str(ids[1]), 'action': 'accept'}))
        self.assertEqual(self.referral(ids[0])[0], 'sent')
        self.assertEqual(self.referral(ids[1])[0], 'sent')

    def test_forged(self):
        "Forged and malformed tokens get the refusal"
        ids, tokens, _ = self.send(1)
        selector, verifier = tokens[0].split('.')
        forged = [
            selector + '.' + verifier[:-1] + ('A' if verifier[-1] != 'A'
                else 'B'),
            'x' * 12 + '.' + verifier,
            'abc',
            selector,
            '..',
            '%00',
            ]
        texts = {self.assert_refused(self.client.get(self.url(t)))
            for t in forged}
        texts.add(self.assert_refused(self.client.post(
                    self.url(forged[0]), data={
                        'record': str(ids[0]), 'action': 'accept'})))
        self.assertEqual(len(texts), 1)
        self.assertEqual(self.referral(ids[0])[0], 'sent')

    def test_expired_and_revoked(self):
        "Expired and revoked links get the same refusal"
        ids, tokens, _ = self.send()
        with self.committed() as transaction:
            pool = Pool()
            Link = pool.get('kim.partner.link')
            Referral = pool.get('kim.case.referral')
            first = Link.for_resource(Referral(ids[0]), 'referral')
            Link.write(first, {
                    'expiry': dt.datetime.now() - dt.timedelta(minutes=1)})
            Referral.revoke_partner_links([Referral(ids[1])])
            transaction.commit()
        expired = self.assert_refused(self.client.get(self.url(tokens[0])))
        revoked = self.assert_refused(self.client.get(self.url(tokens[1])))
        self.assertEqual(expired, revoked)
        self.assertEqual(self.referral(ids[0])[0], 'sent')

    def test_token_not_stored(self):
        "Only the hash of the secret part is stored"
        ids, tokens, _ = self.send(1)
        with self.committed():
            Link = Pool().get('kim.partner.link')
            selector, verifier = tokens[0].split('.')
            link, = Link.search([('selector', '=', selector)])
            self.assertEqual(link.selector, selector)
            self.assertNotIn(verifier, link.token_hash)
            self.assertEqual(len(link.token_hash), 64)
            self.assertEqual(link.email, 'kontakt@jobcenter.example.org')

    def test_rate_limit(self):
        "Too many requests from one address are refused"
        from trytond.config import config
        ids, tokens, _ = self.send(1)
        config.set('kim', 'partner_link_max_ip', '5')
        try:
            for _ in range(5):
                self.client.get(self.url('a' * 12 + '.' + 'b' * 43))
            response = self.client.get(self.url(tokens[0]))
            self.assert_refused(response, status=429)
        finally:
            config.set('kim', 'partner_link_max_ip', '1000')

    def test_access_by_role(self):
        "Links: read by roles, changed by the server only, revoked by button"
        from trytond.model.exceptions import AccessError
        from trytond.exceptions import UserError
        from trytond.modules.kim_network.tests.tools import (
            as_user, create_user)
        ids, tokens, _ = self.send(1)
        self.assertEqual(self.client.get(self.url(tokens[0])).status_code,
            200)
        with self.committed():
            pool = Pool()
            Link = pool.get('kim.partner.link')
            Use = pool.get('kim.partner.link.use')
            Referral = pool.get('kim.case.referral')
            referral = Referral(ids[0])
            company = referral.case.company
            manager = create_user('fm_links', [('kim_case',
                        'group_case_manager')], company=company,
                employees=[referral.case.case_manager])
            coordination = create_user('ko_links', [('kim_network',
                        'group_kim_coordination')], company=company)
            plain = create_user('user_links', [('kim_network',
                        'group_kim_user')], company=company)
            link, = Link.for_resource(referral, 'referral')
            with as_user(plain):
                with self.assertRaises(AccessError):
                    Link.read([link.id], ['selector'])
            with as_user(manager):
                self.assertEqual(
                    [l.id for l in Referral(ids[0]).partner_links],
                    [link.id])
                for call in [
                        lambda: Link.write([Link(link.id)],
                            {'revoked': True}),
                        lambda: Link.create([{'selector': 'x'}]),
                        lambda: Link.delete([Link(link.id)]),
                        lambda: Use.create([{'ip': '1.2.3.4'}]),
                        ]:
                    with self.assertRaises((AccessError, UserError)):
                        call()
                self.assertFalse(Link.search([
                            ('purpose', '!=', 'referral')]))
            with as_user(coordination):
                Link.revoke([Link(link.id)])
                self.assertTrue(Link(link.id).revoked)
                self.assertTrue(Use.search([]))
                with self.assertRaises((AccessError, UserError)):
                    Use.delete(Use.search([], limit=1))
