"""Demo data plugin of kim_case: clients, cases and their case management.

Creates the company (the Kreis, currency EUR) when there is none, the case
managers and supervisors (Fachaufsicht) as employees in teams per region of
the Kreis, and links the demo users fallmanager and fachaufsicht (and admin)
to them. Then about 500 clients with a residence status and one case each,
opened over the last three years and spread over all states, Kommunen, access
channels and closing reasons, with signed assessments and re-assessments per
Handlungsfeld, Hilfepläne in versions with goals and measures (some measures
with services of the directory), and counselling contacts (done ones in the
past, planned appointments in the coming weeks).
Then the network work, through the workflows of the models while the cases
are open: Schweigepflichtentbindungen (given with a scanned form, a few
revoked or expired, drafts for current intakes), referrals of the partner
measures (sent only under a consent that covers them, a few by the
Fachaufsicht with a reason), case conferences, handovers to a colleague or to
a statutory case management (which close the case) and notes, some
confidential. All proportional to the number of cases.
Sizes: --cases (default 500 x scale), --case-managers.
Every name is fictional (see NameSource in generate.py).
See generate.py for the plugin interface.
"""
import csv
import datetime as dt
import os
import random
import time
from collections import namedtuple
from decimal import Decimal

from sql import Null

MODULE = 'kim_case'
BATCH = 1000
# Records whose relation fields have domains depending on the record are
# validated with one OR clause per record: keep SQLite below its depth limit
SMALL_BATCH = 250
# Workflow steps that log a case event per record (each write clears the
# record cache, so a batch is read again per record)
SEND_BATCH = 20
NET = 'kim_network.'

REGIONS = [
    ('Team Nord', ['Musterstadt', 'Falkenried', 'Lerchenau']),
    ('Team Mitte', ['Erlenbrück', 'Talbrückenau', 'Quellenhof am Wald']),
    ('Team Süd', ['Sonnenhagen', 'Weidenstein', 'Mühlental-Ost']),
    ('Team West', ['Hollerbeck', 'Rabenmoor', 'Brunnhaide']),
    ]

# Final states of the cases by weight, for cases older than two months
STATE_WEIGHTS = [
    ('intake', 3), ('assessment', 6), ('planning', 6),
    ('implementation', 30), ('closing', 5), ('closed', 45),
    ('cancelled', 5),
    ]
YOUNG_STATE_WEIGHTS = [
    ('intake', 40), ('assessment', 30), ('planning', 15),
    ('implementation', 5), ('closed', 5), ('cancelled', 5),
    ]
CLOSING_WEIGHTS = [
    ('ZIEL', 30), ('SELBSTSTEUERUNG', 18), ('UEBERGABE', 14),
    ('WUNSCH', 8), ('KONTAKTABBRUCH', 10), ('WEGZUG', 7), ('AUSREISE', 3),
    ('HOECHSTDAUER', 4), ('VERSTORBEN', 1), ('SONSTIGE', 5),
    ]
# Access channel code -> organisation type keys of the referring body
CHANNELS = [
    ('SELBST', 18, []), ('BUERGERAMT', 8, ['buergeramt']),
    ('ABH', 12, ['abh']), ('JOBCENTER', 14, ['jobcenter']),
    ('SOZIALAMT', 6, ['sozialamt']), ('MBE_JMD', 10, ['mbe', 'jmd']),
    ('SCHULE', 4, ['schulamt']), ('KITA', 3, []),
    ('AUFSUCHEND', 8, []), ('BERATUNG', 9,
        ['fluechtlingsberatung', 'wohlfahrt', 'integrationsagentur']),
    ('EHRENAMT', 5, ['ehrenamt']), ('SONSTIGE', 3, []),
    ]
RESIDENCE = [
    ('GESTATTUNG', 12), ('DULDUNG', 8), ('DULDUNG_60C', 2),
    ('DULDUNG_60D', 1), ('AE_16_21', 3), ('AE_22_26', 2), ('AE_24', 14),
    ('AE_25_1_2', 16), ('AE_25A', 2), ('AE_25B', 1), ('AE_28_36', 6),
    ('NE', 4), ('DAUER_EU', 2), ('FREIZUEGIGKEIT', 12), ('FIKTION', 5),
    ('DEUTSCH', 1), ('UNGEKLAERT', 2),
    ]
LANGUAGES = [
    ('ar', 18), ('uk', 16), ('fa', 8), ('prs', 5), ('tr', 8), ('ru', 6),
    ('kmr', 5), ('ti', 3), ('so', 2), ('ro', 6), ('bg', 5), ('sq', 3),
    ('ps', 3), ('fr', 3), ('en', 4), ('pl', 2), ('ur', 2),
    ]
ACCOMMODATION = [
    ('shared', 25), ('municipal_flat', 20), ('own_flat', 35),
    ('family_friends', 10), ('supported', 3), ('homeless', 2), ('other', 5),
    ]
NEEDS = [('none', 2), ('some', 5), ('urgent', 3)]
COUNTRIES = os.path.join(os.path.dirname(os.path.abspath(__file__)),
    'countries.csv')
# Nationalities by the language of the Sprachmittlung, by the residence
# status, and of the others (ISO 3166-1 codes of data/countries.csv)
NATIONALITY_BY_LANGUAGE = {
    'ar': [('SY', 50), ('IQ', 20), ('MA', 8), ('SD', 7), ('LB', 5),
        ('PS', 5), ('EG', 5)],
    'uk': [('UA', 1)], 'fa': [('IR', 7), ('AF', 3)], 'prs': [('AF', 1)],
    'tr': [('TR', 1)], 'ru': [('UA', 40), ('RU', 30), ('KZ', 15),
        ('GE', 15)],
    'kmr': [('SY', 5), ('TR', 3), ('IQ', 2)], 'ti': [('ER', 1)],
    'so': [('SO', 1)], 'ro': [('RO', 85), ('MD', 15)], 'bg': [('BG', 1)],
    'sq': [('AL', 3), ('MK', 1)], 'ps': [('AF', 1)],
    'fr': [('GN', 3), ('CM', 3), ('CD', 2), ('CI', 1), ('SN', 1)],
    'en': [('NG', 4), ('GH', 2), ('GM', 2), ('IN', 2)], 'pl': [('PL', 1)],
    'ur': [('PK', 1)],
    }
NATIONALITY_BY_STATUS = {
    'AE_24': [('UA', 95), ('RU', 5)],
    'FREIZUEGIGKEIT': [('RO', 35), ('BG', 30), ('PL', 15), ('HR', 5),
        ('IT', 5), ('GR', 5), ('ES', 5)],
    'DEUTSCH': [('DE', 1)],
    }
NATIONALITIES = [
    ('SY', 12), ('TR', 10), ('UA', 10), ('AF', 8), ('RO', 6), ('IQ', 5),
    ('BG', 5), ('PL', 5), ('RS', 4), ('BA', 4), ('IR', 3), ('RU', 3),
    ('KZ', 3), ('IT', 3), ('GR', 3), ('HR', 3), ('ER', 2), ('NG', 2),
    ('VN', 2), ('AL', 2),
    ]
# Target groups and Rechtskreise of a case by the client's residence status
# (codes of kim_network's code lists)
TARGET_GROUP_BY_STATUS = {
    'GESTATTUNG': 'asyl', 'DULDUNG': 'geduldet', 'DULDUNG_60C': 'geduldet',
    'DULDUNG_60D': 'geduldet', 'AE_16_21': 'fachkraft', 'AE_22_26': 'schutz',
    'AE_24': 'p24', 'AE_25_1_2': 'schutz', 'AE_25A': 'drittstaat',
    'AE_25B': 'drittstaat', 'AE_28_36': 'nachzug', 'NE': 'langansaessig',
    'DAUER_EU': 'langansaessig', 'FREIZUEGIGKEIT': 'eu_neu',
    'FIKTION': 'drittstaat', 'DEUTSCH': 'langansaessig',
    'UNGEKLAERT': 'drittstaat',
    }
RECHTSKREIS_BY_STATUS = {
    'GESTATTUNG': ['asylblg', 'aufenthg'], 'DULDUNG': ['asylblg', 'aufenthg'],
    'DULDUNG_60C': ['asylblg', 'aufenthg'],
    'DULDUNG_60D': ['asylblg', 'aufenthg'], 'FREIZUEGIGKEIT': ['freizuegg'],
    'DEUTSCH': ['stag'], 'NE': ['aufenthg'], 'DAUER_EU': ['aufenthg'],
    }
# the benefits the client receives besides (share of the cases)
RECHTSKREIS_BENEFITS = [('sgb2', 0.55), ('sgb3', 0.08), ('sgb8', 0.15),
    ('sgb12', 0.04)]

