# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Verwendungsnachweis per Baustein and year: the zahlenmäßiger Nachweis
computed in SQL and stored as lines, and the Sachbericht pre-filled with the
year's Kennzahlen; draft -> checked -> submitted."""
import datetime as dt
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Sum
from sql.conditionals import Case as SqlCase

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.report import Report
from trytond.transaction import Transaction

from .exceptions import ProofError
from .funding import VZAE, CompanyMixin, year_bounds
from .indicator_engine import SOURCES
from .spreadsheet import xlsx

SECTIONS = [
    ('income', "Income"),
    ('forwarding', "Weiterleitung"),
    ('expense', "Own Expenses"),
    ('result', "Result"),
    ('staff', "Positions"),
    ]
_DRAFT = {'readonly': Eval('state') != 'draft'}
MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June',
    'July', 'August', 'September', 'October', 'November', 'December']


def _decimal(value):
    return Decimal(str(value or 0))


class Proof(CompanyMixin, Workflow, ModelSQL, ModelView):
    __string__ = "Verwendungsnachweis"
    __name__ = 'kim.funding.proof'
    number = fields.Char("Number", readonly=True,
        help="Assigned from the sequence of the KIM configuration when "
        "the proof is submitted.")
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
        help="The Bescheid the proof answers; its file number and "
        "deadline go on the document.")
    lines = fields.One2Many('kim.funding.proof.line', 'proof',
        "Zahlenmäßiger Nachweis", readonly=True)
    sachbericht = fields.Text("Sachbericht",
        states={'readonly': Eval('state') == 'submitted'},
        help="Pre-filled with the year's Kennzahlen when the numbers are "
        "computed; edit it before the proof is submitted.")
    received = fields.Function(Monetary("Received", currency='currency',
            digits='currency'), 'get_total')
    forwarded = fields.Function(Monetary("Forwarded (net)",
            currency='currency', digits='currency'), 'get_total')
    spent = fields.Function(Monetary("Own Expenses", currency='currency',
            digits='currency'), 'get_total')
    balance = fields.Function(Monetary("Balance", currency='currency',
            digits='currency',
            help="Received minus forwarded (net) minus own expenses; "
            "a positive balance is to be paid back."), 'get_total')
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

    def get_rec_name(self, name):
        return '%s%s %s' % (
            (self.number + ' ') if self.number else '',
            self.baustein.rec_name, self.year)

    @classmethod
    def get_total(cls, proofs, names):
        codes = {
            'received': ['received'],
            'forwarded': ['forwarded_net'],
            'spent': ['spent'],
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
    def check_modification(cls, mode, proofs, values=None, external=False):
        super().check_modification(
            mode, proofs, values=values, external=external)
        if mode in {'write', 'delete'}:
            for proof in proofs:
                if proof.state == 'submitted':
                    raise ProofError(gettext(
                            'kim_reporting.msg_proof_submitted',
                            proof=proof.rec_name))

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
        each an aggregate query; runs as root"""
        pool = Pool()
        Decision = pool.get('kim.funding.decision')
        Payment = pool.get('kim.funding.decision.payment')
        Forwarding = pool.get('kim.funding.forwarding')
        Cost = pool.get('kim.funding.cost')
        Category = pool.get('kim.funding.cost_category')
        AdviceDay = pool.get('kim.funding.advice_day')
        Stellenplan = pool.get('kim.funding.stellenplan')
        Position = pool.get('kim.funding.position')
        Occupancy = pool.get('kim.funding.occupancy')
        cursor = Transaction().connection.cursor()
        company, baustein, year = self.company.id, self.baustein.id, self.year
        start, end = year_bounds(year)
        currency = self.company.currency
        lines = []

        def add(section, code, name, amount=None, quantity=None):
            lines.append({
                    'sequence': len(lines) + 1,
                    'section': section,
                    'code': code,
                    'name': name,
                    'amount': (currency.round(_decimal(amount))
                        if amount is not None else None),
                    'quantity': (_decimal(quantity).quantize(Decimal('0.01'))
                        if quantity is not None else None),
                    })

        decision = Decision.__table__()
        decision_where = ((decision.company == company)
            & (decision.baustein == baustein) & (decision.year == year)
            & (decision.state == 'granted'))
        cursor.execute(*decision.select(
                Sum(decision.amount), Sum(decision.eligible_vzae),
                where=decision_where))
        granted, granted_vzae = cursor.fetchone()
        payment = Payment.__table__()
        cursor.execute(*payment.join(decision,
                condition=payment.decision == decision.id).select(
                Sum(payment.amount), where=decision_where))
        received, = cursor.fetchone()
        add('income', 'granted', gettext('kim_reporting.msg_line_granted'),
            granted, granted_vzae)
        add('income', 'received', gettext('kim_reporting.msg_line_received'),
            received)

        forwarding = Forwarding.__table__()
        cursor.execute(*forwarding.join(decision,
                condition=forwarding.decision == decision.id).select(
                Sum(forwarding.amount), Sum(forwarding.vzae),
                Sum(SqlCase(((forwarding.state == 'checked')
                            & (forwarding.check_result == 'repayment'),
                            forwarding.repayment_amount),
                        else_=Literal(0))),
                where=decision_where & (forwarding.state != 'draft')))
        forwarded, forwarded_vzae, repaid = cursor.fetchone()
        forwarded_net = _decimal(forwarded) - _decimal(repaid)
        add('forwarding', 'forwarded',
            gettext('kim_reporting.msg_line_forwarded'),
            forwarded, forwarded_vzae)
        add('forwarding', 'repaid', gettext('kim_reporting.msg_line_repaid'),
            repaid)
        add('forwarding', 'forwarded_net',
            gettext('kim_reporting.msg_line_forwarded_net'), forwarded_net)

        # personnel costs and filled VZÄ per month: an occupancy counts for
        # a month when it covers the 15th
        plan = Stellenplan.__table__()
        position = Position.__table__()
        occupancy = Occupancy.__table__()
        months = [dt.date(year, m, 15) for m in range(1, 13)]

        def covers(day):
            return ((occupancy.start_date <= day)
                & ((occupancy.end_date == Null)
                    | (occupancy.end_date >= day)))
        columns = []
        for day in months:
            columns.append(Sum(SqlCase(
                        (covers(day) & (position.forwarded == Literal(False)),
                            occupancy.monthly_cost), else_=Literal(0))))
        for day in months:
            columns.append(Sum(SqlCase((covers(day), occupancy.share),
                        else_=Literal(0))))
        plan_where = ((plan.company == company) & (plan.year == year)
            & (plan.state == 'confirmed') & (position.baustein == baustein))
        cursor.execute(*occupancy
            .join(position, condition=occupancy.position == position.id)
            .join(plan, condition=position.stellenplan == plan.id)
            .select(*columns, where=plan_where))
        row = cursor.fetchone() or [None] * 24
        costs, filled = row[:12], row[12:]
        personnel = sum((_decimal(c) for c in costs), Decimal(0))
        add('expense', 'personnel',
            gettext('kim_reporting.msg_line_personnel'), personnel)

        cost = Cost.__table__()
        category = Category.__table__()
        cursor.execute(*cost.join(category,
                condition=cost.category == category.id).select(
                category.code, category.name, Sum(cost.amount),
                where=(cost.company == company) & (cost.baustein == baustein)
                & (cost.date >= start) & (cost.date <= end),
                group_by=[category.code, category.name, category.sequence],
                order_by=[category.sequence, category.code]))
        material = Decimal(0)
        for code, name, amount in cursor:
            material += _decimal(amount)
            add('expense', 'cost_' + code, name, amount)

        advice = AdviceDay.__table__()
        rate = self.baustein.get_rate(year)
        cap = rate.advice_day_cap if rate else None
        eligible = (SqlCase((advice.amount > cap, Literal(cap)),
                else_=advice.amount) if cap is not None else advice.amount)
        cursor.execute(*advice.select(Sum(eligible),
                Sum(Literal(1)),
                where=(advice.company == company)
                & (advice.baustein == baustein)
                & (advice.date >= start) & (advice.date <= end)))
        advice_amount, advice_days = cursor.fetchone()
        if advice_days:
            add('expense', 'advice', gettext('kim_reporting.msg_line_advice'),
                advice_amount, advice_days)
        spent = personnel + material + _decimal(advice_amount)
        add('expense', 'spent', gettext('kim_reporting.msg_line_spent'),
            spent)
        add('result', 'balance', gettext('kim_reporting.msg_line_balance'),
            _decimal(received) - forwarded_net - spent)

        cursor.execute(*position.join(plan,
                condition=position.stellenplan == plan.id).select(
                Sum(position.vzae),
                Sum(SqlCase((position.forwarded == Literal(True),
                            position.vzae), else_=Literal(0))),
                where=plan_where))
        planned, planned_forwarded = cursor.fetchone()
        add('staff', 'positions', gettext('kim_reporting.msg_line_positions'),
            quantity=planned)
        add('staff', 'positions_forwarded',
            gettext('kim_reporting.msg_line_positions_forwarded'),
            quantity=planned_forwarded)
        for month, value, amount in zip(range(1, 13), filled, costs):
            add('staff', 'filled_%02d' % month,
                gettext('kim_reporting.msg_line_filled',
                    month=dt.date(year, month, 1).strftime('%m/%Y')),
                amount=amount, quantity=value)
        return lines

    def sachbericht_draft(self):
        """The Sachbericht pre-filled with the Kennzahlen of the year (the
        active indicator definitions, named in the user's language)"""
        Indicator = Pool().get('kim.indicator')
        start, end = year_bounds(self.year)
        totals = Indicator.compute_totals(self.company, start, end)

        def lines(steering):
            return '\n'.join('- %s: %s' % (indicator.name,
                    '' if value is None else format(value.normalize(), 'f'))
                for indicator, value in totals
                if (SOURCES[indicator.source][0] == 'steering') == steering)
        numbers = lines(False)
        structure_numbers = lines(True)
        return gettext('kim_reporting.msg_sachbericht_template',
            baustein=self.baustein.rec_name, year=self.year,
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

    def spreadsheet_rows(self):
        rows = [
            [gettext('kim_reporting.msg_proof_title'),
                self.number or gettext('kim_reporting.msg_proof_unnumbered')],
            [self.baustein.rec_name, self.year],
            [self.company.rec_name,
                self.decision.file_number if self.decision else ''],
            [],
            ['section', 'code', 'name', 'amount', 'vzae'],
            ]
        sections = dict(SECTIONS)
        for line in self.lines:
            rows.append([sections.get(line.section, line.section), line.code,
                    line.name, line.amount, line.quantity])
        return rows


class ProofLine(ModelSQL, ModelView):
    __string__ = "Verwendungsnachweis Line"
    __name__ = 'kim.funding.proof.line'
    proof = fields.Many2One('kim.funding.proof', "Verwendungsnachweis",
        required=True, ondelete='CASCADE', readonly=True)
    sequence = fields.Integer("Sequence", readonly=True)
    section = fields.Selection(SECTIONS, "Section", readonly=True)
    code = fields.Char("Code", readonly=True)
    name = fields.Char("Item", readonly=True)
    amount = Monetary("Amount", currency='currency', digits='currency',
        readonly=True)
    quantity = fields.Numeric("VZÄ / Days", digits=VZAE, readonly=True)
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.proof, Index.Equality())))
        cls._order = [('proof', 'ASC'), ('sequence', 'ASC'), ('id', 'ASC')]

    @fields.depends('proof', '_parent_proof.company')
    def on_change_with_currency(self, name=None):
        if self.proof and self.proof.company:
            return self.proof.company.currency


class ProofReport(Report):
    __string__ = "Verwendungsnachweis"
    __name__ = 'kim.funding.proof'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['sections'] = SECTIONS
        context['today'] = Pool().get('ir.date').today()
        return context


class ProofSpreadsheet(Report):
    __string__ = "Verwendungsnachweis (Spreadsheet)"
    __name__ = 'kim.funding.proof.xlsx'

    @classmethod
    def _execute(cls, records, header, data, action):
        sheets = []
        for record in records:
            name = '%s %s' % (record.baustein.code, record.year)
            sheets.append((name, record.spreadsheet_rows()))
        return 'xlsx', xlsx(sheets)
