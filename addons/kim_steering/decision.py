# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Decisions (Beschlüsse) on agenda items, numbered per committee and year,
and the tasks that follow from them."""
import datetime as dt
import re

from sql.aggregate import Max

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.modules.kim_network.common import today
from trytond.modules.kim_network.workflow import WorkflowGuard
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction

from .committee import COMMITTEE_TYPES
from .exceptions import DecisionError, TaskError
from .meeting import OPEN_TASK_STATES, local

DECISION_TYPES = [
    ('decision', "Beschluss"),
    ('recommendation', "Empfehlung"),
    ('mandate', "Auftrag"),
    ('request', "Anfrage"),
    ('referral_back', "Rückverweis"),
    ]
SCOPES = [
    ('office', "Within One Office"),
    ('across_offices', "Across Offices (ämterübergreifend)"),
    ('reserved', "Reserved to Kreistag/Rat"),
    ]
OUTCOMES = [
    ('adopted', "Adopted"),
    ('adopted_amended', "Adopted with Amendment"),
    ('rejected', "Rejected"),
    ('deferred', "Deferred"),
    ]
_MANDATE = {
    'invisible': Eval('type') != 'mandate',
    'readonly': Bool(Eval('created_committee')),
    }
# What may still change on a decision of a meeting with approved minutes
DECISION_LATE_FIELDS = {'created_committee', 'topic'}


class Beschluss(WorkflowGuard, ModelSQL, ModelView):
    __string__ = "Decision (Beschluss)"
    __name__ = 'kim.committee.decision'
    _rec_name = 'number'
    _history = True

    agenda_item = fields.Many2One('kim.committee.agenda_item', "Agenda Item",
        required=True, ondelete='RESTRICT',
        domain=[('meeting.state', 'not in', ['approved', 'cancelled'])])
    meeting = fields.Many2One('kim.committee.meeting', "Meeting",
        readonly=True, ondelete='RESTRICT')
    committee = fields.Many2One('kim.committee', "Committee", readonly=True,
        ondelete='RESTRICT')
    year = fields.Integer("Year", readonly=True)
    sequence_number = fields.Integer("Sequence Number", readonly=True)
    number = fields.Char("Number", readonly=True,
        help="Numbered per committee and year, e.g. LG-2026-003.")
    type = fields.Selection(DECISION_TYPES, "Type", required=True)
    text = fields.Text("Text", required=True)
    outcome = fields.Selection(OUTCOMES, "Outcome", required=True)
    scope = fields.Selection(SCOPES, "Scope", required=True,
        help="Whether the decision concerns one office, several offices, "
        "or needs the Kreistag or Rat.")
    voted = fields.Boolean("Voted",
        help="The decision was put to the vote (simple majority).")
    votes_yes = fields.Integer("Yes", states={'invisible': ~Eval('voted')})
    votes_no = fields.Integer("No", states={'invisible': ~Eval('voted')})
    votes_abstain = fields.Integer("Abstentions",
        states={'invisible': ~Eval('voted')})
    addressed_to = fields.Many2One('kim.committee', "Addressed To",
        ondelete='RESTRICT',
        states={
            'invisible': ~Eval('type').in_(['request', 'referral_back']),
            },
        help="The existing committee that receives the request "
        "(Anfrage) or the referral back (Rückverweis).")
    topic = fields.Many2One('kim.topic', "Topic", ondelete='SET NULL')
    tasks = fields.One2Many('kim.committee.task', 'decision', "Tasks")

    # Auftrag: a new committee with its mandate
    new_committee_name = fields.Char("New Committee", states=_MANDATE)
    new_committee_code = fields.Char("New Committee Code", states=_MANDATE)
    new_committee_type = fields.Selection(
        [(None, "")] + COMMITTEE_TYPES, "New Committee Type",
        states=_MANDATE)
    mandate_goal = fields.Text("Goal", states=_MANDATE)
    mandate_reason = fields.Text("Reason", states=_MANDATE)
    mandate_deadline = fields.Date("Deadline", states=_MANDATE)
    created_committee = fields.Many2One('kim.committee',
        "Created Committee", readonly=True, ondelete='SET NULL',
        states={'invisible': Eval('type') != 'mandate'})

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('agenda_item')
        t = cls.__table__()
        cls._sql_constraints += [
            ('number_unique',
                Unique(t, t.committee, t.year, t.sequence_number),
                'kim_steering.msg_decision_number_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.committee, Index.Equality()),
                    (t.year, Index.Equality())),
                Index(t, (t.topic, Index.Equality())),
                Index(t, (t.meeting, Index.Equality())),
                })
        cls._order = [('meeting', 'DESC'), ('sequence_number', 'DESC'),
            ('id', 'DESC')]
        # the number follows from the agenda item; the committee is set up
        # by the button
        cls._guard(
            protected={'created_committee'},
            assigned={'meeting', 'committee', 'year', 'sequence_number',
                'number'})
        cls._buttons.update({
                'create_committee': {
                    'invisible': ((Eval('type') != 'mandate')
                        | Bool(Eval('created_committee'))),
                    'icon': 'tryton-add',
                    'depends': ['type', 'created_committee'],
                    },
                })

    @classmethod
    def default_type(cls):
        return 'decision'

    @classmethod
    def default_outcome(cls):
        return 'adopted'

    @classmethod
    def default_scope(cls):
        return 'across_offices'

    @classmethod
    def default_new_committee_type(cls):
        return 'arbeitsgruppe'

    @fields.depends('agenda_item', '_parent_agenda_item.topic', 'topic')
    def on_change_agenda_item(self):
        if self.agenda_item and self.agenda_item.topic and not self.topic:
            self.topic = self.agenda_item.topic

    def get_rec_name(self, name):
        if self.number:
            return self.number
        return '(%s)' % self.id

    @classmethod
    def search_rec_name(cls, name, clause):
        return ['OR',
            ('number',) + tuple(clause[1:]),
            ('text',) + tuple(clause[1:]),
            ]

    @classmethod
    def preprocess_values(cls, mode, values):
        "Take meeting, committee, year and topic from the agenda item"
        pool = Pool()
        AgendaItem = pool.get('kim.committee.agenda_item')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('agenda_item'):
            item = AgendaItem(values['agenda_item'])
            meeting = item.meeting
            values.update({
                    'meeting': meeting.id,
                    'committee': meeting.committee.id,
                    'year': local(meeting.start).year,
                    })
            if 'topic' not in values and item.topic:
                values['topic'] = item.topic.id
        return values

    @classmethod
    def check_modification(cls, mode, decisions, values=None,
            external=False):
        super().check_modification(
            mode, decisions, values=values, external=external)
        if mode == 'write' and 'agenda_item' in values:
            raise DecisionError(gettext(
                    'kim_steering.msg_decision_move',
                    decision=decisions[0].rec_name if decisions else ''))
        for decision in decisions:
            if decision.agenda_item.meeting.state in {
                    'approved', 'cancelled'}:
                if mode == 'write' and not (
                        set(values) - DECISION_LATE_FIELDS):
                    continue
                raise DecisionError(gettext(
                        'kim_steering.msg_decision_locked',
                        decision=decision.rec_name,
                        meeting=decision.agenda_item.meeting.rec_name))

    @classmethod
    def on_modification(cls, mode, decisions, field_names=None):
        pool = Pool()
        Topic = pool.get('kim.topic')
        super().on_modification(mode, decisions, field_names=field_names)
        if mode == 'create':
            cls._number([d for d in decisions if not d.number])
            topics = {d.topic for d in decisions
                if d.topic and d.topic.state == 'on_agenda'
                and d.outcome in {'adopted', 'adopted_amended'}}
            if topics:
                Topic.decide(list(topics))

    @classmethod
    def _number(cls, decisions):
        """Number the decisions per committee and year in the order of their
        ids, counting under a lock of the committees"""
        pool = Pool()
        Committee = pool.get('kim.committee')
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        if not decisions:
            return
        Committee.lock(list({d.committee for d in decisions}))
        counters = {}
        to_write = []
        for decision in sorted(decisions, key=lambda d: d.id):
            key = (decision.committee.id, decision.year)
            if key not in counters:
                cursor.execute(*table.select(Max(table.sequence_number),
                        where=(table.committee == decision.committee.id)
                        & (table.year == decision.year)))
                counters[key] = cursor.fetchone()[0] or 0
            counters[key] += 1
            to_write.extend(([decision], {
                        'sequence_number': counters[key],
                        'number': '%s-%s-%03d' % (
                            decision.committee.code, decision.year,
                            counters[key]),
                        }))
        cls.write(*to_write)

    @classmethod
    def copy(cls, decisions, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('tasks', None)
        return super().copy(decisions, default=default)

    def _new_committee_code(self):
        pool = Pool()
        Committee = pool.get('kim.committee')
        code = self.new_committee_code
        if not code:
            words = re.findall(r'\w+', self.new_committee_name)
            code = ''.join(w[0] for w in words if w[0].isupper()) or 'AG'
            code = code[:8]
        base, index = code, 1
        while Committee.search([('code', '=', code)], limit=1):
            index += 1
            code = '%s%s' % (base, index)
        return code

    def get_new_committee(self):
        "Return the unsaved committee that the Auftrag sets up"
        pool = Pool()
        Committee = pool.get('kim.committee')
        parent = self.committee
        return Committee(
            name=self.new_committee_name,
            code=self._new_committee_code(),
            type=self.new_committee_type or 'arbeitsgruppe',
            parent=parent,
            reports_to=parent,
            secretariat=parent.secretariat,
            email=parent.email,
            temporary=True,
            purpose=self.text,
            mandate_goal=self.mandate_goal or self.text,
            mandate_reason=self.mandate_reason,
            mandate_deadline=self.mandate_deadline,
            mandate_decision=self,
            start_date=local(self.meeting.start).date(),
            )

    @classmethod
    @ModelView.button_action('kim_steering.act_committee_form')
    def create_committee(cls, decisions):
        "Set up the committee that each Auftrag mandates"
        pool = Pool()
        Committee = pool.get('kim.committee')
        committees = []
        for decision in decisions:
            if decision.type != 'mandate':
                raise DecisionError(gettext(
                        'kim_steering.msg_decision_not_mandate',
                        decision=decision.rec_name))
            if decision.created_committee:
                continue
            if not decision.new_committee_name:
                raise DecisionError(gettext(
                        'kim_steering.msg_decision_no_committee_name',
                        decision=decision.rec_name))
            if decision.outcome not in {'adopted', 'adopted_amended'}:
                raise DecisionError(gettext(
                        'kim_steering.msg_decision_not_adopted',
                        decision=decision.rec_name))
            committees.append((decision, decision.get_new_committee()))
        Committee.save([c for _, c in committees])
        for decision, committee in committees:
            decision.created_committee = committee
        cls.save([d for d, _ in committees])
        return {
            'res_id': [c.id for _, c in committees],
            'views': [(None, 'form'), (None, 'tree')],
            }


class Task(WorkflowGuard, Workflow, ModelSQL, ModelView):
    __string__ = "Task"
    __name__ = 'kim.committee.task'
    _history = True

    committee = fields.Many2One('kim.committee', "Committee", required=True,
        ondelete='RESTRICT', states={'readonly': Bool(Eval('decision'))},
        help="The committee that follows the task up.")
    decision = fields.Many2One('kim.committee.decision', "Decision",
        ondelete='RESTRICT',
        domain=[('committee', '=', Eval('committee', -1))])
    topic = fields.Many2One('kim.topic', "Topic", ondelete='SET NULL')
    name = fields.Char("Task", required=True,
        states={'readonly': Eval('state').in_(['done', 'cancelled'])})
    description = fields.Text("Description")
    owner_person = fields.Many2One('party.party', "Owner (Person)",
        ondelete='RESTRICT',
        domain=[('kim_organisation_type', '=', None)])
    owner_organisation = fields.Many2One('party.party',
        "Owner (Organisation)", ondelete='RESTRICT',
        domain=[('kim_organisation_type', '!=', None)])
    owner_email = fields.Char("Owner E-Mail",
        help="Reminders of overdue tasks go to this address.")
    due_date = fields.Date("Due Date")
    state = fields.Selection([
            ('open', "Open"),
            ('in_progress', "In Progress"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)
    done_date = fields.Date("Done On", readonly=True)
    done_meeting = fields.Many2One('kim.committee.meeting',
        "Reported Done At", ondelete='RESTRICT',
        domain=[('committee', '=', Eval('committee', -1))],
        states={'readonly': Eval('state').in_(['done', 'cancelled'])},
        help="The meeting at which the task was reported done.")
    result = fields.Text("Result")
    overdue = fields.Function(fields.Boolean("Overdue"),
        'get_overdue', searcher='search_overdue')
    follow_ups = fields.One2Many('kim.committee.agenda_item', 'task',
        "Follow-ups", readonly=True)
    last_reminder = fields.Date("Last Reminder", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('committee')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.committee, Index.Equality()),
                    (t.state, Index.Equality())),
                Index(t, (t.due_date, Index.Range()),
                    where=t.state.in_(OPEN_TASK_STATES)),
                Index(t, (t.topic, Index.Equality())),
                })
        cls._order = [('due_date', 'ASC NULLS LAST'), ('id', 'ASC')]
        cls._guard(initial='open', protected={'done_date', 'last_reminder'})
        cls._transitions |= {
            ('open', 'in_progress'),
            ('open', 'done'),
            ('in_progress', 'done'),
            ('open', 'cancelled'),
            ('in_progress', 'cancelled'),
            ('done', 'open'),
            ('cancelled', 'open'),
            }
        cls._buttons.update({
                'start': {
                    'invisible': Eval('state') != 'open',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'do': {
                    'invisible': ~Eval('state').in_(OPEN_TASK_STATES),
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(OPEN_TASK_STATES),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': ~Eval('state').in_(['done', 'cancelled']),
                    'icon': 'tryton-undo',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'open'

    @fields.depends('decision', '_parent_decision.committee',
        '_parent_decision.topic', 'committee', 'topic')
    def on_change_decision(self):
        if self.decision:
            self.committee = self.decision.committee
            if not self.topic:
                self.topic = self.decision.topic

    @fields.depends('owner_person', 'owner_email')
    def on_change_owner_person(self):
        if self.owner_person and not self.owner_email:
            self.owner_email = self.owner_person.email

    def owner_label(self):
        names = [p.rec_name for p in [self.owner_person,
                self.owner_organisation] if p]
        return ', '.join(names)

    def get_rec_name(self, name):
        if self.decision:
            return '%s: %s' % (self.decision.rec_name, self.name)
        return self.name

    @classmethod
    def search_rec_name(cls, name, clause):
        return ['OR',
            ('name',) + tuple(clause[1:]),
            ('decision.number',) + tuple(clause[1:]),
            ]

    def get_overdue(self, name):
        date = Transaction().context.get('date') or today()
        return bool(self.state in OPEN_TASK_STATES and self.due_date
            and self.due_date < date)

    @classmethod
    def search_overdue(cls, name, clause):
        date = Transaction().context.get('date') or today()
        _, operator, value = clause
        domain = [
            ('state', 'in', OPEN_TASK_STATES),
            ('due_date', '<', date),
            ]
        if (operator == '=') == bool(value):
            return domain
        return ['OR',
            ('state', 'not in', OPEN_TASK_STATES),
            ('due_date', '=', None),
            ('due_date', '>=', date),
            ]

    @classmethod
    def preprocess_values(cls, mode, values):
        "A task of a decision follows its committee and topic"
        pool = Pool()
        Decision = pool.get('kim.committee.decision')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('decision'):
            decision = Decision(values['decision'])
            if decision.committee:
                values.setdefault('committee', decision.committee.id)
            if decision.topic:
                values.setdefault('topic', decision.topic.id)
        return values

    @classmethod
    def validate_fields(cls, tasks, field_names):
        super().validate_fields(tasks, field_names)
        if field_names is None or field_names & {'decision', 'committee'}:
            for task in tasks:
                if task.decision and task.decision.committee != (
                        task.committee):
                    raise TaskError(gettext(
                            'kim_steering.msg_task_committee',
                            task=task.rec_name))

    @classmethod
    def check_modification(cls, mode, tasks, values=None, external=False):
        super().check_modification(
            mode, tasks, values=values, external=external)
        if mode == 'delete':
            for task in tasks:
                if task.state != 'open' or task.follow_ups:
                    raise TaskError(gettext(
                            'kim_steering.msg_task_delete',
                            task=task.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def start(cls, tasks):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, tasks):
        date = today()
        for task in tasks:
            task.done_date = date
            if not task.done_meeting:
                meetings = [i.meeting for i in task.follow_ups
                    if i.meeting.state in {'invited', 'held'}]
                if meetings:
                    task.done_meeting = max(meetings, key=lambda m: m.start)
        cls.save(tasks)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, tasks):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def reopen(cls, tasks):
        cls.write(tasks, {'done_date': None, 'done_meeting': None})

    @classmethod
    def remind_overdue(cls, date=None):
        """Send a reminder to the owners of the overdue tasks, at most once
        a week per task. Return the tasks reminded."""
        from email.message import EmailMessage

        from trytond.sendmail import sendmail_transactional

        from .meeting import from_address
        if date is None:
            date = today()
        tasks = cls.search([
                ('state', 'in', OPEN_TASK_STATES),
                ('due_date', '<', date),
                ('owner_email', '!=', None),
                ['OR',
                    ('last_reminder', '=', None),
                    ('last_reminder', '<=', date - dt.timedelta(days=7)),
                    ],
                ])
        for task in tasks:
            msg = EmailMessage()
            msg['Subject'] = gettext('kim_steering.msg_task_reminder_subject',
                task=task.rec_name)
            msg['From'] = task.committee.email or from_address()
            msg['To'] = task.owner_email
            msg.set_content(gettext('kim_steering.msg_task_reminder_body',
                    task=task.rec_name, committee=task.committee.rec_name,
                    due_date=task.due_date.strftime('%d.%m.%Y')))
            sendmail_transactional(
                msg['From'], [task.owner_email], msg)
        if tasks:
            cls.write(tasks, {'last_reminder': date})
        return tasks
