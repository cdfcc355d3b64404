#!/usr/bin/env python3
"""Synthetic demo data of the KIM Suite, generated inside trytond.

Usage (normally through tools/demo.sh build)::

    .venv/bin/python -O data/generate.py -c trytond.conf -d kim_demo [--users]
        [--seed 2026] [--scale 1.0] [--organisations 60] [--services 200]
        [--agreements 30] [--today YYYY-MM-DD] [--force]
    .venv/bin/python data/generate.py --list-users

Everything is fictional: the Kreis, its Kommunen, organisations, people,
addresses, phone numbers (the ranges reserved for film and TV productions) and
e-mail addresses (.example). Nothing here may be replaced by real data.

The run is idempotent: a plugin whose data is already in the database is not
run again; its records are loaded into the registry instead, so that a plugin
of a module activated later (e.g. kim_case) still finds what it builds on.

Plugin interface
================
The driver runs one plugin per KIM module, the package
``data/demo_<module>/`` (or a single file ``data/demo_<module>.py``), for
every activated module in the order of PLUGIN_ORDER (kim_network, kim_case,
kim_steering, kim_reporting), then any other ``demo_kim_*`` plugins of
activated modules by name. A missing plugin is skipped. A plugin package
keeps its text tables in JSON files next to its code and uses the shared kit
``data/demokit.py`` (``import demokit``: weighted ``pick``, batched
``create``, ``fresh``, ``real_today``, ``add_months``, ``date_between``, the
``tables`` loader). Its ``__init__`` defines:

``generate(ctx)``          required. Creates the data of its module in the
                           open transaction (user root, context language de)
                           and registers in ``ctx.registry`` what later
                           plugins need. Use batched creates: ``Model.create``
                           with large lists of values, never one by one.
                           Workflow records are created in their initial
                           state and moved on only by the model's
                           transitions (buttons), in the order of the
                           story, each on its day: ``demokit.run_by_day``
                           runs a transition per day under
                           ``demokit.on_day`` (the context key
                           ``_kim_history_date`` that kim_network's
                           ``ir.date.today`` honours for the root user
                           only), so the transitions stamp, check and log
                           the past day. Never write a state directly.
``is_loaded(ctx) -> bool`` optional. Whether the data is already present;
                           then ``generate`` is not called. Without it the
                           plugin runs every time (so it must be idempotent).
``load(ctx)``              optional. Fills ``ctx.registry`` from the database
                           when ``is_loaded`` answered True.
``add_arguments(parser)``  optional. Adds the plugin's size options (e.g.
                           ``--cases``) to the argparse parser; read them
                           with ``ctx.size('cases', default)``.
``LOCK_TABLES``            optional. Tables the plugin's transaction must
                           lock from the start, e.g. ['kim_configuration']
                           when it writes a singleton (otherwise the driver
                           runs the plugin again with the lock).
``MODULE``                 optional. The module name; by default taken from
                           the file name (``demo_case.py`` -> ``kim_case``).

Each plugin runs in its own transaction, committed when it returns; the
records in ``ctx.registry`` are instantiated again in it before it starts.

``ctx`` (class Context below) carries:

``ctx.random``     a ``random.Random`` seeded from ``--seed`` and the plugin
                   name, so each plugin's data is deterministic whatever ran
                   before it (the same seed and ``--today`` give the same data)
``ctx.seed``, ``ctx.scale``, ``ctx.today`` (a ``datetime.date``, ``--today``
                   or the current date; dates are generated relative to it)
``ctx.size(name, default)``  the size of a thing: the ``--<name>`` option if
                   given, else ``round(default * scale)`` (at least 1)
``ctx.pool``       the trytond Pool; ``ctx.ref('kim_network.language_ar')``
                   returns the id of an xml id; ``ctx.ref_or_none`` gives None
                   when the module is not activated
``ctx.activated``  the set of activated module names
``ctx.registry``   a dict shared by the plugins. The network plugin fills:
    ``kreis``                  name of the fictional Kreis (str)
    ``kommunen``               list of kim.kommune records (13)
    ``large_kommunen``         the large towns with their own Ausländerbehörde
    ``organisations``          list of party.party records (the organisations)
    ``organisations_by_type``  dict: organisation type xml id suffix
                               ('jobcenter', 'abh', 'mbe', 'ki', ...) -> list
    ``ki``                     the KIM office (Kommunales Integrationszentrum),
                               also set as kim.configuration kim_office
    ``contacts``               list of kim.organisation.contact records
    ``persons``                list of party.party records of contact persons
    ``services``               list of kim.service records
    ``agreements``             list of kim.cooperation_agreement records
``ctx.log(msg)``   prints a progress line
``ctx.names``      the synthetic name source (NameSource): ``person()``
                   returns a (first name, last name) pair
"""
import argparse
import csv
import datetime as dt
import importlib.util
import json
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
USERS_TABLE = os.path.join(HERE, 'demo_users.csv')
PLUGIN_ORDER = ['kim_network', 'kim_case', 'kim_steering', 'kim_reporting']
DEFAULT_PASSWORD = 'demo-KIM-2026'


