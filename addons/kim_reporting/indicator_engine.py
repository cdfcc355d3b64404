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


class KennzahlenEngine:
    """The Kennzahlen of a company and period for a list of Definitions.

    compute(dimensions, crossings) returns {cell: {code: (n, v)}} where
    cell is () for the total, ((dimension, key),) for a breakdown and
    ((dimension, key), (dimension, key)) for a cell of a cross-table; use
    finish() for the values. Steering definitions are in structure()."""

    def __init__(self, company, date_from, date_to, definitions):
        self.company = company
        self.date_from = date_from
        self.date_to = date_to
        self.definitions = [d for d in definitions
            if d.level != 'steering']
        self.steering = [d for d in definitions if d.level == 'steering']
        pool = Pool()
        self.Case = pool.get('kim.case')
        self.grouping_sets = backend.name == 'postgresql'

    # --- per-case facts --------------------------------------------------
    def _start(self):
        return dt.datetime.combine(self.date_from, dt.time.min)

    def _end(self):
        return dt.datetime.combine(
            self.date_to + dt.timedelta(days=1), dt.time.min)

    def _case_columns(self, case, definition):
        """Return (fact, filter, value) conditions of a case-level
        definition on the case table (plan: the agreed-plan aggregate)"""
        source = definition.source
        not_cancelled = case.state != 'cancelled'
        if source == 'intake':
            fact = (not_cancelled & (case.opened_date >= self.date_from)
                & (case.opened_date <= self.date_to))
        elif source == 'active':
            fact = (not_cancelled & (case.opened_date <= self.date_to)
                & ((case.closing_date == Null)
                    | (case.closing_date > self.date_to)))
        elif source == 'closed':
            fact = ((case.state == 'closed')
                & (case.closing_date >= self.date_from)
                & (case.closing_date <= self.date_to))
        elif source == 'case_plan':
            fact = (not_cancelled & (case.opened_date <= self.date_to)
                & ((case.closing_date == Null)
                    | (case.closing_date >= self.date_from)))
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

    def _contact_aggregate(self, definitions):
        pool = Pool()
        contact = pool.get('kim.case.contact').__table__()
        case = self.Case.__table__()
        columns = [contact.case.as_('case')]
        names = []
        for i, definition in definitions:
            condition = None
            if definition.channels:
                condition = contact.channel.in_(list(definition.channels))
            if definition.interpreter:
                interpreter = contact.interpreter_used == Literal(True)
                condition = (interpreter if condition is None
                    else condition & interpreter)
            n, v = self._columns(definition, None, condition,
                contact.duration, Sum)
            columns.append(n.as_('n%d' % i))
            names.append('n%d' % i)
            if v is not None:
                columns.append(v.as_('v%d' % i))
                names.append('v%d' % i)
        query = contact.join(case, condition=contact.case == case.id).select(
            *columns,
            where=(case.company == self.company) & (contact.state == 'done')
            & (contact.start >= self._start())
            & (contact.start < self._end()),
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
        for i, definition in definitions:
            condition = None
            if definition.goal_statuses:
                condition = goal.status.in_(list(definition.goal_statuses))
            n, v = self._columns(definition, None, condition, None, Sum)
            columns.append(n.as_('n%d' % i))
            names.append('n%d' % i)
            if v is not None:
                columns.append(v.as_('v%d' % i))
                names.append('v%d' % i)
        query = (goal.join(plan, condition=goal.plan == plan.id)
            .join(case, condition=plan.case == case.id)
            .select(*columns,
                where=(case.company == self.company)
                & plan.state.in_(PLAN_AGREED)
                & (plan.agreement_date >= self.date_from)
                & (plan.agreement_date <= self.date_to)
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
        for i, definition in definitions:
            n, v = self._columns(definition, None, None, None, Sum)
            columns.append(n.as_('n%d' % i))
            names.append('n%d' % i)
        query = (measure.join(goal, condition=measure.goal == goal.id)
            .join(plan, condition=goal.plan == plan.id)
            .join(case, condition=plan.case == case.id)
            .select(*columns,
                where=(case.company == self.company)
                & plan.state.in_(PLAN_AGREED)
                & (plan.agreement_date >= self.date_from)
                & (plan.agreement_date <= self.date_to)
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
        types = set()
        for i, definition in definitions:
            n, v = self._columns(definition, None,
                event.type == definition.event_type, None, Sum)
            types.add(definition.event_type)
            columns.append(n.as_('n%d' % i))
            names.append('n%d' % i)
            if v is not None:
                columns.append(v.as_('v%d' % i))
                names.append('v%d' % i)
        query = event.join(case, condition=event.case == case.id).select(
            *columns,
            where=(case.company == self.company)
            & event.type.in_(sorted(t for t in types if t))
            & (event.date >= self.date_from) & (event.date <= self.date_to),
            group_by=[event.case])
        return query, names

    def _plan_aggregate(self):
        "The cases with a plan agreed by the end of the period"
        pool = Pool()
        plan = pool.get('kim.case.plan').__table__()
        return plan.select(plan.case.as_('case'), Max(Literal(1)).as_('ok'),
            where=plan.state.in_(PLAN_AGREED)
            & (plan.agreement_date <= self.date_to),
            group_by=[plan.case])

    def _by_level(self, level):
        return [(i, d) for i, d in enumerate(self.definitions)
            if d.level == level]

    def facts(self):
        """Return (facts, goals, columns): the With queries of the
        per-case facts (columns case, n<i>, v<i>) and of the goals per case
        and Handlungsfeld (None without goal definitions), and the names of
        the fact columns"""
        case = self.Case.__table__()
        from_ = case
        columns = [case.id.as_('case')]
        names = []
        any_fact = []
        plan_ok = None
        for i, definition in self._by_level('case'):
            fact, condition, value = self._case_columns(case, definition)
            if definition.source == 'case_plan':
                if plan_ok is None:
                    plan_agg = self._plan_aggregate()
                    from_ = from_.join(plan_agg, 'LEFT',
                        condition=plan_agg.case == case.id)
                    plan_ok = plan_agg.ok == Literal(1)
                fact = fact & plan_ok
            any_fact.append(fact)
            n, v = self._columns(definition, fact, condition, value)
            columns.append(n.as_('n%d' % i))
            names.append('n%d' % i)
            if v is not None:
                columns.append(v.as_('v%d' % i))
                names.append('v%d' % i)

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
    def dimension(self, name):
        "Return a query of the (case, key) pairs of the dimension"
        pool = Pool()
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
                    | (status.valid_from <= self.date_to))
                & ((status.valid_to == Null)
                    | (status.valid_to >= self.date_to))).select(
                case.id.as_('case'),
                self._text(status.status_type).as_('key'),
                where=company, distinct=True)
        if name in {'gender', 'age_band'}:
            party = pool.get('party.party').__table__()
            return case.join(party, condition=case.client == party.id
                ).select(case.id.as_('case'),
                self._client_key(name, party).as_('key'),
                where=company)
        raise ValueError(name)

    def _client_key(self, name, party):
        if name == 'gender':
            return party.kim_gender
        # age on the reference date (end of the period)
        conditions = [(party.kim_birth_date == Null, Null)]
        conditions += [(party.kim_birth_date
                    <= self.date_to - relativedelta(years=age),
                    Literal(code))
            for code, age in reversed(AGE_BANDS) if age]
        return SqlCase(*conditions, else_=Literal(AGE_BANDS[0][0]))

    @staticmethod
    def _text(column):
        return Cast(column, 'VARCHAR')

    # --- aggregation -----------------------------------------------------
    def compute(self, dimensions=(), crossings=()):
        """Return {cell: {code: (n, v)}} for the total, each dimension and
        each crossing (pairs of dimensions); cells without facts of an
        indicator are left out (the total is always there)"""
        dimensions = [d for d in DIMENSIONS if d in set(dimensions)]
        crossings = [tuple(c) for c in crossings]
        result = defaultdict(dict)
        if not self.definitions:
            return result
        facts, goals, names = self.facts()
        goal_columns = {i for i, d in self._by_level('goal')}
        # the dimensions used
        used = set(dimensions) | {d for c in crossings for d in c}
        with_ = ([goals] if goals is not None else []) + [facts]
        maps = {}
        for name in DIMENSIONS:
            if name in used:
                maps[name] = With(query=self.dimension(name))
                with_.append(maps[name])

        def sums(table, only=None):
            columns = []
            for name in names:
                i = int(name[1:])
                if only is not None and i not in only:
                    columns.append(Literal(0).as_(name))
                else:
                    columns.append(Sum(getattr(table, name)).as_(name))
            return columns

        queries = []
        single = [d for d in dimensions if d not in MULTI_VALUED]
        if self.grouping_sets and single:
            queries.append(self._grouping_sets(facts, single, sums))
        else:
            queries.append(facts.select(
                    Literal('').as_('d1'), Cast(Null, 'VARCHAR').as_('k1'),
                    Literal('').as_('d2'), Cast(Null, 'VARCHAR').as_('k2'),
                    *sums(facts)))
            for name in single:
                queries.append(self._group(facts, maps, sums, name))
        for name in dimensions:
            if name in MULTI_VALUED:
                queries.append(self._group(facts, maps, sums, name))
        if goals is not None and 'handlungsfeld' in dimensions:
            queries.append(goals.select(
                    Literal('@handlungsfeld').as_('d1'),
                    self._text(goals.hf).as_('k1'),
                    Literal('').as_('d2'), Cast(Null, 'VARCHAR').as_('k2'),
                    *sums(goals, goal_columns),
                    group_by=[goals.hf]))
        for first, second in crossings:
            queries.append(self._group(facts, maps, sums, first, second))
            if goals is not None and 'handlungsfeld' in (first, second):
                other = second if first == 'handlungsfeld' else first
                dim = maps[other]
                hf = self._text(goals.hf)
                keys = ((hf, dim.key) if first == 'handlungsfeld'
                    else (dim.key, hf))
                queries.append(goals.join(dim,
                        condition=dim.case == goals.case).select(
                        Literal('@' + first).as_('d1'), keys[0].as_('k1'),
                        Literal('@' + second).as_('d2'), keys[1].as_('k2'),
                        *sums(goals, goal_columns),
                        group_by=[goals.hf, dim.key]))
        query = Union(*queries, all_=True) if len(queries) > 1 \
            else queries[0]
        query.with_ = with_
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        goal_cells = defaultdict(dict)
        for row in cursor:
            d1, k1, d2, k2 = row[:4]
            values = dict(zip(names, row[4:]))
            if not d1:
                cell = ()
            elif not d2:
                cell = ((d1, k1),)
            else:
                cell = ((d1, k1), (d2, k2))
            target = result
            if any(d.startswith('@') for d, _ in cell):
                target = goal_cells
                cell = tuple((d.lstrip('@'), k) for d, k in cell)
            target[cell] = values
        cells = defaultdict(dict)
        for cell, values in result.items():
            for i, definition in enumerate(self.definitions):
                if definition.source == 'goal' and any(
                        d == 'handlungsfeld' for d, _ in cell):
                    goal_values = goal_cells.get(cell, {})
                    n = goal_values.get('n%d' % i)
                    v = goal_values.get('v%d' % i)
                else:
                    n = values['n%d' % i]
                    v = values.get('v%d' % i)
                if cell and not n:
                    continue
                cells[cell][definition.code] = (int(n or 0), v)
        # goal cells of a Handlungsfeld no case-level fact row reaches
        for cell, values in goal_cells.items():
            if cell in result:
                continue
            for i, definition in enumerate(self.definitions):
                if definition.source != 'goal':
                    continue
                n = values.get('n%d' % i)
                if n:
                    cells[cell][definition.code] = (
                        int(n), values.get('v%d' % i))
        cells.setdefault((), {})
        for definition in self.definitions:
            cells[()].setdefault(definition.code, (0, None))
        return cells

    def _group(self, facts, maps, sums, first, second=None):
        dim1 = maps[first]
        from_ = facts.join(dim1, condition=dim1.case == facts.case)
        group_by = [dim1.key]
        if second:
            dim2 = maps[second]
            from_ = from_.join(dim2, condition=dim2.case == facts.case)
            group_by.append(dim2.key)
            keys = [Literal(second).as_('d2'), dim2.key.as_('k2')]
        else:
            keys = [Literal('').as_('d2'), Cast(Null, 'VARCHAR').as_('k2')]
        return from_.select(Literal(first).as_('d1'), dim1.key.as_('k1'),
            *keys, *sums(facts), group_by=group_by)

    def _grouping_sets(self, facts, dimensions, sums):
        """The total and the single-valued dimensions in one GROUPING SETS
        pass over the per-case facts joined to a row of the case's keys
        (PostgreSQL)"""
        from sql import Grouping as GroupingSets
        pool = Pool()
        case = self.Case.__table__()
        party = pool.get('party.party').__table__()
        from_ = case
        keys = []
        for name in dimensions:
            if name in CASE_COLUMNS:
                keys.append(self._text(
                        getattr(case, CASE_COLUMNS[name])).as_(name))
        if {'gender', 'age_band'} & set(dimensions):
            from_ = from_.join(party, condition=party.id == case.client)
            for name in ['gender', 'age_band']:
                if name in dimensions:
                    keys.append(self._client_key(name, party).as_(name))
        row = from_.select(case.id.as_('case'), *keys,
            where=case.company == self.company)
        names = [d for d in dimensions if d in {k.output_name for k in keys}]
        from_ = facts.join(row, condition=row.case == facts.case)
        columns = {n: getattr(row, n) for n in names}
        dimension = SqlCase(*[(Grouping(columns[n]) == Literal(0),
                    Literal(n)) for n in names], else_=Literal(''))
        key = SqlCase(*[(Grouping(columns[n]) == Literal(0), columns[n])
                for n in names], else_=Cast(Null, 'VARCHAR'))
        return from_.select(dimension.as_('d1'), key.as_('k1'),
            Literal('').as_('d2'), Cast(Null, 'VARCHAR').as_('k2'),
            *sums(facts),
            group_by=[GroupingSets((), *[(columns[n],) for n in names])])

    # --- steering --------------------------------------------------------
    def structure(self):
        """Return {code: count} of the steering definitions for the
        company: barrier reports submitted with a date in the period, topics
        taken up in the period, committee meetings held and their
        decisions"""
        pool = Pool()
        result = {}
        if not self.steering:
            return result
        try:
            Barrier = pool.get('kim.barrier_report')
            Topic = pool.get('kim.topic')
            Meeting = pool.get('kim.committee.meeting')
            Committee = pool.get('kim.committee')
            Decision = pool.get('kim.committee.decision')
        except KeyError:
            return result
        cursor = Transaction().connection.cursor()
        start, end = self._start(), self._end()
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
                & (barrier.date >= self.date_from)
                & (barrier.date <= self.date_to)),
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
