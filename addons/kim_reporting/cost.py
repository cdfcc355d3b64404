# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Costs of the funded work: Sachkosten and event costs by category, external
process advice days, and the payments forwarded to towns and welfare
organisations with the check of their proof of use."""
from decimal import Decimal

from sql.aggregate import Count, Sum

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.currency.fields import Monetary
from trytond.modules.kim_network.common import (
    CodeListMixin, format_date, today)
from trytond.modules.kim_network.workflow import WorkflowGuard
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction

from .exceptions import FundingError, FundingValidationError, FundingWarning
from .funding import VZAE, CompanyMixin, check_vzae_step, fmt, year_bounds

COST_KINDS = [
    ('workplace', "Workplace Set-up"),
    ('material', "Sachkosten"),
    ('event', "Events"),
    ('other', "Other"),
    ]


class CostCategory(CodeListMixin):
    __string__ = "Cost Category"
    __name__ = 'kim.funding.cost_category'
    kind = fields.Selection(COST_KINDS, "Kind", required=True)

    @classmethod
    def default_kind(cls):
        return 'material'


class Cost(CompanyMixin, ModelSQL, ModelView):
    __string__ = "Funding Cost"
    __name__ = 'kim.funding.cost'
    baustein = fields.Many2One('kim.funding.baustein', "Baustein",
        required=True, ondelete='RESTRICT')
    date = fields.Date("Date", required=True)
    category = fields.Many2One('kim.funding.cost_category', "Category",
        required=True, ondelete='RESTRICT')
    description = fields.Char("Description", required=True)
    supplier = fields.Many2One('party.party', "Supplier",
        ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'})
    amount = Monetary("Amount", currency='currency', digits='currency',
        required=True)
    reference = fields.Char("Voucher",
        help="The number of the invoice or voucher (Beleg).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.baustein, Index.Equality()), (t.date, Index.Range())))
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_date(cls):
        return today()

    @classmethod
    def validate_fields(cls, costs, field_names):
        super().validate_fields(costs, field_names)
        for cost in costs:
            if cost.amount is not None and cost.amount < 0:
                raise FundingValidationError(gettext(
                        'kim_reporting.msg_amount_negative',
                        record=cost.rec_name))

    def get_rec_name(self, name):
        return '%s %s' % (format_date(self.date), self.description)


class AdviceDay(CompanyMixin, ModelSQL, ModelView):
    __string__ = "External Process Advice Day"
    __name__ = 'kim.funding.advice_day'
    baustein = fields.Many2One('kim.funding.baustein', "Baustein",
        required=True, ondelete='RESTRICT',
        domain=[('advice_days', '=', True)])
    date = fields.Date("Date", required=True)
    kind = fields.Selection([
            ('advice', "Process Advice Day"),
            ('exchange', "Exchange or Qualification Day"),
            ], "Kind", required=True)
    adviser = fields.Many2One('party.party', "Adviser", required=True,
        ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'})
    description = fields.Char("Topic")
    amount = Monetary("Invoiced", currency='currency', digits='currency',
        required=True)
    eligible_amount = fields.Function(Monetary("Eligible",
            currency='currency', digits='currency',
            help="The invoiced amount up to the cap per day of the year's "
            "rate."), 'get_eligible_amount')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.baustein, Index.Equality()), (t.date, Index.Range())))
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_kind(cls):
        return 'advice'

    def get_rec_name(self, name):
        return '%s %s' % (format_date(self.date), self.adviser.rec_name)

    def get_eligible_amount(self, name):
        rate = self.baustein.get_rate(self.date.year)
        if rate and rate.advice_day_cap is not None:
            return min(self.amount, rate.advice_day_cap)
        return self.amount

    @classmethod
    def validate_fields(cls, days, field_names):
        super().validate_fields(days, field_names)
        for day in days:
            if day.amount is not None and day.amount < 0:
                raise FundingValidationError(gettext(
                        'kim_reporting.msg_amount_negative',
                        record=day.rec_name))
        cls.check_limit(days)

    @classmethod
    def check_limit(cls, days):
        "At most the rate's number of days of each kind per year"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        seen = set()
        for day in days:
            year = day.date.year
            key = (day.company.id, day.baustein.id, year, day.kind)
            if key in seen:
                continue
            seen.add(key)
            rate = day.baustein.get_rate(year)
            if not rate:
                continue
            limit = (rate.advice_days if day.kind == 'advice'
                else rate.exchange_days)
            if limit is None:
                continue
            start, end = year_bounds(year)
            cursor.execute(*table.select(Count(table.id),
                    where=(table.company == day.company.id)
                    & (table.baustein == day.baustein.id)
                    & (table.kind == day.kind)
                    & (table.date >= start) & (table.date <= end)))
            count, = cursor.fetchone()
            if count > limit:
                raise FundingValidationError(gettext(
                        'kim_reporting.msg_advice_days_limit',
                        kind=dict(cls.kind.selection)[day.kind],
                        year=year, count=count, limit=limit))


class Forwarding(CompanyMixin, WorkflowGuard, Workflow, ModelSQL, ModelView):
    __string__ = "Weiterleitung"
    __name__ = 'kim.funding.forwarding'
    decision = fields.Many2One('kim.funding.decision', "Förderbescheid",
        required=True, ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('state', '=', 'granted'),
            ],
        states={'readonly': Eval('state') != 'draft'})
    recipient = fields.Many2One('party.party', "Recipient", required=True,
        ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'},
        domain=[('kim_organisation_type', '!=', None)],
        states={'readonly': Eval('state') != 'draft'},
        help="The town or welfare organisation the funds are passed on to.")
    recipient_kind = fields.Selection([
            ('town', "Town"),
            ('welfare', "Welfare Organisation"),
            ], "Kind of Recipient", required=True,
        states={'readonly': Eval('state') != 'draft'})
    agreement = fields.Many2One('kim.cooperation_agreement',
        "Weiterleitungsvertrag", required=True, ondelete='RESTRICT',
        domain=[
            ('type', '=', 'forwarding'),
            If(Bool(Eval('recipient')),
                ('partners', '=', Eval('recipient', -1)), ()),
            ],
        states={'readonly': Eval('state') != 'draft'})
    kind = fields.Many2One('kim.funding.position_kind', "Position Kind",
        required=True, ondelete='RESTRICT',
        domain=[('baustein', '=', Eval('baustein', -1))],
        states={'readonly': Eval('state') != 'draft'},
        help="The kind of the forwarded posts, whose rate caps the amount; "
        "the Baustein's first kind when left empty.")
    baustein = fields.Function(fields.Many2One(
            'kim.funding.baustein', "Baustein"),
        'on_change_with_baustein')
    vzae = fields.Numeric("VZÄ", digits=VZAE, required=True,
        states={'readonly': Eval('state') != 'draft'},
        help="The VZÄ funded by the forwarded amount.")
    amount = Monetary("Amount", currency='currency', digits='currency',
        required=True, states={'readonly': Eval('state') != 'draft'},
        help="At most the rate of the kind times the VZÄ; all "
        "Weiterleitungen of a Bescheid together at most its amount.")
    rate_cap = fields.Function(Monetary("Cap by Rate", currency='currency',
            digits='currency',
            help="The rate of the position kind for the year times the "
            "VZÄ."), 'get_rate_cap')
    consent_date = fields.Date("Authority's Consent On",
        states={'readonly': Eval('state') != 'draft'},
        help="The date of the approving authority's consent to the "
        "Weiterleitung; not needed when the Bescheid permits it.")
    consent_reference = fields.Char("Consent Reference",
        states={'readonly': Eval('state') != 'draft'},
        help="The letter or file number of the consent.")
    payment_date = fields.Date("Paid On",
        states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('state') != 'draft',
            })
    proof_deadline = fields.Date("Recipient's Proof Due",
        states={'readonly': Eval('state').in_(['proof_received', 'checked'])},
        help="The Nachweisfrist of the Weiterleitungsvertrag: the date by "
        "which the recipient proves the use of the funds.")
    allowed_amount = fields.Function(Monetary("Recognised",
            currency='currency', digits='currency',
            help="The amount the recipient may keep: the forwarded amount "
            "capped at the rate times the VZÄ and at the expenses the "
            "recipient proved."), 'get_allowed_amount')
    proof_date = fields.Date("Proof Received On",
        states={
            'readonly': Eval('state').in_(['draft', 'checked']),
            'invisible': Eval('state') == 'draft',
            'required': Eval('state').in_(['proof_received', 'checked']),
            })
    proof_spent = Monetary("Spent by Recipient", currency='currency',
        digits='currency',
        states={
            'readonly': Eval('state').in_(['draft', 'checked']),
            'invisible': Eval('state') == 'draft',
            'required': Eval('state').in_(['proof_received', 'checked']),
            },
        help="The expenses the recipient's own proof of use shows.")
    proof_note = fields.Text("Proof Note",
        states={'invisible': Eval('state') == 'draft'})
    check_result = fields.Selection([
            (None, ""),
            ('checked', "Geprüft"),
            ('additional', "Nachforderung"),
            ('repayment', "Rückforderung"),
            ], "Check Result",
        states={
            'readonly': Eval('state') != 'proof_received',
            'invisible': ~Eval('state').in_(['proof_received', 'checked']),
            'required': Eval('state') == 'checked',
            },
        help="Geprüft: the proof is complete and shows the use of the whole "
        "amount; Nachforderung: documents or explanations are requested; "
        "Rückforderung: unspent or wrongly spent funds are claimed back. "
        "Left empty, checking derives it from the amounts.")
    repayment_amount = Monetary("Repayment", currency='currency',
        digits='currency',
        states={
            'readonly': Eval('state') != 'proof_received',
            'invisible': Eval('check_result') != 'repayment',
            })
    check_date = fields.Date("Checked On", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('paid', "Paid"),
            ('proof_received', "Proof Received"),
            ('checked', "Checked"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.decision, Index.Equality())))
        cls._order = [('payment_date', 'DESC NULLS FIRST'), ('id', 'DESC')]
        cls._guard(initial='draft', protected={'check_date'})
        cls._transitions |= {
            ('draft', 'paid'),
            ('paid', 'draft'),
            ('paid', 'proof_received'),
            ('proof_received', 'checked'),
            ('proof_received', 'paid'),
            ('checked', 'proof_received'),
            }
        cls._buttons.update({
                'pay': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'paid',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'receive_proof': {
                    'invisible': ~Eval('state').in_(['paid', 'checked']),
                    'icon': If(Eval('state') == 'checked',
                        'tryton-back', 'tryton-forward'),
                    'depends': ['state'],
                    },
                'check': {
                    'invisible': Eval('state') != 'proof_received',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_recipient_kind(cls):
        return 'welfare'

    @fields.depends('decision', '_parent_decision.baustein')
    def on_change_with_baustein(self, name=None):
        return self.decision.baustein if self.decision else None

    @fields.depends('decision', 'kind', methods=['on_change_with_baustein'])
    def on_change_decision(self):
        baustein = self.on_change_with_baustein()
        if baustein and (not self.kind or self.kind.baustein != baustein):
            self.kind = baustein.main_kind

    @classmethod
    def preprocess_values(cls, mode, values):
        "A Weiterleitung without kind gets the first kind of the Baustein"
        Decision = Pool().get('kim.funding.decision')
        values = super().preprocess_values(mode, values)
        if (mode == 'create' and not values.get('kind')
                and values.get('decision')):
            kind = Decision(values['decision']).baustein.main_kind
            if kind:
                values['kind'] = kind.id
        return values

    def get_rec_name(self, name):
        return '%s: %s' % (self.recipient.rec_name, self.decision.rec_name)

    def get_rate_cap(self, name):
        if self.kind and self.vzae is not None:
            kind_rate = self.kind.get_rate(self.decision.year)
            if kind_rate:
                return self.decision.currency.round(
                    kind_rate.amount_for(self.vzae))

    def get_allowed_amount(self, name):
        if self.proof_spent is None:
            return None
        allowed = min(self.amount, self.proof_spent)
        if self.rate_cap is not None:
            allowed = min(allowed, self.rate_cap)
        return allowed

    @classmethod
    def validate_fields(cls, forwardings, field_names):
        super().validate_fields(forwardings, field_names)
        for forwarding in forwardings:
            for name in ['amount', 'proof_spent', 'repayment_amount']:
                value = getattr(forwarding, name)
                if value is not None and value < 0:
                    raise FundingValidationError(gettext(
                            'kim_reporting.msg_amount_negative',
                            record=forwarding.rec_name))
            if (forwarding.agreement and forwarding.recipient
                    not in forwarding.agreement.partners):
                raise FundingValidationError(gettext(
                        'kim_reporting.msg_forwarding_recipient',
                        forwarding=forwarding.rec_name,
                        agreement=forwarding.agreement.rec_name))
            baustein = forwarding.decision.baustein
            if forwarding.kind.baustein != baustein:
                raise FundingValidationError(gettext(
                        'kim_reporting.msg_kind_baustein',
                        kind=forwarding.kind.rec_name,
                        baustein=baustein.rec_name))
            check_vzae_step(forwarding.vzae, baustein.vzae_step,
                forwarding.rec_name, baustein.rec_name,
                forwarding.kind.min_vzae, forwarding.kind.rec_name)
            cap = forwarding.rate_cap
            if cap is not None and forwarding.amount > cap:
                raise FundingValidationError(gettext(
                        'kim_reporting.msg_forwarding_rate_cap',
                        forwarding=forwarding.rec_name,
                        amount=fmt(forwarding.amount), cap=fmt(cap),
                        vzae=fmt(forwarding.vzae),
                        kind=forwarding.kind.rec_name))
        cls.check_decision_amount({f.decision for f in forwardings})

    @classmethod
    def check_decision_amount(cls, decisions):
        "All Weiterleitungen of a Bescheid together at most its amount"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        decisions = [d for d in decisions if d.id is not None]
        if not decisions:
            return
        cursor.execute(*table.select(table.decision, Sum(table.amount),
                where=table.decision.in_([d.id for d in decisions]),
                group_by=[table.decision]))
        totals = dict(cursor)
        for decision in decisions:
            total = Decimal(str(totals.get(decision.id) or 0))
            if total > decision.amount:
                raise FundingValidationError(gettext(
                        'kim_reporting.msg_forwarding_decision_cap',
                        decision=decision.rec_name, total=fmt(total),
                        amount=fmt(decision.amount)))

    @classmethod
    def check_modification(cls, mode, forwardings, values=None,
            external=False):
        super().check_modification(
            mode, forwardings, values=values, external=external)
        if mode == 'delete':
            for forwarding in forwardings:
                if forwarding.state != 'draft':
                    raise FundingError(gettext(
                            'kim_reporting.msg_forwarding_delete',
                            forwarding=forwarding.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('paid')
    def pay(cls, forwardings):
        Warning = Pool().get('res.user.warning')
        for forwarding in forwardings:
            if forwarding.agreement.state != 'signed':
                raise FundingError(gettext(
                        'kim_reporting.msg_forwarding_unsigned',
                        forwarding=forwarding.rec_name,
                        agreement=forwarding.agreement.rec_name))
            if (not forwarding.decision.forwarding_consent
                    and not forwarding.consent_date):
                key = Warning.format('forwarding_consent', [forwarding])
                if Warning.check(key):
                    raise FundingWarning(key, gettext(
                            'kim_reporting.msg_forwarding_no_consent',
                            forwarding=forwarding.rec_name,
                            decision=forwarding.decision.rec_name))
            if not forwarding.payment_date:
                forwarding.payment_date = today()
        cls.save(forwardings)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, forwardings):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('proof_received')
    def receive_proof(cls, forwardings):
        for forwarding in forwardings:
            if forwarding.proof_spent is None:
                raise FundingError(gettext(
                        'kim_reporting.msg_forwarding_proof_missing',
                        forwarding=forwarding.rec_name))
            if not forwarding.proof_date:
                forwarding.proof_date = today()
            forwarding.check_date = None
        cls.save(forwardings)

    @classmethod
    @ModelView.button
    @Workflow.transition('checked')
    def check(cls, forwardings):
        "Record the check of the recipient's proof of use"
        for forwarding in forwardings:
            # the recipient keeps at most its proven expenses and the rate
            unspent = forwarding.amount - forwarding.allowed_amount
            if not forwarding.check_result:
                forwarding.check_result = (
                    'repayment' if unspent > 0 else 'checked')
            if (forwarding.check_result == 'repayment'
                    and forwarding.repayment_amount is None):
                forwarding.repayment_amount = max(unspent, Decimal(0))
            if forwarding.check_result != 'repayment':
                forwarding.repayment_amount = None
            forwarding.check_date = today()
        cls.save(forwardings)
