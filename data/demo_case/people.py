"""The company, its case managers and supervisors in teams, the demo
users as its employees, the countries and the clients (tables in
clients.json)"""
import csv
import datetime as dt
import os
import random
from collections import namedtuple
from decimal import Decimal

from demokit import create, fresh, pick, real_today, tables

NET = 'kim_network.'
_T = tables(__file__, 'clients.json')
REGIONS = _T['regions']
RESIDENCE = _T['residence']
LANGUAGES = _T['languages']
ACCOMMODATION = _T['accommodation']
COUNTRIES = os.path.join(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))), 'countries.csv')
# Nationalities by the language of the Sprachmittlung, by the residence
# status, and of the others (ISO 3166-1 codes of data/countries.csv)
NATIONALITY_BY_LANGUAGE = _T['nationality_by_language']
NATIONALITY_BY_STATUS = _T['nationality_by_status']
NATIONALITIES = _T['nationalities']

# Plain values of the records the steps share: reading fields of records
# after other records were written would re-read them from the database
ClientInfo = namedtuple('ClientInfo',
    'id kommune kommune_name language status birth')


def ensure_company(ctx):
    pool = ctx.pool
    Company = pool.get('company.company')
    Currency = pool.get('currency.currency')
    Party = pool.get('party.party')
    companies = Company.search([], limit=1)
    if companies:
        return companies[0]
    currencies = Currency.search([('code', '=', 'EUR')], limit=1)
    if currencies:
        euro, = currencies
    else:
        euro, = Currency.create([{
                    'name': "Euro",
                    'code': 'EUR',
                    'numeric_code': '978',
                    'symbol': '€',
                    'rounding': Decimal('0.01'),
                    'digits': 2,
                    }])
    name = ctx.registry.get('kreis') or 'Kreis Musterland'
    party, = Party.create([{'name': name}])
    company, = Company.create([{'party': party.id, 'currency': euro.id}])
    return company


def create_staff(ctx, company, n_managers):
    "Case managers and one supervisor per team; teams per region"
    pool = ctx.pool
    Party = pool.get('party.party')
    Employee = pool.get('company.employee')
    Team = pool.get('kim.case.team')
    rng = ctx.random
    kommunen = fresh(ctx.registry.get('kommunen')) or pool.get(
        'kim.kommune').search([], order=[('ags', 'ASC')])
    by_name = {k.name: k for k in kommunen}
    regions = []
    assigned = set()
    for name, names in REGIONS:
        members = [by_name[n] for n in names if n in by_name]
        assigned.update(k.id for k in members)
        regions.append((name, members))
    rest = [k for k in kommunen if k.id not in assigned]
    for i, kommune in enumerate(rest):
        regions[i % len(regions)][1].append(kommune)
    regions = [r for r in regions if r[1]] or [('Team Kreis', kommunen)]

    start = real_today(ctx) - dt.timedelta(days=4 * 365)
    people = [ctx.names.person() for _ in range(
            n_managers + len(regions))]
    parties = Party.create([{'name': '%s %s' % p} for p in people])
    employees = Employee.create([{
                'party': p.id,
                'company': company.id,
                'start_date': start + dt.timedelta(days=rng.randint(0, 300)),
                } for p in parties])
    supervisors = employees[:len(regions)]
    managers = employees[len(regions):]
    teams = Team.create([{
                'name': name,
                'company': company.id,
                'kommunen': [('add', [k.id for k in members])],
                'supervisor': supervisors[i].id,
                'members': [('add', [m.id
                                for j, m in enumerate(managers)
                                if j % len(regions) == i])],
                } for i, (name, members) in enumerate(regions)])
    ctx.registry['employees'] = employees
    ctx.registry['teams'] = teams
    return managers, supervisors, teams


def link_users(ctx, company, managers, supervisors):
    """Every demo user works in the demo's company as an employee:
    fallmanager and fachaufsicht (and admin) as the first case manager and
    supervisor, the others (koordination, finanzen, gremium, datenschutz)
    as an employee of their own"""
    pool = ctx.pool
    User = pool.get('res.user')
    Party = pool.get('party.party')
    Employee = pool.get('company.employee')
    # names of their own: the data of the seed stays as it was
    names = type(ctx.names)(random.Random('%s:kim_case:users' % ctx.seed))
    links = [
        ('fallmanager', managers[:1]),
        ('fachaufsicht', supervisors[:1]),
        ('datenschutz', None),
        ('koordination', None),
        ('finanzen', None),
        ('gremium', None),
        ('admin', managers[:1]),
        ]
    for login, employees in links:
        users = User.search([('login', '=', login)], limit=1)
        if not users:
            continue
        user, = users
        if employees is None:
            party, = Party.create([{'name': '%s %s' % names.person()}])
            employees = Employee.create([{
                        'party': party.id,
                        'company': company.id,
                        'start_date': real_today(ctx) - dt.timedelta(
                            days=3 * 365),
                        }])
        User.write([user], {
                'companies': [('add', [company.id])],
                'company': company.id,
                'employees': [('add', [e.id for e in employees])],
                'employee': employees[0].id,
                })


