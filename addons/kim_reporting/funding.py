# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""KIM funding: the programme, its Bausteine and position kinds, the
conditions per Baustein and year (funding type, rates per position kind,
workplace allowance, entitlement, proof period) and the Förderbescheide with
their Finanzierungsplan and the payments received on them."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from dateutil.relativedelta import relativedelta
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

from .exceptions import FundingError, FundingValidationError, FundingWarning

MONEY = (16, 2)
VZAE = (6, 2)
SHARE = (5, 4)
_DRAFT = {'readonly': Eval('state') != 'draft'}
FUNDING_TYPES = [
    ('zuwendung', "Zuwendung (by application)"),
    ('pauschale', "Fachbezogene Pauschale"),
    ]


def year_bounds(year):
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def fmt(value):
    "Format a VZÄ, share or amount for a message"
    return format(Decimal(value).quantize(Decimal('0.01')), 'f')


def check_vzae_step(vzae, step, record, baustein, minimum=None, kind=None):
    """Raise when vzae is not a positive multiple of the Baustein's step or
    is below the minimum share of the position kind"""
    if vzae is None:
        return
    if not step:
        step = Decimal('0.25')
    if vzae <= 0 or (Decimal(vzae) % Decimal(step)) != 0:
        raise FundingValidationError(gettext(
                'kim_reporting.msg_vzae_step',
                record=record, vzae=format(Decimal(vzae).normalize(), 'f'),
                step=format(Decimal(step).normalize(), 'f'),
                baustein=baustein))
    if minimum and vzae < minimum:
        raise FundingValidationError(gettext(
                'kim_reporting.msg_vzae_minimum',
                record=record, vzae=format(Decimal(vzae).normalize(), 'f'),
                minimum=format(Decimal(minimum).normalize(), 'f'),
                kind=kind))


def entitled_kommunen():
    """The kreisangehörige Kommunen that entitle the Kreis to one more
    coordination post of Baustein 1: large towns with their own
    Ausländerbehörde, Jugendamt and Integrationsrat"""
    Kommune = Pool().get('kim.kommune')
    with Transaction().set_context(_check_access=False):
        return Kommune.search([
                ('size_class', '=', 'large'),
                ('has_auslaenderbehoerde', '=', True),
                ('has_jugendamt', '=', True),
                ('has_integrationsrat', '=', True),
                ], order=[('name', 'ASC')])


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
    vzae_step = fields.Numeric("VZÄ Step", digits=VZAE, required=True,
        help="The step of the VZÄ of its posts (0.25: Steinfurt's "
        "Baustein 3 Bescheid funds 2.25 and 0.75 posts); the minimum "
        "share is set per position kind.")
    quota_ki_min = fields.Numeric("Minimum Share at the KI", digits=(3, 4),
        help="The share of the Baustein's VZÄ that must be at the KI "
        "(e.g. 0.3333 for one third); empty for no rule.")
    quota_welfare_max = fields.Numeric("Maximum Share with Welfare "
        "Organisations", digits=(3, 4),
        help="e.g. 0.6667 for two thirds; empty for no rule.")
    advice_days = fields.Boolean("External Process Advice",
        help="The Baustein funds external process advice days.")
    description = fields.Text("Description", translate=True)
    kinds = fields.One2Many('kim.funding.position_kind', 'baustein',
        "Position Kinds")
    rates = fields.One2Many('kim.funding.rate', 'baustein', "Conditions")

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
        return Decimal('0.25')

    def get_rec_name(self, name):
        return 'Baustein %s: %s' % (self.code, self.name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, 'code', 'name')

    def get_rate(self, year):
        "Return the conditions in force for the year or None"
        Rate = Pool().get('kim.funding.rate')
        rates = Rate.search([
                ('baustein', '=', self.id),
                ('year', '<=', year),
                ], order=[('year', 'DESC')], limit=1)
        return rates[0] if rates else None

    def get_funding_type(self, year):
        rate = self.get_rate(year)
        return rate.funding_type if rate else None

    @property
    def main_kind(self):
        "The first active position kind of the Baustein"
        kinds = [k for k in self.kinds if k.active]
        return kinds[0] if kinds else None


