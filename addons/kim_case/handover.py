# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Übergabe der Fallverantwortung: the case passes to another case manager
of the office, or to an organisation with its own statutory case management
(Jobcenter, Jugendamt, MBE/JMD ...), as a rule in a warm handover with the
client present."""
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.kim_network.common import (
    format_date, rec_name_domain, relation, today)
from trytond.modules.kim_network.workflow import WorkflowGuard
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .case import OPEN_STATES, CaseLinkMixin, check_case_open
from .exceptions import (
    HandoverError, HandoverValidationError, HandoverWarning)
from .gate import check_agreement, check_transfer, names

DRAFT_ONLY = {
    'readonly': Eval('state') != 'draft',
    }
_INTERNAL = Eval('kind') == 'internal'
_EXTERNAL = Eval('kind') == 'external'


class Handover(CaseLinkMixin, WorkflowGuard, Workflow, ModelSQL, ModelView):
    __string__ = "Übergabe der Fallverantwortung"
    __name__ = 'kim.case.handover'
    _history = True
    case = fields.Many2One('kim.case', "Case", required=True,
        ondelete='CASCADE', states=DRAFT_ONLY,
        context={
            'kim_client': True,
            })
    kind = fields.Selection([
            ('internal', "Another Case Manager"),
            ('external', "Statutory Case Management"),
            ], "Handed over to", required=True, states=DRAFT_ONLY,
        help="Another Fallmanager*in of the office, or an organisation with "
        "its own statutory case management.")
    date = fields.Date("Date", required=True, states=DRAFT_ONLY,
        help="The day the case responsibility passes.")
    from_case_manager = fields.Many2One('company.employee',
        "Previous Case Manager", ondelete='RESTRICT', readonly=True)
    to_case_manager = fields.Many2One('company.employee', "New Case Manager",
        ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': ~_INTERNAL,
            'required': _INTERNAL & (Eval('state') == 'done'),
            })
    team = fields.Many2One('kim.case.team', "New Team", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': ~_INTERNAL,
            },
        help="Leave empty to keep the team of the case.")
    organisation = fields.Many2One('party.party', "Organisation",
        ondelete='RESTRICT',
        domain=[
            ('kim_organisation_type', '!=', None),
            ('kim_statutory_case_management', '=', True),
            ],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': ~_EXTERNAL,
            'required': _EXTERNAL & (Eval('state') == 'done'),
            },
        help="The organisation whose case management takes over the case.")
    contact_person = fields.Char("Contact Person",
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': ~_EXTERNAL,
            })
    handlungsfelder = fields.Many2Many(
        'kim.case.handover-kim.handlungsfeld', 'handover', 'handlungsfeld',
        "Handlungsfelder Handed over",
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': ~_EXTERNAL,
            },
        help="The topics whose data pass to the organisation; the client's "
        "consent and the cooperation agreement must cover them.")
    warm = fields.Boolean("Warm Handover", states=DRAFT_ONLY,
        help="Handed over in person in a joint meeting (warme Übergabe).")
    client_present = fields.Boolean("Client Present", states=DRAFT_ONLY)
    participants = fields.Text("Participants", states=DRAFT_ONLY)
    reason = fields.Text("Reason and Agreements", states=DRAFT_ONLY)
    consent = fields.Many2One('kim.consent', "Consent", readonly=True,
        ondelete='RESTRICT',
        states={
            'invisible': ~_EXTERNAL,
            },
        help="The Schweigepflichtentbindung in force at the handover.")
    agreement = fields.Many2One('kim.cooperation_agreement',
        "Cooperation Agreement", readonly=True, ondelete='RESTRICT',
        states={
            'invisible': ~_EXTERNAL,
            },
        help="The cooperation agreement with the organisation in force at "
        "the handover.")
    state = fields.Selection([
            ('draft', "Draft"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.case, Index.Equality())),
                Index(t, (t.organisation, Index.Equality()),
                    (t.date, Index.Range())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._guard(initial='draft',
            protected={'from_case_manager', 'consent', 'agreement'},
            final={'done': set()},
            final_message='kim_case.msg_handover_done_readonly')
        cls._transitions |= {
            ('draft', 'done'),
            ('draft', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'do': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-undo',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_kind(cls):
        return 'internal'

    @classmethod
    def default_date(cls):
        return today()

    @classmethod
    def default_warm(cls):
        return True

    @classmethod
    def default_client_present(cls):
        return True

    @fields.depends('kind', 'to_case_manager', 'team', 'organisation',
        'handlungsfelder')
    def on_change_kind(self):
        if self.kind == 'internal':
            self.organisation = None
            self.handlungsfelder = []
        else:
            self.to_case_manager = None
            self.team = None

    def get_rec_name(self, name):
        target = self.to_case_manager or self.organisation
        return '%s -> %s (%s)' % (
            self.case.rec_name if self.case else '',
            target.rec_name if target else '', format_date(self.date))

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause,
            'case.rec_name', 'organisation.rec_name',
            'to_case_manager.rec_name')

    @classmethod
    def check_modification(cls, mode, handovers, values=None, external=False):
        super().check_modification(
            mode, handovers, values=values, external=external)
        if mode == 'delete':
            for handover in handovers:
                if handover.state == 'done':
                    raise HandoverError(gettext(
                            'kim_case.msg_handover_done_readonly',
                            record=handover.rec_name))
        check_case_open({h.case for h in handovers})

    @classmethod
    def copy(cls, handovers, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('date', today())
        return super().copy(handovers, default=default)

    # --- checks ------------------------------------------------------------

    def check_ready(self):
        "Raise a UserError unless the handover can be done"
        if self.case.state not in OPEN_STATES:
            raise HandoverError(gettext(
                    'kim_case.msg_handover_case_not_open',
                    handover=self.rec_name, case=self.case.rec_name))
        if self.date > today():
            raise HandoverValidationError(gettext(
                    'kim_case.msg_handover_date_future',
                    handover=self.rec_name, date=self.date))
        if self.kind == 'internal':
            if not self.to_case_manager:
                raise HandoverValidationError(gettext(
                        'kim_case.msg_handover_no_case_manager',
                        handover=self.rec_name))
            if self.to_case_manager == self.case.case_manager:
                raise HandoverValidationError(gettext(
                        'kim_case.msg_handover_same_case_manager',
                        handover=self.rec_name,
                        employee=self.to_case_manager.rec_name))
        else:
            if not self.organisation:
                raise HandoverValidationError(gettext(
                        'kim_case.msg_handover_no_organisation',
                        handover=self.rec_name))
            if not self.organisation.kim_statutory_case_management:
                raise HandoverValidationError(gettext(
                        'kim_case.msg_handover_not_statutory',
                        handover=self.rec_name,
                        organisation=self.organisation.rec_name))
            if not self.handlungsfelder:
                raise HandoverValidationError(gettext(
                        'kim_case.msg_handover_no_handlungsfeld',
                        handover=self.rec_name))

    def check_consent(self):
        """Return the consent that covers the external handover or raise a
        HandoverError naming the Handlungsfelder no consent covers."""
        consent, missing = check_transfer(self.case.client,
            self.organisation, self.handlungsfelder, date=self.date)
        if missing:
            raise HandoverError(gettext(
                    'kim_case.msg_handover_no_consent',
                    handover=self.rec_name,
                    client=self.case.client.rec_name,
                    organisation=self.organisation.rec_name,
                    handlungsfelder=names(missing)))
        return consent

    def check_agreement(self):
        """Warn (skippable) when no cooperation agreement with the
        organisation is in force or it does not allow the Handlungsfelder.
        Return the agreement or None."""
        pool = Pool()
        Warning = pool.get('res.user.warning')
        agreement, refused = check_agreement(self.organisation,
            self.handlungsfelder, date=self.date)
        if agreement and not refused:
            return agreement
        key = Warning.format('kim_handover_agreement', [self])
        if Warning.check(key):
            if not agreement:
                message = gettext('kim_case.msg_handover_no_agreement',
                    handover=self.rec_name,
                    organisation=self.organisation.rec_name)
            else:
                message = gettext(
                    'kim_case.msg_handover_agreement_handlungsfeld',
                    handover=self.rec_name,
                    agreement=agreement.rec_name,
                    organisation=self.organisation.rec_name,
                    handlungsfelder=names(refused))
            raise HandoverWarning(key, message)
        return agreement

    # --- workflow ----------------------------------------------------------

    @classmethod
    @ModelView.button
    def do(cls, handovers):
        """Pass the case responsibility: an internal handover changes the
        case manager, an external one closes the case with the closing
        reason "Übergabe an anderes Fallmanagement"."""
        handovers = [h for h in handovers if h.state == 'draft']
        seen = set()
        for handover in handovers:
            if handover.case in seen:
                raise HandoverError(gettext(
                        'kim_case.msg_handover_twice',
                        case=handover.case.rec_name))
            seen.add(handover.case)
            handover.check_ready()
            if handover.kind == 'external':
                handover.consent = handover.check_consent()
        for handover in handovers:
            if handover.kind == 'external':
                handover.agreement = handover.check_agreement()
            handover.from_case_manager = handover.case.case_manager
        cls.save(handovers)
        cls._done(handovers)
        internal = [h for h in handovers if h.kind == 'internal']
        external = [h for h in handovers if h.kind == 'external']
        if internal:
            # The previous case manager may no longer see the case once it
            # is handed over: the handover is the checked path to change it
            with Transaction().set_context(_check_access=False):
                cls._do_internal(cls.browse(internal))
        if external:
            cls._do_external(external)

    @classmethod
    @Workflow.transition('done')
    def _done(cls, handovers):
        pass

    @classmethod
    def _do_internal(cls, handovers):
        pool = Pool()
        Case = pool.get('kim.case')
        cases = []
        for handover in handovers:
            case = handover.case
            case.case_manager = handover.to_case_manager
            if handover.team:
                case.team = handover.team
            cases.append(case)
        Case.save(cases)
        for handover in handovers:
            Case._log_events([handover.case], 'case_manager_change',
                handover._event_description(), date=handover.date)

    @classmethod
    def _do_external(cls, handovers):
        pool = Pool()
        Case = pool.get('kim.case')
        ModelData = pool.get('ir.model.data')
        reason = ModelData.get_id('kim_case', 'closing_reason_uebergabe')
        for handover in handovers:
            # the close of the case records the handover event itself
            Case._log_events([handover.case], 'note',
                handover._event_description(), date=handover.date)
        cases = Case.browse([h.case.id for h in handovers])
        for case, handover in zip(cases, handovers):
            case.closing_reason = reason
            case.closing_date = handover.date
        Case.save(cases)
        to_close = [c for c in cases if c.state != 'closing']
        if to_close:
            Case.to_close(to_close)
        Case.close(Case.browse([c.id for c in cases]))

    def _event_description(self):
        if self.kind == 'internal':
            description = gettext('kim_case.msg_handover_event_internal',
                old=(self.from_case_manager.rec_name
                    if self.from_case_manager else '-'),
                new=self.to_case_manager.rec_name)
        else:
            description = gettext('kim_case.msg_handover_event_external',
                organisation=self.organisation.rec_name,
                handlungsfelder=names(self.handlungsfelder))
        if self.warm:
            description += '\n' + gettext(
                'kim_case.msg_handover_event_warm'
                if self.client_present
                else 'kim_case.msg_handover_event_warm_without_client')
        return description

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, handovers):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, handovers):
        pass


HandoverHandlungsfeld = relation('HandoverHandlungsfeld',
    'kim.case.handover-kim.handlungsfeld', "Handover - Handlungsfeld",
    'handover', 'kim.case.handover', 'handlungsfeld', 'kim.handlungsfeld')


class Case(metaclass=PoolMeta):
    __name__ = 'kim.case'
    handovers = fields.One2Many('kim.case.handover', 'case', "Handovers",
        states={
            'readonly': Eval('state') == 'closed',
            })
