# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"Helpers for the Kennzahlen tests: random case data of a company"
import datetime as dt
import random

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