# Per Handlungsfeld: situation, needs, goals (description, indicator) and
# measures (what, who, organisation type keys of a partner)
TOPICS = {
    'AUFENTHALT': {
        'situation': "Aufenthaltstitel läuft aus; Unterlagen für die "
        "Verlängerung unvollständig.",
        'needs': "Klärung der Verlängerung und der Mitwirkungspflichten.",
        'goals': [
            ("Aufenthalt ist gesichert und der Titel verlängert.",
                "Verlängerter Aufenthaltstitel liegt vor"),
            ("Voraussetzungen der Einbürgerung sind geklärt.",
                "Beratungstermin Einbürgerung wahrgenommen"),
            ],
        'measures': [
            ("Unterlagen für die Ausländerbehörde zusammenstellen",
                'client', []),
            ("Termin bei der Ausländerbehörde begleiten", 'case_manager',
                []),
            ("Aufenthaltsrechtliche Beratung", 'partner',
                ['fluechtlingsberatung', 'mbe']),
            ],
        },
    'SPRACHE': {
        'situation': "Deutschkenntnisse auf Niveau A1/A2; Integrationskurs "
        "abgebrochen.",
        'needs': "Kursplatz mit Kinderbetreuung.",
        'goals': [
            ("Deutschkenntnisse auf Niveau B1 sind erreicht.",
                "Zertifikat Deutsch-Test für Zuwanderer B1"),
            ("Integrationskurs wird regelmäßig besucht.",
                "Fehlzeiten unter 10 Prozent"),
            ],
        'measures': [
            ("Anmeldung zum Integrationskurs", 'partner', ['vhs',
                'bildungstraeger']),
            ("Berechtigungsschein beim BAMF beantragen", 'case_manager',
                []),
            ("Sprachcafé besuchen", 'client', []),
            ],
        },
    'BILDUNG': {
        'situation': "Kinder ohne Kita-Platz; Schulanmeldung offen.",
        'needs': "Kita- und Schulplatz.",
        'goals': [
            ("Die Kinder besuchen Kita und Schule.",
                "Bescheinigung über Kita- und Schulbesuch"),
            ],
        'measures': [
            ("Anmeldung im Kita-Portal", 'client', []),
            ("Gespräch mit dem Schulamt", 'partner', ['schulamt']),
            ],
        },
    'ARBEIT': {
        'situation': "Ohne Arbeit seit der Einreise; Berufserfahrung im "
        "Herkunftsland.",
        'needs': "Berufliche Orientierung, Bewerbung.",
        'goals': [
            ("Eine Ausbildung ist begonnen.", "Ausbildungsvertrag"),
            ("Eine sozialversicherungspflichtige Arbeit ist aufgenommen.",
                "Arbeitsvertrag"),
            ("Ein Praktikum gibt Einblick in den Beruf.",
                "Praktikumsbescheinigung"),
            ],
        'measures': [
            ("Bewerbungsunterlagen erstellen", 'client', []),
            ("Beratung bei der Arbeitsvermittlung", 'partner',
                ['jobcenter', 'aa']),
            ("Kontakt zu Betrieben herstellen", 'case_manager', []),
            ],
        },
    'ANERKENNUNG': {
        'situation': "Berufsabschluss aus dem Herkunftsland nicht "
        "anerkannt.",
        'needs': "Anerkennungsverfahren.",
        'goals': [
            ("Der Berufsabschluss ist anerkannt.", "Anerkennungsbescheid"),
            ],
        'measures': [
            ("Zeugnisse übersetzen lassen", 'client', []),
            ("Anerkennungsberatung", 'partner', ['kammer', 'mbe']),
            ],
        },
    'WOHNEN': {
        'situation': "Lebt in einer Gemeinschaftsunterkunft; Auszug "
        "gewünscht.",
        'needs': "Eigene Wohnung.",
        'goals': [
            ("Die Familie lebt in einer eigenen Wohnung.", "Mietvertrag"),
            ],
        'measures': [
            ("Wohnberechtigungsschein beantragen", 'client', []),
            ("Wohnungssuche begleiten", 'case_manager', []),
            ("Beratung der Wohnraumvermittlung", 'partner',
                ['wohnungsamt', 'wohlfahrt']),
            ],
        },
    'GESUNDHEIT': {
        'situation': "Belastung durch Fluchterfahrung; kein Hausarzt.",
        'needs': "Ärztliche und psychosoziale Versorgung.",
        'goals': [
            ("Eine hausärztliche Versorgung ist gesichert.",
                "Hausarzt bekannt, Termin wahrgenommen"),
            ("Psychosoziale Unterstützung ist angebahnt.",
                "Erstgespräch im Beratungszentrum"),
            ],
        'measures': [
            ("Hausarztpraxis suchen", 'client', []),
            ("Vermittlung an den Sozialpsychiatrischen Dienst", 'partner',
                ['gesundheitsamt']),
            ],
        },
    'EXISTENZ': {
        'situation': "Leistungsbezug unterbrochen; Schulden.",
        'needs': "Sicherung des Lebensunterhalts.",
        'goals': [
            ("Der Lebensunterhalt ist gesichert.", "Bewilligungsbescheid"),
            ],
        'measures': [
            ("Weiterbewilligungsantrag stellen", 'client', []),
            ("Schuldnerberatung", 'partner', ['wohlfahrt']),
            ],
        },
    'FAMILIE': {
        'situation': "Alleinerziehend; Familiennachzug beantragt.",
        'needs': "Kinderbetreuung, Familienzusammenführung.",
        'goals': [
            ("Die Kinderbetreuung ist geregelt.", "Betreuungsplatz"),
            ],
        'measures': [
            ("Beratung beim Jugendamt", 'partner', ['jugendamt']),
            ("Unterlagen für den Familiennachzug", 'client', []),
            ],
        },
    'TEILHABE': {
        'situation': "Wenig Kontakte außerhalb der Familie.",
        'needs': "Anschluss an Vereine und Ehrenamt.",
        'goals': [
            ("Ein Angebot im Stadtteil wird regelmäßig genutzt.",
                "Teilnahme an mindestens einem Angebot"),
            ],
        'measures': [
            ("Patenschaft vermitteln", 'partner', ['ehrenamt', 'mso']),
            ("Sportverein besuchen", 'client', []),
            ],
        },
    'MOBILITAET': {
        'situation': "Wohnt im ländlichen Raum ohne Auto.",
        'needs': "Erreichbarkeit von Kurs und Arbeit.",
        'goals': [
            ("Kurs und Arbeitsort sind erreichbar.", "Ticket vorhanden"),
            ],
        'measures': [
            ("Sozialticket beantragen", 'client', []),
            ],
        },
    'ORIENTIERUNG': {
        'situation': "Neu im Kreis; Ämter und Angebote unbekannt.",
        'needs': "Erstorientierung.",
        'goals': [
            ("Die Anlaufstellen im Wohnort sind bekannt.",
                "Wegweiser besprochen"),
            ],
        'measures': [
            ("Orientierungskurs besuchen", 'partner', ['vhs', 'mso']),
            ("Wegweiser in der Herkunftssprache aushändigen",
                'case_manager', []),
            ],
        },
    }
GENERIC_TOPIC = {
    'situation': "Situation im Erstgespräch besprochen.",
    'needs': "Unterstützungsbedarf besteht.",
    'goals': [("Die Lage in diesem Handlungsfeld ist stabil.", None)],
    'measures': [("Gespräch zur Klärung", 'case_manager', [])],
    }
CONTACT_SUBJECTS = [
    "Beratungsgespräch", "Folgeberatung", "Hausbesuch", "Begleitung zum Amt",
    "Telefonische Absprache", "Fallbesprechung mit Netzwerkpartner",
    "Überprüfung des Hilfeplans", "Bewerbungstraining", "Antragshilfe",
    ]
CONTACT_CHANNELS = [
    ('office', 45), ('home_visit', 12), ('outreach', 5), ('phone', 22),
    ('video', 4), ('email', 8), ('letter', 4),
    ]


# Plain values of the records the steps share: reading fields of records
# after other records were written would re-read them from the database
ClientInfo = namedtuple('ClientInfo',
    'id kommune kommune_name language status birth')
HF = namedtuple('HF', 'id code')
MeasureInfo = namedtuple('MeasureInfo',
    'id organisation service handlungsfeld plan_state agreed name status')


def add_arguments(parser):
    group = parser.add_argument_group('kim_case')
    group.add_argument('--cases', type=int,
        help="number of clients and cases (default 500 x scale)")
    group.add_argument('--case-managers', type=int,
        help="number of case managers (default: one per 40 cases, "
        "at least 6)")


def pick(rng, weighted):
    "Choose the key of [(key, weight, ...)]"
    total = sum(w[1] for w in weighted)
    x = rng.uniform(0, total)
    for item in weighted:
        x -= item[1]
        if x <= 0:
            return item[0]
    return weighted[-1][0]


def real_today(ctx):
    "Events cannot be in the future of the machine's clock"
    return min(ctx.today, dt.date.today())


def batches(items, size=BATCH):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def fresh(records):
    "The records of an earlier plugin's transaction, in this transaction"
    if not records:
        return []
    return type(records[0]).browse([r.id for r in records])


def create(Model, vlist, size=BATCH):
    "Create in batches and return the records"
    records = []
    for chunk in batches(vlist, size):
        records.extend(Model.create(chunk))
    return records


# --- the plugin ---------------------------------------------------------
def is_loaded(ctx):
    Case = ctx.pool.get('kim.case')
    return bool(Case.search([], limit=1))


def load(ctx):
    pool = ctx.pool
    Company = pool.get('company.company')
    Employee = pool.get('company.employee')
    Team = pool.get('kim.case.team')
    Case = pool.get('kim.case')
    reg = ctx.registry
    companies = Company.search([], limit=1)
    reg['company'] = companies[0] if companies else None
    reg['employees'] = Employee.search([], order=[('id', 'ASC')])
    reg['teams'] = Team.search([], order=[('id', 'ASC')])
    reg['cases'] = Case.search([], order=[('id', 'ASC')])
    reg['clients'] = list({c.client.id: c.client
            for c in reg['cases']}.values())


