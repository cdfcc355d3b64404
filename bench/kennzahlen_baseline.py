"""The Kennzahlen baseline of the benchmark: an independent, hand-written,
set-based SQL for the indicators shipped with kim_reporting.

The facts of the period are computed once per case (contacts, goals,
measures and events each aggregated in one pass), then every dimension is
one GROUP BY of these per-case facts, all in one statement. It shares no
code with the module: the benchmark compares the module's annual report with
it (time and numbers), and tests/test_kennzahlen_baseline.py checks that
both give the same numbers on generated data.

    kennzahlen(cursor, backend, company, start, end, dimensions)

returns {(indicator code, dimension, key): value} with dimension 'total'
and key '' for the totals, the keys as the module exports them (AGS,
code-list codes, gender and age-band codes, ids of teams and
organisations, '' when not recorded), and the values as the module rounds
them (hours to 0.01, means and shares to 0.1). Cells without a fact are
left out, as in the module. backend is 'postgresql' or 'sqlite'.
"""
import datetime as dt
from decimal import Decimal

# code: (column of the per-case facts, kind, column of the values)
INDICATORS = {
    'intakes': ('intakes', 'count', None),
    'active': ('active', 'count', None),
    'closed': ('closed', 'count', None),
    'duration': ('closed', 'avg', 'closed_days'),
    'closed_goal_reached': ('closed', 'pct', 'closed_goal'),
    'contacts': ('contacts', 'count', None),
    'contact_hours': ('contacts', 'hours', 'minutes'),
    'interpreter': ('interpreter', 'count', None),
    'outreach_pct': ('contacts', 'pct', 'outreach'),
    'with_plan': ('with_plan', 'count', None),
    'goals_set': ('goals_set', 'count', None),
    'goals_achieved': ('goals_achieved', 'count', None),
    'goal_rate': ('goals_set', 'pct', 'goals_achieved'),
    'referrals': ('referrals', 'count', None),
    'handovers': ('handovers', 'count', None),
    'rechtskreis_changes': ('rechtskreis_changes', 'count', None),
    }
GOAL_COLUMNS = {'goals_set', 'goals_achieved'}

FACTS = """
c AS (
    SELECT id, client, kommune, team, referring_organisation,
        access_channel, closing_reason, state, opened_date, closing_date
    FROM kim_case WHERE company = :company),
k AS (
    SELECT k."case" AS cid, COUNT(*) AS contacts,
        SUM(k.duration) AS minutes,
        SUM(CASE WHEN k.interpreter_used THEN 1 ELSE 0 END) AS interpreter,
        SUM(CASE WHEN k.channel IN ('home_visit', 'outreach')
            THEN 1 ELSE 0 END) AS outreach
    FROM kim_case_contact k JOIN c ON c.id = k."case"
    WHERE k.state = 'done' AND k.start >= :start_time
        AND k.start < :next_time
    GROUP BY k."case"),
g AS (
    SELECT p."case" AS cid, g.handlungsfeld AS hf, COUNT(*) AS goals_set,
        SUM(CASE WHEN g.status = 'achieved' THEN 1 ELSE 0 END)
            AS goals_achieved
    FROM kim_case_plan_goal g
        JOIN kim_case_plan p ON p.id = g.plan
        JOIN c ON c.id = p."case"
    WHERE p.state IN ('agreed', 'superseded')
        AND p.agreement_date >= :start AND p.agreement_date <= :end
        AND g.status <> 'dropped'
    GROUP BY p."case", g.handlungsfeld),
gc AS (
    SELECT cid, SUM(goals_set) AS goals_set,
        SUM(goals_achieved) AS goals_achieved
    FROM g GROUP BY cid),
m AS (
    SELECT p."case" AS cid, COUNT(*) AS referrals
    FROM kim_case_plan_measure m
        JOIN kim_case_plan_goal g ON g.id = m.goal
        JOIN kim_case_plan p ON p.id = g.plan
        JOIN c ON c.id = p."case"
    WHERE p.state IN ('agreed', 'superseded')
        AND p.agreement_date >= :start AND p.agreement_date <= :end
        AND m.responsible = 'partner' AND m.status <> 'cancelled'
    GROUP BY p."case"),
e AS (
    SELECT e."case" AS cid,
        SUM(CASE WHEN e.type = 'handover' THEN 1 ELSE 0 END) AS handovers,
        SUM(CASE WHEN e.type = 'rechtskreis_change' THEN 1 ELSE 0 END)
            AS rechtskreis_changes
    FROM kim_case_event e JOIN c ON c.id = e."case"
    WHERE e.date >= :start AND e.date <= :end
        AND e.type IN ('handover', 'rechtskreis_change')
    GROUP BY e."case"),
pl AS (
    SELECT DISTINCT "case" AS cid FROM kim_case_plan
    WHERE state IN ('agreed', 'superseded') AND agreement_date <= :end),
f AS (
    SELECT c.id AS cid,
        CASE WHEN c.state <> 'cancelled' AND c.opened_date >= :start
            AND c.opened_date <= :end THEN 1 ELSE 0 END AS intakes,
        CASE WHEN c.state <> 'cancelled' AND c.opened_date <= :end
            AND (c.closing_date IS NULL OR c.closing_date > :end)
            THEN 1 ELSE 0 END AS active,
        CASE WHEN c.state = 'closed' AND c.closing_date >= :start
            AND c.closing_date <= :end THEN 1 ELSE 0 END AS closed,
        CASE WHEN c.state = 'closed' AND c.closing_date >= :start
            AND c.closing_date <= :end THEN {days} ELSE 0 END
            AS closed_days,
        CASE WHEN c.state = 'closed' AND c.closing_date >= :start
            AND c.closing_date <= :end AND c.closing_reason IN (
                SELECT id FROM kim_closing_reason WHERE code = 'ZIEL')
            THEN 1 ELSE 0 END AS closed_goal,
        CASE WHEN c.state <> 'cancelled' AND c.opened_date <= :end
            AND (c.closing_date IS NULL OR c.closing_date >= :start)
            AND pl.cid IS NOT NULL THEN 1 ELSE 0 END AS with_plan,
        COALESCE(k.contacts, 0) AS contacts,
        COALESCE(k.minutes, 0) AS minutes,
        COALESCE(k.interpreter, 0) AS interpreter,
        COALESCE(k.outreach, 0) AS outreach,
        COALESCE(gc.goals_set, 0) AS goals_set,
        COALESCE(gc.goals_achieved, 0) AS goals_achieved,
        COALESCE(m.referrals, 0) AS referrals,
        COALESCE(e.handovers, 0) AS handovers,
        COALESCE(e.rechtskreis_changes, 0) AS rechtskreis_changes
    FROM c
        LEFT JOIN k ON k.cid = c.id
        LEFT JOIN gc ON gc.cid = c.id
        LEFT JOIN m ON m.cid = c.id
        LEFT JOIN e ON e.cid = c.id
        LEFT JOIN pl ON pl.cid = c.id)
"""