# --- synthetic names -------------------------------------------------------
# First names are common given names of many origins; last names are built
# from placeholder stems (Muster-, Beispiel-, Demo-, ...) so that no generated
# person can be mistaken for a real one.
with open(os.path.join(HERE, 'names.json'), encoding='utf-8') as f:
    _NAMES = json.load(f)
FIRST_NAMES = _NAMES['first_names']
LAST_STEMS = _NAMES['last_stems']
LAST_SUFFIXES = _NAMES['last_suffixes']


class NameSource:
    "Synthetic, clearly fictional person names"

    def __init__(self, rng):
        self.random = rng

    def person(self):
        first = self.random.choice(FIRST_NAMES)
        stem = self.random.choice(LAST_STEMS)
        suffix = self.random.choice(LAST_SUFFIXES)
        return first, stem + suffix


# --- context ----------------------------------------------------------------
class Context:
    "What the driver hands to every plugin (see the module docstring)"

    def __init__(self, args, pool, activated):
        self.args = args
        self.seed = args.seed
        self.scale = args.scale
        self.today = args.today
        self.pool = pool
        self.activated = activated
        self.registry = {}
        self.random = random.Random(self.seed)
        self.names = NameSource(self.random)
        self._refs = {}

    def for_plugin(self, name):
        "Reseed for the plugin name"
        self.random = random.Random('%s:%s' % (self.seed, name))
        self.names = NameSource(self.random)

    def size(self, name, default):
        value = getattr(self.args, name, None)
        if value is not None:
            return value
        return max(1, int(round(default * self.scale)))

    def ref(self, xml_id):
        if xml_id not in self._refs:
            module, fs_id = xml_id.split('.', 1)
            self._refs[xml_id] = self.pool.get('ir.model.data').get_id(
                module, fs_id)
        return self._refs[xml_id]

    def ref_or_none(self, xml_id):
        try:
            return self.ref(xml_id)
        except KeyError:
            return None

    def log(self, msg):
        print('  %s' % msg, flush=True)


# --- plugins ----------------------------------------------------------------
def plugin_files():
    """Return [(module, path)] of the demo plugins, in PLUGIN_ORDER first:
    the packages data/demo_<module>/ and the single files
    data/demo_<module>.py"""
    found = {}
    for name in os.listdir(HERE):
        path = os.path.join(HERE, name)
        if not name.startswith('demo_'):
            continue
        if name.endswith('.py'):
            stem = name[len('demo_'):-len('.py')]
        elif os.path.isfile(os.path.join(path, '__init__.py')):
            stem = name[len('demo_'):]
        else:
            continue
        module = stem if stem.startswith('kim_') else 'kim_' + stem
        found[module] = path
    ordered = [m for m in PLUGIN_ORDER if m in found]
    ordered += sorted(m for m in found if m not in PLUGIN_ORDER)
    return [(m, found[m]) for m in ordered]


def import_plugin(module, path):
    "Import the plugin file or package at path"
    # the plugins share the kit of data/demokit.py
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    name = 'kim_demo_' + module
    if os.path.isdir(path):
        spec = importlib.util.spec_from_file_location(name,
            os.path.join(path, '__init__.py'),
            submodule_search_locations=[path])
    else:
        spec = importlib.util.spec_from_file_location(name, path)
    plugin = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = plugin
    spec.loader.exec_module(plugin)
    return plugin


def read_users():
    "Return [(login, name, [group xml ids])] of the demo users table"
    users = {}
    with open(USERS_TABLE, newline='', encoding='utf-8') as f:
        rows = (line for line in f if line.strip()
            and not line.lstrip().startswith('#'))
        for login, name, group in csv.reader(rows):
            login, name, group = login.strip(), name.strip(), group.strip()
            entry = users.setdefault(login, [name, []])
            if group and group not in entry[1]:
                entry[1].append(group)
    return [(login, name, groups) for login, (name, groups) in users.items()]


