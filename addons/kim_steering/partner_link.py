# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Partner links of the steering: a partner organisation reports an
integration barrier (Meldebogen) from its link, pseudonymised; an invitee of
a committee meeting (the member or the deputy) answers the invitation
(attend, decline, send the deputy), which updates the attendance; a guest of
the meeting (without account) attends or declines, which is recorded on the
meeting's guest line."""
import re
from email.message import EmailMessage
from email.utils import formataddr

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.kim_network.common import today
from trytond.modules.kim_network.partner_link import (
    PartnerInputError, definition_list, escape, form_text, select, textarea)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.sendmail import sendmail_transactional

from .topic import BARRIER_KINDS

REPLIES = [
    (None, ""),
    ('attend', "Attends"),
    ('decline', "Declines"),
    ('deputy', "Sends the Deputy"),
    ]
GUEST_REPLIES = [
    (None, ""),
    ('attend', "Attends"),
    ('decline', "Declines"),
    ]
# What a partner's text must not contain: e-mail addresses, telephone
# numbers, dates, numbers of four digits or more (case, file, client numbers)
PERSONAL_PATTERNS = [
    re.compile(r'[\w.+-]+@[\w-]+\.[\w.-]+'),
    re.compile(r'(?<!\w)(?:\+|00)?\d[\d /-]{6,}\d(?!\w)'),
    re.compile(r'(?<!\d)\d{1,2}\.\s?\d{1,2}\.\s?(?:\d{2}|\d{4})(?!\d)'),
    re.compile(r'(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)'),
    re.compile(r'(?<![\d.])\d{4,}(?![\d.])'),
    ]


def contains_personal_data(text):
    "Whether the text seems to hold data that identify a person"
    text = text or ''
    years = re.compile(r'(?<!\d)(?:19|20)\d{2}(?!\d)')
    for pattern in PERSONAL_PATTERNS:
        for match in pattern.finditer(text):
            # a year alone (2026) is no personal data
            if years.fullmatch(match.group(0).strip()):
                continue
            return True
    return False


def _local(value):
    from .meeting import local
    return local(value)


