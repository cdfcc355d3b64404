# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""The set-based Kennzahlen engine.

The facts of a period are computed once, per case: one row per case of the
company with, for every indicator definition, the number of its facts
(``n``) and the sum of their values (``v``): cases taken in, contacts done
with their minutes, goals, referrals, events. The contacts, goals, measures
and events of the period are each read in one aggregate. Every dimension is
a map of (case, key) pairs; all breakdowns and cross-tables are GROUP BYs of
the per-case facts joined to these maps, sent as a single statement (UNION
ALL of the groupings; on PostgreSQL the single-valued dimensions of a case
are grouped in one GROUPING SETS pass). Goals carry their own Handlungsfeld,
so the goal indicators are broken down by it from a per (case,
Handlungsfeld) aggregate.

A key is returned as text (the id of a code-list record, a selection value)
or None when the case has no value for the dimension. No record is
instantiated; the caller runs the engine as root."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sql import Cast, Literal, Null, Union, With
from sql.aggregate import Max, Sum
from sql.conditionals import Case as SqlCase
from sql.conditionals import Coalesce
from sql.functions import Function

from trytond import backend
from trytond.pool import Pool
from trytond.transaction import Transaction

OUTREACH_CHANNELS = ['home_visit', 'outreach']
AGE_BANDS = [
    # code, lower age
    ('u18', 0),
    ('18_26', 18),
    ('27_44', 27),
    ('45_64', 45),
    ('65', 65),
    ]
DIMENSIONS = [
    'kommune', 'team', 'organisation', 'target_group', 'rechtskreis',
    'handlungsfeld', 'access_channel', 'closing_reason', 'age_band',
    'gender', 'residence_status',
    ]
# what the state-wide controlling gets: anonymous dimensions only
STATE_DIMENSIONS = ['kommune', 'target_group', 'rechtskreis',
    'handlungsfeld', 'access_channel', 'closing_reason', 'age_band',
    'gender', 'residence_status']
# a case can have several keys of these dimensions: their cells do not add
# up to the total (goals have one Handlungsfeld: see additive())
MULTI_VALUED = {'target_group', 'rechtskreis', 'handlungsfeld',
    'residence_status'}
# the columns of kim.case that are single-valued dimensions
CASE_COLUMNS = {
    'kommune': 'kommune',
    'team': 'team',
    'organisation': 'referring_organisation',
    'access_channel': 'access_channel',
    'closing_reason': 'closing_reason',
    }

# sources of facts: (level, unit of the value or None)
SOURCES = {
    'intake': ('case', None),
    'active': ('case', None),
    'closed': ('case', 'days'),
    'case_plan': ('case', None),
    'contact': ('contact', 'hours'),
    'goal': ('goal', None),
    'referral': ('referral', None),
    'event': ('event', None),
    'barrier_report': ('steering', None),
    'topic': ('steering', None),
    'meeting': ('steering', None),
    'decision': ('steering', None),
    }
KINDS = ['count', 'sum', 'avg', 'pct']
PLAN_AGREED = ['agreed', 'superseded']


class Definition:
    """What the engine needs of an indicator definition.

    kind: 'count' counts the facts of the source that pass the filters;
    'sum' and 'avg' sum or average their value (contact hours, days from
    intake to closing); 'pct' is the share of the source's facts that pass
    the filters. The filters: contact channels, interpreter used, goal
    statuses, closing reasons, event type."""
    __slots__ = ('code', 'source', 'kind', 'channels', 'interpreter',
        'goal_statuses', 'closing_reasons', 'event_type')

    def __init__(self, code, source, kind='count', channels=(),
            interpreter=False, goal_statuses=(), closing_reasons=(),
            event_type=None):
        self.code = code
        self.source = source
        self.kind = kind
        self.channels = tuple(channels or ())
        self.interpreter = bool(interpreter)
        self.goal_statuses = tuple(goal_statuses or ())
        self.closing_reasons = tuple(closing_reasons or ())
        self.event_type = event_type

    @property
    def level(self):
        return SOURCES[self.source][0]

    @property
    def unit(self):
        return SOURCES[self.source][1]

    def additive(self, dimension):
        "Whether the cells of the dimension add up to the total"
        if dimension == 'handlungsfeld' and self.source == 'goal':
            return True
        return dimension not in MULTI_VALUED

    def __repr__(self):
        return '<Definition %s>' % self.code