def setup_users(ctx, password):
    """Create or update the demo users: groups of their role, language de,
    the demo password; and close the admin's module configuration wizard."""
    pool = ctx.pool
    User = pool.get('res.user')
    Lang = pool.get('ir.lang')
    ConfigItem = pool.get('ir.module.config_wizard.item')
    # German, when the database has it (trytond-admin -l de)
    langs = Lang.search([
            ('code', '=', 'de'), ('translatable', '=', True)], limit=1)
    lang = langs[0].id if langs else None
    if lang is None:
        ctx.log('German is not loaded (trytond-admin -l de): '
            'users keep the default language')
    admin_id = ctx.ref('res.user_admin')
    for login, name, groups in read_users():
        group_ids = []
        for xml_id in groups:
            group_id = ctx.ref_or_none(xml_id)
            if group_id is None:
                ctx.log('%s: group %s skipped (module not activated)'
                    % (login, xml_id))
            else:
                group_ids.append(group_id)
        if login == 'admin':
            users = [User(admin_id)]
        else:
            users = User.search([
                    ('login', '=', login),
                    ('active', 'in', [True, False]),
                    ], limit=1)
        values = {'password': password, 'active': True}
        if lang:
            values['language'] = lang
        if users:
            user, = users
            missing = [g for g in group_ids
                if g not in {x.id for x in user.groups}]
            if missing:
                values['groups'] = [('add', missing)]
            User.write([user], values)
        else:
            values.update({
                    'login': login,
                    'name': name,
                    'groups': [('add', group_ids)],
                    })
            User.create([values])
    # The admin's first login would open the module configuration wizard
    # for every open item: the demo database is configured already.
    items = ConfigItem.search([('state', '=', 'open')])
    if items:
        ConfigItem.write(items, {'state': 'done'})
    ctx.log('users: %s' % ', '.join(u[0] for u in read_users()))


def rebind(value):
    """Return value with the records it holds instantiated again in the
    current transaction (records keep the transaction they were read in)"""
    from trytond.model import Model
    if isinstance(value, Model):
        return value.__class__(value.id)
    if isinstance(value, dict):
        return {k: rebind(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(rebind(v) for v in value)
    return value


def parse_args(argv, plugins):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('-c', '--config', nargs='+',
        default=[os.path.join(ROOT, 'trytond.conf')],
        help="trytond configuration files")
    parser.add_argument('-d', '--database', default='kim_demo')
    parser.add_argument('--seed', type=int, default=2026)
    parser.add_argument('--scale', type=float, default=1.0,
        help="multiply every default size")
    parser.add_argument('--today', type=dt.date.fromisoformat,
        default=dt.date.today(),
        help="reference date of the generated dates (YYYY-MM-DD)")
    parser.add_argument('--users', action='store_true',
        help="create/update the demo users of data/demo_users.csv")
    parser.add_argument('--password',
        default=os.environ.get('KIM_DEMO_PASSWORD') or DEFAULT_PASSWORD)
    parser.add_argument('--no-data', action='store_true',
        help="do not run the data plugins")
    parser.add_argument('--force', action='store_true',
        help="run the plugins even when their data is present "
        "(creates a second set)")
    parser.add_argument('--list-users', action='store_true',
        help="print the demo logins and their groups and exit")
    for module, plugin in plugins:
        if hasattr(plugin, 'add_arguments'):
            plugin.add_arguments(parser)
    return parser.parse_args(argv)


def main(argv=None):
    plugins = [(m, import_plugin(m, p)) for m, p in plugin_files()]
    args = parse_args(argv, plugins)
    if args.list_users:
        for login, name, groups in read_users():
            print('%-13s %s' % (login, ', '.join(groups) or 'administrator'))
        return 0

    from trytond import config
    config.update_etc(args.config)
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError

    start = time.monotonic()
    db = args.database
    Pool.start()
    pool = Pool(db)
    with Transaction().start(db, 0, readonly=True):
        pool.init()
    context = {'language': 'de'}
    with Transaction().start(db, 0, context=context):
        Module = pool.get('ir.module')
        activated = {m.name for m in Module.search(
                [('state', '=', 'activated')])}
    ctx = Context(args, pool, activated)

    def run(func, lock_tables=()):
        """Run func() in a transaction and commit, again with the locks a
        TransactionError asks for (as the trytond dispatcher does)"""
        extras = {'_lock_tables': list(lock_tables)} if lock_tables else {}
        while True:
            try:
                with Transaction().start(
                        db, 0, context=context, **extras) as transaction:
                    result = func()
                    transaction.commit()
                    return result
            except TransactionError as e:
                e.fix(extras)

    if args.users:
        run(lambda: setup_users(ctx, args.password))

    if not args.no_data:
        for module, plugin in plugins:
            if module not in activated:
                continue
            name = getattr(plugin, 'MODULE', module)
            t0 = time.monotonic()

            def step():
                ctx.for_plugin(name)
                ctx.registry = rebind(ctx.registry)
                if (not args.force and hasattr(plugin, 'is_loaded')
                        and plugin.is_loaded(ctx)):
                    if hasattr(plugin, 'load'):
                        plugin.load(ctx)
                    return False
                plugin.generate(ctx)
                return True
            print('%s: demo data (seed %s)' % (name, ctx.seed), flush=True)
            if run(step, getattr(plugin, 'LOCK_TABLES', ())):
                print('%s: generated in %.1f s'
                    % (name, time.monotonic() - t0), flush=True)
            else:
                print('%s: present already, not generated again' % name,
                    flush=True)
    print('generate.py: %.1f s' % (time.monotonic() - start), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