class PartnerLink(metaclass=PoolMeta):
    __name__ = 'kim.partner.link'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.purpose.selection.extend([
                ('barrier_report', "Barrier Report"),
                ('meeting', "Meeting Invitation"),
                ('meeting_guest', "Meeting Invitation (Guest)"),
                ])

    @classmethod
    def _resource_models(cls):
        return super()._resource_models() + [
            'kim.committee.attendance', 'kim.committee.meeting-party.party']

    # --- barrier report ------------------------------------------------------

    def _page_barrier_report(self, error=None, form=None):
        pool = Pool()
        Handlungsfeld = pool.get('kim.handlungsfeld')
        Kommune = pool.get('kim.kommune')
        form = form or {}
        organisation = self.resource
        parts = ['<h1>%s</h1>' % escape(
                gettext('kim_steering.msg_link_barrier_title')),
            '<p>%s</p>' % escape(gettext('kim_steering.msg_link_barrier_intro',
                    organisation=organisation.rec_name))]
        if error:
            parts.append('<p class="error" role="alert">%s</p>'
                % escape(error))
        handlungsfelder = [(h.id, h.rec_name)
            for h in Handlungsfeld.search([])]
        kommunen = [('', '')] + [(k.id, k.rec_name)
            for k in Kommune.search([])]
        fields_html = (
            textarea('description',
                gettext('kim_steering.msg_link_barrier_description'),
                form.get('description', ''), required=True)
            + select('handlungsfeld',
                gettext('kim_steering.msg_link_barrier_handlungsfeld'),
                handlungsfelder, form.get('handlungsfeld'))
            + select('kind', gettext('kim_steering.msg_link_barrier_kind'),
                [(k, v) for k, v in BARRIER_KINDS], form.get('kind'))
            + select('kommune',
                gettext('kim_steering.msg_link_barrier_kommune'),
                kommunen, form.get('kommune'))
            + '<p class="note">%s</p>' % escape(
                gettext('kim_steering.msg_link_barrier_privacy')))
        parts.append(self.form(fields_html, [
                    ('submit',
                        gettext('kim_steering.msg_link_barrier_submit')),
                    ]))
        return ''.join(parts)

    def _submit_barrier_report(self, action, form):
        pool = Pool()
        Report = pool.get('kim.barrier_report')
        Handlungsfeld = pool.get('kim.handlungsfeld')
        Kommune = pool.get('kim.kommune')
        if action != 'submit':
            raise PartnerInputError(gettext(
                    'kim_network.msg_link_input_required'))
        description = form_text(form, 'description', required=True)
        if contains_personal_data(description):
            raise PartnerInputError(gettext(
                    'kim_network.msg_link_input_personal'))
        try:
            handlungsfeld, = Handlungsfeld.search([
                    ('id', '=', int(form.get('handlungsfeld') or 0))])
        except ValueError:
            raise PartnerInputError(gettext(
                    'kim_network.msg_link_input_required'))
        kind = form.get('kind')
        if kind not in dict(BARRIER_KINDS):
            kind = 'other'
        kommune = None
        if form.get('kommune'):
            try:
                kommune, = Kommune.search([
                        ('id', '=', int(form.get('kommune')))])
            except ValueError:
                kommune = None
        report = Report(reporter_kind='partner', reporter=self.resource,
            reporter_user=None, description=description,
            handlungsfeld=handlungsfeld, kind=kind, kommune=kommune,
            date=today())
        report.save()
        Report.submit([report])
        Report.notify_coordination([report])
        return '<h1>%s</h1><p>%s</p>' % (
            escape(gettext('kim_network.msg_link_thanks')),
            escape(gettext('kim_steering.msg_link_barrier_done',
                    number=report.number)))

    # --- meeting invitation --------------------------------------------------

    def _meeting_page(self, meeting, person_items, actions, error, form):
        """The page of an invitation: the meeting, the invitee's lines, the
        answer's buttons and a note"""
        start, end = _local(meeting.start), _local(meeting.end)
        items = [
            (gettext('kim_steering.msg_link_meeting_committee'),
                meeting.committee.name),
            (gettext('kim_steering.msg_link_meeting_title'), meeting.title),
            (gettext('kim_steering.msg_link_meeting_date'),
                '%s, %s - %s' % (start.strftime('%d.%m.%Y'),
                    start.strftime('%H:%M'), end.strftime('%H:%M'))),
            (gettext('kim_steering.msg_link_meeting_place'), meeting.place),
            (gettext('kim_steering.msg_link_meeting_video'),
                meeting.video_link),
            (gettext('kim_steering.msg_link_meeting_agenda'),
                meeting.agenda_text()),
            ] + person_items
        parts = ['<h1>%s</h1>' % escape(
                gettext('kim_steering.msg_link_meeting_heading'))]
        if error:
            parts.append('<p class="error" role="alert">%s</p>'
                % escape(error))
        parts.append(definition_list(items))
        actions = [
            ('attend', gettext('kim_steering.msg_link_meeting_attend')),
            ('decline', gettext('kim_steering.msg_link_meeting_decline')),
            ] + actions
        parts.append(self.form(textarea('note',
                    gettext('kim_steering.msg_link_meeting_note'),
                    (form or {}).get('note', '')), actions))
        return ''.join(parts)

    @staticmethod
    def _meeting_done(reply):
        return '<h1>%s</h1><p>%s</p>' % (
            escape(gettext('kim_network.msg_link_thanks')),
            escape(gettext('kim_steering.msg_link_meeting_done',
                    reply=reply)))

    def _page_meeting(self, error=None, form=None):
        attendance = self.resource
        member = attendance.member
        return self._meeting_page(attendance.meeting, [
                (gettext('kim_steering.msg_link_meeting_member'),
                    member.person.rec_name),
                (gettext('kim_steering.msg_link_meeting_deputy'),
                    member.deputy.rec_name if member.deputy else None),
                (gettext('kim_steering.msg_link_meeting_reply'),
                    attendance.reply_string if attendance.reply else None),
                ], [('deputy',
                    gettext('kim_steering.msg_link_meeting_send_deputy'))]
            if member.deputy else [], error, form)

    def _submit_meeting(self, action, form):
        pool = Pool()
        Attendance = pool.get('kim.committee.attendance')
        attendance = Attendance(self.resource.id)
        if action not in {'attend', 'decline', 'deputy'} or (
                action == 'deputy' and not attendance.member.deputy):
            raise PartnerInputError(gettext(
                    'kim_steering.msg_link_meeting_unavailable'))
        if attendance.meeting.state not in {'planned', 'invited'}:
            raise PartnerInputError(gettext(
                    'kim_steering.msg_link_meeting_unavailable'))
        note = form_text(form, 'note', limit=200)
        Attendance.record_reply([attendance], action, self.party, note)
        return self._meeting_done(Attendance(attendance.id).reply_string)

    # --- meeting invitation of a guest ---------------------------------------

    def _page_meeting_guest(self, error=None, form=None):
        guest = self.resource
        return self._meeting_page(guest.meeting, [
                (gettext('kim_steering.msg_link_meeting_guest'),
                    guest.party.rec_name),
                (gettext('kim_steering.msg_link_meeting_reply'),
                    guest.reply_string if guest.reply else None),
                ], [], error, form)

    def _submit_meeting_guest(self, action, form):
        pool = Pool()
        Guest = pool.get('kim.committee.meeting-party.party')
        guest = Guest(self.resource.id)
        if (action not in {'attend', 'decline'}
                or guest.meeting.state not in {'planned', 'invited'}):
            raise PartnerInputError(gettext(
                    'kim_steering.msg_link_meeting_unavailable'))
        note = form_text(form, 'note', limit=200)
        Guest.record_reply([guest], action, note)
        return self._meeting_done(Guest(guest.id).reply_string)


