"""Every workflow, gate and signature holds whatever a client sends.

For each model with a workflow or a signature of the four KIM modules and each
role that may create or write it, the test plays a user who scripts the
JSON-RPC API: every call goes through proteus to the server's RPC layer in a
transaction of its own, committed or rolled back as the server does. It tries
to create a record in each state but the initial one, to write the state to
every other value, to write each field that only the buttons and wizards set,
to change a final record, to copy with those defaults, to import them and to
create them through the One2Many of a parent; each call must be refused by the
workflow guard (kim_network/workflow.py) and leave the database as it was.
Control calls (a create in the initial state, a plain copy, a change of a
field that stays open) show that the refusals come from the guard and not
from the access rights of the role.
"""
import datetime as dt
import unittest
from collections import namedtuple
from decimal import Decimal

from proteus import config as pconfig

from trytond.exceptions import UserError
from trytond.modules.company.tests.tools import create_company
from trytond.modules.kim_network.workflow import WorkflowError
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, drop_db
from trytond.tests.tools import activate_modules
from trytond.transaction import Transaction

DAY = dt.timedelta(days=1)
YEAR = dt.date.today().year - 1

ROLES = {
    'fallmanager': [('kim_network', 'group_kim_user'),
        ('kim_case', 'group_case_manager')],
    'fachaufsicht': [('kim_network', 'group_kim_user'),
        ('kim_case', 'group_case_supervisor')],
    'koordination': [('kim_network', 'group_kim_coordination')],
    'finanzen': [('kim_network', 'group_kim_user'),
        ('kim_reporting', 'group_finance')],
    }
CASE_ROLES = ['fallmanager', 'fachaufsicht']

# model: the model name
# roles: the logins that may create and write it
# create: values of a record in the initial state (the control create)
# states: {state: values of a fixture in that state}
# protected: {field: a value a client must not give}
# final: {state: (field, value) that must not change in that state}
# open_: {state: (field, value) that may still change (control)}
# parent: (parent model, fixture key, One2Many field, parent field)
# tries: {state: complete values of a new record in that state}, where they
#   differ from the fixture's (unique codes, one current plan per case)
# create_protected: {field: complete values of a new record with it}, where
#   the create values and the field do not make a valid record
Spec = namedtuple('Spec', ['model', 'roles', 'create', 'states',
        'protected', 'final', 'open_', 'parent', 'tries',
        'create_protected'])


def spec(model, roles, create, states, protected=None, final=None,
        open_=None, parent=None, tries=None, create_protected=None):
    tries = dict(states, **(tries or {}))
    create_protected = {n: dict(create, **{n: v})
        for n, v in (protected or {}).items()} | (create_protected or {})
    return Spec(model, roles, create, states, protected or {}, final or {},
        open_ or {}, parent, tries, create_protected)


def scalars(values):
    "The values but those of the One2Many and Many2Many fields"
    return {n: v for n, v in values.items() if not isinstance(v, list)
        or not v or not isinstance(v[0], tuple)}


def build_base():
    "The records every fixture refers to, created as root; return them"
    pool = Pool()
    Company = pool.get('company.company')
    Employee = pool.get('company.employee')
    Party = pool.get('party.party')
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    Kommune = pool.get('kim.kommune')
    OrganisationType = pool.get('kim.organisation_type')
    Handlungsfeld = pool.get('kim.handlungsfeld')
    ClosingReason = pool.get('kim.closing_reason')
    Baustein = pool.get('kim.funding.baustein')

    company, = Company.search([])
    other_type, = OrganisationType.search([('code', '=', 'SONSTIGE')])
    jobcenter_type, = OrganisationType.search([('code', '=', 'JOBCENTER')])
    office, org, org2 = Party.create([
            {'name': "KI Integritätskreis",
                'kim_organisation_type': other_type.id},
            {'name': "Jobcenter Integritätsstadt",
                'kim_organisation_type': jobcenter_type.id},
            {'name': "Beratungsstelle Integritätsstadt",
                'kim_organisation_type': other_type.id},
            ])
    kommune, = Kommune.create([{'name': "Integritätsstadt",
                'ags': '05999901'}])
    client, = Party.create([{'name': "Fiktiva Integer", 'kim_client': True,
                'kim_residence_kommune': kommune.id}])
    arbeit, = Handlungsfeld.search([('code', '=', 'ARBEIT')])
    goal, = ClosingReason.search([('code', '=', 'ZIEL')])
    b1, = Baustein.search([('code', '=', '1')])
    employees = {}
    users = {}
    for login, groups in ROLES.items():
        party, = Party.create([{'name': "%s (Test)" % login.title()}])
        employee, = Employee.create([{'party': party.id,
                    'company': company.id}])
        user, = User.create([{
                    'login': login,
                    'name': login,
                    'groups': [('add', [
                                ModelData.get_id(m, x) for m, x in groups])],
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    'employees': [('add', [employee.id])],
                    'employee': employee.id,
                    }])
        employees[login] = employee
        users[login] = user
    return {
        'company': company, 'office': office, 'org': org, 'org2': org2,
        'kommune': kommune, 'client': client, 'arbeit': arbeit,
        'closing_reason': goal, 'baustein': b1, 'employees': employees,
        'users': users,
        'cm': employees['fallmanager'],
        }


