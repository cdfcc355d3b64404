# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from dateutil.relativedelta import relativedelta

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .common import NumberedMixin, PeriodMixin, relation, today
from .exceptions import (
    AgreementError, AgreementValidationError, AgreementWarning)

AGREEMENT_TYPES = [
    ('kommune', "Kommune"),
    ('statutory_cm', "Statutory Case Management"),
    ('advice_centre', "Advice Centre"),
    ('forwarding', "Weiterleitungsvertrag"),
    ('data_protection', "Data-Protection Agreement"),
    ]

_CLOSED = Eval('state').in_(['signed', 'terminated'])


class CooperationAgreement(
        NumberedMixin, PeriodMixin, Workflow, ModelSQL, ModelView):
    __string__ = "Cooperation Agreement"
    __name__ = 'kim.cooperation_agreement'
    _rec_name = 'number'
    _history = True

    number = fields.Char("Number", readonly=True)
    name = fields.Char("Title", required=True,
        states={'readonly': _CLOSED})
    type = fields.Selection(AGREEMENT_TYPES, "Type", required=True,
        states={'readonly': _CLOSED})
    office = fields.Many2One('party.party', "KIM Office", required=True,
        ondelete='RESTRICT', states={'readonly': _CLOSED},
        domain=[('kim_organisation_type', '!=', None)])
    partners = fields.Many2Many('kim.cooperation_agreement-party.party',
        'agreement', 'party', "Partner Organisations",
        states={'readonly': _CLOSED},
        domain=[
            ('kim_organisation_type', '!=', None),
            ('id', '!=', Eval('office', -1)),
            ],
        help="The organisations that signed the agreement with the office.")
    state = fields.Selection([
            ('draft', "Draft"),
            ('negotiation', "In Negotiation"),
            ('signed', "Signed"),
            ('terminated', "Terminated"),
            ], "State", readonly=True, required=True, sort=False)
    signed_date = fields.Date("Signed On",
        states={
            'readonly': _CLOSED,
            'required': Eval('state').in_(['signed', 'terminated']),
            })
    terminated_date = fields.Date("Terminated On",
        states={
            'readonly': Eval('state') != 'signed',
            'invisible': ~Eval('state').in_(['signed', 'terminated']),
            })
    evaluation_interval = fields.Integer("Evaluation Interval (Months)",
        help="How often the cooperation is evaluated with the partners.")
    last_evaluation = fields.Date("Last Evaluation",
        states={'readonly': Eval('state') != 'signed'})
    next_evaluation = fields.Date("Next Evaluation",
        states={'readonly': Eval('state') == 'terminated'})
    evaluation_due = fields.Boolean("Evaluation Due", readonly=True,
        help="Set by the scheduled job when the next evaluation date "
        "has passed.")

    tasks = fields.Text("Tasks and Demarcation",
        states={'readonly': _CLOSED})
    referral_rules = fields.Text("Case Referral Rules (Zusteuerung)",
        states={'readonly': _CLOSED})
    data_protection_rules = fields.Text("Data-Protection Rules",
        states={'readonly': _CLOSED})
    shared_handlungsfelder = fields.Many2Many(
        'kim.cooperation_agreement-kim.handlungsfeld', 'agreement',
        'handlungsfeld', "Shareable Data Categories",
        states={'readonly': _CLOSED},
        help="The Handlungsfelder whose data may be shared with the partners "
        "(given the client's consent).")
    communication = fields.Text("Communication and Documentation Paths",
        states={'readonly': _CLOSED})
    notes = fields.Text("Notes")

    predecessor = fields.Many2One('kim.cooperation_agreement', "Predecessor",
        ondelete='SET NULL', readonly=True,
        help="The agreement this one renews (set by the renewal).")
    successors = fields.One2Many('kim.cooperation_agreement', 'predecessor',
        "Successors", readonly=True)
    in_force = fields.Function(fields.Boolean("In Force"),
        'get_in_force', searcher='search_in_force')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('signed_date', 'DESC NULLS FIRST'), ('id', 'DESC')]
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.state, Index.Equality()),
                    where=t.state.in_(['draft', 'negotiation', 'signed'])),
                Index(t, (t.next_evaluation, Index.Range()),
                    where=t.state == 'signed'),
                })
        cls._guard(initial='draft',
            protected={'evaluation_due', 'predecessor'},
            final={
                'signed': {'terminated_date', 'valid_to', 'last_evaluation',
                    'next_evaluation', 'evaluation_interval', 'notes'},
                'terminated': {'notes'},
                })
        cls._transitions |= {
            ('draft', 'negotiation'),
            ('negotiation', 'draft'),
            ('draft', 'signed'),
            ('negotiation', 'signed'),
            ('signed', 'terminated'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'negotiation',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'negotiate': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'sign': {
                    'invisible': ~Eval('state').in_(['draft', 'negotiation']),
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'terminate': {
                    'invisible': Eval('state') != 'signed',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'evaluate': {
                    'invisible': Eval('state') != 'signed',
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                'renew': {
                    'invisible': ~Eval('state').in_(['signed', 'terminated']),
                    'icon': 'tryton-copy',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_type():
        return 'advice_centre'

    @staticmethod
    def default_evaluation_interval():
        return 12

    @staticmethod
    def default_office():
        config = Pool().get('kim.configuration')(1)
        return config.kim_office.id if config.kim_office else None

    def get_rec_name(self, name):
        if self.number:
            return '%s - %s' % (self.number, self.name)
        return self.name

    @classmethod
    def search_rec_name(cls, name, clause):
        return ['OR',
            ('number',) + tuple(clause[1:]),
            ('name',) + tuple(clause[1:]),
            ]

    def get_in_force(self, name):
        date = Transaction().context.get('date') or today()
        return self.is_in_force(date)

    @classmethod
    def search_in_force(cls, name, clause):
        date = Transaction().context.get('date') or today()
        _, operator, value = clause
        if (operator == '=') == bool(value):
            return cls.in_force_domain(date)
        return ['OR',
            ('state', '!=', 'signed'),
            ('valid_from', '>', date),
            ('valid_to', '<', date),
            ]

    def is_in_force(self, date):
        "Whether the agreement is signed and valid on date"
        return self.state == 'signed' and self.valid_on(date)

    @classmethod
    def in_force_domain(cls, date):
        return [('state', '=', 'signed')] + cls.valid_on_domain(date)

    @classmethod
    def get_in_force_with(cls, organisation, date=None):
        "Return the agreements with the organisation in force on date"
        if date is None:
            date = today()
        return cls.search(cls.in_force_domain(date) + [
                ('partners', '=', getattr(organisation, 'id', organisation)),
                ], order=[('valid_from', 'DESC NULLS LAST'), ('id', 'DESC')])

    @classmethod
    def allows_sharing(cls, organisation, handlungsfeld, date=None):
        """Answer which agreement with the organisation is in force on date
        and whether it allows sharing data of the Handlungsfeld.
        Return a pair (agreement or None, allowed)."""
        agreements = cls.get_in_force_with(organisation, date=date)
        handlungsfeld_id = getattr(handlungsfeld, 'id', handlungsfeld)
        for agreement in agreements:
            if handlungsfeld_id in {
                    h.id for h in agreement.shared_handlungsfelder}:
                return agreement, True
        return (agreements[0] if agreements else None), False

    @classmethod
    def validate_fields(cls, agreements, field_names):
        super().validate_fields(agreements, field_names)
        for agreement in agreements:
            agreement.check_partners()
            agreement.check_dates(field_names)

    def check_partners(self):
        if not self.partners:
            raise AgreementValidationError(gettext(
                    'kim_network.msg_agreement_no_partner',
                    agreement=self.rec_name))
        if self.office in self.partners:
            raise AgreementValidationError(gettext(
                    'kim_network.msg_agreement_office_partner',
                    agreement=self.rec_name))

    def check_dates(self, field_names=None):
        if self.signed_date and self.signed_date > today():
            raise AgreementValidationError(gettext(
                    'kim_network.msg_agreement_signed_future',
                    agreement=self.rec_name, date=self.signed_date))
        if (self.terminated_date and self.signed_date
                and self.terminated_date < self.signed_date):
            raise AgreementValidationError(gettext(
                    'kim_network.msg_agreement_terminated_before_signed',
                    agreement=self.rec_name))
        if (self.evaluation_interval is not None
                and self.evaluation_interval <= 0):
            raise AgreementValidationError(gettext(
                    'kim_network.msg_agreement_interval',
                    agreement=self.rec_name))

    @classmethod
    def _number_sequence(cls, config):
        return config.agreement_sequence

    @classmethod
    def copy(cls, agreements, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('signed_date', None)
        default.setdefault('terminated_date', None)
        default.setdefault('last_evaluation', None)
        default.setdefault('next_evaluation', None)
        return super().copy(agreements, default=default)

    @classmethod
    def check_modification(cls, mode, agreements, values=None,
            external=False):
        super().check_modification(
            mode, agreements, values=values, external=external)
        if mode == 'delete':
            for agreement in agreements:
                if agreement.state != 'draft':
                    raise AgreementError(gettext(
                            'kim_network.msg_agreement_delete_draft',
                            agreement=agreement.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, agreements):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('negotiation')
    def negotiate(cls, agreements):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('signed')
    def sign(cls, agreements):
        pool = Pool()
        Warning = pool.get('res.user.warning')
        date = today()
        for agreement in agreements:
            if not agreement.shared_handlungsfelder:
                key = Warning.format('no_shared_handlungsfelder', [agreement])
                if Warning.check(key):
                    raise AgreementWarning(key, gettext(
                            'kim_network.msg_agreement_no_handlungsfeld',
                            agreement=agreement.rec_name))
        to_save = []
        for agreement in agreements:
            if not agreement.signed_date:
                agreement.signed_date = date
            if not agreement.valid_from:
                agreement.valid_from = agreement.signed_date
            if (not agreement.next_evaluation
                    and agreement.evaluation_interval):
                agreement.next_evaluation = agreement.valid_from + (
                    relativedelta(months=agreement.evaluation_interval))
            to_save.append(agreement)
        cls.save(to_save)

    @classmethod
    @ModelView.button
    @Workflow.transition('terminated')
    def terminate(cls, agreements):
        date = today()
        for agreement in agreements:
            if not agreement.terminated_date:
                agreement.terminated_date = date
            if not agreement.valid_to or agreement.valid_to > (
                    agreement.terminated_date):
                agreement.valid_to = agreement.terminated_date
            agreement.evaluation_due = False
        cls.save(agreements)

    @classmethod
    @ModelView.button
    def evaluate(cls, agreements):
        "Record that the cooperation was evaluated today"
        date = today()
        for agreement in agreements:
            agreement.last_evaluation = date
            agreement.evaluation_due = False
            if agreement.evaluation_interval:
                agreement.next_evaluation = date + relativedelta(
                    months=agreement.evaluation_interval)
        cls.save(agreements)

    @classmethod
    @ModelView.button_action('kim_network.act_agreement_form')
    def renew(cls, agreements):
        "Create a draft successor of each agreement"
        successors = cls.copy(agreements, default={
                'predecessor': lambda data: data['id'],
                'state': 'draft',
                'valid_from': lambda data: (
                    data['valid_to'] + relativedelta(days=1)
                    if data['valid_to'] else None),
                'valid_to': None,
                })
        return {
            'res_id': [s.id for s in successors],
            'views': [(None, 'form'), (None, 'tree')],
            }

    @classmethod
    def flag_due_evaluations(cls, date=None):
        "Flag the signed agreements whose next evaluation date has passed"
        if date is None:
            date = today()
        due = cls.search([
                ('state', '=', 'signed'),
                ('next_evaluation', '<=', date),
                ('evaluation_due', '=', False),
                ])
        if due:
            cls.write(due, {'evaluation_due': True})
        return due


AgreementParty = relation('AgreementParty',
    'kim.cooperation_agreement-party.party', "Agreement - Partner",
    'agreement', 'kim.cooperation_agreement', 'party', 'party.party')
AgreementHandlungsfeld = relation('AgreementHandlungsfeld',
    'kim.cooperation_agreement-kim.handlungsfeld',
    "Agreement - Handlungsfeld",
    'agreement', 'kim.cooperation_agreement',
    'handlungsfeld', 'kim.handlungsfeld')