class MeetingGuest(ModelView, metaclass=PoolMeta):
    "A guest of a meeting, with the answer given from the invitation's link"
    __name__ = 'kim.committee.meeting-party.party'
    reply = fields.Selection(GUEST_REPLIES, "Reply", readonly=True,
        help="The answer to the invitation, given from the link of the "
        "invitation.")
    reply_string = reply.translated('reply')
    reply_date = fields.DateTime("Replied at", readonly=True)
    note = fields.Char("Note", readonly=True)

    @classmethod
    def record_reply(cls, guests, reply, note=None):
        "Record the guest's answer to the invitation (attends or declines)"
        import datetime as dt
        for guest in guests:
            guest.reply = reply
            guest.reply_date = dt.datetime.now()
            guest.note = note[:200] if note else None
        cls.save(guests)


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'send_barrier_link': {
                    'invisible': ~Eval('kim_organisation_type'),
                    'icon': 'tryton-email',
                    'depends': ['kim_organisation_type'],
                    },
                })

    @classmethod
    @ModelView.button
    def send_barrier_link(cls, parties):
        """Send each organisation a link to report integration barriers;
        the earlier links of the organisation are revoked"""
        pool = Pool()
        Link = pool.get('kim.partner.link')
        Configuration = pool.get('kim.configuration')
        from .meeting import from_address
        days = Configuration(1).partner_link_days or 30
        for party in parties:
            if not party.kim_organisation_type or not party.email:
                continue
            link, token = Link.issue('barrier_report', party, party=party,
                email=party.email, days=max(days, 365))
            values = {
                'organisation': party.rec_name,
                'url': Link.url(token),
                'expiry': link.expiry.strftime('%d.%m.%Y'),
                }
            msg = EmailMessage()
            msg['Subject'] = gettext(
                'kim_steering.msg_link_barrier_mail_subject', **values)
            msg['From'] = from_address()
            msg['To'] = formataddr((party.rec_name, party.email))
            msg.set_content('\n\n'.join([
                        gettext('kim_steering.msg_link_barrier_mail_body',
                            **values),
                        gettext('kim_network.msg_link_mail_footer',
                            **values)]))
            sendmail_transactional(from_address(), [party.email], msg)


