# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Verwendungsnachweis and Zwischennachweis of a Förderbescheid: the
zahlenmäßiger Nachweis for the period of the Bescheid computed in SQL and
stored as lines (plan against actual for a Zuwendung, the filled posts for a
Pauschale), and the Sachbericht pre-filled with the period's Kennzahlen;
draft -> checked -> submitted."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sql import Literal, Null
from sql.aggregate import Sum
from sql.conditionals import Case as SqlCase

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.currency.fields import Monetary
from trytond.modules.kim_network.common import PageStyleMixin
from trytond.modules.kim_network.workflow import WorkflowGuard
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.report import Report
from trytond.transaction import Transaction

from .exceptions import ProofError
from .funding import FUNDING_TYPES, VZAE, CompanyMixin, year_bounds
from .indicator_engine import SOURCES
from .spreadsheet import xlsx

SECTIONS = [
    ('income', "Income"),
    ('forwarding', "Weiterleitung"),
    ('expense', "Expenses against the Finanzierungsplan"),
    ('pauschale', "Pauschale for the Filled Posts"),
    ('result', "Result"),
    ('staff', "Filled Posts and Personnel Costs"),
    ]
KINDS = [
    ('final', "Verwendungsnachweis"),
    ('interim', "Zwischennachweis"),
    ]
_DRAFT = {'readonly': Eval('state') != 'draft'}
# lines that print as totals
TOTAL_CODES = {'forwarded_net', 'spent', 'earned', 'balance', 'repayment'}
# the message of the name of each line code
LINE_MESSAGES = {
    'granted': 'msg_line_granted',
    'received': 'msg_line_received',
    'forwarded': 'msg_line_forwarded',
    'repaid': 'msg_line_repaid',
    'forwarded_net': 'msg_line_forwarded_net',
    'position': 'msg_line_personnel',
    'workplace': 'msg_line_workplace',
    'workplace_excess': 'msg_line_workplace_excess',
    'advice': 'msg_line_advice',
    'spent': 'msg_line_spent',
    'pauschale': 'msg_line_pauschale',
    'earned': 'msg_line_earned',
    'balance': 'msg_line_balance',
    'repayment': 'msg_line_repayment',
    'positions': 'msg_line_positions',
    'positions_forwarded': 'msg_line_positions_forwarded',
    'filled': 'msg_line_filled',
    'filled_forwarded': 'msg_line_filled_forwarded',
    }


def _decimal(value):
    return Decimal(str(value or 0))


def document_language():
    """The language of the documents for the Bewilligungsbehörde: German
    when it is loaded, else the user's"""
    Lang = Pool().get('ir.lang')
    langs = Lang.search([('code', '=', 'de'), ('translatable', '=', True)],
        limit=1)
    return langs[0].code if langs else Transaction().language


def months_of(start, end):
    "The months of the period as the dates of their 15th inside it"
    day = dt.date(start.year, start.month, 15)
    months = []
    while day <= end:
        if day >= start:
            months.append(day)
        day += relativedelta(months=1)
    return months