def generate(ctx):
    from trytond.transaction import Transaction
    n_cases = ctx.size('cases', 500)
    n_managers = getattr(ctx.args, 'case_managers', None) or min(
        200, max(6, n_cases // 40))

    company = ensure_company(ctx)
    managers, supervisors, teams = create_staff(ctx, company, n_managers)
    link_users(ctx, company, managers, supervisors)
    ctx.log('company %s, %d case managers, %d teams' % (
            company.rec_name, len(managers), len(teams)))
    t0 = time.monotonic()

    def took():
        return '(%.1f s)' % (time.monotonic() - t0)
    with Transaction().set_context(company=company.id):
        clients = create_clients(ctx, n_cases)
        ctx.log('%d clients %s' % (len(clients), took()))
        stories = create_cases(ctx, company, clients, teams)
        ctx.log('%d cases %s' % (len(stories), took()))
        create_assessments(ctx, stories)
        ctx.log(took())
        create_plans(ctx, stories)
        ctx.log(took())
        create_contacts(ctx, stories)
        ctx.log(took())
        # the network work of the case managers: while the consents are in
        # force (revocations and expiries come last), before the cases close
        for step in [create_consents, create_referrals, create_conferences,
                create_notes]:
            step(ctx, stories)
            ctx.log(took())
        create_handovers(ctx, stories, teams)
        finish_consents(ctx, stories)
        ctx.log(took())
        close_cases(ctx, stories)
        # last, so that the data above stays as it was for the same seed
        create_households(ctx, stories)
        ctx.log(took())
        Case = ctx.pool.get('kim.case')
        with Transaction().set_context(date=real_today(ctx)):
            flagged = Case.flag_due(real_today(ctx))
        ctx.log('%d cases with due items in the Wiedervorlage list'
            % len(flagged))
    load(ctx)


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


def case_profile(rng, ctx, client, opened):
    """The target groups and Rechtskreise of a case: by the residence
    status, the age at the intake and the benefits received; about one
    case in twelve has them not recorded"""
    if rng.random() < 0.08:
        return [], []
    groups, rechtskreise = set(), set()
    if client.status:
        groups.add(TARGET_GROUP_BY_STATUS.get(client.status, 'drittstaat'))
        rechtskreise.update(RECHTSKREIS_BY_STATUS.get(
                client.status, ['aufenthg']))
    if client.birth and 18 <= (opened - client.birth).days // 365 <= 27:
        groups.add('jung')
    if rng.random() < 0.3:
        groups.add('familie')
    for code, share in RECHTSKREIS_BENEFITS:
        if code == 'sgb8' and 'familie' in groups:
            share = 0.5
        if rng.random() < share:
            rechtskreise.add(code)
    if {'sgb2', 'asylblg'} <= rechtskreise:
        rechtskreise.discard('sgb2')
    return ([ctx.ref(NET + 'target_group_' + g) for g in sorted(groups)],
        [ctx.ref(NET + 'rechtskreis_' + r) for r in sorted(rechtskreise)])


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


class Story:
    "What happens to one case; filled step by step"
    __slots__ = ('case', 'state', 'opened', 'end', 'manager', 'team',
        'closing', 'short', 'assessments', 'plans', 'client', 'language',
        'measures', 'consents', 'handover', 'handed_over')

    def __init__(self, **kwargs):
        for name in self.__slots__:
            setattr(self, name, kwargs.get(name))


def create_cases(ctx, company, clients, teams):
    pool = ctx.pool
    Case = pool.get('kim.case')
    Configuration = pool.get('kim.configuration')
    AccessChannel = pool.get('kim.access_channel')
    ClosingReason = pool.get('kim.closing_reason')
    from trytond.transaction import Transaction
    rng = ctx.random
    today = real_today(ctx)
    channels = {c.code: c.id for c in AccessChannel.search([])}
    reasons = {r.code: r.id for r in ClosingReason.search([])}
    by_type = {k: [o.id for o in fresh(v)] for k, v in (
            ctx.registry.get('organisations_by_type') or {}).items()}
    team_of = {}
    for team in teams:
        members = [m.id for m in team.members]
        for kommune in team.kommunen:
            team_of[kommune.id] = (team.id, members)
    any_team = list(team_of.values())
    sequence = Configuration(1).get_case_sequence()
    # the target groups and Rechtskreise from a stream of their own: the
    # data of the seed stays as it was
    profile = random.Random('%s:kim_case:profile' % ctx.seed)

    stories = []
    for client in clients:
        opened = today - dt.timedelta(
            days=int(rng.triangular(0, 3 * 365, 2 * 365)))
        age = (today - opened).days
        state = pick(rng,
            YOUNG_STATE_WEIGHTS if age < 60 else STATE_WEIGHTS)
        short = state == 'closed' and (age < 60 or rng.random() < 0.15)
        team, members = team_of.get(client.kommune) or rng.choice(any_team)
        manager = rng.choice(members) if members else None
        if state in {'closed', 'closing'}:
            if short:
                end = opened + dt.timedelta(days=rng.randint(0, 30))
            else:
                end = opened + dt.timedelta(
                    days=rng.randint(120, max(121, min(age, 900))))
            end = min(end, today)
        else:
            end = today
        closing = None
        if state in {'closed', 'closing'}:
            code = 'KURZBERATUNG' if short else pick(rng, CLOSING_WEIGHTS)
            if code not in reasons:
                code = rng.choice(list(reasons))
            closing = (reasons[code], code)
        stories.append(Story(state=state, opened=opened, end=end,
                manager=manager, team=team, closing=closing,
                short=short, client=client, assessments=[], plans=[],
                language=client.language, measures=[], consents=[]))
    stories.sort(key=lambda s: s.opened)

    # Number the cases in the order they were opened, by the year opened
    numbers = []
    for year in sorted({s.opened.year for s in stories}):
        count = len([s for s in stories if s.opened.year == year])
        with Transaction().set_context(date=dt.date(year, 12, 31)):
            numbers.extend(sequence.get_many(count))

    vlist = []
    for story, number in zip(stories, numbers):
        groups, rechtskreise = case_profile(profile, ctx, story.client,
            story.opened)
        channel = pick(rng, CHANNELS)
        referring = None
        keys = next(c[2] for c in CHANNELS if c[0] == channel)
        candidates = [o for k in keys for o in by_type.get(k, [])]
        if candidates:
            referring = rng.choice(candidates)
        values = {
            'number': number,
            'company': company.id,
            'client': story.client.id,
            'kommune': story.client.kommune,
            'team': story.team,
            'case_manager': story.manager,
            'access_channel': channels.get(channel),
            'referring_organisation': referring,
            'opened_date': story.opened,
            'target_groups': [('add', groups)],
            'rechtskreise': [('add', rechtskreise)],
            # closed cases are closed once their history is written
            'state': 'closing' if story.state == 'closed' else story.state,
            }
        decided = min(story.opened + dt.timedelta(days=rng.randint(0, 10)),
            story.end)
        if story.short:
            values.update({
                    'depth': rng.choice(['clearing', 'referral']),
                    'indication_complex_needs': 'no',
                    'indication_decision': rng.choice(
                        ['referral', 'no_further_need']),
                    'indication_decided_by': story.manager,
                    'indication_date': decided,
                    'indication_reason': "Einzelnes Anliegen; Verweis an "
                    "die zuständige Stelle genügt.",
                    'short_case': True,
                    })
        elif story.state == 'intake':
            values.update({
                    'depth': 'clearing',
                    'indication_complex_needs': rng.choice(
                        [None, 'yes', 'unclear']),
                    'indication_voluntary': rng.choice([None, 'yes']),
                    })
        else:
            values.update({
                    'depth': 'case_management',
                    'indication_complex_needs': 'yes',
                    'indication_several_providers': rng.choice(
                        ['yes', 'yes', 'unclear']),
                    'indication_standard_routes_fail': rng.choice(
                        ['yes', 'unclear']),
                    'indication_lacks_resources': rng.choice(['yes', 'no']),
                    'indication_voluntary': 'yes',
                    'indication_decision': 'case_management',
                    'indication_decided_by': story.manager,
                    'indication_date': decided,
                    })
        if story.state in {'closed', 'closing'}:
            values.update({
                    'closing_reason': story.closing[0],
                    'closing_date': story.end,
                    'closing_evaluation': (
                        None if story.state == 'closing' else
                        "Abschlussgespräch mit der Klientin/dem Klienten "
                        "geführt; Ergebnisse dokumentiert."),
                    })
        elif story.state not in {'cancelled'}:
            values['next_review'] = today + dt.timedelta(
                days=rng.randint(-10, 60))
        vlist.append(values)
    cases = create(Case, vlist)
    for story, case in zip(stories, cases):
        story.case = case
    ctx.registry['cases'] = cases
    return stories


def _date_between(rng, start, end):
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def create_assessments(ctx, stories):
    """A signed first assessment for cases past the assessment phase (a draft
    for cases in it) and re-assessments about every six months"""
    pool = ctx.pool
    Assessment = pool.get('kim.case.assessment')
    Line = pool.get('kim.case.assessment.line')
    Handlungsfeld = pool.get('kim.handlungsfeld')
    User = pool.get('res.user')
    from trytond.transaction import Transaction
    rng = ctx.random
    fields_ = [HF(h.id, h.code) for h in Handlungsfeld.search([])]
    users = User.search([('login', '=', 'fallmanager')], limit=1)
    signer = users[0].id if users else None

    planned = []   # (story, values, needs, done)
    for story in stories:
        if story.short or story.state == 'intake':
            continue
        draft_only = story.state in {'assessment', 'cancelled'}
        if draft_only and rng.random() < 0.3:
            continue
        date = min(_date_between(rng, story.opened + dt.timedelta(days=7),
                story.opened + dt.timedelta(days=40)), story.end)
        topics = rng.sample(fields_, rng.randint(3, min(6, len(fields_))))
        needs = {h: pick(rng, NEEDS) for h in topics}
        if all(n == 'none' for n in needs.values()):
            needs[topics[0]] = 'urgent'
        open_case = story.state not in {'closed', 'closing', 'cancelled'}
        while True:
            next_date = date + dt.timedelta(days=rng.randint(150, 200))
            last = draft_only or next_date > story.end
            planned.append((story, {
                        'case': story.case.id,
                        'date': date,
                        'case_manager': story.manager,
                        'interpreter_used': bool(story.language),
                        'interpreter_language': story.language,
                        'client_goals': "Eigene Wohnung, Arbeit und gute "
                        "Deutschkenntnisse.",
                        'summary': "Gemeinsam mit der Klientin/dem Klienten "
                        "zusammengefasst; Grundlage des Hilfeplans.",
                        'next_assessment_date': (
                            next_date if not last or open_case else None),
                        }, dict(needs), not draft_only))
            if last:
                break
            # re-assessment: the needs mostly improve
            date = next_date
            for h in list(needs):
                if needs[h] == 'urgent' and rng.random() < 0.6:
                    needs[h] = 'some'
                elif needs[h] == 'some' and rng.random() < 0.5:
                    needs[h] = 'none'
                elif rng.random() < 0.08:
                    needs[h] = 'urgent'

    assessments = create(Assessment, [p[1] for p in planned])
    line_values = []
    for (story, values, needs, done), assessment in zip(
            planned, assessments):
        story.assessments.append((assessment.id, values['date'], needs, done))
        for h, need in needs.items():
            topic = TOPICS.get(h.code, GENERIC_TOPIC)
            line_values.append({
                    'assessment': assessment.id,
                    'handlungsfeld': h.id,
                    'need': need,
                    'situation': (topic['situation'] if need != 'none'
                        else "Kein Handlungsbedarf."),
                    'needs': topic['needs'] if need != 'none' else None,
                    'strengths': "Hohe Motivation, Unterstützung durch "
                    "Familie und Bekannte.",
                    'client_view': "Möchte selbstständig zurechtkommen.",
                    })
    create(Line, line_values)
    done = [a for p, a in zip(planned, assessments) if p[3]]
    for chunk in batches(done):
        Assessment.write(chunk, {'state': 'done', 'signed_by': signer})
    # each assessment was signed on its day
    table = Assessment.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.update([table.signed_date], [table.date],
            where=(table.state == 'done') & (table.signed_date == Null)))
    ctx.log('%d assessments (%d signed), %d lines' % (
            len(assessments), len(done), len(line_values)))


def create_plans(ctx, stories):
    """Hilfepläne for cases past the assessment: version 1 after the first
    assessment, revisions after some re-assessments"""
    pool = ctx.pool
    Plan = pool.get('kim.case.plan')
    Goal = pool.get('kim.case.plan.goal')
    Measure = pool.get('kim.case.plan.measure')
    rng = ctx.random
    today = real_today(ctx)
    services_by_org = {}
    for service in fresh(ctx.registry.get('services')):
        services_by_org.setdefault(service.organisation.id, []).append(
            service.id)
    by_type = {k: [o.id for o in fresh(v)] for k, v in (
            ctx.registry.get('organisations_by_type') or {}).items()}

    # [(story, version, values, final state, needs, agreed on)]
    versions = []
    for story in stories:
        if story.state not in {'planning', 'implementation', 'closing',
                'closed'} or story.short:
            continue
        done = [(a, date, n) for a, date, n, d in story.assessments if d]
        if not done:
            continue
        basis = done[:1] + [d for d in done[1:] if rng.random() < 0.45]
        for i, (assessment, date, needs) in enumerate(basis):
            agreed = min(date + dt.timedelta(
                    days=rng.randint(5, 30)), story.end)
            last = i == len(basis) - 1
            if not last:
                state = 'superseded'
            elif story.state == 'planning':
                state = 'draft'
            else:
                state = 'agreed'
            versions.append((story, i + 1, {
                        'case': story.case.id,
                        'version': i + 1,
                        'assessment': assessment,
                        'main_goal': "Selbstständig im Kreis leben: "
                        "Sprache lernen, Arbeit finden, eine eigene "
                        "Wohnung haben.",
                        'agreement_date': (
                            agreed if state != 'draft' else None),
                        'interpreter_used': bool(story.language),
                        'interpreter_language': story.language,
                        'revision_reason': (
                            "Fortschreibung nach dem Re-Assessment"
                            if i else None),
                        'review_date': (agreed + dt.timedelta(days=90)
                            if state == 'agreed' else None),
                        }, state, needs, agreed))

    # Version by version: a revision is created while its predecessor is
    # agreed, then the predecessor is superseded
    plans = {}
    n_goals = n_measures = 0
    max_version = max([v[1] for v in versions] or [0])
    for version in range(1, max_version + 1):
        todo = [v for v in versions if v[1] == version]
        for story, _, values, _, _, _ in todo:
            if version > 1:
                values['predecessor'] = plans[(story.case.id, version - 1)].id
        created = create(Plan, [v[2] for v in todo], SMALL_BATCH)
        goal_values, goal_meta = [], []
        for (story, _, _, state, needs, agreed), plan in zip(todo, created):
            plans[(story.case.id, version)] = plan
            story.plans.append((plan.id, state))
            topics = [h for h, n in needs.items() if n != 'none'] or list(
                needs)[:1]
            for seq, h in enumerate(topics[:4], 1):
                topic = TOPICS.get(h.code, GENERIC_TOPIC)
                description, indicator = rng.choice(topic['goals'])
                status, attainment = goal_outcome(rng, story, state)
                goal_values.append({
                        'plan': plan.id,
                        'sequence': seq,
                        'handlungsfeld': h.id,
                        'description': description,
                        'indicator': indicator,
                        'target_date': agreed + dt.timedelta(
                            days=rng.choice([90, 180, 270, 365])),
                        'status': status,
                        'attainment': attainment,
                        })
                goal_meta.append((story, state, topic, agreed))
        goals = create(Goal, goal_values)
        measure_values, measure_meta = [], []
        for goal, goal_vals, (story, state, topic, agreed) in zip(
                goals, goal_values, goal_meta):
            chosen = rng.sample(topic['measures'],
                rng.randint(1, len(topic['measures'])))
            for seq, (what, who, types) in enumerate(chosen, 1):
                due = agreed + dt.timedelta(days=rng.randint(14, 150))
                values = {
                    'goal': goal.id,
                    'sequence': seq,
                    'name': what,
                    'responsible': who,
                    'due_date': due,
                    'status': measure_status(rng, story, state, due, today),
                    }
                if who == 'partner':
                    orgs = [o for t in types for o in by_type.get(t, [])]
                    if orgs:
                        org = rng.choice(orgs)
                        values['organisation'] = org
                        services = services_by_org.get(org)
                        if services:
                            values['service'] = rng.choice(services)
                    else:
                        values['responsible'] = 'case_manager'
                measure_values.append(values)
                measure_meta.append((story, state, goal_vals['handlungsfeld'],
                        agreed))
        measures = create(Measure, measure_values, SMALL_BATCH)
        # the partner measures, for the referrals
        for measure, values, (story, state, hf, agreed) in zip(
                measures, measure_values, measure_meta):
            if values.get('organisation'):
                story.measures.append(MeasureInfo(measure.id,
                        values['organisation'], values.get('service'), hf,
                        state, agreed, values['name'], values['status']))
        n_goals += len(goals)
        n_measures += len(measure_values)
        previous = [plans[(s.case.id, version - 1)].id for s, *_ in todo
            if version > 1]
        for chunk in batches(previous):
            Plan.write(Plan.browse(chunk), {'state': 'superseded'})
        to_agree = [plan.id for (_, _, _, state, _, _), plan
            in zip(todo, created) if state != 'draft']
        for chunk in batches(to_agree):
            Plan.write(Plan.browse(chunk), {'state': 'agreed'})
    ctx.log('%d Hilfepläne, %d goals, %d measures' % (
            len(versions), n_goals, n_measures))


def goal_outcome(rng, story, plan_state):
    "Status and attainment of a goal by the course of the case"
    if plan_state == 'draft':
        return 'open', None
    if story.state == 'closed' or plan_state == 'superseded':
        good = story.closing is None or story.closing[1] in {
            'ZIEL', 'SELBSTSTEUERUNG', 'UEBERGABE'}
        weights = ([('achieved', 5), ('partly_achieved', 3),
                ('not_achieved', 1), ('dropped', 1)] if good else
            [('achieved', 1), ('partly_achieved', 2), ('not_achieved', 4),
                ('dropped', 2)])
        if plan_state == 'superseded':
            weights.append(('open', 4))
    else:
        weights = [('open', 6), ('partly_achieved', 2), ('achieved', 2)]
    status = pick(rng, weights)
    attainment = {
        'achieved': rng.choice([4, 5, 5]),
        'partly_achieved': rng.choice([2, 3, 3, 4]),
        'not_achieved': 1,
        'open': rng.choice([None, None, 2, 3]),
        'dropped': None,
        }[status]
    return status, attainment


def measure_status(rng, story, plan_state, due, today):
    if plan_state == 'draft':
        return 'planned'
    if story.state == 'closed' or plan_state == 'superseded':
        return pick(rng, [('done', 7), ('cancelled', 2), ('in_progress', 1)])
    if due < today:
        return pick(rng, [('done', 6), ('in_progress', 3), ('planned', 1),
                ('cancelled', 1)])
    return pick(rng, [('planned', 5), ('in_progress', 4)])


def create_contacts(ctx, stories):
    """Done contacts every two to five weeks over the life of each case and
    planned appointments of open cases in the coming three weeks"""
    pool = ctx.pool
    Contact = pool.get('kim.case.contact')
    ContactHandlungsfeld = pool.get('kim.case.contact-kim.handlungsfeld')
    rng = ctx.random
    today = real_today(ctx)
    now = dt.datetime.combine(today, dt.time(0, 0))
    handlungsfelder = {}
    for story in stories:
        handlungsfelder[story.case.id] = [h.id
            for _, _, needs, _ in story.assessments[:1]
            for h, n in needs.items() if n != 'none']
    vlist, states = [], []
    for story in stories:
        start = story.opened
        end = story.end if story.state in {'closed', 'closing'} else today
        date = start
        count = 0
        kommune = story.client
        while date <= end and count < 30:
            channel = pick(rng, CONTACT_CHANNELS)
            at = dt.datetime.combine(date, dt.time(
                    rng.choice([8, 9, 10, 11, 13, 14, 15]),
                    rng.choice([0, 15, 30, 45])))
            if at >= now:
                break
            vlist.append(contact_values(rng, story, at, channel, kommune,
                    handlungsfelder))
            states.append('done' if rng.random() < 0.93 else 'cancelled')
            count += 1
            if story.short:
                break
            date += dt.timedelta(days=rng.randint(14, 50))
        if story.state in {'assessment', 'planning', 'implementation',
                'closing', 'intake'}:
            for _ in range(rng.choice([0, 1, 1, 2])):
                day = today + dt.timedelta(days=rng.randint(1, 21))
                if day.weekday() >= 5:
                    day += dt.timedelta(days=7 - day.weekday())
                at = dt.datetime.combine(day, dt.time(
                        rng.choice([9, 10, 11, 13, 14]),
                        rng.choice([0, 30])))
                vlist.append(contact_values(rng, story, at,
                        pick(rng, CONTACT_CHANNELS[:3]), kommune,
                        handlungsfelder))
                states.append('planned')
    # created in their final state: done contacts lie in the past
    topics = []
    for values, state in zip(vlist, states):
        values['state'] = state
        topics.append(values.pop('handlungsfelder', []))
    contacts = create(Contact, vlist)
    create(ContactHandlungsfeld, [
            {'contact': c.id, 'handlungsfeld': h}
            for c, hs in zip(contacts, topics) for h in hs])
    done = states.count('done')
    cancelled = states.count('cancelled')
    ctx.log('%d contacts (%d done, %d planned)' % (len(contacts), done,
            len(contacts) - done - cancelled))


def contact_values(rng, story, at, channel, kommune, handlungsfelder):
    interpreter = bool(story.language) and channel in {
        'office', 'home_visit', 'outreach', 'video', 'phone'} and (
        rng.random() < 0.7)
    topics = handlungsfelder.get(story.case.id) or []
    values = {
        'case': story.case.id,
        'case_manager': story.manager,
        'subject': rng.choice(CONTACT_SUBJECTS),
        'start': at,
        'duration': {
            'office': rng.choice([45, 60, 60, 90]),
            'home_visit': rng.choice([60, 90, 120]),
            'outreach': rng.choice([30, 60]),
            'phone': rng.choice([10, 15, 20, 30]),
            'video': rng.choice([30, 45, 60]),
            'email': rng.choice([5, 10, 15]),
            'letter': rng.choice([10, 20]),
            }[channel],
        'channel': channel,
        'place': ("Anlaufstelle %s" % kommune.kommune_name
            if channel == 'office' else None),
        'kommune': kommune.kommune,
        'interpreter_used': interpreter,
        'interpreter_language': story.language if interpreter else None,
        'interpreter_from_pool': interpreter and rng.random() < 0.6,
        'note': "Gesprächsinhalte und Absprachen dokumentiert.",
        }
    if topics:
        values['handlungsfelder'] = rng.sample(
            topics, rng.randint(1, min(2, len(topics))))
    return values


def close_cases(ctx, stories):
    "Close the closed cases now that their history is written"
    Case = ctx.pool.get('kim.case')
    closed = [s.case for s in stories
        if s.state == 'closed' and not s.handed_over]
    for chunk in batches(closed):
        Case.write(chunk, {'state': 'closed'})
    ctx.log('%d cases closed' % len(closed))


# --- the network work: consents, referrals, conferences, handovers, notes ----
# A synthetic one-page "scan" of a signed form, attached to given consents
SCAN = (b'%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n'
    b'2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n'
    b'3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n'
    b'trailer<</Root 1 0 R>>\n%%EOF\n')
# Organisation types a client commonly releases from confidentiality towards
CONSENT_TYPES = ['jobcenter', 'abh', 'sozialamt', 'mbe', 'jmd', 'vhs',
    'fluechtlingsberatung', 'wohlfahrt', 'jugendamt', 'aa']
REVOCATION_REASONS = [
    "Die Klientin/der Klient möchte nicht, dass weiter Daten an das "
    "Jobcenter gehen (mündlich im Beratungsgespräch erklärt).",
    "Schriftlicher Widerruf per Brief; Gründe nicht genannt.",
    "Widerruf nach Streit mit einer beteiligten Stelle; Fallmanagement "
    "läuft ohne Datenweitergabe weiter.",
    "Widerruf im Beisein der Sprachmittlung erklärt und unterschrieben.",
    ]
OVERRIDE_REASONS = [
    "Akute Gefährdung des Kindeswohls: Meldung an das Jugendamt ohne "
    "Einwilligung nach Abwägung (§ 8a SGB VIII), Klientin nicht erreichbar.",
    "Drohender Wohnungsverlust in der Folgewoche; Klient im Krankenhaus und "
    "nicht einwilligungsfähig, Weitergabe nur der nötigsten Daten.",
    "Gefahr für Leib und Leben nach Drohungen; Weitergabe an die "
    "Beratungsstelle nach Rücksprache mit der Fachaufsicht.",
    ]
REFERRAL_TEXTS = [
    "Kurzvorstellung, Stand des Hilfeplans und Anliegen der Klientin/des "
    "Klienten; Unterlagen in Kopie beigefügt.",
    "Bitte um Termin für ein Erstgespräch; Sprachmittlung wird benötigt.",
    "Vermittlung nach Absprache im Hilfeplangespräch; Rückmeldung bitte an "
    "das Fallmanagement.",
    ]
FEEDBACKS = [
    "Beratung abgeschlossen; Ziel erreicht, Unterlagen liegen vor.",
    "Teilnahme regelmäßig; Maßnahme planmäßig beendet.",
    "Zwei Termine wahrgenommen, danach kein Kontakt mehr.",
    "Antrag gestellt und bewilligt; weitere Begleitung nicht nötig.",
    ]
REJECTIONS = [
    "Kein freier Platz in den nächsten drei Monaten; Warteliste angeboten.",
    "Nicht zuständig: Wohnort außerhalb des Einzugsgebiets.",
    "Voraussetzungen des Angebots nicht erfüllt.",
    ]
CONFERENCE_SUBJECTS = [
    "Fallkonferenz Übergang in Ausbildung", "Fallkonferenz Wohnen und "
    "Existenzsicherung", "Fallkonferenz Sprache und Arbeit",
    "Fallkonferenz Familie und Kinderbetreuung", "Fallkonferenz "
    "Aufenthalt und Beschäftigung", "Gemeinsame Hilfeplanung mit den "
    "beteiligten Stellen",
    ]
CONFERENCE_TASKS = [
    "Antrag vollständig einreichen", "Termin zur Anerkennungsberatung "
    "vereinbaren", "Kursplatz mit Kinderbetreuung klären",
    "Bescheid prüfen und Rückmeldung geben", "Unterlagen übersetzen lassen",
    "Wohnungsangebote weiterleiten", "Nächstes gemeinsames Gespräch "
    "vorbereiten", "Rückmeldung an das Fallmanagement",
    ]
NOTE_SUBJECTS = [
    "Telefonat mit dem Jobcenter", "Rückruf der Klientin/des Klienten",
    "Unterlagen eingegangen", "Absprache im Team", "Termin verschoben",
    "Stand Wohnungssuche", "Rückmeldung Kursträger",
    ]
CONFIDENTIAL_SUBJECTS = [
    ("Gesundheitliche Situation", "Berichtet von Schlafstörungen und "
        "Belastung; Hinweis auf psychosoziale Beratung gegeben."),
    ("Häusliche Situation", "Spannungen in der Familie angesprochen; "
        "Schutzmöglichkeiten erklärt, nächster Termin ohne Partner."),
    ("Aufenthaltsrechtliche Sorgen", "Angst vor Abschiebung geäußert; "
        "Verweis an die Rechtsberatung besprochen."),
    ]


class ConsentPlan:
    "A consent of a story: what it covers and when"
    __slots__ = ('story', 'values', 'purposes', 'recipients',
        'handlungsfelder', 'signed', 'valid_until', 'revoked', 'reason',
        'record', 'state')

    def __init__(self, **kwargs):
        for name in self.__slots__:
            setattr(self, name, kwargs.get(name))

    def last_day(self, today):
        "The last day on which the consent covers"
        days = [today]
        if self.valid_until:
            days.append(self.valid_until)
        if self.revoked:
            days.append(self.revoked - dt.timedelta(days=1))
        return min(days)

    def covers(self, purpose, organisation=None, handlungsfeld=None):
        return (self.state != 'draft' and purpose in self.purposes
            and (organisation is None or organisation in self.recipients)
            and (handlungsfeld is None
                or handlungsfeld in self.handlungsfelder))


def story_handlungsfelder(story):
    "The Handlungsfelder with a need in any assessment of the story"
    result = []
    for _, _, needs, _ in story.assessments:
        for h, need in needs.items():
            if need != 'none' and h.id not in result:
                result.append(h.id)
    return result


def in_cm(story):
    "Whether the story is a case in full case management"
    return not story.short and story.state != 'intake'


def create_consents(ctx, stories):
    """Schweigepflichtentbindungen: most clients in case management sign one
    near intake, for the Handlungsfelder of their assessment and the
    organisations of their Hilfeplan (and of a planned handover); drafts for
    a part of the current intakes. Given by the workflow (Consent.give) with
    a scan attached; revocations and expiries follow in finish_consents."""
    pool = ctx.pool
    Consent = pool.get('kim.consent')
    Attachment = pool.get('ir.attachment')
    Handlungsfeld = pool.get('kim.handlungsfeld')
    rng = ctx.random
    today = real_today(ctx)
    clock = dt.date.today()
    all_hfs = [h.id for h in Handlungsfeld.search([], order=[('id', 'ASC')])]
    orgs = organisation_infos(ctx)
    by_type = {}
    for org_id, (type_, _) in orgs.items():
        by_type.setdefault(type_, []).append(org_id)
    common = [o for t in CONSENT_TYPES for o in by_type.get(t, [])]
    statutory = {}
    for org_id, (type_, is_statutory) in orgs.items():
        if is_statutory:
            statutory.setdefault(type_, []).append(org_id)

    # external handovers of a part of the cases closed "Übergabe"
    for story in stories:
        story.handover = None
        story.handed_over = False
        if (story.state == 'closed' and not story.short
                and story.closing and story.closing[1] == 'UEBERGABE'
                and story.assessments and statutory
                and rng.random() < 0.6):
            hfs = story_handlungsfelder(story) or all_hfs[:1]
            codes = {h.code for _, _, n, _ in story.assessments for h in n}
            type_ = ('jugendamt' if codes & {'FAMILIE', 'BILDUNG'}
                and 'jugendamt' in statutory and rng.random() < 0.4
                else 'jobcenter' if 'jobcenter' in statutory
                else rng.choice(sorted(statutory)))
            story.handover = (rng.choice(statutory[type_]),
                rng.sample(hfs, min(len(hfs), rng.randint(1, 2))))

    plans = []
    for story in stories:
        if story.state == 'intake':
            if story.short or rng.random() > 0.6:
                continue
            # a form handed out at the intake, not yet signed
            plans.append(ConsentPlan(story=story, state='draft',
                    purposes=['case_management', 'transfer'],
                    recipients=set(rng.sample(common, min(2, len(common)))),
                    handlungsfelder=set(rng.sample(all_hfs, 2))))
            continue
        if not in_cm(story):
            continue
        if story.handover is None and rng.random() > (
                0.6 if story.state == 'cancelled' else 0.88):
            continue
        signed = min(story.opened + dt.timedelta(days=rng.randint(0, 14)),
            story.end, today)
        purposes = ['case_management']
        if rng.random() < 0.95 or story.handover:
            purposes.append('transfer')
        if rng.random() < 0.6:
            purposes.append('case_conference')
        if 'case_conference' in purposes or rng.random() < 0.4:
            # a Fallkonferenz with partners is communication in the network
            purposes.append('network')
        hfs = story_handlungsfelder(story) or rng.sample(all_hfs, 3)
        if len(hfs) > 1 and rng.random() < 0.15:
            # the client left one topic out
            hfs = hfs[:-1]
        hfs = set(hfs)
        recipients = {m.organisation for m in story.measures}
        recipients.update(rng.sample(common, min(len(common),
                    rng.randint(1, 3))))
        if recipients and len(recipients) > 2 and rng.random() < 0.1:
            recipients.discard(rng.choice(sorted(recipients)))
        if story.handover:
            recipients.add(story.handover[0])
            hfs.update(story.handover[1])
        valid_until = None
        if rng.random() < 0.35:
            valid_until = signed + dt.timedelta(days=rng.choice([365, 730]))
        plan = ConsentPlan(story=story, state='given', purposes=purposes,
            recipients=recipients, handlungsfelder=hfs, signed=signed,
            valid_until=valid_until)
        if (not story.handover and valid_until is None
                and (today - signed).days > 60 and rng.random() < 0.06):
            plan.revoked = _date_between(rng,
                signed + dt.timedelta(days=30), min(story.end, today))
            plan.reason = rng.choice(REVOCATION_REASONS)
        plans.append(plan)
    for plan in plans:
        plan.story.consents.append(plan)
        plan.values = {
            'client': plan.story.client.id,
            'purposes': plan.purposes,
            'recipients': [('add', sorted(plan.recipients))],
            'handlungsfelder': [('add', sorted(plan.handlungsfelder))],
            'language': plan.story.language,
            'signed_date': plan.signed,
            # a validity that ends before the clock's today is set once the
            # referrals are sent, which check the consent in force today
            'valid_until': (plan.valid_until
                if plan.valid_until and plan.valid_until >= clock else None),
            'notes': ("Formular in der Herkunftssprache und auf Deutsch "
                "ausgehändigt und erklärt." if plan.story.language else None),
            }
    records = create(Consent, [p.values for p in plans])
    for plan, record in zip(plans, records):
        plan.record = record
    given = [p for p in plans if p.state == 'given']
    # nearly every signed form is scanned (one stored file for all)
    scanned = [p for p in given if rng.random() < 0.92]
    create(Attachment, [{
                'name': 'Schweigepflichtentbindung-%s.pdf' % p.signed,
                'resource': str(p.record),
                'type': 'data',
                'data': SCAN,
                'description': "Unterschriebenes Formular (Scan)",
                } for p in scanned])
    for chunk in batches([p.record for p in given]):
        Consent.give(Consent.browse([c.id for c in chunk]))
    ctx.log('%d consents (%d given, %d drafts), %d scans attached' % (
            len(plans), len(given), len(plans) - len(given), len(scanned)))


def organisation_infos(ctx):
    "{organisation id: (type key, statutory case management)}"
    type_of = {}
    for key, records in (ctx.registry.get('organisations_by_type')
            or {}).items():
        for record in records:
            type_of[record.id] = key
    ki = ctx.registry.get('ki')
    result = {}
    for org in fresh(ctx.registry.get('organisations')):
        if ki and org.id == ki.id:
            continue
        result[org.id] = (type_of.get(org.id),
            bool(org.kim_statutory_case_management))
    return result


def covering(story, purpose, organisation, handlungsfeld, date, today):
    "The consent plan of story in force on date for the transfer, or None"
    for plan in reversed(story.consents):
        if (plan.covers(purpose, organisation, handlungsfeld)
                and plan.signed <= date <= plan.last_day(today)):
            return plan


def create_referrals(ctx, stories):
    """Referrals of the partner measures of the Hilfepläne to their
    organisation: sent (Referral.send) where a consent covers the
    organisation and Handlungsfeld, then answered and completed with feedback
    by their age; drafts where no consent covers yet, and a few sent by the
    Fachaufsicht without consent, with a written reason."""
    pool = ctx.pool
    Referral = pool.get('kim.case.referral')
    User = pool.get('res.user')
    from trytond.transaction import Transaction
    rng = ctx.random
    today = real_today(ctx)
    contacts = {}
    for contact in fresh(ctx.registry.get('contacts')):
        contacts.setdefault(contact.organisation.id, []).append(contact.id)
    open_states = {'assessment', 'planning', 'implementation', 'closing'}
    n_overrides = max(2, len(stories) // 150)

    vlist, finals, uncovered = [], [], []
    for story in stories:
        if story.state == 'cancelled':
            continue
        horizon = min(story.end, today)
        for measure in story.measures:
            if measure.status == 'cancelled' or rng.random() > 0.45:
                continue
            start = measure.agreed + dt.timedelta(days=rng.randint(0, 10))
            if measure.plan_state == 'draft' or start > horizon:
                sent, plan = None, None
            else:
                sent = _date_between(rng, start, min(horizon,
                        start + dt.timedelta(days=60)))
                plan = covering(story, 'transfer', measure.organisation,
                    measure.handlungsfeld, sent, today)
                if plan:
                    sent = max(sent, plan.signed)
            values = {
                'case': story.case.id,
                'measure': measure.id,
                'service': measure.service,
                'organisation': measure.organisation,
                'contact': (rng.choice(contacts[measure.organisation])
                    if contacts.get(measure.organisation)
                    and rng.random() < 0.7 else None),
                'handlungsfeld': measure.handlungsfeld,
                'purpose': measure.name,
                'description': rng.choice(REFERRAL_TEXTS),
                'case_manager': story.manager,
                }
            if plan:
                # the consent must cover until the organisation answered
                last = min(horizon, plan.last_day(today))
                state = referral_outcome(rng, story, (today - sent).days)
                answer = completed = None
                if state in {'accepted', 'rejected', 'completed'}:
                    answer = min(sent + dt.timedelta(
                            days=rng.randint(1, 21)), last)
                    if answer < sent:
                        answer = sent
                if state == 'completed':
                    completed = max(answer, min(answer + dt.timedelta(
                                days=rng.randint(14, 180)), horizon))
                values.update({
                        'sent_date': sent,
                        'answer_date': answer,
                        'completed_date': completed,
                        'feedback': (rng.choice(FEEDBACKS)
                            if state == 'completed' else None),
                        'rejection_reason': (rng.choice(REJECTIONS)
                            if state == 'rejected' else None),
                        })
                vlist.append(values)
                finals.append(state)
            elif story.state in open_states and (
                    sent is None or rng.random() < 0.5):
                vlist.append(values)
                finals.append('draft')
                if sent is not None and story.state in {
                        'implementation', 'closing'}:
                    uncovered.append(len(vlist) - 1)
    # a few sent without consent by the Fachaufsicht
    overrides = set(rng.sample(uncovered, min(n_overrides, len(uncovered))))
    for index in overrides:
        finals[index] = 'override'
        vlist[index]['sent_date'] = today - dt.timedelta(
            days=rng.randint(0, 20))
    referrals = create(Referral, vlist, SMALL_BATCH)
    by_state = {}
    for referral, state in zip(referrals, finals):
        by_state.setdefault(state, []).append(referral.id)

    def run(method, states):
        ids = [i for s in states for i in by_state.get(s, [])]
        # sending logs an event per referral, which clears the cache of the
        # records read: small chunks keep the re-reads small
        for chunk in batches(ids, SEND_BATCH):
            method(Referral.browse(chunk))
    # sent as root: the warnings on missing cooperation agreements are the
    # case manager's to skip
    run(Referral.send, ['sent', 'accepted', 'rejected', 'completed',
            'cancelled'])
    supervisors = User.search([('login', '=', 'fachaufsicht')], limit=1)
    user = supervisors[0].id if supervisors else 0
    with Transaction().set_user(user), \
            Transaction().set_context(_skip_warnings=True):
        for index, reason in zip(sorted(overrides),
                rng.choices(OVERRIDE_REASONS, k=len(overrides))):
            Referral.send_with_override(
                Referral.browse([referrals[index].id]), reason)
    run(Referral.accept, ['accepted', 'completed'])
    run(Referral.reject, ['rejected'])
    run(Referral.complete, ['completed'])
    run(Referral.cancel, ['cancelled'])
    ctx.log('%d referrals (%s)' % (len(referrals), ', '.join(
                '%d %s' % (len(by_state[s]), s) for s in sorted(by_state))))


def referral_outcome(rng, story, age):
    "The state of a referral sent age days ago"
    if story.state in {'closed', 'closing'}:
        return pick(rng, [('completed', 65), ('rejected', 12),
                ('accepted', 8), ('cancelled', 10), ('sent', 0)])
    if age < 14:
        return pick(rng, [('sent', 7), ('accepted', 3)])
    if age < 60:
        return pick(rng, [('sent', 2), ('accepted', 5), ('rejected', 1),
                ('completed', 2)])
    return pick(rng, [('completed', 55), ('accepted', 25), ('rejected', 12),
            ('cancelled', 8)])


def create_conferences(ctx, stories):
    """Fallkonferenzen of a part of the cases whose client consented to
    them: held ones with participants, results and agreed tasks, cancelled
    ones, and planned or confirmed ones in the coming weeks"""
    pool = ctx.pool
    Conference = pool.get('kim.case.conference')
    rng = ctx.random
    today = real_today(ctx)
    now = dt.datetime.combine(today, dt.time(0, 0))
    orgs = {o.id: o.name for o in fresh(ctx.registry.get('organisations'))}
    vlist, finals = [], []
    for story in stories:
        if story.state not in {'implementation', 'closing', 'closed'} or (
                story.short or rng.random() > (
                    0.25 if story.state == 'implementation' else 0.12)):
            continue
        plans = [p for p in story.consents if p.covers('case_conference')
            and p.covers('network')]
        if not plans:
            continue
        plan = plans[-1]
        start = story.opened + dt.timedelta(days=rng.randint(40, 120))
        last = min(story.end, plan.last_day(today)) - dt.timedelta(days=1)
        future = story.state == 'implementation' and rng.random() < 0.5
        if future:
            day = today + dt.timedelta(days=rng.randint(2, 25))
            if plan.last_day(today) < today:
                continue
        elif start > last:
            continue
        else:
            day = _date_between(rng, start, last)
        if day.weekday() >= 5:
            day -= dt.timedelta(days=day.weekday() - 4)
        at = dt.datetime.combine(day, dt.time(rng.choice([9, 10, 13, 14]),
                rng.choice([0, 30])))
        if not future and at >= now:
            continue
        if future:
            state = 'confirmed' if rng.random() < 0.5 else 'planned'
        else:
            state = 'cancelled' if rng.random() < 0.12 else 'held'
        externals = sorted(plan.recipients & ({m.organisation
                    for m in story.measures} or plan.recipients)) or sorted(
            plan.recipients)
        externals = rng.sample(externals, min(len(externals),
                rng.randint(1, 3)))
        participants = [{
                'external': False,
                'employee': story.manager,
                'role': "Fallmanagement (Moderation)",
                }]
        for org in externals:
            participants.append({
                    'external': True,
                    'organisation': org,
                    'person': '%s %s' % ctx.names.person(),
                    'role': "Fachkraft",
                    'attended': state != 'held' or rng.random() < 0.9,
                    })
        if story.language:
            participants.append({
                    'external': True,
                    'person': '%s %s' % ctx.names.person(),
                    'role': "Sprachmittlung",
                    })
        values = {
            'case': story.case.id,
            'subject': rng.choice(CONFERENCE_SUBJECTS),
            'start': at,
            'duration': rng.choice([60, 90, 90, 120]),
            'channel': pick(rng, [('in_person', 6), ('hybrid', 2),
                    ('video', 2), ('phone', 1)]),
            'place': "Anlaufstelle %s" % story.client.kommune_name,
            'organiser': story.manager,
            'client_present': rng.random() < 0.85,
            'participants': [('create', participants)],
            }
        if state == 'held':
            who = [orgs.get(o, "Netzwerkpartner") for o in externals] + [
                "Klient*in", "Fallmanagement"]
            values['results'] = (
                "Lage gemeinsam eingeschätzt; Zuständigkeiten "
                "geklärt und im Hilfeplan übernommen.")
            values['tasks'] = [('create', [{
                            'sequence': i,
                            'name': name,
                            'who': rng.choice(who),
                            'due_date': day + dt.timedelta(
                                days=rng.randint(14, 60)),
                            'done': (day + dt.timedelta(days=60) < today
                                and rng.random() < 0.85),
                            } for i, name in enumerate(rng.sample(
                                CONFERENCE_TASKS, rng.randint(2, 4)), 1)])]
        vlist.append(values)
        finals.append(state)
    conferences = create(Conference, vlist, SMALL_BATCH)
    by_state = {}
    for conference, state in zip(conferences, finals):
        by_state.setdefault(state, []).append(conference.id)
    for state, method in [('confirmed', Conference.confirm),
            ('held', Conference.hold), ('cancelled', Conference.cancel)]:
        for chunk in batches(by_state.get(state, []), SEND_BATCH):
            method(Conference.browse(chunk))
    ctx.log('%d case conferences (%s)' % (len(conferences), ', '.join(
                '%d %s' % (len(by_state[s]), s) for s in sorted(by_state))))


def create_handovers(ctx, stories, teams):
    """Handovers: to a colleague of the team for a few open cases (the case
    manager changes), to the statutory case management of the Jobcenter or
    Jugendamt for a part of the cases closed "Übergabe" (which closes them),
    and a few drafts planned for the coming weeks"""
    pool = ctx.pool
    Handover = pool.get('kim.case.handover')
    Event = pool.get('kim.case.event')
    from trytond.transaction import Transaction
    rng = ctx.random
    today = real_today(ctx)
    members = {t.id: [m.id for m in t.members] for t in teams}
    jobcenters = [o for o, (type_, statutory)
        in sorted(organisation_infos(ctx).items())
        if type_ == 'jobcenter' and statutory]

    def person():
        return '%s %s' % ctx.names.person()
    vlist, finals, stories_of = [], [], []
    for story in stories:
        if story.handover:
            org, hfs = story.handover
            vlist.append({
                    'case': story.case.id,
                    'kind': 'external',
                    'date': story.end,
                    'organisation': org,
                    'contact_person': person(),
                    'handlungsfelder': [('add', hfs)],
                    'warm': rng.random() < 0.8,
                    'client_present': rng.random() < 0.9,
                    'participants': "Klient*in, Fallmanagement, "
                    "Fallmanagement der übernehmenden Stelle",
                    'reason': "Die übernehmende Stelle führt das "
                    "Fallmanagement in eigener Zuständigkeit fort; "
                    "Hilfeplan und Unterlagen übergeben, Rückmeldung nach "
                    "drei Monaten vereinbart.",
                    })
            finals.append('done')
            stories_of.append(story)
            continue
        if story.short or story.state not in {'planning', 'implementation'}:
            continue
        colleagues = [m for m in members.get(story.team, [])
            if m != story.manager]
        if colleagues and rng.random() < 0.05:
            date = max(story.opened, today - dt.timedelta(
                    days=rng.randint(3, 60)))
            vlist.append({
                    'case': story.case.id,
                    'kind': 'internal',
                    'date': date,
                    'to_case_manager': rng.choice(colleagues),
                    'warm': rng.random() < 0.7,
                    'client_present': rng.random() < 0.7,
                    'reason': rng.choice([
                            "Elternzeit der bisherigen Fallmanagerin.",
                            "Umzug der Klientin/des Klienten in eine Kommune "
                            "des anderen Teams.",
                            "Ausgleich der Fallzahlen im Team.",
                            "Wunsch der Klientin/des Klienten nach einem "
                            "Wechsel."]),
                    })
            finals.append('cancelled' if rng.random() < 0.1 else 'done')
            stories_of.append(story)
        elif story.state == 'implementation' and rng.random() < 0.01:
            vlist.append({
                    'case': story.case.id,
                    'kind': 'external',
                    'date': today + dt.timedelta(days=rng.randint(7, 21)),
                    'organisation': (rng.choice(jobcenters)
                        if jobcenters else None),
                    'warm': True,
                    'client_present': True,
                    'reason': "Übergabe an das Fallmanagement des "
                    "Jobcenters geplant; gemeinsames Gespräch vereinbart.",
                    })
            finals.append('draft')
            stories_of.append(story)
    handovers = create(Handover, vlist, SMALL_BATCH)
    by_state = {}
    for handover, state, story in zip(handovers, finals, stories_of):
        by_state.setdefault(state, []).append(handover.id)
        if state == 'done':
            if story.handover:
                story.handed_over = True
            else:
                story.manager = next(v['to_case_manager'] for v in vlist
                    if v['case'] == story.case.id)
    for chunk in batches(by_state.get('done', []), SEND_BATCH):
        Handover.do(Handover.browse(chunk))
    for chunk in batches(by_state.get('cancelled', []), SMALL_BATCH):
        Handover.cancel(Handover.browse(chunk))
    # the close by the handover logged its state changes today: on the day
    event = Event.__table__()
    cursor = Transaction().connection.cursor()
    clock = dt.date.today()
    for story in stories:
        if story.handed_over:
            cursor.execute(*event.update([event.date], [story.end],
                    where=(event.case == story.case.id)
                    & (event.type == 'state_change')
                    & (event.date == clock)))
    ctx.log('%d handovers (%s)' % (len(handovers), ', '.join(
                '%d %s' % (len(by_state[s]), s) for s in sorted(by_state))))


def create_households(ctx, stories):
    """Families of about a third of the clients: a partner and children in
    the household, some relatives abroad waiting for family reunification;
    half of those cases cover the household members living with the
    client. The members are no clients: they are seen only with their
    client's cases."""
    pool = ctx.pool
    Party = pool.get('party.party')
    Household = pool.get('kim.client.household')
    CaseMember = pool.get('kim.case-party.party.household')
    rng = ctx.random
    today = real_today(ctx)
    clients = {r['id']: r for r in Party.read(
            [s.client.id for s in stories], ['name', 'kim_birth_date'])}
    members, lines, covered = [], [], []
    for story in stories:
        if rng.random() > 0.35:
            continue
        client = clients[story.client.id]
        last = client['name'].rsplit(' ', 1)[-1]
        birth = client['kim_birth_date'] or today - dt.timedelta(
            days=30 * 365)
        family = []
        if rng.random() < 0.6:
            family.append(('spouse', birth + dt.timedelta(
                        days=rng.randint(-6 * 365, 6 * 365))))
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4])):
            start = max(birth + dt.timedelta(days=18 * 365),
                today - dt.timedelta(days=17 * 365))
            if start >= today:
                break
            family.append(('child', start + dt.timedelta(
                        days=rng.randint(0, (today - start).days))))
        if rng.random() < 0.1:
            family.append(('parent', birth - dt.timedelta(
                        days=rng.randint(22 * 365, 35 * 365))))
        abroad = rng.random() < 0.15
        for i, (relation, born) in enumerate(family):
            first, _ = ctx.names.person()
            away = abroad and i == 0
            members.append({
                    'name': '%s %s' % (first, last),
                    'kim_birth_date': min(born, today),
                    })
            lines.append({
                    'client': client['id'],
                    'relation': relation,
                    'same_household': not away,
                    'family_reunification': (
                        pick(rng, [('planned', 2), ('applied', 2),
                                ('done', 1)]) if away else None),
                    })
            covered.append(story.case.id
                if not away and rng.random() < 0.5 else None)
    sequence = Party._code_sequence()
    if sequence and members:
        for values, code in zip(members, sequence.get_many(len(members))):
            values['code'] = code
    parties = create(Party, members)
    for values, party in zip(lines, parties):
        values['member'] = party.id
    create(Household, lines)
    create(CaseMember, [{'case': case, 'party': party.id}
            for case, party in zip(covered, parties) if case])
    ctx.log('%d household and family members of %d clients, %d covered by '
        'the case' % (len(parties), len({l['client'] for l in lines}),
            sum(1 for c in covered if c)))