class BarrierReport(metaclass=PoolMeta):
    __name__ = 'kim.barrier_report'

    @classmethod
    def notify_coordination(cls, reports):
        "A notification in Tryton for the coordination of a partner report"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        Notification = pool.get('res.notification')
        group = ModelData.get_id('kim_network', 'group_kim_coordination')
        users = User.search([('groups', '=', group)])
        to_create = []
        for report in reports:
            label = gettext('kim_steering.msg_link_barrier_notify',
                number=report.number,
                organisation=report.reporter.rec_name
                if report.reporter else '')
            for user in users:
                to_create.append({
                        'user': user.id,
                        'label': label[:200],
                        'model': cls.__name__,
                        'records': str([report.id]),
                        })
        Notification.create(to_create)


class Attendance(metaclass=PoolMeta):
    __name__ = 'kim.committee.attendance'
    reply = fields.Selection(REPLIES, "Reply", readonly=True,
        help="The answer to the invitation, given from the link of the "
        "invitation.")
    reply_string = reply.translated('reply')
    reply_by = fields.Many2One('party.party', "Replied by", readonly=True,
        ondelete='RESTRICT')
    reply_date = fields.DateTime("Replied at", readonly=True)

    @classmethod
    def record_reply(cls, attendances, reply, party=None, note=None):
        """Record the answer to the invitation and set the attendance:
        attends -> present, declines -> excused, the deputy -> deputy"""
        import datetime as dt
        status = {
            'attend': 'present',
            'decline': 'excused',
            'deputy': 'deputy',
            }[reply]
        for attendance in attendances:
            attendance.reply = reply
            attendance.reply_by = party
            attendance.reply_date = dt.datetime.now()
            attendance.status = status
            attendance.deputy_person = (attendance.member.deputy
                if reply == 'deputy' else None)
            if note:
                attendance.note = note[:200]
        cls.save(attendances)


class Meeting(metaclass=PoolMeta):
    __name__ = 'kim.committee.meeting'
    guest_replies = fields.One2Many('kim.committee.meeting-party.party',
        'meeting', "Answers of the Guests", readonly=True,
        help="The guests' answers to the invitation, given from the links "
        "of the invitation.")

    @classmethod
    def on_modification(cls, mode, meetings, field_names=None):
        super().on_modification(mode, meetings, field_names=field_names)
        if mode == 'write' and field_names and 'state' in field_names:
            pool = Pool()
            Link = pool.get('kim.partner.link')
            done = [m for m in meetings
                if m.state in {'held', 'approved', 'cancelled'}]
            links = []
            for meeting in done:
                for attendance in meeting.attendances:
                    links.extend(Link.for_resource(attendance, 'meeting'))
                for guest in meeting.guest_replies:
                    links.extend(Link.for_resource(guest, 'meeting_guest'))
            Link.consume(links)

    def guest_reply_link(self, party, email):
        """Return the URL of a new link for the guest (party) to answer the
        invitation, or None if the party is no guest of the meeting; it
        expires at the end of the meeting"""
        import datetime as dt
        pool = Pool()
        Guest = pool.get('kim.committee.meeting-party.party')
        Link = pool.get('kim.partner.link')
        if self.id is None or self.id < 0:
            return None
        guests = Guest.search([
                ('meeting', '=', self.id),
                ('party', '=', party.id),
                ], limit=1)
        if not guests:
            return None
        days = max(1, (self.end - dt.datetime.now()).days + 1)
        _, token = Link.issue('meeting_guest', guests[0], party=party,
            email=email, days=days)
        return Link.url(token)