def build_specs(b):
    "The specifications of the guarded models over the base records b"
    now = dt.datetime.now().replace(microsecond=0)
    today = now.date()
    pool = Pool()
    Case = pool.get('kim.case')
    Committee = pool.get('kim.committee')
    Meeting = pool.get('kim.committee.meeting')
    AgendaItem = pool.get('kim.committee.agenda_item')
    Agreement = pool.get('kim.cooperation_agreement')
    FundingDecision = pool.get('kim.funding.decision')
    Plan = pool.get('kim.case.plan')
    Assessment = pool.get('kim.case.assessment')
    Consent = pool.get('kim.consent')
    Decision = pool.get('kim.committee.decision')
    company = b['company'].id
    cm = b['cm'].id
    client = b['client'].id
    org = b['org'].id
    arbeit = b['arbeit'].id

    def case(state='implementation', **values):
        return Case.create([dict({
                        'company': company, 'client': client,
                        'kommune': b['kommune'].id, 'case_manager': cm,
                        'depth': 'case_management', 'state': state,
                        'opened_date': today - 100 * DAY,
                        }, **values)])[0]

    # the open cases the records of a case hang on
    base = case()
    plan_cases = [case(), case()]
    # a case without plans, for the plans that must not be created
    empty = case()
    # an agreed plan a forged revision could name as predecessor
    pred_case = case()
    pred_plan, = Plan.create([{'case': pred_case.id, 'state': 'agreed',
                'main_goal': "Arbeit", 'agreement_date': today - DAY}])
    previous, = Assessment.create([{'case': base.id, 'state': 'done'}])
    given, = Consent.create([{'client': client, 'state': 'given',
                'purposes': ['transfer', 'case_management'],
                'recipients': [('add', [org])],
                'handlungsfelder': [('add', [arbeit])],
                'signed_date': today - 30 * DAY}])
    committee, = Committee.create([{'name': "Integritätsgruppe",
                'code': 'IG', 'type': 'arbeitsgruppe'}])
    with Transaction().set_context(kim_no_agenda=True):
        meeting, = Meeting.create([{'committee': committee.id,
                    'start': now - 10 * DAY,
                    'end': now - 10 * DAY + dt.timedelta(hours=2),
                    'place': "Kreishaus"}])
    item, = AgendaItem.create([{'meeting': meeting.id, 'title': "Bericht"}])
    other_committee, = Committee.create([{'name': "Andere Gruppe",
                'code': 'AG', 'type': 'arbeitsgruppe'}])
    with Transaction().set_context(kim_no_agenda=True):
        other_meeting, = Meeting.create([{'committee': other_committee.id,
                    'start': now - 20 * DAY,
                    'end': now - 20 * DAY + dt.timedelta(hours=2),
                    'place': "Kreishaus"}])
    mandate, = Decision.create([{'agenda_item': item.id, 'type': 'mandate',
                'text': "Auftrag"}])
    forwarding_agreement, = Agreement.create([{'name': "Weiterleitung",
                'type': 'forwarding', 'office': b['office'].id,
                'partners': [('add', [org])], 'state': 'signed',
                'signed_date': today - 300 * DAY,
                'shared_handlungsfelder': [('add', [arbeit])]}])
    authority = b['org2'].id
    funding = dict(company=company, baustein=b['baustein'].id, year=YEAR,
        date=dt.date(YEAR, 1, 15), authority=authority, file_number='36-1',
        amount=Decimal('57000'), period_start=dt.date(YEAR, 1, 1),
        period_end=dt.date(YEAR, 12, 31))
    granted, = FundingDecision.create([dict(funding, state='granted')])
    consent = dict(client=client, purposes=['transfer'],
        recipients=[('add', [org])], handlungsfelder=[('add', [arbeit])],
        signed_date=today - 20 * DAY)
    referral = dict(case=base.id, organisation=org, handlungsfeld=arbeit,
        purpose="Vermittlung")
    sent = dict(referral, sent_date=today - 5 * DAY)
    answered = dict(sent, answer_date=today - 3 * DAY)
    conference = dict(case=base.id, subject="Fallkonferenz",
        start=now - 2 * DAY, channel='in_person')
    contact = dict(case=base.id, start=now - 2 * DAY, duration=60,
        channel='office')
    barrier = dict(date=today, reporter_kind='coordination',
        description="Wartezeiten beim Sprachkurs", handlungsfeld=arbeit,
        kind='interface')
    meeting_values = dict(committee=committee.id, start=now - 5 * DAY,
        end=now - 5 * DAY + dt.timedelta(hours=2), place="Kreishaus")
    kind, = pool.get('kim.funding.position_kind').search([
            ('baustein', '=', b['baustein'].id)], limit=1)
    forwarding = dict(company=company, decision=granted.id, recipient=org,
        recipient_kind='welfare', agreement=forwarding_agreement.id,
        kind=kind.id, vzae=max(kind.min_vzae or 0, Decimal('0.5')),
        amount=Decimal('1000'))
    paid = dict(forwarding, payment_date=today - 30 * DAY)
    proof_received = dict(paid, proof_date=today - 3 * DAY,
        proof_spent=Decimal('1000'))
    agreement = dict(name="Kooperation", type='advice_centre',
        office=b['office'].id, partners=[('add', [org])])
    signed = dict(agreement, signed_date=today - 50 * DAY)
    user = b['users']['fallmanager'].id
    indicator = dict(name="Kennzahlen", company=company, kind='local',
        period_type='year', year=YEAR)
    case_values = dict(company=company, client=client,
        kommune=b['kommune'].id, case_manager=cm,
        opened_date=today - 10 * DAY)

    return [
        spec('kim.cooperation_agreement', ['koordination'],
            agreement, {
                'draft': agreement,
                'negotiation': agreement,
                'signed': signed,
                'terminated': dict(signed,
                    terminated_date=today - 5 * DAY),
                },
            protected={'evaluation_due': True,
                'predecessor': forwarding_agreement.id,
                'number': 'KV-FORGED'},
            final={'signed': ('name', "Geändert"),
                'terminated': ('name', "Geändert")},
            open_={'signed': ('notes', "Evaluation geplant")}),
        spec('kim.case', CASE_ROLES,
            case_values, {
                'intake': case_values,
                'assessment': case_values,
                'planning': case_values,
                'implementation': case_values,
                'closing': case_values,
                'closed': dict(case_values,
                    closing_reason=b['closing_reason'].id,
                    closing_date=today),
                'cancelled': case_values,
                },
            protected={'short_case': True, 'followup_due': True,
                'predecessor': base.id, 'number': 'KIM-FORGED'},
            final={'closed': ('next_review', today + 10 * DAY)},
            open_={'implementation': ('next_review', today + 10 * DAY)},
            parent=('party.party', 'client', 'kim_cases', 'client')),
        spec('kim.case.assessment', CASE_ROLES,
            dict(case=base.id), {
                'draft': dict(case=plan_cases[0].id),
                'done': dict(case=base.id),
                },
            protected={'signed_by': user, 'signed_date': today,
                'predecessor': previous.id},
            final={'done': ('summary', "Nachträglich geändert")},
            parent=('kim.case', 'case:base', 'assessments', 'case')),
        spec('kim.case.plan', CASE_ROLES,
            dict(case=base.id), {
                'draft': dict(case=plan_cases[0].id),
                'agreed': dict(case=plan_cases[1].id, main_goal="Arbeit",
                    agreement_date=today - DAY),
                'superseded': dict(case=plan_cases[1].id,
                    main_goal="Arbeit", agreement_date=today - 30 * DAY),
                },
            protected={'predecessor': pred_plan.id, 'version': 99},
            create_protected={
                'predecessor': dict(case=pred_case.id,
                    predecessor=pred_plan.id),
                },
            tries={
                'agreed': dict(case=empty.id, main_goal="Arbeit",
                    agreement_date=today - DAY),
                'superseded': dict(case=empty.id, main_goal="Arbeit",
                    agreement_date=today - DAY),
                },
            final={'agreed': ('main_goal', "Anderes Ziel"),
                'superseded': ('review_note', "Nachtrag")},
            open_={'agreed': ('review_note', "Gespräch geführt")},
            parent=('kim.case', 'case:base', 'plans', 'case')),
        spec('kim.case.contact', CASE_ROLES,
            contact, {
                'planned': contact,
                'done': contact,
                'cancelled': contact,
                },
            parent=('kim.case', 'case:base', 'contacts', 'case')),
        spec('kim.consent', CASE_ROLES,
            dict(client=client, purposes=['transfer']), {
                'draft': consent,
                'given': consent,
                'revoked': dict(consent, revoked_date=today - DAY,
                    revocation_reason="Widerruf des Klienten"),
                'expired': dict(consent, valid_until=today - 2 * DAY,
                    expired_date=today - DAY),
                },
            protected={'revoked_date': today,
                'revocation_reason': "Gefälscht",
                'expired_date': today},
            final={'given': ('valid_until', today + 300 * DAY),
                'revoked': ('notes', "Wieder gültig"),
                'expired': ('valid_until', today + 300 * DAY)},
            parent=('party.party', 'client', 'kim_consents', 'client')),
        spec('kim.case.referral', CASE_ROLES,
            referral, {
                'draft': referral,
                'sent': sent,
                'accepted': answered,
                'rejected': answered,
                'completed': dict(answered, completed_date=today - DAY),
                'cancelled': referral,
                },
            protected={'sent_date': today, 'consent': given.id,
                'agreement': forwarding_agreement.id,
                'override_by': b['users']['fachaufsicht'].id,
                'override_date': now,
                'override_reason': "Gefälschte Ausnahme"},
            final={'sent': ('organisation', b['org2'].id),
                'accepted': ('handlungsfeld', None),
                'rejected': ('purpose', "Anders"),
                'completed': ('description', "Anders"),
                'cancelled': ('purpose', "Anders")},
            open_={'sent': ('feedback', "Termin vereinbart")},
            parent=('kim.case', 'case:base', 'referrals', 'case')),
        spec('kim.case.handover', CASE_ROLES,
            dict(case=base.id, kind='internal',
                to_case_manager=b['employees']['fachaufsicht'].id), {
                'draft': dict(case=base.id, kind='internal'),
                'done': dict(case=base.id, kind='internal',
                    to_case_manager=b['employees']['fachaufsicht'].id),
                'cancelled': dict(case=base.id, kind='internal'),
                },
            protected={'from_case_manager': cm, 'consent': given.id,
                'agreement': forwarding_agreement.id},
            final={'done': ('reason', "Nachträglich")},
            parent=('kim.case', 'case:base', 'handovers', 'case')),
        spec('kim.case.conference', CASE_ROLES,
            conference, {
                'planned': conference,
                'confirmed': conference,
                'held': conference,
                'cancelled': conference,
                },
            final={'held': ('subject', "Umbenannt")},
            open_={'held': ('results', "Absprachen")},
            parent=('kim.case', 'case:base', 'conferences', 'case')),
        spec('kim.case.event', CASE_ROLES,
            dict(case=base.id, type='note', description="Notiz"), {
                None: dict(case=base.id, type='note',
                    description="Notiz"),
                },
            protected={'automatic': True},
            parent=('kim.case', 'case:base', 'events', 'case')),
        spec('kim.barrier_report',
            ['koordination', 'fallmanager', 'fachaufsicht'],
            barrier, {
                'draft': barrier,
                'submitted': barrier,
                'answered': dict(barrier, feedback="Antwort",
                    feedback_date=today),
                },
            protected={'reporter_user': b['users']['finanzen'].id,
                'number': 'MB-FORGED'}),
        spec('kim.case_reconstruction',
            ['koordination', 'fallmanager', 'fachaufsicht'],
            dict(name="Rekonstruktion", kind='reconstruction'), {
                'draft': dict(name="Rekonstruktion"),
                'done': dict(name="Rekonstruktion"),
                },
            protected={'number': 'FR-FORGED'}),
        spec('kim.committee', ['koordination'],
            dict(name="Neue Gruppe", code='NG', type='arbeitsgruppe'), {
                'active': dict(name="Aktive Gruppe", code='AG1',
                    type='arbeitsgruppe'),
                'dormant': dict(name="Ruhende Gruppe", code='RG1',
                    type='arbeitsgruppe'),
                'closed': dict(name="Alte Gruppe", code='XG1',
                    type='arbeitsgruppe', end_date=today,
                    end_kind='completed'),
                },
            protected={'mandate_decision': mandate.id},
            tries={
                'dormant': dict(name="Neue ruhende Gruppe", code='RG2',
                    type='arbeitsgruppe'),
                'closed': dict(name="Neue alte Gruppe", code='XG2',
                    type='arbeitsgruppe', end_date=today,
                    end_kind='completed'),
                }),
        spec('kim.committee.meeting', ['koordination'],
            meeting_values, {
                'planned': meeting_values,
                'invited': dict(meeting_values, invitation_count=1,
                    invitation_date=now - 7 * DAY),
                'held': meeting_values,
                'approved': dict(meeting_values,
                    approval_date=today - DAY),
                'cancelled': meeting_values,
                },
            protected={'invitation_date': now, 'invitation_count': 3,
                'approval_date': today, 'minutes_sent_date': now},
            final={'approved': ('minutes', "Nachträglich")}),
        spec('kim.committee.decision', ['koordination'],
            dict(agenda_item=item.id, text="Beschluss"), {
                None: dict(agenda_item=item.id, text="Beschluss"),
                },
            protected={'created_committee': other_committee.id,
                'number': 'IG-FORGED', 'sequence_number': 77,
                'year': 2030, 'committee': other_committee.id,
                'meeting': other_meeting.id},
            parent=('kim.committee.agenda_item', 'item', 'decisions',
                'agenda_item')),
        spec('kim.committee.task', ['koordination'],
            dict(committee=committee.id, name="Aufgabe"), {
                'open': dict(committee=committee.id, name="Aufgabe"),
                'in_progress': dict(committee=committee.id, name="Aufgabe"),
                'done': dict(committee=committee.id, name="Aufgabe",
                    done_date=today),
                'cancelled': dict(committee=committee.id, name="Aufgabe"),
                },
            protected={'done_date': today - 7 * DAY,
                'last_reminder': today}),
        spec('kim.topic', ['koordination'],
            dict(name="Thema"), {
                'collected': dict(name="Thema"),
                'analysed': dict(name="Thema"),
                'on_agenda': dict(name="Thema"),
                'decided': dict(name="Thema"),
                'implemented': dict(name="Thema"),
                'reviewed': dict(name="Thema", review_date=today),
                'dropped': dict(name="Thema"),
                },
            protected={'review_date': today - 7 * DAY,
                'number': 'TS-FORGED'}),
        spec('kim.funding.decision', ['finanzen'],
            dict(funding, file_number='36-2'), {
                'draft': dict(funding, file_number='36-3'),
                'granted': dict(funding, file_number='36-4'),
                'cancelled': dict(funding, file_number='36-5'),
                }),
        spec('kim.funding.forwarding', ['finanzen'],
            forwarding, {
                'draft': forwarding,
                'paid': paid,
                'proof_received': proof_received,
                'checked': dict(proof_received, check_result='checked',
                    check_date=today),
                },
            protected={'check_date': today - 7 * DAY}),
        spec('kim.funding.stellenplan', ['finanzen'],
            dict(company=company, name="Stellenplan", year=YEAR), {
                'draft': dict(company=company, name="Stellenplan",
                    year=YEAR),
                'confirmed': dict(company=company, name="Stellenplan",
                    year=YEAR),
                }),
        spec('kim.funding.proof', ['finanzen'],
            dict(company=company, baustein=b['baustein'].id, year=YEAR), {
                'draft': dict(company=company, baustein=b['baustein'].id,
                    year=YEAR),
                'checked': dict(company=company,
                    baustein=b['baustein'].id, year=YEAR,
                    sachbericht="Bericht"),
                'submitted': dict(company=company,
                    baustein=b['baustein'].id, year=YEAR,
                    sachbericht="Bericht", number='VN-1',
                    submitted_date=today),
                },
            protected={'number': 'VN-FORGED', 'computed_at': now,
                'checked_by': user, 'submitted_date': today - 7 * DAY},
            final={'submitted': ('sachbericht', "Geändert")}),
        spec('kim.indicator.report', ['finanzen', 'koordination'],
            indicator, {
                'draft': indicator,
                'done': dict(indicator, min_cell=3),
                },
            protected={'min_cell': 1, 'computed_at': now},
            final={'done': ('name', "Umbenannt")},
            open_={'done': ('on_board', True)}),
        ], {'case:base': base.id, 'item': item.id, 'client': client}


