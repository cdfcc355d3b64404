# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"Access by organisation and role, confidential notes and the access log"
import datetime as dt
import unittest

from trytond.model import ModelSQL
from trytond.ir.rule import _get_access_models
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.company.tests import (
    create_company, create_employee, set_company)
from trytond.modules.kim_network.tests.tools import (
    FreshDatabaseMixin, as_user, create_user)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

CM = 'case_manager'
SUP = 'supervisor'
COORD = 'coordination'
ADMIN = 'admin'
NONE = 'none'
ROLES = [CM, SUP, COORD, ADMIN, NONE]
GROUPS = {
    CM: [('kim_network', 'group_kim_user'),
        ('kim_case', 'group_case_manager')],
    SUP: [('kim_network', 'group_kim_user'),
        ('kim_case', 'group_case_supervisor')],
    COORD: [('kim_network', 'group_kim_coordination')],
    ADMIN: [('res', 'group_admin'), ('kim_network', 'group_kim_admin')],
    NONE: [],
    }

# Expected model access (r)ead (c)reate (w)rite (d)elete per role
# (case manager, Fachaufsicht, coordination, administration, no KIM group)
# of every model of kim_case. A new model of kim_case fails the test until
# its line is added here.
CASE = ('rcw', 'rcw', '', '', '')
CASE_D = ('rcwd', 'rcw', '', '', '')
CASE_RO = ('r', 'r', '', '', '')
CLIENT = ('rcwd', 'rcwd', '', '', '')
CLIENT_D = ('rcwd', 'rcw', '', '', '')
CODES = ('r', 'r', 'r', 'rcwd', 'r')
OPEN = ('rcwd',) * 5
EXPECTED = {
    'kim.case': CASE,
    'kim.case.event': CASE_D,
    'kim.case.note': CASE_D,
    'kim.case.due': CASE_RO,
    'kim.case.team': ('r', 'r', '', 'rcwd', ''),
    'kim.case.assessment': CASE,
    'kim.case.assessment.line': CASE,
    'kim.case.plan': CASE,
    'kim.case.plan.goal': CASE,
    'kim.case.plan.measure': CASE,
    'kim.case.contact': CASE,
    'kim.client.language': CLIENT_D,
    'kim.client.household': CLIENT_D,
    'kim.client.residence_status': CLIENT_D,
    'kim.client.rechtskreis': CLIENT_D,
    'kim.residence_status_type': CODES,
    'kim.access_channel': CODES,
    'kim.closing_reason': CODES,
    'kim.access_log': ('', 'r', '', '', ''),
    # the network of a case
    'kim.case.actor': CASE_D,
    # the record of a document handed out: the access of its case (a
    # write from a client is refused by check_modification, test_document)
    'kim.case.document': ('rcwd', 'rcw', '', '', ''),
    # relation tables of Many2Many fields, written with their case,
    # contact or client
    'kim.case-party.party.household': CLIENT,
    'kim.case-kim.target_group': CLIENT,
    'kim.case-kim.rechtskreis': CLIENT,
    'kim.case.contact-party.party': CLIENT,
    'kim.case.contact-kim.handlungsfeld': CLIENT,
    'party.party-country.country.kim_nationality': CLIENT,
    # the teams are configuration, not case content
    'kim.case.team-kim.kommune': OPEN,
    'kim.case.team-company.employee': OPEN,
    }
# Models of the other parts of the issue, checked when they exist
EXPECTED_OPTIONAL = {
    # the Fachaufsicht deletes nothing: not even a draft consent
    'kim.consent': CASE_D,
    'kim.consent-party.party': CLIENT,
    'kim.consent-kim.handlungsfeld': CLIENT,
    # (the record rule "The Fachaufsicht deletes no case records" refuses
    # the deletes of every other model reached through the case)
    'kim.case.referral': CASE_D,
    'kim.case.handover': CASE_D,
    'kim.case.handover-kim.handlungsfeld': CLIENT,
    'kim.case.conference': CASE_D,
    'kim.case.conference.participant': CASE_D,
    'kim.case.conference.task': CASE_D,
    }