# the (case, key) pairs of each dimension, keys as the module exports them
DIMENSIONS = {
    'kommune': """SELECT c.id AS cid, km.ags AS key FROM c
        LEFT JOIN kim_kommune km ON km.id = c.kommune""",
    'team': """SELECT c.id AS cid, CAST(c.team AS VARCHAR) AS key
        FROM c""",
    'organisation': """SELECT c.id AS cid,
        CAST(c.referring_organisation AS VARCHAR) AS key FROM c""",
    'access_channel': """SELECT c.id AS cid, x.code AS key FROM c
        LEFT JOIN kim_access_channel x ON x.id = c.access_channel""",
    'closing_reason': """SELECT c.id AS cid, x.code AS key FROM c
        LEFT JOIN kim_closing_reason x ON x.id = c.closing_reason""",
    'target_group': """SELECT DISTINCT c.id AS cid, t.code AS key FROM c
        LEFT JOIN "kim_case-kim_target_group" r ON r."case" = c.id
        LEFT JOIN kim_target_group t ON t.id = r.target_group""",
    'rechtskreis': """SELECT DISTINCT c.id AS cid, t.code AS key FROM c
        LEFT JOIN "kim_case-kim_rechtskreis" r ON r."case" = c.id
        LEFT JOIN kim_rechtskreis t ON t.id = r.rechtskreis""",
    'handlungsfeld': """SELECT DISTINCT c.id AS cid, h.code AS key FROM c
        LEFT JOIN kim_case_plan p ON p."case" = c.id
        LEFT JOIN kim_case_plan_goal g ON g.plan = p.id
        LEFT JOIN kim_handlungsfeld h ON h.id = g.handlungsfeld""",
    'residence_status': """SELECT DISTINCT c.id AS cid, t.code AS key FROM c
        LEFT JOIN kim_client_residence_status s ON s.client = c.client
            AND (s.valid_from IS NULL OR s.valid_from <= :end)
            AND (s.valid_to IS NULL OR s.valid_to >= :end)
        LEFT JOIN kim_residence_status_type t ON t.id = s.status_type""",
    'gender': """SELECT c.id AS cid, p.kim_gender AS key FROM c
        JOIN party_party p ON p.id = c.client""",
    'age_band': """SELECT c.id AS cid, CASE
            WHEN p.kim_birth_date IS NULL THEN NULL
            WHEN p.kim_birth_date <= :born_65 THEN '65'
            WHEN p.kim_birth_date <= :born_45 THEN '45_64'
            WHEN p.kim_birth_date <= :born_27 THEN '27_44'
            WHEN p.kim_birth_date <= :born_18 THEN '18_26'
            ELSE 'u18' END AS key
        FROM c JOIN party_party p ON p.id = c.client""",
    }
