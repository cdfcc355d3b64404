# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Fallkonferenzen: case conferences with the offices and advice centres
involved, as a rule with the client present; the client's consent must
cover every external organisation that takes part."""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Workflow, fields, sequence_ordered)
from trytond.modules.kim_network.common import (
    format_datetime, rec_name_domain)
from trytond.modules.kim_network.workflow import WorkflowGuard
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction

from .case import OPEN_STATES, CaseLinkMixin, check_case_open
from .exceptions import ConferenceError, ConferenceValidationError
from .gate import covering, names

PLANNED = {
    'readonly': ~Eval('state').in_(['planned', 'confirmed']),
    }
CONFERENCE_PLANNED = {
    'readonly': ~Eval('conference_state').in_(['planned', 'confirmed']),
    }
CONFERENCE_OPEN = {
    'readonly': Eval('conference_state') == 'cancelled',
    }
# What may still change once the conference is held
HELD_WRITABLE_FIELDS = {'results', 'tasks', 'client_present'}


class Conference(CaseLinkMixin, WorkflowGuard, Workflow, ModelSQL,
        ModelView):
    __string__ = "Fallkonferenz"
    __name__ = 'kim.case.conference'
    _history = True
    case = fields.Many2One('kim.case', "Case", required=True,
        ondelete='CASCADE', states=PLANNED,
        context={
            'kim_client': True,
            })
    subject = fields.Char("Subject", required=True, states=PLANNED)
    start = fields.DateTime("Start", required=True, states=PLANNED)
    duration = fields.Integer("Duration (Minutes)", states=PLANNED)
    channel = fields.Selection([
            ('in_person', "In Person"),
            ('video', "Video"),
            ('hybrid', "In Person and Video"),
            ('phone', "Phone"),
            ], "Channel", required=True, sort=False, states=PLANNED)
    place = fields.Char("Place", states=PLANNED)
    organiser = fields.Many2One('company.employee', "Organiser",
        ondelete='RESTRICT', states=PLANNED)
    client_present = fields.Boolean("Client Present",
        states={
            'readonly': Eval('state') == 'cancelled',
            },
        help="Case conferences are held with the client present as a rule.")
    participants = fields.One2Many('kim.case.conference.participant',
        'conference', "Participants", states=PLANNED)
    results = fields.Text("Results",
        states={
            'readonly': Eval('state') == 'cancelled',
            })
    tasks = fields.One2Many('kim.case.conference.task', 'conference',
        "Agreed Tasks",
        states={
            'readonly': Eval('state') == 'cancelled',
            })
    state = fields.Selection([
            ('planned', "Planned"),
            ('confirmed', "Confirmed"),
            ('held', "Held"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.case, Index.Equality())),
                Index(t, (t.start, Index.Range())),
                })
        cls._order = [('start', 'DESC'), ('id', 'DESC')]
        cls._guard(initial='planned',
            final={'held': HELD_WRITABLE_FIELDS},
            final_message='kim_case.msg_conference_held_readonly')
        cls._transitions |= {
            ('planned', 'confirmed'),
            ('confirmed', 'planned'),
            ('planned', 'held'),
            ('confirmed', 'held'),
            ('planned', 'cancelled'),
            ('confirmed', 'cancelled'),
            ('cancelled', 'planned'),
            }
        cls._buttons.update({
                'plan': {
                    'invisible': ~Eval('state').in_(
                        ['confirmed', 'cancelled']),
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'confirm': {
                    'invisible': Eval('state') != 'planned',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'hold': {
                    'invisible': ~Eval('state').in_(['planned', 'confirmed']),
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['planned', 'confirmed']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'planned'

    @classmethod
    def default_channel(cls):
        return 'in_person'

    @classmethod
    def default_duration(cls):
        return 60

    @classmethod
    def default_client_present(cls):
        return True

    @classmethod
    def default_organiser(cls):
        return Transaction().context.get('employee')

    def get_rec_name(self, name):
        if self.start:
            return '%s (%s)' % (self.subject, format_datetime(self.start))
        return self.subject

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, 'subject', 'case.rec_name')

    @classmethod
    def check_modification(cls, mode, conferences, values=None,
            external=False):
        super().check_modification(
            mode, conferences, values=values, external=external)
        if mode == 'delete':
            for conference in conferences:
                if conference.state == 'held':
                    raise ConferenceError(gettext(
                            'kim_case.msg_conference_held_readonly',
                            record=conference.rec_name))
        check_case_open({c.case for c in conferences})

    @classmethod
    def copy(cls, conferences, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('results', None)
        default.setdefault('tasks', None)
        return super().copy(conferences, default=default)

    def missing_consents(self, date=None):
        """Return the organisations of the external participants that no
        consent of the client in force covers for case conferences."""
        pool = Pool()
        Consent = pool.get('kim.consent')
        missing = []
        for participant in self.participants:
            organisation = participant.organisation
            if (not participant.external or not organisation
                    or organisation in missing):
                continue
            if not Consent.find_covering(self.case.client, organisation,
                    purpose='case_conference', date=date):
                missing.append(organisation)
        return missing

    def check_consents(self, date=None):
        """Raise a ConferenceError unless the client consented, in force on
        date (default today), to the communication in the network and to
        each external organisation"""
        if any(p.external for p in self.participants) and not covering(
                self.case.client, 'network', date=date):
            raise ConferenceError(gettext(
                    'kim_case.msg_conference_no_network_consent',
                    conference=self.rec_name,
                    client=self.case.client.rec_name))
        missing = self.missing_consents(date=date)
        if missing:
            raise ConferenceError(gettext(
                    'kim_case.msg_conference_no_consent',
                    conference=self.rec_name,
                    client=self.case.client.rec_name,
                    organisations=names(missing)))

    def check_case(self):
        if self.case.state not in OPEN_STATES:
            raise ConferenceError(gettext(
                    'kim_case.msg_conference_case_not_open',
                    conference=self.rec_name, case=self.case.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('planned')
    def plan(cls, conferences):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('confirmed')
    def confirm(cls, conferences):
        for conference in conferences:
            conference.check_case()
            conference.check_consents()

    @classmethod
    @ModelView.button
    @Workflow.transition('held')
    def hold(cls, conferences):
        pool = Pool()
        Case = pool.get('kim.case')
        now = dt.datetime.now()
        for conference in conferences:
            conference.check_case()
            if conference.start > now:
                raise ConferenceError(gettext(
                        'kim_case.msg_conference_held_future',
                        conference=conference.rec_name,
                        start=conference.start))
            # the consents in force when the conference took place
            conference.check_consents(date=conference.start.date())
        for conference in conferences:
            Case._log_events([conference.case], 'conference', gettext(
                    'kim_case.msg_conference_event',
                    subject=conference.subject,
                    participants=', '.join(
                        p.rec_name for p in conference.participants) or '-'),
                date=conference.start.date())

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, conferences):
        pass


class ConferenceParticipant(ModelSQL, ModelView):
    __string__ = "Fallkonferenz Participant"
    __name__ = 'kim.case.conference.participant'
    conference = fields.Many2One('kim.case.conference', "Case Conference",
        required=True, ondelete='CASCADE', states=CONFERENCE_PLANNED)
    conference_state = fields.Function(fields.Selection(
            'get_conference_states', "Conference State"),
        'on_change_with_conference_state')
    company = fields.Function(fields.Many2One('company.company', "Company"),
        'on_change_with_company')
    external = fields.Boolean("External", states=CONFERENCE_PLANNED,
        help="The participant does not belong to the KIM office; the client's "
        "consent must cover the organisation.")
    organisation = fields.Many2One('party.party', "Organisation",
        ondelete='RESTRICT', states=CONFERENCE_PLANNED,
        domain=[('kim_organisation_type', '!=', None)],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    employee = fields.Many2One('company.employee', "Employee",
        ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={
            'readonly': ~Eval('conference_state', 'planned').in_(
                ['planned', 'confirmed']),
            'invisible': Bool(Eval('external')),
            })
    person = fields.Char("Person", states=CONFERENCE_PLANNED,
        help="The name of the person taking part, e.g. the staff member of "
        "the organisation, a relative or the interpreter.")
    role = fields.Char("Role", states=CONFERENCE_PLANNED)
    attended = fields.Boolean("Attended", states=CONFERENCE_OPEN)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('conference')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.conference, Index.Equality())),
                Index(t, (t.organisation, Index.Equality())),
                })

    @classmethod
    def default_external(cls):
        return True

    @classmethod
    def default_attended(cls):
        return True

    @classmethod
    def get_conference_states(cls):
        pool = Pool()
        Conference = pool.get('kim.case.conference')
        return Conference.fields_get(['state'])['state']['selection']

    @fields.depends('conference', '_parent_conference.state')
    def on_change_with_conference_state(self, name=None):
        if self.conference:
            return self.conference.state

    @fields.depends('conference', '_parent_conference.company')
    def on_change_with_company(self, name=None):
        if self.conference and self.conference.company:
            return self.conference.company.id

    @fields.depends('external', 'employee')
    def on_change_external(self):
        if self.external:
            self.employee = None

    def get_rec_name(self, name):
        parts = [p.rec_name for p in [self.employee, self.organisation]
            if p]
        if self.person:
            parts.insert(0, self.person)
        return ' / '.join(parts) or str(self.id)

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause,
            'person', 'organisation.rec_name', 'employee.rec_name')

    @classmethod
    def validate_fields(cls, participants, field_names):
        super().validate_fields(participants, field_names)
        if field_names is None or field_names & {
                'organisation', 'person', 'employee'}:
            for participant in participants:
                if not (participant.organisation or participant.person
                        or participant.employee):
                    raise ConferenceValidationError(gettext(
                            'kim_case.msg_conference_participant_empty',
                            conference=participant.conference.rec_name))

    @classmethod
    def check_modification(cls, mode, participants, values=None,
            external=False):
        super().check_modification(
            mode, participants, values=values, external=external)
        for participant in participants:
            conference = participant.conference
            if conference.state == 'held' and (
                    mode != 'write' or set(values) - {'attended'}):
                raise ConferenceError(gettext(
                        'kim_case.msg_conference_held_readonly',
                        record=conference.rec_name))
        check_case_open({p.conference.case for p in participants})


class ConferenceTask(sequence_ordered(), ModelSQL, ModelView):
    __string__ = "Fallkonferenz Task"
    __name__ = 'kim.case.conference.task'
    conference = fields.Many2One('kim.case.conference', "Case Conference",
        required=True, ondelete='CASCADE')
    name = fields.Char("What", required=True)
    who = fields.Char("Who", required=True,
        help="The person or organisation that takes on the task.")
    due_date = fields.Date("Due Date")
    done = fields.Boolean("Done")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('conference')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.conference, Index.Equality())))

    @classmethod
    def default_done(cls):
        return False

    @classmethod
    def check_modification(cls, mode, tasks, values=None, external=False):
        super().check_modification(
            mode, tasks, values=values, external=external)
        check_case_open({t.conference.case for t in tasks})


class Case(metaclass=PoolMeta):
    __name__ = 'kim.case'
    conferences = fields.One2Many('kim.case.conference', 'case',
        "Case Conferences",
        states={
            'readonly': Eval('state') == 'closed',
            })
