# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
import datetime as dt
import re
import shutil
import subprocess
import tempfile
from unittest.mock import patch

from trytond.exceptions import UserError
from trytond.exceptions import UserWarning as TrytonWarning
from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, create_employee, set_company)
from trytond.modules.kim_network.tests.tools import (
    add_groups, as_user, codes, create_organisation, create_user,
    load_german)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

SENDMAIL = 'trytond.modules.kim_steering.meeting.sendmail_transactional'
DAY = dt.timedelta(days=1)


def parse_ics(text):
    """Parse iCalendar text into [(name, {param: value}, value)] after
    checking the line ends and unfolding (RFC 5545, 3.1)"""
    assert text.endswith('\r\n')
    assert '\n' not in text.replace('\r\n', '')
    for line in text.split('\r\n'):
        assert len(line.encode('utf-8')) <= 75, line
    lines = text.replace('\r\n ', '').split('\r\n')
    result = []
    for line in filter(None, lines):
        match = re.match(r'^([A-Z-]+)((?:;[^:;]+=(?:"[^"]*"|[^:;]*))*):(.*)$',
            line)
        assert match, line
        name, params, value = match.groups()
        params = dict(re.findall(r';([^=]+)=("[^"]*"|[^;]*)', params))
        params = {k: v.strip('"') for k, v in params.items()}
        result.append((name, params, value))
    return result


def calendar_parts(msg):
    "The text/calendar parts of an e-mail"
    return [p for p in msg.walk() if p.get_content_type() == 'text/calendar']


def unescape(value):
    return (value.replace('\\n', '\n').replace('\\,', ',')
        .replace('\\;', ';').replace('\\\\', '\\'))


def utc(*args):
    return dt.datetime(*args)


