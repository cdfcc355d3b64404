# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Helpers for the tests of kim_reporting: random case data of a company
for the Kennzahlen, and the set-up of the funding year for the proteus
scenarios"""
import datetime as dt
import random
from decimal import Decimal

from proteus import Model
from sql import Table

from trytond.modules.kim_network.tests.tools import create_organisation
from trytond.pool import Pool
from trytond.transaction import Transaction


def generate_cases(company, employee, count=60, seed=1, year=None):
    """Create count random cases of the company over the year and the two
    before, with clients, target groups, Rechtskreise, residence statuses,
    contacts, plans with goals and measures and events. States, dates and
    statuses are set in SQL so that any combination the engines must
    handle occurs. Return the Kommunen created."""
    pool = Pool()
    Party = pool.get('party.party')
    Kommune = pool.get('kim.kommune')
    Case = pool.get('kim.case')
    Plan = pool.get('kim.case.plan')
    Event = pool.get('kim.case.event')
    Status = pool.get('kim.client.residence_status')
    rng = random.Random(seed)
    year = year or dt.date.today().year - 1
    first = dt.date(year - 2, 1, 1)
    last = dt.date(year, 12, 31)

    def day(start=first, end=last):
        return start + dt.timedelta(days=rng.randint(0, (end - start).days))

    def pick(model):
        Model = pool.get(model)
        return Model.search([])

    kommunen = Kommune.create([{
                'name': "Gemeinde %s" % i, 'ags': '0599%04d' % (seed * 10 + i),
                } for i in range(1, 5)])
    target_groups = pick('kim.target_group')
    rechtskreise = pick('kim.rechtskreis')
    handlungsfelder = pick('kim.handlungsfeld')
    channels = pick('kim.access_channel')
    reasons = pick('kim.closing_reason')
    statuses = pick('kim.residence_status_type')
    partner = create_organisation("Partner %s" % seed)
    genders = [None, 'female', 'male', 'diverse', 'not_stated']
    clients = Party.create([{
                'name': "Client %s-%s" % (seed, i),
                'kim_client': True,
                'kim_gender': rng.choice(genders),
                'kim_birth_date': (None if rng.random() < 0.1 else
                    dt.date(year - rng.randint(5, 80), rng.randint(1, 12),
                        rng.randint(1, 28))),
                } for i in range(count)])
    Status.create([{
                'client': c.id,
                'status_type': rng.choice(statuses).id,
                'valid_from': day(),
                } for c in clients if rng.random() < 0.7])
    cases = Case.create([{
                'company': company.id,
                'client': c.id,
                'case_manager': employee.id,
                'kommune': rng.choice(kommunen).id,
                'access_channel': (rng.choice(channels).id
                    if rng.random() < 0.8 else None),
                'referring_organisation': (partner.id
                    if rng.random() < 0.3 else None),
                'target_groups': [('add', [t.id for t in rng.sample(
                                target_groups, rng.randint(0, 2))])],
                'rechtskreise': [('add', [r.id for r in rng.sample(
                                rechtskreise, rng.randint(0, 2))])],
                'opened_date': day(),
                'depth': 'case_management',
                } for c in clients])

    cursor = Transaction().connection.cursor()
    case_table = Table('kim_case')
    contact = Table('kim_case_contact')
    plan_table = Table('kim_case_plan')
    goal_table = Table('kim_case_plan_goal')
    measure_table = Table('kim_case_plan_measure')
    now = dt.datetime.now()
    contacts = []
    events = []
    for case in cases:
        state = rng.choice(['intake', 'implementation', 'implementation',
                'closed', 'closed', 'cancelled'])
        closing = reason = None
        if state == 'closed' or rng.random() < 0.05:
            # a few open cases carry a closing date (reopened cases)
            closing = day(case.opened_date)
            reason = rng.choice(reasons).id
        cursor.execute(*case_table.update(
                [case_table.state, case_table.closing_date,
                    case_table.closing_reason],
                [state, closing, reason],
                where=case_table.id == case.id))
        for _ in range(rng.randint(0, 12)):
            start = dt.datetime.combine(day(case.opened_date),
                dt.time(rng.randint(7, 18), rng.choice([0, 30])))
            contacts.append([0, now, case.id, start,
                    rng.choice([15, 30, 45, 60, 90]),
                    rng.choice(['office', 'home_visit', 'outreach', 'phone',
                            'video']),
                    rng.choice(['done', 'done', 'done', 'planned',
                            'cancelled']),
                    rng.random() < 0.2])
        for _ in range(rng.randint(0, 3)):
            events.append({
                    'case': case.id,
                    'date': day(case.opened_date),
                    'type': rng.choice(['handover', 'rechtskreis_change',
                            'note']),
                    })
        versions = rng.randint(0, 2)
        for version in range(versions):
            plan, = Plan.create([{
                        'case': case.id,
                        'main_goal': "Hauptziel",
                        'goals': [('create', [{
                                        'handlungsfeld': rng.choice(
                                            handlungsfelder).id,
                                        'description': "Ziel",
                                        'measures': [('create', [{
                                                        'name': "Schritt",
                                                        'responsible': who,
                                                        'organisation': (
                                                            partner.id
                                                            if who
                                                            == 'partner'
                                                            else None),
                                                        } for who in
                                                    rng.sample(['partner',
                                                            'client',
                                                            'partner'],
                                                        rng.randint(0, 3))
                                                    ])],
                                        } for _ in range(
                                        rng.randint(0, 3))])],
                        }])
            plan_state = ('superseded' if version < versions - 1
                else rng.choice(['draft', 'agreed', 'agreed']))
            agreed = day(case.opened_date) if plan_state != 'draft' else None
            cursor.execute(*plan_table.update(
                    [plan_table.state, plan_table.agreement_date],
                    [plan_state, agreed], where=plan_table.id == plan.id))
            for goal in plan.goals:
                cursor.execute(*goal_table.update([goal_table.status],
                        [rng.choice(['open', 'achieved', 'achieved',
                                    'partly_achieved', 'dropped'])],
                        where=goal_table.id == goal.id))
                for measure in goal.measures:
                    cursor.execute(*measure_table.update(
                            [measure_table.status],
                            [rng.choice(['planned', 'done', 'cancelled'])],
                            where=measure_table.id == measure.id))
    if contacts:
        cursor.execute(*contact.insert([contact.create_uid,
                    contact.create_date, contact.case, contact.start,
                    contact.duration, contact.channel, contact.state,
                    contact.interpreter_used], contacts))
    Event.create(events)
    return kommunen


# The set-up of the proteus scenarios (scenario_*.rst): as the tools of the
# core modules, each function works on the configuration given or on the
# current one of proteus and returns the records it created.

def create_funding_organisations(config=None):
    """Create the organisations of a funding year: the KI that runs the KIM
    office (set in the configuration), the Ausländerbehörde, a welfare
    organisation, a JMD of the JMD/MBE staffing and the approving authority;
    return them in a dict by 'ki', 'abh', 'diakonie', 'jmd' and 'bezreg'"""
    Party = Model.get('party.party', config=config)
    OrganisationType = Model.get('kim.organisation_type', config=config)
    KimConfiguration = Model.get('kim.configuration', config=config)

    def organisation(name, type_code=None, **values):
        if type_code:
            values['kim_organisation_type'], = OrganisationType.find(
                [('code', '=', type_code)])
        party = Party(name=name, **values)
        party.save()
        return party
    organisations = {
        'ki': organisation("KI Kreis Musterland", 'KI'),
        'abh': organisation("Ausländerbehörde", 'ABH'),
        'diakonie': organisation("Diakonie Musterland", 'WOHLFAHRT'),
        'jmd': organisation("JMD Musterland", 'JMD',
            kim_jmd_mbe_staffing=True),
        'bezreg': organisation("Bezirksregierung Arnsberg, Dezernat 36"),
        }
    kim_config = KimConfiguration(1)
    kim_config.kim_office = organisations['ki']
    kim_config.save()
    return organisations


def create_employees(names, company=None, config=None):
    "Create and return an employee of the company for each name"
    from trytond.modules.kim_network.tests.tools import create_employee
    return [create_employee(n, company=company, config=config) for n in names]


def get_bausteine(config=None):
    "Return the Bausteine 1, 2 and 3 shipped as data"
    Baustein = Model.get('kim.funding.baustein', config=config)
    return Baustein.find([], order=[('code', 'ASC')])


def create_funding_decision(baustein, year, number, vzae, amount,
        authority, config=None):
    """Create and return the draft Förderbescheid of the Baustein for the
    year, dated 20 January, with the proof due by 30 June of the next
    year"""
    Decision = Model.get('kim.funding.decision', config=config)
    decision = Decision(baustein=baustein, year=year,
        date=dt.date(year, 1, 20))
    decision.authority = authority
    decision.file_number = number
    decision.eligible_vzae = vzae
    decision.amount = amount
    decision.conditions = "ANBest-G; Verwendungsnachweis by 30 June."
    decision.proof_deadline = dt.date(year + 1, 6, 30)
    decision.save()
    return decision


def grant_funding_decisions(bausteine, year, authority, config=None):
    """Create and grant the Förderbescheide of the year for Bausteine 1 to 3
    (2, 3 and 1 VZÄ) and record the payments of Baustein 2; return them"""
    b1, b2, b3 = bausteine
    decisions = [
        create_funding_decision(b1, year, '36.08.01-1/%s' % year,
            Decimal('2'), Decimal('114000'), authority, config=config),
        create_funding_decision(b2, year, '36.08.01-2/%s' % year,
            Decimal('3'), Decimal('171000'), authority, config=config),
        create_funding_decision(b3, year, '36.08.01-3/%s' % year,
            Decimal('1'), Decimal('50000'), authority, config=config),
        ]
    for decision in decisions:
        decision.click('grant')
    decision_2 = decisions[1]
    decision_2.payments.new(
        date=dt.date(year, 2, 15), amount=Decimal('100000'))
    decision_2.payments.new(
        date=dt.date(year, 8, 15), amount=Decimal('71000'))
    decision_2.save()
    return decisions


def sign_forwarding_agreement(partner, year, config=None):
    """Sign and return the Weiterleitungsvertrag with the partner from the
    start of the year, on every Handlungsfeld"""
    Agreement = Model.get('kim.cooperation_agreement', config=config)
    Party = Model.get('party.party', config=config)
    Handlungsfeld = Model.get('kim.handlungsfeld', config=config)
    agreement = Agreement(name="Weiterleitung Case Management",
        type='forwarding')
    agreement.partners.append(Party(partner.id))
    agreement.shared_handlungsfelder.extend(Handlungsfeld.find([]))
    agreement.valid_from = dt.date(year, 1, 1)
    agreement.save()
    agreement.click('sign')
    return agreement


def add_position(plan, code, baustein, vzae, employer, kind, **values):
    """Add a post with the code as its name to the Stellenplan and return
    it (unsaved)"""
    position = plan.positions.new(code=code, name=code,
        baustein=baustein, vzae=Decimal(vzae), employer=employer,
        employer_kind=kind)
    position.home = employer
    for name, value in values.items():
        setattr(position, name, value)
    return position


def occupy(code, employee, share, cost, start, end=None, config=None):
    """Let the employee fill the share of the post with the code at the
    personnel cost per month from start to end"""
    Position = Model.get('kim.funding.position', config=config)
    position, = Position.find([('code', '=', code)])
    position.occupancies.new(employee=employee,
        share=Decimal(share), monthly_cost=Decimal(cost),
        start_date=start, end_date=end)
    position.save()


def confirm_stellenplan(year, organisations, bausteine, agreement,
        employees, config=None):
    """Create the Stellenplan of the year, occupy and confirm it: two
    coordination posts, three case-management posts (one forwarded to the
    welfare organisation under the agreement) and one post at the
    Ausländerbehörde; employees are Eva, Ali, Nina, Tom and Ute"""
    Stellenplan = Model.get('kim.funding.stellenplan', config=config)
    b1, b2, b3 = bausteine
    ki, abh, diakonie = (organisations[k] for k in ['ki', 'abh', 'diakonie'])
    eva, ali, nina, tom, ute = employees
    plan = Stellenplan(name="Stellenplan %s" % year, year=year)
    add_position(plan, 'K-01', b1, '2', ki, 'ki')
    add_position(plan, 'CM-01', b2, '1', ki, 'ki')
    add_position(plan, 'CM-02', b2, '1', ki, 'ki')
    add_position(plan, 'CM-03', b2, '1', diakonie, 'welfare',
        forwarded=True, recipient=diakonie, forwarding_agreement=agreement,
        justification="Beratung vor Ort im Nordkreis",
        jmd_mbe_outside=True, jmd_mbe_proof=b'%PDF-1.4',
        jmd_mbe_proof_name='Erklaerung_Diakonie.pdf')
    add_position(plan, 'ABH-01', b3, '1', abh, 'office')
    plan.save()
    for code, employee, share, cost, start, end in [
            ('K-01', tom, '1', '6000', (1, 1), None),
            ('K-01', ute, '1', '5500', (1, 1), None),
            ('CM-01', eva, '1', '5000', (1, 1), None),
            ('CM-02', ali, '0.5', '2600', (3, 1), (9, 30)),
            ('CM-03', nina, '1', '4800', (1, 1), None),
            ]:
        occupy(code, employee, share, cost, dt.date(year, *start),
            end and dt.date(year, *end), config=config)
    plan.reload()
    plan.click('confirm')
    return plan


def check_forwarding(decision, recipient, agreement, year, spent,
        config=None):
    """Forward 1 VZÄ (57,000) of the Förderbescheid to the recipient with
    the authority's consent, pay it, receive the proof of use with the
    expenses spent and check it; return the Weiterleitung"""
    Forwarding = Model.get('kim.funding.forwarding', config=config)
    forwarding = Forwarding(decision=decision, recipient=recipient,
        recipient_kind='welfare', agreement=agreement,
        vzae=Decimal('1'), amount=Decimal('57000'))
    forwarding.consent_date = dt.date(year, 1, 25)
    forwarding.consent_reference = "Zustimmung vom 25.01."
    forwarding.proof_deadline = dt.date(year, 12, 31)
    forwarding.save()
    forwarding.click('pay')
    forwarding.proof_spent = Decimal(spent)
    forwarding.click('receive_proof')
    forwarding.click('check')
    return forwarding