class PositionKind(DeactivableMixin, sequence_ordered(), ModelSQL,
        ModelView):
    __string__ = "Position Kind"
    __name__ = 'kim.funding.position_kind'
    baustein = fields.Many2One('kim.funding.baustein', "Baustein",
        required=True, ondelete='CASCADE')
    code = fields.Char("Code", required=True, strip=True)
    name = fields.Char("Name", required=True, translate=True)
    min_vzae = fields.Numeric("Minimum VZÄ", digits=VZAE,
        help="The smallest fundable share of a post of this kind (0.5 for "
        "coordination: the posts can be split at most into halves); empty "
        "for no minimum.")
    ki_approval = fields.Boolean("Outside the KI only with Approval",
        help="Posts of this kind belong to the KI; elsewhere they need "
        "the state's exception approval (Ausnahmegenehmigung). Posts "
        "forwarded to a town are exempt.")
    welfare_rules = fields.Boolean("Welfare Posts Need Justification",
        help="Posts of this kind with a welfare organisation need a "
        "conceptual justification and the proof that they are outside the "
        "staffing of JMD and MBE.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.baustein, t.code),
                'kim_reporting.msg_code_unique'),
            ]
        cls._order.insert(0, ('baustein', 'ASC'))

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, 'code', 'name')

    def get_rate(self, year):
        "Return the rate line of the kind in force for the year or None"
        rate = self.baustein.get_rate(year)
        if rate:
            for line in rate.kind_rates:
                if line.kind == self:
                    return line


