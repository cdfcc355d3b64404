# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Committees (Gremien) of the steering process, their members with the
organisations they represent, standing agenda items and the meeting rhythm."""
import datetime as dt

from dateutil.relativedelta import relativedelta
from sql import Cast, Literal, Null, Union
from sql.aggregate import Count, Max, Sum
from sql.conditionals import Case as SqlCase
from sql.conditionals import Coalesce

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields, sequence_ordered)
from trytond.modules.kim_network.workflow import WorkflowGuard
from trytond.modules.kim_network.common import (
    PeriodMixin, relation, today, rec_name_domain)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from .exceptions import CommitteeError, CommitteeValidationError

COMMITTEE_TYPES = [
    ('lenkungsgruppe', "Lenkungsgruppe"),
    ('arbeitsgruppe', "Arbeitsgruppe/Projektgruppe"),
    ('unterarbeitsgruppe', "Unterarbeitsgruppe"),
    ('begleitgremium', "Begleitgremium"),
    ('austauschforum', "Austauschforum"),
    ('facharbeitskreis', "Facharbeitskreis"),
    ('qualitaetszirkel', "Qualitätszirkel"),
    ('fallkonferenz', "Fallkonferenz-Runde"),
    ('dienstbesprechung', "Dienstbesprechung"),
    ]
RHYTHMS = [
    (None, ""),
    ('monthly', "Monthly"),
    ('bimonthly', "Every Two Months"),
    ('quarterly', "Quarterly"),
    ('four_monthly', "Three Times a Year"),
    ('half_yearly', "Twice a Year"),
    ('yearly', "Yearly"),
    ('as_needed', "As Needed"),
    ]
# The longest gap between two meetings that keeps the rhythm
RHYTHM_MONTHS = {
    'monthly': 1,
    'bimonthly': 2,
    'quarterly': 3,
    'four_monthly': 4,
    'half_yearly': 6,
    'yearly': 12,
    }
END_KINDS = [
    (None, ""),
    ('completed', "Completed with Results"),
    ('delegated', "Delegated to Another Body"),
    ('regular_work', "Moved into Regular Work (Regelgeschäft)"),
    ('dissolved', "Dissolved"),
    ]
MEMBER_ROLES = [
    ('chair', "Vorsitz"),
    ('vice_chair', "Stellv. Vorsitz"),
    ('member', "Mitglied"),
    ('advisory', "Beratendes Mitglied"),
    ('guest', "Gast"),
    ('spokesperson', "Sprecher*in"),
    ('secretariat', "Geschäftsführung"),
    ]
NON_VOTING_ROLES = {'advisory', 'guest', 'secretariat'}
GENDERS = [
    (None, ""),
    ('female', "Female"),
    ('male', "Male"),
    ('diverse', "Diverse"),
    ('not_stated', "Not Stated"),
    ]
SIZE_CLASSES = [
    (None, ""),
    ('large', "Large Town"),
    ('medium', "Medium-sized Town"),
    ('small', "Municipality"),
    ]
_CLOSED = Eval('state') == 'closed'


def context_date():
    return Transaction().context.get('date') or today()


def to_datetime(value):
    "Return value as datetime (SQLite returns aggregates as strings)"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value


class Committee(WorkflowGuard, Workflow, ModelSQL, ModelView):
    __string__ = "Committee (Gremium)"
    __name__ = 'kim.committee'
    _history = True

    name = fields.Char("Name", required=True, states={'readonly': _CLOSED})
    code = fields.Char("Code", required=True, strip=True,
        states={'readonly': _CLOSED},
        help="A short code, e.g. LG or AG-WO; the decisions of the committee "
        "are numbered with it (LG-2026-003).")
    type = fields.Selection(COMMITTEE_TYPES, "Type", required=True,
        states={'readonly': _CLOSED})
    state = fields.Selection([
            ('active', "Active"),
            ('dormant', "Dormant (ruhend)"),
            ('closed', "Closed"),
            ], "State", readonly=True, required=True, sort=False)
    purpose = fields.Text("Purpose", states={'readonly': _CLOSED})

    # Arbeitsauftrag
    mandate_goal = fields.Text("Goal of the Mandate",
        states={'readonly': _CLOSED},
        help="The written Arbeitsauftrag: what the committee shall achieve.")
    mandate_reason = fields.Text("Reason for the Mandate",
        states={'readonly': _CLOSED},
        help="Why the committee was set up (Begründung).")
    mandate_excluded = fields.Text("Not Part of the Mandate",
        states={'readonly': _CLOSED},
        help="What does not belong to the topic of the committee.")
    mandate_deadline = fields.Date("Mandate Deadline",
        states={'readonly': _CLOSED},
        help="When the results are due (Zeitschiene).")
    mandate_decision = fields.Many2One('kim.committee.decision',
        "Founding Decision", ondelete='RESTRICT', readonly=True,
        help="The decision (Auftrag) of the parent committee that set up "
        "this committee.")

    parent = fields.Many2One('kim.committee', "Parent Committee",
        ondelete='RESTRICT', states={'readonly': _CLOSED},
        domain=[('id', '!=', Eval('id', -1))])
    children = fields.One2Many('kim.committee', 'parent', "Sub-Committees",
        readonly=True)
    reports_to = fields.Many2One('kim.committee', "Reports To",
        ondelete='RESTRICT', states={'readonly': _CLOSED},
        domain=[('id', '!=', Eval('id', -1))],
        help="The committee that receives the results and reports "
        "(reporting line), usually the parent committee.")
    reports_to_body = fields.Char("Reports to Political Body",
        states={'readonly': _CLOSED},
        help="A body outside the KIM structure that receives reports, "
        "e.g. Kreistag, Sozialausschuss or Integrationsrat.")
    secretariat = fields.Many2One('party.party', "Geschäftsführung",
        ondelete='RESTRICT', states={'readonly': _CLOSED},
        domain=[('kim_organisation_type', '!=', None)],
        help="The body that runs the committee's business (secretariat).")
    email = fields.Char("E-Mail of the Geschäftsführung",
        states={'readonly': _CLOSED},
        help="Invitations are sent from this address.")
    rules_of_procedure = fields.Binary("Rules of Procedure",
        filename='rules_of_procedure_name', states={'readonly': _CLOSED},
        help="The Geschäftsordnung as a file.")
    rules_of_procedure_name = fields.Char("Rules of Procedure File Name",
        states={'readonly': _CLOSED})

    start_date = fields.Date("Start Date", states={'readonly': _CLOSED})
    end_date = fields.Date("End Date",
        states={
            'readonly': _CLOSED,
            'required': Eval('state') == 'closed',
            })
    temporary = fields.Boolean("Temporary", states={'readonly': _CLOSED},
        help="A temporary working group closes when its mandate is done.")
    end_kind = fields.Selection(END_KINDS, "End", sort=False,
        states={
            'readonly': _CLOSED,
            'required': Eval('state') == 'closed',
            },
        help="How the committee ended: with results, delegated to another "
        "body, or moved into the regular work.")
    delegated_to = fields.Many2One('kim.committee', "Delegated To",
        ondelete='RESTRICT',
        domain=[('id', '!=', Eval('id', -1))],
        states={
            'readonly': _CLOSED,
            'invisible': Eval('end_kind') != 'delegated',
            })
    rhythm = fields.Selection(RHYTHMS, "Target Rhythm", sort=False,
        states={'readonly': _CLOSED},
        help="How often the committee should meet.")
    last_meeting = fields.Function(fields.Date("Last Meeting",
            help="The last meeting that was not cancelled, "
            "on or before the date of the context."),
        'get_rhythm')
    rhythm_due = fields.Function(fields.Date("Next Meeting Due By",
            help="The date by which the next meeting keeps the rhythm."),
        'get_rhythm')
    rhythm_missed = fields.Function(fields.Boolean("Rhythm Missed",
            help="The committee has not met within its target rhythm."),
        'get_rhythm', searcher='search_rhythm_missed')

    members = fields.One2Many('kim.committee.member', 'committee', "Members",
        states={'readonly': _CLOSED})
    standing_items = fields.One2Many('kim.committee.standing_item',
        'committee', "Standing Agenda Items", states={'readonly': _CLOSED})
    meetings = fields.One2Many('kim.committee.meeting', 'committee',
        "Meetings", readonly=True)
    decisions = fields.One2Many('kim.committee.decision', 'committee',
        "Decisions", readonly=True)
    tasks = fields.One2Many('kim.committee.task', 'committee', "Tasks",
        readonly=True)
    representation = fields.One2Many('kim.committee.representation',
        'committee', "Representation", readonly=True)
    decision_committees = fields.Many2Many(
        'kim.committee-kim.committee.decision_to', 'committee', 'recipient',
        "Decisions to Committees",
        domain=[('id', '!=', Eval('id', -1))],
        states={'readonly': _CLOSED},
        help="The working groups and other committees whose members "
        "(and deputies) receive the decisions of this committee.")
    decision_parties = fields.Many2Many(
        'kim.committee-party.party.decision_to', 'committee', 'party',
        "Decisions to Actors", states={'readonly': _CLOSED},
        help="Further actors of the KIM (organisations, persons) who "
        "receive the decisions of this committee by e-mail.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'kim_steering.msg_committee_code_unique'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.parent, Index.Equality())))
        cls._order = [('type', 'ASC'), ('name', 'ASC'), ('id', 'ASC')]
        cls._guard(initial='active', protected={'mandate_decision'})
        cls._transitions |= {
            ('active', 'dormant'),
            ('dormant', 'active'),
            ('active', 'closed'),
            ('dormant', 'closed'),
            ('closed', 'active'),
            }
        cls._buttons.update({
                'activate': {
                    'invisible': Eval('state') == 'active',
                    'icon': If(Eval('state') == 'closed',
                        'tryton-undo', 'tryton-forward'),
                    'depends': ['state'],
                    },
                'suspend': {
                    'invisible': Eval('state') != 'active',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') == 'closed',
                    'icon': 'tryton-close',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'active'

    @classmethod
    def default_type(cls):
        return 'arbeitsgruppe'

    @classmethod
    def default_start_date(cls):
        return today()

    @fields.depends('parent', 'reports_to')
    def on_change_parent(self):
        if self.parent and not self.reports_to:
            self.reports_to = self.parent

    @fields.depends('type', 'temporary')
    def on_change_type(self):
        if self.type in {'arbeitsgruppe', 'unterarbeitsgruppe'}:
            self.temporary = True

    def get_rec_name(self, name):
        return '%s (%s)' % (self.name, self.code)

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, 'name', 'code')

    @classmethod
    def validate_fields(cls, committees, field_names):
        super().validate_fields(committees, field_names)
        if field_names is None or field_names & {'start_date', 'end_date'}:
            for committee in committees:
                if (committee.start_date and committee.end_date
                        and committee.end_date < committee.start_date):
                    raise CommitteeValidationError(gettext(
                            'kim_steering.msg_committee_end_before_start',
                            committee=committee.rec_name,
                            start=committee.start_date,
                            end=committee.end_date))
        if field_names is None or 'parent' in field_names:
            for committee in committees:
                committee.check_parent_loop()

    def check_parent_loop(self):
        seen, parent = {self.id}, self.parent
        while parent:
            if parent.id in seen:
                raise CommitteeValidationError(gettext(
                        'kim_steering.msg_committee_parent_loop',
                        committee=self.rec_name))
            seen.add(parent.id)
            parent = parent.parent

    @classmethod
    def copy(cls, committees, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('code', lambda data: data['code'] + '-2')
        default.setdefault('meetings', None)
        default.setdefault('decisions', None)
        default.setdefault('tasks', None)
        return super().copy(committees, default=default)

    @classmethod
    def check_modification(cls, mode, committees, values=None,
            external=False):
        super().check_modification(
            mode, committees, values=values, external=external)
        if mode == 'delete':
            for committee in committees:
                if committee.meetings:
                    raise CommitteeError(gettext(
                            'kim_steering.msg_committee_delete_meetings',
                            committee=committee.rec_name))

    # Rhythm

    @classmethod
    def last_meetings(cls, committees, date):
        """Return {committee id: date of the last meeting not cancelled on
        or before date} with one SQL query per slice"""
        pool = Pool()
        Meeting = pool.get('kim.committee.meeting')
        meeting = Meeting.__table__()
        cursor = Transaction().connection.cursor()
        limit = dt.datetime.combine(date + dt.timedelta(days=1), dt.time())
        result = {}
        in_max = backend.MAX_QUERY_PARAMS
        for sub_ids in grouped_slice([c.id for c in committees], in_max):
            cursor.execute(*meeting.select(
                    meeting.committee, Max(meeting.start),
                    where=reduce_ids(meeting.committee, sub_ids)
                    & (meeting.state != 'cancelled')
                    & (meeting.start < limit),
                    group_by=[meeting.committee]))
            for committee_id, start in cursor:
                result[committee_id] = to_datetime(start).date()
        return result

    def rhythm_due_on(self, last):
        "The date by which the next meeting is due after last (or None)"
        months = RHYTHM_MONTHS.get(self.rhythm)
        base = last or self.start_date
        if not months or not base:
            return None
        return base + relativedelta(months=months)

    def rhythm_missed_on(self, date, last):
        due = self.rhythm_due_on(last)
        return bool(self.state == 'active' and due and due < date)

    @classmethod
    def get_rhythm(cls, committees, names):
        date = context_date()
        lasts = cls.last_meetings(committees, date)
        result = {n: {} for n in names}
        for committee in committees:
            last = lasts.get(committee.id)
            if 'last_meeting' in names:
                result['last_meeting'][committee.id] = last
            if 'rhythm_due' in names:
                result['rhythm_due'][committee.id] = committee.rhythm_due_on(
                    last)
            if 'rhythm_missed' in names:
                result['rhythm_missed'][committee.id] = (
                    committee.rhythm_missed_on(date, last))
        return result

    @classmethod
    def missed_rhythm(cls, date=None):
        "Return the active committees whose rhythm is missed on date"
        if date is None:
            date = context_date()
        committees = cls.search([
                ('state', '=', 'active'),
                ('rhythm', 'in', list(RHYTHM_MONTHS)),
                ])
        lasts = cls.last_meetings(committees, date)
        return [c for c in committees
            if c.rhythm_missed_on(date, lasts.get(c.id))]

    @classmethod
    def search_rhythm_missed(cls, name, clause):
        _, operator, value = clause
        ids = [c.id for c in cls.missed_rhythm()]
        if (operator == '=') == bool(value):
            return [('id', 'in', ids)]
        return [('id', 'not in', ids)]

    # Workflow

    @classmethod
    @ModelView.button
    @Workflow.transition('active')
    def activate(cls, committees):
        for committee in committees:
            if committee.state == 'closed':
                committee.end_date = None
                committee.end_kind = None
                committee.delegated_to = None
        cls.save(committees)

    @classmethod
    @ModelView.button
    @Workflow.transition('dormant')
    def suspend(cls, committees):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, committees):
        date = today()
        for committee in committees:
            if not committee.end_kind:
                raise CommitteeError(gettext(
                        'kim_steering.msg_committee_close_end_kind',
                        committee=committee.rec_name))
            if committee.end_kind == 'delegated' and not (
                    committee.delegated_to):
                raise CommitteeError(gettext(
                        'kim_steering.msg_committee_close_delegated',
                        committee=committee.rec_name))
            if not committee.end_date:
                committee.end_date = date
        cls.save(committees)

    def current_members(self, date=None):
        "The members valid on date"
        if date is None:
            date = today()
        return [m for m in self.members if m.valid_on(date)]


class CommitteeMember(PeriodMixin, ModelSQL, ModelView):
    __string__ = "Committee Member"
    __name__ = 'kim.committee.member'
    _history = True

    committee = fields.Many2One('kim.committee', "Committee", required=True,
        ondelete='CASCADE')
    person = fields.Many2One('party.party', "Person", required=True,
        ondelete='RESTRICT',
        domain=[('kim_organisation_type', '=', None)])
    organisation = fields.Many2One('party.party', "Represented Organisation",
        ondelete='RESTRICT',
        domain=[
            ('kim_organisation_type', '!=', None),
            ('id', '!=', Eval('person', -1)),
            ],
        help="The organisation the person represents in the committee.")
    organisation_type = fields.Function(fields.Many2One(
            'kim.organisation_type', "Organisation Type"),
        'on_change_with_organisation_type')
    kommune = fields.Many2One('kim.kommune', "Represented Kommune",
        ondelete='RESTRICT',
        help="The Kommune the member stands for, e.g. as representative "
        "of the smaller Kommunen.")
    role = fields.Selection(MEMBER_ROLES, "Role", required=True, sort=False)
    deputy = fields.Many2One('party.party', "Deputy", ondelete='RESTRICT',
        domain=[('kim_organisation_type', '=', None)],
        help="The person who stands in for the member (Vertretung).")
    voting = fields.Boolean("Voting Right")
    gender = fields.Selection(GENDERS, "Gender",
        help="Only counted for the gender balance of the committee.")
    email = fields.Char("E-Mail",
        help="Invitations go to this address; "
        "by default the e-mail of the person.")
    attended = fields.Function(fields.Integer("Meetings Attended",
            help="Held meetings with the member or the deputy present."),
        'get_attendance')
    meetings_held = fields.Function(fields.Integer("Meetings Held",
            help="Held meetings the member was invited to."),
        'get_attendance')
    attendance_rate = fields.Function(fields.Float("Attendance Rate",
            digits=(1, 4),
            help="The share of the held meetings at which the member or "
            "the deputy was present (up to the date of the context)."),
        'get_attendance')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('committee')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.committee, Index.Equality())),
                Index(t, (t.person, Index.Equality())),
                })
        cls._order = [('committee', 'ASC'), ('role', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_role(cls):
        return 'member'

    @classmethod
    def default_voting(cls):
        return True

    @fields.depends('role', 'voting')
    def on_change_role(self):
        if self.role:
            self.voting = self.role not in NON_VOTING_ROLES

    @fields.depends('person', 'email', 'gender')
    def on_change_person(self):
        if self.person and (self.person.id or -1) >= 0:
            if not self.email:
                self.email = self.person.email
            if not self.gender:
                self.gender = getattr(self.person, 'kim_gender', None)

    @fields.depends('organisation')
    def on_change_with_organisation_type(self, name=None):
        if self.organisation and self.organisation.kim_organisation_type:
            return self.organisation.kim_organisation_type.id

    def get_rec_name(self, name):
        return '%s (%s)' % (self.person.rec_name, self.committee.code)

    @classmethod
    def search_rec_name(cls, name, clause):
        return ['OR',
            ('person.rec_name',) + tuple(clause[1:]),
            ('organisation.rec_name',) + tuple(clause[1:]),
            ]

    def get_email(self):
        "The address invitations go to"
        return self.email or self.person.email

    @classmethod
    def get_attendance(cls, members, names):
        pool = Pool()
        Attendance = pool.get('kim.committee.attendance')
        Meeting = pool.get('kim.committee.meeting')
        attendance = Attendance.__table__()
        meeting = Meeting.__table__()
        cursor = Transaction().connection.cursor()
        date = Transaction().context.get('date')
        result = {n: {m.id: None for m in members} for n in names}
        for name in {'attended', 'meetings_held'} & set(names):
            result[name] = {m.id: 0 for m in members}
        present = SqlCase(
            (attendance.status.in_(['present', 'deputy']), Literal(1)),
            else_=Literal(0))
        in_max = backend.MAX_QUERY_PARAMS
        for sub_ids in grouped_slice([m.id for m in members], in_max):
            where = (reduce_ids(attendance.member, sub_ids)
                & meeting.state.in_(['held', 'approved']))
            if date:
                where &= meeting.start < dt.datetime.combine(
                    date + dt.timedelta(days=1), dt.time())
            cursor.execute(*attendance.join(meeting,
                    condition=attendance.meeting == meeting.id
                    ).select(
                    attendance.member,
                    Count(attendance.id),
                    Sum(present),
                    where=where,
                    group_by=[attendance.member]))
            for member_id, held, attended in cursor:
                attended = int(attended or 0)
                if 'attended' in names:
                    result['attended'][member_id] = attended
                if 'meetings_held' in names:
                    result['meetings_held'][member_id] = held
                if 'attendance_rate' in names and held:
                    result['attendance_rate'][member_id] = round(
                        attended / held, 4)
        return result

    @classmethod
    def validate_fields(cls, members, field_names):
        super().validate_fields(members, field_names)
        if field_names is None or field_names & {'person', 'deputy'}:
            for member in members:
                if member.deputy and member.deputy == member.person:
                    raise CommitteeValidationError(gettext(
                            'kim_steering.msg_member_own_deputy',
                            member=member.rec_name))


class StandingItem(sequence_ordered(), ModelSQL, ModelView):
    __string__ = "Standing Agenda Item"
    __name__ = 'kim.committee.standing_item'
    committee = fields.Many2One('kim.committee', "Committee", required=True,
        ondelete='CASCADE')
    title = fields.Char("Title", required=True)
    description = fields.Text("Description")
    presenter = fields.Char("Reported By",
        help="Who reports, e.g. the Sprecher*innen of the Begleitgremium.")
    frequency = fields.Selection([
            ('every', "Every Meeting"),
            ('per_year', "N Times a Year"),
            ], "Frequency", required=True)
    times_per_year = fields.Integer("Times a Year",
        states={
            'invisible': Eval('frequency') != 'per_year',
            'required': Eval('frequency') == 'per_year',
            })
    active = fields.Boolean("Active")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('committee')

    @classmethod
    def default_frequency(cls):
        return 'every'

    @classmethod
    def default_active(cls):
        return True

    @classmethod
    def validate_fields(cls, items, field_names):
        super().validate_fields(items, field_names)
        for item in items:
            if item.frequency == 'per_year' and (
                    not item.times_per_year or item.times_per_year < 1):
                raise CommitteeValidationError(gettext(
                        'kim_steering.msg_standing_item_times',
                        item=item.title))

    def is_due(self, meeting, previous):
        """Whether the item belongs on the agenda of meeting given the
        start datetimes of the previous meetings that had it"""
        if not self.active:
            return False
        if self.frequency == 'every':
            return True
        year = meeting.start.year
        this_year = [p for p in previous if p.year == year]
        if len(this_year) >= self.times_per_year:
            return False
        if not previous:
            return True
        gap = relativedelta(months=12 // self.times_per_year)
        return max(previous) + gap <= meeting.start + relativedelta(days=14)


class RhythmContext(ModelView):
    __string__ = "Committee Rhythm Context"
    __name__ = 'kim.committee.rhythm.context'
    date = fields.Date("Date", required=True,
        help="The date on which the rhythm is checked.")

    @classmethod
    def default_date(cls):
        return today()


DIMENSIONS = [
    ('organisation_type', "Organisation Type"),
    ('size_class', "Kommune Size Class"),
    ('gender', "Gender"),
    ('role', "Role"),
    ]


class Representation(ModelSQL, ModelView):
    """The members valid on the date of the context (guests left out), counted
    per organisation type, size class of the represented Kommune, gender and
    role in one SQL query."""
    __string__ = "Committee Representation"
    __name__ = 'kim.committee.representation'
    committee = fields.Many2One('kim.committee', "Committee", required=True,
        readonly=True)
    dimension = fields.Selection(DIMENSIONS, "Dimension", readonly=True,
        sort=False)
    key = fields.Char("Key", readonly=True)
    value = fields.Function(fields.Char("Value"), 'get_value')
    count = fields.Integer("Members", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('committee')
        cls._order = [('committee', 'ASC'), ('dimension', 'ASC'),
            ('count', 'DESC'), ('key', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def _bigint():
        return backend.Database().sql_type('BIGINT').base

    @staticmethod
    def _varchar():
        return backend.Database().sql_type('VARCHAR').base

    @classmethod
    def table_query(cls):
        pool = Pool()
        Member = pool.get('kim.committee.member')
        Party = pool.get('party.party')
        Kommune = pool.get('kim.kommune')
        date = context_date()
        bigint, varchar = cls._bigint(), cls._varchar()

        def code(column, values):
            return SqlCase(*((column == v, Literal(i))
                    for i, v in enumerate(values, 1)), else_=Literal(0))

        def query(index, table, key, key_int, column, member):
            where = ((member.role != 'guest')
                & ((member.valid_from == Null)
                    | (member.valid_from <= date))
                & ((member.valid_to == Null)
                    | (member.valid_to >= date)))
            return table.select(
                ((Cast(member.committee, bigint) * 8 + index) * 1000000
                    + key_int).as_('id'),
                member.committee.as_('committee'),
                Cast(Literal(DIMENSIONS[index][0]), varchar).as_(
                    "dimension"),
                key.as_('key'),
                Count(member.id).as_('count'),
                where=where,
                group_by=[member.committee, column])

        queries = []
        member = Member.__table__()
        party = Party.__table__()
        type_ = Coalesce(party.kim_organisation_type, 0)
        queries.append(query(0,
                member.join(party, 'LEFT',
                    condition=member.organisation == party.id),
                Cast(type_, varchar), type_, party.kim_organisation_type,
                member))
        member = Member.__table__()
        kommune = Kommune.__table__()
        sizes = [s for s, _ in SIZE_CLASSES if s]
        queries.append(query(1,
                member.join(kommune, 'LEFT',
                    condition=member.kommune == kommune.id),
                Coalesce(kommune.size_class, ''),
                code(kommune.size_class, sizes), kommune.size_class, member))
        member = Member.__table__()
        genders = [g for g, _ in GENDERS if g]
        queries.append(query(2, member, Coalesce(member.gender, ''),
                code(member.gender, genders), member.gender, member))
        member = Member.__table__()
        roles = [r for r, _ in MEMBER_ROLES]
        queries.append(query(3, member, member.role,
                code(member.role, roles), member.role, member))
        union = Union(*queries, all_=True)
        return union.select(
            union.id.as_('id'),
            union.committee.as_('committee'),
            union.dimension.as_('dimension'),
            union.key.as_('key'),
            union.count.as_('count'))

    @classmethod
    def get_value(cls, rows, name):
        pool = Pool()
        OrganisationType = pool.get('kim.organisation_type')
        Member = pool.get('kim.committee.member')
        Kommune = pool.get('kim.kommune')

        def selection(Model, field):
            "The labels of the selection in the language of the user"
            return dict(Model.fields_get([field])[field]['selection'])
        labels = {
            'size_class': selection(Kommune, 'size_class'),
            'gender': selection(Member, 'gender'),
            'role': selection(Member, 'role'),
            }
        none = gettext('kim_steering.msg_representation_none')
        type_ids = {int(r.key) for r in rows
            if r.dimension == 'organisation_type' and r.key not in {'', '0'}}
        types = {t.id: t.rec_name for t in OrganisationType.browse(
                list(type_ids))}
        result = {}
        for row in rows:
            if row.dimension == 'organisation_type':
                value = types.get(int(row.key or 0))
            else:
                value = labels[row.dimension].get(row.key or None)
            result[row.id] = value or none
        return result


CommitteeDecisionCommittee = relation('CommitteeDecisionCommittee',
    'kim.committee-kim.committee.decision_to',
    "Committee - Committee receiving Decisions",
    'committee', 'kim.committee', 'recipient', 'kim.committee')
CommitteeDecisionParty = relation('CommitteeDecisionParty',
    'kim.committee-party.party.decision_to',
    "Committee - Actor receiving Decisions",
    'committee', 'kim.committee', 'party', 'party.party')
