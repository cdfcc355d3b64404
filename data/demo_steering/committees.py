"""The committees of the Kreis: members, meetings held with attendance and
minutes, decisions and tasks (tables in committees.json)"""
import datetime as dt
import itertools

from dateutil.relativedelta import relativedelta

from demokit import add_months, on_day, pick, tables

NET = 'kim_network.'
LG_CODE = 'LG'
_T = tables(__file__, 'committees.json')
# (code, name, type, rhythm, topic index, members)
WORKING_GROUPS = _T['working_groups']
# (name, kind, Handlungsfeld code, final state, report templates)
TOPICS = _T['topics']
# organisation types of the 11 seats of the Lenkungsgruppe (MK model)
LG_SEATS = _T['lg_seats']
ATTENDANCE = _T['attendance']
MINUTES = _T['minutes']


def meeting_time(today, months, day=15, hour=14):
    "The start of a meeting on day of the month months from today"
    return dt.datetime.combine(add_months(today, months, day),
        dt.time(hour - 1, 0))


class Steering:
    "The state of the generation"

    def __init__(self, ctx):
        self.ctx = ctx
        self.rng = ctx.random
        self.pool = ctx.pool
        self.today = ctx.today
        self.by_type = ctx.registry.get('organisations_by_type', {})
        self.contacts = list(ctx.registry.get('contacts', []))
        self.kommunen = list(ctx.registry.get('kommunen', []))
        self.ki = ctx.registry.get('ki')
        self.used_persons = set()
        self.genders = itertools.cycle(['female', 'male', 'male', 'female',
                'female', 'male', None, 'female', 'male', 'diverse'])

    # people -------------------------------------------------------------
    def person_of(self, type_key):
        "A contact person (person, organisation, e-mail) of the type"
        orgs = self.by_type.get(type_key) or []
        org_ids = {o.id for o in orgs}
        candidates = [c for c in self.contacts
            if c.organisation.id in org_ids
            and c.person.id not in self.used_persons]
        if candidates:
            contact = self.rng.choice(candidates)
            self.used_persons.add(contact.person.id)
            return contact.person, contact.organisation, contact.email
        return self.new_person(orgs[0] if orgs else None)

    def new_person(self, organisation=None):
        Party = self.pool.get('party.party')
        first, last = self.ctx.names.person()
        person, = Party.create([{'name': '%s %s' % (first, last)}])
        email = '%s.%s@musterland.example' % (
            first.lower(), last.lower())
        email = email.encode('ascii', 'ignore').decode()
        return person, organisation, email

    # committees ---------------------------------------------------------
    def lenkungsgruppe(self):
        Committee = self.pool.get('kim.committee')
        large = [k for k in self.kommunen if k.size_class == 'large']
        medium = [k for k in self.kommunen if k.size_class == 'medium']
        small = [k for k in self.kommunen if k.size_class == 'small']
        members = []
        for type_key, role in LG_SEATS:
            person, org, email = self.person_of(type_key)
            members.append(self.member_values(person, org, email, role))
        # the Kommunen by size class: a large, a medium-sized town and one
        # seat standing for the smaller Kommunen without own ABH
        for kommunen in [large, medium, small]:
            if kommunen and members:
                seat = next(m for m in members if not m.get('kommune'))
                seat['kommune'] = kommunen[0].id
        members = members[:11]
        start = self.today - relativedelta(months=13)
        lg, = Committee.create([{
                    'name': "Lenkungsgruppe KIM Kreis Musterland",
                    'code': LG_CODE,
                    'type': 'lenkungsgruppe',
                    'purpose': "Strategische Steuerung des Kommunalen "
                    "Integrationsmanagements im Kreis Musterland.",
                    'secretariat': self.ki.id if self.ki else None,
                    'email': 'ki-geschaeftsstelle@musterland.example',
                    'reports_to_body': "Kreisausschuss für Soziales",
                    'rhythm': 'quarterly',
                    'start_date': start.replace(day=1),
                    'members': [('create', members)],
                    'standing_items': [('create', [{
                                    'title': "Bericht des Begleitgremiums",
                                    'presenter': "Sprecher*innen des "
                                    "Begleitgremiums",
                                    'frequency': 'every', 'sequence': 1,
                                    }, {
                                    'title': "Berichte aus den "
                                    "Arbeitsgruppen",
                                    'frequency': 'every', 'sequence': 2,
                                    }, {
                                    'title': "Bericht der externen "
                                    "Prozessbegleitung",
                                    'frequency': 'per_year',
                                    'times_per_year': 2, 'sequence': 3,
                                    }])],
                    }])
        return lg

    def member_values(self, person, org, email, role='member'):
        return {
            'person': person.id,
            'organisation': org.id if org else None,
            'email': email or None,
            'role': role,
            'voting': role not in {'advisory', 'guest', 'secretariat'},
            'gender': next(self.genders),
            'valid_from': self.today - relativedelta(months=13),
            }

    # meetings -----------------------------------------------------------
    def hold(self, meeting, topic_items=(), decisions=(), done_tasks=()):
        """Hold the meeting: topic items, tasks reported done, decisions
        with tasks, attendance and minutes, then approve the minutes.
        decisions: [(agenda item title or item, values, [task values])]"""
        pool = self.pool
        Meeting = pool.get('kim.committee.meeting')
        AgendaItem = pool.get('kim.committee.agenda_item')
        Attendance = pool.get('kim.committee.attendance')
        Decision = pool.get('kim.committee.decision')
        Task = pool.get('kim.committee.task')
        rng = self.rng
        for index, (title, topic) in enumerate(topic_items):
            AgendaItem.create([{
                        'meeting': meeting.id, 'sequence': 200 + index,
                        'kind': 'topic' if topic else 'item',
                        'topic': topic.id if topic else None,
                        'title': title,
                        }])
        Meeting.write([meeting], {
                'invitation_date': meeting.start - dt.timedelta(days=14),
                'invitation_count': 1,
                })
        Meeting.hold([meeting])
        meeting = Meeting(meeting.id)
        follow_ups = [i for i in meeting.agenda_items
            if i.task and i.task.id in {t.id for t in done_tasks}]
        if follow_ups:
            AgendaItem.task_done(follow_ups)
        items = {i.title: i for i in meeting.agenda_items}
        created = []
        for item, values, tasks in decisions:
            item = items[item] if isinstance(item, str) else item
            values = dict(values, agenda_item=item.id)
            decision, = Decision.create([values])
            created.append(decision)
            if tasks:
                Task.create([dict(t, decision=decision.id) for t in tasks])
        for attendance in meeting.attendances:
            status = pick(rng, ATTENDANCE)
            values = {'status': status}
            if status == 'deputy':
                if attendance.member.deputy:
                    values['deputy_person'] = attendance.member.deputy.id
                else:
                    values['status'] = 'present'
            Attendance.write([attendance], values)
        for item in Meeting(meeting.id).agenda_items:
            if not item.minutes:
                AgendaItem.write([item], {'minutes': rng.choice(MINUTES)})
        Meeting.write([meeting], {
                'minutes': "Die Vorsitzende begrüßt die Anwesenden und "
                "stellt die Beschlussfähigkeit fest.",
                })
        # the minutes approved a week after the meeting (approval date)
        with on_day(min(meeting.start.date() + dt.timedelta(days=7),
                    self.today)):
            Meeting.approve([meeting])
        return created

    def plan(self, committee, start, title=None, hours=2):
        Meeting = self.pool.get('kim.committee.meeting')
        online = self.rng.random() < 0.3
        meeting, = Meeting.create([{
                    'committee': committee.id,
                    'title': title,
                    'start': start,
                    'end': start + dt.timedelta(hours=hours),
                    'format': 'video' if online else 'in_person',
                    'place': None if online else self.rng.choice([
                            "Kreishaus Musterstadt, Sitzungssaal 2",
                            "Kommunales Integrationszentrum, Raum 1.14",
                            "Rathaus Erlenbrück, Ratssaal"]),
                    'video_link': ('https://video.musterland.example/%s'
                        % committee.code.lower()) if online else None,
                    }])
        return meeting