class KimSteeringTestCase(CompanyTestMixin, ModuleTestCase):
    "Test KIM Steering module"
    module = 'kim_steering'

    # --- helpers -----------------------------------------------------

    def person(self, name, email=None, **values):
        Party = Pool().get('party.party')
        if email:
            values['contact_mechanisms'] = [('create', [{
                            'type': 'email', 'value': email}])]
        person, = Party.create([dict(name=name, **values)])
        return person

    def kommune(self, name='Nordstadt', ags='05999001', size='large'):
        Kommune = Pool().get('kim.kommune')
        kommune, = Kommune.create([{
                    'name': name, 'ags': ags, 'size_class': size}])
        return kommune

    def committee(self, name="Lenkungsgruppe", code='LG',
            type='lenkungsgruppe', **values):
        Committee = Pool().get('kim.committee')
        values.setdefault('start_date', dt.date(2025, 1, 1))
        committee, = Committee.create([dict(
                    name=name, code=code, type=type, **values)])
        return committee

    def member(self, committee, person, **values):
        Member = Pool().get('kim.committee.member')
        values.setdefault('email', person.email)
        member, = Member.create([dict(
                    committee=committee.id, person=person.id, **values)])
        return member

    def meeting(self, committee, start, hours=2, **values):
        Meeting = Pool().get('kim.committee.meeting')
        values.setdefault('place', "Kreishaus, Raum 101")
        meeting, = Meeting.create([dict(committee=committee.id,
                    start=start, end=start + dt.timedelta(hours=hours),
                    **values)])
        return meeting

    def item(self, meeting, title="Bericht", **values):
        AgendaItem = Pool().get('kim.committee.agenda_item')
        values.setdefault('sequence', 300)
        item, = AgendaItem.create([dict(
                    meeting=meeting.id, title=title, **values)])
        return item

    def decision(self, item, **values):
        Decision = Pool().get('kim.committee.decision')
        values.setdefault('text', "Die Lenkungsgruppe beschließt.")
        decision, = Decision.create([dict(agenda_item=item.id, **values)])
        return decision

    def held(self, meeting, statuses=None):
        "Hold the meeting and record the attendance {member: status}"
        pool = Pool()
        Meeting = pool.get('kim.committee.meeting')
        Attendance = pool.get('kim.committee.attendance')
        Meeting.hold([meeting])
        meeting = Meeting(meeting.id)
        for attendance in meeting.attendances:
            status = (statuses or {}).get(attendance.member, 'present')
            Attendance.write([attendance], {'status': status})
        return Meeting(meeting.id)

    def case_setup(self):
        "A company, a case manager and a case of a client"
        pool = Pool()
        Party = pool.get('party.party')
        Case = pool.get('kim.case')
        company = create_company()
        employee = create_employee(company, "Fallmanagerin Eva")
        client, = Party.create([{
                    'name': "Amina Haddad", 'kim_client': True}])
        kommune = self.kommune()
        with set_company(company):
            case, = Case.create([{
                        'client': client.id, 'kommune': kommune.id,
                        'case_manager': employee.id,
                        }])
        return company, employee, client, case

    def user(self, login, groups, company=None, employees=(), **values):
        return create_user(login, groups, company=company,
            employees=employees, **values)

    def assertMessage(self, cm, pattern):
        self.assertRegex(cm.exception.message, pattern)

    # --- validation --------------------------------------------------

    @with_transaction()
    def test_committee_end_before_start(self):
        "A committee cannot end before it starts"
        with self.assertRaises(UserError) as cm:
            self.committee(start_date=dt.date(2026, 3, 1),
                end_date=dt.date(2026, 2, 1))
        self.assertMessage(cm, r'Committee "Lenkungsgruppe \(LG\)" cannot '
            r'end \(2026-02-01\) before it starts \(2026-03-01\)')

    @with_transaction()
    def test_committee_code_unique(self):
        "The committee code is unique"
        self.committee()
        with self.assertRaises(UserError) as cm:
            self.committee(name="Andere Gruppe")
        self.assertMessage(cm, r'Another committee already has this code')

    @with_transaction()
    def test_committee_close_needs_end_kind(self):
        "Closing a committee asks how it ended"
        today = dt.date.today()
        Committee = Pool().get('kim.committee')
        committee = self.committee(name="AG Wohnen", code='AGW',
            type='arbeitsgruppe')
        with self.assertRaises(UserError) as cm:
            Committee.close([committee])
        self.assertMessage(cm, r'state how it ended')
        committee.end_kind = 'delegated'
        committee.save()
        with self.assertRaises(UserError) as cm:
            Committee.close([committee])
        self.assertMessage(cm, r'is delegated')
        committee.end_kind = 'regular_work'
        committee.save()
        Committee.close([committee])
        self.assertEqual(committee.state, 'closed')
        self.assertEqual(committee.end_date, today)

    @with_transaction()
    def test_member_to_before_from(self):
        "A membership cannot end before it starts"
        committee = self.committee()
        person = self.person("Anna Musterfrau")
        with self.assertRaises(UserError) as cm:
            self.member(committee, person, valid_from=dt.date(2026, 5, 1),
                valid_to=dt.date(2026, 4, 30))
        self.assertMessage(cm, r'ends \(2026-04-30\) before it starts '
            r'\(2026-05-01\)')

    @with_transaction()
    def test_member_own_deputy(self):
        "A member is not their own deputy"
        committee = self.committee()
        person = self.person("Anna Musterfrau")
        with self.assertRaises(UserError) as cm:
            self.member(committee, person, deputy=person.id)
        self.assertMessage(cm, r'cannot be their own deputy')

    @with_transaction()
    def test_meeting_end_before_start(self):
        "A meeting cannot end before it starts"
        committee = self.committee()
        with self.assertRaises(UserError) as cm:
            self.meeting(committee, utc(2026, 3, 10, 14), hours=-1)
        self.assertMessage(cm, r'Meeting "LG 2026-03-10" cannot end '
            r'\(2026-03-10 14:00\) before or when it starts '
            r'\(2026-03-10 15:00\)')

    @with_transaction(user=0)
    def test_next_meeting_history(self):
        """The next meeting is the one after now, in a replayed history
        (root only) the one after its day"""
        Meeting = Pool().get('kim.committee.meeting')
        committee = self.committee()
        now = dt.datetime.now()
        past = self.meeting(committee, now - dt.timedelta(days=30))
        future = self.meeting(committee, now + dt.timedelta(days=30))
        self.assertEqual(Meeting.next_meeting(committee), future)
        day = (now - dt.timedelta(days=40)).date()
        with Transaction().set_context(_kim_history_date=day):
            self.assertEqual(Meeting.next_meeting(committee), past)
            with Transaction().set_user(1):
                self.assertEqual(Meeting.next_meeting(committee), future)

    @with_transaction()
    def test_decision_votes_negative(self):
        "Vote counts cannot be negative"
        committee = self.committee()
        meeting = self.meeting(committee, utc(2026, 3, 10, 14))
        item = self.item(meeting)
        with self.assertRaises(UserError) as cm:
            self.decision(item, voted=True, votes_yes=5, votes_no=-1)
        self.assertMessage(cm, r'The field "No" of Decision .* cannot be '
            r'negative')

    @with_transaction()
    def test_standing_item_times(self):
        "A standing item N times a year needs N"
        StandingItem = Pool().get('kim.committee.standing_item')
        committee = self.committee()
        with self.assertRaises(UserError) as cm:
            StandingItem.create([{'committee': committee.id,
                        'title': "Bericht", 'frequency': 'per_year',
                        'times_per_year': 0}])
        self.assertMessage(cm, r'N must be at least 1')

    @with_transaction()
    def test_messages_registered(self):
        "The validation messages are translatable ir.message records"
        pool = Pool()
        Message = pool.get('ir.message')
        ModelData = pool.get('ir.model.data')
        for name in ['msg_meeting_end_before_start',
                'msg_committee_end_before_start',
                'msg_report_identifying']:
            message = Message(ModelData.get_id('kim_steering', name))
            self.assertTrue(message.text)

    # --- rhythm and attendance -----------------------------------------

    @with_transaction()
    def test_rhythm_missed(self):
        "The rhythm warning for fixed dates"
        pool = Pool()
        Committee = pool.get('kim.committee')
        Meeting = pool.get('kim.committee.meeting')
        lg = self.committee(rhythm='quarterly',
            start_date=dt.date(2025, 1, 1))
        self.committee(name="AG Sprache", code='AGS',
            type='arbeitsgruppe', rhythm='monthly',
            start_date=dt.date(2025, 5, 1))
        self.committee(name="Forum", code='AF', type='austauschforum',
            rhythm='as_needed')
        self.meeting(lg, utc(2025, 2, 10, 14))
        self.meeting(lg, utc(2025, 6, 1, 14))
        cancelled = self.meeting(lg, utc(2025, 8, 15, 14))
        Meeting.cancel([cancelled])

        def check(date):
            with Transaction().set_context(date=date):
                missed = Committee.search([('rhythm_missed', '=', True)])
                not_missed = Committee.search(
                    [('rhythm_missed', '=', False)])
                self.assertFalse(set(missed) & set(not_missed))
                lg_ = Committee(lg.id)
                return ({c.code for c in missed}, lg_.last_meeting,
                    lg_.rhythm_due, lg_.rhythm_missed)

        codes_, last, due, missed = check(dt.date(2025, 5, 31))
        # LG met on 10 February: due by 10 May, missed on 31 May;
        # the AG started on 1 May: due by 1 June
        self.assertEqual(codes_, {'LG'})
        self.assertEqual((last, due, missed),
            (dt.date(2025, 2, 10), dt.date(2025, 5, 10), True))
        codes_, last, due, missed = check(dt.date(2025, 6, 1))
        self.assertEqual(codes_, set())
        self.assertEqual((last, due), (dt.date(2025, 6, 1),
                dt.date(2025, 9, 1)))
        codes_, *_ = check(dt.date(2025, 6, 2))
        self.assertEqual(codes_, {'AGS'})
        # the cancelled meeting does not count
        codes_, last, due, missed = check(dt.date(2025, 9, 1))
        self.assertEqual((last, missed), (dt.date(2025, 6, 1), False))
        codes_, last, due, missed = check(dt.date(2025, 9, 2))
        self.assertEqual(codes_, {'LG', 'AGS'})
        self.assertEqual(Committee.missed_rhythm(dt.date(2025, 9, 2)),
            Committee.search([('code', 'in', ['AGS', 'LG'])],
                order=[('type', 'ASC'), ('name', 'ASC'), ('id', 'ASC')]))
        # a dormant committee is not warned about
        Committee.suspend([lg])
        codes_, *_ = check(dt.date(2025, 9, 2))
        self.assertEqual(codes_, {'AGS'})

    @with_transaction()
    def test_attendance_rate(self):
        "The attendance rate per member for fixed dates"
        pool = Pool()
        Member = pool.get('kim.committee.member')
        committee = self.committee()
        anna = self.member(committee, self.person("Anna Musterfrau"),
            deputy=self.person("Dora Demofeld").id)
        ben = self.member(committee, self.person("Ben Beispielmann"))
        late = self.member(committee, self.person("Cem Probeoğlu"),
            valid_from=dt.date(2026, 4, 1))
        m1 = self.meeting(committee, utc(2026, 1, 20, 14))
        m2 = self.meeting(committee, utc(2026, 3, 20, 14))
        m3 = self.meeting(committee, utc(2026, 6, 20, 14))
        self.meeting(committee, utc(2026, 9, 20, 14))  # planned only
        self.held(m1, {anna: 'present', ben: 'absent'})
        self.held(m2, {anna: 'excused', ben: 'absent'})
        self.held(m3, {anna: 'deputy', ben: 'present', late: 'present'})

        anna, ben, late = Member.browse([anna, ben, late])
        self.assertEqual((anna.meetings_held, anna.attended), (3, 2))
        self.assertAlmostEqual(anna.attendance_rate, 2 / 3, places=4)
        self.assertAlmostEqual(ben.attendance_rate, 1 / 3, places=4)
        self.assertEqual((late.meetings_held, late.attendance_rate), (1, 1))
        with Transaction().set_context(date=dt.date(2026, 3, 31)):
            anna, ben, late = Member.browse([anna, ben, late])
            self.assertEqual(anna.attendance_rate, 0.5)
            self.assertEqual(ben.attendance_rate, 0)
            self.assertEqual(late.attendance_rate, None)

    @with_transaction()
    def test_representation(self):
        "Counts of members by organisation type, Kommune and gender"
        pool = Pool()
        Representation = pool.get('kim.committee.representation')
        committee = self.committee()
        jobcenter = create_organisation("Jobcenter Musterland", 'JOBCENTER')
        abh = create_organisation("Ausländerbehörde Musterland", 'ABH')
        large = self.kommune("Musterstadt", '05999004', 'large')
        small = self.kommune("Kleindorf", '05999052', 'small')
        for name, org, kommune, gender, role in [
                ("Anna Musterfrau", jobcenter, large, 'female', 'chair'),
                ("Ben Beispielmann", jobcenter, None, 'male', 'member'),
                ("Cem Probeoğlu", abh, small, 'male', 'member'),
                ("Dora Demofeld", None, small, 'female', 'advisory'),
                ("Eva Gastfrau", None, None, 'female', 'guest'),
                ]:
            self.member(committee, self.person(name),
                organisation=org.id if org else None,
                kommune=kommune.id if kommune else None,
                gender=gender, role=role)
        self.member(committee, self.person("Fritz Früher"),
            organisation=abh.id, gender='male',
            valid_to=dt.date(2025, 12, 31))

        with Transaction().set_context(date=dt.date(2026, 6, 1)):
            rows = Representation.search([('committee', '=', committee.id)])
            counts = {(r.dimension, r.value): r.count for r in rows}
        self.assertEqual(counts[('organisation_type', 'Jobcenter')], 2)
        self.assertEqual(counts[('organisation_type',
                    jobcenter.kim_organisation_type.rec_name)], 2)
        self.assertEqual(counts[('organisation_type',
                    abh.kim_organisation_type.rec_name)], 1)
        self.assertEqual(counts[('organisation_type', '(not stated)')], 1)
        self.assertEqual(counts[('size_class', 'Large Town')], 1)
        self.assertEqual(counts[('size_class', 'Municipality')], 2)
        self.assertEqual(counts[('gender', 'Female')], 2)
        self.assertEqual(counts[('gender', 'Male')], 2)
        self.assertEqual(counts[('role', 'Vorsitz')], 1)
        self.assertNotIn(('role', 'Gast'), counts)
        self.assertEqual(sum(c for (d, _), c in counts.items()
                if d == 'gender'), 4)
        # the labels in the reader's language (issue 17: "Female" on the
        # German board)
        for module in ['kim_network', 'kim_steering']:
            load_german(module)
        with Transaction().set_context(date=dt.date(2026, 6, 1),
                language='de'):
            rows = Representation.search([('committee', '=', committee.id)])
            german = {(r.dimension, r.value) for r in rows}
        self.assertIn(('gender', 'Weiblich'), german)
        self.assertIn(('size_class', 'Gemeinde'), german)
        self.assertNotIn(('gender', 'Female'), german)
        with Transaction().set_context(date=dt.date(2025, 6, 1)):
            rows = Representation.search([
                    ('committee', '=', committee.id),
                    ('dimension', '=', 'gender'),
                    ])
            self.assertEqual(sum(r.count for r in rows), 5)

    # --- agenda, decisions, tasks ----------------------------------------

    @with_transaction()
    def test_decision_numbering(self):
        "Decisions are numbered per committee and year"
        lg = self.committee()
        ag = self.committee(name="AG Wohnen", code='AG-WO',
            type='arbeitsgruppe')
        m1 = self.meeting(lg, utc(2026, 3, 10, 14))
        m2 = self.meeting(ag, utc(2026, 3, 11, 14))
        m3 = self.meeting(lg, utc(2026, 12, 31, 23, 30))  # 1 January local
        d1 = self.decision(self.item(m1))
        d2 = self.decision(self.item(m1, "Zweiter TOP"))
        d3 = self.decision(self.item(m2))
        d4 = self.decision(self.item(m3))
        self.assertEqual([d.number for d in [d1, d2, d3, d4]],
            ['LG-2026-001', 'LG-2026-002', 'AG-WO-2026-001',
                'LG-2027-001'])
        self.assertEqual((d1.meeting, d1.committee), (m1, lg))

    @with_transaction()
    def test_standing_items_and_follow_ups(self):
        "Standing items and open tasks go on the agenda of new meetings"
        pool = Pool()
        StandingItem = pool.get('kim.committee.standing_item')
        Task = pool.get('kim.committee.task')
        AgendaItem = pool.get('kim.committee.agenda_item')
        Meeting = pool.get('kim.committee.meeting')
        committee = self.committee()
        StandingItem.create([{
                    'committee': committee.id, 'sequence': 1,
                    'title': "Bericht des Begleitgremiums",
                    'frequency': 'every',
                    }, {
                    'committee': committee.id, 'sequence': 2,
                    'title': "Bericht der externen Beratung",
                    'frequency': 'per_year', 'times_per_year': 2,
                    }])
        titles = {}
        meetings = []
        for month in [1, 4, 7, 10]:
            meeting = self.meeting(committee, utc(2026, month, 10, 14))
            meetings.append(meeting)
            titles[month] = [i.title for i in meeting.agenda_items]
        self.assertEqual(titles[1], ["Bericht des Begleitgremiums",
                "Bericht der externen Beratung"])
        self.assertEqual(titles[4], ["Bericht des Begleitgremiums"])
        self.assertEqual(titles[7], titles[1])
        self.assertEqual(titles[10], titles[4])

        # a task decided in January is followed up in the next meetings
        m1 = meetings[0]
        decision = self.decision(self.item(m1, "Wohnraum"))
        task, = Task.create([{'decision': decision.id,
                    'name': "Bestandsaufnahme Wohnraum",
                    'due_date': dt.date(2026, 5, 1)}])
        self.assertEqual(task.committee, committee)
        self.held(m1)
        Meeting.fill_agenda([m1])
        self.assertFalse([i for i in Meeting(m1.id).agenda_items if i.task])
        m5 = self.meeting(committee, utc(2026, 11, 10, 14))
        follow_up, = [i for i in m5.agenda_items if i.task]
        self.assertEqual(follow_up.kind, 'follow_up')
        self.assertEqual(follow_up.title,
            "Follow-up: LG-2026-001: Bestandsaufnahme Wohnraum")
        # filling again does not duplicate
        Meeting.fill_agenda([m5])
        self.assertEqual(len([i for i in Meeting(m5.id).agenda_items
                    if i.task]), 1)
        AgendaItem.task_done([follow_up])
        task = Task(task.id)
        self.assertEqual(task.state, 'done')
        self.assertEqual(task.done_meeting, m5)
        m6 = self.meeting(committee, utc(2026, 12, 10, 14))
        self.assertFalse([i for i in m6.agenda_items if i.task])

    @with_transaction()
    def test_task_overdue(self):
        "Overdue tasks are listed and their owners reminded once a week"
        today = dt.date.today()
        pool = Pool()
        Task = pool.get('kim.committee.task')
        committee = self.committee()
        late, on_time, done = Task.create([{
                    'committee': committee.id, 'name': "Late",
                    'due_date': today - DAY,
                    'owner_email': 'owner@example.org',
                    }, {
                    'committee': committee.id, 'name': "On time",
                    'due_date': today,
                    }, {
                    'committee': committee.id, 'name': "Done",
                    'due_date': today - 10 * DAY,
                    }])
        Task.do([done])
        self.assertEqual(Task.search([('overdue', '=', True)]), [late])
        self.assertEqual(set(Task.search([('overdue', '=', False)])),
            {on_time, done})
        with patch('trytond.sendmail.sendmail_transactional') as sendmail:
            self.assertEqual(Task.remind_overdue(), [late])
            self.assertEqual(Task.remind_overdue(), [])
        self.assertEqual(sendmail.call_count, 1)
        self.assertEqual(Task(late.id).last_reminder, today)

    @with_transaction()
    def test_mandate_creates_committee(self):
        "An Auftrag sets up a working group with its mandate"
        pool = Pool()
        Decision = pool.get('kim.committee.decision')
        lg = self.committee(email='ki@musterland.example')
        meeting = self.meeting(lg, utc(2026, 3, 10, 14))
        decision = self.decision(self.item(meeting), type='decision')
        with self.assertRaises(UserError) as cm:
            Decision.create_committee([decision])
        self.assertMessage(cm, r'is not an Auftrag')
        mandate = self.decision(self.item(meeting, "Wohnen"), type='mandate')
        with self.assertRaises(UserError) as cm:
            Decision.create_committee([mandate])
        self.assertMessage(cm, r'Enter the name of the new committee')
        mandate.new_committee_name = "AG Wohnraum für Geflüchtete"
        mandate.mandate_goal = "Wohnraum erschließen"
        mandate.mandate_reason = "Viele Meldebögen zu Wohnraum"
        mandate.mandate_deadline = dt.date(2026, 9, 30)
        mandate.save()
        action = Decision.create_committee([mandate])
        mandate = Decision(mandate.id)
        ag = mandate.created_committee
        self.assertEqual(action['res_id'], [ag.id])
        self.assertEqual((ag.code, ag.type, ag.parent, ag.reports_to),
            ('AWG', 'arbeitsgruppe', lg, lg))
        self.assertEqual((ag.mandate_goal, ag.mandate_reason,
                ag.mandate_deadline, ag.mandate_decision),
            ("Wohnraum erschließen", "Viele Meldebögen zu Wohnraum",
                dt.date(2026, 9, 30), mandate))
        self.assertTrue(ag.temporary)
        self.assertEqual(ag.start_date, dt.date(2026, 3, 10))
        self.assertEqual(ag.email, 'ki@musterland.example')

    # --- invitation and minutes ------------------------------------------

    @with_transaction()
    def test_invitation_mail_ics(self):
        "The invitation goes by e-mail with a parseable iCalendar file"
        pool = Pool()
        Meeting = pool.get('kim.committee.meeting')
        ki = create_organisation("Kommunales Integrationszentrum", 'KI')
        committee = self.committee(secretariat=ki.id,
            email='ki@musterland.example')
        anna = self.member(committee, self.person("Anna Musterfrau",
                'anna@jobcenter.example'), role='chair')
        self.member(committee, self.person("Ben Beispielmann",
                'ben@abh.example'))
        self.member(committee, self.person("Fritz Früher",
                'fritz@old.example'), valid_to=dt.date(2025, 12, 31))
        guest = self.person("Gabi Gast", 'gabi@expert.example')
        meeting = self.meeting(committee, utc(2026, 3, 10, 14),
            title="1. Sitzung", format='hybrid',
            video_link='https://video.example/lg-1',
            guests=[('add', [guest.id])])
        self.item(meeting, "Begrüßung; Protokoll, Tagesordnung",
            sequence=1)
        self.item(meeting, "Wohnraum für Geflüchtete", sequence=2,
            presenter="KI")

        with patch(SENDMAIL) as sendmail:
            Meeting.invite([meeting])
        meeting = Meeting(meeting.id)
        self.assertEqual(meeting.state, 'invited')
        self.assertEqual(meeting.invitation_count, 1)
        self.assertEqual(len(meeting.attendances), 2)
        self.assertEqual(sendmail.call_count, 3)
        recipients = {c.args[1][0] for c in sendmail.call_args_list}
        self.assertEqual(recipients, {'anna@jobcenter.example',
                'ben@abh.example', 'gabi@expert.example'})
        sender, to_addrs, msg = sendmail.call_args_list[0].args
        self.assertEqual(sender, 'ki@musterland.example')
        self.assertIn('Lenkungsgruppe', msg['Subject'])
        self.assertIn('10.03.2026', msg['Subject'])
        body = msg.get_body(('plain',)).get_content()
        self.assertIn('15:00', body)  # 14:00 UTC in Berlin (winter time)
        self.assertIn('2. Wohnraum für Geflüchtete (KI)', body)
        # an iMIP request: the text and the calendar as alternatives
        self.assertEqual(msg.get_content_type(), 'multipart/alternative')
        attachment, = calendar_parts(msg)
        self.assertEqual(attachment.get_param('method'), 'REQUEST')
        text = attachment.get_payload(decode=True).decode('utf-8')

        lines = parse_ics(text)
        names = [n for n, _, _ in lines]
        self.assertEqual(names[0], 'BEGIN')
        self.assertEqual(names[-1], 'END')
        values = {}
        for name, params, value in lines:
            values.setdefault(name, []).append((params, value))
        self.assertEqual(values['BEGIN'], [({}, 'VCALENDAR'),
                ({}, 'VEVENT')])
        self.assertEqual(values['VERSION'], [({}, '2.0')])
        self.assertEqual(values['METHOD'], [({}, 'REQUEST')])
        self.assertEqual(values['DTSTART'], [({}, '20260310T140000Z')])
        self.assertEqual(values['DTEND'], [({}, '20260310T160000Z')])
        self.assertEqual(values['SEQUENCE'], [({}, '1')])
        self.assertEqual(len(values['UID']), 1)
        self.assertEqual(unescape(values['SUMMARY'][0][1]),
            "Lenkungsgruppe: 1. Sitzung")
        self.assertEqual(unescape(values['LOCATION'][0][1]),
            "Kreishaus, Raum 101")
        description = unescape(values['DESCRIPTION'][0][1])
        self.assertIn("1. Begrüßung; Protokoll, Tagesordnung", description)
        self.assertIn("2. Wohnraum für Geflüchtete (KI)", description)
        self.assertIn("https://video.example/lg-1", description)
        (organizer, mailto), = values['ORGANIZER']
        self.assertEqual(organizer['CN'], "Kommunales Integrationszentrum")
        self.assertEqual(mailto, 'mailto:ki@musterland.example')
        attendees = {v: p for p, v in values['ATTENDEE']}
        self.assertEqual(set(attendees), {'mailto:anna@jobcenter.example',
                'mailto:ben@abh.example', 'mailto:gabi@expert.example'})
        self.assertEqual(attendees['mailto:anna@jobcenter.example']['CN'],
            "Anna Musterfrau")
        self.assertEqual(attendees['mailto:anna@jobcenter.example']['ROLE'],
            'REQ-PARTICIPANT')
        self.assertEqual(attendees['mailto:gabi@expert.example']['ROLE'],
            'OPT-PARTICIPANT')

        # A second invitation updates the event, a cancellation removes it
        with patch(SENDMAIL) as sendmail:
            Meeting.invite([meeting])
            Meeting.cancel([meeting])
        self.assertEqual(sendmail.call_count, 6)
        msg = sendmail.call_args_list[-1].args[2]
        attachment, = calendar_parts(msg)
        values = {n: v for n, _, v in parse_ics(
                attachment.get_payload(decode=True).decode('utf-8'))}
        self.assertEqual((values['METHOD'], values['STATUS'],
                values['SEQUENCE']), ('CANCEL', 'CANCELLED', '3'))
        del anna

    @with_transaction()
    def test_invitation_warns_without_email(self):
        "Coordination is warned when a member has no e-mail address"
        Meeting = Pool().get('kim.committee.meeting')
        committee = self.committee()
        self.member(committee, self.person("Otto Ohnemail"))
        meeting = self.meeting(committee, utc(2026, 3, 10, 14))
        self.item(meeting)
        coordination = self.user('koordination',
            [('kim_network', 'group_kim_coordination')])
        with as_user(coordination), patch(SENDMAIL) as sendmail:
            with self.assertRaises(TrytonWarning) as cm:
                Meeting.invite([Meeting(meeting.id)])
        self.assertMessage(cm, r'no e-mail address .*: Otto Ohnemail')
        self.assertFalse(sendmail.called)

    @with_transaction()
    def test_invitation_needs_agenda(self):
        "A meeting without agenda cannot be invited to"
        Meeting = Pool().get('kim.committee.meeting')
        meeting = self.meeting(self.committee(), utc(2026, 3, 10, 14))
        with patch(SENDMAIL) as sendmail, self.assertRaises(UserError) as cm:
            Meeting.invite([meeting])
        self.assertMessage(cm, r'has no agenda')
        self.assertFalse(sendmail.called)
        self.assertEqual(Meeting(meeting.id).state, 'planned')

    @with_transaction()
    def test_minutes_pdf(self):
        "The minutes render as PDF and lock when approved"
        pool = Pool()
        Meeting = pool.get('kim.committee.meeting')
        Report = pool.get('kim.committee.meeting.minutes', type='report')
        committee = self.committee()
        anna = self.member(committee, self.person("Anna Musterfrau",
                'anna@jobcenter.example'), role='chair')
        meeting = self.meeting(committee, utc(2026, 3, 10, 14),
            title="1. Sitzung")
        item = self.item(meeting, "Wohnraum für Geflüchtete",
            minutes="Die Lage auf dem Wohnungsmarkt wurde erörtert.")
        decision = self.decision(item, voted=True, votes_yes=9,
            votes_no=1, votes_abstain=1,
            text="Eine AG Wohnraum wird eingerichtet.")
        meeting = self.held(meeting, {anna: 'present'})
        Meeting.approve([meeting])
        meeting = Meeting(meeting.id)
        self.assertEqual(meeting.state, 'approved')

        with self.assertRaises(UserError) as cm:
            self.item(meeting, "Nachtrag")
        self.assertMessage(cm, r'minutes of meeting .* are approved')

        with patch(SENDMAIL) as sendmail:
            Meeting.send_minutes([meeting])
        self.assertEqual(sendmail.call_count, 1)
        msg = sendmail.call_args.args[2]
        self.assertIn("Minutes", msg['Subject'])
        attachment, = list(msg.iter_attachments())
        self.assertEqual(attachment.get_content_type(), 'application/pdf')
        self.assertTrue(
            attachment.get_payload(decode=True).startswith(b'%PDF'))
        self.assertTrue(Meeting(meeting.id).minutes_sent_date)

        oext, content, _, name = Report.execute([meeting.id], {})
        self.assertEqual(oext, 'pdf')
        content = bytes(content)
        self.assertTrue(content.startswith(b'%PDF'))
        self.assertIn('LG 2026-03-10', name)
        if shutil.which('pdftotext'):
            with tempfile.NamedTemporaryFile(suffix='.pdf') as pdf:
                pdf.write(content)
                pdf.flush()
                text = subprocess.run(['pdftotext', pdf.name, '-'],
                    capture_output=True, text=True, check=True).stdout
            for expected in [decision.number, "Anna Musterfrau",
                    "Wohnraum für Geflüchtete",
                    "Eine AG Wohnraum wird eingerichtet.",
                    "9 ja, 1 nein, 1 Enthaltungen"]:
                self.assertIn(expected, text)

        # in German: the attendance status and role translated (issue 17
        # printed "Present"), the shared page style in the head
        for module in ['kim_network', 'kim_steering']:
            load_german(module)
        action, = pool.get('ir.action.report').search([
                ('report_name', '=', 'kim.committee.meeting.minutes')])
        with Transaction().set_context(language='de'):
            records = Meeting.browse([meeting.id])
            html = Report.render(action,
                Report.get_context(records, {}, {}))
        self.assertIn('size: A4', html)
        text = re.sub(r'<[^>]+>', ' ', html.split('</style>')[1])
        self.assertIn("Anwesend", text)
        self.assertIn("Vorsitz", text)
        self.assertNotIn("Present", text)

    # --- barrier reports and access --------------------------------------

    def barrier_setup(self):
        pool = Pool()
        Report = pool.get('kim.barrier_report')
        Link = pool.get('kim.barrier_report.case')
        Topic = pool.get('kim.topic')
        company, employee, client, case = self.case_setup()
        manager = self.user('fallmanager',
            [('kim_case', 'group_case_manager')], company,
            employees=[employee])
        wohnen, = codes('kim.handlungsfeld', 'WOHNEN')
        topic, = Topic.create([{'name': "Wohnraum", 'state': 'collected'}])
        report, = Report.create([{
                    'description': "Wohnungssuche scheitert an fehlender "
                    "Mietbescheinigung des Sozialamts.",
                    'handlungsfeld': wohnen.id,
                    'kind': 'interface',
                    'reporter_user': manager.id,
                    'topic': topic.id,
                    }])
        Report.submit([report])
        link, = Link.create([{'report': report.id, 'case': case.id}])
        return company, manager, client, case, topic, report, link

    @with_transaction()
    def test_barrier_report_pseudonymised(self):
        "A barrier report cannot name the client or the case"
        pool = Pool()
        Report = pool.get('kim.barrier_report')
        company, manager, client, case, topic, report, link = (
            self.barrier_setup())
        with self.assertRaises(UserError) as cm:
            Report.write([report], {
                    'description': "Frau Haddad findet keine Wohnung."})
        self.assertMessage(cm, r'contains the name or the number')
        with self.assertRaises(UserError) as cm:
            Report.write([report], {
                    'description': "Fall %s: keine Wohnung." % case.number})
        self.assertMessage(cm, r'contains the name or the number')

    @with_transaction()
    def test_barrier_report_no_oracle(self):
        "The pseudonymisation check answers only users who read the case"
        pool = Pool()
        Report = pool.get('kim.barrier_report')
        company, manager, client, case, topic, report, link = (
            self.barrier_setup())
        coordination = self.user('koordination',
            [('kim_network', 'group_kim_coordination')], company)
        Report.draft([report])
        with as_user(coordination):
            # the same answer with and without the client's name
            for description in ["Frau Haddad findet keine Wohnung.",
                    "Niemand findet eine Wohnung."]:
                with self.subTest(description=description):
                    with self.assertRaises(UserError) as cm:
                        Report.write([Report(report.id)],
                            {'description': description})
                    self.assertMessage(cm, r'comes from a case')
            # nor can coordination link a report to a case
            with self.assertRaises(UserError):
                Report.create([{'description': "Frau Haddad",
                            'handlungsfeld': report.handlungsfeld.id,
                            'kind': 'interface', 'case': case.id}])

    @with_transaction()
    def test_barrier_report_wizard(self):
        "A case manager reports a barrier from the case"
        pool = Pool()
        Wizard = pool.get('kim.barrier_report.from_case', type='wizard')
        Report = pool.get('kim.barrier_report')
        company, employee, client, case = self.case_setup()
        manager = self.user('fallmanager',
            [('kim_case', 'group_case_manager')], company)
        other = self.user('kollegin',
            [('kim_case', 'group_case_manager')], company)
        supervisor = self.user('fachaufsicht',
            [('kim_case', 'group_case_supervisor')], company)
        arbeit, = codes('kim.handlungsfeld', 'ARBEIT')
        context = {'company': company.id}
        with as_user(manager), Transaction().set_context(context):
            session_id, _, _ = Wizard.create()
            wizard = Wizard(session_id)
            with Transaction().set_context(active_model='kim.case',
                    active_id=case.id, active_ids=[case.id]):
                defaults = wizard.default_start(None)
                self.assertEqual(defaults['kommune'], case.kommune.id)
                wizard.start.description = (
                    "Amina Haddad wartet auf die Beschäftigungserlaubnis.")
                wizard.start.handlungsfeld = arbeit
                wizard.start.kind = 'legal'
                wizard.start.rechtskreise = []
                wizard.start.kommune = case.kommune
                wizard.start.addressee = None
                with self.assertRaises(UserError) as cm:
                    wizard.do_report(None)
                self.assertMessage(cm, r'contains the name')
                wizard.start.description = (
                    "Die Beschäftigungserlaubnis dauert über drei Monate.")
                _, data = wizard.do_report(None)
            report, = Report.browse(data['res_id'])
            self.assertEqual(report.state, 'submitted')
            self.assertEqual(report.reporter_user, manager)
            self.assertTrue(report.number.startswith('MB-'))
            data, = Report.read([report.id], ['case'])
            self.assertEqual(data['case'], case.id)
        with as_user(other), Transaction().set_context(context):
            data, = Report.read([report.id], ['case', 'from_case'])
            self.assertEqual((data['case'], data['from_case']), (None, True))
        with as_user(supervisor), Transaction().set_context(context):
            data, = Report.read([report.id], ['case'])
            self.assertEqual(data['case'], case.id)

    @with_transaction()
    def test_case_barrier_reports(self):
        """The case shows its Meldebögen with state and answer, those the
        user reads"""
        pool = Pool()
        Case = pool.get('kim.case')
        Report = pool.get('kim.barrier_report')
        Link = pool.get('kim.barrier_report.case')
        company, manager, client, case, topic, report, link = (
            self.barrier_setup())
        supervisor = self.user('fachaufsicht',
            [('kim_case', 'group_case_supervisor')], company)
        Report.write([report], {'feedback': "Das Sozialamt stellt die "
                "Bescheinigung jetzt binnen einer Woche aus."})
        Report.answer([report])
        # a report of another reporter from the same case
        other, = Report.create([{
                    'description': "Sprachkurs ohne Kinderbetreuung.",
                    'handlungsfeld': report.handlungsfeld.id,
                    'kind': 'interface',
                    'reporter_user': supervisor.id,
                    }])
        Link.create([{'report': other.id, 'case': case.id}])
        context = {'company': company.id}
        with as_user(manager), Transaction().set_context(context):
            data, = Case.read([case.id], ['barrier_reports'])
            self.assertEqual(list(data['barrier_reports']), [report.id])
            answered, = Report.read(data['barrier_reports'],
                ['state', 'feedback', 'feedback_date'])
            self.assertEqual(answered['state'], 'answered')
            self.assertIn("binnen einer Woche", answered['feedback'])
            self.assertTrue(answered['feedback_date'])
        with as_user(supervisor), Transaction().set_context(context):
            data, = Case.read([case.id], ['barrier_reports'])
            self.assertEqual(
                sorted(data['barrier_reports']), sorted([report.id, other.id]))

    @with_transaction()
    def test_member_without_case_access(self):
        """A committee member without case access reads the committees
        they belong to and the pseudonymised reports, but cannot reach the
        client through a barrier report or a topic"""
        pool = Pool()
        Committee = pool.get('kim.committee')
        Meeting = pool.get('kim.committee.meeting')
        Decision = pool.get('kim.committee.decision')
        Report = pool.get('kim.barrier_report')
        Link = pool.get('kim.barrier_report.case')
        Topic = pool.get('kim.topic')
        Case = pool.get('kim.case')
        company, manager, client, case, topic, report, link = (
            self.barrier_setup())
        partner = self.person("Paula Partnerin")
        lg = self.committee()
        ag = self.committee(name="AG Intern", code='AGI',
            type='arbeitsgruppe')
        self.member(lg, partner)
        lg_meeting = self.meeting(lg, utc(2026, 3, 10, 14))
        ag_meeting = self.meeting(ag, utc(2026, 3, 11, 14))
        decision = self.decision(self.item(lg_meeting, topic=topic.id))
        self.decision(self.item(ag_meeting))
        member = self.user('partnerin',
            [('kim_steering', 'group_committee_member')],
            kim_person=partner.id)

        with as_user(member):
            self.assertEqual(Committee.search([]), [lg])
            self.assertEqual(Meeting.search([]), [lg_meeting])
            self.assertEqual(Decision.search([]), [decision])
            with self.assertRaises(AccessError):
                Committee.read([ag.id], ['name'])
            with self.assertRaises(AccessError):
                Meeting.read([ag_meeting.id], ['start'])

            # the pseudonymised report and topic are readable
            self.assertEqual(Report.search([]), [report])
            data, = Report.read([report.id],
                ['description', 'topic', 'from_case', 'kommune'])
            self.assertTrue(data['from_case'])
            self.assertNotIn('Haddad', data['description'])
            data, = Topic.read([topic.id], ['report_count', 'case_count'])
            self.assertEqual((data['report_count'], data['case_count']),
                (1, 1))
            self.assertNotIn('case', Report.fields_get())

            # the case link: field, model, search, read and by id
            with self.assertRaises(AccessError):
                Report.read([report.id], ['case'])
            with self.assertRaises(AccessError):
                Report.search([('case', '=', case.id)])
            with self.assertRaises(AccessError):
                Report.search([('case.client.name', 'ilike', '%Haddad%')])
            with self.assertRaises(AccessError):
                Link.search([])
            with self.assertRaises(AccessError):
                Link.read([link.id], ['case'])
            with self.assertRaises(AccessError):
                Topic.search([('reports.case', '=', case.id)])
            with self.assertRaises(AccessError):
                Topic.read([topic.id], ['reports.case'])
            with self.assertRaises(AccessError):
                Case.search([])
            with self.assertRaises(AccessError):
                Case.read([case.id], ['client'])
            with self.assertRaises(AccessError):
                Report.search([('description', 'ilike', '%'),
                        ('topic.reports.case.client', '=', client.id)])
            # writing is refused too
            with self.assertRaises(AccessError):
                Report.write([Report(report.id)], {'feedback': "x"})

        # the reporter and the Fachaufsicht see the link
        with as_user(manager), Transaction().set_context(
                company=company.id):
            data, = Report.read([report.id], ['case'])
            self.assertEqual(data['case'], case.id)

    @with_transaction()
    def test_reconstruction_timeline(self):
        "The timeline of a case reconstruction carries no identifying data"
        pool = Pool()
        Reconstruction = pool.get('kim.case_reconstruction')
        Theme = pool.get('kim.case_reconstruction.theme')
        Event = pool.get('kim.case.event')
        company, employee, client, case = self.case_setup()
        with Transaction().set_context(company=company.id):
            Event.create([{
                        'case': case.id, 'date': case.opened_date,
                        'type': 'note',
                        'description': "Gespräch mit Frau Haddad",
                        }, {
                        'case': case.id, 'date': case.opened_date,
                        'type': 'rechtskreis_change',
                        'description': "Amina Haddad wechselt ins SGB II",
                        }])
            reconstruction, = Reconstruction.create([{
                        'name': "Junge Erwachsene, Anerkennung",
                        'case': case.id,
                        }])
            # the administrator sees no link to a case unless in a case group
            self.assertIsNone(Reconstruction(reconstruction.id).case)
            add_groups(Transaction().user)
            self.assertEqual(Reconstruction(reconstruction.id).case, case)
            Reconstruction.generate_timeline([reconstruction])
        reconstruction = Reconstruction(reconstruction.id)
        labels = [s.label for s in reconstruction.steps]
        self.assertIn("Rechtskreis Change", labels)
        self.assertEqual(reconstruction.steps[0].day, 0)
        text = ' '.join(labels)
        for secret in ["Haddad", "Amina", case.number]:
            self.assertNotIn(secret, text)
        theme, = Theme.create([{'reconstruction': reconstruction.id,
                    'name': "Anerkennung dauert zu lange",
                    'kind': 'generative'}])
        Theme.create_topic([theme])
        self.assertEqual(Theme(theme.id).topic.name,
            "Anerkennung dauert zu lange")

    @with_transaction()
    def test_reconstruction_case_of_other_team(self):
        "A reconstruction shows its case only to those who read the case"
        pool = Pool()
        Reconstruction = pool.get('kim.case_reconstruction')
        company, employee, client, case = self.case_setup()
        manager = self.user('fallmanager',
            [('kim_case', 'group_case_manager')], company,
            employees=[employee])
        other = self.user('kollegin',
            [('kim_case', 'group_case_manager')], company)
        add_groups(Transaction().user)
        with Transaction().set_context(company=company.id):
            reconstruction, = Reconstruction.create([{
                        'name': "Junge Erwachsene, Anerkennung",
                        'case': case.id,
                        }])
        with Transaction().set_context(company=company.id):
            with as_user(manager):
                data, = Reconstruction.read([reconstruction.id], ['case'])
                self.assertEqual(data['case'], case.id)
            with as_user(other):
                # the list and the form open: no case, no access error
                data, = Reconstruction.read(
                    [reconstruction.id], ['case', 'case.rec_name'])
                self.assertIsNone(data['case'])


del ModuleTestCase
