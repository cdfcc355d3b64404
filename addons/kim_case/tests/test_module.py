# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
import datetime as dt
from unittest.mock import patch

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import (
    CompanyTestMixin, PartyCompanyCheckEraseMixin, create_company,
    create_employee, set_company)
from trytond.modules.kim_network.tests.tools import (
    add_groups, as_user, codes, create_user, give_consent)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

DAY = dt.timedelta(days=1)


class KimCaseTestCase(
        PartyCompanyCheckEraseMixin, CompanyTestMixin, ModuleTestCase):
    "Test KIM Case module"
    module = 'kim_case'

    @with_transaction()
    def test_wizards(self):
        "Test wizards are correctly defined (for a member of the case groups)"
        # the administrator runs no case wizard unless in a case group
        add_groups(Transaction().user)
        super().test_wizards.__wrapped__(self)

    # --- helpers -----------------------------------------------------

    def kommune(self, name='Nordstadt', ags='05999001'):
        Kommune = Pool().get('kim.kommune')
        kommune, = Kommune.create([{'name': name, 'ags': ags}])
        return kommune

    def client(self, name="Amina Haddad", **values):
        Party = Pool().get('party.party')
        values.setdefault('kim_client', True)
        client, = Party.create([dict(name=name, **values)])
        return client

    def case(self, client=None, **values):
        Case = Pool().get('kim.case')
        if client is None:
            client = self.client()
        if 'kommune' not in values:
            values['kommune'] = self.kommune().id
        case, = Case.create([dict(client=client.id, **values)])
        return case

    def setup_company(self):
        company = create_company()
        employee = create_employee(company, "Fallmanagerin Eva")
        return company, employee

    def decide(self, case, decision='case_management', **values):
        "Decide the indication (and record the client's consent to it)"
        today = dt.date.today()
        if decision == 'case_management' and values.pop('consent', True):
            Consent = Pool().get('kim.consent')
            if not Consent.covers(case.client, None,
                    purpose='case_management'):
                give_consent(case.client)
        case.indication_decision = decision
        case.indication_voluntary = values.pop('voluntary', 'yes')
        case.indication_date = values.pop('date', today)
        case.indication_decided_by = values.pop(
            'decided_by', case.case_manager)
        for name, value in values.items():
            setattr(case, name, value)
        case.save()

    def assertMessage(self, cm, pattern):
        self.assertRegex(cm.exception.message, pattern)

    def no_gates(self):
        "Patch the extension gates of planning and implementation away"
        Case = Pool().get('kim.case')
        return patch.multiple(Case,
            check_can_plan=lambda self: None,
            check_can_implement=lambda self: None)

    # --- code lists --------------------------------------------------

    @with_transaction()
    def test_codelists_shipped(self):
        "The residence status types, access channels and closing reasons"
        pool = Pool()
        for model, minimum in [
                ('kim.residence_status_type', 17),
                ('kim.access_channel', 12),
                ('kim.closing_reason', 11)]:
            with self.subTest(model=model):
                self.assertGreaterEqual(
                    pool.get(model).search_count([]), minimum)
        duldung, = codes('kim.residence_status_type', 'DULDUNG_60C')
        self.assertIn('60c', duldung.name)
        short, = codes('kim.closing_reason', 'KURZBERATUNG')
        self.assertTrue(short.short_case)
        handover, = codes('kim.closing_reason', 'UEBERGABE')
        self.assertTrue(handover.handover)

    # --- clients -----------------------------------------------------

    @with_transaction()
    def test_client_birth_date_future(self):
        "A date of birth in the future is refused"
        today = dt.date.today()
        with self.assertRaises(UserError) as cm:
            self.client(kim_birth_date=today + DAY)
        self.assertMessage(cm, r'Date of Birth.*"Amina Haddad".*future')

    @with_transaction()
    def test_client_arrival_future(self):
        "An arrival in the future is refused"
        today = dt.date.today()
        with self.assertRaises(UserError) as cm:
            self.client(kim_arrival_germany=today + 10 * DAY)
        self.assertMessage(cm, r'Arrival in Germany.*future')

    @with_transaction()
    def test_client_arrival_order(self):
        "The arrival in the Kommune cannot precede the arrival in Germany"
        with self.assertRaises(UserError) as cm:
            self.client(
                kim_arrival_germany=dt.date(2024, 3, 1),
                kim_arrival_kommune=dt.date(2024, 2, 1))
        self.assertMessage(cm, r'arrived in the Kommune \(2024-02-01\) '
            r'before arriving in Germany \(2024-03-01\)')
        client = self.client(
            kim_birth_date=dt.date(1990, 5, 17),
            kim_arrival_germany=dt.date(2024, 3, 1),
            kim_arrival_kommune=dt.date(2024, 3, 1))
        self.assertEqual(client.kim_age_on(dt.date(2025, 5, 16)), 34)
        self.assertEqual(client.kim_age_on(dt.date(2025, 5, 17)), 35)

    @with_transaction()
    def test_client_arrival_before_birth(self):
        "A client cannot arrive before birth"
        with self.assertRaises(UserError) as cm:
            self.client(kim_birth_date=dt.date(2010, 1, 1),
                kim_arrival_germany=dt.date(2009, 1, 1))
        self.assertMessage(cm, r'before being born')

    @with_transaction()
    def test_client_mediation_language_required(self):
        "Sprachmittlung needs its language"
        with self.assertRaises(UserError):
            self.client(kim_language_mediation=True)
        arabic, = codes('kim.language', 'ar')
        client = self.client(kim_language_mediation=True,
            kim_mediation_language=arabic.id,
            kim_client_languages=[('create', [{
                            'language': arabic.id, 'level': 'native',
                            'literacy': 'literate'}])])
        self.assertEqual(client.kim_client_languages[0].level, 'native')

    @with_transaction()
    def test_household_self(self):
        "A client is not a member of their own household"
        client = self.client()
        Household = Pool().get('kim.client.household')
        with self.assertRaises(UserError):
            Household.create([{'client': client.id, 'member': client.id,
                        'relation': 'child'}])
        child = self.client("Yusuf Haddad", kim_client=False)
        line, = Household.create([{'client': client.id,
                    'member': child.id, 'relation': 'child'}])
        self.assertEqual(line.rec_name, "Yusuf Haddad")

    @with_transaction()
    def test_residence_status_period(self):
        "A residence status cannot end before it starts"
        pool = Pool()
        Status = pool.get('kim.client.residence_status')
        client = self.client()
        duldung, = codes('kim.residence_status_type', 'DULDUNG')
        with self.assertRaises(UserError) as cm:
            Status.create([{'client': client.id, 'status_type': duldung.id,
                        'valid_from': dt.date(2025, 5, 1),
                        'valid_to': dt.date(2025, 4, 1)}])
        self.assertMessage(cm, r'"Duldung" ends \(2025-04-01\) before it '
            r'starts \(2025-05-01\)')
        with self.assertRaises(UserError) as cm:
            Status.create([{'client': client.id, 'status_type': duldung.id,
                        'valid_from': dt.date(2025, 5, 1),
                        'document_expiry': dt.date(2025, 4, 30)}])
        self.assertMessage(cm, r'cannot expire before it is valid')

    @with_transaction()
    def test_client_required_fields(self):
        "A client entered as KIM client needs name, birth, gender, Kommune"
        pool = Pool()
        Party = pool.get('party.party')
        kommune = self.kommune()
        values = {'name': "Amina Haddad", 'kim_client': True,
            'kim_birth_date': dt.date(1990, 3, 1), 'kim_gender': 'female',
            'kim_residence_kommune': kommune.id}
        with Transaction().set_context(kim_client=True):
            for name in ['name', 'kim_birth_date', 'kim_gender',
                    'kim_residence_kommune']:
                with self.subTest(field=name):
                    with self.assertRaises(UserError):
                        Party.create([{**values, name: None}])
            client, = Party.create([values])
            with self.assertRaises(UserError):
                Party.write([client], {'kim_birth_date': None})
            # a household member is no client
            member, = Party.create([{'name': "Yusuf Haddad",
                        'kim_client': False}])
        self.assertFalse(member.kim_birth_date)

    @with_transaction()
    def test_client_residence_and_nationality_in_place(self):
        "The current residence status and nationality are set on the client"
        today = dt.date.today()
        pool = Pool()
        Party = pool.get('party.party')
        Status = pool.get('kim.client.residence_status')
        Country = pool.get('country.country')
        syria, iraq = Country.create([
                {'name': "Syrien", 'code': 'SY'},
                {'name': "Irak", 'code': 'IQ'}])
        gestattung, ae = codes('kim.residence_status_type',
            'GESTATTUNG', 'AE_25_1_2')
        expiry = today + 200 * DAY
        client, = Party.create([{'name': "Amina Haddad", 'kim_client': True,
                    'kim_nationality': syria.id,
                    'kim_residence_status': gestattung.id,
                    'kim_document_expiry': expiry}])
        self.assertEqual(client.kim_nationality, syria)
        self.assertEqual(list(client.kim_nationalities), [syria])
        self.assertEqual(client.kim_residence_status, gestattung)
        self.assertEqual(client.kim_document_expiry, expiry)
        status, = client.kim_residence_statuses
        self.assertEqual((status.valid_from, status.document_expiry),
            (today, expiry))

        # a status started before ends yesterday, the new one starts today
        Status.write([status], {'valid_from': today - 100 * DAY})
        Party.write([client], {'kim_residence_status': ae.id,
                'kim_document_expiry': today + 900 * DAY})
        client = Party(client.id)
        self.assertEqual(client.kim_residence_status, ae)
        self.assertEqual(client.kim_document_expiry, today + 900 * DAY)
        new, old = client.kim_residence_statuses
        self.assertEqual((old.status_type, old.valid_to),
            (gestattung, today - DAY))
        self.assertEqual((new.status_type, new.valid_from), (ae, today))
        # a status entered today is corrected
        Party.write([client], {'kim_residence_status': gestattung.id})
        self.assertEqual(len(Party(client.id).kim_residence_statuses), 2)
        self.assertEqual(Party(client.id).kim_residence_status, gestattung)
        # the document cannot expire before its status starts
        with self.assertRaises(UserError):
            Party.write([client], {'kim_document_expiry': today - DAY})

        # the nationality shown is replaced, a further one is kept
        Party.write([client], {'kim_nationalities': [('add', [iraq.id])]})
        self.assertEqual(Party(client.id).kim_nationality, iraq)
        Party.write([client], {'kim_nationality': syria.id})
        client = Party(client.id)
        self.assertEqual(client.kim_nationality, syria)
        self.assertEqual(list(client.kim_nationalities), [syria])

        other, = Party.create([{'name': "Otto Anders", 'kim_client': True}])
        with self.assertRaises(UserError) as cm:
            Party.write([other], {'kim_document_expiry': expiry})
        self.assertMessage(cm, r'residence status')

    @with_transaction()
    def test_current_residence_status_and_rechtskreis(self):
        "The current residence status and Rechtskreis are found by date"
        pool = Pool()
        Party = pool.get('party.party')
        client = self.client()
        gestattung, ae = codes('kim.residence_status_type',
            'GESTATTUNG', 'AE_25_1_2')
        asylblg, sgb2 = codes('kim.rechtskreis', 'ASYLBLG', 'SGB2')
        Party.write([client], {
                'kim_residence_statuses': [('create', [
                            {'status_type': gestattung.id,
                                'valid_from': dt.date(2024, 1, 10),
                                'valid_to': dt.date(2024, 9, 30)},
                            {'status_type': ae.id,
                                'valid_from': dt.date(2024, 10, 1)},
                            ])],
                'kim_client_rechtskreise': [('create', [
                            {'rechtskreis': asylblg.id,
                                'valid_from': dt.date(2024, 1, 10)},
                            ])],
                })
        Party.write([client], {
                'kim_client_rechtskreise': [('create', [
                            {'rechtskreis': sgb2.id,
                                'valid_from': dt.date(2024, 11, 1)},
                            ])],
                })
        old, = [r for r in client.kim_client_rechtskreise
            if r.rechtskreis == asylblg]
        self.assertEqual(old.valid_to, dt.date(2024, 10, 31))
        with Transaction().set_context(date=dt.date(2024, 5, 1)):
            client = Party(client.id)
            self.assertEqual(client.kim_residence_status, gestattung)
            self.assertEqual(client.kim_rechtskreis, asylblg)
            self.assertEqual(Party.search(
                    [('kim_rechtskreis', '=', asylblg.id)]), [client])
        client = Party(client.id)
        self.assertEqual(client.kim_residence_status, ae)
        self.assertEqual(client.kim_rechtskreis, sgb2)
        self.assertEqual(Party.search(
                [('kim_residence_status.code', '=', 'AE_25_1_2')]), [client])
        self.assertEqual(Party.search(
                [('kim_rechtskreis', '=', asylblg.id)]), [])

    # --- cases -------------------------------------------------------

    @with_transaction()
    def test_case_number_and_defaults(self):
        "A case gets its number from the sequence and defaults"
        today = dt.date.today()
        company, employee = self.setup_company()
        kommune = self.kommune()
        client = self.client(kim_residence_kommune=kommune.id)
        with set_company(company), \
                Transaction().set_context(employee=employee.id):
            Case = Pool().get('kim.case')
            case = Case(client=client)
            case.on_change_client()
            self.assertEqual(case.kommune, kommune)
            case.save()
        self.assertRegex(case.number, r'^KIM-%s-\d{5}$' % today.year)
        self.assertEqual(case.company, company)
        self.assertEqual(case.case_manager, employee)
        self.assertEqual(case.opened_date, today)
        self.assertEqual(case.state, 'intake')
        self.assertEqual(case.depth, 'clearing')
        self.assertIn(case.number, case.rec_name)
        self.assertEqual(Case.search([('rec_name', 'ilike', '%Amina%')]),
            [case])

    @with_transaction()
    def test_case_opened_future(self):
        "A case cannot be opened in the future"
        today = dt.date.today()
        company, employee = self.setup_company()
        with set_company(company):
            with self.assertRaises(UserError) as cm:
                self.case(opened_date=today + DAY)
        self.assertMessage(cm, r'cannot be opened on .*future')

    @with_transaction()
    def test_case_client_in_household(self):
        "The client is not one of the involved household members"
        company, employee = self.setup_company()
        client = self.client()
        with set_company(company):
            with self.assertRaises(UserError) as cm:
                self.case(client=client,
                    household_members=[('add', [client.id])])
        self.assertMessage(cm, r'Involved Household Members')

    @with_transaction()
    def test_case_indication_gate(self):
        "Only an indication for case management opens the assessment"
        pool = Pool()
        Case = pool.get('kim.case')
        company, employee = self.setup_company()
        with set_company(company):
            case = self.case(case_manager=employee.id)
            with self.assertRaises(UserError) as cm:
                Case.assess([case])
            self.assertMessage(cm, r'once the indication check decided')
            self.decide(case, 'referral')
            with self.assertRaises(UserError) as cm:
                Case.assess([case])
            self.assertMessage(cm, r'once the indication check decided')
            self.decide(case, 'case_management', voluntary='no')
            with self.assertRaises(UserError) as cm:
                Case.assess([case])
            self.assertMessage(cm, r'voluntary agreement')
            self.decide(case, 'case_management', voluntary='yes')
            Case.assess([case])
        self.assertEqual(case.state, 'assessment')
        self.assertEqual(case.depth, 'case_management')
        self.assertEqual(
            [(e.type, e.automatic) for e in case.events],
            [('state_change', True)])
        self.assertIn("Assessment", case.events[0].description)

    @with_transaction()
    def test_case_consent_gate(self):
        "A case goes into the assessment only with the client's consent"
        pool = Pool()
        Case = pool.get('kim.case')
        Consent = pool.get('kim.consent')
        Configuration = pool.get('kim.configuration')
        company, employee = self.setup_company()
        with set_company(company):
            case = self.case(case_manager=employee.id)
            self.decide(case, consent=False)
            with self.assertRaises(UserError) as cm:
                Case.assess([case])
            self.assertMessage(cm, r'no consent of client "Amina Haddad" '
                r'to taking part in case management')
            # a consent to other purposes does not open the assessment
            give_consent(case.client, purposes=['network'])
            with self.assertRaises(UserError):
                Case.assess([case])
            consent = give_consent(case.client)
            Consent.do_revoke([consent], "Widerruf")
            with self.assertRaises(UserError):
                Case.assess([case])
            give_consent(case.client)
            Case.assess([case])
            self.assertEqual(case.state, 'assessment')

            # an office that documents the consent elsewhere switches it off
            other = self.case(client=self.client("Bilal Yusuf"),
                case_manager=employee.id, kommune=case.kommune.id)
            self.decide(other, consent=False)
            config = Configuration(1)
            self.assertTrue(config.case_management_consent)
            config.case_management_consent = False
            config.save()
            Case.assess([other])
            self.assertEqual(other.state, 'assessment')

    @with_transaction()
    def test_case_indication_on_change_keeps_answers(self):
        """An on_change on an empty decision clears no answer (issue 17: the
        web client sends the decision as null when the button is clicked
        while the form redraws) and the transition checks what is saved"""
        today = dt.date.today()
        pool = Pool()
        Case = pool.get('kim.case')
        answers = ['indication_complex_needs', 'indication_several_providers',
            'indication_standard_routes_fail', 'indication_lacks_resources',
            'indication_voluntary', 'indication_reason',
            'indication_decided_by', 'indication_date']
        company, employee = self.setup_company()
        with set_company(company), \
                Transaction().set_context(employee=employee.id):
            case = self.case(case_manager=employee.id)
            self.decide(case, indication_complex_needs='yes',
                indication_several_providers='yes',
                indication_standard_routes_fail='unclear',
                indication_lacks_resources='no',
                indication_reason="Mehrere Lebensbereiche betroffen")
            saved = {n: getattr(case, n) for n in answers}
            definitions = Case.fields_get()
            # every on_change of the case, called as the client calls it:
            # its arguments as on the screen but the decision null
            for name, definition in definitions.items():
                if not definition.get('on_change'):
                    continue
                with self.subTest(on_change=name):
                    values = {a: getattr(case, a, None)
                        for a in definition['on_change'] if '.' not in a}
                    values = {k: (v.id if hasattr(v, 'id') else v)
                        for k, v in values.items()}
                    values['indication_decision'] = None
                    values['id'] = case.id
                    record = Case(**values)
                    getattr(record, 'on_change_%s' % name)()
                    changes = record._changed_values()
                    for answer in answers + ['indication_decision']:
                        self.assertNotIn(answer, changes)
            case = Case(case.id)
            self.assertEqual({n: getattr(case, n) for n in answers}, saved)
            self.assertEqual(case.indication_decision, 'case_management')

            # the decision set in the client fills who and when, never
            # clears them
            record = Case(id=case.id, indication_decision='referral',
                indication_decided_by=None, indication_date=None)
            record.on_change_indication_decision()
            changes = record._changed_values()
            self.assertEqual(changes['indication_decided_by'], employee.id)
            self.assertEqual(changes['indication_date'], today)
            self.assertEqual(changes['depth'], 'referral')

            # the transition checks the saved record, not the screen
            Case.write([case], {'indication_decision': None,
                    'indication_decided_by': None, 'indication_date': None})
            with self.assertRaises(UserError) as cm:
                Case.assess([case])
            self.assertMessage(cm, r'once the indication check decided')
            case = Case(case.id)
            self.assertEqual(case.indication_complex_needs, 'yes')
            self.assertEqual(case.indication_reason,
                "Mehrere Lebensbereiche betroffen")
            self.decide(case)
            Case.assess([case])
            self.assertEqual(case.state, 'assessment')

    @with_transaction()
    def test_case_indication_dates(self):
        "The indication is decided between opening and today"
        today = dt.date.today()
        company, employee = self.setup_company()
        with set_company(company):
            case = self.case(opened_date=today - 10 * DAY,
                case_manager=employee.id)
            with self.assertRaises(UserError) as cm:
                self.decide(case, date=today + DAY)
            self.assertMessage(cm, r'future')
            with self.assertRaises(UserError) as cm:
                self.decide(case, date=today - 20 * DAY)
            self.assertMessage(cm, r'before the case was opened')

    @with_transaction()
    def test_case_assessment_needs_case_manager(self):
        "The assessment needs a case manager"
        Case = Pool().get('kim.case')
        company, employee = self.setup_company()
        with set_company(company):
            case = self.case()
            self.decide(case, decided_by=employee)
            with self.assertRaises(UserError) as cm:
                Case.assess([case])
        self.assertMessage(cm, r'needs a case manager')

    @with_transaction()
    def test_case_full_cycle_and_reopen(self):
        "A case runs the whole cycle, is closed and reopened as a new case"
        today = dt.date.today()
        pool = Pool()
        Case = pool.get('kim.case')
        ziel, = codes('kim.closing_reason', 'ZIEL')
        company, employee = self.setup_company()
        with set_company(company), self.no_gates():
            case = self.case(case_manager=employee.id,
                opened_date=today - 30 * DAY)
            self.decide(case)
            Case.assess([case])
            Case.plan([case])
            Case.implement([case])
            Case.plan([case])
            Case.implement([case])
            Case.to_close([case])
            self.assertEqual(case.state, 'closing')
            with self.assertRaises(UserError) as cm:
                Case.close([case])
            self.assertMessage(cm, r'needs a closing reason')
            case.closing_reason = ziel
            case.closing_date = today - 31 * DAY
            with self.assertRaises(UserError) as cm:
                case.save()
            self.assertMessage(cm, r'before it was opened')
            case.closing_date = None
            case.closing_evaluation = "Goals reached"
            case.save()
            Case.close([case])
            self.assertEqual(case.state, 'closed')
            self.assertEqual(case.closing_date, today)
            self.assertFalse(case.short_case)
            self.assertEqual(len(case.events), 7)

            new_case, = Case._reopen([case])
        case = Case(case.id)
        self.assertEqual(case.state, 'closed')
        self.assertEqual(new_case.state, 'intake')
        self.assertEqual(new_case.predecessor, case)
        self.assertEqual(case.successors, (new_case,))
        self.assertEqual(new_case.client, case.client)
        self.assertEqual(new_case.case_manager, employee)
        self.assertNotEqual(new_case.number, case.number)
        self.assertIsNone(new_case.indication_decision)
        self.assertEqual([e.type for e in new_case.events], ['reopened'])
        self.assertIn(case.number, new_case.events[0].description)
        with self.assertRaises(UserError) as cm:
            Case._reopen([new_case])
        self.assertMessage(cm, r'Only closed cases can be reopened')

    @with_transaction()
    def test_case_gates_hooks(self):
        "The planning and implementation gates call the extension hooks"
        pool = Pool()
        Case = pool.get('kim.case')
        company, employee = self.setup_company()

        def refuse(self):
            raise UserError("refused by hook")
        with set_company(company):
            case = self.case(case_manager=employee.id)
            self.decide(case)
            Case.assess([case])
            with patch.object(Case, 'check_can_plan', refuse):
                with self.assertRaises(UserError) as cm:
                    Case.plan([case])
            self.assertEqual(cm.exception.message, "refused by hook")
            self.assertEqual(case.state, 'assessment')
            with patch.object(Case, 'check_can_plan', lambda s: None), \
                    patch.object(Case, 'check_can_implement', refuse):
                Case.plan([case])
                with self.assertRaises(UserError):
                    Case.implement([case])
            self.assertEqual(case.state, 'planning')

    @with_transaction()
    def test_case_short_case(self):
        "An Erstberatung with a referral is closed directly from intake"
        pool = Pool()
        Case = pool.get('kim.case')
        short, = codes('kim.closing_reason', 'KURZBERATUNG')
        company, employee = self.setup_company()
        with set_company(company):
            case = self.case(case_manager=employee.id)
            self.decide(case, 'case_management')
            case.closing_reason = short
            case.save()
            with self.assertRaises(UserError) as cm:
                Case.close([case])
            self.assertMessage(cm, r'decided for case management')
            self.decide(case, 'referral')
            Case.close([case])
        self.assertEqual(case.state, 'closed')
        self.assertTrue(case.short_case)
        self.assertEqual(case.depth, 'clearing')

    @with_transaction()
    def test_case_closing_future(self):
        "A case cannot be closed in the future"
        today = dt.date.today()
        pool = Pool()
        Case = pool.get('kim.case')
        company, employee = self.setup_company()
        with set_company(company):
            case = self.case(case_manager=employee.id)
            Case.to_close([case])
            case.closing_date = today + DAY
            with self.assertRaises(UserError) as cm:
                case.save()
        self.assertMessage(cm, r'cannot be closed on .*future')

    @with_transaction()
    def test_closed_case_readonly(self):
        "A closed case and its events refuse every change"
        today = dt.date.today()
        pool = Pool()
        Case = pool.get('kim.case')
        Event = pool.get('kim.case.event')
        reason, = codes('kim.closing_reason', 'WUNSCH')
        company, employee = self.setup_company()
        user = create_user('eva', [('kim_case', 'group_case_manager')])
        user.employees = [employee]
        user.employee = employee
        user.companies = [company]
        user.company = company
        user.save()
        with set_company(company):
            case = self.case(case_manager=employee.id)
            case.closing_reason = reason
            case.save()
            Case.to_close([case])
            Case.close([case])
            with self.assertRaises(AccessError) as cm:
                Case.write([case], {'next_review': today})
            self.assertMessage(cm, r'is closed and cannot be changed')
            with self.assertRaises(AccessError):
                Event.create([{'case': case.id, 'type': 'note',
                            'description': "late note"}])
            with self.assertRaises(AccessError):
                Event.delete(list(case.events))
            with self.assertRaises(AccessError):
                Case.delete([case])
        with as_user(user), \
                Transaction().set_context(company=company.id,
                    companies=[company.id], employee=employee.id):
            case = Case(case.id)
            self.assertEqual(case.state, 'closed')
            with self.assertRaises(AccessError) as cm:
                Case.write([case], {'closing_evaluation': "changed"})
            self.assertMessage(cm, r'is closed and cannot be changed')

    @with_transaction()
    def test_case_delete_only_intake(self):
        "Only cases at intake or cancelled can be deleted"
        Case = Pool().get('kim.case')
        company, employee = self.setup_company()
        with set_company(company):
            case = self.case(case_manager=employee.id)
            self.decide(case)
            Case.assess([case])
            with self.assertRaises(UserError) as cm:
                Case.delete([case])
            self.assertMessage(cm, r'cannot be deleted')
            Case.cancel([case])
            Case.draft([case])
            Case.cancel([case])
            Case.delete([case])

    @with_transaction()
    def test_case_handover_event(self):
        "Closing with a handover reason records a handover event"
        Case = Pool().get('kim.case')
        handover, = codes('kim.closing_reason', 'UEBERGABE')
        company, employee = self.setup_company()
        with set_company(company):
            case = self.case(case_manager=employee.id)
            Case.to_close([case])
            case.closing_reason = handover
            case.save()
            Case.close([case])
        self.assertIn('handover', [e.type for e in case.events])

    @with_transaction()
    def test_access_case_groups_only(self):
        "Only case managers and supervisors read cases"
        pool = Pool()
        Case = pool.get('kim.case')
        company, employee = self.setup_company()
        with set_company(company):
            case = self.case(case_manager=employee.id)
        other = create_user('network', [('kim_network', 'group_kim_user')])
        manager = create_user('manager', [('kim_case', 'group_case_manager')])
        for user in [other, manager]:
            user.companies = [company]
            user.company = company
            user.save()
        # A case manager reads the cases in their charge (access.xml)
        manager.employees = [employee]
        manager.employee = employee
        manager.save()
        context = dict(company=company.id, companies=[company.id])
        with as_user(other), Transaction().set_context(**context):
            with self.assertRaises(AccessError):
                Case.read([case.id], ['number'])
        with as_user(manager), Transaction().set_context(**context):
            self.assertEqual(
                Case.read([case.id], ['number'])[0]['number'], case.number)

    # --- Rechtskreis change events -----------------------------------

    @with_transaction()
    def test_rechtskreis_change_event(self):
        "A new Rechtskreis period records an event on the open case"
        today = dt.date.today()
        pool = Pool()
        Rechtskreis = pool.get('kim.client.rechtskreis')
        asylblg, sgb2 = codes('kim.rechtskreis', 'ASYLBLG', 'SGB2')
        company, employee = self.setup_company()
        client = self.client()
        Rechtskreis.create([{'client': client.id,
                    'rechtskreis': asylblg.id,
                    'valid_from': dt.date(2024, 1, 1)}])
        with set_company(company):
            case = self.case(client=client, case_manager=employee.id)
            self.assertEqual(case.events, ())
            Rechtskreis.create([{'client': client.id,
                        'rechtskreis': sgb2.id,
                        'valid_from': today - 2 * DAY}])
        event, = case.events
        self.assertEqual(event.type, 'rechtskreis_change')
        self.assertEqual(event.date, today - 2 * DAY)
        self.assertEqual(event.description,
            "Rechtskreis change: AsylbLG (Asylum Seekers Benefits) -> "
            "SGB II (Basic Income Support)")
        self.assertEqual(case.client_rechtskreis, sgb2)

    # --- Wiedervorlage -----------------------------------------------

    @with_transaction()
    def test_due_list(self):
        "The Wiedervorlage list shows exactly the due items on a date"
        pool = Pool()
        Case = pool.get('kim.case')
        Due = pool.get('kim.case.due')
        Status = pool.get('kim.client.residence_status')
        Rechtskreis = pool.get('kim.client.rechtskreis')
        Configuration = pool.get('kim.configuration')
        duldung, ae = codes('kim.residence_status_type', 'DULDUNG', 'AE_24')
        asylblg, sgb2 = codes('kim.rechtskreis', 'ASYLBLG', 'SGB2')
        reason, = codes('kim.closing_reason', 'ZIEL')
        date = dt.date(2025, 6, 2)
        opened = dt.date(2025, 1, 2)
        company, eva = self.setup_company()
        ben = create_employee(company, "Fallmanager Ben")
        kommune = self.kommune()

        with set_company(company):
            def case(name, manager=eva, **values):
                return self.case(client=self.client(name),
                    case_manager=manager.id, kommune=kommune.id,
                    opened_date=opened, **values)
            case("A Overdue", next_review=date - DAY)
            today_ = case("B Today", next_review=date)
            edge = case("C Edge", next_review=date + 14 * DAY)
            later = case("D Later", next_review=date + 15 * DAY)
            none = case("E None")
            case("F Ben", manager=ben, next_review=date + 3 * DAY)
            closed = case("G Closed", next_review=date,
                closing_reason=reason.id)
            Case.to_close([closed])
            Case.close([closed])
            Status.create([
                    # expires within the horizon
                    {'client': none.client.id, 'status_type': duldung.id,
                        'valid_from': dt.date(2025, 1, 1),
                        'document_expiry': date + 10 * DAY},
                    # expires within the horizon of its type (56 days)
                    {'client': later.client.id, 'status_type': ae.id,
                        'valid_from': dt.date(2025, 1, 1),
                        'document_expiry': date + 30 * DAY},
                    # an ended status does not count
                    {'client': edge.client.id, 'status_type': duldung.id,
                        'valid_from': dt.date(2024, 1, 1),
                        'valid_to': dt.date(2024, 12, 31),
                        'document_expiry': dt.date(2024, 12, 31)},
                    ])
            for client, start in [
                    (today_.client, date - 5 * DAY),
                    (later.client, date - 40 * DAY)]:
                Rechtskreis.create([{'client': client.id,
                            'rechtskreis': asylblg.id,
                            'valid_from': dt.date(2024, 6, 1)}])
                Rechtskreis.create([{'client': client.id,
                            'rechtskreis': sgb2.id, 'valid_from': start}])

        def items(domain=None):
            with Transaction().set_context(date=date):
                return sorted((d.case.client.name, d.kind, d.date, d.overdue)
                    for d in Due.search(domain or []))

        self.assertEqual(items(), [
                ("A Overdue", 'review', date - DAY, True),
                ("B Today", 'rechtskreis_change', date - 5 * DAY, False),
                ("B Today", 'review', date, False),
                ("C Edge", 'review', date + 14 * DAY, False),
                ("D Later", 'residence_document', date + 30 * DAY, False),
                ("E None", 'residence_document', date + 10 * DAY, False),
                ("F Ben", 'review', date + 3 * DAY, False),
                ])
        self.assertEqual(items([('overdue', '=', True)]),
            [("A Overdue", 'review', date - DAY, True)])
        with Transaction().set_context(employee=ben.id):
            self.assertEqual(items([('mine', '=', True)]),
                [("F Ben", 'review', date + 3 * DAY, False)])

        config = Configuration(1)
        config.due_horizon = 3
        config.rechtskreis_change_days = 45
        config.save()
        self.assertEqual([(n, k) for n, k, *_ in items()], [
                ("A Overdue", 'review'),
                ("B Today", 'rechtskreis_change'),
                ("B Today", 'review'),
                ("D Later", 'rechtskreis_change'),
                ("D Later", 'residence_document'),
                ("E None", 'residence_document'),
                ("F Ben", 'review'),
                ])
        # the horizon of the document type
        ae.due_horizon = 20
        ae.save()
        self.assertNotIn(("D Later", 'residence_document'),
            [(n, k) for n, k, *_ in items()])
        config.due_horizon = 400
        with self.assertRaises(UserError) as cm:
            config.save()
        self.assertMessage(cm, r'between 0 and 366 days')
        config.due_horizon = -1
        with self.assertRaises(UserError) as cm:
            config.save()
        self.assertMessage(cm, r'cannot be negative')

    @with_transaction()
    def test_flag_due(self):
        "The scheduled job flags the cases with due items"
        today = dt.date.today()
        pool = Pool()
        Case = pool.get('kim.case')
        Cron = pool.get('ir.cron')
        company, employee = self.setup_company()
        with set_company(company):
            due = self.case(case_manager=employee.id,
                next_review=today - 2 * DAY)
            not_due = self.case(client=self.client("Other"),
                kommune=due.kommune.id, case_manager=employee.id,
                next_review=today + 5 * DAY)
            self.assertEqual(Case.flag_due(), [due])
            self.assertTrue(Case(due.id).followup_due)
            self.assertFalse(Case(not_due.id).followup_due)
            due.next_review = today + 20 * DAY
            due.save()
            self.assertEqual(Case.flag_due(), [])
            self.assertFalse(Case(due.id).followup_due)
        self.assertIn('kim.case|flag_due',
            dict(Cron.fields_get(['method'])['method']['selection']))

    # --- erasure -----------------------------------------------------

    @with_transaction()
    def test_erase_client(self):
        "A client is erased only without open case, with the case texts"
        pool = Pool()
        Party = pool.get('party.party')
        Case = pool.get('kim.case')
        Erase = pool.get('party.erase', type='wizard')
        Session = pool.get('ir.session.wizard')
        reason, = codes('kim.closing_reason', 'WUNSCH')
        company, employee = self.setup_company()
        client = self.client(kim_birth_date=dt.date(1990, 1, 1),
            kim_gender='female')
        with set_company(company):
            case = self.case(client=client, case_manager=employee.id,
                indication_reason="Sensitive story",
                closing_reason=reason.id)
        Party.write([client], {'active': False})
        session = Session()
        session.save()
        erase = Erase(session.id)
        with self.assertRaises(UserError) as cm:
            erase.check_erase(client)
        self.assertMessage(cm, r'cannot be erased while case .* is open')
        with set_company(company):
            Case.close([case])
        erase.ask.party = client
        erase.transition_erase()
        Transaction().counter += 1
        for cache in Transaction().cache.values():
            cache.clear()
        client, = Party.read([client.id], ['kim_birth_date', 'kim_gender'])
        # coded data stay anonymised for the statistics (privacy.py)
        self.assertEqual(client['kim_birth_date'], dt.date(1990, 1, 1))
        self.assertEqual(client['kim_gender'], 'female')
        case, = Case.read([case.id], ['indication_reason', 'events'])
        self.assertIsNone(case['indication_reason'])
        Event = pool.get('kim.case.event')
        self.assertTrue(all(e['description'] is None
                for e in Event.read(case['events'], ['description'])))


del ModuleTestCase