COLUMNS = ['intakes', 'active', 'closed', 'closed_days', 'closed_goal',
    'with_plan', 'contacts', 'minutes', 'interpreter', 'outreach',
    'goals_set', 'goals_achieved', 'referrals', 'handovers',
    'rechtskreis_changes']


def _years_before(date, years):
    try:
        return date.replace(year=date.year - years)
    except ValueError:  # 29 February
        return date.replace(year=date.year - years, day=28)


def statement(backend, dimensions):
    "The SQL of the totals and the dimensions (one statement)"
    days = ('julianday(c.closing_date) - julianday(c.opened_date)'
        if backend == 'sqlite' else 'c.closing_date - c.opened_date')
    sums = ', '.join('SUM(f.%s)' % c for c in COLUMNS)
    parts = ["SELECT 'total', NULL, %s FROM f" % sums]
    for dimension in dimensions:
        parts.append("SELECT '%s', d.key, %s FROM f JOIN (%s) d "
            "ON d.cid = f.cid GROUP BY d.key"
            % (dimension, sums, DIMENSIONS[dimension]))
        if dimension == 'handlungsfeld':
            # goals by their own Handlungsfeld
            parts.append("SELECT '@handlungsfeld', h.code, %s FROM g "
                "JOIN kim_handlungsfeld h ON h.id = g.hf GROUP BY h.code"
                % ', '.join('SUM(g.%s)' % c if c in GOAL_COLUMNS else '0'
                    for c in COLUMNS))
    return ('WITH ' + FACTS.format(days=days) + '\nUNION ALL\n'.join(
            [''] + parts)[len('\nUNION ALL\n'):])


def _params(backend, sql, values):
    if backend == 'sqlite':
        return sql, values
    # psycopg: named placeholders in the pyformat style
    import re
    return re.sub(r'(?<!:):(\w+)', r'%(\1)s', sql), values


def finish(kind, n, v):
    n = int(n or 0)
    v = Decimal(str(v or 0))
    if kind == 'count':
        return Decimal(n)
    if kind == 'hours':
        return (v / 60).quantize(Decimal('0.01'))
    if kind == 'avg':
        return (v / n).quantize(Decimal('0.1')) if n else None
    if kind == 'pct':
        return (v * 100 / n).quantize(Decimal('0.1')) if n else None
    raise ValueError(kind)


def kennzahlen(cursor, backend, company, start, end, dimensions):
    """Return {(code, dimension, key): value} of the shipped indicators of
    the company for the period, by total and the dimensions"""
    values = {
        'company': company, 'start': start, 'end': end,
        'start_time': dt.datetime.combine(start, dt.time.min),
        'next_time': dt.datetime.combine(end + dt.timedelta(days=1),
            dt.time.min),
        'born_18': _years_before(end, 18), 'born_27': _years_before(end, 27),
        'born_45': _years_before(end, 45), 'born_65': _years_before(end, 65),
        }
    sql, params = _params(backend, statement(backend, dimensions), values)
    if backend == 'postgresql':
        # as the module: no JIT compilation (it costs more than the query)
        cursor.execute('SET LOCAL jit = off')
    cursor.execute(sql, params)
    rows = cursor.fetchall()
    if backend == 'postgresql':
        cursor.execute('SET LOCAL jit TO DEFAULT')
    goal_cells = {(key or ''): dict(zip(COLUMNS, row[2:]))
        for row in rows if row[0] == '@handlungsfeld' for key in [row[1]]}
    result = {}
    for row in rows:
        dimension, key = row[0], row[1]
        if dimension == '@handlungsfeld':
            continue
        sums = dict(zip(COLUMNS, row[2:]))
        key = '' if dimension == 'total' else (key or '')
        for code, (base, kind, value) in INDICATORS.items():
            if dimension == 'handlungsfeld' and base in GOAL_COLUMNS:
                continue
            n = sums[base]
            if dimension != 'total' and not n:
                continue
            result[code, dimension, key] = finish(
                kind, n, sums[value] if value else None)
    for key, sums in goal_cells.items():
        for code, (base, kind, value) in INDICATORS.items():
            if base in GOAL_COLUMNS and sums[base]:
                result[code, 'handlungsfeld', key] = finish(
                    kind, sums[base], sums[value] if value else None)
    return result
