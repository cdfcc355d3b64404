#!/usr/bin/env python3
# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""What users wait for, measured over JSON-RPC against the production set-up.

Run by tools/bench.sh (``make bench``) against tools/serve.sh (gunicorn
workers, trytond-cron, trytond-worker) on the bench database. Every call is
an HTTP request to the server as the web client sends it (JSON-RPC, gzip
accepted, one session per user); the time of a call is its round trip on
the loopback, which is the server time plus well under a millisecond.

The calls are those sao 8.0 (.sao/package/dist/tryton-sao.js) makes:

- case list (menu "Fälle", first tab): ``search`` with the tab's domain,
  offset 0 and the client's limit (1000), ``search_count`` when the page is
  full, ``search_count`` of every tab that shows a counter, ``read`` of the
  first 100 ids (1000 / 10 fields, sao's eager load) with the list view's
  fields, ``.rec_name`` of every Many2One, ``:string`` of every selection,
  ``rec_name``, ``_timestamp``, ``_write``, ``_delete``;
- case form (a double click in the list): ``read`` of the one record with
  the form's fields not loaded by the list, the One2Many/Many2Many of the
  first page with their sub-fields (``related_read_limit`` 20), and
  ``resources`` (attachment and note counters); each further tab: ``read``
  of the records of every One2Many/Many2Many on it with its list view;
- Wiedervorlage (menu "Wiedervorlage", as the list);
- a contact saved (``default_get``, ``create``, ``read`` of the form);
- the annual Kennzahlen report (create, button ``compute``) and its numbers
  against the independent set-based SQL of bench/kennzahlen_baseline.py
  (asserted equal), the state export wizard and its CSV, the
  Verwendungsnachweis PDF;
- a load run of N users (each its own session and case load) with think
  time, and a saturation run without.

Every figure is printed with its target and, where the target is a bound,
the ratio figure / target (<= 1.00 is met).

    bench_rpc.py --url http://127.0.0.1:8765/ --database DB --dsn URI
"""
import argparse
import base64
import datetime as dt
import gzip
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from decimal import Decimal

DEMO_PASSWORD = os.environ.get('KIM_DEMO_PASSWORD') or 'demo-KIM-2026'
BENCH_PASSWORD = 'Bench-Kim-Last-2026!'
SUBJECT = 'Bench-Kontakt (RPC)'
LIMIT = 1000  # Sao.config.limit
DISPLAY_SIZE = 20  # Sao.config.display_size

# name: (target, unit, kind) with kind 'max' (figure <= target) or 'min'
TARGETS = {
    'case list': (60, 'ms', 'max'),
    'case form': (80, 'ms', 'max'),
    'due list': (100, 'ms', 'max'),
    'kennzahlen': (1.5, 'x SQL', 'max'),
    'state export': (3000, 'ms', 'max'),
    'proof pdf': (2000, 'ms', 'max'),
    'load p95': (300, 'ms', 'max'),
    'load errors': (0, '', 'max'),
    'saturation': (30, 'req/s', 'min'),
    }


class RPCError(Exception):
    pass


def _default(o):
    if isinstance(o, dt.datetime):
        return {'__class__': 'datetime', 'year': o.year, 'month': o.month,
            'day': o.day, 'hour': o.hour, 'minute': o.minute,
            'second': o.second, 'microsecond': o.microsecond}
    if isinstance(o, dt.date):
        return {'__class__': 'date', 'year': o.year, 'month': o.month,
            'day': o.day}
    if isinstance(o, Decimal):
        return {'__class__': 'Decimal', 'decimal': str(o)}
    raise TypeError(repr(o))


def _hook(d):
    cls = d.get('__class__')
    if cls == 'Decimal':
        return Decimal(d['decimal'])
    if cls == 'date':
        return dt.date(d['year'], d['month'], d['day'])
    if cls == 'datetime':
        return dt.datetime(d['year'], d['month'], d['day'], d['hour'],
            d['minute'], d['second'], d.get('microsecond', 0))
    if cls == 'bytes':
        return base64.b64decode(d['base64'])
    return d


def server_timing(response):
    "The server's time (s) of an answer from its Server-Timing header"
    for part in (response.getheader('Server-Timing') or '').split(','):
        for item in part.split(';')[1:]:
            key, _, value = item.strip().partition('=')
            if key == 'dur':
                try:
                    return float(value) / 1000
                except ValueError:
                    return None
    return None


class Session:
    "One user of the web client: its own HTTP connection and session"

    def __init__(self, url, database):
        url = urllib.parse.urlsplit(url)
        self.host, self.port = url.hostname, url.port or 80
        self.path = '/%s/rpc/' % database
        self.database = database
        self.conn = None
        self.auth = None
        self.context = {}
        self.calls = []  # (label, method, seconds, ok)
        self.server = []  # the server's seconds of each call (Server-Timing)
        self._id = 0

    def request(self, method, params, label=None):
        self._id += 1
        body = json.dumps({'id': self._id, 'method': method,
                'params': params}, default=_default).encode()
        headers = {'Content-Type': 'application/json',
            'Accept-Encoding': 'gzip'}
        if self.auth:
            headers['Authorization'] = self.auth
        start = time.perf_counter()
        ok = False
        took = server = None
        try:
            for attempt in range(2):
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(
                        self.host, self.port, timeout=900)
                try:
                    self.conn.request('POST', self.path, body, headers)
                    response = self.conn.getresponse()
                    data = response.read()
                    # the round trip ends with the answer's last byte
                    took = time.perf_counter() - start
                    server = server_timing(response)
                    break
                except (http.client.RemoteDisconnected,
                        ConnectionResetError, BrokenPipeError):
                    # a keep-alive connection closed by the server
                    self.conn.close()
                    self.conn = None
                    if attempt:
                        raise
            if response.will_close:
                self.conn.close()
                self.conn = None
            if response.getheader('Content-Encoding') == 'gzip':
                data = gzip.decompress(data)
            if response.status != 200:
                raise RPCError('%s %s: HTTP %s %s' % (method, label or '',
                        response.status, data[:500]))
            result = json.loads(data, object_hook=_hook)
            if result.get('error'):
                raise RPCError('%s: %s' % (method, str(result['error'])[:800]))
            ok = True
            return result['result']
        finally:
            if took is None:
                took = time.perf_counter() - start
            self.calls.append((label or method, method, took, ok))
            self.server.append(server if server is not None else took)

    def login(self, login, password):
        self.login_name = login
        user_id, token, _ = self.request('common.db.login',
            [login, {'password': password}, 'de'], label='login')
        self.user_id = user_id
        self.auth = 'Session ' + base64.b64encode(
            ('%s:%s:%s' % (login, user_id, token)).encode()).decode()
        self.context = self.request('model.res.user.get_preferences',
            [True, {}], label='preferences')
        return self

    def execute(self, model, method, *args, context=None, label=None):
        ctx = dict(self.context)
        ctx.update(context or {})
        return self.request('model.%s.%s' % (model, method),
            list(args) + [ctx], label=label)


def decode_pyson(value, context):
    if not value:
        return None
    from trytond.pyson import PYSONDecoder
    return PYSONDecoder(context).decode(value)


def x2m_sub_fields(desc, prefix):
    "get_x2m_sub_fields of sao"
    if not desc.get('visible') or not desc.get('views'):
        return []
    view, = list(desc['views'].values())[:1]
    result = []
    for name, sub in (view.get('fields') or {}).items():
        result.append('%s.%s' % (prefix, name))
        if sub['type'] in {'many2one', 'one2one', 'reference'}:
            result.append('%s.%s.rec_name' % (prefix, name))
        elif sub['type'] in {'selection', 'multiselection'}:
            result.append('%s.%s:string' % (prefix, name))
        elif sub['type'] in {'one2many', 'many2many'}:
            result.extend(x2m_sub_fields(sub, '%s.%s' % (prefix, name)))
    result.extend('%s.%s' % (prefix, n)
        for n in ['_timestamp', '_write', '_delete'])
    return result


def fields_to_fetch(fields, loaded=()):
    """The field names sao's Record.load('*') reads: (lazy, names,
    related_read_limit)"""
    lazy = any(f.get('loading', 'eager') == 'lazy' for f in fields.values())
    names = [n for n, f in fields.items() if n not in loaded
        and (lazy or f.get('loading', 'eager') == 'eager')]
    fetch, related = list(names), None
    for name in names:
        desc = fields[name]
        if desc['type'] in {'many2one', 'one2one', 'reference'}:
            fetch.append(name + '.rec_name')
        elif (desc['type'] in {'selection', 'multiselection'}
                and desc.get('loading', 'lazy') == 'eager'):
            fetch.append(name + ':string')
        elif desc['type'] in {'one2many', 'many2many'} and lazy:
            sub = x2m_sub_fields(desc, name)
            fetch.extend(sub)
            if sub:
                related = DISPLAY_SIZE
    if 'rec_name' not in names:
        fetch.append('rec_name')
    fetch.extend(['_timestamp', '_write', '_delete'])
    return lazy, fetch, related


def eager_limit(fetch):
    return LIMIT // min(len(fetch), 10)


class Screen:
    """An act_window of a menu as sao opens it: views, tabs, search, read.
    The views and the action are fetched once per session (sao caches
    them); they are not part of the figures."""

    def __init__(self, session, menu_id):
        self.session = session
        action, = [a for a in session.execute('ir.action.keyword',
                'get_keyword', 'tree_open', ['ir.ui.menu', menu_id],
                label='setup') if a.get('res_model')][:1]
        self.action = action
        self.model = action['res_model']
        ctx = dict(session.context)
        self.context = decode_pyson(action.get('pyson_context'), ctx) or {}
        ctx.update(self.context)
        self.domain = decode_pyson(action.get('pyson_domain'), ctx) or []
        self.order = decode_pyson(action.get('pyson_order'), ctx) or None
        self.limit = action.get('limit') or LIMIT
        self.tabs = [(name, decode_pyson(domain, ctx), count)
            for name, domain, count in action.get('domains') or []]
        self.views = {}
        for view_id, view_type in action['views']:
            self.views[view_type] = session.execute(self.model,
                'fields_view_get', view_id, view_type,
                context=self.context, label='setup')

    def search_domain(self, tab=0):
        domain = self.domain
        if self.tabs:
            tab_domain = self.tabs[tab][1]
            domain = ['AND', domain, tab_domain] if domain else tab_domain
        return domain

    def open_list(self, label, tab=0, counter_label=None):
        """search, counts, read: what the list costs (the tab counters, which
        sao sends when the list shows, with counter_label)"""
        s = self.session
        domain = self.search_domain(tab)
        ids = s.execute(self.model, 'search', domain, 0, self.limit,
            self.order, context=self.context, label=label)
        if len(ids) == self.limit:
            s.execute(self.model, 'search_count', domain, 0, LIMIT,
                context=self.context, label=label)
        tab_counters = []
        for name, tab_domain, count in self.tabs:
            if count:
                tab_counters.append((['AND', tab_domain, self.domain]
                        if self.domain else tab_domain))

        fields = self.views['tree']['fields']
        _, fetch, related = fields_to_fetch(fields)
        ctx = dict(self.context)
        if related:
            ctx['related_read_limit'] = related
        rows = s.execute(self.model, 'read', ids[:eager_limit(fetch)],
            fetch, context=ctx, label=label) if ids else []
        # sao counts the tabs when the list has loaded (count_tab_domain)
        for domain in tab_counters:
            s.execute(self.model, 'search_count', domain, 0, 1000,
                context=self.context, label=counter_label or label)
        return ids, rows

    def pages(self):
        "The x2m fields of each page of the form's notebook, in order"
        arch = ET.fromstring(self.views['form']['arch'])
        fields = self.views['form']['fields']
        notebook = arch.find('.//notebook')
        result = []
        for page in (notebook.findall('page') if notebook is not None
                else []):
            names = [f.get('name') for f in page.iter('field')
                if fields.get(f.get('name'), {}).get('type')
                in {'one2many', 'many2many'}]
            result.append((page.get('name') or page.get('id')
                    or page.get('string'), names))
        return result

    def open_form(self, record_id, label, tab_label=None):
        """Read the record as the form shows it from the list, then each
        further tab"""
        s = self.session
        tree_fields = self.views['tree']['fields']
        fields = dict(tree_fields)
        fields.update(self.views['form']['fields'])
        _, fetch, related = fields_to_fetch(fields, loaded=set(tree_fields))
        ctx = dict(self.context)
        if related:
            ctx['related_read_limit'] = related
        row, = s.execute(self.model, 'read', [record_id], fetch,
            context=ctx, label=label)
        s.execute(self.model, 'resources', record_id, context=self.context,
            label=label)
        for i, (page, names) in enumerate(self.pages()):
            if not i:
                continue  # read with the record
            for name in names:
                ids = row.get(name) or []
                desc = self.views['form']['fields'][name]
                views = list((desc.get('views') or {}).values())
                if not ids or not views:
                    continue
                sub_fields = views[0]['fields']
                _, sub_fetch, sub_related = fields_to_fetch(sub_fields)
                sub_ctx = dict(self.context)
                sub_ctx.update(desc.get('context') and {} or {})
                if sub_related:
                    sub_ctx['related_read_limit'] = sub_related
                s.execute(desc['relation'], 'read',
                    ids[:eager_limit(sub_fetch)], sub_fetch,
                    context=sub_ctx, label=tab_label or label)
        return row


def percentile(values, p):
    if not values:
        return float('nan')
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    f = int(k)
    c = min(f + 1, len(values) - 1)
    return values[f] + (values[c] - values[f]) * (k - f)


class Sample:
    "Times of a user action made of several calls"

    def __init__(self):
        self.times = []

    def add(self, seconds):
        self.times.append(seconds * 1000)

    @property
    def p50(self):
        return percentile(self.times, 50)

    @property
    def p95(self):
        return percentile(self.times, 95)


def timed(session, func):
    "Run func and return its result and the time of its calls (ms)"
    before = len(session.calls)
    result = func()
    calls = session.calls[before:]
    return result, sum(c[2] for c in calls), len(calls)


RESULTS = []  # (name, label, value, unit)
WHO = ['']  # the user of the figures being reported


def load_average():
    "The machine's load (the bench shares it)"
    try:
        return 'load average %.1f %.1f %.1f on %d cores' % (
            os.getloadavg() + (os.cpu_count(),))
    except OSError:
        return 'load average unknown'


def report(key, label, value, unit='ms', extra=''):
    target = TARGETS.get(key)
    if target is None:
        line = '%-52s %10.1f %-6s' % (label, value, unit)
    else:
        bound, tunit, kind = target
        if kind == 'max':
            met = value <= bound
            ratio = ('%6.2f' % (value / bound)) if bound else '     -'
            rule = '<= %s %s' % (bound, tunit)
        else:
            met = value >= bound
            ratio = '%6.2f' % (value / bound)
            rule = '>= %s %s' % (bound, tunit)
        line = '%-52s %10.1f %-6s target %-14s ratio %s  %s' % (
            label, value, unit, rule, ratio, 'met' if met else 'NOT MET')
    if extra:
        line += '  (%s)' % extra
    print(line, flush=True)
    RESULTS.append((key, ('%s: %s' % (WHO[0], label.strip()))
            if WHO[0] else label, value, unit))


class Bench:

    def __init__(self, args):
        import psycopg
        self.args = args
        self.db = psycopg.connect(args.dsn, autocommit=True)
        self.url = args.url
        self.database = args.database

    def sql(self, query, params=None):
        cursor = self.db.execute(query, params)
        return cursor.fetchall() if cursor.description else []

    def xml_id(self, module, fs_id):
        (db_id,), = self.sql('SELECT db_id FROM ir_model_data '
            'WHERE module = %s AND fs_id = %s', (module, fs_id))
        return db_id

    def menu_of(self, module, act_window):
        action = self.xml_id(module, act_window)
        rows = self.sql("SELECT k.model FROM ir_action_keyword k "
            "JOIN ir_action_act_window w ON w.action = k.action "
            "WHERE w.id = %s AND k.keyword = 'tree_open' "
            "AND k.model LIKE 'ir.ui.menu,%%' ORDER BY k.id", (action,))
        return int(rows[0][0].split(',')[1])

    def session(self, login, password=DEMO_PASSWORD):
        return Session(self.url, self.database).login(login, password)

    # --- the interactive figures -------------------------------------------
    def interactive(self, login, repeat):
        s = self.session(login)
        cases = Screen(s, self.menu_of('kim_case', 'act_case_form'))
        dues = Screen(s, self.menu_of('kim_case', 'act_case_due'))
        (employee,), = self.sql('SELECT employee FROM res_user '
            'WHERE id = %s', (s.user_id,))
        total, open_ = self.sql("SELECT COUNT(*), COUNT(*) FILTER (WHERE "
            "state IN ('intake', 'assessment', 'planning', "
            "'implementation', 'closing')) FROM kim_case "
            "WHERE case_manager = %s", (employee,))[0]
        # per action: round trips and the server's time of its calls
        names = ['list', 'shown', 'form', 'tabs', 'due']
        trips = {n: Sample() for n in names}
        servers = {n: Sample() for n in names}
        labels = {'list': {'list', 'counter'}, 'shown': {'list'},
            'form': {'form'}, 'tabs': {'tab'}, 'due': {'due'}}
        calls = {}
        ids = []

        def add(name, before, measured):
            done = [(c, server) for c, server in zip(s.calls[before:],
                    s.server[before:]) if c[0] in labels[name]]
            calls[name] = len(done)
            if measured:
                trips[name].add(sum(c[2] for c, _ in done))
                servers[name].add(sum(server for _, server in done))
        for i in range(repeat + self.args.warmup):
            measured = i >= self.args.warmup
            before = len(s.calls)
            ids, rows = cases.open_list('list', counter_label='counter')
            add('list', before, measured)
            add('shown', before, measured)
            # the cases of the page, one after another
            record = ids[i % min(len(ids), 20)] if ids else None
            if record is None:
                continue
            before = len(s.calls)
            cases.open_form(record, 'form', 'tab')
            add('form', before, measured)
            add('tabs', before, measured)
            before = len(s.calls)
            dues.open_list('due')
            add('due', before, measured)
        if total:
            who = '%s (case manager of %d cases, %d open; the list ' \
                'shows %d)' % (login, total, open_, len(ids))
        else:
            who = '%s (the list shows %d of the open cases)' % (
                login, len(ids))
        print('\n%s; %s' % (who, load_average()), flush=True)
        WHO[0] = login

        def extra(name, more=''):
            return 'p95 %.1f; server %.1f%s' % (trips[name].p95,
                servers[name].p50, more)
        report('case list', '  case list opened (%d calls) p50'
            % calls['list'], trips['list'].p50, extra=extra('list'))
        report(None, '  - until the list shows (%d calls) p50'
            % calls['shown'], trips['shown'].p50, extra=extra('shown',
                '; sao sends the %d tab counters then, side by side'
                % (calls['list'] - calls['shown'])))
        report('case form', '  case form first page (%d calls) p50'
            % calls['form'], trips['form'].p50, extra=extra('form'))
        report(None, '  case form other tabs (%d reads) p50'
            % calls.get('tabs', 0), trips['tabs'].p50, extra=extra('tabs'))
        report('due list', '  Wiedervorlage opened (%d calls) p50'
            % calls['due'], trips['due'].p50, extra=extra('due'))
        self.print_calls(s, ['list', 'counter', 'form', 'tab', 'due'])
        return s, cases

    def print_calls(self, s, labels):
        "p50 per RPC method of each action"
        by = {}
        for label, method, seconds, ok in s.calls:
            if label in labels:
                by.setdefault((label, method), []).append(seconds * 1000)
        for (label, method), times in sorted(by.items(),
                key=lambda i: labels.index(i[0][0])):
            print('      %-6s %-44s p50 %7.1f ms  p95 %7.1f ms  n=%d' % (
                    label, method.replace('model.', ''),
                    percentile(times, 50), percentile(times, 95),
                    len(times)), flush=True)

    def contact_save(self, s, cases, repeat):
        WHO[0] = s.login_name
        "A contact saved from the contact form of a case"
        Contact = 'kim.case.contact'
        form = s.execute(Contact, 'fields_view_get', None, 'form',
            label='setup')
        names = list(form['fields'])
        ids, _ = cases.open_list('setup')
        sample = Sample()
        created = []
        for i in range(repeat + self.args.warmup):
            case = ids[i % len(ids)]

            def save():
                values = s.execute(Contact, 'default_get', names,
                    context={'default_case': case}, label='contact')
                values = {k: v for k, v in values.items()
                    if '.' not in k and k in form['fields']}
                values.update({
                        'case': case,
                        'subject': SUBJECT,
                        'start': dt.datetime.now().replace(microsecond=0)
                        - dt.timedelta(hours=1),
                        'duration': 45,
                        'channel': 'office',
                        })
                new, = s.execute(Contact, 'create', [values],
                    label='contact')
                _, fetch, _ = fields_to_fetch(form['fields'])
                s.execute(Contact, 'read', [new], fetch, label='contact')
                return new
            new, t, n = timed(s, save)
            created.append(new)
            if i >= self.args.warmup:
                sample.add(t)
        report(None, '  contact saved (%d calls) p50' % n, sample.p50,
            extra='p95 %.1f' % sample.p95)
        return created

    # --- reports -------------------------------------------------------------
    def kennzahlen(self, repeat):
        WHO[0] = ''
        from kennzahlen_baseline import kennzahlen
        s = self.session('finanzen')
        company = s.context['company']
        year = self.args.year
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        previous_start, previous_end = (dt.date(year - 1, 1, 1),
            dt.date(year - 1, 12, 31))
        dimensions = ['kommune', 'target_group', 'gender', 'rechtskreis']
        (min_cell,), = self.sql('SELECT min_cell FROM kim_configuration '
            'ORDER BY id LIMIT 1')
        Report = 'kim.indicator.report'
        module_times, sql_times = [], []
        # the baseline sees every cell: no suppression while measuring
        self.sql('UPDATE kim_configuration SET min_cell = 0')
        try:
            for i in range(repeat):
                report_id, = s.execute(Report, 'create', [{
                            'name': 'Bench %s' % year,
                            'company': company,
                            'kind': 'local',
                            'period_type': 'year',
                            'year': year,
                            'dimensions': dimensions,
                            }], label='setup')
                _, t, _ = timed(s, lambda: s.execute(Report, 'compute',
                        [report_id], label='kennzahlen'))
                module_times.append(t)
                # the same work as the module's annual report: the year
                # and the previous year it compares with
                with self.db.transaction():
                    cursor = self.db.cursor()
                    t0 = time.perf_counter()
                    by_sql = kennzahlen(cursor, 'postgresql', company,
                        start, end, dimensions)
                    by_sql_previous = kennzahlen(cursor, 'postgresql',
                        company, previous_start, previous_end, dimensions)
                    sql_times.append(time.perf_counter() - t0)
                if i < repeat - 1:
                    s.execute(Report, 'draft', [report_id], label='setup')
                    s.execute(Report, 'delete', [report_id], label='setup')
        finally:
            self.sql('UPDATE kim_configuration SET min_cell = %s',
                (min_cell,))
        codes = {code for code, _, _ in by_sql}
        lines = self.sql('SELECT code, dimension, key, value, '
            'previous_value FROM kim_indicator_report_line '
            'WHERE report = %s AND dimension2 IS NULL', (report_id,))
        differences, missing = [], []
        for column, expected in [(3, by_sql), (4, by_sql_previous)]:
            by_module = {(line[0],
                    'total' if line[1] in (None, '', 'total') else line[1],
                    line[2] or ''): line[column]
                for line in lines if line[0] in codes}
            differences += [(k, by_module.get(k), v)
                for k, v in expected.items()
                if by_module.get(k) != v
                and not (by_module.get(k) in (None, 0) and v in (None, 0))]
            missing += [k for k in by_module
                if k not in expected and by_module[k]]
        s.execute(Report, 'draft', [report_id], label='setup')
        s.execute(Report, 'delete', [report_id], label='setup')
        module, sql = statistics.median(module_times), statistics.median(
            sql_times)
        print('\nfinanzen: annual Kennzahlen %s with the previous year '
            '(%s; %d + %d cells); %s' % (
                year, ', '.join(dimensions), len(by_sql),
                len(by_sql_previous), load_average()),
            flush=True)
        report(None, '  module over RPC (button compute) median',
            module * 1000)
        report(None, '  set-based SQL baseline (both years) median',
            sql * 1000)
        report('kennzahlen', '  ratio module / baseline', module / sql,
            unit='x')
        equal = not differences and not missing
        print('  numbers equal: %s' % ('yes' if equal else
                'NO: %s %s' % (differences[:5], missing[:5])), flush=True)
        assert equal, 'the module and the baseline differ'
        return s

    def state_export(self, s, repeat):
        company = s.context['company']
        year = self.args.year
        sample, csv_sample = Sample(), Sample()
        csv_action = self.xml_id('kim_reporting', 'report_indicator_csv') \
            if self.sql("SELECT 1 FROM ir_model_data WHERE module = "
                "'kim_reporting' AND fs_id = 'report_indicator_csv'") \
            else None
        for i in range(repeat):
            def run():
                session_id, _, _ = s.request(
                    'wizard.kim.indicator.state_export.create', [{}],
                    label='export')
                ctx = dict(s.context)
                s.request('wizard.kim.indicator.state_export.execute',
                    [session_id, {}, 'start', ctx], label='export')
                result = s.request(
                    'wizard.kim.indicator.state_export.execute',
                    [session_id, {'start': {'company': company,
                                'year': year}}, 'open_', ctx],
                    label='export')
                s.request('wizard.kim.indicator.state_export.delete',
                    [session_id, ctx], label='export')
                return result
            result, t, _ = timed(s, run)
            sample.add(t)
            report_ids = []
            for action, values in result.get('actions', []):
                report_ids = values.get('res_id') or []
            if report_ids:
                _, t, _ = timed(s, lambda: s.request(
                        'report.kim.indicator.report.csv.execute',
                        [report_ids, {'model': 'kim.indicator.report',
                                'id': report_ids[0], 'ids': report_ids,
                                'action_id': csv_action}, s.context],
                        label='export csv'))
                csv_sample.add(t)
                s.execute('kim.indicator.report', 'draft', report_ids,
                    label='setup')
                s.execute('kim.indicator.report', 'delete', report_ids,
                    label='setup')
        print('\nfinanzen: state export %s (wizard, then its CSV)' % year)
        total = [a + b for a, b in zip(sample.times, csv_sample.times)] \
            if csv_sample.times else sample.times
        report('state export', '  state export wizard + CSV median',
            statistics.median(total), extra='wizard %.1f, CSV %s' % (
                sample.p50, '%.1f' % csv_sample.p50 if csv_sample.times
                else '-'))

    def proof_pdf(self, s, repeat):
        rows = self.sql('SELECT id FROM kim_funding_proof ORDER BY id '
            'DESC LIMIT 1')
        if not rows:
            print('\nVerwendungsnachweis: none in the database')
            return
        proof_id, = rows[0]
        action = self.xml_id('kim_reporting', 'report_proof') \
            if self.sql("SELECT 1 FROM ir_model_data WHERE module = "
                "'kim_reporting' AND fs_id = 'report_proof'") \
            else None
        sample = Sample()
        size = 0
        for i in range(repeat + self.args.warmup):
            result, t, _ = timed(s, lambda: s.request(
                    'report.kim.funding.proof.execute',
                    [[proof_id], {'model': 'kim.funding.proof',
                            'id': proof_id, 'ids': [proof_id],
                            'action_id': action}, s.context],
                    label='proof'))
            if i >= self.args.warmup:
                sample.add(t)
            size = len(result[1]) if result else 0
        print('\nfinanzen: Verwendungsnachweis %d (%s, %d bytes)' % (
                proof_id, result[0] if result else '-', size))
        report('proof pdf', '  Verwendungsnachweis PDF median',
            statistics.median(sample.times))

    # --- load ----------------------------------------------------------------
    def load_users(self, n):
        """n case managers with the most open cases as users (created once,
        as admin over RPC), each its own login"""
        rows = self.sql("SELECT case_manager, COUNT(*) FROM kim_case "
            "WHERE state IN ('intake', 'assessment', 'planning', "
            "'implementation', 'closing') AND case_manager IS NOT NULL "
            "GROUP BY case_manager ORDER BY COUNT(*) DESC, case_manager "
            "LIMIT %s", (n,))
        logins = []
        missing = []
        for i, (employee, _) in enumerate(rows):
            login = 'bench%02d' % (i + 1)
            logins.append(login)
            if not self.sql('SELECT 1 FROM res_user WHERE login = %s',
                    (login,)):
                missing.append((login, employee))
        if missing:
            admin = None
            for password in [DEMO_PASSWORD, 'admin']:
                try:
                    admin = self.session('admin', password)
                    break
                except RPCError:
                    continue
            if admin is None:
                raise RPCError('no admin login to create the bench users')
            groups = [self.xml_id('kim_network', 'group_kim_user'),
                self.xml_id('kim_case', 'group_case_manager')]
            company = admin.context['company']
            admin.execute('res.user', 'create', [{
                        'login': login,
                        'name': 'Bench %s' % login,
                        'password': BENCH_PASSWORD,
                        'groups': [('add', groups)],
                        'companies': [('add', [company])],
                        'company': company,
                        'employees': [('add', [employee])],
                        'employee': employee,
                        'language': self.sql("SELECT id FROM ir_lang "
                            "WHERE code = 'de'")[0][0],
                        } for login, employee in missing], label='setup')
        return [(login, BENCH_PASSWORD) for login in logins] or [
            ('fallmanager', DEMO_PASSWORD)] * n

    def user_loop(self, login, password, think, box, stats, lock, seed):
        rng = random.Random(seed)
        s = None
        try:
            s = Session(self.url, self.database).login(login, password)
            cases = Screen(s, self.menu_of('kim_case', 'act_case_form'))
            dues = Screen(s, self.menu_of('kim_case', 'act_case_due'))
            Contact = 'kim.case.contact'
            form = s.execute(Contact, 'fields_view_get', None, 'form',
                label='setup')
            _, contact_fetch, _ = fields_to_fetch(form['fields'])
        except Exception as e:
            with lock:
                stats['errors'].append(repr(e)[:300])
            s = None
        # every user is logged in and has its views before the clock runs
        box['ready'].wait()
        box['go'].wait()
        if s is None:
            return
        deadline = box['deadline']
        s.calls.clear()
        round_ = 0

        def pause():
            if think:
                time.sleep(think * rng.uniform(0.5, 1.5))
        time.sleep(rng.uniform(0, think or 0.1))
        while time.monotonic() < deadline:
            round_ += 1
            try:
                ids, _ = cases.open_list('list')
                pause()
                if ids:
                    case = rng.choice(ids[:DISPLAY_SIZE])
                    cases.open_form(case, 'form', 'form')
                    pause()
                    values = s.execute(Contact, 'default_get',
                        list(form['fields']), label='contact')
                    values = {k: v for k, v in values.items()
                        if '.' not in k and k in form['fields']}
                    values.update({'case': case, 'subject': SUBJECT,
                            'start': dt.datetime.now().replace(
                                microsecond=0) - dt.timedelta(hours=1),
                            'duration': 30, 'channel': 'phone'})
                    new, = s.execute(Contact, 'create', [values],
                        label='contact')
                    s.execute(Contact, 'read', [new], contact_fetch,
                        label='contact')
                    pause()
                if round_ % 10 == 0:
                    dues.open_list('due')
                    pause()
            except Exception as e:
                with lock:
                    stats['errors'].append(repr(e)[:300])
                pause()
        with lock:
            stats['calls'].extend(s.calls)
            stats['rounds'] += round_

    def load(self, users, seconds, think):
        stats = {'calls': [], 'errors': [], 'rounds': 0}
        lock = threading.Lock()
        box = {'ready': threading.Barrier(len(users) + 1),
            'go': threading.Barrier(len(users) + 1)}
        threads = [threading.Thread(target=self.user_loop,
                args=(login, password, think, box, stats, lock, i))
            for i, (login, password) in enumerate(users)]
        for t in threads:
            t.start()
        box['ready'].wait()
        start = time.monotonic()
        box['deadline'] = start + seconds
        box['go'].wait()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
        calls = stats['calls']
        times = [c[2] * 1000 for c in calls if c[3]]
        failed = sum(1 for c in calls if not c[3])
        by_method = {}
        for label, method, seconds, ok in calls:
            if ok:
                by_method.setdefault(method.replace('model.', ''), []).append(
                    seconds * 1000)
        slowest = sorted(((percentile(t, 95), m, len(t))
                for m, t in by_method.items()), reverse=True)[:6]
        return {
            'slowest': slowest,
            'users': len(users), 'seconds': elapsed,
            'requests': len(calls), 'rounds': stats['rounds'],
            'p50': percentile(times, 50), 'p95': percentile(times, 95),
            'max': max(times) if times else float('nan'),
            'errors': failed + max(0, len(stats['errors']) - failed),
            'messages': stats['errors'][:3],
            'rps': len(calls) / elapsed if elapsed else 0,
            }

    def cleanup(self):
        "The contacts the bench saved"
        self.sql('DELETE FROM kim_case_contact WHERE subject = %s',
            (SUBJECT,))


def print_slowest(result):
    for p95, method, n in result['slowest']:
        print('      %-44s p95 %7.1f ms  n=%d' % (method, p95, n))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--url', required=True)
    parser.add_argument('--database', required=True)
    parser.add_argument('--dsn', required=True,
        help='psycopg connection string of the database (set-up, baseline)')
    parser.add_argument('--year', type=int,
        default=dt.date.today().year - 1)
    parser.add_argument('--repeat', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=5,
        help='unmeasured first rounds (one per gunicorn worker)')
    parser.add_argument('--report-repeat', type=int, default=3)
    parser.add_argument('--users', type=int, default=20)
    parser.add_argument('--load-seconds', type=float, default=120)
    parser.add_argument('--think', type=float, default=1.0)
    parser.add_argument('--saturation-seconds', type=float, default=60)
    parser.add_argument('--skip', default='',
        help='comma-separated parts to skip: interactive, reports, load')
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(',')))
    bench = Bench(args)
    failed = []
    (clients, cases, open_, contacts, goals), = bench.sql(
        "SELECT (SELECT COUNT(*) FROM party_party WHERE kim_client), "
        "(SELECT COUNT(*) FROM kim_case), (SELECT COUNT(*) FROM kim_case "
        "WHERE state IN ('intake', 'assessment', 'planning', "
        "'implementation', 'closing')), "
        "(SELECT COUNT(*) FROM kim_case_contact), "
        "(SELECT COUNT(*) FROM kim_case_plan_goal)")
    print('data: %d clients, %d cases (%d open), %d contacts, %d goals; '
        '%s; %s' % (clients, cases, open_, contacts, goals,
            dt.datetime.now().strftime('%Y-%m-%d %H:%M'), load_average()))
    try:
        if 'interactive' not in skip:
            print('Interactive (%d repetitions after %d warm-up rounds; the '
                'time of an action is the sum of its calls\' round trips, '
                'from the request sent to the answer\'s last byte; "server" '
                'the sum of their Server-Timing)'
                % (args.repeat, args.warmup), flush=True)
            s, cases = bench.interactive('fallmanager', args.repeat)
            bench.contact_save(s, cases, args.repeat)
            bench.interactive('fachaufsicht', args.repeat)
        if 'reports' not in skip:
            try:
                s = bench.kennzahlen(args.report_repeat)
            except AssertionError as e:
                failed.append(str(e))
                s = bench.session('finanzen')
            bench.state_export(s, args.report_repeat)
            bench.proof_pdf(s, args.report_repeat)
        if 'load' not in skip:
            users = bench.load_users(args.users)
            print('\nLoad: %d case managers (own logins and case loads), '
                'think time %.1f s (x 0.5-1.5), %.0f s; a round: case list, '
                'a case opened, a contact saved, every tenth round the '
                'Wiedervorlage' % (len(users), args.think, args.load_seconds),
                flush=True)
            result = bench.load(users, args.load_seconds, args.think)
            print('  %(requests)d requests in %(seconds).0f s, %(rounds)d '
                'rounds, %(rps).1f req/s, p50 %(p50).1f ms, max %(max).0f ms'
                % result + '; ' + load_average())
            report('load p95', '  p95 of the requests', result['p95'])
            print_slowest(result)
            report('load errors', '  errors', result['errors'], unit='',
                extra='; '.join(result['messages']))
            print('\nSaturation: the same %d users without think time, '
                '%.0f s' % (len(users), args.saturation_seconds), flush=True)
            result = bench.load(users, args.saturation_seconds, 0)
            print('  %(requests)d requests in %(seconds).0f s, p50 %(p50).1f '
                'ms, p95 %(p95).1f ms, errors %(errors)d' % result
                + '; ' + load_average())
            report('saturation', '  throughput', result['rps'],
                unit='req/s')
            print_slowest(result)
    finally:
        bench.cleanup()
    print()
    unmet = []
    for key, label, value, unit in RESULTS:
        if key in TARGETS:
            bound, _, kind = TARGETS[key]
            if (value > bound) if kind == 'max' else (value < bound):
                unmet.append(label.strip())
    print('targets met: %d of %d%s' % (
            len([r for r in RESULTS if r[0] in TARGETS]) - len(unmet),
            len([r for r in RESULTS if r[0] in TARGETS]),
            ('; not met: ' + ', '.join(unmet)) if unmet else ''))
    if failed:
        print('FAILED: ' + '; '.join(failed))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
