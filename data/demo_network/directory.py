"""The fictional Kreis Musterland: its Kommunen, organisations and their
contact persons (tables in kreis.json)"""
from demokit import tables

KREIS = 'Kreis Musterland'
KI_NAME = 'Kommunales Integrationszentrum Kreis Musterland'
NET = 'kim_network.'
EMAIL_DOMAIN = 'musterland.example'
_T = tables(__file__, 'kreis.json')
# (name, AGS, size class, population, ABH, EBB, Jugendamt, Jobcenter office,
#  postal code). AGS 05 9 99 xxx: NRW, Regierungsbezirk Arnsberg, a Kreis
# number that does not exist.
KOMMUNEN = _T['kommunen']
LARGE = _T['large']
STREETS = _T['streets']
# (key, type, name, Kommune or None for the whole Kreis, Träger key,
#  Träger kind). Ordered by importance: a smaller demo takes the first ones.
ORGANISATIONS = _T['organisations']
# For demos larger than the list: (type, name pattern, Träger kind)
EXTRA_ORGANISATIONS = _T['extra_organisations']
# Rechtskreise by organisation type
RECHTSKREISE = _T['rechtskreise']
FUNDING = _T['funding']
FUNDING_BY_TYPE = _T['funding_by_type']
# Languages beyond German, as often as they are asked for
LANGUAGES = _T['languages']
LANGUAGES_BY_TYPE = _T['languages_by_type']
POSITIONS = _T['positions']


def create_kommunen(ctx):
    Kommune = ctx.pool.get('kim.kommune')
    vlist = []
    for seq, (name, ags, size, pop, abh, ebb, ja, jc, _) in enumerate(
            KOMMUNEN, 1):
        vlist.append({
                'name': name, 'ags': ags, 'size_class': size,
                'population': pop, 'sequence': seq * 10,
                'has_auslaenderbehoerde': abh,
                'has_einbuergerungsbehoerde': ebb,
                'has_jugendamt': ja, 'has_jobcenter': jc,
                })
    return Kommune.create(vlist)


def _slug(text):
    table = str.maketrans({'ä': 'ae', 'ö': 'oe', 'ü': 'ue', 'ß': 'ss',
            'Ä': 'ae', 'Ö': 'oe', 'Ü': 'ue', 'ğ': 'g', 'ş': 's', 'ć': 'c',
            'ı': 'i'})
    text = text.translate(table).lower()
    return ''.join(c if c.isalnum() else '-' for c in text).strip('-')


def _phone(rng):
    # ranges reserved for film and TV productions (fictional numbers)
    return rng.choice(['040 66969', '030 23125', '069 90009']) + (
        ' %03d' % rng.randrange(1000))


def _address(ctx, kommune, kommune_rec):
    rng = ctx.random
    postal = next(k[8] for k in KOMMUNEN if k[0] == kommune)
    return {
        'street': '%s %d' % (rng.choice(STREETS), rng.randint(1, 120)),
        'postal_code': postal,
        'city': kommune,
        'kim_kommune': kommune_rec.id,
        'kim_barrier_free': rng.random() < 0.6,
        }


def organisation_plan(ctx, n):
    "Return n (key, type, name, kommune, traeger key, kind) tuples"
    plan = list(ORGANISATIONS[:n])
    names = [k[0] for k in KOMMUNEN]
    i = 0
    while len(plan) < n:
        type_, pattern, kind = EXTRA_ORGANISATIONS[
            i % len(EXTRA_ORGANISATIONS)]
        kommune = names[(i * 5 + 3) % len(names)]
        round_ = i // (len(EXTRA_ORGANISATIONS) * len(names))
        name = pattern % kommune + (' %d' % (round_ + 1) if round_ else '')
        plan.append(('extra%d' % i, type_, name, kommune, None, kind))
        i += 1
    return plan


