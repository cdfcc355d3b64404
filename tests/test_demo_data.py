"""The demo data generator (data/generate.py and its plugins) on the test
database of the run (SQLite or PostgreSQL, as tools/test.sh sets it)."""
import argparse
import datetime as dt
import importlib.util
import sys
import unittest
from pathlib import Path

from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, drop_db, with_transaction
from trytond.transaction import Transaction

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 6, 30)


def _import(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


generate = _import('kim_demo_generate', ROOT / 'data' / 'generate.py')


class DemoDataTestCase(unittest.TestCase):
    "Demo data generator"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module('kim_network')
        cls.plugins = [(m, generate.import_plugin(m, p))
            for m, p in generate.plugin_files()]
        cls.network = dict(cls.plugins)['kim_network']

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def context(self, *argv):
        args = generate.parse_args(
            ['--today', TODAY.isoformat()] + list(argv), self.plugins)
        Module = Pool().get('ir.module')
        activated = {m.name for m in Module.search(
                [('state', '=', 'activated')])}
        ctx = generate.Context(args, Pool(), activated)
        ctx.log = lambda msg: None
        ctx.for_plugin('kim_network')
        return ctx

    def test_parse_sizes(self):
        "Sizes come from the options or the scale"
        args = generate.parse_args(['--scale', '0.5', '--services', '7'],
            self.plugins)
        ctx = generate.Context(args, None, set())
        self.assertEqual(ctx.size('services', 200), 7)
        self.assertEqual(ctx.size('organisations', 60), 30)
        self.assertEqual(ctx.size('agreements', 1), 1)

    def test_users_table(self):
        "The demo users table names every role with its groups"
        users = {login: groups for login, _, groups in generate.read_users()}
        self.assertEqual(set(users), {'admin', 'fallmanager', 'fachaufsicht',
                'koordination', 'finanzen', 'gremium'})
        self.assertIn('kim_network.group_kim_coordination',
            users['koordination'])

    @with_transaction(user=0)
    def test_network(self):
        "The network plugin creates the Kreis and registers its records"
        pool = Pool()
        Kommune = pool.get('kim.kommune')
        Party = pool.get('party.party')
        Service = pool.get('kim.service')
        Agreement = pool.get('kim.cooperation_agreement')
        Configuration = pool.get('kim.configuration')
        ctx = self.context('--scale', '0.2')
        self.assertFalse(self.network.is_loaded(ctx))

        self.network.generate(ctx)

        self.assertTrue(self.network.is_loaded(ctx))
        self.assertEqual(Kommune.search_count([]), 13)
        self.assertEqual(Kommune.search_count(
                [('has_auslaenderbehoerde', '=', True)]), 3)
        self.assertTrue(all(k.ags.startswith('059')
                for k in Kommune.search([])))
        orgs = Party.search([('kim_organisation_type', '!=', None)])
        self.assertEqual(len(orgs), 12)
        reg = ctx.registry
        self.assertEqual(Configuration(1).kim_office, reg['ki'])
        self.assertEqual(reg['ki'].name, self.network.KI_NAME)
        self.assertEqual(len(reg['kommunen']), 13)
        self.assertIn('jobcenter', reg['organisations_by_type'])
        self.assertEqual(
            Service.search_count([('active', 'in', [True, False])]), 40)
        agreements = Agreement.search([])
        self.assertEqual(len(agreements), 6)
        self.assertTrue({'signed', 'negotiation', 'terminated'}
            <= {a.state for a in agreements})
        for agreement in agreements:
            self.assertNotIn(agreement.office, agreement.partners)
        # only placeholder surnames
        for person in reg['persons']:
            self.assertTrue(any(person.name.split()[-1].startswith(stem)
                    for stem in generate.LAST_STEMS), person.name)

        # a second run loads instead of creating
        ctx2 = self.context('--scale', '0.2')
        self.assertTrue(self.network.is_loaded(ctx2))
        self.network.load(ctx2)
        self.assertEqual(ctx2.registry['ki'], reg['ki'])
        self.assertEqual(len(ctx2.registry['organisations']), 12)

    @with_transaction(user=0)
    def test_full_size(self):
        "The default sizes: about 60 organisations, 200 services, 30 agreements"
        pool = Pool()
        Party = pool.get('party.party')
        Service = pool.get('kim.service')
        Agreement = pool.get('kim.cooperation_agreement')
        ctx = self.context()
        self.network.generate(ctx)
        self.assertEqual(Party.search_count(
                [('kim_organisation_type', '!=', None)]), 60)
        self.assertEqual(
            Service.search_count([('active', 'in', [True, False])]), 200)
        agreements = Agreement.search([])
        self.assertEqual(len(agreements), 30)
        states = [a.state for a in agreements]
        self.assertGreater(states.count('signed'), 15)
        self.assertTrue(any(a.predecessor for a in agreements))
        self.assertTrue(any(a.evaluation_due for a in agreements))
        self.assertTrue(any(a.in_force for a in agreements))
        types = {o.kim_organisation_type.code for o in Party.search(
                [('kim_organisation_type', '!=', None)])}
        self.assertGreaterEqual(len(types), 25)

    @with_transaction(user=0)
    def test_users(self):
        "Demo users get their groups and German; the wizard is closed"
        pool = Pool()
        User = pool.get('res.user')
        ConfigItem = pool.get('ir.module.config_wizard.item')
        Lang = pool.get('ir.lang')
        Lang.write(Lang.search([('code', '=', 'de')]), {'translatable': True})
        ctx = self.context('--users')
        for _ in range(2):
            generate.setup_users(ctx, 'demo-KIM-2026')
        users = User.search([('login', '=', 'koordination')])
        self.assertEqual(len(users), 1)
        user, = users
        self.assertEqual(user.language.code, 'de')
        self.assertIn(ctx.ref('kim_network.group_kim_coordination'),
            [g.id for g in user.groups])
        self.assertFalse(ConfigItem.search([('state', '=', 'open')]))
        self.assertEqual(User.search_count([('login', 'in', [
                            'fallmanager', 'fachaufsicht', 'finanzen'])]), 3)


del argparse, Transaction