def finish(definition, n, v):
    """Return (value, base count) of a cell from the number of facts n and
    the sum of their values v (count: the number; sum: hours or days; avg:
    the mean; pct: the share in per cent)"""
    n = int(n or 0)
    v = Decimal(str(v or 0))
    kind = definition.kind
    if kind == 'count':
        return Decimal(n), n
    if kind == 'sum':
        if definition.unit == 'hours':
            return (v / 60).quantize(Decimal('0.01')), n
        return v.quantize(Decimal('0.01')), n
    if kind == 'avg':
        if not n:
            return None, n
        if definition.unit == 'hours':
            v = v / 60
        return (v / n).quantize(Decimal('0.1')), n
    if kind == 'pct':
        return ((v * 100 / n).quantize(Decimal('0.1')) if n else None), n
    raise ValueError(kind)


class JulianDay(Function):
    __slots__ = ()
    _function = 'JULIANDAY'


class Grouping(Function):
    "GROUPING(column): 1 when the column is aggregated away (PostgreSQL)"
    __slots__ = ()
    _function = 'GROUPING'


def day_difference(end, start):
    "SQL expression of the days from start to end"
    if backend.name == 'sqlite':
        return JulianDay(end) - JulianDay(start)
    return end - start


def previous_period(date_from, date_to):
    """The period of the same length just before: the previous year,
    quarter or month when the period is one, else the same number of days"""
    next_day = date_to + dt.timedelta(days=1)
    months = ((next_day.year - date_from.year) * 12
        + next_day.month - date_from.month)
    if date_from.day == 1 and next_day.day == 1 and months > 0:
        start = date_from - relativedelta(months=months)
        return start, date_from - dt.timedelta(days=1)
    days = (date_to - date_from).days + 1
    return (date_from - dt.timedelta(days=days),
        date_from - dt.timedelta(days=1))


def _one(condition):
    return SqlCase((condition, Literal(1)), else_=Literal(0))


def _when(condition, value):
    return SqlCase((condition, value), else_=Literal(0))


# dimensions whose keys depend on the reference date (end of the period)
DATED = {'age_band', 'residence_status'}


