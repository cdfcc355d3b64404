# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Counselling contacts and appointments (Beratungskontakte) of a case: the
planned ones fill the calendar of the case manager, the done ones feed the
effort statistics."""
import datetime as dt

from sql import Literal
from sql.aggregate import Count, Max, Sum
from sql.conditionals import Coalesce

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.kim_network.common import (
    format_datetime, rec_name_domain, relation)
from trytond.modules.kim_network.workflow import WorkflowGuard
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .case import OPEN_STATES, check_case_open
from .exceptions import ContactValidationError

CHANNELS = [
    ('office', "Office"),
    ('home_visit', "Home Visit (aufsuchend)"),
    ('outreach', "Outreach elsewhere"),
    ('phone', "Phone"),
    ('video', "Video"),
    ('email', "E-Mail"),
    ('letter', "Letter"),
    ]
READONLY_DONE = {
    'readonly': Eval('state') != 'planned',
    }


class Contact(WorkflowGuard, Workflow, ModelSQL, ModelView):
    __string__ = "Beratungskontakt"
    __name__ = 'kim.case.contact'
    _history = True
    case = fields.Many2One('kim.case', "Case", required=True,
        ondelete='CASCADE', states=READONLY_DONE)
    case_manager = fields.Many2One('company.employee', "Case Manager",
        ondelete='RESTRICT', states=READONLY_DONE,
        help="Whose calendar shows the appointment.")
    subject = fields.Char("Subject", states=READONLY_DONE)
    start = fields.DateTime("Start", required=True, states=READONLY_DONE)
    duration = fields.Integer("Duration (Minutes)", required=True,
        states=READONLY_DONE)
    end = fields.Function(fields.DateTime("End", states=READONLY_DONE),
        'get_end', setter='set_end', searcher='search_end')
    channel = fields.Selection(CHANNELS, "Channel", required=True,
        sort=False, states=READONLY_DONE)
    place = fields.Char("Place", states=READONLY_DONE,
        help="The Anlaufstelle or address where the contact takes place.")
    kommune = fields.Many2One('kim.kommune', "Kommune", ondelete='RESTRICT',
        states=READONLY_DONE)
    interpreter_used = fields.Boolean("Interpreter Used",
        states=READONLY_DONE)
    interpreter_language = fields.Many2One('kim.language',
        "Interpreter Language", ondelete='RESTRICT',
        states={
            'readonly': Eval('state') != 'planned',
            'invisible': ~Eval('interpreter_used'),
            'required': Bool(Eval('interpreter_used')),
            })
    interpreter_from_pool = fields.Boolean("Interpreter from Pool",
        states={
            'readonly': Eval('state') != 'planned',
            'invisible': ~Eval('interpreter_used'),
            },
        help="The interpreter came from the municipal interpreter pool "
        "(Sprachmittlerpool).")
    participants = fields.Text("Other Participants", states=READONLY_DONE,
        help="Family members, volunteers or staff of partners who took "
        "part.")
    participant_parties = fields.Many2Many(
        'kim.case.contact-party.party', 'contact', 'party',
        "Participants (Directory)", states=READONLY_DONE)
    handlungsfelder = fields.Many2Many(
        'kim.case.contact-kim.handlungsfeld', 'contact', 'handlungsfeld',
        "Handlungsfelder", states=READONLY_DONE)
    note = fields.Text("Note")
    state = fields.Selection([
            ('planned', "Planned"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('case')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.case, Index.Equality()),
                      (t.state, Index.Equality())),
                Index(t,
                    (t.case_manager, Index.Equality()),
                    (t.start, Index.Range())),
                })
        cls._order = [('start', 'DESC'), ('id', 'DESC')]
        cls._guard(initial='planned')
        cls._transitions |= {
            ('planned', 'done'),
            ('planned', 'cancelled'),
            ('done', 'planned'),
            ('cancelled', 'planned'),
            }
        cls._buttons.update({
                'do': {
                    'invisible': Eval('state') != 'planned',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'planned',
                    'depends': ['state'],
                    },
                'plan': {
                    'invisible': Eval('state') == 'planned',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'planned'

    @classmethod
    def default_duration(cls):
        return 60

    @classmethod
    def default_channel(cls):
        return 'office'

    @classmethod
    def default_case_manager(cls):
        return Transaction().context.get('employee')

    @fields.depends('case', 'kommune', '_parent_case.case_manager',
        '_parent_case.kommune')
    def on_change_case(self):
        if not self.case:
            return
        if getattr(self.case, 'case_manager', None):
            self.case_manager = self.case.case_manager
        if getattr(self.case, 'kommune', None) and not self.kommune:
            self.kommune = self.case.kommune

    def get_rec_name(self, name):
        label = self.subject or self.case.rec_name
        if self.start:
            return '%s (%s)' % (label, format_datetime(self.start))
        return label

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, 'subject', 'case.rec_name')

    def get_end(self, name):
        if self.start and self.duration is not None:
            return self.start + dt.timedelta(minutes=self.duration)

    @classmethod
    def search_end(cls, name, clause):
        """Search the end (start + duration) as the calendar does: the
        contacts that start before the value less the longest duration are
        decided by their start, the few others one by one"""
        _, operator, value = clause
        compare = {
            '<': lambda a, b: a < b,
            '<=': lambda a, b: a <= b,
            '>': lambda a, b: a > b,
            '>=': lambda a, b: a >= b,
            '=': lambda a, b: a == b,
            '!=': lambda a, b: a != b,
            }.get(operator)
        if compare is None or not isinstance(value, dt.datetime):
            # end is empty only without start, which is required
            if operator in {'=', '!='} and value is None:
                return [('id', '=' if operator == '=' else '!=', -1)]
            return [('id', '=', -1)]
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(Max(table.duration)))
        longest = dt.timedelta(minutes=max(cursor.fetchone()[0] or 0, 0))
        low, high = value - longest, value
        cursor.execute(*table.select(table.id, table.start, table.duration,
                where=(table.start >= low) & (table.start <= high)))
        ids = []
        for id_, start, duration in cursor:
            if isinstance(start, str):  # SQLite
                start = dt.datetime.fromisoformat(start)
            if compare(start + dt.timedelta(minutes=duration or 0), value):
                ids.append(id_)
        # outside the window the start decides
        if operator in {'<', '<='}:
            decided = [('start', '<', low)]
        elif operator in {'>', '>='}:
            decided = [('start', '>', high)]
        elif operator == '!=':
            decided = ['OR', ('start', '<', low), ('start', '>', high)]
        else:
            decided = [('id', '=', -1)]
        return ['OR', decided, ('id', 'in', ids)]

    @classmethod
    def set_end(cls, contacts, name, value):
        "Moving the end in the calendar changes the duration"
        if not value:
            return
        to_write = []
        for contact in contacts:
            minutes = int((value - contact.start).total_seconds() // 60)
            to_write.extend(([contact], {'duration': minutes}))
        cls.write(*to_write)

    @classmethod
    def validate_fields(cls, contacts, field_names):
        super().validate_fields(contacts, field_names)
        if field_names is None or field_names & {'start', 'state'}:
            cls.check_done_start(contacts)

    @classmethod
    def check_done_start(cls, contacts):
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        for contact in contacts:
            if contact.state == 'done' and contact.start > now:
                raise ContactValidationError(gettext(
                        'kim_case.msg_contact_done_future',
                        contact=contact.rec_name, start=contact.start))

    @classmethod
    def check_modification(cls, mode, contacts, values=None, external=False):
        super().check_modification(
            mode, contacts, values=values, external=external)
        check_case_open({c.case for c in contacts})

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, contacts):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, contacts):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('planned')
    def plan(cls, contacts):
        pass


ContactParty = relation('ContactParty',
    'kim.case.contact-party.party', "Contact - Participant",
    'contact', 'kim.case.contact', 'party', 'party.party')
ContactHandlungsfeld = relation('ContactHandlungsfeld',
    'kim.case.contact-kim.handlungsfeld', "Contact - Handlungsfeld",
    'contact', 'kim.case.contact', 'handlungsfeld', 'kim.handlungsfeld')


class ContactRecordStart(ModelView):
    __string__ = "Record Contact"
    __name__ = 'kim.case.contact.record.start'
    case = fields.Many2One('kim.case', "Case", readonly=True)
    start = fields.DateTime("Start", required=True)
    duration = fields.Integer("Duration (Minutes)", required=True,
        domain=[('duration', '>=', 0)])
    channel = fields.Selection(CHANNELS, "Channel", required=True,
        sort=False)
    subject = fields.Char("Subject")
    note = fields.Text("Note")
    done = fields.Boolean("Took Place",
        help="Record the contact as done; clear it for an appointment "
        "still to come.")

    @classmethod
    def default_start(cls):
        now = dt.datetime.now().replace(second=0, microsecond=0)
        return now - dt.timedelta(minutes=now.minute % 5)

    @classmethod
    def default_duration(cls):
        return 30

    @classmethod
    def default_channel(cls):
        return 'home_visit'

    @classmethod
    def default_done(cls):
        return True


class ContactRecord(Wizard):
    "Record a contact of the case in one small form (for field use)"
    __string__ = "Record Contact"
    __name__ = 'kim.case.contact.record'
    start = StateView('kim.case.contact.record.start',
        'kim_case.contact_record_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Save", 'save_contact', 'tryton-ok', default=True),
            ])
    save_contact = StateTransition()

    def default_start(self, fields):
        return {'case': self.record.id} if self.record else {}

    def transition_save_contact(self):
        pool = Pool()
        Contact = pool.get('kim.case.contact')
        case = self.record
        if case.state not in OPEN_STATES:
            check_case_open([case])
        contact = Contact(
            case=case,
            start=self.start.start,
            duration=self.start.duration,
            channel=self.start.channel,
            subject=self.start.subject,
            note=self.start.note,
            )
        contact.on_change_case()
        if not contact.case_manager:
            contact.case_manager = Transaction().context.get('employee')
        contact.save()
        if self.start.done:
            Contact.do([contact])
        return 'end'


class Case(metaclass=PoolMeta):
    __name__ = 'kim.case'
    contacts = fields.One2Many('kim.case.contact', 'case', "Contacts")
    contact_count = fields.Function(fields.Integer("Contacts Done",
            help="The number of done counselling contacts."),
        'get_contact_effort')
    contact_hours = fields.Function(fields.Float("Contact Hours",
            digits=(16, 1),
            help="The time spent in done counselling contacts."),
        'get_contact_effort')
    last_contact = fields.Function(fields.DateTime("Last Contact"),
        'get_contact_effort')
    contact_rhythm = fields.Integer("Contact Rhythm (Days)",
        states={
            'readonly': Eval('state').in_(['closed', 'cancelled']),
            },
        help="The contact density agreed with the client (Kontaktdichte, "
        "individuell vereinbart): the Wiedervorlage shows the case when its "
        "last done contact is older. Empty: no agreed rhythm.")

    @classmethod
    def validate_fields(cls, cases, field_names):
        super().validate_fields(cases, field_names)
        if field_names is None or 'contact_rhythm' in field_names:
            for case in cases:
                if case.contact_rhythm is not None and not (
                        1 <= case.contact_rhythm <= 366):
                    raise ContactValidationError(gettext(
                            'kim_case.msg_case_contact_rhythm',
                            case=case.rec_name))

    @classmethod
    def get_contact_effort(cls, cases, names):
        pool = Pool()
        Contact = pool.get('kim.case.contact')
        contact = Contact.__table__()
        cursor = Transaction().connection.cursor()
        result = {n: {c.id: None for c in cases} for n in names}
        for name in {'contact_count', 'contact_hours'} & set(names):
            result[name] = {c.id: 0 for c in cases}
        cursor.execute(*contact.select(
                contact.case,
                Count(Literal(1)),
                Coalesce(Sum(contact.duration), 0),
                Max(contact.start),
                where=(contact.state == 'done')
                & contact.case.in_([c.id for c in cases]),
                group_by=[contact.case]))
        for case_id, count, minutes, last in cursor:
            if 'contact_count' in names:
                result['contact_count'][case_id] = count
            if 'contact_hours' in names:
                result['contact_hours'][case_id] = round(minutes / 60, 1)
            if 'last_contact' in names:
                if isinstance(last, str):  # SQLite
                    last = dt.datetime.fromisoformat(last)
                result['last_contact'][case_id] = last
        return result

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'record_contact': {
                    'invisible': ~Eval('state').in_(OPEN_STATES),
                    'icon': 'tryton-add',
                    'depends': ['state'],
                    },
                })

    @classmethod
    @ModelView.button_action('kim_case.wizard_contact_record')
    def record_contact(cls, cases):
        pass

    @classmethod
    def copy(cls, cases, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('contacts', None)
        return super().copy(cases, default=default)
