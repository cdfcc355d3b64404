# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""The partner link of a referral: the receiving organisation answers a sent
referral (accept, reject with a reason, complete with feedback) from a page
served by the Tryton server, without an account.

The e-mail to the organisation carries only the link, never data of the
client; the page shows the client's name and the referral text only while a
consent in force covers the transfer to the organisation for the
Handlungsfeld of the referral, never notes or data of other Handlungsfelder.
The answer moves the referral through its workflow transitions and the case
manager is notified (an event on the case, a notification in Tryton and an
e-mail without client data)."""
from email.message import EmailMessage
from email.utils import formataddr, parseaddr

from trytond.config import config
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.kim_network.common import today
from trytond.modules.kim_network.partner_link import (
    PartnerInputError, definition_list, escape, form_text, textarea)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.sendmail import sendmail_transactional

FINAL_STATES = {'rejected', 'completed', 'cancelled'}


def from_address():
    value = config.get('email', 'from', default='kim@localhost')
    return parseaddr(value)[1] or value


def _date(value):
    return value.strftime('%d.%m.%Y') if value else ''


class PartnerLink(metaclass=PoolMeta):
    __name__ = 'kim.partner.link'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.purpose.selection.append(('referral', "Referral"))

    @classmethod
    def _resource_models(cls):
        return super()._resource_models() + ['kim.case.referral']

    def _page_referral(self, error=None, form=None):
        referral = self.resource
        form = form or {}
        items = [
            (gettext('kim_case.msg_link_referral_organisation'),
                referral.organisation.rec_name),
            (gettext('kim_case.msg_link_referral_service'),
                referral.service.name if referral.service else None),
            (gettext('kim_case.msg_link_referral_handlungsfeld'),
                referral.handlungsfeld.rec_name),
            (gettext('kim_case.msg_link_referral_purpose'), referral.purpose),
            (gettext('kim_case.msg_link_referral_measure'),
                referral.measure.name if referral.measure else None),
            (gettext('kim_case.msg_link_referral_sent'),
                _date(referral.sent_date)),
            ]
        covered = referral.find_consent(date=today())
        if covered:
            items.insert(0, (gettext('kim_case.msg_link_referral_client'),
                    referral.case.client.name))
            items.append((gettext('kim_case.msg_link_referral_text'),
                    referral.description))
        if referral.case_manager:
            items.append((gettext('kim_case.msg_link_referral_case_manager'),
                    referral.case_manager.party.name))
        items.append((gettext('kim_case.msg_link_referral_state'),
                referral.state_string))
        parts = ['<h1>%s</h1>' % escape(
                gettext('kim_case.msg_link_referral_title'))]
        if error:
            parts.append('<p class="error" role="alert">%s</p>'
                % escape(error))
        if not covered:
            parts.append('<p class="note">%s</p>' % escape(
                    gettext('kim_case.msg_link_referral_no_consent')))
        parts.append(definition_list(items))
        if referral.state == 'sent':
            parts.append(self.form(
                    textarea('reason', gettext(
                            'kim_case.msg_link_referral_reason_label'),
                        form.get('reason', ''))
                    + textarea('comment', gettext(
                            'kim_case.msg_link_referral_comment_label'),
                        form.get('comment', '')),
                    [('accept', gettext('kim_case.msg_link_referral_accept')),
                        ('reject',
                            gettext('kim_case.msg_link_referral_reject'))]))
        elif referral.state == 'accepted':
            parts.append(self.form(
                    textarea('feedback', gettext(
                            'kim_case.msg_link_referral_feedback_label'),
                        form.get('feedback', ''), required=True),
                    [('complete', gettext(
                                'kim_case.msg_link_referral_complete'))]))
        return ''.join(parts)

    def _submit_referral(self, action, form):
        pool = Pool()
        Referral = pool.get('kim.case.referral')
        referral = Referral(self.resource.id)
        if action == 'accept' and referral.state == 'sent':
            comment = form_text(form, 'comment')
            if comment:
                referral.feedback = comment
                referral.save()
            Referral.accept([referral])
        elif action == 'reject' and referral.state == 'sent':
            referral.rejection_reason = form_text(form, 'reason',
                required=True)
            referral.save()
            Referral.reject([referral])
        elif action == 'complete' and referral.state == 'accepted':
            feedback = form_text(form, 'feedback', required=True)
            referral.feedback = '\n'.join(
                filter(None, [referral.feedback, feedback]))
            referral.save()
            Referral.complete([referral])
        else:
            raise PartnerInputError(gettext(
                    'kim_case.msg_link_referral_unavailable'))
        referral = Referral(referral.id)
        Referral.notify_partner_answer([referral], action)
        return '<h1>%s</h1><p>%s</p>' % (
            escape(gettext('kim_network.msg_link_thanks')),
            escape(gettext('kim_case.msg_link_referral_now',
                    state=referral.state_string)))


class Referral(metaclass=PoolMeta):
    __name__ = 'kim.case.referral'
    partner_links = fields.One2Many('kim.partner.link', 'resource',
        "Partner Links", readonly=True,
        states={
            'invisible': Eval('state') == 'draft',
            })

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'send_partner_link': {
                    'invisible': Eval('state') != 'sent',
                    'icon': 'tryton-email',
                    'depends': ['state'],
                    },
                'revoke_partner_links': {
                    'invisible': ~Eval('state').in_(['sent', 'accepted']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def copy(cls, referrals, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('partner_links', None)
        return super().copy(referrals, default=default)

    def partner_email(self):
        "The address the link goes to: the contact person, else the org"
        if self.contact and self.contact.email:
            return self.contact.email
        return self.organisation.email

    @classmethod
    def _prepare_send(cls, referrals, override_reason=None):
        super()._prepare_send(referrals, override_reason=override_reason)
        cls._send_partner_links(referrals)

    @classmethod
    @ModelView.button
    def send_partner_link(cls, referrals):
        "Send a new link to the organisation; the earlier ones are revoked"
        cls._send_partner_links([r for r in referrals if r.state == 'sent'])

    @classmethod
    @ModelView.button
    def revoke_partner_links(cls, referrals):
        pool = Pool()
        Link = pool.get('kim.partner.link')
        for referral in referrals:
            Link._revoke(Link.for_resource(referral, 'referral'))

    @classmethod
    def _send_partner_links(cls, referrals):
        pool = Pool()
        Link = pool.get('kim.partner.link')
        for referral in referrals:
            email = referral.partner_email()
            if not email:
                continue
            party = (referral.contact.person if referral.contact
                else referral.organisation)
            link, token = Link.issue('referral', referral, party=party,
                email=email)
            values = {
                'organisation': referral.organisation.rec_name,
                'url': Link.url(token),
                'expiry': _date(link.expiry),
                'sender': (referral.case_manager.party.name
                    if referral.case_manager else ''),
                }
            msg = EmailMessage()
            msg['Subject'] = gettext(
                'kim_case.msg_link_referral_mail_subject', **values)
            msg['From'] = from_address()
            msg['To'] = formataddr((party.name or '', email))
            msg.set_content('\n\n'.join([
                        gettext('kim_case.msg_link_referral_mail_body',
                            **values),
                        gettext('kim_network.msg_link_mail_footer',
                            **values)]))
            sendmail_transactional(from_address(), [email], msg)

    @classmethod
    def on_modification(cls, mode, referrals, field_names=None):
        super().on_modification(mode, referrals, field_names=field_names)
        if mode == 'write' and field_names and 'state' in field_names:
            pool = Pool()
            Link = pool.get('kim.partner.link')
            done = [r for r in referrals if r.state in FINAL_STATES]
            for referral in done:
                Link.consume(Link.for_resource(referral, 'referral'))

    @classmethod
    def notify_partner_answer(cls, referrals, action):
        """Tell the case managers of the referrals that the organisation
        answered from its link: an event on the case, a notification in
        Tryton and an e-mail without client data"""
        pool = Pool()
        Case = pool.get('kim.case')
        User = pool.get('res.user')
        Notification = pool.get('res.notification')
        for referral in referrals:
            values = {
                'organisation': referral.organisation.rec_name,
                'purpose': referral.purpose,
                'state': referral.state_string,
                'reason': referral.rejection_reason or '-',
                'feedback': referral.feedback or '-',
                }
            Case._log_events([referral.case], 'referral', gettext(
                    'kim_case.msg_link_referral_event', **values))
            manager = referral.case_manager or referral.case.case_manager
            if not manager:
                continue
            users = User.search([('employees', '=', manager.id)])
            label = gettext('kim_case.msg_link_referral_notify', **values)
            Notification.create([{
                        'user': u.id,
                        'label': label[:200],
                        'description': referral.purpose[:200],
                        'model': cls.__name__,
                        'records': str([referral.id]),
                        } for u in users])
            email = manager.party.email if manager.party else None
            if email:
                msg = EmailMessage()
                msg['Subject'] = label
                msg['From'] = from_address()
                msg['To'] = email
                msg.set_content(gettext(
                        'kim_case.msg_link_referral_notify_body', **values))
                sendmail_transactional(from_address(), [email], msg)