def build_fixtures(specs):
    "Create the records of each state as root; {model: {state: id}}"
    pool = Pool()
    fixtures = {}
    for s in specs:
        Model = pool.get(s.model)
        fixtures[s.model] = {}
        for state, values in s.states.items():
            values = dict(values)
            if state is not None:
                values['state'] = state
            with Transaction().set_context(kim_no_agenda=True):
                record, = Model.create([values])
            fixtures[s.model][state] = record.id
    return fixtures


class IntegrityTestCase(unittest.TestCase):
    "The workflow guard, tried through the RPC API for each role"

    @classmethod
    def setUpClass(cls):
        drop_db()
        cls.admin = activate_modules('kim_reporting', create_company)
        with Transaction().start(DB_NAME, 0) as transaction:
            base = build_base()
            # the steering records belong to the company (Kennzahlen)
            with Transaction().set_context(company=base['company'].id):
                specs, parents = build_specs(base)
                cls.fixtures = build_fixtures(specs)
            cls.specs = {s.model: s for s in specs}
            cls.parents = parents
            cls.base_ids = {
                'client': base['client'].id,
                'org': base['org'].id,
                }
            transaction.commit()
        cls.configs = {login: pconfig.set_trytond(user=login)
            for login in ROLES}
        pconfig._CONFIG.current = cls.admin

    @classmethod
    def tearDownClass(cls):
        drop_db()

    # --- the client --------------------------------------------------------

    def call(self, login, model, method, *args):
        "Call the method over RPC as login, in a transaction of its own"
        config = self.configs[login]
        return getattr(config.get_proxy(model), method)(*args, config.context)

    def snapshot(self, model, ids=None):
        "The count of records and the stored values of ids, read as root"
        with Transaction().start(DB_NAME, 0, readonly=True,
                context={'active_test': False}):
            Model = Pool().get(model)
            names = sorted(n for n, f in Model._fields.items()
                if not hasattr(f, 'get') and n not in {
                    'write_date', 'write_uid'})
            count = Model.search_count([])
            values = Model.read(list(ids or []), names)
        return count, sorted(values, key=lambda v: v['id'])

    def assertRefused(self, login, model, method, *args, ids=None):
        "The call is refused by the workflow guard and changes nothing"
        before = self.snapshot(model, ids)
        with self.assertRaises(WorkflowError) as cm:
            self.call(login, model, method, *args)
        self.assertTrue(cm.exception.message)
        self.assertEqual(self.snapshot(model, ids), before)
        return cm.exception

    def remove(self, model, ids):
        "Delete the records of a control call as root, for the next tries"
        with Transaction().start(DB_NAME, 0) as transaction:
            Model = Pool().get(model)
            Model.delete(Model.browse(ids))
            transaction.commit()

    def values(self, spec, extra=None):
        values = dict(spec.create)
        values.update(extra or {})
        return values

    # --- the tries ---------------------------------------------------------

    def test_create_in_state(self):
        "A record is created in its initial state only"
        for spec in self.specs.values():
            Model = self.admin.pool.get(spec.model)
            initial = Model._guard_initial
            for login in spec.roles:
                for state in spec.states:
                    if state in {None, initial}:
                        continue
                    with self.subTest(model=spec.model, login=login,
                            state=state):
                        # complete for the state, so that only the guard
                        # refuses
                        self.assertRefused(login, spec.model, 'create',
                            [dict(spec.tries[state], state=state)])

    def test_create_initial(self):
        "Control: each role creates a record in the initial state"
        for spec in self.specs.values():
            Model = self.admin.pool.get(spec.model)
            for login in spec.roles:
                with self.subTest(model=spec.model, login=login):
                    extra = {}
                    if Model._guard_initial:
                        # as the web client sends it
                        extra['state'] = Model._guard_initial
                    ids = self.call(login, spec.model, 'create',
                        [self.values(spec, extra)])
                    self.assertEqual(len(ids), 1)
                    self.remove(spec.model, ids)

    def test_write_state(self):
        "The state changes only through the buttons"
        for spec in self.specs.values():
            for login in spec.roles:
                for state, record_id in self.fixtures[spec.model].items():
                    if state is None:
                        continue
                    for other in spec.states:
                        if other == state:
                            continue
                        with self.subTest(model=spec.model, login=login,
                                state=state, to=other):
                            self.assertRefused(login, spec.model, 'write',
                                [record_id], {'state': other},
                                ids=[record_id])

    def test_write_protected(self):
        "The fields of the buttons and wizards are not written by hand"
        for spec in self.specs.values():
            for login in spec.roles:
                for name, value in spec.protected.items():
                    for state, record_id in self.fixtures[
                            spec.model].items():
                        with self.subTest(model=spec.model, login=login,
                                field=name, state=state):
                            self.assertRefused(login, spec.model, 'write',
                                [record_id], {name: value},
                                ids=[record_id])

    def test_create_protected(self):
        "A record is not created with the fields of buttons and wizards"
        for spec in self.specs.values():
            for login in spec.roles:
                for name, values in spec.create_protected.items():
                    with self.subTest(model=spec.model, login=login,
                            field=name):
                        self.assertRefused(login, spec.model, 'create',
                            [values])

    def test_final(self):
        "A final record keeps its content; the open fields still change"
        for spec in self.specs.values():
            for login in spec.roles:
                for state, (name, value) in spec.final.items():
                    record_id = self.fixtures[spec.model][state]
                    with self.subTest(model=spec.model, login=login,
                            state=state, field=name):
                        self.assertRefused(login, spec.model, 'write',
                            [record_id], {name: value}, ids=[record_id])
        # control: the fields that stay open, once per model
        for spec in self.specs.values():
            for state, (name, value) in spec.open_.items():
                record_id = self.fixtures[spec.model][state]
                with self.subTest(model=spec.model, state=state,
                        field=name):
                    self.call(spec.roles[0], spec.model, 'write',
                        [record_id], {name: value})

    def test_copy(self):
        "A copy starts afresh; defaults of other states or signatures fail"
        pool = self.admin.pool
        for spec in self.specs.values():
            Model = pool.get(spec.model)
            initial = Model._guard_initial
            for login in spec.roles:
                fixtures = list(self.fixtures[spec.model].items())
                for state, record_id in {fixtures[0], fixtures[-1]}:
                    defaults = [scalars(v)
                        for v in spec.create_protected.values()]
                    defaults += [dict(scalars(spec.tries[s]), state=s)
                        for s in spec.states if s not in {None, initial}]
                    for default in defaults:
                        with self.subTest(model=spec.model, login=login,
                                state=state, default=default):
                            self.assertRefused(login, spec.model, 'copy',
                                [record_id], default)
        # control: a plain copy of a final or signed record is a new one
        for spec in self.specs.values():
            Model = pool.get(spec.model)
            # plans are revised, not copied; decisions and events belong to
            # their meeting and case
            if spec.model in {'kim.case.plan', 'kim.committee.decision',
                    'kim.case.event'}:
                continue
            state = list(spec.states)[-1]
            record_id = self.fixtures[spec.model][state]
            with self.subTest(model=spec.model, state=state):
                new_id, = self.call(spec.roles[0], spec.model, 'copy',
                    [record_id], {})
                with Transaction().start(DB_NAME, 0, readonly=True):
                    record = pool.get(spec.model)(new_id)
                    if Model._guard_initial:
                        self.assertEqual(record.state, Model._guard_initial)
                    for name in Model._guard_protected:
                        if name in {'reporter_user'}:
                            continue
                        self.assertFalse(getattr(record, name), name)
                self.remove(spec.model, [new_id])

    def test_import(self):
        "import_data passes through the same guard"
        for spec in self.specs.values():
            Model = self.admin.pool.get(spec.model)
            initial = Model._guard_initial
            for login in spec.roles:
                for state, record_id in self.fixtures[spec.model].items():
                    rows = [(['id', name], [str(record_id), str(value)])
                        for name, value in spec.protected.items()
                        if isinstance(value, str)]
                    rows += [(['id', 'state'], [str(record_id), s])
                        for s in spec.states
                        if s not in {None, state}]
                    for names, row in rows:
                        with self.subTest(model=spec.model, login=login,
                                state=state, columns=names, row=row):
                            self.assertRefused(login, spec.model,
                                'import_data', names, [row],
                                ids=[record_id])
                if initial:
                    for state in spec.states:
                        if state == initial:
                            continue
                        names, row = self.import_row(spec.model,
                            spec.tries[state])
                        with self.subTest(model=spec.model, login=login,
                                create_state=state):
                            self.assertRefused(login, spec.model,
                                'import_data', names + ['state'],
                                [row + [state]])

    @staticmethod
    def import_name(Target, id_):
        "A name import_data finds the record id_ of Target by"
        record = Target(id_)
        for name in ['rec_name', 'number', 'code', 'file_number', 'name']:
            value = getattr(record, name, None)
            if value and Target.search(
                    [('rec_name', '=', value)]) == [record]:
                return value
        raise AssertionError("no import name for %s" % record)

    def import_row(self, model, values):
        "Columns and row of the values for import_data"
        pool = self.admin.pool
        Model = pool.get(model)
        names, row = [], []
        with Transaction().start(DB_NAME, 0, readonly=True):
            for name, value in values.items():
                field = Model._fields[name]
                if field._type == 'many2one':
                    value = self.import_name(field.get_target(), value)
                elif field._type in {'many2many', 'one2many'}:
                    Target = field.get_target()
                    value = ','.join(self.import_name(Target, i)
                        for a in value for i in a[1])
                elif field._type == 'multiselection':
                    value = ','.join(value)
                names.append(name)
                row.append(str(value))
        return names, row

    def test_nested(self):
        "The records created or written through a parent pass the guard"
        pool = self.admin.pool
        for spec in self.specs.values():
            if not spec.parent:
                continue
            Model = pool.get(spec.model)
            parent_model, key, field, parent_field = spec.parent
            parent_id = self.parents[key]
            if not isinstance(parent_id, int):
                parent_id = parent_id.id
            initial = Model._guard_initial
            login = spec.roles[0]
            tries = [dict(spec.tries[s], state=s) for s in spec.states
                if s not in {None, initial}]
            tries += list(spec.create_protected.values())
            for values in tries:
                values = dict(values)
                if values.get(parent_field, parent_id) != parent_id:
                    continue
                values.pop(parent_field, None)
                with self.subTest(model=spec.model, parent=parent_model,
                        values=values):
                    before = self.snapshot(spec.model)
                    self.assertRefused(login, parent_model, 'write',
                        [parent_id], {field: [('create', [values])]})
                    self.assertEqual(self.snapshot(spec.model), before)
            # a write of the state through the parent
            for state, record_id in self.fixtures[spec.model].items():
                if state is None or spec.parent[1] not in {'case:base'}:
                    continue
                with Transaction().start(DB_NAME, 0, readonly=True):
                    record = Model(record_id)
                    if getattr(record, parent_field).id != parent_id:
                        continue
                other = next(s for s in spec.states if s != state)
                with self.subTest(model=spec.model, parent=parent_model,
                        state=state, to=other):
                    before = self.snapshot(spec.model, [record_id])
                    with self.assertRaises(WorkflowError):
                        self.call(login, parent_model, 'write', [parent_id],
                            {field: [
                                    ('write', [record_id], {'state': other}),
                                    ]})
                    self.assertEqual(
                        self.snapshot(spec.model, [record_id]), before)

    def test_delete_final(self):
        "A signed or final record is not deleted"
        final = {
            'kim.cooperation_agreement': ['signed', 'terminated'],
            'kim.case': ['closed'],
            'kim.case.assessment': ['done'],
            'kim.case.plan': ['agreed', 'superseded'],
            'kim.consent': ['given', 'revoked', 'expired'],
            'kim.case.referral': ['sent', 'accepted', 'rejected',
                'completed'],
            'kim.case.handover': ['done'],
            'kim.case.conference': ['held'],
            'kim.committee.meeting': ['approved'],
            'kim.funding.proof': ['submitted'],
            }
        for model, states in final.items():
            spec = self.specs[model]
            for state in states:
                record_id = self.fixtures[spec.model][state]
                for login in spec.roles:
                    with self.subTest(model=spec.model, state=state,
                            login=login):
                        before = self.snapshot(spec.model, [record_id])
                        with self.assertRaises(UserError):
                            self.call(login, spec.model, 'delete',
                                [record_id])
                        self.assertEqual(
                            self.snapshot(spec.model, [record_id]), before)