def create_organisations(ctx, n, kommunen):
    rng = ctx.random
    Party = ctx.pool.get('party.party')
    OrgType = ctx.pool.get('kim.organisation_type')
    plan = organisation_plan(ctx, n)
    keys = {p[0] for p in plan}
    all_names = [k[0] for k in KOMMUNEN]
    vlist = []
    for key, type_, name, kommune, traeger, kind in plan:
        org_type = OrgType(ctx.ref(NET + 'organisation_type_' + type_))
        languages = ['de']
        for pattern, langs in LANGUAGES_BY_TYPE.get(type_, {}).items():
            if pattern in name:
                languages += langs
        extra = {'ki': 4, 'mbe': 4, 'jmd': 3, 'fluechtlingsberatung': 4,
            'vhs': 3, 'integrationsagentur': 2, 'jobcenter': 2,
            'abh': 1}.get(type_, rng.randint(0, 2))
        target = len(languages) + extra
        for _ in range(100):
            if len(languages) >= target:
                break
            lang = rng.choice(LANGUAGES)
            if lang not in languages:
                languages.append(lang)
        if type_ == 'mso' and 'en' not in languages and rng.random() < .3:
            languages.append('en')
        whole = kommune is None
        if whole:
            catchment = []
            site_kommune = 'Musterstadt' if type_ != 'kammer' else 'Erlenbrück'
        else:
            catchment = [kommune]
            if type_ in ('mbe', 'jmd', 'fluechtlingsberatung', 'mso',
                    'bildungstraeger', 'sonstige') and rng.random() < .7:
                # neighbouring Kommunen without their own office
                catchment += rng.sample(
                    [k for k in all_names[6:] if k != kommune],
                    rng.randint(1, 3))
            site_kommune = kommune
        addresses = [_address(ctx, site_kommune, kommunen[site_kommune])]
        if whole and type_ in ('ki', 'jobcenter', 'vhs', 'abh', 'jugendamt'):
            # branch offices
            for branch in rng.sample(
                    [k for k in all_names[1:7] if k != site_kommune],
                    2 if type_ != 'ki' else 1):
                addresses.append(_address(ctx, branch, kommunen[branch]))
        domain = '%s.%s' % (key.replace('_', '-'), EMAIL_DOMAIN)
        mechanisms = [
            {'type': 'phone', 'value': _phone(rng)},
            {'type': 'email', 'value': 'info@' + domain},
            {'type': 'website', 'value': 'https://www.' + domain},
            ]
        notes = None
        if type_ == 'ki':
            notes = ("KIM-Geschäftsstelle des %s. Koordiniert das "
                "Case Management und die Steuerungsgruppe." % KREIS)
        elif rng.random() < .3:
            notes = rng.choice([
                    "Feste Ansprechperson für Zuweisungen vorhanden.",
                    "Personalwechsel im letzten Quartal, Kontakt prüfen.",
                    "Nimmt am Arbeitskreis Migration des Kreises teil.",
                    "Sprechzeiten in den Sommerferien eingeschränkt.",
                    ])
        vlist.append({
                'name': name,
                'kim_organisation_type': org_type.id,
                'kim_traeger_kind': kind,
                'kim_whole_kreis': whole,
                'kim_kommunen': [('add', [kommunen[k].id
                            for k in catchment])],
                'kim_rechtskreise': [('add', [
                            ctx.ref(NET + 'rechtskreis_' + r)
                            for r in RECHTSKREISE.get(type_, [])])],
                'kim_statutory_case_management': (
                    org_type.statutory_case_management),
                'kim_jmd_mbe_staffing': type_ in ('mbe', 'jmd'),
                'kim_funding_source': FUNDING_BY_TYPE.get(type_)
                or rng.choice(FUNDING[kind]),
                'kim_languages': [('add', [
                            ctx.ref(NET + 'language_' + c)
                            for c in languages])],
                'kim_notes': notes,
                'addresses': [('create', addresses)],
                'contact_mechanisms': [('create', mechanisms)],
                })
    orgs = Party.create(vlist)
    # Träger hierarchy
    by_key = {p[0]: org for p, org in zip(plan, orgs)}
    to_write = []
    for (key, _, _, _, traeger, _), org in zip(plan, orgs):
        if traeger and traeger in keys:
            to_write.extend(([org], {'kim_traeger': by_key[traeger].id}))
    if to_write:
        Party.write(*to_write)
    ctx.registry['_plan'] = list(zip(plan, orgs))
    return orgs


def create_contacts(ctx, orgs):
    rng = ctx.random
    Party = ctx.pool.get('party.party')
    Contact = ctx.pool.get('kim.organisation.contact')
    people, rows = [], []
    used = set()
    for (key, type_, name, *_), org in ctx.registry['_plan']:
        n = 1 if type_ in ('ehrenamt', 'arbeitgeber', 'integrationsrat') \
            else rng.randint(2, 3)
        functions = ['management'] + ['operative'] * (n - 1)
        if type_ in ('ki', 'jobcenter', 'abh') or rng.random() < .15:
            functions.append('data_protection')
        for function in functions:
            while True:
                first, last = ctx.names.person()
                if (first, last) not in used:
                    used.add((first, last))
                    break
            domain = (org.contact_mechanisms[1].value.split('@', 1)[1]
                if len(org.contact_mechanisms) > 1 else EMAIL_DOMAIN)
            people.append({'name': '%s %s' % (first, last)})
            rows.append((org, function, {
                        'position': rng.choice(POSITIONS[function]),
                        'email': '%s.%s@%s' % (_slug(first), _slug(last),
                            domain),
                        'phone': _phone(rng),
                        }))
    persons = Party.create(people)
    vlist = []
    for person, (org, function, values) in zip(persons, rows):
        values.update({'organisation': org.id, 'person': person.id,
                'function': function})
        vlist.append(values)
    return Contact.create(vlist)
