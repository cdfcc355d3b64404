# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""The access rules on every path, per role: preferences, read, search,
search_read, export_data with dotted names, reports, relate actions,
related fields, attachments and notes, links to clients, the report of
Art. 15, the oracles and the access log of every model"""
import datetime as dt
import json
import unittest

from trytond.ir.rule import _get_access_models
from trytond.model import ModelSQL
from trytond.model.exceptions import AccessError, DomainValidationError
from trytond.modules.company.tests import (
    create_company, create_employee, set_company)
from trytond.modules.kim_case.access import rule_context
from trytond.modules.kim_case.access_log import log_path
from trytond.modules.kim_case.exceptions import (
    LinkAccessError, SubjectAccessError, UserAssignmentError)
from trytond.modules.kim_network.tests.tools import (
    FreshDatabaseMixin, as_user, codes, create_organisation,
    create_user)
from trytond.pool import Pool
from trytond.pyson import PYSONEncoder
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

KIM_USER = ('kim_network', 'group_kim_user')
GROUPS = {
    'case_manager': [KIM_USER, ('kim_case', 'group_case_manager')],
    'supervisor': [KIM_USER, ('kim_case', 'group_case_supervisor')],
    'data_protection': [KIM_USER, ('kim_case', 'group_data_protection')],
    'coordination': [('kim_network', 'group_kim_coordination')],
    'admin': [('res', 'group_admin'), ('kim_network', 'group_kim_admin')],
    }
NOW = dt.datetime.now().replace(microsecond=0)


class AccessPathsTestCase(FreshDatabaseMixin, unittest.TestCase):
    "Test the access rules on every path"

    modules = 'kim_case'

    # --- set-up ------------------------------------------------------------

    def setup(self):
        """Company C with team A (Eva in charge, Ben) and team B (Carla),
        company O (Dora); a case of each with one record of every kind;
        client B also has a case of team A; client S has a case in C and
        one in O"""
        pool = Pool()
        Party = pool.get('party.party')
        Kommune = pool.get('kim.kommune')
        Team = pool.get('kim.case.team')
        Case = pool.get('kim.case')
        self.today = pool.get('ir.date').today()
        self.company = create_company()
        self.other_company = create_company("Other Organisation")
        e = self.employees = {
            n: create_employee(c, n) for n, c in [
                ('eva', self.company), ('ben', self.company),
                ('carla', self.company), ('sven', self.company),
                ('dora', self.other_company)]}
        self.kommune, = Kommune.create([
                {'name': "Nordstadt", 'ags': '05999001'}])
        self.team_a, self.team_b = Team.create([
                {'name': "A", 'company': self.company.id,
                    'members': [('add', [e['eva'].id, e['ben'].id])]},
                {'name': "B", 'company': self.company.id,
                    'members': [('add', [e['carla'].id])]},
                ])
        self.org = create_organisation("Jobcenter Nord")
        self.work, = codes('kim.handlungsfeld', 'ARBEIT')
        clients = Party.create([{'name': 'Client %s' % n, 'kim_client': True}
                for n in ['A', 'B', 'O', 'S']])
        self.client_a, self.client_b, self.client_o, self.client_s = clients
        with set_company(self.company):
            (self.case_a, self.case_b, self.case_b2,
                self.case_s) = Case.create([
                    self.case_values(self.client_a, 'eva', self.team_a),
                    self.case_values(self.client_b, 'carla', self.team_b),
                    self.case_values(self.client_b, 'eva', self.team_a),
                    self.case_values(self.client_s, 'sven', None),
                    ])
        with set_company(self.other_company):
            self.case_o, self.case_so = Case.create([
                    self.case_values(self.client_o, 'dora', None),
                    self.case_values(self.client_s, 'dora', None),
                    ])
        self.records = {}
        for case in [self.case_a, self.case_b, self.case_o, self.case_s,
                self.case_so]:
            self.records[case] = self.create_case_records(case)

    def case_values(self, client, employee, team, state='implementation'):
        "Values of a case; as root in any state, as a user at intake"
        return {
            'client': client.id,
            'kommune': self.kommune.id,
            'case_manager': self.employees[employee].id,
            'team': team.id if team else None,
            'depth': 'case_management',
            'state': state,
            }

    def create_case_records(self, case):
        "Create one record of every kind on the case and its client"
        pool = Pool()
        create = {}

        def add(model, values):
            Model = pool.get(model)
            record, = Model.create([values])
            create.setdefault(model, []).append(record)
            return record

        tag = case.number
        assessment = add('kim.case.assessment', {
                'case': case.id, 'date': self.today})
        add('kim.case.assessment.line', {'assessment': assessment.id,
                'handlungsfeld': self.work.id, 'need': 'some',
                'situation': 'Situation %s' % tag})
        plan = add('kim.case.plan', {'case': case.id,
                'main_goal': 'Goal %s' % tag})
        goal = add('kim.case.plan.goal', {'plan': plan.id,
                'handlungsfeld': self.work.id,
                'description': 'Goal %s' % tag})
        add('kim.case.plan.measure', {'goal': goal.id,
                'name': 'Measure %s' % tag, 'responsible': 'client'})
        add('kim.case.contact', {'case': case.id, 'start': NOW,
                'note': 'Contact %s' % tag})
        add('kim.case.event', {'case': case.id, 'type': 'note',
                'description': 'Event %s' % tag})
        add('kim.case.note', {'case': case.id, 'text': 'Open %s' % tag})
        add('kim.case.note', {'case': case.id, 'text': 'Secret %s' % tag,
                'confidential': True})
        add('kim.case.referral', {'case': case.id,
                'organisation': self.org.id, 'handlungsfeld': self.work.id,
                'purpose': 'Referral %s' % tag})
        add('kim.case.handover', {'case': case.id, 'kind': 'internal',
                'date': self.today})
        conference = add('kim.case.conference', {'case': case.id,
                'subject': 'Conference %s' % tag,
                'start': NOW + dt.timedelta(days=3)})
        add('kim.case.conference.participant', {
                'conference': conference.id, 'external': True,
                'organisation': self.org.id, 'person': 'Person %s' % tag})
        add('kim.case.conference.task', {'conference': conference.id,
                'name': 'Task %s' % tag, 'who': 'Who %s' % tag})
        add('kim.case.actor', {'case': case.id, 'role': 'volunteer',
                'contact_name': 'Actor %s' % tag})
        add('kim.case.document', {'case': case.id, 'kind': 'info',
                'date': NOW.date()})
        client = case.client
        member = pool.get('party.party')(
            name='Member %s' % tag)
        member.save()
        add('kim.client.household', {'client': client.id,
                'member': member.id, 'relation': 'child'})
        add('kim.client.language', {'client': client.id,
                'language': pool.get('kim.language').search([])[0].id})
        add('kim.client.residence_status', {'client': client.id,
                'status_type': pool.get(
                    'kim.residence_status_type').search([])[0].id,
                'valid_from': self.today - dt.timedelta(days=100),
                'notes': 'Status %s' % tag})
        add('kim.client.rechtskreis', {'client': client.id,
                'rechtskreis': pool.get('kim.rechtskreis').search([])[0].id,
                'valid_from': self.today - dt.timedelta(days=50)})
        consent = add('kim.consent', {'client': client.id,
                'notes': 'Consent %s' % tag})
        add('ir.attachment', {'resource': str(consent),
                'name': 'scan %s.pdf' % tag, 'type': 'data',
                'data': b'%PDF'})
        add('ir.attachment', {'resource': str(case),
                'name': 'case %s.pdf' % tag, 'type': 'data',
                'data': b'%PDF'})
        add('ir.note', {'resource': str(case), 'message': 'Note %s' % tag})
        return create

    def user(self, login, role, company=None, employees=()):
        return create_user(login, GROUPS[role],
            company=company or self.company,
            employees=[self.employees[e] for e in employees])

    def users(self):
        return {
            'eva': self.user('eva', 'case_manager', employees=['eva']),
            'ben': self.user('ben', 'case_manager', employees=['ben']),
            'carla': self.user('carla', 'case_manager', employees=['carla']),
            'sup': self.user('sup', 'supervisor'),
            'dora_sup': self.user('dora_sup', 'supervisor',
                company=self.other_company),
            'dp': self.user('dp', 'data_protection'),
            'coord': self.user('coord', 'coordination'),
            'admin': self.user('adm', 'admin'),
            }

    def of(self, case, model):
        return self.records[case][model]

    # --- preferences -------------------------------------------------------

    @with_transaction()
    def test_preferences_assigned_only(self):
        "The rules rest on the assigned employees and companies only"
        pool = Pool()
        User = pool.get('res.user')
        Case = pool.get('kim.case')
        self.setup()
        users = self.users()
        for login in ['eva', 'carla', 'sup', 'coord', 'dp', 'admin']:
            user = users[login]
            other = self.employees['carla' if login == 'eva' else 'eva']
            # set_preferences runs without access check, as over RPC
            with self.subTest(user=login), Transaction().set_user(user.id):
                with self.assertRaises(UserAssignmentError):
                    User.set_preferences({'employee': other.id})
                with self.assertRaises(UserAssignmentError):
                    User.set_preferences(
                        {'company': self.other_company.id})
        # the administrator writing their own record
        with as_user(users['admin']):
            with self.assertRaises(
                    (UserAssignmentError, DomainValidationError)):
                User.write([User(users['admin'].id)],
                    {'company': self.other_company.id})
        # a current employee or company stored without assignment (e.g.
        # before this check) widens nothing
        table = User.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update(
                [table.employee, table.company],
                [self.employees['carla'].id, self.company.id],
                where=table.id == users['eva'].id))
        cursor.execute(*table.update([table.company],
                [self.other_company.id],
                where=table.id == users['sup'].id))
        User._get_employees_cache.clear()
        User._get_companies_cache.clear()
        with as_user(users['eva']):
            self.assertEqual(rule_context()['employees'],
                (self.employees['eva'].id,))
            self.assertEqual(set(Case.search([])),
                {self.case_a, self.case_b2})
        with as_user(users['sup']):
            self.assertEqual(Case.search([]), [])
        # assigned values are accepted
        with Transaction().set_user(users['eva'].id):
            User.set_preferences({'employee': self.employees['eva'].id,
                    'company': self.company.id})

    # --- read, search, export, related fields -----------------------------

    @with_transaction()
    def test_paths_other_team(self):
        "A case manager reaches no record of another team by any path"
        pool = Pool()
        Case = pool.get('kim.case')
        Party = pool.get('party.party')
        self.setup()
        users = self.users()
        carla = users['carla']
        with as_user(carla):
            self.assertEqual(set(Case.search([])), {self.case_b})
        for model, records in self.records[self.case_a].items():
            Model = pool.get(model)
            ids = [r.id for r in records]
            with self.subTest(model=model), as_user(carla):
                with self.assertRaises(AccessError):
                    Model.read(ids, ['id'])
                self.assertFalse(set(Model.search([('id', 'in', ids)])))
                self.assertEqual(Model.search_read(
                        [('id', 'in', ids)], fields_names=['id']), [])
                with self.assertRaises(AccessError):
                    Model.export_data(Model.browse(ids), ['id'])
        with as_user(carla):
            # own records whose paths reach another team's records
            with self.assertRaises(AccessError):
                Case.export_data([Case(self.case_b.id)],
                    ['number', 'client/kim_cases/number'])
            with self.assertRaises(AccessError):
                Case.export_data([Case(self.case_b.id)],
                    ['client/kim_cases/notes/text'])
            with self.assertRaises(AccessError):
                Party.export_data([Party(self.client_b.id)],
                    ['name', 'kim_cases/referrals/purpose'])
            # related fields: the other team's case is left out
            row, = Case.read([self.case_b.id], ['client.kim_cases.number'])
            self.assertEqual([c['number']
                    for c in row['client.']['kim_cases.']],
                [self.case_b.number])
            # own data exports
            rows = Case.export_data([Case(self.case_b.id)],
                ['number', 'client/name', 'notes/text'])
            self.assertEqual(rows[0][:2], [self.case_b.number, 'Client B'])
            Referral = pool.get('kim.case.referral')
            referral, = self.of(self.case_b, 'kim.case.referral')
            self.assertEqual(Referral.read([referral.id],
                    ['case.client.name'])[0]['case.']['client.']['name'],
                'Client B')
            self.assertEqual(Referral.export_data([Referral(referral.id)],
                    ['case/client/name']), [['Client B']])

    @with_transaction()
    def test_confidential_note_paths(self):
        "A colleague reads no confidential note by any path"
        pool = Pool()
        Case = pool.get('kim.case')
        Note = pool.get('kim.case.note')
        self.setup()
        users = self.users()
        open_, secret = self.of(self.case_a, 'kim.case.note')
        for login, readable in [('eva', True), ('sup', True),
                ('ben', False)]:
            with self.subTest(user=login), as_user(users[login]):
                self.assertEqual(secret in Note.search([]), readable)
                if readable:
                    Note.read([secret.id], ['text'])
                    rows = Case.export_data(
                        [Case(self.case_a.id)], ['notes/text'])
                    self.assertIn('Secret', ' '.join(
                            str(c) for r in rows for c in r))
                    continue
                with self.assertRaises(AccessError):
                    Note.read([secret.id], ['text'])
                with self.assertRaises(AccessError):
                    Note.export_data([Note(secret.id)], ['text'])
                with self.assertRaises(AccessError):
                    Case.export_data([Case(self.case_a.id)], ['notes/text'])
                row, = Case.read([self.case_a.id], ['notes.text'])
                self.assertEqual([n['text'] for n in row['notes.']],
                    [open_.text])
                self.assertEqual(Case.export_data([Case(self.case_a.id)],
                        ['number']), [[self.case_a.number]])

    @with_transaction()
    def test_other_organisation(self):
        "The Fachaufsicht reaches nothing of another organisation"
        pool = Pool()
        Case = pool.get('kim.case')
        Party = pool.get('party.party')
        self.setup()
        users = self.users()
        sup = users['sup']
        with as_user(sup):
            self.assertNotIn(self.case_o, Case.search([]))
            for model, records in self.records[self.case_o].items():
                Model = pool.get(model)
                ids = [r.id for r in records]
                with self.subTest(model=model):
                    with self.assertRaises(AccessError):
                        Model.read(ids, ['id'])
                    with self.assertRaises(AccessError):
                        Model.export_data(Model.browse(ids), ['id'])
            # the shared client: the other organisation's case stays hidden
            with self.assertRaises(AccessError):
                Party.export_data([Party(self.client_s.id)],
                    ['kim_cases/notes/text'])
            self.assertEqual(
                {c.id for c in Case.search([('client', '=',
                                self.client_s.id)])},
                {self.case_s.id})
        # a new client of the other organisation without a case
        dora = create_user('dora', GROUPS['case_manager'],
            company=self.other_company,
            employees=[self.employees['dora']])
        with as_user(dora):
            new, = Party.create([{'name': "New O", 'kim_client': True}])
            Party.read([new.id], ['name'])
        with as_user(sup):
            with self.assertRaises(AccessError):
                Party.read([new.id], ['name'])
        with as_user(users['dora_sup']):
            Party.read([new.id], ['name'])
        # ... and one of the own organisation
        with as_user(users['eva']):
            own, = Party.create([{'name': "New C", 'kim_client': True}])
        with as_user(sup):
            Party.read([own.id], ['name'])

    @with_transaction()
    def test_no_case_content_any_path(self):
        "Coordination, data protection and administration read no case"
        pool = Pool()
        Case = pool.get('kim.case')
        Party = pool.get('party.party')
        Attachment = pool.get('ir.attachment')
        self.setup()
        users = self.users()
        for login in ['coord', 'dp', 'admin']:
            with self.subTest(user=login), as_user(users[login]):
                with self.assertRaises(AccessError):
                    Case.search([])
                with self.assertRaises(AccessError):
                    Case.export_data([Case(self.case_a.id)], ['number'])
                attachments = self.of(self.case_a, 'ir.attachment')
                with self.assertRaises(AccessError):
                    Attachment.read([a.id for a in attachments], ['name'])
                with self.assertRaises(AccessError):
                    Attachment.export_data(attachments, ['name', 'resource'])
                if login == 'dp':
                    continue
                with self.assertRaises(AccessError):
                    Party.export_data([Party(self.client_a.id)], ['name'])
                self.assertEqual(Party.search(
                        [('id', '=', self.client_a.id)]), [])

    @with_transaction()
    def test_reports_relate_attachments(self):
        "Reports, relate actions, attachments and notes follow the rules"
        pool = Pool()
        Case = pool.get('kim.case')
        Attachment = pool.get('ir.attachment')
        Note = pool.get('ir.note')
        Consent = pool.get('kim.consent')
        ActionWindow = pool.get('ir.action.act_window')
        ModelData = pool.get('ir.model.data')
        PlanReport = pool.get('kim.case.plan', type='report')
        ConsentReport = pool.get('kim.consent', type='report')
        self.setup()
        users = self.users()
        carla = users['carla']
        plan_a, = self.of(self.case_a, 'kim.case.plan')
        plan_b, = self.of(self.case_b, 'kim.case.plan')
        consent_a, = self.of(self.case_a, 'kim.consent')
        with as_user(carla):
            with self.assertRaises(AccessError):
                PlanReport.execute([plan_a.id], {})
            with self.assertRaises(AccessError):
                ConsentReport.execute([consent_a.id], {})
            oext, content, _, _ = PlanReport.execute([plan_b.id], {})
            self.assertTrue(content)
            # relate action "Cases" of a client
            action = ActionWindow(ModelData.get_id(
                    'kim_case', 'act_case_relate'))
            self.assertEqual(action.res_model, 'kim.case')
            self.assertEqual(Case.search(
                    [('client', 'in', [self.client_a.id])]), [])
            self.assertEqual(Case.search(
                    [('client', 'in', [self.client_b.id])]), [self.case_b])
            # attachments and notes of the other team's records
            for Model, records in [
                    (Attachment, self.of(self.case_a, 'ir.attachment')),
                    (Note, self.of(self.case_a, 'ir.note'))]:
                ids = [r.id for r in records]
                self.assertEqual(Model.search([('id', 'in', ids)]), [])
                with self.assertRaises(AccessError):
                    Model.read(ids, ['id'])
                with self.assertRaises(AccessError):
                    Model.export_data(Model.browse(ids), ['resource'])
            self.assertEqual(Attachment.search(
                    [('resource', '=', str(consent_a))]), [])
            own = self.of(self.case_b, 'ir.attachment')
            self.assertEqual(len(Attachment.search(
                        [('id', 'in', [a.id for a in own])])), 2)
            # the covering consent of a client one cannot read
            meth = Consent.__rpc__['find_covering'].decorate(
                Consent.find_covering)
            with self.assertRaises(AccessError):
                meth(self.client_a.id, self.org.id)
            meth = Consent.__rpc__['covers'].decorate(Consent.covers)
            with self.assertRaises(AccessError):
                meth(self.client_a.id, self.org.id)
            self.assertFalse(meth(self.client_b.id, self.org.id))

    # --- links to clients ---------------------------------------------------

    @with_transaction()
    def test_links_to_unreadable_client(self):
        "A record of one's own cannot pull in a client one cannot read"
        pool = Pool()
        Case = pool.get('kim.case')
        Party = pool.get('party.party')
        self.setup()
        users = self.users()
        carla = users['carla']
        language = pool.get('kim.language').search([])[0]
        status_type = pool.get('kim.residence_status_type').search([])[0]
        conference, = self.of(self.case_b, 'kim.case.conference')
        attempts = [
            ('kim.case', [self.case_values(self.client_a, 'carla',
                        self.team_b, state='intake')]),
            ('kim.consent', [{'client': self.client_a.id}]),
            ('kim.client.household', [{'client': self.client_b.id,
                        'member': self.client_a.id, 'relation': 'other'}]),
            ('kim.client.residence_status', [{'client': self.client_a.id,
                        'status_type': status_type.id}]),
            ('kim.client.language', [{'client': self.client_a.id,
                        'language': language.id}]),
            ('kim.case.referral', [{'case': self.case_a.id,
                        'organisation': self.org.id,
                        'handlungsfeld': self.work.id, 'purpose': 'x'}]),
            ('kim.case.conference.participant', [{
                        'conference': conference.id, 'external': True,
                        'organisation': self.client_a.id}]),
            ]
        with set_company(self.company), as_user(carla):
            for model, vlist in attempts:
                with self.subTest(model=model):
                    with self.assertRaises(LinkAccessError):
                        pool.get(model).create(vlist)
            case_b = Case(self.case_b.id)
            with self.assertRaises(LinkAccessError):
                Case.write([case_b], {'client': self.client_a.id})
            with self.assertRaises(LinkAccessError):
                Case.write([case_b], {
                        'household_members': [('add', [self.client_a.id])]})
            with self.assertRaises(LinkAccessError):
                Party.write([Party(self.client_b.id)], {
                        'kim_household': [('create', [{
                                        'member': self.client_a.id,
                                        'relation': 'other'}])]})
            # nor unprotect the own client
            Party.write([Party(self.client_b.id)],
                {'kim_personal': False, 'kim_client': False})
            # a new client of one's own
            new, = Party.create([{'name': "New", 'kim_client': True}])
            case, = Case.create([self.case_values(new, 'carla',
                        self.team_b, state='intake')])
            self.assertEqual(case.client, new)
        self.assertEqual(
            Case.search([('client', '=', self.client_a.id)]), [self.case_a])
        self.assertTrue(Party(self.client_b.id).kim_personal)
        with as_user(users['coord']):
            self.assertEqual(
                Party.search([('id', '=', self.client_b.id)]), [])

    # --- Art. 15 -------------------------------------------------------------

    @with_transaction()
    def test_subject_access_report(self):
        "Art. 15: Fachaufsicht or Datenschutz, own organisation, logged"
        pool = Pool()
        Case = pool.get('kim.case')
        Log = pool.get('kim.access_log')
        JSONReport = pool.get('kim.client.subject_access.json',
            type='report')
        Wizard = pool.get('kim.client.subject_access.wizard',
            type='wizard')
        self.setup()
        users = self.users()
        reason = "Letter of the client of 2 March"
        for login in ['eva', 'carla', 'coord']:
            with self.subTest(user=login), as_user(users[login]):
                with self.assertRaises((AccessError, SubjectAccessError)):
                    JSONReport.execute([self.client_s.id],
                        {'reason': reason})
                with self.assertRaises((AccessError, SubjectAccessError)):
                    session_id, _, _ = Wizard.create()
                    Wizard.execute(session_id, {}, 'start')
        for login in ['sup', 'dp']:
            with self.subTest(user=login), as_user(users[login]):
                with self.assertRaises(SubjectAccessError):
                    JSONReport.execute([self.client_s.id], {})
                _, content, _, _ = JSONReport.execute(
                    [self.client_s.id], {'reason': reason})
                text = json.dumps(json.loads(content), ensure_ascii=False)
                # everything the organisation holds, confidential notes too
                for value in ['Secret %s' % self.case_s.number,
                        'Open %s' % self.case_s.number, self.case_s.number,
                        'scan %s.pdf' % self.case_s.number, reason]:
                    self.assertIn(value, text)
                # nothing the other organisation holds (the client's own
                # data, e.g. consents, are shared)
                for value in ['Secret %s' % self.case_so.number,
                        'Open %s' % self.case_so.number,
                        'Event %s' % self.case_so.number,
                        '%s - Client S' % self.case_so.number]:
                    self.assertNotIn(value, text)
                if login == 'dp':
                    with self.assertRaises(AccessError):
                        Case.search([])
        logs = Log.search([('kind', '=', 'export'), ('detail', '=', reason)])
        self.assertEqual({l.user for l in logs},
            {users['sup'], users['dp']})
        self.assertIn(('kim.case.note', 'sup'), {
                (l.model, l.user.login) for l in logs})
        self.assertNotIn(self.case_so.id, {
                l.record for l in logs if l.model == 'kim.case'})

    # --- access log -----------------------------------------------------

    @with_transaction()
    def test_access_log_every_model(self):
        "Every read of personal case data is logged, by model and path"
        pool = Pool()
        Log = pool.get('kim.access_log')
        Model = pool.get('ir.model')
        Case = pool.get('kim.case')
        self.setup()
        users = self.users()
        sup = users['sup']
        logged = set()
        for model in Model.search([('module', '=', 'kim_case')]):
            Target = pool.get(model.name)
            if (issubclass(Target, ModelSQL)
                    and log_path(Target) is not None):
                logged.add(model.name)
        # the models of a case or a client are logged
        for model in logged:
            names, _ = _get_access_models(pool.get(model))
            self.assertTrue(names & {'kim.case', 'party.party'}
                or model in {'kim.case', 'kim.case.due'}, msg=model)
        self.assertGreaterEqual(logged, {
                'kim.case', 'kim.case.assessment', 'kim.case.assessment.line',
                'kim.case.plan', 'kim.case.plan.goal',
                'kim.case.plan.measure', 'kim.case.event', 'kim.case.note',
                'kim.case.contact', 'kim.case.referral', 'kim.case.handover',
                'kim.case.conference', 'kim.case.conference.participant',
                'kim.case.conference.task', 'kim.case.actor',
                'kim.client.language',
                'kim.client.household', 'kim.client.residence_status',
                'kim.client.rechtskreis', 'kim.consent', 'kim.case.due'})
        records = self.records[self.case_a]
        for model in sorted(logged - {'kim.case', 'kim.case.due'}):
            Target = pool.get(model)
            ids = [r.id for r in records[model]]
            with self.subTest(model=model):
                for path in ['read', 'search_read', 'export']:
                    before = Log.search_count([])
                    with as_user(sup):
                        if path == 'read':
                            Target.read(ids, ['id'])
                        elif path == 'search_read':
                            Target.search_read([('id', 'in', ids)],
                                fields_names=['id'])
                        else:
                            Target.export_data(Target.browse(ids), ['id'])
                    kind = 'export' if path == 'export' else 'read'
                    new = Log.search([], order=[('id', 'DESC')],
                        limit=Log.search_count([]) - before)
                    self.assertEqual(
                        {(l.model, l.record, l.kind, l.user)
                            for l in new if l.model == model},
                        {(model, i, kind, sup) for i in ids},
                        msg=path)
        # the attachments and notes of a case and of a consent
        Attachment = pool.get('ir.attachment')
        attachments = records['ir.attachment']
        organisation_attachment, = Attachment.create([{
                    'resource': str(self.org), 'name': 'logo.png',
                    'type': 'data', 'data': b'PNG'}])
        with as_user(sup):
            Attachment.read([a.id for a in attachments]
                + [organisation_attachment.id], ['name'])
        self.assertEqual(
            {l.record for l in Log.search([('model', '=', 'ir.attachment'),
                        ('user', '=', sup.id)])},
            {a.id for a in attachments})
        # the Wiedervorlage is logged as reads of its cases
        Due = pool.get('kim.case.due')
        Case.write([self.case_a], {'next_review': self.today})
        with as_user(sup):
            dues = Due.search([('case', '=', self.case_a.id)])
            Due.read([d.id for d in dues], ['date'])
            Case.search_count([('client.name', 'ilike', 'Client%')])
        self.assertTrue(Log.search([('model', '=', 'kim.case'),
                    ('record', '=', self.case_a.id), ('kind', '=', 'read'),
                    ('user', '=', sup.id)]))
        count, = Log.search([('kind', '=', 'count'), ('user', '=', sup.id)])
        self.assertEqual(count.model, 'kim.case')
        self.assertIn('Client%', count.detail)
        # reports: the Hilfeplan PDF
        PlanReport = pool.get('kim.case.plan', type='report')
        plan, = records['kim.case.plan']
        with as_user(users['eva']):
            PlanReport.execute([plan.id], {})
        self.assertTrue(Log.search([('model', '=', 'kim.case.plan'),
                    ('record', '=', plan.id), ('kind', '=', 'report'),
                    ('user', '=', users['eva'].id)]))
        # append-only
        logs = Log.search([])
        for user in [sup, users['admin']]:
            with as_user(user):
                with self.assertRaises(AccessError):
                    Log.write(logs, {'record': 1})
                with self.assertRaises(AccessError):
                    Log.delete(logs)

    @with_transaction()
    def test_access_log_tab_counters(self):
        """The counters of a list's tabs are not logged, every count with a
        condition of the user's own is"""
        pool = Pool()
        Log = pool.get('kim.access_log')
        Case = pool.get('kim.case')
        ActWindow = pool.get('ir.action.act_window')
        TabDomain = pool.get('ir.action.act_window.domain')
        ModelData = pool.get('ir.model.data')
        self.setup()
        sup = self.users()['sup']
        open_states = ['intake', 'assessment', 'planning', 'implementation',
            'closing']

        def logged(domain, **context):
            before = Log.search_count([('kind', '=', 'count')])
            with as_user(sup), Transaction().set_context(context):
                Case.search_count(domain, 0, 1000)
            return Log.search_count([('kind', '=', 'count')]) - before
        # as sao sends them: a tab's domain AND the screen's (empty) domain
        for domain in [
                ['AND', [('state', '=', 'intake')], []],
                ['AND', [('followup_due', '=', True)], []],
                ['AND', [], [('state', 'in', open_states)]],
                []]:
            self.assertEqual(logged(domain), 0, msg=domain)
        client = self.case_a.client.id
        for domain, context in [
                (['AND', [('state', 'in', open_states)], [
                            ('client.name', 'ilike', 'Client%')]], {}),
                ([('state', '=', 'intake'), ('id', '>', 0)], {}),
                (['OR', ('state', '=', 'intake'), ('state', '=', 'closing')],
                    {}),
                # two tabs at once are no list of the administrator's
                ([('state', '=', 'closing'), ('followup_due', '=', True)],
                    {}),
                ([('next_review', '!=', None)], {}),
                # inactive records, a past state
                ([], {'active_test': False}),
                ([('state', '=', 'intake')], {'_datetime': NOW}),
                # a window whose domain takes ids of the client's context
                ([('client', 'in', [client])], {'active_ids': [client],
                        'active_id': client}),
                ([('client', '=', client)], {'active_ids': [client],
                        'active_id': client}),
                ]:
            self.assertEqual(logged(domain, **context), 1, msg=domain)
        # a tab an administrator adds counts as the others at once
        window = ActWindow(ModelData.get_id('kim_case', 'act_case_form'))
        TabDomain.create([{'act_window': window.id, 'name': "Review",
                    'domain': PYSONEncoder().encode(
                        [('next_review', '!=', None)])}])
        self.assertEqual(logged([('next_review', '!=', None)]), 0)

    @with_transaction()
    def test_access_log_one_insert_per_request(self):
        "The rows of a request are written by one INSERT"
        pool = Pool()
        Log = pool.get('kim.access_log')
        Case = pool.get('kim.case')
        Note = pool.get('kim.case.note')
        Party = pool.get('party.party')
        self.setup()
        sup = self.users()['sup']
        inserts = []
        original = Log._insert.__func__

        def spy(cls, cursor, rows):
            inserts.append(len(rows))
            return original(cls, cursor, rows)
        Log._insert = classmethod(spy)
        try:
            with as_user(sup):
                Case.read([self.case_a.id, self.case_b.id],
                    ['number', 'client.name', 'notes.text'])
                Note.search_read([], fields_names=['text'])
                Party.read([self.client_a.id], ['name'])
            self.assertEqual(inserts, [])
            self.assertTrue(Log.search([]))
        finally:
            Log._insert = classmethod(original)
        self.assertEqual(len(inserts), 1)
        self.assertGreater(inserts[0], 5)
