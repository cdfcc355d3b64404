# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Referrals (Linking, Leistungssteuerung) of a case to a service or an
organisation of the network directory, gated by the client's
Schweigepflichtentbindung and checked against the cooperation agreements.

A Fachaufsicht may send a referral without consent only with a written
reason; every such override is kept on the referral (with its history) and
listed for the Fachaufsicht."""
import datetime as dt

from sql import Null

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.kim_network.common import today, rec_name_domain
from trytond.modules.kim_network.workflow import WorkflowGuard
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .case import OPEN_STATES, CaseLinkMixin, check_case_open
from .exceptions import (
    ReferralError, ReferralOverrideError, ReferralValidationError,
    ReferralWarning)
from .gate import check_agreement, check_transfer, is_supervisor, names

STATES = [
    ('draft', "Draft"),
    ('sent', "Sent"),
    ('accepted', "Accepted"),
    ('rejected', "Rejected"),
    ('completed', "Completed"),
    ('cancelled', "Cancelled"),
    ]
DRAFT_ONLY = {
    'readonly': Eval('state') != 'draft',
    }


class Referral(CaseLinkMixin, WorkflowGuard, Workflow, ModelSQL, ModelView):
    __string__ = "Referral"
    __name__ = 'kim.case.referral'
    _history = True
    case = fields.Many2One('kim.case', "Case", required=True,
        ondelete='CASCADE', states=DRAFT_ONLY,
        context={
            'kim_client': True,
            })
    measure = fields.Many2One('kim.case.plan.measure', "Hilfeplan Measure",
        ondelete='SET NULL', states=DRAFT_ONLY,
        domain=[('goal.plan.case', '=', Eval('case', -1))],
        help="The measure of the Hilfeplan the referral carries out.")
    service = fields.Many2One('kim.service', "Service", ondelete='RESTRICT',
        states=DRAFT_ONLY,
        domain=[
            If(Bool(Eval('organisation')),
                ('organisation', '=', Eval('organisation', -1)),
                ()),
            ],
        help="The offer from the directory (Angebot) the client is "
        "referred to.")
    organisation = fields.Many2One('party.party', "Organisation",
        required=True, ondelete='RESTRICT', states=DRAFT_ONLY,
        domain=[('kim_organisation_type', '!=', None)],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The organisation of the network that receives the referral "
        "and the client's data.")
    contact = fields.Many2One('kim.organisation.contact', "Contact Person",
        ondelete='SET NULL', states=DRAFT_ONLY,
        domain=[('organisation', '=', Eval('organisation', -1))])
    handlungsfeld = fields.Many2One('kim.handlungsfeld', "Handlungsfeld",
        required=True, ondelete='RESTRICT', states=DRAFT_ONLY,
        help="The topic of the data passed on; the consent and the "
        "cooperation agreement must cover it.")
    purpose = fields.Char("Purpose", required=True, states=DRAFT_ONLY,
        help="What the client is referred for.")
    description = fields.Text("Referral Text", states=DRAFT_ONLY,
        help="The information passed to the organisation.")
    case_manager = fields.Many2One('company.employee', "Case Manager",
        ondelete='RESTRICT', states=DRAFT_ONLY)
    sent_date = fields.Date("Sent on", readonly=True,
        states={
            'required': ~Eval('state').in_(['draft', 'cancelled']),
            },
        help="The day the referral was sent.")
    answer_date = fields.Date("Answered on",
        states={
            'readonly': ~Eval('state').in_(['sent', 'accepted', 'rejected']),
            'invisible': Eval('state').in_(['draft']),
            'required': Eval('state').in_(
                ['accepted', 'rejected', 'completed']),
            },
        help="When the organisation accepted or rejected the referral.")
    completed_date = fields.Date("Completed on",
        states={
            'readonly': ~Eval('state').in_(['accepted', 'completed']),
            'invisible': ~Eval('state').in_(['accepted', 'completed']),
            'required': Eval('state') == 'completed',
            })
    rejection_reason = fields.Text("Rejection Reason",
        states={
            'readonly': Eval('state') != 'sent',
            'invisible': ~Eval('state').in_(['sent', 'rejected']),
            })
    feedback = fields.Text("Feedback",
        states={
            'readonly': Eval('state').in_(['draft', 'cancelled']),
            'invisible': Eval('state') == 'draft',
            },
        help="The Rückmeldung of the organisation on the course of the "
        "referral.")
    answer_days = fields.Function(fields.Integer("Days to Answer",
            help="The days from sending to the answer of the organisation."),
        'get_days')
    feedback_days = fields.Function(fields.Integer("Days to Feedback",
            help="The days from sending to the completion with feedback."),
        'get_days')
    consent = fields.Many2One('kim.consent', "Consent", readonly=True,
        ondelete='RESTRICT',
        help="The Schweigepflichtentbindung in force when the referral was "
        "sent.")
    agreement = fields.Many2One('kim.cooperation_agreement',
        "Cooperation Agreement", readonly=True, ondelete='RESTRICT',
        help="The cooperation agreement with the organisation in force when "
        "the referral was sent.")
    override_by = fields.Many2One('res.user', "Consent Overridden by",
        readonly=True, ondelete='RESTRICT',
        states={
            'invisible': ~Eval('override_by'),
            })
    override_date = fields.DateTime("Consent Overridden at", readonly=True,
        states={
            'invisible': ~Eval('override_by'),
            })
    override_reason = fields.Text("Override Reason", readonly=True,
        states={
            'invisible': ~Eval('override_by'),
            },
        help="Why the Fachaufsicht sent the referral without consent.")
    overridden = fields.Function(fields.Boolean("Sent without Consent"),
        'get_overridden', searcher='search_overridden')
    state = fields.Selection(STATES, "State", readonly=True, required=True,
        sort=False)
    state_string = state.translated('state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.case, Index.Equality())),
                Index(t, (t.organisation, Index.Equality()),
                    (t.sent_date, Index.Range())),
                Index(t, (t.state, Index.Equality()),
                    where=t.state.in_(['draft', 'sent', 'accepted'])),
                Index(t, (t.override_date, Index.Range()),
                    where=t.override_date != Null),
                })
        cls._order = [
            ('sent_date', 'DESC NULLS FIRST'),
            ('id', 'DESC'),
            ]
        # sent, a referral keeps what was passed on and to whom, under which
        # consent and agreement; only the answer and feedback follow
        cls._guard(initial='draft',
            protected={'sent_date', 'consent', 'agreement',
                'override_by', 'override_date', 'override_reason'},
            final={
                'sent': {'answer_date', 'feedback', 'rejection_reason'},
                'accepted': {'answer_date', 'completed_date', 'feedback'},
                'rejected': {'answer_date', 'feedback'},
                'completed': {'completed_date', 'feedback'},
                'cancelled': set(),
                },
            final_message='kim_case.msg_referral_readonly')
        cls._transitions |= {
            ('draft', 'sent'),
            ('sent', 'accepted'),
            ('sent', 'rejected'),
            ('accepted', 'completed'),
            ('draft', 'cancelled'),
            ('sent', 'cancelled'),
            ('accepted', 'cancelled'),
            }
        cls._buttons.update({
                'send': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'send_override': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-warning',
                    'depends': ['state'],
                    },
                'accept': {
                    'invisible': Eval('state') != 'sent',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'reject': {
                    'invisible': Eval('state') != 'sent',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'complete': {
                    'invisible': Eval('state') != 'accepted',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(
                        ['draft', 'sent', 'accepted']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_case_manager(cls):
        return Transaction().context.get('employee')

    @fields.depends('case', 'case_manager', '_parent_case.case_manager')
    def on_change_case(self):
        if self.case and not self.case_manager:
            self.case_manager = self.case.case_manager

    @fields.depends('service', 'organisation', 'handlungsfeld', 'purpose')
    def on_change_service(self):
        if not self.service:
            return
        self.organisation = self.service.organisation
        if not self.handlungsfeld and len(self.service.handlungsfelder) == 1:
            self.handlungsfeld, = self.service.handlungsfelder
        if not self.purpose:
            self.purpose = self.service.name

    @fields.depends('measure', 'service', 'organisation', 'handlungsfeld',
        'purpose')
    def on_change_measure(self):
        measure = self.measure
        if not measure:
            return
        if measure.service:
            self.service = measure.service
        if measure.organisation or measure.service:
            self.organisation = (measure.organisation
                or measure.service.organisation)
        if not self.handlungsfeld and measure.goal:
            self.handlungsfeld = measure.goal.handlungsfeld
        if not self.purpose:
            self.purpose = measure.name

    def get_rec_name(self, name):
        return '%s: %s' % (
            self.organisation.rec_name if self.organisation else '',
            self.purpose or '')

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause,
            'purpose', 'organisation.rec_name', 'case.rec_name')

    @classmethod
    def get_days(cls, referrals, names):
        result = {n: {r.id: None for r in referrals} for n in names}
        for referral in referrals:
            if not referral.sent_date:
                continue
            if 'answer_days' in names and referral.answer_date:
                result['answer_days'][referral.id] = (
                    referral.answer_date - referral.sent_date).days
            if 'feedback_days' in names and referral.completed_date:
                result['feedback_days'][referral.id] = (
                    referral.completed_date - referral.sent_date).days
        return result

    def get_overridden(self, name):
        return bool(self.override_by)

    @classmethod
    def search_overridden(cls, name, clause):
        _, operator, value = clause
        if (operator == '=') == bool(value):
            return [('override_date', '!=', None)]
        return [('override_date', '=', None)]

    @classmethod
    def validate_fields(cls, referrals, field_names):
        super().validate_fields(referrals, field_names)
        if field_names is None or field_names & {
                'sent_date', 'answer_date', 'completed_date'}:
            for referral in referrals:
                referral.check_dates()

    def check_dates(self):
        date = today()
        for name in ['sent_date', 'answer_date', 'completed_date']:
            value = getattr(self, name)
            if value and value > date:
                raise ReferralValidationError(gettext(
                        'kim_case.msg_referral_date_future',
                        referral=self.rec_name, date=value,
                        field=self.__names__(name)['field']))
        previous = self.sent_date
        for name in ['answer_date', 'completed_date']:
            value = getattr(self, name)
            if value and previous and value < previous:
                raise ReferralValidationError(gettext(
                        'kim_case.msg_referral_date_order',
                        referral=self.rec_name, date=value,
                        field=self.__names__(name)['field'],
                        previous=previous))
            previous = value or previous

    @classmethod
    def check_modification(cls, mode, referrals, values=None, external=False):
        super().check_modification(
            mode, referrals, values=values, external=external)
        if mode == 'delete':
            for referral in referrals:
                if referral.state not in {'draft', 'cancelled'} or (
                        referral.sent_date):
                    raise ReferralError(gettext(
                            'kim_case.msg_referral_delete',
                            referral=referral.rec_name))
        check_case_open({r.case for r in referrals})

    @classmethod
    def copy(cls, referrals, default=None):
        default = default.copy() if default is not None else {}
        for name in ['answer_date', 'completed_date', 'rejection_reason',
                'feedback']:
            default.setdefault(name, None)
        return super().copy(referrals, default=default)

    # --- sending -----------------------------------------------------------

    def check_consent(self, date=None):
        """Return the consent in force that covers the referral or raise a
        ReferralError naming what is missing."""
        consent = self.find_consent(date=date)
        if not consent:
            raise ReferralError(gettext(
                    'kim_case.msg_referral_no_consent',
                    referral=self.rec_name,
                    client=self.case.client.rec_name,
                    organisation=self.organisation.rec_name,
                    handlungsfeld=self.handlungsfeld.rec_name))
        return consent

    def find_consent(self, date=None):
        consent, _ = check_transfer(self.case.client, self.organisation,
            [self.handlungsfeld], date=date)
        return consent

    @classmethod
    def check_agreements(cls, referrals, date=None):
        """Warn (skippable) when no cooperation agreement with the
        organisation is in force or it does not allow the Handlungsfeld.
        Return {referral id: agreement or None}."""
        pool = Pool()
        Warning = pool.get('res.user.warning')
        result = {}
        for referral in referrals:
            agreement, refused = check_agreement(referral.organisation,
                [referral.handlungsfeld], date=date)
            result[referral.id] = agreement
            if agreement and not refused:
                continue
            key = Warning.format('kim_referral_agreement', [referral])
            if Warning.check(key):
                if not agreement:
                    message = gettext(
                        'kim_case.msg_referral_no_agreement',
                        referral=referral.rec_name,
                        organisation=referral.organisation.rec_name)
                else:
                    message = gettext(
                        'kim_case.msg_referral_agreement_handlungsfeld',
                        referral=referral.rec_name,
                        agreement=agreement.rec_name,
                        organisation=referral.organisation.rec_name,
                        handlungsfeld=referral.handlungsfeld.rec_name)
                raise ReferralWarning(key, message)
        return result

    @classmethod
    def _prepare_send(cls, referrals, override_reason=None):
        pool = Pool()
        Case = pool.get('kim.case')
        date = today()
        to_override = set()
        for referral in referrals:
            if referral.case.state not in OPEN_STATES:
                raise ReferralError(gettext(
                        'kim_case.msg_referral_case_not_open',
                        referral=referral.rec_name,
                        case=referral.case.rec_name))
            consent = referral.find_consent(date=date)
            if consent:
                referral.consent = consent
            elif override_reason:
                referral.consent = None
                to_override.add(referral)
            else:
                referral.check_consent(date=date)
        agreements = cls.check_agreements(referrals, date=date)
        now = dt.datetime.now()
        for referral in referrals:
            referral.agreement = agreements[referral.id]
            if not referral.sent_date:
                referral.sent_date = date
            if referral in to_override:
                referral.override_by = Transaction().user
                referral.override_date = now
                referral.override_reason = override_reason
        cls.save(referrals)
        for referral in referrals:
            values = {
                'organisation': referral.organisation.rec_name,
                'handlungsfeld': referral.handlungsfeld.rec_name,
                'purpose': referral.purpose,
                }
            if referral in to_override:
                description = gettext(
                    'kim_case.msg_referral_event_override',
                    reason=override_reason, **values)
            else:
                description = gettext(
                    'kim_case.msg_referral_event_sent', **values)
            Case._log_events([referral.case], 'referral', description,
                date=referral.sent_date)

    @classmethod
    @ModelView.button
    @Workflow.transition('sent')
    def send(cls, referrals):
        "Send the referrals; a consent in force must cover each of them"
        cls._prepare_send(referrals)

    @classmethod
    @ModelView.button_action('kim_case.wizard_referral_send_override')
    def send_override(cls, referrals):
        pass

    @classmethod
    def send_with_override(cls, referrals, reason):
        """Send the referrals as the Fachaufsicht; those no consent covers
        are sent with the written reason, which is logged."""
        for referral in referrals:
            if not is_supervisor():
                raise ReferralOverrideError(gettext(
                        'kim_case.msg_referral_override_not_supervisor',
                        referral=referral.rec_name))
            if not reason or not reason.strip():
                raise ReferralValidationError(gettext(
                        'kim_case.msg_referral_override_no_reason',
                        referral=referral.rec_name))
        cls._send_with_override(referrals, reason.strip())

    @classmethod
    @Workflow.transition('sent')
    def _send_with_override(cls, referrals, reason):
        cls._prepare_send(referrals, override_reason=reason)

    @classmethod
    @ModelView.button
    @Workflow.transition('accepted')
    def accept(cls, referrals):
        cls._answer(referrals)
        cls._update_measures(referrals, 'in_progress')

    @classmethod
    @ModelView.button
    @Workflow.transition('rejected')
    def reject(cls, referrals):
        cls._answer(referrals)

    @classmethod
    def _answer(cls, referrals):
        date = today()
        for referral in referrals:
            if not referral.answer_date:
                referral.answer_date = date
        cls.save(referrals)

    @classmethod
    @ModelView.button
    @Workflow.transition('completed')
    def complete(cls, referrals):
        date = today()
        for referral in referrals:
            if not referral.completed_date:
                referral.completed_date = date
        cls.save(referrals)
        cls._update_measures(referrals, 'done')

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, referrals):
        pass

    @classmethod
    def _update_measures(cls, referrals, status):
        """Move the measures of the agreed Hilfeplan the referrals carry out
        to status, with the feedback of the organisation."""
        pool = Pool()
        Measure = pool.get('kim.case.plan.measure')
        order = ['planned', 'in_progress', 'done']
        to_save = []
        for referral in referrals:
            measure = referral.measure
            if (not measure or measure.goal.plan.state != 'agreed'
                    or measure.status not in order
                    or order.index(measure.status) >= order.index(status)):
                continue
            measure.status = status
            if referral.feedback and status == 'done':
                measure.feedback = '\n'.join(filter(None, [
                            measure.feedback, referral.feedback]))
            to_save.append(measure)
        Measure.save(to_save)


class ReferralSendOverrideStart(ModelView):
    __string__ = "Send Referral without Consent"
    __name__ = 'kim.case.referral.send_override.start'
    referrals = fields.Many2Many('kim.case.referral', None, None,
        "Referrals", readonly=True)
    reason = fields.Text("Reason", required=True,
        help="Why the referral must be sent although no consent of the "
        "client covers it, e.g. danger to life or to the welfare of a "
        "child. The reason is logged.")


class ReferralSendOverride(Wizard):
    __string__ = "Send Referral without Consent"
    __name__ = 'kim.case.referral.send_override'
    start = StateView('kim.case.referral.send_override.start',
        'kim_case.referral_send_override_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Send", 'send', 'tryton-ok', default=True),
            ])
    send = StateTransition()

    def default_start(self, fields):
        return {
            'referrals': [r.id for r in self.records if r.state == 'draft'],
            }

    def transition_send(self):
        if not is_supervisor():
            raise ReferralOverrideError(gettext(
                    'kim_case.msg_referral_override_not_supervisor',
                    referral=names(self.records)))
        self.model.send_with_override(
            [r for r in self.records if r.state == 'draft'],
            self.start.reason)
        return 'end'


class PlanMeasure(metaclass=PoolMeta):
    __name__ = 'kim.case.plan.measure'
    referrals = fields.One2Many('kim.case.referral', 'measure', "Referrals",
        readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'refer': {
                    'invisible': ((Eval('responsible') != 'partner')
                        | (Eval('plan_state') == 'superseded')),
                    'readonly': Eval('id', -1) < 0,
                    'icon': 'tryton-forward',
                    'depends': ['responsible', 'plan_state', 'id'],
                    },
                })

    @classmethod
    def copy(cls, measures, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('referrals', None)
        return super().copy(measures, default=default)

    @classmethod
    @ModelView.button_action('kim_case.act_referral_from_measure')
    def refer(cls, measures):
        "Create a draft referral for each measure and open them"
        referrals = cls.create_referrals(measures)
        return {
            'res_id': [r.id for r in referrals],
            'views': [(None, 'form'), (None, 'tree')],
            }

    @classmethod
    def create_referrals(cls, measures):
        pool = Pool()
        Referral = pool.get('kim.case.referral')
        referrals = []
        for measure in measures:
            referral = Referral(case=measure.goal.plan.case, measure=measure)
            referral.on_change_case()
            referral.on_change_measure()
            referrals.append(referral)
        Referral.save(referrals)
        return referrals


class Case(metaclass=PoolMeta):
    __name__ = 'kim.case'
    referrals = fields.One2Many('kim.case.referral', 'case', "Referrals",
        states={
            'readonly': Eval('state') == 'closed',
            })