class AccessTestCase(FreshDatabaseMixin, unittest.TestCase):
    "Test access by organisation and role"

    modules = 'kim_case'

    def user(self, role, company=None, employees=(), login=None):
        return create_user(
            login or role, GROUPS[role], company=company, employees=employees)

    def setup_cases(self):
        """Two teams of one company: Eva and Ben in team A, Carla in
        team B; a case of each and a case of another company"""
        pool = Pool()
        Party = pool.get('party.party')
        Kommune = pool.get('kim.kommune')
        Team = pool.get('kim.case.team')
        Case = pool.get('kim.case')
        self.company = create_company()
        self.other_company = create_company("Other Organisation")
        eva = create_employee(self.company, "Eva")
        ben = create_employee(self.company, "Ben")
        carla = create_employee(self.company, "Carla")
        dora = create_employee(self.other_company, "Dora")
        self.employees = dict(eva=eva, ben=ben, carla=carla, dora=dora)
        kommune, = Kommune.create([{'name': "Nordstadt", 'ags': '05999001'}])
        team_a, team_b = Team.create([
                {'name': "A", 'company': self.company.id,
                    'members': [('add', [eva.id, ben.id])]},
                {'name': "B", 'company': self.company.id,
                    'members': [('add', [carla.id])]},
                ])
        clients = Party.create([
                {'name': n, 'kim_client': True} for n in [
                    "Client A", "Client B", "Client O"]])
        self.client_a, self.client_b, self.client_o = clients
        with set_company(self.company):
            self.case_a, self.case_b = Case.create([
                    {'client': self.client_a.id, 'kommune': kommune.id,
                        'case_manager': eva.id, 'team': team_a.id},
                    {'client': self.client_b.id, 'kommune': kommune.id,
                        'case_manager': carla.id, 'team': team_b.id},
                    ])
        with set_company(self.other_company):
            self.case_o, = Case.create([
                    {'client': self.client_o.id, 'kommune': kommune.id,
                        'case_manager': dora.id}])
        self.organisation, = Party.create([{'name': "Jobcenter"}])

    @with_transaction()
    def test_access_matrix(self):
        "Model access of every role to every model of kim_case"
        pool = Pool()
        Model = pool.get('ir.model')
        ModelAccess = pool.get('ir.model.access')
        models = {m.name for m in Model.search([('module', '=', 'kim_case')])}
        models = {m for m in models if issubclass(pool.get(m), ModelSQL)}
        expected = EXPECTED.copy()
        expected.update({m: r for m, r in EXPECTED_OPTIONAL.items()
                if m in models})
        missing = models - expected.keys()
        self.assertFalse(missing,
            msg="Add the expected rights of the models to EXPECTED")
        users = {r: self.user(r, login='m-' + r) for r in ROLES}
        for model in sorted(models & expected.keys()):
            for role, rights in zip(ROLES, expected[model]):
                with as_user(users[role]):
                    ModelAccess._get_access_cache.clear()
                    for mode in ['read', 'create', 'write', 'delete']:
                        with self.subTest(model=model, role=role, mode=mode):
                            self.assertEqual(
                                ModelAccess.check(
                                    model, mode, raise_exception=False),
                                mode[0] in rights)

    @with_transaction()
    def test_case_manager_team_cases(self):
        "A case manager reads the own and the team's cases, not others"
        pool = Pool()
        Case = pool.get('kim.case')
        Party = pool.get('party.party')
        Event = pool.get('kim.case.event')
        self.setup_cases()
        Event.create([
                {'case': c.id, 'type': 'note', 'description': "x"}
                for c in [self.case_a, self.case_b]])
        eva = self.user(CM, self.company, [self.employees['eva']], 'eva')
        ben = self.user(CM, self.company, [self.employees['ben']], 'ben')
        for user in [eva, ben]:
            with self.subTest(user=user.login), as_user(user):
                self.assertEqual(Case.search([]), [self.case_a])
                self.assertEqual(Case.search_count([]), 1)
                Case.read([self.case_a.id], ['number'])
                for case in [self.case_b, self.case_o]:
                    with self.assertRaises(AccessError):
                        Case.read([case.id], ['number'])
                    with self.assertRaises(AccessError):
                        Case.write([Case(case.id)], {'next_review': None})
                # dependent models follow their case
                events = Event.search([])
                self.assertEqual({e.case for e in events}, {self.case_a})
                with self.assertRaises(AccessError):
                    Event.read([e.id for e in self.case_b.events],
                        ['description'])
                # clients: only those of the readable cases
                clients = Party.search([('kim_client', '=', True)])
                self.assertEqual(clients, [self.client_a])
                with self.assertRaises(AccessError):
                    Party.read([self.client_b.id], ['name'])
                # organisations stay readable
                self.assertEqual(Party.read([self.organisation.id],
                        ['name'])[0]['name'], "Jobcenter")

    @with_transaction()
    def test_case_manager_new_client(self):
        "A case manager reads the new client they created before its case"
        pool = Pool()
        Party = pool.get('party.party')
        self.setup_cases()
        eva = self.user(CM, self.company, [self.employees['eva']], 'eva')
        ben = self.user(CM, self.company, [self.employees['ben']], 'ben')
        with as_user(eva):
            client, = Party.create([{'name': "New", 'kim_client': True}])
            Party.read([client.id], ['name'])
        with as_user(ben):
            with self.assertRaises(AccessError):
                Party.read([client.id], ['name'])

    @with_transaction()
    def test_supervisor_all_cases_of_company(self):
        "The Fachaufsicht reads and reassigns all cases of its company"
        pool = Pool()
        Case = pool.get('kim.case')
        Party = pool.get('party.party')
        self.setup_cases()
        sup = self.user(SUP, self.company, login='sup')
        with as_user(sup):
            self.assertEqual(set(Case.search([])),
                {self.case_a, self.case_b})
            with self.assertRaises(AccessError):
                Case.read([self.case_o.id], ['number'])
            Case.write([Case(self.case_b.id)], {
                    'case_manager': self.employees['ben'].id})
            with self.assertRaises(AccessError):
                Case.delete([Case(self.case_a.id)])
            self.assertEqual(
                set(Party.search([('kim_client', '=', True)])),
                {self.client_a, self.client_b})

    @with_transaction()
    def test_supervisor_deletes_no_client(self):
        "The Fachaufsicht deletes no client or household member"
        pool = Pool()
        Party = pool.get('party.party')
        Household = pool.get('kim.client.household')
        self.setup_cases()
        new_client, child = Party.create([
                {'name': "Client N", 'kim_client': True},
                {'name': "Child A"}])
        line, = Household.create(
            [{'client': self.client_a.id, 'member': child.id}])
        sup = self.user(SUP, self.company, login='sup')
        with as_user(sup):
            for party in [new_client, child, self.client_a]:
                with self.subTest(party=party.name), \
                        self.assertRaises(AccessError):
                    Party.delete([party])
            with self.assertRaises(AccessError):
                Household.delete([line])
            Party.delete([self.organisation])
        self.assertEqual(
            set(Party.search([('id', 'in', [new_client.id, child.id])])),
            {new_client, child})
        self.assertEqual(
            Party.search([('id', '=', self.organisation.id)]), [])

    @with_transaction()
    def test_supervisor_deletes_nothing(self):
        "The Fachaufsicht deletes no record of a case of any kim_case model"
        pool = Pool()
        Rule = pool.get('ir.rule')
        Model = pool.get('ir.model')
        Event = pool.get('kim.case.event')
        Note = pool.get('kim.case.note')
        self.setup_cases()
        Event.create([{'case': self.case_a.id, 'type': 'note'}])
        Note.create([{'case': self.case_a.id, 'text': "Note"}])
        sup = self.user(SUP, self.company, login='sup')
        both = self.user(CM, self.company, [self.employees['eva']], 'both')
        both.groups += (sup.groups)
        both.save()
        checked = set()
        for model in Model.search([('module', '=', 'kim_case')]):
            Target = pool.get(model.name)
            if not issubclass(Target, ModelSQL):
                continue
            access_models, _ = _get_access_models(Target)
            if 'kim.case' not in access_models:
                continue
            checked.add(model.name)
            with as_user(sup):
                domain = Rule.domain_get(model.name, mode='delete')
            self.assertTrue(domain, msg=model.name)
            self.assertEqual(Target.search(domain), [], msg=model.name)
            # a case manager and supervisor deletes as case manager
            with as_user(both):
                domain = Rule.domain_get(model.name, mode='delete')
            if model.name == 'kim.case.event':
                self.assertEqual(
                    len(Target.search(domain)), len(self.case_a.events))
        self.assertGreaterEqual(checked, {'kim.case', 'kim.case.event',
                'kim.case.note', 'kim.case.plan', 'kim.case.contact'})

    @with_transaction()
    def test_no_case_content(self):
        "Coordination, administration and others read no case or client"
        pool = Pool()
        Case = pool.get('kim.case')
        Party = pool.get('party.party')
        Note = pool.get('kim.case.note')
        self.setup_cases()
        for role in [COORD, ADMIN, NONE]:
            user = self.user(role, self.company, login='u-' + role)
            with self.subTest(role=role), as_user(user):
                with self.assertRaises(AccessError):
                    Case.search([])
                with self.assertRaises(AccessError):
                    Case.read([self.case_a.id], ['number'])
                with self.assertRaises(AccessError):
                    Note.search([])
                self.assertEqual(
                    Party.search([('kim_client', '=', True)]), [])
                with self.assertRaises(AccessError):
                    Party.read([self.client_a.id], ['name'])
                Party.read([self.organisation.id], ['name'])

    @with_transaction()
    def test_household_members(self):
        "Household members who are no clients follow the client's cases"
        pool = Pool()
        Party = pool.get('party.party')
        Household = pool.get('kim.client.household')
        Case = pool.get('kim.case')
        self.setup_cases()
        child, partner, sister = Party.create([
                {'name': "Child A"}, {'name': "Partner B"},
                {'name': "Sister O"}])
        Household.create([
                {'client': self.client_a.id, 'member': child.id},
                {'client': self.client_o.id, 'member': sister.id},
                ])
        Case.write([self.case_b], {
                'household_members': [('add', [partner.id])]})
        members = [child, partner, sister]
        eva = self.user(CM, self.company, [self.employees['eva']], 'eva')
        carla = self.user(
            CM, self.company, [self.employees['carla']], 'carla')
        sup = self.user(SUP, self.company, login='sup')
        expected = [
            (eva, {child}), (carla, {partner}), (sup, {child, partner}),
            ]
        for role in [COORD, ADMIN, NONE]:
            expected.append((self.user(role, self.company, login='u-' + role),
                    set()))
        for user, visible in expected:
            with self.subTest(user=user.login), as_user(user):
                self.assertEqual(
                    set(Party.search([('id', 'in', [m.id for m in members])])),
                    visible)
                for member in members:
                    if member in visible:
                        Party.read([member.id], ['name'])
                    else:
                        with self.assertRaises(AccessError):
                            Party.read([member.id], ['name'])
                # organisations stay visible to everybody
                Party.read([self.organisation.id], ['name'])
        # the reads of household members are logged like those of clients
        Log = pool.get('kim.access_log')
        self.assertEqual(
            {(l.user, l.record) for l in Log.search(
                    [('model', '=', 'party.party')])},
            {(eva, child.id), (carla, partner.id), (sup, child.id),
                (sup, partner.id)})

    @with_transaction()
    def test_confidential_note(self):
        "Confidential notes: the case manager in charge and the Fachaufsicht"
        pool = Pool()
        Note = pool.get('kim.case.note')
        self.setup_cases()
        open_, secret = Note.create([
                {'case': self.case_a.id, 'text': "Open"},
                {'case': self.case_a.id, 'text': "Secret",
                    'confidential': True},
                ])
        eva = self.user(CM, self.company, [self.employees['eva']], 'eva')
        ben = self.user(CM, self.company, [self.employees['ben']], 'ben')
        carla = self.user(
            CM, self.company, [self.employees['carla']], 'carla')
        sup = self.user(SUP, self.company, login='sup')
        for user in [eva, sup]:
            with self.subTest(user=user.login), as_user(user):
                self.assertEqual(set(Note.search([])), {open_, secret})
                Note.read([secret.id], ['text'])
        with as_user(ben):
            self.assertEqual(Note.search([]), [open_])
            with self.assertRaises(AccessError):
                Note.read([secret.id], ['text'])
            with self.assertRaises(AccessError):
                Note.create([{'case': self.case_a.id, 'text': "Mine",
                            'confidential': True}])
            Note.create([{'case': self.case_a.id, 'text': "Team note"}])
        with as_user(carla):
            self.assertEqual(Note.search([]), [])
            with self.assertRaises(AccessError):
                Note.read([open_.id], ['text'])

    @with_transaction()
    def test_access_log(self):
        "Reads and exports of cases and clients by users are logged"
        pool = Pool()
        Case = pool.get('kim.case')
        Party = pool.get('party.party')
        Log = pool.get('kim.access_log')
        self.setup_cases()
        eva = self.user(CM, self.company, [self.employees['eva']], 'eva')
        sup = self.user(SUP, self.company, login='sup')

        # internal reads are not logged
        Case.read([self.case_a.id, self.case_b.id], ['number'])
        self.assertEqual(Log.search_count([]), 0)

        with as_user(eva):
            Case.read([self.case_a.id], ['number', 'client.rec_name'])
            Party.read([self.organisation.id], ['name'])
            Case.export_data([Case(self.case_a.id)], ['number'])
        logs = Log.search([], order=[('id', 'ASC')])
        self.assertEqual(
            [(l.user, l.model, l.record, l.kind) for l in logs], [
                (eva, 'party.party', self.client_a.id, 'read'),
                (eva, 'kim.case', self.case_a.id, 'read'),
                (eva, 'kim.case', self.case_a.id, 'export'),
                ])
        self.assertTrue(all(l.date for l in logs))

        # Only the Fachaufsicht reads the log, nobody changes it
        with as_user(eva):
            with self.assertRaises(AccessError):
                Log.search([])
        with as_user(sup):
            self.assertEqual(Log.search_count(
                    [('user', '=', eva.id), ('model', '=', 'kim.case')]), 2)
            with self.assertRaises(AccessError):
                Log.write(logs, {'record': 1})
            with self.assertRaises(AccessError):
                Log.delete(logs)
            with self.assertRaises(AccessError):
                Log.create([{'model': 'kim.case', 'record': 1}])
        # not even internally
        with self.assertRaises(AccessError):
            Log.write(logs, {'record': 1})
        with self.assertRaises(AccessError):
            Log.delete(logs)

    @with_transaction()
    def test_access_log_retention(self):
        "The scheduled job deletes the log entries after the retention"
        pool = Pool()
        Case = pool.get('kim.case')
        Log = pool.get('kim.access_log')
        Configuration = pool.get('kim.configuration')
        Cron = pool.get('ir.cron')
        self.setup_cases()
        sup = self.user(SUP, self.company, login='sup')
        with as_user(sup):
            Case.read([self.case_a.id, self.case_b.id], ['number'])
        old, recent = Log.search([], order=[('id', 'ASC')])
        today = dt.date(2026, 11, 21)
        table = Log.__table__()
        cursor = Transaction().connection.cursor()
        for log, date in [(old, dt.datetime(2024, 11, 20, 23, 59)),
                (recent, dt.datetime(2024, 11, 21, 0, 0))]:
            cursor.execute(*table.update(
                    [table.date], [date], where=table.id == log.id))
        config = Configuration(1)
        self.assertEqual(config.access_log_months, 24)
        self.assertEqual(Log.delete_expired(date=today), 1)
        self.assertEqual(Log.search([]), [recent])

        config.access_log_months = 1
        config.save()
        self.assertEqual(Log.delete_expired(date=today), 1)
        self.assertEqual(Log.search_count([]), 0)
        for value in [0, -3, 1201]:
            config.access_log_months = value
            with self.subTest(value=value), self.assertRaises(
                    ValidationError):
                config.save()
        cron, = Cron.search(
            [('method', '=', 'kim.access_log|delete_expired')])
        self.assertTrue(cron.active)

    @with_transaction()
    def test_access_log_one_insert(self):
        "The reads of one call are logged with one INSERT"
        pool = Pool()
        Case = pool.get('kim.case')
        Log = pool.get('kim.access_log')
        self.setup_cases()
        sup = self.user(SUP, self.company, login='sup')
        with as_user(sup):
            calls = []
            original = Log.log.__func__

            def spy(cls, *args, **kwargs):
                calls.append(args)
                return original(cls, *args, **kwargs)
            Log.log = classmethod(spy)
            try:
                Case.read([self.case_a.id, self.case_b.id], ['number'])
            finally:
                Log.log = classmethod(original)
        self.assertEqual(len(calls), 1)
        self.assertEqual(Log.search_count([]), 2)
