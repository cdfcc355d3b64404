# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""KIM funding: the programme, its Bausteine, the rates per Baustein and year
and the Förderbescheide with the payments received on them."""
import datetime as dt
from decimal import Decimal

from sql.aggregate import Sum

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields,
    sequence_ordered)
from trytond.modules.currency.fields import Monetary
from trytond.modules.kim_network.common import rec_name_domain
from trytond.modules.kim_network.workflow import WorkflowGuard
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .exceptions import FundingError, FundingValidationError

MONEY = (16, 2)
VZAE = (6, 2)
_DRAFT = {'readonly': Eval('state') != 'draft'}


def year_bounds(year):
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def check_vzae_step(vzae, step, record, baustein):
    "Raise when vzae is not a positive multiple of the Baustein's step"
    if vzae is None:
        return
    if not step:
        step = Decimal('0.5')
    if vzae <= 0 or (Decimal(vzae) % Decimal(step)) != 0:
        raise FundingValidationError(gettext(
                'kim_reporting.msg_vzae_step',
                record=record, vzae=format(Decimal(vzae).normalize(), 'f'),
                step=format(Decimal(step).normalize(), 'f'),
                baustein=baustein))


class CompanyMixin:
    "Records of one company with its currency"
    __slots__ = ()
    company = fields.Many2One('company.company', "Company", required=True,
        ondelete='RESTRICT')
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None


class Programme(DeactivableMixin, ModelSQL, ModelView):
    __string__ = "Funding Programme"
    __name__ = 'kim.funding.programme'
    code = fields.Char("Code", required=True, strip=True)
    name = fields.Char("Name", required=True, translate=True)
    legal_basis = fields.Text("Legal Basis", translate=True,
        help="e.g. the Förderrichtlinie and § 9 TIntG NRW.")
    authority = fields.Many2One('party.party', "Approving Authority",
        ondelete='SET NULL')
    bausteine = fields.One2Many('kim.funding.baustein', 'programme',
        "Bausteine")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'kim_reporting.msg_code_unique'),
            ]


class Baustein(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    __string__ = "Baustein"
    __name__ = 'kim.funding.baustein'
    programme = fields.Many2One('kim.funding.programme', "Programme",
        required=True, ondelete='CASCADE')
    code = fields.Char("Code", required=True, strip=True,
        help="The number of the Baustein, e.g. 1, 2 or 3.")
    name = fields.Char("Name", required=True, translate=True)
    funding_type = fields.Selection([
            ('zuwendung', "Zuwendung (by application)"),
            ('pauschale', "Fachbezogene Pauschale"),
            ], "Funding Type", required=True)
    vzae_step = fields.Numeric("VZÄ Step", digits=VZAE, required=True,
        help="The smallest fundable share of a post and the step of the "
        "VZÄ of its positions (0.5 unless the Bescheid allows finer).")
    quota_ki_min = fields.Numeric("Minimum Share at the KI", digits=(3, 4),
        help="The share of the Baustein's VZÄ that must be at the KI "
        "(e.g. 0.3333 for one third); empty for no rule.")
    quota_welfare_max = fields.Numeric("Maximum Share with Welfare "
        "Organisations", digits=(3, 4),
        help="e.g. 0.6667 for two thirds; empty for no rule.")
    advice_days = fields.Boolean("External Process Advice",
        help="The Baustein funds external process advice days.")
    description = fields.Text("Description", translate=True)
    rates = fields.One2Many('kim.funding.rate', 'baustein', "Rates")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.programme, t.code),
                'kim_reporting.msg_code_unique'),
            ]

    @classmethod
    def default_vzae_step(cls):
        return Decimal('0.5')

    @classmethod
    def default_funding_type(cls):
        return 'zuwendung'

    def get_rec_name(self, name):
        return 'Baustein %s: %s' % (self.code, self.name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, 'code', 'name')

    def get_rate(self, year):
        "Return the rate in force for the year or None"
        Rate = Pool().get('kim.funding.rate')
        rates = Rate.search([
                ('baustein', '=', self.id),
                ('year', '<=', year),
                ], order=[('year', 'DESC')], limit=1)
        return rates[0] if rates else None


class Rate(ModelSQL, ModelView):
    __string__ = "Funding Rate"
    __name__ = 'kim.funding.rate'
    baustein = fields.Many2One('kim.funding.baustein', "Baustein",
        required=True, ondelete='CASCADE')
    year = fields.Integer("From Year", required=True,
        help="The rate applies from this year until a later rate.")
    rate_per_vzae = fields.Numeric("Rate per VZÄ", digits=MONEY,
        required=True,
        help="The yearly amount per full-time post in the company currency "
        "(e.g. 55,000 EUR until 2022, 57,000 EUR from 2023).")
    workplace_rate = fields.Numeric("Workplace Costs per VZÄ", digits=MONEY,
        help="Sachausgaben for setting up a workplace, per VZÄ.")
    advice_day_cap = fields.Numeric("Advice Day Cap", digits=MONEY,
        help="The largest eligible amount per external process advice "
        "day (e.g. 1,012 EUR).")
    advice_days = fields.Integer("Advice Days per Year",
        help="Process advice days funded per year (e.g. 6).")
    exchange_days = fields.Integer("Exchange Days per Year",
        help="Exchange and qualification days funded per year (e.g. 3).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('year_unique', Unique(t, t.baustein, t.year),
                'kim_reporting.msg_rate_unique'),
            ]
        cls._order = [('baustein', 'ASC'), ('year', 'DESC'), ('id', 'DESC')]

    def get_rec_name(self, name):
        return '%s %s' % (self.baustein.rec_name, self.year)


class Decision(CompanyMixin, WorkflowGuard, Workflow, ModelSQL, ModelView):
    __string__ = "Förderbescheid"
    __name__ = 'kim.funding.decision'
    _rec_name = 'file_number'
    baustein = fields.Many2One('kim.funding.baustein', "Baustein",
        required=True, ondelete='RESTRICT', states=_DRAFT)
    year = fields.Integer("Funding Year", required=True, states=_DRAFT)
    date = fields.Date("Date", required=True, states=_DRAFT)
    authority = fields.Many2One('party.party', "Authority", required=True,
        ondelete='RESTRICT', states=_DRAFT,
        context={'company': Eval('company', -1)}, depends={'company'},
        help="e.g. Bezirksregierung Arnsberg, Dezernat 36.")
    file_number = fields.Char("File Number", required=True, states=_DRAFT,
        help="The Aktenzeichen of the Bescheid.")
    amount = Monetary("Amount", currency='currency',
        digits='currency', required=True, states=_DRAFT)
    eligible_vzae = fields.Numeric("Eligible VZÄ", digits=VZAE,
        states=_DRAFT)
    period_start = fields.Date("Period Start", required=True, states=_DRAFT)
    period_end = fields.Date("Period End", required=True, states=_DRAFT,
        domain=[If(Eval('period_start'),
                ('period_end', '>=', Eval('period_start')), ())])
    proof_deadline = fields.Date("Proof of Use Due",
        help="The Nachweisfrist of the Verwendungsnachweis.")
    conditions = fields.Text("Conditions (Nebenbestimmungen)",
        states=_DRAFT)
    rate_amount = fields.Function(Monetary("Amount by Rate",
            currency='currency', digits='currency',
            help="Eligible VZÄ times the rate of the Baustein for the year."),
        'get_rate_amount')
    payments = fields.One2Many('kim.funding.decision.payment', 'decision',
        "Payments Received",
        states={'readonly': Eval('state') == 'cancelled'})
    received = fields.Function(Monetary("Received",
            currency='currency', digits='currency'), 'get_received')
    state = fields.Selection([
            ('draft', "Draft"),
            ('granted', "Granted"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.baustein, Index.Equality()), (t.year, Index.Equality())))
        cls._order = [('year', 'DESC'), ('baustein', 'ASC'), ('id', 'DESC')]
        cls._guard(initial='draft')
        cls._transitions |= {
            ('draft', 'granted'),
            ('granted', 'draft'),
            ('draft', 'cancelled'),
            ('granted', 'cancelled'),
            }
        cls._buttons.update({
                'grant': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'granted',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') == 'cancelled',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @fields.depends('year', 'period_start', 'period_end')
    def on_change_year(self):
        if self.year:
            self.period_start, self.period_end = year_bounds(self.year)

    def get_rec_name(self, name):
        return '%s (%s, %s)' % (
            self.file_number, self.baustein.rec_name, self.year)

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('file_number',) + tuple(clause[1:])]

    def get_rate_amount(self, name):
        if self.eligible_vzae is None:
            return None
        rate = self.baustein.get_rate(self.year)
        if rate:
            return self.currency.round(rate.rate_per_vzae * self.eligible_vzae)

    @classmethod
    def get_received(cls, decisions, name):
        pool = Pool()
        Payment = pool.get('kim.funding.decision.payment')
        payment = Payment.__table__()
        cursor = Transaction().connection.cursor()
        result = {d.id: Decimal(0) for d in decisions}
        cursor.execute(*payment.select(payment.decision, Sum(payment.amount),
                where=payment.decision.in_(list(result)),
                group_by=[payment.decision]))
        for decision_id, amount in cursor:
            result[decision_id] = Decimal(str(amount or 0))
        return result

    @classmethod
    def validate_fields(cls, decisions, field_names):
        super().validate_fields(decisions, field_names)
        for decision in decisions:
            if decision.amount is not None and decision.amount < 0:
                raise FundingValidationError(gettext(
                        'kim_reporting.msg_amount_negative',
                        record=decision.rec_name))
            if field_names is None or field_names & {
                    'eligible_vzae', 'baustein'}:
                check_vzae_step(decision.eligible_vzae,
                    decision.baustein.vzae_step, decision.rec_name,
                    decision.baustein.rec_name)
            if decision.period_end < decision.period_start:
                raise FundingValidationError(gettext(
                        'kim_reporting.msg_period_invalid',
                        record=decision.rec_name))

    @classmethod
    def check_modification(cls, mode, decisions, values=None,
            external=False):
        super().check_modification(
            mode, decisions, values=values, external=external)
        if mode == 'delete':
            for decision in decisions:
                if decision.state != 'draft':
                    raise FundingError(gettext(
                            'kim_reporting.msg_decision_delete',
                            decision=decision.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('granted')
    def grant(cls, decisions):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, decisions):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, decisions):
        pass


class DecisionPayment(ModelSQL, ModelView):
    __string__ = "Förderbescheid Payment"
    __name__ = 'kim.funding.decision.payment'
    decision = fields.Many2One('kim.funding.decision', "Förderbescheid",
        required=True, ondelete='CASCADE')
    date = fields.Date("Date", required=True)
    amount = Monetary("Amount", currency='currency',
        digits='currency', required=True)
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')
    reference = fields.Char("Reference")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('decision')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.decision, Index.Equality())))
        cls._order = [('date', 'ASC'), ('id', 'ASC')]

    @fields.depends('decision', '_parent_decision.company')
    def on_change_with_currency(self, name=None):
        if self.decision and self.decision.company:
            return self.decision.company.currency