def create_notes(ctx, stories):
    """Notes of the case managers on their cases, some confidential (for the
    case manager in charge and the Fachaufsicht only)"""
    Note = ctx.pool.get('kim.case.note')
    rng = ctx.random
    today = real_today(ctx)
    vlist = []
    for story in stories:
        count = (rng.choice([0, 0, 0, 1]) if story.short
            else rng.choice([0, 1, 1, 2, 3]))
        for _ in range(count):
            day = _date_between(rng, story.opened, min(story.end, today))
            at = dt.datetime.combine(day, dt.time(rng.randint(8, 16),
                    rng.choice([0, 10, 20, 30, 40, 50])))
            if not story.short and rng.random() < 0.15:
                subject, text = rng.choice(CONFIDENTIAL_SUBJECTS)
                confidential = True
            else:
                subject = rng.choice(NOTE_SUBJECTS)
                text = "Kurz festgehalten; nächste Schritte im Hilfeplan."
                confidential = False
            vlist.append({
                    'case': story.case.id,
                    'date': at,
                    'author': story.manager,
                    'subject': subject,
                    'text': text,
                    'confidential': confidential,
                    })
    create(Note, vlist)
    ctx.log('%d notes (%d confidential)' % (len(vlist),
            len([v for v in vlist if v['confidential']])))