def ensure_countries(ctx):
    """The countries of data/countries.csv that the database lacks, with
    their German names; return {code: id}"""
    from trytond.transaction import Transaction
    pool = ctx.pool
    Country = pool.get('country.country')
    Lang = pool.get('ir.lang')
    with open(COUNTRIES, newline='', encoding='utf-8') as f:
        rows = [r for r in csv.reader(line for line in f
                if line.strip() and not line.startswith('#'))]
    existing = {c.code: c.id for c in Country.search([
                ('code', 'in', [r[0] for r in rows]),
                ('active', 'in', [True, False]),
                ])}
    missing = [r for r in rows if r[0] not in existing]
    if missing:
        with Transaction().set_context(language='en'):
            created = Country.create([{
                        'code': code, 'code3': code3, 'code_numeric': numeric,
                        'name': name,
                        } for code, code3, numeric, name, _ in missing])
        if Lang.search([('code', '=', 'de'), ('translatable', '=', True)]):
            with Transaction().set_context(language='de'):
                to_write = []
                for country, row in zip(created, missing):
                    to_write.extend(([country], {'name': row[4]}))
                Country.write(*to_write)
        existing.update({c.code: c.id for c in created})
        ctx.log('%d countries loaded' % len(created))
    return existing


def nationality(rng, language, status):
    "The ISO code of a client's nationality, or None for stateless"
    if status == 'DEUTSCH' or status in NATIONALITY_BY_STATUS:
        return pick(rng, NATIONALITY_BY_STATUS[status])
    if language in NATIONALITY_BY_LANGUAGE:
        if language in {'ar', 'kmr'} and rng.random() < 0.04:
            return None
        return pick(rng, NATIONALITY_BY_LANGUAGE[language])
    return pick(rng, NATIONALITIES)


def create_clients(ctx, n):
    pool = ctx.pool
    Party = pool.get('party.party')
    Language = pool.get('kim.language')
    StatusType = pool.get('kim.residence_status_type')
    rng = ctx.random
    today = real_today(ctx)
    kommunen = fresh(ctx.registry.get('kommunen')) or pool.get(
        'kim.kommune').search([])
    weights = [(k, k.population or 1000) for k in kommunen]
    kommune_names = {k.id: k.name for k in kommunen}
    languages = {l.code: l for l in Language.search([])}
    languages_code = {l.id: l.code for l in languages.values()}
    language_weights = [(languages[c], w) for c, w in LANGUAGES
        if c in languages]
    status_types = {s.code: s for s in StatusType.search([])}
    status_weights = [(status_types[c], w) for c, w in RESIDENCE
        if c in status_types]
    status_codes = {s.id: s.code for s in status_types.values()}
    ResidenceStatus = pool.get('kim.client.residence_status')
    countries = ensure_countries(ctx)
    # the nationalities from a stream of their own: the data of the seed
    # stays as it was
    origin = random.Random('%s:kim_case:nationality' % ctx.seed)
    vlist, statuses = [], []
    for _ in range(n):
        first, last = ctx.names.person()
        age = int(rng.triangular(18, 70, 30))
        birth = today - dt.timedelta(days=age * 365 + rng.randint(0, 364))
        arrival = today - dt.timedelta(days=rng.randint(60, 9 * 365))
        if arrival < birth:
            arrival = birth + dt.timedelta(days=365)
        mediation = rng.random() < 0.55 and language_weights
        values = {
            'name': '%s %s' % (first, last),
            'kim_client': True,
            'kim_birth_date': birth,
            'kim_gender': pick(rng, [('female', 48), ('male', 49),
                    ('diverse', 1), ('not_stated', 2)]),
            'kim_residence_kommune': pick(rng, weights).id,
            'kim_arrival_germany': arrival,
            'kim_arrival_kommune': arrival + dt.timedelta(
                days=rng.randint(0, min(400, (today - arrival).days))),
            'kim_accommodation': pick(rng, ACCOMMODATION),
            'kim_language_mediation': bool(mediation),
            }
        if mediation:
            values['kim_mediation_language'] = pick(rng, language_weights).id
        status = None
        if status_weights:
            status_type = pick(rng, status_weights)
            expiry = None
            if status_type.code not in {'NE', 'DAUER_EU', 'DEUTSCH',
                    'FREIZUEGIGKEIT', 'UNGEKLAERT'}:
                expiry = today + dt.timedelta(days=rng.randint(-20, 700))
                if expiry < arrival:
                    expiry = arrival + dt.timedelta(days=180)
            status = {
                'status_type': status_type.id,
                'valid_from': arrival,
                'document_expiry': expiry,
                'residence_obligation': rng.random() < 0.3,
                'employment_permitted': pick(rng, [
                        ('yes', 6), ('restricted', 3), ('no', 1)]),
                }
        code = nationality(origin, languages_code.get(
                values.get('kim_mediation_language')),
            status_type.code if status else None)
        if code in countries:
            values['kim_nationalities'] = [('add', [countries[code]])]
        elif code is None:
            values['kim_stateless'] = True
        vlist.append(values)
        statuses.append(status)
    # party codes in one call of the sequence instead of one per party
    sequence = Party._code_sequence()
    if sequence:
        for values, code in zip(vlist, sequence.get_many(len(vlist))):
            values['code'] = code
    clients = create(Party, vlist)
    infos = [ClientInfo(c.id, v['kim_residence_kommune'],
            kommune_names[v['kim_residence_kommune']],
            v.get('kim_mediation_language'),
            status_codes.get(s['status_type']) if s else None,
            v['kim_birth_date'])
        for c, v, s in zip(clients, vlist, statuses)]
    status_values = []
    for client, status in zip(clients, statuses):
        if status:
            status['client'] = client.id
            status_values.append(status)
    create(ResidenceStatus, status_values)
    ctx.registry['clients'] = clients
    return infos