class Rate(ModelSQL, ModelView):
    __string__ = "Funding Conditions"
    __name__ = 'kim.funding.rate'
    baustein = fields.Many2One('kim.funding.baustein', "Baustein",
        required=True, ondelete='CASCADE')
    year = fields.Integer("From Year", required=True,
        help="The conditions apply from this year until later ones.")
    funding_type = fields.Selection(FUNDING_TYPES, "Funding Type",
        required=True,
        help="Zuwendung: granted on application, proven by the expenses "
        "against the Finanzierungsplan. Fachbezogene Pauschale: paid per "
        "post, proven by the filled posts.")
    kind_rates = fields.One2Many('kim.funding.rate.kind', 'rate',
        "Rates per Position Kind")
    rate_per_vzae = fields.Function(fields.Numeric("Rate per VZÄ",
            digits=MONEY,
            help="The yearly amount per full-time post of the Baustein's "
            "first position kind."), 'get_rate_per_vzae')
    workplace_rate = fields.Numeric("Workplace Allowance per VZÄ",
        digits=MONEY,
        help="Sachausgaben for setting up a workplace, per VZÄ (9,700 EUR "
        "until 2022, 5,700 EUR from 2023); caps the costs of the cost "
        "categories of the kind workplace.")
    advice_day_cap = fields.Numeric("Advice Day Cap", digits=MONEY,
        help="The largest eligible amount per external process advice "
        "day (e.g. 1,012 EUR).")
    advice_days = fields.Integer("Advice Days per Year",
        help="Process advice days funded per year (e.g. 6).")
    exchange_days = fields.Integer("Exchange Days per Year",
        help="Exchange and qualification days funded per year (e.g. 3).")
    proof_months = fields.Integer("Proof Due (Months)",
        help="The months after the end of the funding period within which "
        "the Verwendungsnachweis is due (commonly six); proposes the "
        "deadline of new Förderbescheide.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('year_unique', Unique(t, t.baustein, t.year),
                'kim_reporting.msg_rate_unique'),
            ]
        cls._order = [('baustein', 'ASC'), ('year', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_funding_type(cls):
        return 'zuwendung'

    def get_rec_name(self, name):
        return '%s %s' % (self.baustein.rec_name, self.year)

    def get_rate_per_vzae(self, name):
        kind = self.baustein.main_kind
        for line in self.kind_rates:
            if line.kind == kind:
                return line.rate_per_vzae

    @classmethod
    def validate_fields(cls, rates, field_names):
        super().validate_fields(rates, field_names)
        for rate in rates:
            for name in ['workplace_rate', 'advice_day_cap', 'advice_days',
                    'exchange_days', 'proof_months']:
                value = getattr(rate, name)
                if value is not None and value < 0:
                    raise FundingValidationError(gettext(
                            'kim_reporting.msg_amount_negative',
                            record=rate.rec_name))


class RateKind(ModelSQL, ModelView):
    __string__ = "Rate per Position Kind"
    __name__ = 'kim.funding.rate.kind'
    rate = fields.Many2One('kim.funding.rate', "Conditions", required=True,
        ondelete='CASCADE')
    kind = fields.Many2One('kim.funding.position_kind', "Position Kind",
        required=True, ondelete='CASCADE',
        domain=[('baustein', '=', Eval('baustein', -1))])
    baustein = fields.Function(fields.Many2One(
            'kim.funding.baustein', "Baustein"),
        'on_change_with_baustein')
    amount = fields.Numeric("Amount", digits=MONEY, required=True,
        help="The yearly amount for the VZÄ below, e.g. 57,000 EUR per "
        "1.0 coordination post or 22,500 EUR per 0.5 Verwaltungsassistenz.")
    per_vzae = fields.Numeric("per VZÄ", digits=VZAE, required=True)
    rate_per_vzae = fields.Function(fields.Numeric("Rate per VZÄ",
            digits=MONEY), 'get_rate_per_vzae')
    entitlement = fields.Numeric("Entitlement (VZÄ)", digits=VZAE,
        help="The VZÄ of this kind every Kreis or kreisfreie Stadt may get "
        "(3.5 coordination, 0.5 Verwaltungsassistenz); empty for no "
        "check.")
    entitlement_kommune = fields.Numeric("Entitlement per Large Kommune",
        digits=VZAE,
        help="The VZÄ added per large kreisangehörige Kommune with its own "
        "Ausländerbehörde, Jugendamt and Integrationsrat (1.0 "
        "coordination).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('rate')
        t = cls.__table__()
        cls._sql_constraints += [
            ('kind_unique', Unique(t, t.rate, t.kind),
                'kim_reporting.msg_rate_kind_unique'),
            ]

    @classmethod
    def default_per_vzae(cls):
        return Decimal(1)

    @fields.depends('rate', '_parent_rate.baustein')
    def on_change_with_baustein(self, name=None):
        return self.rate.baustein if self.rate else None

    def get_rate_per_vzae(self, name):
        if self.amount is not None and self.per_vzae:
            return (self.amount / self.per_vzae).quantize(Decimal('0.01'))

    def amount_for(self, vzae):
        "The rate amount for the VZÄ"
        return self.amount * Decimal(vzae) / self.per_vzae

    def allowed_vzae(self, kommunen):
        if self.entitlement is None:
            return None
        return self.entitlement + (
            self.entitlement_kommune or 0) * kommunen

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        for line in lines:
            if line.amount < 0 or line.per_vzae <= 0:
                raise FundingValidationError(gettext(
                        'kim_reporting.msg_amount_negative',
                        record=line.rate.rec_name))


class Foerderbescheid(
        CompanyMixin, WorkflowGuard, Workflow, ModelSQL, ModelView):
    __string__ = "Förderbescheid"
    __name__ = 'kim.funding.decision'
    _rec_name = 'file_number'
    baustein = fields.Many2One('kim.funding.baustein', "Baustein",
        required=True, ondelete='RESTRICT', states=_DRAFT)
    year = fields.Integer("Funding Year", required=True, states=_DRAFT)
    funding_type = fields.Function(fields.Selection(
            FUNDING_TYPES, "Funding Type"), 'on_change_with_funding_type')
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
        states=_DRAFT,
        help="The VZÄ the Bescheid funds; the sum of the posts of the "
        "Finanzierungsplan when it lists them.")
    lines = fields.One2Many('kim.funding.decision.line', 'decision',
        "Finanzierungsplan", states=_DRAFT,
        help="The items of the financing plan the Bescheid approves: posts "
        "per position kind, the workplace allowance, process advice days "
        "and Sachausgaben by cost category.")
    plan_amount = fields.Function(Monetary("Plan Total",
            currency='currency', digits='currency'), 'get_plan_amount')
    period_start = fields.Date("Period Start", required=True, states=_DRAFT)
    period_end = fields.Date("Period End", required=True, states=_DRAFT,
        domain=[If(Eval('period_start'),
                ('period_end', '>=', Eval('period_start')), ())])
    proof_deadline = fields.Date("Proof of Use Due",
        help="The Nachweisfrist of the Verwendungsnachweis; proposed from "
        "the months of the year's conditions.")
    interim_deadline = fields.Date("Interim Proof Due",
        help="The deadline of the Zwischennachweis when the period spans "
        "more than one year.")
    forwarding_consent = fields.Boolean("Weiterleitung Permitted",
        states=_DRAFT,
        help="The Bescheid itself permits passing the funds on; otherwise "
        "each Weiterleitung records the authority's consent.")
    conditions = fields.Text("Conditions (Nebenbestimmungen)",
        states=_DRAFT)
    rate_amount = fields.Function(Monetary("Amount by Rate",
            currency='currency', digits='currency',
            help="The Finanzierungsplan at the rates of the year (posts "
            "per kind, workplace allowance, advice-day cap; Sachausgaben as "
            "planned), or the eligible VZÄ times the rate of the Baustein's "
            "first position kind."),
        'get_rate_amount')
    warnings = fields.Function(fields.Text("Rule Checks",
            help="The funding rules the Bescheid does not meet, with the "
            "numbers."), 'get_warnings')
    payments = fields.One2Many('kim.funding.decision.payment', 'decision',
        "Payments Received",
        states={'readonly': Eval('state') == 'cancelled'})
    received = fields.Function(Monetary("Received",
            currency='currency', digits='currency'), 'get_received')
    last_reminder = fields.Date("Last Reminder", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('granted', "Granted"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t,
                    (t.baustein, Index.Equality()),
                    (t.year, Index.Equality())),
                Index(t, (t.proof_deadline, Index.Range()),
                    where=t.state == 'granted'),
                })
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

    @classmethod
    def default_forwarding_consent(cls):
        return False

    @fields.depends('baustein', 'year')
    def on_change_with_funding_type(self, name=None):
        if self.baustein and self.year:
            return self.baustein.get_funding_type(self.year)

    @fields.depends('year', 'period_start', 'period_end', 'baustein',
        'proof_deadline')
    def on_change_year(self):
        if self.year:
            self.period_start, self.period_end = year_bounds(self.year)
            self.on_change_period_end()

    @fields.depends('period_end', 'baustein', 'year', 'proof_deadline')
    def on_change_period_end(self):
        deadline = self.proposed_deadline(
            self.baustein, self.year, self.period_end)
        if deadline:
            self.proof_deadline = deadline

    @fields.depends('lines', 'eligible_vzae')
    def on_change_lines(self):
        vzae = self.lines_vzae()
        if vzae is not None:
            self.eligible_vzae = vzae

    @staticmethod
    def proposed_deadline(baustein, year, period_end):
        "The period's end plus the months of the year's conditions"
        if baustein and year and period_end:
            rate = baustein.get_rate(year)
            if rate and rate.proof_months:
                return period_end + relativedelta(months=rate.proof_months)

    def lines_vzae(self):
        "The VZÄ of the posts of the Finanzierungsplan or None"
        posts = [l for l in (self.lines or []) if l.type == 'position']
        if posts:
            return sum((l.vzae or 0 for l in posts), Decimal(0))

    @classmethod
    def preprocess_values(cls, mode, values):
        "Propose the proof deadline from the year's conditions"
        pool = Pool()
        Baustein = pool.get('kim.funding.baustein')
        values = super().preprocess_values(mode, values)
        if (mode == 'create' and not values.get('proof_deadline')
                and values.get('baustein') and values.get('year')
                and values.get('period_end')):
            deadline = cls.proposed_deadline(Baustein(values['baustein']),
                values['year'], values['period_end'])
            if deadline:
                values['proof_deadline'] = deadline
        return values

    def get_rec_name(self, name):
        return '%s (%s, %s)' % (
            self.file_number, self.baustein.rec_name, self.year)

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('file_number',) + tuple(clause[1:])]

    def get_plan_amount(self, name):
        if self.lines:
            return sum((l.amount or 0 for l in self.lines), Decimal(0))

    def get_rate_amount(self, name):
        if self.lines:
            total = Decimal(0)
            for line in self.lines:
                amount = line.rate_amount
                if amount is None:
                    amount = line.amount or 0
                total += amount
            return self.currency.round(total)
        if self.eligible_vzae is None:
            return None
        kind = self.baustein.main_kind
        kind_rate = kind.get_rate(self.year) if kind else None
        if kind_rate:
            return self.currency.round(kind_rate.amount_for(
                    self.eligible_vzae))

    def get_warnings(self, name):
        return '\n'.join(self.check_rules()) or None

    def check_rules(self):
        """Return the messages of the funding rules the Bescheid does not
        meet: above the rates, a plan that does not add up to the amount
        and the entitlement of the Kreis"""
        messages = []
        rate_amount = self.rate_amount
        if (rate_amount is not None and self.amount is not None
                and self.amount > rate_amount):
            messages.append(gettext('kim_reporting.msg_decision_above_rates',
                    decision=self.rec_name, amount=fmt(self.amount),
                    rate_amount=fmt(rate_amount)))
        plan = self.plan_amount
        if plan is not None and self.amount is not None and (
                plan != self.amount):
            messages.append(gettext('kim_reporting.msg_decision_plan_total',
                    decision=self.rec_name, plan=fmt(plan),
                    amount=fmt(self.amount)))
        messages.extend(self.check_entitlement())
        return messages

    def check_entitlement(self):
        """The posts per kind against the entitlement of the year: e.g.
        Baustein 1 3.5 coordination + 1.0 per large Kommune with its own
        Ausländerbehörde, Jugendamt and Integrationsrat, 0.5
        Verwaltungsassistenz"""
        rate = self.baustein.get_rate(self.year)
        if not rate:
            return []
        by_kind = defaultdict(Decimal)
        posts = [l for l in self.lines if l.type == 'position']
        for line in posts:
            by_kind[line.kind] += line.vzae or 0
        checked = [l for l in rate.kind_rates if l.entitlement is not None]
        if not checked:
            return []
        kommunen = entitled_kommunen()
        names = ', '.join(k.name for k in kommunen) or '-'
        messages = []
        if posts:
            for kind_rate in checked:
                allowed = kind_rate.allowed_vzae(len(kommunen))
                vzae = by_kind.get(kind_rate.kind, Decimal(0))
                if vzae > allowed:
                    messages.append(gettext(
                            'kim_reporting.msg_decision_entitlement',
                            decision=self.rec_name,
                            kind=kind_rate.kind.rec_name, vzae=fmt(vzae),
                            allowed=fmt(allowed),
                            base=fmt(kind_rate.entitlement),
                            per_kommune=fmt(
                                kind_rate.entitlement_kommune or 0),
                            count=len(kommunen), kommunen=names))
        elif self.eligible_vzae is not None:
            allowed = sum((l.allowed_vzae(len(kommunen)) for l in checked),
                Decimal(0))
            if self.eligible_vzae > allowed:
                messages.append(gettext(
                        'kim_reporting.msg_decision_entitlement',
                        decision=self.rec_name,
                        kind=self.baustein.rec_name,
                        vzae=fmt(self.eligible_vzae), allowed=fmt(allowed),
                        base=fmt(sum(l.entitlement for l in checked)),
                        per_kommune=fmt(sum(l.entitlement_kommune or 0
                                for l in checked)),
                        count=len(kommunen), kommunen=names))
        return messages

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
                    'eligible_vzae', 'baustein', 'lines'}:
                check_vzae_step(decision.eligible_vzae,
                    decision.baustein.vzae_step, decision.rec_name,
                    decision.baustein.rec_name)
                vzae = decision.lines_vzae()
                if vzae is not None and vzae != decision.eligible_vzae:
                    raise FundingValidationError(gettext(
                            'kim_reporting.msg_decision_vzae_lines',
                            decision=decision.rec_name,
                            eligible=fmt(decision.eligible_vzae or 0),
                            vzae=fmt(vzae)))
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
        Warning = Pool().get('res.user.warning')
        for decision in decisions:
            messages = decision.check_rules()
            if messages:
                key = Warning.format('decision_rules', [decision])
                if Warning.check(key):
                    raise FundingWarning(key, gettext(
                            'kim_reporting.msg_decision_rules',
                            decision=decision.rec_name,
                            messages='\n'.join(messages)))

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

    @classmethod
    def remind_proof_due(cls, date=None):
        """Notify the finance users of each company of the proofs of use
        due within the reminder days of the configuration (final and
        interim proof of the granted Bescheide not yet submitted, and the
        overdue proofs of the recipients of Weiterleitungen), at most once
        a week per Bescheid. Return the Bescheide reminded (cron)."""
        pool = Pool()
        Configuration = pool.get('kim.configuration')
        Proof = pool.get('kim.funding.proof')
        Forwarding = pool.get('kim.funding.forwarding')
        Notification = pool.get('res.notification')
        Lang = pool.get('ir.lang')
        if date is None:
            date = pool.get('ir.date').today()
        horizon = date + dt.timedelta(
            days=Configuration(1).get_proof_reminder_days())
        decisions = cls.search([
                ('state', '=', 'granted'),
                ['OR',
                    ('proof_deadline', '<=', horizon),
                    ('interim_deadline', '<=', horizon),
                    ],
                ['OR',
                    ('last_reminder', '=', None),
                    ('last_reminder', '<=', date - dt.timedelta(days=7)),
                    ],
                ])
        submitted = defaultdict(set)
        for proof in Proof.search([
                    ('decision', 'in', [d.id for d in decisions]),
                    ('state', '=', 'submitted'),
                    ]):
            submitted[proof.decision.id].add(proof.kind)
        overdue = defaultdict(list)
        for forwarding in Forwarding.search([
                    ('decision', 'in', [d.id for d in decisions]),
                    ('state', '=', 'paid'),
                    ('proof_deadline', '<', date),
                    ]):
            overdue[forwarding.decision.id].append(forwarding)
        lang = Lang.get()
        notifications, reminded = [], []
        for decision in decisions:
            due = []
            for kind, deadline in [('final', decision.proof_deadline),
                    ('interim', decision.interim_deadline)]:
                if (deadline and deadline <= horizon
                        and kind not in submitted[decision.id]):
                    due.append(gettext(
                            'kim_reporting.msg_reminder_%s' % kind,
                            date=lang.strftime(deadline)))
            for forwarding in overdue[decision.id]:
                due.append(gettext('kim_reporting.msg_reminder_forwarding',
                        forwarding=forwarding.rec_name,
                        date=lang.strftime(forwarding.proof_deadline)))
            if not due:
                continue
            reminded.append(decision)
            for user in finance_users(decision.company):
                notifications.append({
                        'user': user.id,
                        'label': gettext('kim_reporting.msg_reminder_label',
                            decision=decision.rec_name),
                        'description': '; '.join(due),
                        'icon': 'tryton-notification',
                        'model': cls.__name__,
                        'records': str([decision.id]),
                        })
        if notifications:
            Notification.create(notifications)
        if reminded:
            cls.write(reminded, {'last_reminder': date})
        return reminded


