# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Meetings (Sitzungen) of the committees: agenda with standing items and
follow-ups of open tasks, invitation by e-mail with an iCalendar file,
attendance, minutes per agenda item and the minutes as PDF."""
import datetime as dt
from email.message import EmailMessage
from email.utils import formataddr, parseaddr
from zoneinfo import ZoneInfo

from trytond.config import config
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields, sequence_ordered)
from trytond.modules.kim_network.common import PageStyleMixin, relation
from trytond.modules.kim_network.ir import HISTORY_DATE
from trytond.modules.kim_network.workflow import WorkflowGuard
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.report import Report
from trytond.sendmail import sendmail_transactional
from trytond.transaction import Transaction

from . import ics
from .committee import MEMBER_ROLES, NON_VOTING_ROLES
from .exceptions import (
    MeetingError, MeetingValidationError, MeetingWarning)

DEFAULT_TIMEZONE = 'Europe/Berlin'
FORMATS = [
    ('in_person', "In Person"),
    ('video', "Video Conference"),
    ('hybrid', "Hybrid"),
    ]
ATTENDANCE_STATUSES = [
    (None, ""),
    ('present', "Present"),
    ('excused', "Excused"),
    ('absent', "Absent"),
    ('deputy', "Deputy Present"),
    ]
AGENDA_KINDS = [
    ('item', "Item"),
    ('standing', "Standing Item"),
    ('follow_up', "Follow-up of a Task"),
    ('topic', "Topic (Themenspeicher)"),
    ('report', "Report"),
    ]
_DONE = Eval('state').in_(['approved', 'cancelled'])
_LOCKED = Eval('meeting_state').in_(['approved', 'cancelled'])
OPEN_TASK_STATES = ['open', 'in_progress']


def timezone():
    return ZoneInfo(Transaction().context.get('timezone') or DEFAULT_TIMEZONE)


def local(value):
    "Return the naive UTC datetime value in the local time zone"
    if value is None:
        return None
    return value.replace(tzinfo=dt.timezone.utc).astimezone(timezone())


def from_address():
    "The envelope sender of the configuration"
    value = config.get('email', 'from', default='kim@localhost')
    return parseaddr(value)[1] or value


class Meeting(WorkflowGuard, Workflow, ModelSQL, ModelView):
    __string__ = "Committee Meeting"
    __name__ = 'kim.committee.meeting'
    committee = fields.Many2One('kim.committee', "Committee", required=True,
        ondelete='RESTRICT',
        domain=[('state', '!=', 'closed')],
        states={'readonly': Eval('state') != 'planned'})
    title = fields.Char("Title", states={'readonly': _DONE},
        help="e.g. 4th meeting or Klausurtagung.")
    start = fields.DateTime("Start", required=True,
        states={'readonly': _DONE})
    end = fields.DateTime("End", required=True,
        states={'readonly': _DONE})
    format = fields.Selection(FORMATS, "Format", required=True,
        states={'readonly': _DONE})
    place = fields.Char("Place",
        states={
            'readonly': _DONE,
            'invisible': Eval('format') == 'video',
            'required': Eval('format').in_(['in_person', 'hybrid']),
            })
    video_link = fields.Char("Video Link",
        states={
            'readonly': _DONE,
            'invisible': Eval('format') == 'in_person',
            'required': Eval('format').in_(['video', 'hybrid']),
            })
    agenda_items = fields.One2Many('kim.committee.agenda_item', 'meeting',
        "Agenda", states={'readonly': _DONE})
    attendances = fields.One2Many('kim.committee.attendance', 'meeting',
        "Attendance", states={'readonly': _DONE})
    guests = fields.Many2Many('kim.committee.meeting-party.party', 'meeting',
        'party', "Guests", states={'readonly': _DONE},
        help="Persons invited to this meeting only (anlassbezogen).")
    minutes = fields.Text("General Minutes", states={'readonly': _DONE})
    minute_taker = fields.Many2One('party.party', "Minutes Taken By",
        ondelete='RESTRICT', states={'readonly': _DONE})
    decisions = fields.One2Many('kim.committee.decision', 'meeting',
        "Decisions", readonly=True)
    invitation_date = fields.DateTime("Invitation Sent", readonly=True)
    invitation_count = fields.Integer("Invitations Sent", readonly=True,
        help="How often the invitation was sent (the iCalendar SEQUENCE).")
    approval_date = fields.Date("Minutes Approved On", readonly=True)
    minutes_sent_date = fields.DateTime("Minutes Sent", readonly=True)
    state = fields.Selection([
            ('planned', "Planned"),
            ('invited', "Invited"),
            ('held', "Held"),
            ('approved', "Minutes Approved"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('committee')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.committee, Index.Equality()),
                    (t.start, Index.Range())),
                Index(t, (t.start, Index.Range())),
                })
        cls._order = [('start', 'DESC'), ('id', 'DESC')]
        cls._guard(initial='planned',
            protected={'invitation_date', 'invitation_count',
                'approval_date', 'minutes_sent_date'},
            final={'approved': set()})
        cls._transitions |= {
            ('planned', 'invited'),
            ('invited', 'invited'),
            ('planned', 'held'),
            ('invited', 'held'),
            ('held', 'invited'),
            ('held', 'approved'),
            ('planned', 'cancelled'),
            ('invited', 'cancelled'),
            ('cancelled', 'planned'),
            }
        cls._buttons.update({
                'fill_agenda': {
                    'invisible': ~Eval('state').in_(['planned', 'invited']),
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                'invite': {
                    'invisible': ~Eval('state').in_(['planned', 'invited']),
                    'icon': 'tryton-email',
                    'depends': ['state'],
                    },
                'hold': {
                    'invisible': ~Eval('state').in_(['planned', 'invited']),
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'approve': {
                    'invisible': Eval('state') != 'held',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['planned', 'invited']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'replan': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-undo',
                    'depends': ['state'],
                    },
                'send_minutes': {
                    'invisible': Eval('state') != 'approved',
                    'icon': 'tryton-email',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'planned'

    @classmethod
    def default_format(cls):
        return 'in_person'

    @classmethod
    def default_invitation_count(cls):
        return 0

    @fields.depends('start', 'end')
    def on_change_start(self):
        if self.start and (not self.end or self.end <= self.start):
            self.end = self.start + dt.timedelta(hours=2)

    def get_rec_name(self, name):
        start = local(self.start)
        label = '%s %s' % (self.committee.code,
            start.strftime('%Y-%m-%d') if start else '')
        if self.title:
            label += ' - %s' % self.title
        return label

    @classmethod
    def search_rec_name(cls, name, clause):
        return ['OR',
            ('committee.rec_name',) + tuple(clause[1:]),
            ('title',) + tuple(clause[1:]),
            ]

    @classmethod
    def validate_fields(cls, meetings, field_names):
        super().validate_fields(meetings, field_names)
        if field_names is None or field_names & {'start', 'end'}:
            for meeting in meetings:
                if meeting.start and meeting.end and (
                        meeting.end <= meeting.start):
                    raise MeetingValidationError(gettext(
                            'kim_steering.msg_meeting_end_before_start',
                            meeting=meeting.rec_name,
                            start=local(meeting.start).strftime(
                                '%Y-%m-%d %H:%M'),
                            end=local(meeting.end).strftime(
                                '%Y-%m-%d %H:%M')))

    @classmethod
    def on_modification(cls, mode, meetings, field_names=None):
        super().on_modification(mode, meetings, field_names=field_names)
        if mode == 'create' and not Transaction().context.get(
                'kim_no_agenda'):
            cls._fill_agenda([m for m in meetings if m.state == 'planned'])

    @classmethod
    def copy(cls, meetings, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('attendances', None)
        default.setdefault('decisions', None)
        default.setdefault('minutes', None)
        default.setdefault('agenda_items', None)
        return super().copy(meetings, default=default)

    @classmethod
    def check_modification(cls, mode, meetings, values=None, external=False):
        super().check_modification(
            mode, meetings, values=values, external=external)
        if mode == 'delete':
            for meeting in meetings:
                if meeting.state not in {'planned', 'cancelled'}:
                    raise MeetingError(gettext(
                            'kim_steering.msg_meeting_delete',
                            meeting=meeting.rec_name))

    # Agenda

    @classmethod
    def _fill_agenda(cls, meetings):
        """Add the standing items that are due and the follow-ups of the
        open tasks of the committee that are not on the agenda yet"""
        pool = Pool()
        AgendaItem = pool.get('kim.committee.agenda_item')
        Task = pool.get('kim.committee.task')
        to_save = []
        for meeting in meetings:
            items = list(meeting.agenda_items)
            standing = {i.standing_item.id for i in items
                if i.standing_item}
            followed = {i.task.id for i in items if i.task}
            for index, item in enumerate(meeting.committee.standing_items):
                if item.id in standing:
                    continue
                previous = AgendaItem.search([
                        ('standing_item', '=', item.id),
                        ('meeting', '!=', meeting.id),
                        ('meeting.state', '!=', 'cancelled'),
                        ('meeting.start', '<', meeting.start),
                        ])
                if item.is_due(meeting, [p.meeting.start for p in previous]):
                    to_save.append(AgendaItem(meeting=meeting,
                            sequence=10 + index,
                            kind='standing', standing_item=item,
                            title=item.title, description=item.description,
                            presenter=item.presenter))
            tasks = Task.search([
                    ('committee', '=', meeting.committee.id),
                    ('state', 'in', OPEN_TASK_STATES),
                    ('id', 'not in', list(followed)),
                    ], order=[('due_date', 'ASC NULLS LAST'), ('id', 'ASC')])
            for index, task in enumerate(tasks):
                if task.decision and task.decision.meeting == meeting:
                    continue
                to_save.append(AgendaItem(meeting=meeting,
                        sequence=500 + index, kind='follow_up', task=task,
                        title=gettext('kim_steering.msg_follow_up_title',
                            task=task.rec_name),
                        presenter=task.owner_label()))
        AgendaItem.save(to_save)

    @classmethod
    @ModelView.button
    def fill_agenda(cls, meetings):
        cls._fill_agenda(meetings)

    def agenda_text(self):
        "The agenda as plain text lines"
        lines = []
        for item in self.agenda_items:
            line = '%s. %s' % (item.number, item.title)
            if item.presenter:
                line += ' (%s)' % item.presenter
            lines.append(line)
        return '\n'.join(lines)

    # Attendance

    @classmethod
    def _create_attendances(cls, meetings):
        "Add an attendance line for each member valid on the meeting date"
        pool = Pool()
        Attendance = pool.get('kim.committee.attendance')
        to_save = []
        for meeting in meetings:
            date = local(meeting.start).date()
            present = {a.member.id for a in meeting.attendances}
            for member in meeting.committee.current_members(date):
                if member.id not in present:
                    to_save.append(Attendance(meeting=meeting, member=member))
        Attendance.save(to_save)

    # Invitation

    def invitation_addressees(self, deputies=True):
        """Return [(name, email or None, required, member or None, party)]
        of the members, their deputies (who answer and receive the minutes
        for the member) and the guests"""
        date = local(self.start).date()
        addressees = []
        for member in self.committee.current_members(date):
            addressees.append((member.person.rec_name, member.get_email(),
                    member.role not in NON_VOTING_ROLES, member,
                    member.person))
            if deputies and member.deputy:
                addressees.append((member.deputy.rec_name,
                        member.deputy.email, False, member, member.deputy))
        for guest in self.guests:
            addressees.append((guest.rec_name, guest.email, False, None,
                    guest))
        return addressees

    def invitation_recipients(self, deputies=True):
        "Return [(name, email or None, required)] of the addressees"
        return [a[:3] for a in self.invitation_addressees(deputies=deputies)]

    def organizer(self):
        committee = self.committee
        name = (committee.secretariat.rec_name if committee.secretariat
            else committee.name)
        return name, committee.email or from_address()

    def ics_uid(self):
        return 'kim-meeting-%s-%s@%s' % (
            Transaction().database.name, self.id, 'kim-suite')

    def summary(self):
        return self.title and '%s: %s' % (self.committee.name, self.title) \
            or self.committee.name

    def to_ics(self, recipients, method='REQUEST'):
        "Return the iCalendar text of the meeting for the recipients"
        cancelled = method == 'CANCEL'
        description = gettext('kim_steering.msg_ics_agenda',
            agenda=self.agenda_text())
        if self.video_link:
            description += '\n' + gettext('kim_steering.msg_ics_video',
                link=self.video_link)
        event = ics.event(self.ics_uid(), self.start, self.end,
            self.summary(), description=description,
            location=self.place or self.video_link,
            url=self.video_link,
            organizer=self.organizer(),
            attendees=[r for r in recipients if r[1]],
            sequence=self.invitation_count or 0,
            status='CANCELLED' if cancelled else 'CONFIRMED')
        return ics.calendar([event], method=method)

    def invitation_messages(self, recipients, method='REQUEST'):
        """Return [(to address, EmailMessage)] for each recipient with
        e-mail: an iMIP message (RFC 6047), multipart/alternative with the
        text and the iCalendar object (text/calendar; method=...), so that
        mail programs show a meeting request. A member or deputy (a
        recipient with its member) gets a link to answer the invitation, a
        guest one to attend or decline (guest_reply_link)."""
        pool = Pool()
        Attendance = pool.get('kim.committee.attendance')
        calendar = self.to_ics([r[:3] for r in recipients], method=method)
        start, end = local(self.start), local(self.end)
        values = {
            'committee': self.committee.name,
            'date': start.strftime('%d.%m.%Y'),
            'start': start.strftime('%H:%M'),
            'end': end.strftime('%H:%M'),
            'place': self.place or '-',
            'video': self.video_link or '-',
            'agenda': self.agenda_text(),
            }
        if method == 'CANCEL':
            subject = gettext('kim_steering.msg_cancel_subject', **values)
            body = gettext('kim_steering.msg_cancel_body', **values)
        else:
            subject = gettext('kim_steering.msg_invitation_subject', **values)
            body = gettext('kim_steering.msg_invitation_body', **values)
        attendances = {a.member.id: a for a in Attendance.search([
                    ('meeting', '=', self.id),
                    ])} if self.id is not None and self.id >= 0 else {}
        organizer_name, organizer_email = self.organizer()
        messages = []
        for recipient in recipients:
            name, email = recipient[:2]
            if not email:
                continue
            member = recipient[3] if len(recipient) > 3 else None
            party = recipient[4] if len(recipient) > 4 else None
            text = body
            if member and party and party != member.person:
                text = gettext('kim_steering.msg_invitation_deputy',
                    member=member.person.rec_name) + '\n\n' + text
            attendance = attendances.get(member.id) if member else None
            if method == 'REQUEST' and attendance:
                text += '\n\n' + gettext(
                    'kim_steering.msg_invitation_reply_link',
                    url=self.reply_link(attendance, party, email))
            elif method == 'REQUEST' and party and not member:
                # a guest without account answers from a link too
                url = self.guest_reply_link(party, email)
                if url:
                    text += '\n\n' + gettext(
                        'kim_steering.msg_invitation_guest_reply_link',
                        url=url)
            msg = EmailMessage()
            msg['Subject'] = subject
            msg['From'] = formataddr((organizer_name, organizer_email))
            msg['To'] = formataddr((name, email))
            msg['Content-Class'] = 'urn:content-classes:calendarmessage'
            msg.set_content(text)
            # as bytes (base64) so that the CRLF line ends of RFC 5545
            # reach the mail program unchanged
            msg.add_alternative(calendar.encode('utf-8'), maintype='text',
                subtype='calendar',
                params={'method': method, 'charset': 'utf-8'})
            messages.append((email, msg))
        return messages

    def reply_link(self, attendance, party, email):
        """Return the URL of a new link for the invitee to answer the
        invitation; it expires at the end of the meeting"""
        pool = Pool()
        Link = pool.get('kim.partner.link')
        days = max(1, (self.end - dt.datetime.now()).days + 1)
        _, token = Link.issue('meeting', attendance, party=party,
            email=email, days=days)
        return Link.url(token)

    def send_invitation(self, method='REQUEST'):
        recipients = self.invitation_addressees()
        _, sender = self.organizer()
        messages = self.invitation_messages(recipients, method=method)
        for to_addr, msg in messages:
            sendmail_transactional(sender, [to_addr], msg)
        return messages

    @classmethod
    def check_invitation_addresses(cls, meetings):
        pool = Pool()
        Warning = pool.get('res.user.warning')
        for meeting in meetings:
            missing = [n for n, e, _ in meeting.invitation_recipients(
                    deputies=False) if not e]
            if missing:
                key = Warning.format('kim_invitation_no_email', [meeting])
                if Warning.check(key):
                    raise MeetingWarning(key, gettext(
                            'kim_steering.msg_invitation_no_email',
                            meeting=meeting.rec_name,
                            names=', '.join(missing)))

    @classmethod
    @ModelView.button
    @Workflow.transition('invited')
    def invite(cls, meetings):
        cls._fill_agenda(meetings)
        meetings = cls.browse(meetings)
        for meeting in meetings:
            if not meeting.agenda_items:
                raise MeetingError(gettext(
                        'kim_steering.msg_meeting_no_agenda',
                        meeting=meeting.rec_name))
        cls.check_invitation_addresses(meetings)
        cls._create_attendances(meetings)
        now = dt.datetime.now()
        for meeting in meetings:
            meeting.invitation_count = (meeting.invitation_count or 0) + 1
            meeting.invitation_date = now
        cls.save(meetings)
        for meeting in meetings:
            meeting.send_invitation()

    @classmethod
    @ModelView.button
    @Workflow.transition('held')
    def hold(cls, meetings):
        cls._create_attendances(meetings)

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, meetings):
        pool = Pool()
        Date = pool.get('ir.date')
        for meeting in meetings:
            missing = [a.member.person.rec_name for a in meeting.attendances
                if not a.status]
            if missing:
                raise MeetingError(gettext(
                        'kim_steering.msg_meeting_attendance_missing',
                        meeting=meeting.rec_name, names=', '.join(missing)))
        cls.write(meetings, {'approval_date': Date.today()})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, meetings):
        invited = [m for m in meetings if m.state == 'invited']
        for meeting in invited:
            meeting.invitation_count = (meeting.invitation_count or 0) + 1
        cls.save(invited)
        for meeting in invited:
            meeting.send_invitation(method='CANCEL')

    @classmethod
    @ModelView.button
    @Workflow.transition('planned')
    def replan(cls, meetings):
        pass

    @classmethod
    @ModelView.button
    def send_minutes(cls, meetings):
        """Send the approved minutes as PDF to the members and guests
        (and so the decisions to all actors, per Protokoll)"""
        pool = Pool()
        Minutes = pool.get('kim.committee.meeting.minutes', type='report')
        for meeting in meetings:
            if meeting.state != 'approved':
                raise MeetingError(gettext(
                        'kim_steering.msg_minutes_not_approved',
                        meeting=meeting.rec_name))
        for meeting in meetings:
            _, content, _, name = Minutes.execute([meeting.id], {})
            organizer_name, sender = meeting.organizer()
            values = {
                'committee': meeting.committee.name,
                'date': local(meeting.start).strftime('%d.%m.%Y'),
                }
            for name_, email, _ in meeting.invitation_recipients():
                if not email:
                    continue
                msg = EmailMessage()
                msg['Subject'] = gettext(
                    'kim_steering.msg_minutes_subject', **values)
                msg['From'] = formataddr((organizer_name, sender))
                msg['To'] = formataddr((name_, email))
                msg.set_content(gettext(
                        'kim_steering.msg_minutes_body', **values))
                msg.add_attachment(bytes(content), maintype='application',
                    subtype='pdf', filename='%s.pdf' % name)
                sendmail_transactional(sender, [email], msg)
            meeting.send_decisions()
        cls.write(meetings, {'minutes_sent_date': dt.datetime.now()})

    def decision_addressees(self):
        """Return [(name, email)] of those who receive the decisions but not
        the minutes: the members and deputies of the committees the
        committee names (and those a decision is addressed to) and the
        further actors it names"""
        date = local(self.start).date()
        committees = list(self.committee.decision_committees)
        committees += [d.addressed_to for d in self.decisions
            if d.addressed_to and d.addressed_to not in committees]
        seen = {e.lower() for _, e, _ in self.invitation_recipients() if e}
        result = []

        def add(name, email):
            if email and email.lower() not in seen:
                seen.add(email.lower())
                result.append((name, email))
        for committee in committees:
            if committee == self.committee:
                continue
            for member in committee.current_members(date):
                add(member.person.rec_name, member.get_email())
                if member.deputy:
                    add(member.deputy.rec_name, member.deputy.email)
        for party in self.committee.decision_parties:
            add(party.rec_name, party.email)
        return result

    def decisions_text(self):
        pool = Pool()
        Decision = pool.get('kim.committee.decision')
        types = dict(Decision.fields_get(['type'])['type']['selection'])
        outcomes = dict(
            Decision.fields_get(['outcome'])['outcome']['selection'])
        return '\n\n'.join('%s (%s, %s)\n%s' % (d.number or '',
                types.get(d.type, d.type), outcomes.get(d.outcome, d.outcome),
                d.text) for d in self.decisions)

    def send_decisions(self):
        """Send the decisions of the meeting to the working groups and
        actors the committee names (per Protokoll, seed 003)"""
        if not self.decisions:
            return []
        organizer_name, sender = self.organizer()
        values = {
            'committee': self.committee.name,
            'date': local(self.start).strftime('%d.%m.%Y'),
            'decisions': self.decisions_text(),
            }
        messages = []
        for name, email in self.decision_addressees():
            msg = EmailMessage()
            msg['Subject'] = gettext(
                'kim_steering.msg_decisions_subject', **values)
            msg['From'] = formataddr((organizer_name, sender))
            msg['To'] = formataddr((name, email))
            msg.set_content(gettext(
                    'kim_steering.msg_decisions_body', **values))
            sendmail_transactional(sender, [email], msg)
            messages.append((email, msg))
        return messages

    @classmethod
    def next_meeting(cls, committee, after=None):
        """The next planned or invited meeting of the committee after a time
        (default now; in a replayed history, see kim_network's ir.date,
        the start of its day)"""
        if after is None:
            after = dt.datetime.now()
            if Transaction().context.get(HISTORY_DATE):
                day = Pool().get('ir.date').today()
                if day < after.date():
                    after = dt.datetime.combine(day, dt.time.min)
        meetings = cls.search([
                ('committee', '=', getattr(committee, 'id', committee)),
                ('state', 'in', ['planned', 'invited']),
                ('start', '>=', after),
                ], order=[('start', 'ASC'), ('id', 'ASC')], limit=1)
        return meetings[0] if meetings else None


MeetingGuest = relation('MeetingGuest', 'kim.committee.meeting-party.party',
    "Meeting - Guest", 'meeting', 'kim.committee.meeting',
    'party', 'party.party')
# the party of the relation is the guest (also the source of its label)
MeetingGuest.party.string = "Guest"


class _MeetingLockMixin:
    "Lines of a meeting that freeze when the minutes are approved"
    __slots__ = ()

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        for record in records:
            if record.meeting.state in {'approved', 'cancelled'}:
                raise MeetingError(gettext(
                        'kim_steering.msg_meeting_locked',
                        meeting=record.meeting.rec_name))


class AgendaItem(
        _MeetingLockMixin, sequence_ordered(), ModelSQL, ModelView):
    __string__ = "Agenda Item (TOP)"
    __name__ = 'kim.committee.agenda_item'
    meeting = fields.Many2One('kim.committee.meeting', "Meeting",
        required=True, ondelete='CASCADE')
    meeting_state = fields.Function(fields.Selection(
            'get_meeting_states', "Meeting State"),
        'on_change_with_meeting_state')
    number = fields.Function(fields.Integer("No."), 'get_number')
    title = fields.Char("Title", required=True, states={'readonly': _LOCKED})
    description = fields.Text("Description", states={'readonly': _LOCKED})
    kind = fields.Selection(AGENDA_KINDS, "Kind", required=True,
        states={'readonly': _LOCKED})
    presenter = fields.Char("Presented By", states={'readonly': _LOCKED})
    standing_item = fields.Many2One('kim.committee.standing_item',
        "Standing Item", ondelete='SET NULL', readonly=True)
    task = fields.Many2One('kim.committee.task', "Task",
        ondelete='CASCADE', readonly=True)
    task_state = fields.Function(fields.Selection(
            'get_task_states', "Task State"), 'on_change_with_task_state')
    topic = fields.Many2One('kim.topic', "Topic", ondelete='SET NULL',
        states={'readonly': _LOCKED})
    minutes = fields.Text("Minutes", states={'readonly': _LOCKED})
    decisions = fields.One2Many('kim.committee.decision', 'agenda_item',
        "Decisions", states={'readonly': _LOCKED})

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('meeting')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.meeting, Index.Equality())),
                Index(t, (t.task, Index.Equality())),
                Index(t, (t.topic, Index.Equality())),
                })
        cls._buttons.update({
                'task_done': {
                    'invisible': (~Eval('task_state').in_(OPEN_TASK_STATES)
                        | _LOCKED),
                    'icon': 'tryton-ok',
                    'depends': ['task_state', 'meeting_state'],
                    },
                })

    @classmethod
    def default_kind(cls):
        return 'item'

    @classmethod
    def get_meeting_states(cls):
        pool = Pool()
        Meeting = pool.get('kim.committee.meeting')
        return Meeting.fields_get(['state'])['state']['selection']

    @fields.depends('meeting', '_parent_meeting.state')
    def on_change_with_meeting_state(self, name=None):
        if self.meeting:
            return self.meeting.state

    @classmethod
    def get_task_states(cls):
        pool = Pool()
        Task = pool.get('kim.committee.task')
        return [(None, '')] + Task.fields_get(['state'])['state']['selection']

    @fields.depends('task', '_parent_task.state')
    def on_change_with_task_state(self, name=None):
        if self.task:
            return self.task.state

    @classmethod
    def get_number(cls, items, name):
        result = {}
        for meeting in {i.meeting for i in items}:
            for number, item in enumerate(meeting.agenda_items, 1):
                result[item.id] = number
        return {i.id: result.get(i.id) for i in items}

    def get_rec_name(self, name):
        return '%s, TOP %s: %s' % (
            self.meeting.rec_name, self.number or '', self.title)

    @classmethod
    def search_rec_name(cls, name, clause):
        return ['OR',
            ('title',) + tuple(clause[1:]),
            ('meeting.rec_name',) + tuple(clause[1:]),
            ]

    @classmethod
    @ModelView.button
    def task_done(cls, items):
        "Record that the task of the follow-up item is done at this meeting"
        pool = Pool()
        Task = pool.get('kim.committee.task')
        for item in items:
            if item.task and item.task.state in OPEN_TASK_STATES:
                Task.write([item.task], {'done_meeting': item.meeting.id})
                Task.do([item.task])


class Attendance(_MeetingLockMixin, ModelSQL, ModelView):
    __string__ = "Attendance"
    __name__ = 'kim.committee.attendance'
    meeting = fields.Many2One('kim.committee.meeting', "Meeting",
        required=True, ondelete='CASCADE')
    committee = fields.Function(fields.Many2One('kim.committee', "Committee"),
        'on_change_with_committee')
    member = fields.Many2One('kim.committee.member', "Member", required=True,
        ondelete='CASCADE',
        domain=[('committee', '=', Eval('committee', -1))])
    role = fields.Function(fields.Selection(MEMBER_ROLES, "Role"),
        'on_change_with_role')
    status = fields.Selection(ATTENDANCE_STATUSES, "Status", sort=False)
    deputy_person = fields.Many2One('party.party', "Deputy Present",
        ondelete='RESTRICT',
        states={
            'invisible': Eval('status') != 'deputy',
            })
    note = fields.Char("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('meeting')
        t = cls.__table__()
        cls._sql_constraints += [
            ('meeting_member_unique', Unique(t, t.meeting, t.member),
                'kim_steering.msg_attendance_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.member, Index.Equality())))

    @fields.depends('meeting', '_parent_meeting.committee')
    def on_change_with_committee(self, name=None):
        if self.meeting and self.meeting.committee:
            return self.meeting.committee.id

    @fields.depends('member')
    def on_change_with_role(self, name=None):
        if self.member:
            return self.member.role

    @fields.depends('status', 'member', 'deputy_person')
    def on_change_status(self):
        if self.status == 'deputy' and self.member and not (
                self.deputy_person):
            self.deputy_person = self.member.deputy

    def get_rec_name(self, name):
        return '%s - %s' % (self.meeting.rec_name, self.member.rec_name)


class MinutesReport(PageStyleMixin, Report):
    __string__ = "Minutes"
    __name__ = 'kim.committee.meeting.minutes'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['local'] = local
        pool = Pool()
        Attendance = pool.get('kim.committee.attendance')
        Member = pool.get('kim.committee.member')
        # the labels in the language of the report, not the English source
        context['statuses'] = dict(
            Attendance.fields_get(['status'])['status']['selection'])
        context['roles'] = dict(
            Member.fields_get(['role'])['role']['selection'])
        Decision = pool.get('kim.committee.decision')
        context['decision_types'] = dict(
            Decision.fields_get(['type'])['type']['selection'])
        context['decision_scopes'] = dict(
            Decision.fields_get(['scope'])['scope']['selection'])
        context['decision_outcomes'] = dict(
            Decision.fields_get(['outcome'])['outcome']['selection'])
        return context