class KennzahlenEngine:
    """The Kennzahlen of a company for a period (and, if given, the
    previous period in the same pass) for a list of Definitions.

    compute(dimensions, crossings) returns {cell: {code: (n, v)}} of the
    period where cell is () for the total, ((dimension, key),) for a
    breakdown and ((dimension, key), (dimension, key)) for a cell of a
    cross-table; use finish() for the values. compute_all() returns one
    such dictionary per period (cross-tables for the first only). Steering
    definitions are in structure()."""

    def __init__(self, company, date_from, date_to, definitions,
            previous=None):
        self.company = company
        self.periods = [(date_from, date_to)]
        if previous:
            self.periods.append(tuple(previous))
        self.definitions = [d for d in definitions
            if d.level != 'steering']
        self.steering = [d for d in definitions if d.level == 'steering']
        pool = Pool()
        self.Case = pool.get('kim.case')
        self.grouping_sets = backend.name == 'postgresql'

    @property
    def date_from(self):
        return self.periods[0][0]

    @property
    def date_to(self):
        return self.periods[0][1]

    # --- per-case facts --------------------------------------------------
    @staticmethod
    def _start(date):
        return dt.datetime.combine(date, dt.time.min)

    @staticmethod
    def _end(date):
        return dt.datetime.combine(date + dt.timedelta(days=1), dt.time.min)

    def _span(self):
        "The first and the last day of all periods"
        return (min(f for f, _ in self.periods),
            max(t for _, t in self.periods))

    def _case_columns(self, case, definition, date_from, date_to):
        """Return (fact, filter, value) conditions of a case-level
        definition on the case table for a period"""
        source = definition.source
        not_cancelled = case.state != 'cancelled'
        if source == 'intake':
            fact = (not_cancelled & (case.opened_date >= date_from)
                & (case.opened_date <= date_to))
        elif source == 'active':
            fact = (not_cancelled & (case.opened_date <= date_to)
                & ((case.closing_date == Null)
                    | (case.closing_date > date_to)))
        elif source == 'closed':
            fact = ((case.state == 'closed')
                & (case.closing_date >= date_from)
                & (case.closing_date <= date_to))
        elif source == 'case_plan':
            fact = (not_cancelled & (case.opened_date <= date_to)
                & ((case.closing_date == Null)
                    | (case.closing_date >= date_from)))
        else:
            raise ValueError(source)
        condition = None
        if source == 'closed' and definition.closing_reasons:
            condition = case.closing_reason.in_(
                list(definition.closing_reasons))
        value = None
        if source == 'closed':
            value = day_difference(case.closing_date, case.opened_date)
        return fact, condition, value

    @staticmethod
    def _columns(definition, fact, condition, value, aggregate=None):
        """Return the n and v expressions of a definition from its fact
        condition (None: every row is a fact), its filter condition and
        the value of a fact; aggregate wraps them (Sum for row-level
        sources)"""
        def both(a, b):
            if a is None:
                return b
            if b is None:
                return a
            return a & b
        wrap = aggregate or (lambda e: e)
        kind = definition.kind
        if kind == 'pct':
            n = fact
            v = both(fact, condition)
            n = wrap(_one(n)) if n is not None else wrap(Literal(1))
            v = wrap(_one(v)) if v is not None else wrap(Literal(1))
            return n, v
        counted = both(fact, condition)
        n = wrap(_one(counted)) if counted is not None else wrap(Literal(1))
        if kind == 'count':
            return n, None
        if value is None:
            raise ValueError("%s has no value to add up" % definition.code)
        v = (wrap(_when(counted, value)) if counted is not None
            else wrap(value))
        return n, v

    def _add_columns(self, columns, names, definitions, period_fact,
            condition, value, aggregate=Sum):
        """Append the n and v columns of the definitions for every period;
        period_fact(period) is the fact condition of a period,
        condition(definition) the filter and value the value of a fact"""
        for i, definition in definitions:
            for p, period in enumerate(self.periods):
                n, v = self._columns(definition, period_fact(*period),
                    condition(definition), value, aggregate)
                columns.append(n.as_('n%dp%d' % (i, p)))
                names.append('n%dp%d' % (i, p))
                if v is not None:
                    columns.append(v.as_('v%dp%d' % (i, p)))
                    names.append('v%dp%d' % (i, p))

    def _contact_aggregate(self, definitions):
        pool = Pool()
        contact = pool.get('kim.case.contact').__table__()
        case = self.Case.__table__()
        columns = [contact.case.as_('case')]
        names = []

        def condition(definition):
            result = None
            if definition.channels:
                result = contact.channel.in_(list(definition.channels))
            if definition.interpreter:
                interpreter = contact.interpreter_used == Literal(True)
                result = (interpreter if result is None
                    else result & interpreter)
            return result
        self._add_columns(columns, names, definitions,
            lambda f, t: ((contact.start >= self._start(f))
                & (contact.start < self._end(t))),
            condition, contact.duration)
        first, last = self._span()
        query = contact.join(case, condition=contact.case == case.id).select(
            *columns,
            where=(case.company == self.company) & (contact.state == 'done')
            & (contact.start >= self._start(first))
            & (contact.start < self._end(last)),
            group_by=[contact.case])
        return query, names

    def _goal_aggregate(self, definitions):
        "Per case and Handlungsfeld: the goals of the plans agreed"
        pool = Pool()
        goal = pool.get('kim.case.plan.goal').__table__()
        plan = pool.get('kim.case.plan').__table__()
        case = self.Case.__table__()
        columns = [plan.case.as_('case'), goal.handlungsfeld.as_('hf')]
        names = []
        self._add_columns(columns, names, definitions,
            lambda f, t: ((plan.agreement_date >= f)
                & (plan.agreement_date <= t)),
            lambda d: (goal.status.in_(list(d.goal_statuses))
                if d.goal_statuses else None),
            None)
        first, last = self._span()
        query = (goal.join(plan, condition=goal.plan == plan.id)
            .join(case, condition=plan.case == case.id)
            .select(*columns,
                where=(case.company == self.company)
                & plan.state.in_(PLAN_AGREED)
                & (plan.agreement_date >= first)
                & (plan.agreement_date <= last)
                & (goal.status != 'dropped'),
                group_by=[plan.case, goal.handlungsfeld]))
        return query, names

    def _referral_aggregate(self, definitions):
        """Measures assigned to a network partner in the plan versions
        agreed in the period"""
        pool = Pool()
        measure = pool.get('kim.case.plan.measure').__table__()
        goal = pool.get('kim.case.plan.goal').__table__()
        plan = pool.get('kim.case.plan').__table__()
        case = self.Case.__table__()
        columns = [plan.case.as_('case')]
        names = []
        self._add_columns(columns, names, definitions,
            lambda f, t: ((plan.agreement_date >= f)
                & (plan.agreement_date <= t)),
            lambda d: None, None)
        first, last = self._span()
        query = (measure.join(goal, condition=measure.goal == goal.id)
            .join(plan, condition=goal.plan == plan.id)
            .join(case, condition=plan.case == case.id)
            .select(*columns,
                where=(case.company == self.company)
                & plan.state.in_(PLAN_AGREED)
                & (plan.agreement_date >= first)
                & (plan.agreement_date <= last)
                & (measure.responsible == 'partner')
                & (measure.status != 'cancelled'),
                group_by=[plan.case]))
        return query, names

    def _event_aggregate(self, definitions):
        pool = Pool()
        event = pool.get('kim.case.event').__table__()
        case = self.Case.__table__()
        columns = [event.case.as_('case')]
        names = []
        types = sorted({d.event_type for _, d in definitions
                if d.event_type})
        self._add_columns(columns, names, definitions,
            lambda f, t: (event.date >= f) & (event.date <= t),
            lambda d: event.type == d.event_type, None)
        first, last = self._span()
        query = event.join(case, condition=event.case == case.id).select(
            *columns,
            where=(case.company == self.company) & event.type.in_(types)
            & (event.date >= first) & (event.date <= last),
            group_by=[event.case])
        return query, names

    def _plan_aggregate(self):
        "The cases with a plan agreed by the end of each period"
        pool = Pool()
        plan = pool.get('kim.case.plan').__table__()
        return plan.select(plan.case.as_('case'),
            *[Max(_one(plan.agreement_date <= t)).as_('ok%d' % p)
                for p, (_, t) in enumerate(self.periods)],
            where=plan.state.in_(PLAN_AGREED)
            & (plan.agreement_date <= self._span()[1]),
            group_by=[plan.case])

    def _by_level(self, level):
        return [(i, d) for i, d in enumerate(self.definitions)
            if d.level == level]

    def facts(self):
        """Return (facts, goals, columns): the With queries of the
        per-case facts (columns case, n<i>p<period>, v<i>p<period>) and of
        the goals per case and Handlungsfeld (None without goal
        definitions), and the names of the fact columns"""
        case = self.Case.__table__()
        from_ = case
        columns = [case.id.as_('case')]
        names = []
        any_fact = []
        plan_agg = None
        for i, definition in self._by_level('case'):
            if definition.source == 'case_plan' and plan_agg is None:
                plan_agg = self._plan_aggregate()
                from_ = from_.join(plan_agg, 'LEFT',
                    condition=plan_agg.case == case.id)
            for p, (date_from, date_to) in enumerate(self.periods):
                fact, condition, value = self._case_columns(
                    case, definition, date_from, date_to)
                if definition.source == 'case_plan':
                    fact &= getattr(plan_agg, 'ok%d' % p) == Literal(1)
                any_fact.append(fact)
                n, v = self._columns(definition, fact, condition, value)
                columns.append(n.as_('n%dp%d' % (i, p)))
                names.append('n%dp%d' % (i, p))
                if v is not None:
                    columns.append(v.as_('v%dp%d' % (i, p)))
                    names.append('v%dp%d' % (i, p))

        goals = None
        aggregates = []
        contacts = self._by_level('contact')
        if contacts:
            aggregates.append(self._contact_aggregate(contacts))
        goal_definitions = self._by_level('goal')
        if goal_definitions:
            query, goal_names = self._goal_aggregate(goal_definitions)
            goals = With(query=query)
            aggregates.append((goals.select(goals.case.as_('case'),
                        *[Sum(getattr(goals, c)).as_(c) for c in goal_names],
                        group_by=[goals.case]), goal_names))
        referrals = self._by_level('referral')
        if referrals:
            aggregates.append(self._referral_aggregate(referrals))
        events = self._by_level('event')
        if events:
            aggregates.append(self._event_aggregate(events))
        for query, agg_names in aggregates:
            from_ = from_.join(query, 'LEFT', condition=query.case == case.id)
            any_fact.append(query.case != Null)
            for name in agg_names:
                columns.append(Coalesce(getattr(query, name), 0).as_(name))
                names.append(name)
        where = case.company == self.company
        if any_fact:
            condition = any_fact[0]
            for other in any_fact[1:]:
                condition |= other
            where &= condition
        facts = With(query=from_.select(*columns, where=where))
        return facts, goals, names

    # --- dimensions: (case, key) ------------------------------------------
    def dimension(self, name, date_to=None):
        """Return a query of the (case, key) pairs of the dimension (keys
        that depend on the reference date on date_to, by default the end
        of the period)"""
        pool = Pool()
        date_to = date_to or self.date_to
        case = self.Case.__table__()
        company = case.company == self.company
        if name in CASE_COLUMNS:
            return case.select(case.id.as_('case'),
                self._text(getattr(case, CASE_COLUMNS[name])).as_('key'),
                where=company)
        if name in {'target_group', 'rechtskreis'}:
            model, column = {
                'target_group': ('kim.case-kim.target_group', 'target_group'),
                'rechtskreis': ('kim.case-kim.rechtskreis', 'rechtskreis'),
                }[name]
            relation = pool.get(model).__table__()
            return case.join(relation, 'LEFT',
                condition=relation.case == case.id).select(
                case.id.as_('case'),
                self._text(getattr(relation, column)).as_('key'),
                where=company, distinct=True)
        if name == 'handlungsfeld':
            # the Handlungsfelder of the goals of the case's plans
            plan = pool.get('kim.case.plan').__table__()
            goal = pool.get('kim.case.plan.goal').__table__()
            return (case.join(plan, 'LEFT', condition=plan.case == case.id)
                .join(goal, 'LEFT', condition=goal.plan == plan.id)
                .select(case.id.as_('case'),
                    self._text(goal.handlungsfeld).as_('key'),
                    where=company, distinct=True))
        if name == 'residence_status':
            # the client's residence status on the reference date
            status = pool.get('kim.client.residence_status').__table__()
            return case.join(status, 'LEFT',
                condition=(status.client == case.client)
                & ((status.valid_from == Null)
                    | (status.valid_from <= date_to))
                & ((status.valid_to == Null)
                    | (status.valid_to >= date_to))).select(
                case.id.as_('case'),
                self._text(status.status_type).as_('key'),
                where=company, distinct=True)
        if name in {'gender', 'age_band'}:
            party = pool.get('party.party').__table__()
            return case.join(party, condition=case.client == party.id
                ).select(case.id.as_('case'),
                self._client_key(name, party, date_to).as_('key'),
                where=company)
        raise ValueError(name)

    def _client_key(self, name, party, date_to):
        if name == 'gender':
            return party.kim_gender
        # age on the reference date (end of the period)
        conditions = [(party.kim_birth_date == Null, Null)]
        conditions += [(party.kim_birth_date
                    <= date_to - relativedelta(years=age),
                    Literal(code))
            for code, age in reversed(AGE_BANDS) if age]
        return SqlCase(*conditions, else_=Literal(AGE_BANDS[0][0]))

    @staticmethod
    def _text(column):
        return Cast(column, 'VARCHAR')

    # --- aggregation -----------------------------------------------------
    def compute(self, dimensions=(), crossings=()):
        """Return {cell: {code: (n, v)}} of the period for the total, each
        dimension and each crossing (pairs of dimensions); cells without
        facts of an indicator are left out (the total is always there)"""
        return self.compute_all(dimensions, crossings)[0]

    def compute_all(self, dimensions=(), crossings=()):
        """Return the cells of each period (the cross-tables for the
        first period only) from one statement"""
        dimensions = [d for d in DIMENSIONS if d in set(dimensions)]
        crossings = [tuple(c) for c in crossings]
        periods = range(len(self.periods))
        result = [defaultdict(dict) for _ in periods]
        if not self.definitions:
            for cells in result:
                cells.setdefault((), {})
            return result
        facts, goals, names = self.facts()
        # the dimension maps: one per period for the dated dimensions,
        # the crossings use those of the first period
        used = set(dimensions) | {d for c in crossings for d in c}
        with_ = ([goals] if goals is not None else []) + [facts]
        maps = {}
        for name in DIMENSIONS:
            if name not in used:
                continue
            for p in (periods if name in DATED else [0]):
                maps[name, p] = With(query=self.dimension(
                        name, self.periods[p][1]))
                with_.append(maps[name, p])

        def dim_map(name, p=0):
            return maps[name, p if name in DATED else 0]

        def sums(table, goal_only=False):
            goal_columns = {'n%dp' % i for i, _ in self._by_level('goal')}
            goal_columns |= {'v' + c[1:] for c in goal_columns}
            columns = []
            for name in names:
                if goal_only and name[:name.index('p') + 1] not in (
                        goal_columns):
                    columns.append(Literal(0).as_(name))
                else:
                    columns.append(Sum(getattr(table, name)).as_(name))
            return columns

        def label(name, p):
            # the period of a dated dimension's rows is in their label
            return '%s#%d' % (name, p) if name in DATED else name

        queries = []
        single = [d for d in dimensions if d not in MULTI_VALUED]
        if self.grouping_sets and single:
            queries.append(self._grouping_sets(facts, single, sums, label))
        else:
            queries.append(facts.select(
                    Literal('').as_('d1'), Cast(Null, 'VARCHAR').as_('k1'),
                    Literal('').as_('d2'), Cast(Null, 'VARCHAR').as_('k2'),
                    *sums(facts)))
            for name in single:
                for p in (periods if name in DATED else [0]):
                    queries.append(self._group(facts, sums,
                            (label(name, p), dim_map(name, p))))
        for name in dimensions:
            if name in MULTI_VALUED:
                for p in (periods if name in DATED else [0]):
                    queries.append(self._group(facts, sums,
                            (label(name, p), dim_map(name, p))))
        if goals is not None and 'handlungsfeld' in dimensions:
            queries.append(goals.select(
                    Literal('@handlungsfeld').as_('d1'),
                    self._text(goals.hf).as_('k1'),
                    Literal('').as_('d2'), Cast(Null, 'VARCHAR').as_('k2'),
                    *sums(goals, goal_only=True),
                    group_by=[goals.hf]))
        for first, second in crossings:
            queries.append(self._group(facts, sums,
                    (first, dim_map(first)), (second, dim_map(second))))
            if goals is not None and 'handlungsfeld' in (first, second):
                other = second if first == 'handlungsfeld' else first
                dim = dim_map(other)
                hf = self._text(goals.hf)
                keys = ((hf, dim.key) if first == 'handlungsfeld'
                    else (dim.key, hf))
                queries.append(goals.join(dim,
                        condition=dim.case == goals.case).select(
                        Literal('@' + first).as_('d1'), keys[0].as_('k1'),
                        Literal('@' + second).as_('d2'), keys[1].as_('k2'),
                        *sums(goals, goal_only=True),
                        group_by=[goals.hf, dim.key]))
        query = Union(*queries, all_=True) if len(queries) > 1 \
            else queries[0]
        query.with_ = with_
        cursor = Transaction().connection.cursor()
        postgresql = backend.name == 'postgresql'
        if postgresql:
            # the planner's estimates for the joined aggregates are far too
            # high: PostgreSQL would spend seconds compiling the statement
            # (JIT) that runs in less
            cursor.execute('SET LOCAL jit = off')
        cursor.execute(*query)
        fetched = cursor.fetchall()
        if postgresql:
            cursor.execute('SET LOCAL jit TO DEFAULT')
        rows, goal_rows = [], []
        for row in fetched:
            d1, k1, d2, k2 = row[:4]
            values = dict(zip(names, row[4:]))
            only = None
            if d1 and '#' in d1:
                d1, only = d1.split('#')
                only = int(only)
            if not d1:
                cell = ()
            elif not d2:
                cell = ((d1, k1),)
            else:
                cell = ((d1, k1), (d2, k2))
                only = 0
            if any(d.startswith('@') for d, _ in cell):
                goal_rows.append((tuple((d.lstrip('@'), k) for d, k in cell),
                        only, values))
            else:
                rows.append((cell, only, values))
        goal_cells = defaultdict(dict)
        for cell, only, values in goal_rows:
            goal_cells[cell] = values
        for cell, only, values in rows:
            for p in periods:
                if only is not None and p != only:
                    continue
                for i, definition in enumerate(self.definitions):
                    if definition.source == 'goal' and any(
                            d == 'handlungsfeld' for d, _ in cell):
                        source = goal_cells.get(cell, {})
                    else:
                        source = values
                    n = source.get('n%dp%d' % (i, p))
                    v = source.get('v%dp%d' % (i, p))
                    if cell and not n:
                        continue
                    result[p][cell][definition.code] = (int(n or 0), v)
        # goal cells of a Handlungsfeld no case-level row reaches
        for cell, values in goal_cells.items():
            for p in periods:
                if len(cell) == 2 and p:
                    continue
                for i, definition in enumerate(self.definitions):
                    if (definition.source != 'goal'
                            or definition.code in result[p].get(cell, {})):
                        continue
                    n = values.get('n%dp%d' % (i, p))
                    if n:
                        result[p][cell][definition.code] = (
                            int(n), values.get('v%dp%d' % (i, p)))
        for cells in result:
            cells.setdefault((), {})
            for definition in self.definitions:
                cells[()].setdefault(definition.code, (0, None))
        return result

    def _group(self, facts, sums, first, second=None):
        name1, dim1 = first
        from_ = facts.join(dim1, condition=dim1.case == facts.case)
        group_by = [dim1.key]
        if second:
            name2, dim2 = second
            from_ = from_.join(dim2, condition=dim2.case == facts.case)
            group_by.append(dim2.key)
            keys = [Literal(name2).as_('d2'), dim2.key.as_('k2')]
        else:
            keys = [Literal('').as_('d2'), Cast(Null, 'VARCHAR').as_('k2')]
        return from_.select(Literal(name1).as_('d1'), dim1.key.as_('k1'),
            *keys, *sums(facts), group_by=group_by)

    def _grouping_sets(self, facts, dimensions, sums, label):
        """The total and the single-valued dimensions in one GROUPING SETS
        pass over the per-case facts joined to a row of the case's keys
        (PostgreSQL); a dated dimension has a key per period"""
        from sql import Grouping as GroupingSets
        pool = Pool()
        case = self.Case.__table__()
        party = pool.get('party.party').__table__()
        from_ = case
        keys = []
        for name in dimensions:
            if name in CASE_COLUMNS:
                keys.append((name, self._text(
                            getattr(case, CASE_COLUMNS[name]))))
        if {'gender', 'age_band'} & set(dimensions):
            from_ = from_.join(party, condition=party.id == case.client)
            for name in ['gender', 'age_band']:
                if name not in dimensions:
                    continue
                if name in DATED:
                    for p, (_, date_to) in enumerate(self.periods):
                        keys.append((label(name, p),
                                self._client_key(name, party, date_to)))
                else:
                    keys.append((name,
                            self._client_key(name, party, None)))
        aliases = ['g%d' % i for i in range(len(keys))]
        row = from_.select(case.id.as_('case'),
            *[key.as_(alias) for (_, key), alias in zip(keys, aliases)],
            where=case.company == self.company)
        from_ = facts.join(row, condition=row.case == facts.case)
        columns = [(name, getattr(row, alias))
            for (name, _), alias in zip(keys, aliases)]
        dimension = SqlCase(*[(Grouping(column) == Literal(0),
                    Literal(name)) for name, column in columns],
            else_=Literal(''))
        key = SqlCase(*[(Grouping(column) == Literal(0), column)
                for _, column in columns], else_=Cast(Null, 'VARCHAR'))
        return from_.select(dimension.as_('d1'), key.as_('k1'),
            Literal('').as_('d2'), Cast(Null, 'VARCHAR').as_('k2'),
            *sums(facts),
            group_by=[GroupingSets((), *[(c,) for _, c in columns])])

    # --- steering --------------------------------------------------------
    def structure(self, period=0):
        """Return {code: count} of the steering definitions for the
        company: barrier reports submitted with a date in the period, topics
        taken up in the period, committee meetings held and their
        decisions"""
        date_from, date_to = self.periods[period]
        pool = Pool()
        result = {}
        if not self.steering:
            return result
        Barrier = pool.get('kim.barrier_report')
        Topic = pool.get('kim.topic')
        Meeting = pool.get('kim.committee.meeting')
        Committee = pool.get('kim.committee')
        Decision = pool.get('kim.committee.decision')
        cursor = Transaction().connection.cursor()
        start, end = self._start(date_from), self._end(date_to)
        barrier = Barrier.__table__()
        topic = Topic.__table__()
        meeting = Meeting.__table__()
        committee = Committee.__table__()
        decision = Decision.__table__()
        held = (meeting.state.in_(['held', 'approved'])
            & (meeting.start >= start) & (meeting.start < end)
            & (committee.company == self.company))
        queries = {
            'barrier_report': barrier.select(Sum(Literal(1)),
                where=(barrier.state != 'draft')
                & (barrier.company == self.company)
                & (barrier.date >= date_from)
                & (barrier.date <= date_to)),
            'topic': topic.select(Sum(Literal(1)),
                where=(topic.state != 'dropped')
                & (topic.company == self.company)
                & (topic.create_date >= start) & (topic.create_date < end)),
            'meeting': meeting.join(committee,
                condition=meeting.committee == committee.id).select(
                Sum(Literal(1)), where=held),
            'decision': decision.join(meeting,
                condition=decision.meeting == meeting.id).join(committee,
                condition=meeting.committee == committee.id).select(
                Sum(Literal(1)), where=held),
            }
        for definition in self.steering:
            cursor.execute(*queries[definition.source])
            count, = cursor.fetchone()
            result[definition.code] = int(count or 0)
        return result