def finish_consents(ctx, stories):
    """The revocations (Consent.do_revoke with the client's reason), the
    validity of the consents that ended (Consent.expire) and renewed consents
    of the open cases whose consent expired"""
    pool = ctx.pool
    Consent = pool.get('kim.consent')
    Attachment = pool.get('ir.attachment')
    from trytond.transaction import Transaction
    rng = ctx.random
    today = real_today(ctx)
    clock = dt.date.today()
    plans = [p for s in stories for p in s.consents]
    revoked = [p for p in plans if p.revoked]
    for plan in revoked:
        Consent.do_revoke([Consent(plan.record.id)], plan.reason,
            date=plan.revoked)
    ended = [p for p in plans if p.state == 'given' and p.valid_until
        and p.valid_until < clock]
    table = Consent.__table__()
    cursor = Transaction().connection.cursor()
    for plan in ended:
        cursor.execute(*table.update([table.valid_until], [plan.valid_until],
                where=table.id == plan.record.id))
    # the records read before the SQL update must not be served from cache
    Transaction().counter += 1
    for cache in Transaction().cache.values():
        cache.clear()
    expired = Consent.expire(today)
    # open cases: the client signed again shortly before the end
    renewals = []
    for plan in ended:
        story = plan.story
        if (plan.valid_until < today and story.state in {
                    'assessment', 'planning', 'implementation'}
                and rng.random() < 0.7):
            values = dict(plan.values)
            values['signed_date'] = max(plan.signed, plan.valid_until
                - dt.timedelta(days=rng.randint(0, 20)))
            values['valid_until'] = None
            renewals.append(values)
    records = create(Consent, renewals)
    create(Attachment, [{
                'name': 'Schweigepflichtentbindung-%s.pdf' % (
                    v['signed_date']),
                'resource': str(r),
                'type': 'data',
                'data': SCAN,
                'description': "Unterschriebenes Formular (Scan)",
                } for r, v in zip(records, renewals)])
    for chunk in batches(records):
        Consent.give(Consent.browse([c.id for c in chunk]))
    ctx.log('%d consents revoked, %d expired, %d renewed' % (
            len(revoked), len(expired), len(records)))
