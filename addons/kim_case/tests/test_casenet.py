# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""The network of a case and the double-care warning, the interpreter of an
appointment, duplicate clients and their merge, per role with the access
rules checked (as over RPC)"""
import datetime as dt
import unittest

from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import (
    create_company, create_employee, set_company)
from trytond.modules.kim_case.exceptions import (
    DoubleCareWarning, DuplicateWarning, InterpreterValidationError,
    MergeError, NetworkValidationError)
from trytond.modules.kim_network.tests.tools import (
    FreshDatabaseMixin, as_user, codes, create_organisation,
    create_user, give_consent)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

KIM_USER = ('kim_network', 'group_kim_user')
GROUPS = {
    'case_manager': [KIM_USER, ('kim_case', 'group_case_manager')],
    'supervisor': [KIM_USER, ('kim_case', 'group_case_supervisor')],
    }
BIRTH = dt.date(1990, 5, 17)
NOW = dt.datetime.now().replace(microsecond=0)


class CaseNetworkTestCase(FreshDatabaseMixin, unittest.TestCase):
    "Test the network, interpreters and duplicate clients"

    modules = 'kim_case'

    def setup(self):
        """Company C with team A (Eva) and team B (Carla), company O (Dora);
        users for each and a supervisor per company"""
        pool = Pool()
        Kommune = pool.get('kim.kommune')
        Team = pool.get('kim.case.team')
        self.today = pool.get('ir.date').today()
        self.company = create_company()
        self.other_company = create_company("Other Organisation")
        e = self.employees = {
            n: create_employee(c, n) for n, c in [
                ('eva', self.company), ('carla', self.company),
                ('dora', self.other_company)]}
        self.kommune, = Kommune.create([
                {'name': "Nordstadt", 'ags': '05999001'}])
        self.team_a, self.team_b = Team.create([
                {'name': "A", 'company': self.company.id,
                    'members': [('add', [e['eva'].id])]},
                {'name': "B", 'company': self.company.id,
                    'members': [('add', [e['carla'].id])]},
                ])
        self.jobcenter = create_organisation("Jobcenter Nord")
        self.jmd = create_organisation("JMD Nordstadt")
        self.pool_org = create_organisation("Sprachmittlerpool Nordstadt")
        self.users = {
            'eva': create_user('eva', GROUPS['case_manager'],
                company=self.company, employees=[e['eva']]),
            'carla': create_user('carla', GROUPS['case_manager'],
                company=self.company, employees=[e['carla']]),
            'dora': create_user('dora', GROUPS['case_manager'],
                company=self.other_company, employees=[e['dora']]),
            'sup': create_user('sup', GROUPS['supervisor'],
                company=self.company),
            'dora_sup': create_user('dora_sup', GROUPS['supervisor'],
                company=self.other_company),
            }

    def client(self, name, birth=BIRTH, **values):
        Party = Pool().get('party.party')
        client, = Party.create([dict(name=name, kim_client=True,
                    kim_birth_date=birth, **values)])
        return client

    def case(self, client, employee, team=None, company=None, **values):
        Case = Pool().get('kim.case')
        with set_company(company or self.company):
            case, = Case.create([dict({
                            'client': client.id,
                            'kommune': self.kommune.id,
                            'case_manager': self.employees[employee].id,
                            'team': team.id if team else None,
                            }, **values)])
        return case

    def skip(self, warning):
        "Record the answer 'yes' of the user to the warning"
        Warning = Pool().get('res.user.warning')
        Warning(user=Transaction().user, name=warning.name).save()

    # --- network -----------------------------------------------------------

    @with_transaction()
    def test_actor_consent_and_access(self):
        "Actors follow the access of their case; consent covers by purpose"
        pool = Pool()
        Actor = pool.get('kim.case.actor')
        self.setup()
        client = self.client("Amina Haddad")
        case = self.case(client, 'eva', self.team_a)
        jobcenter, volunteer = Actor.create([{
                    'case': case.id, 'role': 'jobcenter',
                    'organisation': self.jobcenter.id,
                    'contact_name': "Frau Berg", 'phone': '0201 123',
                    'email': 'berg@jobcenter.example',
                    }, {
                    'case': case.id, 'role': 'volunteer',
                    'contact_name': "Herr Weiß",
                    }])
        self.assertTrue(jobcenter.statutory)
        self.assertFalse(volunteer.statutory)
        self.assertTrue(jobcenter.current)
        self.assertEqual(Actor.search([('statutory', '=', True)]),
            [jobcenter])
        self.assertEqual(Actor.search([('statutory', '!=', True)]),
            [volunteer])
        self.assertFalse(jobcenter.consent_covers)
        self.assertFalse(volunteer.consent_covers)
        # a consent to transfer naming the Jobcenter
        consent = give_consent(client, purposes=['transfer'],
            recipients=[self.jobcenter])
        Transaction().counter += 1
        jobcenter_values, volunteer_values = Actor.read(
            [jobcenter.id, volunteer.id], ['consent', 'consent_covers'])
        self.assertTrue(jobcenter_values['consent_covers'])
        self.assertEqual(jobcenter_values['consent'], consent.id)
        self.assertFalse(volunteer_values['consent_covers'])
        give_consent(client, purposes=['network'])
        Transaction().counter += 1
        self.assertTrue(Actor.read([volunteer.id],
                ['consent_covers'])[0]['consent_covers'])
        # the other team, the other organisation: nothing
        for login in ['carla', 'dora', 'dora_sup']:
            with self.subTest(user=login), as_user(self.users[login]):
                with self.assertRaises(AccessError):
                    Actor.read([jobcenter.id], ['contact_name'])
                self.assertEqual(Actor.search([]), [])
                self.assertEqual(Actor.search_read([],
                        fields_names=['phone']), [])
                with self.assertRaises(AccessError):
                    Actor.export_data([Actor(jobcenter.id)], ['phone'])
                with self.assertRaises(AccessError):
                    Actor.create([{'case': case.id, 'role': 'lawyer',
                                'contact_name': "RA Klein"}])
        for login in ['eva', 'sup']:
            with self.subTest(user=login), as_user(self.users[login]):
                self.assertEqual(len(Actor.search([])), 2)
                self.assertEqual(Actor.read([jobcenter.id],
                        ['phone'])[0]['phone'], '0201 123')
        with as_user(self.users['eva']):
            lawyer, = Actor.create([{'case': case.id, 'role': 'lawyer',
                        'contact_name': "RA Klein"}])
            Actor.delete([lawyer])
        with as_user(self.users['sup']):
            with self.assertRaises(AccessError):
                Actor.delete([jobcenter])
        with self.assertRaises(NetworkValidationError):
            Actor.create([{'case': case.id, 'role': 'other'}])

    @with_transaction()
    def test_double_care_warning(self):
        "Another case management in charge warns at intake, skippably"
        pool = Pool()
        Actor = pool.get('kim.case.actor')
        Case = pool.get('kim.case')
        self.setup()
        client = self.client("Olena Kovalenko")
        # a case of team A, the Jobcenter's Fallmanagement recorded
        # on a case of team B
        self.case(client, 'eva', self.team_a)
        other = self.case(client, 'carla', self.team_b)
        Actor.create([{'case': other.id, 'role': 'jobcenter',
                    'organisation': self.jobcenter.id,
                    'valid_from': self.today - dt.timedelta(days=30)}])
        values = {'client': client.id, 'kommune': self.kommune.id,
            'company': self.company.id,
            'case_manager': self.employees['eva'].id,
            'team': self.team_a.id}
        with as_user(self.users['eva']):
            # as over RPC: the case manager of team A opens a case
            with self.assertRaises(DoubleCareWarning) as cm:
                Case.create([values])
            message = cm.exception.message
            self.assertIn("Olena Kovalenko", message)
            self.assertIn("Fachaufsicht", message)
            # of the other team's case: no organisation, no case
            self.assertNotIn("Jobcenter", message)
            self.assertNotIn(other.number, message)
            self.skip(cm.exception)
            case, = Case.create([values])
        # the actor recorded on the case itself: named in the warning
        with as_user(self.users['carla']):
            values['case_manager'] = self.employees['carla'].id
            values['team'] = self.team_b.id
            with self.assertRaises(DoubleCareWarning) as cm:
                Case.create([values])
            self.assertIn("Jobcenter Nord", cm.exception.message)
        # a past period does not count
        Actor.write(list(other.actors), {
                'valid_to': self.today - dt.timedelta(days=1)})
        with as_user(self.users['carla']):
            Case.create([values])
        # at the transition out of intake: the network of the case itself
        Actor.create([{'case': case.id, 'role': 'jmd',
                    'organisation': self.jmd.id}])
        give_consent(client)
        with as_user(self.users['eva']):
            case = Case(case.id)
            case.indication_decision = 'case_management'
            case.indication_voluntary = 'yes'
            case.indication_date = self.today
            case.indication_decided_by = self.employees['eva']
            case.save()
            with self.assertRaises(DoubleCareWarning) as cm:
                Case.assess([case])
            self.assertIn("JMD Nordstadt", cm.exception.message)
            self.skip(cm.exception)
            Case.assess([case])
            self.assertEqual(Case(case.id).state, 'assessment')

    @with_transaction()
    def test_double_care_other_organisation(self):
        "The warning of another organisation's network names nothing"
        pool = Pool()
        Actor = pool.get('kim.case.actor')
        Case = pool.get('kim.case')
        self.setup()
        client = self.client("Yusuf Demir")
        # a client of both organisations
        self.case(client, 'eva', self.team_a)
        other = self.case(client, 'dora', company=self.other_company)
        Actor.create([{'case': other.id, 'role': 'youth_office',
                    'organisation': self.jobcenter.id,
                    'contact_name': "Frau Geheim"}])
        with as_user(self.users['eva']):
            with self.assertRaises(DoubleCareWarning) as cm:
                Case.create([{'client': client.id,
                            'kommune': self.kommune.id,
                            'company': self.company.id,
                            'case_manager': self.employees['eva'].id}])
        message = cm.exception.message
        for secret in ["Geheim", "Jobcenter", "Jugendamt", other.number,
                str(other.id)]:
            self.assertNotIn(secret, message)

    # --- interpreter -------------------------------------------------------

    @with_transaction()
    def test_interpreter_contact_and_conference(self):
        "Interpreter need, language, kind and booking per appointment"
        pool = Pool()
        Contact = pool.get('kim.case.contact')
        Conference = pool.get('kim.case.conference')
        arabic, = codes('kim.language', 'ar')
        self.setup()
        client = self.client("Amina Haddad", kim_language_mediation=True,
            kim_mediation_language=arabic.id)
        case = self.case(client, 'eva', self.team_a)
        # the need of the client is taken over
        contact = Contact(case=case)
        contact.on_change_case()
        self.assertTrue(contact.interpreter_needed)
        self.assertEqual(contact.interpreter_language, arabic)
        self.assertEqual(contact.interpreter_kind, 'spoken')
        self.assertEqual(contact.interpreter_booking, 'requested')
        contact.start = NOW - dt.timedelta(hours=1)
        contact.save()
        self.assertFalse(contact.interpreter_used)
        # confirmed needs the interpreter
        with self.assertRaises(InterpreterValidationError):
            Contact.write([contact], {'interpreter_booking': 'confirmed'})
        Contact.write([contact], {'interpreter_booking': 'confirmed',
                'interpreter_name': "Frau Nasser",
                'interpreter_organisation': self.pool_org.id})
        # a booking without need
        with self.assertRaises(InterpreterValidationError):
            Contact.create([{'case': case.id, 'start': NOW,
                        'interpreter_booking': 'requested'}])
        # spoken needs the language, sign language not
        with self.assertRaises(Exception):
            Contact.create([{'case': case.id, 'start': NOW,
                        'interpreter_needed': True,
                        'interpreter_kind': 'spoken'}])
        sign, = Contact.create([{'case': case.id, 'start': NOW,
                    'interpreter_needed': True, 'interpreter_kind': 'sign',
                    'interpreter_booking': 'requested'}])
        self.assertFalse(sign.interpreter_language)
        # done: the confirmed interpreter was used (the Kennzahlen count it)
        Contact.do([contact])
        contact = Contact(contact.id)
        self.assertEqual(contact.state, 'done')
        self.assertTrue(contact.interpreter_used)
        # the old checkbox alone still works
        old, = Contact.create([{'case': case.id,
                    'start': NOW - dt.timedelta(days=1),
                    'interpreter_used': True,
                    'interpreter_language': arabic.id}])
        self.assertFalse(old.interpreter_needed)
        # a conference
        conference = Conference(case=case, subject="Fallkonferenz",
            start=NOW + dt.timedelta(days=2))
        conference.on_change_case()
        self.assertTrue(conference.interpreter_needed)
        conference.interpreter_booking = 'confirmed'
        conference.interpreter_organisation = self.pool_org
        conference.save()
        self.assertEqual(Conference.search([
                    ('interpreter_booking', '=', 'confirmed')]), [conference])
        # other team: no interpreter data of the case
        with as_user(self.users['carla']):
            with self.assertRaises(AccessError):
                Contact.read([contact.id], ['interpreter_name'])

    # --- duplicates --------------------------------------------------------

    @with_transaction()
    def test_duplicate_keys_stored(self):
        "The keys are stored with the name and indexed by the client"
        pool = Pool()
        Party = pool.get('party.party')
        self.setup()
        client = self.client("Mohammed Al-Hassan")
        self.assertEqual(client.kim_name_key, 'hsn mhmd')
        self.assertEqual(client.kim_phonetic_key, '086 662')
        Party.write([client], {'name': "Jussuf Demir"})
        self.assertEqual(client.kim_name_key, 'Jsf dmr')
        self.assertEqual(Party.search([('kim_name_key', '=', 'Jsf dmr')]),
            [client])

    @with_transaction()
    def test_duplicate_warning(self):
        "Entering a client twice warns; of another team only that one exists"
        pool = Pool()
        Party = pool.get('party.party')
        self.setup()
        values = {'name': "Muhammad Hasan", 'kim_client': True,
            'kim_birth_date': BIRTH}
        # Eva's client, with a case of team A
        with as_user(self.users['eva']):
            first, = Party.create([{'name': "Mohammed Al-Hassan",
                        'kim_client': True, 'kim_birth_date': BIRTH}])
        self.case(first, 'eva', self.team_a)
        with as_user(self.users['eva']):
            with self.assertRaises(DuplicateWarning) as cm:
                Party.create([values])
            self.assertIn("Mohammed Al-Hassan", cm.exception.message)
            self.assertIn("17.05.1990", cm.exception.message)
            # the warning answered: the retry (a new id) passes; the test
            # runs in one transaction: the refused record is removed as a
            # rollback would
            self.skip(cm.exception)
            with Transaction().set_user(0):
                Party.delete(Party.search([('name', '=', values['name'])]))
            second, = Party.create([values])
            # a change of the name or date of birth checks again
            with self.assertRaises(DuplicateWarning):
                Party.write([second], {'name': "Muhamad Hasan Ali"})
            Party.write([second], {'kim_birth_date': dt.date(1991, 1, 1)})
            # a different client passes
            Party.create([{'name': "Olena Kovalenko", 'kim_client': True,
                        'kim_birth_date': BIRTH}])
        # the other team and the other organisation: no name, no id
        for login in ['carla', 'dora', 'dora_sup']:
            with self.subTest(user=login), as_user(self.users[login]):
                with self.assertRaises(DuplicateWarning) as cm:
                    Party.create([{'name': "Hassan, Mohamed",
                                'kim_client': True,
                                'kim_birth_date': BIRTH}])
                message = cm.exception.message
                self.assertIn("Fachaufsicht", message)
                for secret in ["Al-Hassan", "Muhammad", "17.05.1990",
                        str(first.id), "Eva", "eva"]:
                    self.assertNotRegex(message, r'\b%s\b' % secret)
                with Transaction().set_user(0):
                    Party.delete(Party.search(
                            [('name', '=', "Hassan, Mohamed")]))
        # the Fachaufsicht of the organisation sees the name
        with as_user(self.users['sup']):
            with self.assertRaises(DuplicateWarning) as cm:
                Party.create([{'name': "Hassan, Mohamed",
                            'kim_client': True, 'kim_birth_date': BIRTH}])
            self.assertIn("Mohammed Al-Hassan", cm.exception.message)
        # no warning for what is not a client, or not from the interface
        with as_user(self.users['eva']):
            Party.create([{'name': "Mohammed Al-Hassan"}])
        Party.create([values])

    @with_transaction()
    def test_duplicate_check_wizard(self):
        "The check on demand tells the readable duplicates only"
        pool = Pool()
        Party = pool.get('party.party')
        Check = pool.get('kim.client.duplicate', type='wizard')
        self.setup()
        first = self.client("Mohammed Al-Hassan")
        self.case(first, 'eva', self.team_a)
        second = self.client("Muhammad Hasan", birth=None)
        self.case(second, 'carla', self.team_b)
        lone = self.client("Olena Kovalenko")
        self.case(lone, 'carla', self.team_b)

        def check(party):
            with Transaction().set_context(active_model='party.party',
                    active_id=party.id, active_ids=[party.id]):
                session_id, _, _ = Check.create()
                return Check.execute(session_id, {}, 'start')[
                    'view']['defaults']

        with as_user(self.users['carla']):
            result = check(second)
            self.assertEqual(result['duplicates'], [])
            self.assertTrue(result['elsewhere'])
            self.assertNotIn("Al-Hassan", result['message'])
            result = check(lone)
            self.assertFalse(result['elsewhere'])
            self.assertEqual(result['duplicates'], [])
            # a client the user may not read is not checked
            with self.assertRaises(AccessError):
                check(first)
        with as_user(self.users['sup']):
            result = check(second)
            self.assertEqual(result['duplicates'], [first.id])
            self.assertFalse(result['elsewhere'])
            self.assertIn("Mohammed Al-Hassan", result['message'])
        # the button of the client form opens the check
        self.assertTrue(Party.kim_check_duplicates([second]))

    # --- merge -------------------------------------------------------------

    def replace(self, source, destination):
        Replace = Pool().get('party.replace', type='wizard')
        session_id, _, _ = Replace.create()
        replace = Replace(session_id)
        replace.ask.source = source
        replace.ask.destination = destination
        return replace.transition_replace()

    @with_transaction()
    def test_merge(self):
        "The Fachaufsicht merges a duplicate: cases and consents move"
        pool = Pool()
        Party = pool.get('party.party')
        Case = pool.get('kim.case')
        Consent = pool.get('kim.consent')
        Event = pool.get('kim.case.event')
        Language = pool.get('kim.client.language')
        arabic, = codes('kim.language', 'ar')
        self.setup()
        kept = self.client("Mohammed Al-Hassan")
        kept_case = self.case(kept, 'eva', self.team_a)
        duplicate = self.client("Muhammad Hasan")
        case = self.case(duplicate, 'carla', self.team_b)
        consent = give_consent(duplicate)
        language, = Language.create([{'client': duplicate.id,
                    'language': arabic.id}])
        # a case manager does not merge
        for login in ['eva', 'carla']:
            with self.subTest(user=login), as_user(self.users[login]):
                with self.assertRaises((MergeError, AccessError)):
                    self.replace(duplicate, kept)
        # nor the Fachaufsicht of another organisation
        with as_user(self.users['dora_sup']):
            with self.assertRaises(AccessError):
                self.replace(duplicate, kept)
        with as_user(self.users['sup']), \
                Transaction().set_context(_skip_warnings=True):
            self.assertEqual(self.replace(duplicate, kept), 'end')
        self.assertEqual(Case.search([('client', '=', kept.id)],
                order=[('id', 'ASC')]), [kept_case, case])
        self.assertEqual(Consent.search([('client', '=', kept.id)]),
            [consent])
        self.assertEqual(Language.search([('client', '=', kept.id)]),
            [language])
        duplicate = Party(duplicate.id)
        self.assertFalse(duplicate.active)
        self.assertEqual(duplicate.replaced_by, kept)
        # the history keeps who the case belonged to
        history = Case.__table_history__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*history.select(history.client,
                where=history.id == case.id))
        self.assertEqual({c for c, in cursor}, {duplicate.id, kept.id})
        self.assertTrue(Event.search([('case', '=', case.id),
                    ('description', 'ilike', '%Muhammad Hasan%')]))
        # the duplicate is no candidate any more
        self.assertEqual(Party.kim_duplicates(
                [(kept.id, kept.kim_duplicate_keys)]), {kept.id: []})

    @with_transaction()
    def test_merge_other_organisation(self):
        "A client with a case of another organisation is not merged"
        self.setup()
        kept = self.client("Mohammed Al-Hassan")
        self.case(kept, 'eva', self.team_a)
        duplicate = self.client("Muhammad Hasan")
        self.case(duplicate, 'carla', self.team_b)
        self.case(duplicate, 'dora', company=self.other_company)
        with as_user(self.users['sup']), \
                Transaction().set_context(_skip_warnings=True):
            with self.assertRaises(MergeError) as cm:
                self.replace(duplicate, kept)
        self.assertNotIn("Other Organisation", cm.exception.message)
