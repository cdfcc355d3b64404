# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Kennzahlen: indicators of the case management and the steering work,
aggregated in SQL per period and dimension, stored as a snapshot with small
cells suppressed, for the Lenkungsgruppe board and the state export.

Every indicator is a *fact* query that yields one row per counted thing with
the case it belongs to (``case``), an id (``fact``) and a value; every
dimension is a query that yields (case, key) pairs. The report joins the two
and aggregates with COUNT(DISTINCT fact) or SUM(value) grouped by key. No
case record is ever instantiated."""
import datetime as dt
from collections import OrderedDict
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sql import Literal, Null
from sql.aggregate import Count, Sum
from sql.conditionals import Case as SqlCase
from sql.functions import Function

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Workflow, fields)
from trytond.modules.kim_network.workflow import WorkflowGuard
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.report import Report
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from .exceptions import IndicatorError
from .spreadsheet import csv_bytes, xlsx

DEFAULT_MIN_CELL = 5
OPEN_STATES = ['intake', 'assessment', 'planning', 'implementation',
    'closing']
OUTREACH_CHANNELS = ['home_visit', 'outreach']
AGE_BANDS = [
    ('u18', "under 18", 0),
    ('18_26', "18 to 26", 18),
    ('27_44', "27 to 44", 27),
    ('45_64', "45 to 64", 45),
    ('65', "65 and older", 65),
    ]

# code: (name, kind, base indicator for derived values)
#   kind 'count': suppressed when 0 < value < minimum
#   kind 'sum', 'avg', 'pct': suppressed when the base count < minimum
INDICATORS = OrderedDict([
    ('intakes', ("New Intakes", 'count', None)),
    ('active', ("Active Cases on the Reference Date", 'count', None)),
    ('closed', ("Closed Cases", 'count', None)),
    ('duration', ("Mean Duration of Closed Cases (Days)", 'avg', 'closed')),
    ('contacts', ("Contacts Done", 'count', None)),
    ('contact_hours', ("Contact Hours", 'sum', 'contacts')),
    ('interpreter', ("Contacts with Interpreter", 'count', None)),
    ('outreach_pct', ("Outreach Share of Contacts (%)", 'pct', 'contacts')),
    ('with_plan', ("Cases with an Agreed Hilfeplan", 'count', None)),
    ('goals_set', ("Goals Set", 'count', None)),
    ('goals_achieved', ("Goals Achieved", 'count', None)),
    ('referrals', ("Referrals to Network Partners", 'count', None)),
    ('handovers', ("Handovers", 'count', None)),
    ('rechtskreis_changes', ("Rechtskreis Changes", 'count', None)),
    ])
# Indicators of the steering work: totals only (no case dimension)
STRUCTURE_INDICATORS = OrderedDict([
    ('barrier_reports', "Barrier Reports"),
    ('topics', "Topics Taken Up"),
    ('meetings', "Committee Meetings"),
    ('decisions', "Committee Decisions"),
    ])
DIMENSIONS = [
    ('total', "Total"),
    ('kommune', "Kommune"),
    ('team', "Team"),
    ('organisation', "Referring Organisation"),
    ('target_group', "Target Group"),
    ('rechtskreis', "Rechtskreis"),
    ('handlungsfeld', "Handlungsfeld"),
    ('access_channel', "Access Channel"),
    ('closing_reason', "Closing Reason"),
    ('age_band', "Age Band"),
    ('gender', "Gender"),
    ('residence_status', "Residence Status"),
    ]
# what the state-wide controlling gets: anonymous dimensions only
STATE_DIMENSIONS = ['total', 'kommune', 'target_group', 'rechtskreis',
    'handlungsfeld', 'access_channel', 'closing_reason', 'age_band',
    'gender', 'residence_status']
NOT_RECORDED = "(not recorded)"


class JulianDay(Function):
    __slots__ = ()
    _function = 'JULIANDAY'


def day_difference(end, start):
    "SQL expression of the days from start to end"
    if backend.name == 'sqlite':
        return JulianDay(end) - JulianDay(start)
    return end - start


def period_of(period_type, year, quarter=None):
    if period_type == 'quarter':
        start = dt.date(year, 3 * (int(quarter) - 1) + 1, 1)
        return start, start + relativedelta(months=3, days=-1)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


class IndicatorEngine:
    """Builds and runs the SQL of the indicators for a company and period.
    Runs as root: its users see only the aggregates it returns."""

    def __init__(self, company, date_from, date_to):
        self.company = company
        self.date_from = date_from
        self.date_to = date_to
        pool = Pool()
        self.Case = pool.get('kim.case')

    # --- facts: rows of (case, fact, value) ------------------------------
    def _case(self):
        return self.Case.__table__()

    def _company(self, case):
        return case.company == self.company

    def fact_intakes(self):
        case = self._case()
        return case.select(case.id.as_('case'), case.id.as_('fact'),
            Literal(1).as_('value'),
            where=self._company(case) & (case.state != 'cancelled')
            & (case.opened_date >= self.date_from)
            & (case.opened_date <= self.date_to))

    def fact_active(self):
        case = self._case()
        return case.select(case.id.as_('case'), case.id.as_('fact'),
            Literal(1).as_('value'),
            where=self._company(case) & (case.state != 'cancelled')
            & (case.opened_date <= self.date_to)
            & ((case.closing_date == Null)
                | (case.closing_date > self.date_to)))

    def _closed_where(self, case):
        return (self._company(case) & (case.state == 'closed')
            & (case.closing_date >= self.date_from)
            & (case.closing_date <= self.date_to))

    def fact_closed(self):
        case = self._case()
        return case.select(case.id.as_('case'), case.id.as_('fact'),
            Literal(1).as_('value'), where=self._closed_where(case))

    def fact_duration(self):
        case = self._case()
        return case.select(case.id.as_('case'), case.id.as_('fact'),
            day_difference(case.closing_date, case.opened_date).as_('value'),
            where=self._closed_where(case))

    def _contacts(self, extra=None, value=None):
        pool = Pool()
        Contact = pool.get('kim.case.contact')
        contact = Contact.__table__()
        case = self._case()
        start = dt.datetime.combine(self.date_from, dt.time.min)
        end = dt.datetime.combine(
            self.date_to + dt.timedelta(days=1), dt.time.min)
        where = (self._company(case) & (contact.state == 'done')
            & (contact.start >= start) & (contact.start < end))
        if extra is not None:
            where &= extra(contact)
        return contact.join(case, condition=contact.case == case.id).select(
            contact.case.as_('case'), contact.id.as_('fact'),
            (value(contact) if value else Literal(1)).as_('value'),
            where=where)

    def fact_contacts(self):
        return self._contacts()

    def fact_contact_hours(self):
        return self._contacts(value=lambda c: c.duration)

    def fact_interpreter(self):
        return self._contacts(
            extra=lambda c: c.interpreter_used == Literal(True))

    def fact_outreach_pct(self):
        return self._contacts(value=lambda c: SqlCase(
                (c.channel.in_(OUTREACH_CHANNELS), Literal(1)),
                else_=Literal(0)))

    def _plans(self):
        pool = Pool()
        return pool.get('kim.case.plan').__table__()

    def fact_with_plan(self):
        "Cases active in the period with a plan agreed by its end"
        case = self._case()
        plan = self._plans()
        return case.join(plan, condition=plan.case == case.id).select(
            case.id.as_('case'), case.id.as_('fact'),
            Literal(1).as_('value'),
            where=self._company(case) & (case.state != 'cancelled')
            & (case.opened_date <= self.date_to)
            & ((case.closing_date == Null)
                | (case.closing_date >= self.date_from))
            & plan.state.in_(['agreed', 'superseded'])
            & (plan.agreement_date <= self.date_to))

    def _goals(self, achieved=False):
        """Goals of the plan versions agreed in the period (a goal carried
        into a revised version counts again); achieved: their status is
        achieved"""
        pool = Pool()
        goal = pool.get('kim.case.plan.goal').__table__()
        plan = self._plans()
        case = self._case()
        where = (self._company(case)
            & plan.state.in_(['agreed', 'superseded'])
            & (plan.agreement_date >= self.date_from)
            & (plan.agreement_date <= self.date_to)
            & (goal.status != 'dropped'))
        if achieved:
            where &= goal.status == 'achieved'
        return (goal.join(plan, condition=goal.plan == plan.id)
            .join(case, condition=plan.case == case.id)
            .select(plan.case.as_('case'), goal.id.as_('fact'),
                Literal(1).as_('value'), goal.handlungsfeld.as_('key'),
                where=where))

    def fact_goals_set(self):
        return self._goals()

    def fact_goals_achieved(self):
        return self._goals(achieved=True)

    def fact_referrals(self):
        """Measures assigned to a network partner (Verweis) in the plan
        versions agreed in the period"""
        pool = Pool()
        measure = pool.get('kim.case.plan.measure').__table__()
        goal = pool.get('kim.case.plan.goal').__table__()
        plan = self._plans()
        case = self._case()
        return (measure.join(goal, condition=measure.goal == goal.id)
            .join(plan, condition=goal.plan == plan.id)
            .join(case, condition=plan.case == case.id)
            .select(plan.case.as_('case'), measure.id.as_('fact'),
                Literal(1).as_('value'),
                where=self._company(case)
                & plan.state.in_(['agreed', 'superseded'])
                & (plan.agreement_date >= self.date_from)
                & (plan.agreement_date <= self.date_to)
                & (measure.responsible == 'partner')
                & (measure.status != 'cancelled')))

    def _events(self, type_):
        pool = Pool()
        event = pool.get('kim.case.event').__table__()
        case = self._case()
        return event.join(case, condition=event.case == case.id).select(
            event.case.as_('case'), event.id.as_('fact'),
            Literal(1).as_('value'),
            where=self._company(case) & (event.type == type_)
            & (event.date >= self.date_from) & (event.date <= self.date_to))

    def fact_handovers(self):
        return self._events('handover')

    def fact_rechtskreis_changes(self):
        return self._events('rechtskreis_change')

    # --- dimensions: rows of (case, key) ----------------------------------
    def _column_dimension(self, column):
        case = self._case()
        return case.select(case.id.as_('case'),
            getattr(case, column).as_('key'),
            where=self._company(case))

    def _relation_dimension(self, model, target):
        pool = Pool()
        relation = pool.get(model).__table__()
        case = self._case()
        return case.join(relation, 'LEFT',
            condition=relation.case == case.id).select(
            case.id.as_('case'), getattr(relation, target).as_('key'),
            where=self._company(case), distinct=True)

    def _client_dimension(self, expression):
        pool = Pool()
        party = pool.get('party.party').__table__()
        case = self._case()
        return case.join(party, condition=case.client == party.id).select(
            case.id.as_('case'), expression(party).as_('key'),
            where=self._company(case))

    def dimension_kommune(self):
        return self._column_dimension('kommune')

    def dimension_team(self):
        return self._column_dimension('team')

    def dimension_organisation(self):
        return self._column_dimension('referring_organisation')

    def dimension_access_channel(self):
        return self._column_dimension('access_channel')

    def dimension_closing_reason(self):
        return self._column_dimension('closing_reason')

    def dimension_target_group(self):
        return self._relation_dimension(
            'kim.case-kim.target_group', 'target_group')

    def dimension_rechtskreis(self):
        return self._relation_dimension(
            'kim.case-kim.rechtskreis', 'rechtskreis')

    def dimension_handlungsfeld(self):
        "The Handlungsfelder of the goals of the case's plans"
        pool = Pool()
        goal = pool.get('kim.case.plan.goal').__table__()
        plan = self._plans()
        case = self._case()
        return (case.join(plan, 'LEFT', condition=plan.case == case.id)
            .join(goal, 'LEFT', condition=goal.plan == plan.id)
            .select(case.id.as_('case'), goal.handlungsfeld.as_('key'),
                where=self._company(case), distinct=True))

    def dimension_gender(self):
        return self._client_dimension(lambda p: p.kim_gender)

    def dimension_age_band(self):
        "Age on the reference date (end of the period)"
        bands = [(self.date_to - relativedelta(years=age), code)
            for code, _, age in reversed(AGE_BANDS) if age]

        def expression(party):
            conditions = [(party.kim_birth_date == Null, Null)]
            conditions += [(party.kim_birth_date <= limit, Literal(code))
                for limit, code in bands]
            return SqlCase(*conditions, else_=Literal(AGE_BANDS[0][0]))
        return self._client_dimension(expression)

    def dimension_residence_status(self):
        "The client's residence status on the reference date"
        pool = Pool()
        status = pool.get('kim.client.residence_status').__table__()
        case = self._case()
        return case.join(status, 'LEFT',
            condition=(status.client == case.client)
            & ((status.valid_from == Null)
                | (status.valid_from <= self.date_to))
            & ((status.valid_to == Null)
                | (status.valid_to >= self.date_to))).select(
            case.id.as_('case'), status.status_type.as_('key'),
            where=self._company(case), distinct=True)

    # --- labels ------------------------------------------------------------
    def labels(self, dimension, keys):
        "Return {key: label} for the keys of the dimension"
        pool = Pool()
        models = {
            'kommune': 'kim.kommune',
            'team': 'kim.case.team',
            'organisation': 'party.party',
            'access_channel': 'kim.access_channel',
            'closing_reason': 'kim.closing_reason',
            'target_group': 'kim.target_group',
            'rechtskreis': 'kim.rechtskreis',
            'handlungsfeld': 'kim.handlungsfeld',
            'residence_status': 'kim.residence_status_type',
            }
        result = {None: NOT_RECORDED}
        if dimension in models:
            Model = pool.get(models[dimension])
            ids = [k for k in keys if k is not None]
            with Transaction().set_context(active_test=False):
                for record in Model.browse(ids):
                    result[record.id] = record.rec_name
        elif dimension == 'gender':
            Party = pool.get('party.party')
            result.update({k: v for k, v in Party.kim_gender.selection if k})
        elif dimension == 'age_band':
            result.update({c: n for c, n, _ in AGE_BANDS})
        return result

    def key_codes(self, dimension, keys):
        "Return {key: stable code} for exports (AGS, code list codes)"
        pool = Pool()
        models = {
            'kommune': ('kim.kommune', 'ags'),
            'access_channel': ('kim.access_channel', 'code'),
            'closing_reason': ('kim.closing_reason', 'code'),
            'target_group': ('kim.target_group', 'code'),
            'rechtskreis': ('kim.rechtskreis', 'code'),
            'handlungsfeld': ('kim.handlungsfeld', 'code'),
            'residence_status': ('kim.residence_status_type', 'code'),
            }
        result = {None: ''}
        if dimension in models:
            model, field = models[dimension]
            Model = pool.get(model)
            ids = [k for k in keys if k is not None]
            with Transaction().set_context(active_test=False):
                for record in Model.browse(ids):
                    result[record.id] = getattr(record, field)
        else:
            result.update({k: str(k) for k in keys if k is not None})
        return result

    # --- aggregation -------------------------------------------------------
    def compute(self, indicator, dimension='total'):
        """Return {key: (value, base count)} of the indicator by the
        dimension ('total' gives the key None)"""
        cursor = Transaction().connection.cursor()
        fact = getattr(self, 'fact_' + indicator)()
        kind = INDICATORS[indicator][1]
        if kind == 'count':
            aggregates = [Count(fact.fact, distinct=True), Literal(0)]
        else:
            aggregates = [Sum(fact.value), Count(fact.fact, distinct=True)]
        if dimension == 'total':
            query = fact.select(*aggregates)
            cursor.execute(*query)
            value, base = cursor.fetchone()
            rows = [(None, value, base)]
        else:
            if (dimension == 'handlungsfeld'
                    and indicator in {'goals_set', 'goals_achieved'}):
                # goals carry their own Handlungsfeld
                query = fact.select(fact.key, *aggregates,
                    group_by=[fact.key])
            else:
                dim = getattr(self, 'dimension_' + dimension)()
                query = fact.join(dim, condition=fact.case == dim.case
                    ).select(dim.key, *aggregates, group_by=[dim.key])
            cursor.execute(*query)
            rows = cursor.fetchall()
        result = {}
        for key, value, base in rows:
            value = Decimal(str(value or 0))
            if kind == 'count':
                result[key] = (value, int(value))
            elif kind == 'sum':
                # contact minutes to hours
                result[key] = ((value / 60).quantize(Decimal('0.01')),
                    int(base or 0))
            elif kind == 'avg':
                result[key] = (
                    (value / base).quantize(Decimal('0.1')) if base
                    else None, int(base or 0))
            elif kind == 'pct':
                result[key] = (
                    (value * 100 / base).quantize(Decimal('0.1')) if base
                    else None, int(base or 0))
        return result

    def compute_structure(self):
        """Return {code: value} of the steering indicators (kim_steering):
        barrier reports submitted with a date in the period, topics taken
        up in the period, committee meetings held and their decisions."""
        pool = Pool()
        Barrier = pool.get('kim.barrier_report')
        Topic = pool.get('kim.topic')
        Meeting = pool.get('kim.committee.meeting')
        Decision = pool.get('kim.committee.decision')
        cursor = Transaction().connection.cursor()
        start = dt.datetime.combine(self.date_from, dt.time.min)
        end = dt.datetime.combine(
            self.date_to + dt.timedelta(days=1), dt.time.min)
        barrier = Barrier.__table__()
        topic = Topic.__table__()
        meeting = Meeting.__table__()
        decision = Decision.__table__()
        queries = {
            'barrier_reports': barrier.select(Count(barrier.id),
                where=(barrier.state != 'draft')
                & (barrier.date >= self.date_from)
                & (barrier.date <= self.date_to)),
            'topics': topic.select(Count(topic.id),
                where=(topic.state != 'dropped')
                & (topic.create_date >= start) & (topic.create_date < end)),
            'meetings': meeting.select(Count(meeting.id),
                where=meeting.state.in_(['held', 'approved'])
                & (meeting.start >= start) & (meeting.start < end)),
            'decisions': decision.join(meeting,
                condition=decision.meeting == meeting.id).select(
                Count(decision.id),
                where=meeting.state.in_(['held', 'approved'])
                & (meeting.start >= start) & (meeting.start < end)),
            }
        result = {}
        for code, query in queries.items():
            cursor.execute(*query)
            result[code], = cursor.fetchone()
        return result


def suppress(kind, value, base, minimum):
    "Whether a cell must be suppressed"
    if not minimum:
        return False
    if kind == 'count':
        return bool(value) and value < minimum
    return base < minimum


class IndicatorReport(WorkflowGuard, Workflow, ModelSQL, ModelView):
    __string__ = "Indicator Report"
    __name__ = 'kim.indicator.report'
    name = fields.Char("Name", required=True,
        states={'readonly': Eval('state') == 'done'})
    company = fields.Many2One('company.company', "Company", required=True,
        ondelete='CASCADE', states={'readonly': Eval('state') == 'done'})
    kind = fields.Selection([
            ('local', "Local"),
            ('state', "State Export"),
            ], "Kind", required=True,
        states={'readonly': Eval('state') == 'done'},
        help="State exports carry the anonymous dimensions of the "
        "state-wide controlling only.")
    period_type = fields.Selection([
            ('year', "Year"),
            ('quarter', "Quarter"),
            ('funding_year', "Funding Year"),
            ('custom', "Custom"),
            ], "Period", required=True,
        states={'readonly': Eval('state') == 'done'})
    year = fields.Integer("Year",
        states={
            'readonly': Eval('state') == 'done',
            'required': Eval('period_type').in_(['year', 'quarter']),
            'invisible': ~Eval('period_type').in_(['year', 'quarter']),
            })
    quarter = fields.Selection([
            (None, ""),
            ('1', "Q1"), ('2', "Q2"), ('3', "Q3"), ('4', "Q4"),
            ], "Quarter",
        states={
            'readonly': Eval('state') == 'done',
            'required': Eval('period_type') == 'quarter',
            'invisible': Eval('period_type') != 'quarter',
            })
    decision = fields.Many2One('kim.funding.decision', "Förderbescheid",
        ondelete='SET NULL',
        domain=[('company', '=', Eval('company', -1))],
        states={
            'readonly': Eval('state') == 'done',
            'required': Eval('period_type') == 'funding_year',
            'invisible': Eval('period_type') != 'funding_year',
            },
        help="The funding year is the period of the Förderbescheid.")
    date_from = fields.Date("From",
        states={
            'readonly': (Eval('state') == 'done')
            | (Eval('period_type') != 'custom'),
            'required': Eval('period_type') == 'custom',
            })
    date_to = fields.Date("To (Reference Date)",
        domain=[If(Eval('date_from') & Eval('date_to'),
                ('date_to', '>=', Eval('date_from')), ())],
        states={
            'readonly': (Eval('state') == 'done')
            | (Eval('period_type') != 'custom'),
            'required': Eval('period_type') == 'custom',
            },
        help="Active cases are counted on this date.")
    dimensions = fields.MultiSelection(DIMENSIONS[1:], "Dimensions",
        states={'readonly': Eval('state') == 'done'},
        help="Besides the total, the indicators are broken down by each "
        "dimension chosen.")
    min_cell = fields.Integer("Minimum Cell Size", readonly=True,
        help="Cells below this count are suppressed (set from the "
        "configuration when computing).")
    computed_at = fields.Timestamp("Computed At", readonly=True)
    on_board = fields.Boolean("On the Lenkungsgruppe Board",
        help="The board of the Lenkungsgruppe shows this report.")
    lines = fields.One2Many('kim.indicator.report.line', 'report', "Lines",
        readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('done', "Computed"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date_to', 'DESC'), ('id', 'DESC')]
        cls._guard(initial='draft',
            protected={'min_cell', 'computed_at', 'lines'},
            final={'done': {'on_board'}})
        cls._transitions |= {
            ('draft', 'done'),
            ('done', 'draft'),
            }
        cls._buttons.update({
                'compute': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-launch',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'done',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_kind(cls):
        return 'local'

    @classmethod
    def default_period_type(cls):
        return 'year'

    @classmethod
    def default_year(cls):
        return Pool().get('ir.date').today().year

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_dimensions(cls):
        return ['kommune', 'target_group']

    @classmethod
    def default_on_board(cls):
        return False

    @fields.depends('kind', 'dimensions')
    def on_change_kind(self):
        if self.kind == 'state':
            self.dimensions = STATE_DIMENSIONS[1:]

    def get_period(self):
        if self.period_type in {'year', 'quarter'}:
            if not self.year or (
                    self.period_type == 'quarter' and not self.quarter):
                raise IndicatorError(gettext(
                        'kim_reporting.msg_indicator_period',
                        report=self.rec_name))
            return period_of(self.period_type, self.year, self.quarter)
        if self.period_type == 'funding_year':
            if not self.decision:
                raise IndicatorError(gettext(
                        'kim_reporting.msg_indicator_period',
                        report=self.rec_name))
            return self.decision.period_start, self.decision.period_end
        if not self.date_from or not self.date_to:
            raise IndicatorError(gettext(
                    'kim_reporting.msg_indicator_period',
                    report=self.rec_name))
        return self.date_from, self.date_to

    @classmethod
    def validate_fields(cls, reports, field_names):
        super().validate_fields(reports, field_names)
        for report in reports:
            if report.kind == 'state':
                extra = set(report.dimensions or []) - set(STATE_DIMENSIONS)
                if extra:
                    raise IndicatorError(gettext(
                            'kim_reporting.msg_indicator_state_dimensions',
                            report=report.rec_name))

    @classmethod
    def on_modification(cls, mode, reports, field_names=None):
        "One report per company is on the board of the Lenkungsgruppe"
        super().on_modification(mode, reports, field_names=field_names)
        if mode == 'write' and 'on_board' in field_names:
            boarded = [r for r in reports if r.on_board]
            if boarded:
                others = cls.search([
                        ('on_board', '=', True),
                        ('id', 'not in', [r.id for r in boarded]),
                        ('company', 'in', [r.company.id for r in boarded]),
                        ])
                if others:
                    cls.write(others, {'on_board': False})

    @classmethod
    def copy(cls, reports, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('lines', None)
        default.setdefault('computed_at', None)
        default.setdefault('on_board', False)
        return super().copy(reports, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def compute(cls, reports):
        pool = Pool()
        Line = pool.get('kim.indicator.report.line')
        Configuration = pool.get('kim.configuration')
        minimum = Configuration(1).get_min_cell()
        now = dt.datetime.now()
        for report in reports:
            date_from, date_to = report.get_period()
            values = report.compute_lines(date_from, date_to, minimum)
            # the lines are written as root: reporting users only read them
            with Transaction().set_user(0), \
                    Transaction().set_context(_check_access=False):
                Line.delete(Line.search([('report', '=', report.id)]))
                Line.create([dict(v, report=report.id) for v in values])
                cls.write([report], {
                        'date_from': date_from,
                        'date_to': date_to,
                        'min_cell': minimum,
                        'computed_at': now,
                        })

    def compute_lines(self, date_from, date_to, minimum):
        """Return the values of the lines: every indicator by total and
        each dimension, suppressed below minimum. Runs the SQL as root."""
        dimensions = ['total'] + [d for d, _ in DIMENSIONS[1:]
            if d in (self.dimensions or [])]
        if self.kind == 'state':
            dimensions = [d for d in dimensions if d in STATE_DIMENSIONS]
        lines = []
        sequence = 0
        with Transaction().set_user(0), \
                Transaction().set_context(_check_access=False):
            engine = IndicatorEngine(self.company.id, date_from, date_to)
            for indicator, (_, kind, _) in INDICATORS.items():
                for dimension in dimensions:
                    values = engine.compute(indicator, dimension)
                    labels = engine.labels(dimension, list(values))
                    codes = engine.key_codes(dimension, list(values))
                    cells = []
                    for key, (value, base) in values.items():
                        hidden = suppress(kind, value, base, minimum)
                        cells.append({
                                'indicator': indicator,
                                'dimension': dimension,
                                'key': codes.get(key, '') if dimension
                                != 'total' else '',
                                'label': (labels.get(key, str(key))
                                    if dimension != 'total' else
                                    gettext('kim_reporting.msg_total')),
                                'value': None if hidden else value,
                                'suppressed': hidden,
                                })
                    if dimension != 'total' and kind == 'count':
                        secondary_suppression(cells)
                    cells.sort(key=lambda c: (c['key'] == '', c['label']))
                    for cell in cells:
                        sequence += 1
                        cell['sequence'] = sequence
                        lines.append(cell)
            for code, value in engine.compute_structure().items():
                sequence += 1
                lines.append({
                        'sequence': sequence,
                        'indicator': code,
                        'dimension': 'total',
                        'key': '',
                        'label': gettext('kim_reporting.msg_total'),
                        'value': Decimal(value),
                        'suppressed': False,
                        })
        return lines

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, reports):
        pool = Pool()
        Line = pool.get('kim.indicator.report.line')
        with Transaction().set_user(0), \
                Transaction().set_context(_check_access=False):
            Line.delete(Line.search([('report', 'in',
                            [r.id for r in reports])]))

    def value(self, indicator, dimension='total', key=''):
        "The value of a line (None if suppressed or absent)"
        for line in self.lines:
            if (line.indicator == indicator and line.dimension == dimension
                    and (line.key or '') == key):
                return line.value

    def export_rows(self):
        "The rows of the CSV and spreadsheet export (suppressed as '.')"
        header = ['year', 'date_from', 'date_to', 'indicator', 'dimension',
            'key', 'label', 'value', 'suppressed']
        rows = [header]
        for line in self.lines:
            rows.append([
                    self.date_to.year if self.date_to else '',
                    self.date_from, self.date_to,
                    line.indicator, line.dimension, line.key or '',
                    line.label,
                    line.value if not line.suppressed else '.',
                    '1' if line.suppressed else '0',
                    ])
        return rows


def secondary_suppression(cells):
    """When one cell of a breakdown is suppressed, suppress the smallest
    other non-zero cell too, so the total does not reveal it"""
    hidden = [c for c in cells if c['suppressed']]
    if len(hidden) != 1:
        return
    shown = [c for c in cells if not c['suppressed'] and c['value']]
    if shown:
        smallest = min(shown, key=lambda c: c['value'])
        smallest['value'] = None
        smallest['suppressed'] = True


INDICATOR_SELECTION = ([(c, n) for c, (n, _, _) in INDICATORS.items()]
    + list(STRUCTURE_INDICATORS.items()))


class IndicatorLine(ModelSQL, ModelView):
    __string__ = "Indicator Report Line"
    __name__ = 'kim.indicator.report.line'
    report = fields.Many2One('kim.indicator.report', "Report",
        required=True, ondelete='CASCADE', readonly=True)
    sequence = fields.Integer("Sequence", readonly=True)
    indicator = fields.Selection(INDICATOR_SELECTION, "Indicator",
        readonly=True)
    dimension = fields.Selection(DIMENSIONS, "Dimension", readonly=True)
    key = fields.Char("Key", readonly=True,
        help="The stable code of the cell (e.g. AGS, code list code).")
    label = fields.Char("Label", readonly=True)
    value = fields.Numeric("Value", digits=(16, 2), readonly=True)
    suppressed = fields.Boolean("Suppressed", readonly=True,
        help="The cell is below the minimum cell size and not shown.")
    display = fields.Function(fields.Char("Shown"), 'get_display')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.report, Index.Equality()),
                (t.indicator, Index.Equality()),
                (t.dimension, Index.Equality())))
        cls._order = [('report', 'ASC'), ('sequence', 'ASC'), ('id', 'ASC')]

    def get_display(self, name):
        if self.suppressed:
            return '< %s' % (self.report.min_cell or DEFAULT_MIN_CELL)
        if self.value is None:
            return ''
        return format(self.value.normalize(), 'f')


class IndicatorPDF(Report):
    __string__ = "Indicator Report"
    __name__ = 'kim.indicator.report'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['indicators'] = dict(INDICATOR_SELECTION)
        context['dimensions'] = dict(DIMENSIONS)
        context['today'] = Pool().get('ir.date').today()
        return context


class IndicatorCSV(Report):
    __string__ = "Indicator Report (CSV)"
    __name__ = 'kim.indicator.report.csv'

    @classmethod
    def _execute(cls, records, header, data, action):
        rows = []
        for i, record in enumerate(records):
            record_rows = record.export_rows()
            rows.extend(record_rows if not i else record_rows[1:])
        if action.extension == 'xlsx':
            return 'xlsx', xlsx([('Kennzahlen', rows)])
        return 'csv', csv_bytes(rows)


class StateExportStart(ModelView):
    __string__ = "State Export"
    __name__ = 'kim.indicator.state_export.start'
    company = fields.Many2One('company.company', "Company", required=True)
    year = fields.Integer("Year", required=True)

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_year(cls):
        return Pool().get('ir.date').today().year - 1


class StateExport(Wizard):
    __string__ = "State Export"
    __name__ = 'kim.indicator.state_export'
    start = StateView('kim.indicator.state_export.start',
        'kim_reporting.state_export_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Compute", 'open_', 'tryton-ok', default=True),
            ])
    open_ = StateAction('kim_reporting.act_indicator_report_form')

    def do_open_(self, action):
        pool = Pool()
        Report = pool.get('kim.indicator.report')
        report = Report(
            name=gettext('kim_reporting.msg_state_export_name',
                year=self.start.year),
            company=self.start.company,
            kind='state',
            period_type='year',
            year=self.start.year,
            dimensions=STATE_DIMENSIONS[1:])
        report.save()
        Report.compute([report])
        return action, {'res_id': [report.id]}