class Proof(CompanyMixin, WorkflowGuard, Workflow, ModelSQL, ModelView):
    __string__ = "Verwendungsnachweis"
    __name__ = 'kim.funding.proof'
    number = fields.Char("Number", readonly=True,
        help="Assigned from the sequence of the KIM configuration when "
        "the proof is submitted.")
    kind = fields.Selection(KINDS, "Kind", required=True, states=_DRAFT,
        help="The Verwendungsnachweis covers the whole period of the "
        "Bescheid; a Zwischennachweis the part of it up to its end date.")
    kind_string = kind.translated('kind')
    baustein = fields.Many2One('kim.funding.baustein', "Baustein",
        required=True, ondelete='RESTRICT', states=_DRAFT)
    year = fields.Integer("Year", required=True, states=_DRAFT)
    decision = fields.Many2One('kim.funding.decision', "Förderbescheid",
        ondelete='RESTRICT', states=_DRAFT,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('baustein', '=', Eval('baustein', -1)),
            ('year', '=', Eval('year', -1)),
            ],
        help="The Bescheid the proof answers: its period, plan, file "
        "number and deadline go on the document.")
    funding_type = fields.Function(fields.Selection(FUNDING_TYPES,
            "Funding Type"), 'on_change_with_funding_type')
    funding_type_string = funding_type.translated('funding_type')
    period_start = fields.Date("Period Start", states=_DRAFT,
        help="The start of the period the proof covers; the Bescheid's.")
    period_end = fields.Date("Period End", states=_DRAFT,
        domain=[If(Eval('period_start') & Eval('period_end'),
                ('period_end', '>=', Eval('period_start')), ())],
        help="The end of the period the proof covers: the Bescheid's for "
        "a Verwendungsnachweis, earlier for a Zwischennachweis.")
    deadline = fields.Function(fields.Date("Due",
            help="The deadline of the Bescheid for this kind of proof."),
        'on_change_with_deadline')
    lines = fields.One2Many('kim.funding.proof.line', 'proof',
        "Zahlenmäßiger Nachweis", readonly=True)
    sachbericht = fields.Text("Sachbericht",
        states={'readonly': Eval('state') == 'submitted'},
        help="Pre-filled with the period's Kennzahlen when the numbers are "
        "computed; edit it before the proof is submitted.")
    received = fields.Function(Monetary("Received", currency='currency',
            digits='currency'), 'get_total')
    forwarded = fields.Function(Monetary("Forwarded (net)",
            currency='currency', digits='currency'), 'get_total')
    spent = fields.Function(Monetary("Used", currency='currency',
            digits='currency',
            help="Zuwendung: the expenses of the Finanzierungsplan "
            "(Weiterleitung included); Pauschale: the Pauschale for the "
            "filled posts."), 'get_total')
    balance = fields.Function(Monetary("Balance", currency='currency',
            digits='currency',
            help="Received minus used; a positive balance is to be paid "
            "back."), 'get_total')
    computed_at = fields.Timestamp("Computed At", readonly=True)
    checked_by = fields.Many2One('res.user', "Checked By", readonly=True)
    submitted_date = fields.Date("Submitted On", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('checked', "Checked"),
            ('submitted', "Submitted"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.baustein, Index.Equality()), (t.year, Index.Equality())))
        cls._order = [('year', 'DESC'), ('baustein', 'ASC'), ('id', 'DESC')]
        cls._guard(initial='draft',
            protected={'number', 'lines', 'computed_at', 'checked_by',
                'submitted_date'},
            final={'submitted': set()},
            final_message='kim_reporting.msg_proof_submitted')
        cls._transitions |= {
            ('draft', 'checked'),
            ('checked', 'draft'),
            ('checked', 'submitted'),
            }
        cls._buttons.update({
                'compute': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                'check': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'checked',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'submit': {
                    'invisible': Eval('state') != 'checked',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_kind(cls):
        return 'final'

    @fields.depends('decision', 'baustein', 'year')
    def on_change_with_funding_type(self, name=None):
        if self.decision:
            return self.decision.funding_type
        if self.baustein and self.year:
            return self.baustein.get_funding_type(self.year)

    @fields.depends('decision', 'kind')
    def on_change_with_deadline(self, name=None):
        if self.decision:
            if self.kind == 'interim':
                return self.decision.interim_deadline
            return self.decision.proof_deadline

    @fields.depends('decision', 'kind', 'period_start', 'period_end',
        'baustein', 'year')
    def on_change_decision(self):
        if self.decision:
            self.baustein = self.decision.baustein
            self.year = self.decision.year
            self.period_start, self.period_end = self.period_of_decision(
                self.decision, self.kind)

    @fields.depends(methods=['on_change_decision'])
    def on_change_kind(self):
        self.on_change_decision()

    @staticmethod
    def period_of_decision(decision, kind):
        """The Bescheid's period; for a Zwischennachweis up to the end of
        the first calendar year of it"""
        start, end = decision.period_start, decision.period_end
        if kind == 'interim':
            end = min(end, dt.date(start.year, 12, 31))
        return start, end

    @classmethod
    def preprocess_values(cls, mode, values):
        "Take the period from the Bescheid when none is given"
        Decision = Pool().get('kim.funding.decision')
        values = super().preprocess_values(mode, values)
        if (mode == 'create' and values.get('decision')
                and not values.get('period_start')
                and not values.get('period_end')):
            start, end = cls.period_of_decision(Decision(values['decision']),
                values.get('kind', cls.default_kind()))
            values.update(period_start=start, period_end=end)
        return values

    def get_period(self):
        "The period of the numbers: the proof's, the Bescheid's or the year"
        start, end = year_bounds(self.year)
        if self.decision:
            start, end = self.decision.period_start, self.decision.period_end
        return self.period_start or start, self.period_end or end

    def get_rec_name(self, name):
        return '%s%s %s %s' % (
            (self.number + ' ') if self.number else '',
            self.kind_string, self.baustein.rec_name, self.year)

    @classmethod
    def get_total(cls, proofs, names):
        codes = {
            'received': ['received'],
            'forwarded': ['forwarded_net'],
            'spent': ['spent', 'earned'],
            'balance': ['balance'],
            }
        result = {n: {p.id: None for p in proofs} for n in names}
        for proof in proofs:
            by_code = {line.code: line.amount for line in proof.lines}
            for name in names:
                values = [by_code.get(c) for c in codes[name]]
                if any(v is not None for v in values):
                    result[name][proof.id] = sum(
                        (v or 0 for v in values), Decimal(0))
        return result

    @classmethod
    def validate_fields(cls, proofs, field_names):
        super().validate_fields(proofs, field_names)
        for proof in proofs:
            start, end = proof.get_period()
            if end < start:
                raise ProofError(gettext(
                        'kim_reporting.msg_period_invalid',
                        record=proof.rec_name))
            decision = proof.decision
            if decision and (start < decision.period_start
                    or end > decision.period_end):
                raise ProofError(gettext(
                        'kim_reporting.msg_proof_period',
                        proof=proof.rec_name, decision=decision.rec_name))
            if proof.kind == 'interim' and decision and (
                    end >= decision.period_end):
                raise ProofError(gettext(
                        'kim_reporting.msg_proof_interim_period',
                        proof=proof.rec_name, decision=decision.rec_name))

    @classmethod
    def check_modification(cls, mode, proofs, values=None, external=False):
        super().check_modification(
            mode, proofs, values=values, external=external)
        if mode in {'write', 'delete'}:
            for proof in proofs:
                if proof.state == 'submitted':
                    raise ProofError(gettext(
                            'kim_reporting.msg_proof_submitted',
                            record=proof.rec_name))

    @classmethod
    def copy(cls, proofs, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        default.setdefault('lines', None)
        default.setdefault('computed_at', None)
        default.setdefault('checked_by', None)
        default.setdefault('submitted_date', None)
        return super().copy(proofs, default=default)

    # --- the numbers -------------------------------------------------------
    def compute_numbers(self):
        """Return the values of the lines of the zahlenmäßiger Nachweis,
        section by section, each from aggregate queries; runs as root"""
        numbers = ProofNumbers(self)
        received = numbers.income()
        forwarding = numbers.forwarding()
        personnel = numbers.personnel()
        if self.funding_type == 'pauschale':
            used = numbers.pauschale(personnel)
        else:
            used = numbers.expenses(personnel, forwarding)
        numbers.result(received, used)
        numbers.staff(personnel)
        return numbers.lines

    def sachbericht_kennzahlen(self, start, end):
        """Return [(label, value)] of the Kennzahlen of the period and of
        the steering work: the active indicator definitions, named in the
        current language"""
        Indicator = Pool().get('kim.indicator')
        values, structure = [], []
        for indicator, value in Indicator.compute_totals(
                self.company, start, end):
            steering = SOURCES[indicator.source][0] == 'steering'
            (structure if steering else values).append(
                (indicator.name, value))
        return values, structure

    def sachbericht_draft(self):
        "The Sachbericht pre-filled with the Kennzahlen of the period"
        Lang = Pool().get('ir.lang')
        lang = Lang.get()
        start, end = self.get_period()
        values, structure = self.sachbericht_kennzahlen(start, end)

        def number(value):
            if value is None:
                return '-'
            value = Decimal(value)
            digits = max(-value.normalize().as_tuple().exponent, 0)
            return lang.format_number(value, digits)
        numbers = '\n'.join('- %s: %s' % (label, number(value))
            for label, value in values)
        structure_numbers = '\n'.join('- %s: %s' % (label, number(value))
            for label, value in structure)
        return gettext('kim_reporting.msg_sachbericht_template',
            kind=self.kind_string, baustein=self.baustein.rec_name,
            start=lang.strftime(start), end=lang.strftime(end),
            numbers=numbers,
            structure=structure_numbers or gettext(
                'kim_reporting.msg_sachbericht_no_structure'))

    @classmethod
    @ModelView.button
    def compute(cls, proofs):
        pool = Pool()
        Line = pool.get('kim.funding.proof.line')
        now = dt.datetime.now()
        for proof in proofs:
            if proof.state != 'draft':
                raise ProofError(gettext(
                        'kim_reporting.msg_proof_not_draft',
                        proof=proof.rec_name))
            with Transaction().set_user(0), \
                    Transaction().set_context(_check_access=False):
                values = proof.compute_numbers()
                Line.delete(Line.search([('proof', '=', proof.id)]))
                Line.create([dict(v, proof=proof.id) for v in values])
                to_write = {'computed_at': now}
                if not proof.sachbericht:
                    to_write['sachbericht'] = proof.sachbericht_draft()
                cls.write([proof], to_write)

    @classmethod
    @ModelView.button
    @Workflow.transition('checked')
    def check(cls, proofs):
        cls.compute(proofs)
        for proof in proofs:
            proof.checked_by = Transaction().user
        cls.save(proofs)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, proofs):
        cls.write(proofs, {'checked_by': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('submitted')
    def submit(cls, proofs):
        pool = Pool()
        Configuration = pool.get('kim.configuration')
        Date = pool.get('ir.date')
        config = Configuration(1)
        for proof in proofs:
            if not proof.sachbericht:
                raise ProofError(gettext(
                        'kim_reporting.msg_proof_no_sachbericht',
                        proof=proof.rec_name))
            if not proof.number:
                proof.number = config.get_proof_sequence().get()
            proof.submitted_date = Date.today()
        cls.save(proofs)

    def line_amount(self, code):
        for line in self.lines:
            if line.code == code:
                return line.amount

    def spreadsheet_sheet(self):
        """The (name, rows, options) of the proof's sheet: a head with the
        Bescheid, then one row per line under a frozen column header"""
        Lang = Pool().get('ir.lang')
        lang = Lang.get()
        start, end = self.get_period()
        decision = self.decision
        rows = [
            [self.kind_string, self.number or gettext(
                    'kim_reporting.msg_proof_unnumbered')],
            [gettext('kim_reporting.msg_xlsx_recipient'),
                self.company.rec_name],
            [gettext('kim_reporting.msg_xlsx_decision'),
                '%s, %s' % (decision.file_number, lang.strftime(
                        decision.date)) if decision else ''],
            [gettext('kim_reporting.msg_xlsx_baustein'),
                self.baustein.rec_name],
            [gettext('kim_reporting.msg_xlsx_period'), start, end],
            [],
            [gettext('kim_reporting.msg_xlsx_section'),
                gettext('kim_reporting.msg_xlsx_item'),
                gettext('kim_reporting.msg_xlsx_quantity'),
                gettext('kim_reporting.msg_xlsx_planned',
                    currency=self.company.currency.code),
                gettext('kim_reporting.msg_xlsx_amount',
                    currency=self.company.currency.code)],
            ]
        header = len(rows)
        for line in self.lines:
            rows.append([line.section_string, line.name, line.quantity,
                    line.planned, line.amount])
        name = '%s %s' % (self.baustein.rec_name.split(':')[0], self.year)
        return name, rows, {
            'header_row': header,
            'widths': [34, 58, 12, 16, 16],
            'formats': [None, None, 'vzae', 'money', 'money'],
            }


class ProofNumbers:
    """The zahlenmäßiger Nachweis of a proof, one method per section; each
    appends its lines and returns what later sections need"""

    def __init__(self, proof):
        pool = Pool()
        self.proof = proof
        self.pool = pool
        self.cursor = Transaction().connection.cursor()
        self.company = proof.company.id
        self.baustein = proof.baustein
        self.start, self.end = proof.get_period()
        self.final = proof.kind == 'final'
        self.currency = proof.company.currency
        self.rate = proof.baustein.get_rate(proof.year)
        self.lines = []
        Decision = pool.get('kim.funding.decision')
        self.decision = Decision.__table__()
        decision = self.decision
        if proof.decision:
            self.decision_where = decision.id == proof.decision.id
        else:
            self.decision_where = ((decision.company == self.company)
                & (decision.baustein == self.baustein.id)
                & (decision.year == proof.year)
                & (decision.state == 'granted'))

    def add(self, section, code, amount=None, quantity=None, planned=None,
            **values):
        self.lines.append(dict({
                    'sequence': len(self.lines) + 1,
                    'section': section,
                    'code': code,
                    'amount': (self.currency.round(_decimal(amount))
                        if amount is not None else None),
                    'planned': (self.currency.round(_decimal(planned))
                        if planned is not None else None),
                    'quantity': (_decimal(quantity).quantize(Decimal('0.01'))
                        if quantity is not None else None),
                    }, **values))

    def income(self):
        "Granted and received funds; return the received amount"
        Payment = self.pool.get('kim.funding.decision.payment')
        decision = self.decision
        self.cursor.execute(*decision.select(
                Sum(decision.amount), Sum(decision.eligible_vzae),
                where=self.decision_where))
        granted, granted_vzae = self.cursor.fetchone()
        payment = Payment.__table__()
        where = self.decision_where
        if not self.final:
            where &= payment.date <= self.end
        self.cursor.execute(*payment.join(decision,
                condition=payment.decision == decision.id).select(
                Sum(payment.amount), where=where))
        received = _decimal(self.cursor.fetchone()[0])
        self.add('income', 'granted', granted or 0, granted_vzae)
        self.add('income', 'received', received)
        return received

    def forwarding(self):
        """Forwarded funds less the repayments of the recipients; return
        {position kind id: forwarded net}"""
        Forwarding = self.pool.get('kim.funding.forwarding')
        forwarding = Forwarding.__table__()
        decision = self.decision
        repaid = SqlCase(((forwarding.state == 'checked')
                    & (forwarding.check_result == 'repayment'),
                    forwarding.repayment_amount), else_=Literal(0))
        where = self.decision_where & (forwarding.state != 'draft')
        if not self.final:
            where &= forwarding.payment_date <= self.end
        self.cursor.execute(*forwarding.join(decision,
                condition=forwarding.decision == decision.id).select(
                forwarding.kind, Sum(forwarding.amount), Sum(forwarding.vzae),
                Sum(repaid), where=where, group_by=[forwarding.kind]))
        by_kind = {}
        forwarded = vzae = repayments = Decimal(0)
        for kind, amount, kind_vzae, kind_repaid in self.cursor:
            by_kind[kind] = _decimal(amount) - _decimal(kind_repaid)
            forwarded += _decimal(amount)
            vzae += _decimal(kind_vzae)
            repayments += _decimal(kind_repaid)
        self.add('forwarding', 'forwarded', forwarded, vzae)
        self.add('forwarding', 'repaid', repayments)
        self.add('forwarding', 'forwarded_net', forwarded - repayments)
        return by_kind

    def personnel(self):
        """Filled VZÄ and personnel costs per month of the period, by
        position kind and whether the post is forwarded: an occupancy counts
        for a month when it covers the 15th, in the confirmed Stellenplan of
        the month's year. Return {(kind id, forwarded): [(vzae, cost)] per
        month} and the months"""
        pool = self.pool
        plan = pool.get('kim.funding.stellenplan').__table__()
        position = pool.get('kim.funding.position').__table__()
        occupancy = pool.get('kim.funding.occupancy').__table__()
        months = months_of(self.start, self.end)

        def covers(day):
            return ((occupancy.start_date <= day)
                & ((occupancy.end_date == Null)
                    | (occupancy.end_date >= day))
                & (plan.year == day.year))
        columns = []
        for day in months:
            columns.append(Sum(SqlCase((covers(day), occupancy.share),
                        else_=Literal(0))))
            columns.append(Sum(SqlCase((covers(day), occupancy.monthly_cost),
                        else_=Literal(0))))
        result = {}
        if months:
            self.cursor.execute(*occupancy
                .join(position, condition=occupancy.position == position.id)
                .join(plan, condition=position.stellenplan == plan.id)
                .select(position.kind, position.forwarded, *columns,
                    where=(plan.company == self.company)
                    & plan.year.in_(list({d.year for d in months}))
                    & (plan.state == 'confirmed')
                    & (position.baustein == self.baustein.id),
                    group_by=[position.kind, position.forwarded]))
            for kind, forwarded, *values in self.cursor:
                result[(kind, bool(forwarded))] = [
                    (_decimal(values[2 * i]), _decimal(values[2 * i + 1]))
                    for i in range(len(months))]
        return result, months

    def _costs(self):
        "{category id: (kind, amount)} of the costs of the period"
        pool = self.pool
        cost = pool.get('kim.funding.cost').__table__()
        category = pool.get('kim.funding.cost_category').__table__()
        self.cursor.execute(*cost.join(category,
                condition=cost.category == category.id).select(
                category.id, category.kind, Sum(cost.amount),
                where=(cost.company == self.company)
                & (cost.baustein == self.baustein.id)
                & (cost.date >= self.start) & (cost.date <= self.end),
                group_by=[category.id, category.kind, category.sequence],
                order_by=[category.sequence, category.id]))
        return {c: (kind, _decimal(amount)) for c, kind, amount in self.cursor}

    def _advice(self):
        "The eligible amount and the number of process advice days"
        advice = self.pool.get('kim.funding.advice_day').__table__()
        cap = self.rate.advice_day_cap if self.rate else None
        eligible = (SqlCase((advice.amount > cap, Literal(cap)),
                else_=advice.amount) if cap is not None else advice.amount)
        self.cursor.execute(*advice.select(Sum(eligible), Sum(Literal(1)),
                where=(advice.company == self.company)
                & (advice.baustein == self.baustein.id)
                & (advice.date >= self.start) & (advice.date <= self.end)))
        amount, days = self.cursor.fetchone()
        return _decimal(amount), int(days or 0)

    def expenses(self, personnel, forwarded):
        """Zuwendung: the actual expenses against each item of the
        Finanzierungsplan (personnel costs per position kind with the funds
        forwarded for it, the workplace costs up to the allowance,
        Sachausgaben by category, eligible process advice), then the items
        outside the plan; return the total"""
        Category = self.pool.get('kim.funding.cost_category')
        by_month, months = personnel
        personnel_kind = defaultdict(Decimal)
        for (kind, is_forwarded), values in by_month.items():
            if not is_forwarded:
                personnel_kind[kind] += sum((c for _, c in values),
                    Decimal(0))
        actual_kind = defaultdict(Decimal, personnel_kind)
        for kind, amount in forwarded.items():
            actual_kind[kind] += amount
        costs = self._costs()
        advice_amount, advice_days = self._advice()
        plan = list(self.proof.decision.lines) if self.proof.decision else []
        workplace_costs = sum((a for k, a in costs.values()
                if k == 'workplace'), Decimal(0))
        workplace_cap = self._workplace_cap(plan, by_month, months)
        workplace_eligible = (min(workplace_costs, workplace_cap)
            if workplace_cap is not None else workplace_costs)
        total = planned_total = Decimal(0)
        done_kinds, done_categories = set(), set()
        advice_done = workplace_done = False

        def add(code, planned, actual, quantity=None, **values):
            nonlocal total, planned_total
            total += actual
            planned_total += planned or 0
            self.add('expense', code, actual, quantity, planned, **values)
        for item in plan:
            if item.type == 'position':
                done_kinds.add(item.kind.id)
                add('position', item.amount, actual_kind.get(item.kind.id, 0),
                    item.vzae, kind=item.kind.id)
            elif item.type == 'workplace':
                workplace_done = True
                add('workplace', item.amount, workplace_eligible, item.vzae,
                    category=item.category.id if item.category else None)
            elif item.type == 'advice':
                advice_done = True
                add('advice', item.amount, advice_amount, advice_days)
            elif item.type == 'cost':
                done_categories.add(item.category.id)
                add('cost', item.amount,
                    costs.get(item.category.id, (None, Decimal(0)))[1],
                    category=item.category.id)
        for kind, amount in sorted(actual_kind.items(),
                key=lambda i: i[0] or 0):
            if kind not in done_kinds and amount:
                add('position', None, amount, kind=kind)
        if not workplace_done and workplace_costs:
            add('workplace', None, workplace_eligible)
        for category in Category.browse([c for c in costs
                    if c not in done_categories]):
            kind, amount = costs[category.id]
            if kind != 'workplace':
                add('cost', None, amount, category=category.id)
        if not advice_done and advice_days:
            add('advice', None, advice_amount, advice_days)
        if workplace_costs > workplace_eligible:
            self.add('expense', 'workplace_excess',
                workplace_costs - workplace_eligible)
        self.add('expense', 'spent', total,
            planned=planned_total if plan else None)
        return total

    def _workplace_cap(self, plan, by_month, months):
        """The workplace allowance: its rate times the VZÄ of the plan's
        workplace item, else times the most VZÄ filled in a month"""
        if not self.rate or self.rate.workplace_rate is None:
            return None
        vzae = sum((i.vzae or 0 for i in plan if i.type == 'workplace'),
            Decimal(0))
        if not any(i.type == 'workplace' for i in plan):
            vzae = max((sum((values[m][0] for values in by_month.values()),
                            Decimal(0)) for m in range(len(months))),
                default=Decimal(0))
        return self.rate.workplace_rate * vzae

    def pauschale(self, personnel):
        """Pauschale: the filled posts per position kind (own and forwarded)
        in VZÄ-years and the Pauschale they earn at the rate of the year;
        return the total"""
        Kind = self.pool.get('kim.funding.position_kind')
        by_month, months = personnel
        vzae_months = defaultdict(Decimal)
        for (kind, _), values in by_month.items():
            vzae_months[kind] += sum((v for v, _ in values), Decimal(0))
        total = Decimal(0)
        for kind in Kind.browse([k for k in vzae_months if k]):
            kind_rate = kind.get_rate(self.proof.year)
            vzae_years = vzae_months[kind.id] / 12
            amount = (kind_rate.amount_for(vzae_years) if kind_rate
                else Decimal(0))
            total += self.currency.round(amount)
            self.add('pauschale', 'pauschale', amount, vzae_years,
                kind=kind.id)
        granted = self.lines[0]['amount']
        if granted:
            total = min(total, granted)
        self.add('pauschale', 'earned', total)
        return total

    def result(self, received, used):
        "The balance and what is to be paid back"
        balance = received - used
        self.add('result', 'balance', balance)
        self.add('result', 'repayment', max(balance, Decimal(0)))

    def staff(self, personnel):
        """The planned and forwarded VZÄ, then per month the filled VZÄ and
        the personnel costs of the posts not forwarded (both of the same
        posts), and the filled VZÄ of the forwarded posts"""
        pool = self.pool
        plan = pool.get('kim.funding.stellenplan').__table__()
        position = pool.get('kim.funding.position').__table__()
        by_month, months = personnel
        years = list({d.year for d in months}) or [self.proof.year]
        self.cursor.execute(*position.join(plan,
                condition=position.stellenplan == plan.id).select(
                Sum(position.vzae),
                Sum(SqlCase((position.forwarded == Literal(True),
                            position.vzae), else_=Literal(0))),
                Sum(Literal(1)),
                where=(plan.company == self.company)
                & plan.year.in_(years) & (plan.state == 'confirmed')
                & (position.baustein == self.baustein.id)))
        planned, planned_forwarded, _ = self.cursor.fetchone()
        # a period over two years has two Stellenpläne: their mean
        self.add('staff', 'positions',
            quantity=_decimal(planned) / len(years))
        self.add('staff', 'positions_forwarded',
            quantity=_decimal(planned_forwarded) / len(years))
        for i, day in enumerate(months):
            vzae = cost = forwarded = Decimal(0)
            for (_, is_forwarded), values in by_month.items():
                if is_forwarded:
                    forwarded += values[i][0]
                else:
                    vzae += values[i][0]
                    cost += values[i][1]
            self.add('staff', 'filled', cost, vzae, month=day.replace(day=1))
            self.add('staff', 'filled_forwarded', None, forwarded,
                month=day.replace(day=1))


class ProofLine(ModelSQL, ModelView):
    __string__ = "Verwendungsnachweis Line"
    __name__ = 'kim.funding.proof.line'
    _rec_name = 'code'
    proof = fields.Many2One('kim.funding.proof', "Verwendungsnachweis",
        required=True, ondelete='CASCADE', readonly=True)
    sequence = fields.Integer("Sequence", readonly=True)
    section = fields.Selection(SECTIONS, "Section", readonly=True)
    section_string = section.translated('section')
    code = fields.Char("Code", readonly=True)
    kind = fields.Many2One('kim.funding.position_kind', "Position Kind",
        readonly=True, ondelete='RESTRICT')
    category = fields.Many2One('kim.funding.cost_category', "Cost Category",
        readonly=True, ondelete='RESTRICT')
    month = fields.Date("Month", readonly=True)
    name = fields.Function(fields.Char("Item"), 'get_name')
    quantity = fields.Numeric("VZÄ / Days", digits=VZAE, readonly=True)
    planned = Monetary("Planned", currency='currency', digits='currency',
        readonly=True,
        help="The amount of the item in the Finanzierungsplan.")
    amount = Monetary("Actual", currency='currency', digits='currency',
        readonly=True)
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('proof')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.proof, Index.Equality())))
        cls._order = [('proof', 'ASC'), ('sequence', 'ASC'), ('id', 'ASC')]

    @fields.depends('proof', '_parent_proof.company', 'amount', 'planned')
    def on_change_with_currency(self, name=None):
        # a line of VZÄ or days has no amount: no currency sign either (the
        # client shows the sign of an empty amount)
        if (self.proof and self.proof.company
                and (self.amount is not None or self.planned is not None)):
            return self.proof.company.currency

    def get_name(self, name):
        "The label of the line in the current language"
        if self.code in {'position', 'pauschale'} and self.kind:
            return gettext('kim_reporting.%s' % LINE_MESSAGES[self.code],
                kind=self.kind.rec_name)
        if self.code == 'cost' and self.category:
            return self.category.rec_name
        if self.code in {'filled', 'filled_forwarded'} and self.month:
            return gettext('kim_reporting.%s' % LINE_MESSAGES[self.code],
                month=self.month.strftime('%m/%Y'))
        if self.code in LINE_MESSAGES:
            return gettext('kim_reporting.%s' % LINE_MESSAGES[self.code],
                kind='', month='')
        return self.code

    def get_rec_name(self, name):
        return self.name

    @property
    def is_total(self):
        return self.code in TOTAL_CODES


class ProofReport(PageStyleMixin, Report):
    __string__ = "Verwendungsnachweis"
    __name__ = 'kim.funding.proof'

    @classmethod
    def execute(cls, ids, data):
        with Transaction().set_context(language=document_language()):
            return super().execute(ids, data)

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Lang = pool.get('ir.lang')
        context = super().get_context(records, header, data)
        lang = Lang.get()
        context['lang'] = lang
        context['sections'] = [s for s, _ in SECTIONS]
        context['today'] = pool.get('ir.date').today()
        context['date'] = lambda d: lang.strftime(d) if d else ''
        context['number'] = lambda v, digits=2: (
            lang.format_number(v, digits) if v is not None else '')
        return context


class ProofSpreadsheet(Report):
    __string__ = "Verwendungsnachweis (Spreadsheet)"
    __name__ = 'kim.funding.proof.xlsx'

    @classmethod
    def execute(cls, ids, data):
        with Transaction().set_context(language=document_language()):
            return super().execute(ids, data)

    @classmethod
    def _execute(cls, records, header, data, action):
        return 'xlsx', xlsx([r.spreadsheet_sheet() for r in records])
