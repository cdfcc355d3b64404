# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Partner links of the steering over HTTP (werkzeug's test client against
trytond.wsgi.app): meeting replies of members and deputies update the
attendance, partners report barriers; the invitation is an iMIP request in a
local SMTP sink; minutes and decisions reach the deputies and the named
working groups and actors"""
import datetime as dt
import re
import unittest

from trytond.modules.kim_network.tests.tools import (
    PartnerLinkTestMixin, SMTPSink, create_organisation)
from trytond.modules.kim_steering.partner_link import contains_personal_data
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction

from . import test_module

URL = re.compile(r'https?://[^\s]+/kim/link/([A-Za-z0-9_.-]+)')
REFUSAL = "Dieser Link kann nicht geöffnet werden"


def person(name, email=None):
    Party = Pool().get('party.party')
    values = {'name': name}
    if email:
        values['contact_mechanisms'] = [('create', [{
                        'type': 'email', 'value': email}])]
    party, = Party.create([values])
    return party


def tokens_of(messages):
    "{recipient address: token} of the links in the plain text parts"
    result = {}
    for message in messages:
        body = message.get_body(('plain',)).get_content()
        match = URL.search(body)
        if match:
            result[message['To'].addresses[0].addr_spec] = match.group(1)
    return result


class SteeringPartnerLinkTestCase(PartnerLinkTestMixin, unittest.TestCase):
    "Meeting replies and barrier reports from partner links"
    module = 'kim_steering'

    def run_committed(self, func):
        "Run func in a committed transaction, with the locks it asks for"
        from trytond.transaction import TransactionError
        extras = {}
        while True:
            with Transaction().start(DB_NAME, 0, context={'language': 'de'},
                    **extras) as transaction:
                try:
                    result = func()
                except TransactionError as error:
                    transaction.rollback()
                    error.fix(extras)
                    continue
                transaction.commit()
                return result

    def url(self, token):
        return '/%s/kim/link/%s' % (DB_NAME, token)

    def assert_refused(self, response, status=404):
        self.assertEqual(response.status_code, status)
        text = response.get_data(as_text=True)
        self.assertIn(REFUSAL, text)
        for secret in ["Anna", "Dora", "Lenkungsgruppe", "Kreishaus",
                "Jobcenter"]:
            self.assertNotIn(secret, text)

    def invite(self):
        """A committee with a member with a deputy, a member without and a
        guest; the meeting is invited. Return (ids, sink)"""
        pool = Pool()
        Committee = pool.get('kim.committee')
        Member = pool.get('kim.committee.member')
        Meeting = pool.get('kim.committee.meeting')
        AgendaItem = pool.get('kim.committee.agenda_item')
        ki = create_organisation("Kommunales Integrationszentrum", 'KI')
        ag = Committee(name="AG Wohnen", code='AGW', type='arbeitsgruppe',
            start_date=dt.date(2025, 1, 1))
        ag.save()
        agm = person("Wilma Wohnen", 'wilma@wohnen.example')
        Member(committee=ag, person=agm, role='member',
            email='wilma@wohnen.example').save()
        actor = create_organisation("Jobcenter Musterstadt", 'JOBCENTER')
        actor.contact_mechanisms = [{'type': 'email',
                'value': 'info@jobcenter.example'}]
        actor.save()
        committee = Committee(name="Lenkungsgruppe", code='LG',
            type='lenkungsgruppe', start_date=dt.date(2025, 1, 1),
            secretariat=ki, email='ki@musterland.example',
            decision_committees=[ag], decision_parties=[actor])
        committee.save()
        anna = person("Anna Mitglied", 'anna@ki.example')
        dora = person("Dora Vertretung", 'dora@ki.example')
        ben = person("Ben Ohnevertretung", 'ben@abh.example')
        member_anna = Member(committee=committee, person=anna, deputy=dora,
            role='chair', email='anna@ki.example')
        member_anna.save()
        member_ben = Member(committee=committee, person=ben, role='member',
            email='ben@abh.example')
        member_ben.save()
        start = (dt.datetime.now() + dt.timedelta(days=7)).replace(
            microsecond=0)
        meeting = Meeting(committee=committee, start=start,
            end=start + dt.timedelta(hours=2), place="Kreishaus",
            title="1. Sitzung")
        meeting.save()
        AgendaItem(meeting=meeting, title="Wohnraum", sequence=1).save()
        Meeting.invite([meeting])
        return {
            'meeting': meeting.id, 'anna': member_anna.id,
            'ben': member_ben.id, 'dora': dora.id,
            }

    def attendance(self, meeting_id, member_id):
        with self.committed():
            Attendance = Pool().get('kim.committee.attendance')
            attendance, = Attendance.search([
                    ('meeting', '=', meeting_id),
                    ('member', '=', member_id)])
            return (attendance.status, attendance.reply,
                attendance.deputy_person.id
                if attendance.deputy_person else None,
                attendance.id)

    def test_invitation_imip_and_replies(self):
        "iMIP invitation to members and deputies; replies set attendance"
        with SMTPSink() as sink:
            with self.committed() as transaction:
                ids = self.invite()
                transaction.commit()
        recipients = sorted(a for _, r in sink.envelopes for a in r)
        self.assertEqual(recipients, ['anna@ki.example', 'ben@abh.example',
                'dora@ki.example'])
        for message in sink.messages:
            self.assertEqual(message.get_content_type(),
                'multipart/alternative')
            plain, calendar = message.iter_parts()
            self.assertEqual(plain.get_content_type(), 'text/plain')
            self.assertEqual(calendar.get_content_type(), 'text/calendar')
            self.assertEqual(calendar.get_param('method'), 'REQUEST')
            self.assertIsNone(calendar.get_filename())
            lines = test_module.parse_ics(
                calendar.get_payload(decode=True).decode('utf-8'))
            values = {}
            for name, params, value in lines:
                values.setdefault(name, []).append((params, value))
            self.assertEqual(values['METHOD'], [({}, 'REQUEST')])
            attendees = {v: p for p, v in values['ATTENDEE']}
            self.assertEqual(set(attendees), {'mailto:anna@ki.example',
                    'mailto:ben@abh.example', 'mailto:dora@ki.example'})
            self.assertEqual(attendees['mailto:dora@ki.example']['ROLE'],
                'OPT-PARTICIPANT')
        dora_mail, = [m for m in sink.messages
            if 'dora@' in str(m['To'])]
        self.assertIn("Vertretung von Anna Mitglied",
            dora_mail.get_body(('plain',)).get_content())
        tokens = tokens_of(sink.messages)
        self.assertEqual(set(tokens), {'anna@ki.example', 'ben@abh.example',
                'dora@ki.example'})

        # the page shows the meeting and offers the deputy to Anna only
        response = self.client.get(self.url(tokens['anna@ki.example']))
        self.assertEqual(response.status_code, 200)
        text = response.get_data(as_text=True)
        self.assertIn("Lenkungsgruppe", text)
        self.assertIn('value="deputy"', text)
        response = self.client.get(self.url(tokens['ben@abh.example']))
        self.assertNotIn('value="deputy"', response.get_data(as_text=True))

        # Ben declines, the deputy answers for Anna
        _, _, _, ben_attendance = self.attendance(ids['meeting'], ids['ben'])
        response = self.client.post(self.url(tokens['ben@abh.example']),
            data={'record': str(ben_attendance), 'action': 'decline'})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.attendance(ids['meeting'], ids['ben'])[:2],
            ('excused', 'decline'))
        _, _, _, anna_attendance = self.attendance(
            ids['meeting'], ids['anna'])
        # Ben's link cannot answer for Anna
        self.assert_refused(self.client.post(
                self.url(tokens['ben@abh.example']),
                data={'record': str(anna_attendance), 'action': 'attend'}))
        response = self.client.post(self.url(tokens['dora@ki.example']),
            data={'record': str(anna_attendance), 'action': 'deputy'})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.attendance(ids['meeting'], ids['anna'])[:3],
            ('deputy', 'deputy', ids['dora']))
        # Ben changes his mind
        response = self.client.post(self.url(tokens['ben@abh.example']),
            data={'record': str(ben_attendance), 'action': 'attend'})
        self.assertEqual(self.attendance(ids['meeting'], ids['ben'])[:2],
            ('present', 'attend'))

        # held, the links open no more
        with self.committed() as transaction:
            Meeting = Pool().get('kim.committee.meeting')
            Meeting.hold([Meeting(ids['meeting'])])
            transaction.commit()
        self.assert_refused(self.client.get(
                self.url(tokens['ben@abh.example'])))

        # the minutes go to the deputy too, the decisions to the named
        # working group and actor
        def decide():
            pool = Pool()
            Meeting = pool.get('kim.committee.meeting')
            Decision = pool.get('kim.committee.decision')
            meeting = Meeting(ids['meeting'])
            Decision.create([{
                        'agenda_item': meeting.agenda_items[0].id,
                        'text': "Eine AG Wohnraum wird beauftragt.",
                        }])
            Meeting.approve([meeting])
        self.run_committed(decide)
        with SMTPSink() as sink:
            with self.committed() as transaction:
                Meeting = Pool().get('kim.committee.meeting')
                Meeting.send_minutes([Meeting(ids['meeting'])])
                transaction.commit()
        by_address = {}
        for (_, recipients), message in zip(sink.envelopes, sink.messages):
            for address in recipients:
                by_address[address] = message
        self.assertEqual(set(by_address), {'anna@ki.example',
                'ben@abh.example', 'dora@ki.example',
                'wilma@wohnen.example', 'info@jobcenter.example'})
        attachment, = by_address['dora@ki.example'].iter_attachments()
        self.assertEqual(attachment.get_content_type(), 'application/pdf')
        for address in ['wilma@wohnen.example', 'info@jobcenter.example']:
            body = by_address[address].get_body(('plain',)).get_content()
            self.assertIn("Eine AG Wohnraum wird beauftragt.", body)
            self.assertFalse(list(by_address[address].iter_attachments()))

    def test_guest_reply(self):
        """A guest without account gets a link with the invitation, attends
        or declines from it; the answer is recorded on the guest line"""
        def invite():
            pool = Pool()
            Committee = pool.get('kim.committee')
            Member = pool.get('kim.committee.member')
            Meeting = pool.get('kim.committee.meeting')
            AgendaItem = pool.get('kim.committee.agenda_item')
            committee = Committee(name="AG Sprache", code='AGS',
                type='arbeitsgruppe', start_date=dt.date(2025, 1, 1))
            committee.save()
            anna = person("Anna Mitglied", 'anna@ki.example')
            Member(committee=committee, person=anna, role='chair',
                email='anna@ki.example').save()
            gina = person("Gina Gast", 'gina@verein.example')
            start = (dt.datetime.now() + dt.timedelta(days=7)).replace(
                microsecond=0)
            meeting = Meeting(committee=committee, start=start,
                end=start + dt.timedelta(hours=2), place="Kreishaus",
                guests=[gina])
            meeting.save()
            AgendaItem(meeting=meeting, title="Sprachkurse", sequence=1
                ).save()
            Meeting.invite([meeting])
            guest, = meeting.guest_replies
            return meeting.id, guest.id
        with SMTPSink() as sink:
            meeting_id, guest_id = self.run_committed(invite)
        tokens = tokens_of(sink.messages)
        self.assertEqual(set(tokens), {'anna@ki.example',
                'gina@verein.example'})
        gina_mail, = [m for m in sink.messages if 'gina@' in str(m['To'])]
        self.assertIn("ob Sie teilnehmen",
            gina_mail.get_body(('plain',)).get_content())
        token = tokens['gina@verein.example']

        def reply():
            with self.committed():
                Guest = Pool().get('kim.committee.meeting-party.party')
                guest = Guest(guest_id)
                return guest.reply, bool(guest.reply_date), guest.note

        response = self.client.get(self.url(token))
        self.assertEqual(response.status_code, 200)
        text = response.get_data(as_text=True)
        self.assertIn("AG Sprache", text)
        self.assertIn("Gina Gast", text)
        self.assertNotIn('value="deputy"', text)
        self.assertNotIn("Anna", text)
        # no answer for the deputy, nor for another record
        response = self.client.post(self.url(token),
            data={'record': str(guest_id), 'action': 'deputy'})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(reply(), (None, False, None))
        self.assert_refused(self.client.post(self.url(token),
                data={'record': str(guest_id + 1), 'action': 'attend'}))
        # the guest attends, then declines with a note
        response = self.client.post(self.url(token),
            data={'record': str(guest_id), 'action': 'attend'})
        self.assertEqual(response.status_code, 200)
        self.assertIn("Nimmt teil", response.get_data(as_text=True))
        self.assertEqual(reply(), ('attend', True, None))
        response = self.client.post(self.url(token),
            data={'record': str(guest_id), 'action': 'decline',
                'note': "Terminkonflikt"})
        self.assertEqual(reply(), ('decline', True, "Terminkonflikt"))

        # cancelled, the link opens no more
        def cancel():
            Meeting = Pool().get('kim.committee.meeting')
            Meeting.cancel([Meeting(meeting_id)])
        with SMTPSink():
            self.run_committed(cancel)
        self.assert_refused(self.client.get(self.url(token)))

    def test_barrier_report_link(self):
        "A partner reports a barrier, pseudonymised, from its link"
        with SMTPSink() as sink:
            with self.committed() as transaction:
                pool = Pool()
                Party = pool.get('party.party')
                Handlungsfeld = pool.get('kim.handlungsfeld')
                org = create_organisation("Migrationsberatung Muster",
                    'SONSTIGE')
                org.contact_mechanisms = [{'type': 'email',
                        'value': 'mbe@muster.example'}]
                org.save()
                Party.send_barrier_link([org])
                org_id = org.id
                handlungsfeld = Handlungsfeld.search([], limit=1)[0].id
                transaction.commit()
        token = tokens_of(sink.messages)['mbe@muster.example']
        response = self.client.get(self.url(token))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Integrationshürde", response.get_data(as_text=True))

        for text in ["Frau Muster, geb. 01.02.1980, wartet",
                "Fall 12345 wartet", "Tel. 0171 2345678",
                "mail an a.b@example.org"]:
            response = self.client.post(self.url(token), data={
                    'record': str(org_id), 'action': 'submit',
                    'description': text,
                    'handlungsfeld': str(handlungsfeld), 'kind': 'gap'})
            self.assertEqual(response.status_code, 400, text)
        response = self.client.post(self.url(token), data={
                'record': str(org_id), 'action': 'submit',
                'description': "Wartezeiten von drei Monaten auf einen "
                "Integrationskurs im Jahr 2026.",
                'handlungsfeld': str(handlungsfeld), 'kind': 'waiting_time'})
        self.assertEqual(response.status_code, 200)
        with self.committed() as transaction:
            pool = Pool()
            Report = pool.get('kim.barrier_report')
            Link = pool.get('kim.partner.link')
            Notification = pool.get('res.notification')
            report, = Report.search([('reporter', '=', org_id)])
            self.assertEqual((report.state, report.reporter_kind,
                    report.kind), ('submitted', 'partner', 'waiting_time'))
            self.assertFalse(report.reporter_user)
            self.assertTrue(Notification.search(
                    [('model', '=', 'kim.barrier_report')]))
            Link.revoke(Link.search([('purpose', '=', 'barrier_report')]))
            transaction.commit()
        self.assert_refused(self.client.get(self.url(token)))


class PersonalDataTestCase(unittest.TestCase):
    "The pseudonymisation check of the partners' texts"

    def test_patterns(self):
        for text in ["geb. 1.2.1980", "am 2026-03-01", "Tel 0221 123456",
                "+49 171 2345678", "x@y.de", "Akte 4711"]:
            self.assertTrue(contains_personal_data(text), text)
        for text in ["Wartezeit von 3 Monaten im Jahr 2026",
                "Kein Kurs für 20 Personen", ""]:
            self.assertFalse(contains_personal_data(text), text)