def finance_users(company):
    "The active users of the finance group who work for the company"
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    group = ModelData.get_id('kim_reporting', 'group_finance')
    with Transaction().set_context(_check_access=False, active_test=True):
        return User.search([
                ('groups', '=', group),
                ('companies', '=', company.id),
                ])


class FoerderbescheidLine(sequence_ordered(), ModelSQL, ModelView):
    __string__ = "Finanzierungsplan Item"
    __name__ = 'kim.funding.decision.line'
    decision = fields.Many2One('kim.funding.decision', "Förderbescheid",
        required=True, ondelete='CASCADE')
    baustein = fields.Function(fields.Many2One(
            'kim.funding.baustein', "Baustein"),
        'on_change_with_baustein')
    type = fields.Selection([
            ('position', "Posts"),
            ('workplace', "Workplace Allowance"),
            ('advice', "External Process Advice"),
            ('cost', "Sachausgaben"),
            ], "Type", required=True)
    type_string = type.translated('type')
    kind = fields.Many2One('kim.funding.position_kind', "Position Kind",
        ondelete='RESTRICT',
        domain=[('baustein', '=', Eval('baustein', -1))],
        states={
            'invisible': Eval('type') != 'position',
            'required': Eval('type') == 'position',
            })
    category = fields.Many2One('kim.funding.cost_category', "Cost Category",
        ondelete='RESTRICT',
        domain=[If(Eval('type') == 'workplace',
                ('kind', '=', 'workplace'), ())],
        states={
            'invisible': ~Eval('type').in_(['cost', 'workplace']),
            'required': Eval('type') == 'cost',
            })
    vzae = fields.Numeric("VZÄ", digits=VZAE,
        states={
            'invisible': ~Eval('type').in_(['position', 'workplace']),
            'required': Eval('type').in_(['position', 'workplace']),
            },
        help="The posts of the kind, or for the workplace allowance the "
        "VZÄ whose workplaces are set up.")
    days = fields.Integer("Days",
        states={
            'invisible': Eval('type') != 'advice',
            'required': Eval('type') == 'advice',
            })
    amount = Monetary("Amount", currency='currency', digits='currency',
        required=True)
    rate_amount = fields.Function(Monetary("Amount by Rate",
            currency='currency', digits='currency'), 'get_rate_amount')
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('decision')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.decision, Index.Equality())))

    @classmethod
    def default_type(cls):
        return 'position'

    @fields.depends('decision', '_parent_decision.baustein')
    def on_change_with_baustein(self, name=None):
        return self.decision.baustein if self.decision else None

    @fields.depends('decision', '_parent_decision.company')
    def on_change_with_currency(self, name=None):
        if self.decision and self.decision.company:
            return self.decision.company.currency

    @fields.depends('type', 'kind', 'vzae', 'days', 'amount', 'decision',
        '_parent_decision.baustein', '_parent_decision.year')
    def on_change_with_amount(self):
        amount = self.get_rate_amount()
        return amount if amount is not None else self.amount

    def get_rate_amount(self, name=None):
        "The amount of the item at the rates of the year"
        decision = self.decision
        if not decision or not decision.baustein or not decision.year:
            return None
        if self.type == 'position' and self.kind and self.vzae is not None:
            kind_rate = self.kind.get_rate(decision.year)
            if kind_rate:
                return kind_rate.amount_for(self.vzae).quantize(
                    Decimal('0.01'))
        rate = decision.baustein.get_rate(decision.year)
        if not rate:
            return None
        if (self.type == 'workplace' and self.vzae is not None
                and rate.workplace_rate is not None):
            return (rate.workplace_rate * self.vzae).quantize(
                Decimal('0.01'))
        if (self.type == 'advice' and self.days is not None
                and rate.advice_day_cap is not None):
            return rate.advice_day_cap * self.days

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        "The plan of a granted or cancelled Bescheid is what was decided"
        super().check_modification(
            mode, lines, values=values, external=external)
        for line in lines:
            if line.decision.state != 'draft':
                raise FundingError(gettext(
                        'kim_reporting.msg_decision_line_not_draft',
                        decision=line.decision.rec_name))

    def get_rec_name(self, name):
        if self.type == 'position' and self.kind:
            return self.kind.rec_name
        if self.category:
            return self.category.rec_name
        return self.type_string

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        for line in lines:
            if line.amount < 0 or (line.days or 0) < 0:
                raise FundingValidationError(gettext(
                        'kim_reporting.msg_amount_negative',
                        record=line.decision.rec_name))
            baustein = line.decision.baustein
            if line.type == 'position':
                if line.kind.baustein != baustein:
                    raise FundingValidationError(gettext(
                            'kim_reporting.msg_kind_baustein',
                            kind=line.kind.rec_name,
                            baustein=baustein.rec_name))
                check_vzae_step(line.vzae, baustein.vzae_step,
                    '%s: %s' % (line.decision.rec_name, line.rec_name),
                    baustein.rec_name, line.kind.min_vzae,
                    line.kind.rec_name)
            elif line.type == 'workplace' and line.vzae is not None:
                if line.vzae < 0:
                    raise FundingValidationError(gettext(
                            'kim_reporting.msg_amount_negative',
                            record=line.decision.rec_name))


class FoerderbescheidPayment(ModelSQL, ModelView):
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
