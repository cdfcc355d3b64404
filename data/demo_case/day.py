"""The case manager's day in the demo: what the Wiedervorlage, the network
of a case and the client documents need beyond the case history.

Runs last (its own random stream, so the data before it stays the same for
the same seed): an agreed contact rhythm on a part of the open cases, the
unaccompanied minors among the clients about to come of age, the services
and persons involved in the open cases (Jobcenter Fallmanagement for
clients with SGB II, the Ausländerbehörde, JMD or MBE, volunteers) and the
language of the documents of the clients who need Sprachmittlung.
"""
import datetime as dt
import random

from demokit import batches, create, real_today

from .consents import organisation_infos

OPEN = {'intake', 'assessment', 'planning', 'implementation'}
ROLE_OF_TYPE = {
    'jobcenter': 'jobcenter',
    'abh': 'immigration_office',
    'jmd': 'jmd',
    'mbe': 'mbe',
    'jugendamt': 'youth_office',
    }
TASKS = {
    'jobcenter': "Fallmanagement SGB II, Eingliederungsvereinbarung",
    'immigration_office': "Aufenthaltsrechtliche Fragen",
    'jmd': "Begleitung Ausbildungssuche",
    'mbe': "Migrationsberatung, Anerkennung von Abschlüssen",
    'youth_office': "Hilfen zur Erziehung",
    'volunteer': "Begleitung zu Terminen, Hausaufgabenhilfe",
    }


def generate(ctx, stories):
    pool = ctx.pool
    Case = pool.get('kim.case')
    Party = pool.get('party.party')
    Actor = pool.get('kim.case.actor')
    rng = random.Random('%s-day' % ctx.seed)
    today = real_today(ctx)
    open_stories = [s for s in stories if s.state in OPEN]

    # the contact rhythm agreed with the client
    rhythm = {}
    for story in open_stories:
        if story.state == 'implementation' and rng.random() < 0.35:
            rhythm.setdefault(rng.choice([14, 14, 28, 28, 42]), []).append(
                story.case.id)
    for days, ids in rhythm.items():
        for chunk in batches(ids):
            Case.write(Case.browse(chunk), {'contact_rhythm': days})

    # unaccompanied minors who come of age
    uma = [s.client.id for s in open_stories
        if s.client.birth and dt.timedelta(days=15 * 365)
        < today - s.client.birth < dt.timedelta(days=18 * 365)]
    uma = sorted(uma)[:max(3, len(uma) // 4)]
    if uma:
        Party.write(Party.browse(uma), {'kim_uma': True})

    # the network of the open cases
    by_role = {}
    for org, (type_, _) in sorted(organisation_infos(ctx).items()):
        role = ROLE_OF_TYPE.get(type_)
        if role:
            by_role.setdefault(role, []).append(org)
    vlist = []
    for story in open_stories:
        if story.short:
            continue
        case = story.case
        roles = []
        codes = {r.code for r in case.rechtskreise}
        if 'SGB2' in codes or rng.random() < 0.1:
            roles.append('jobcenter')
        if rng.random() < 0.4:
            roles.append('immigration_office')
        if rng.random() < 0.2:
            roles.append(rng.choice(['jmd', 'mbe']))
        for role in roles:
            if not by_role.get(role):
                continue
            vlist.append({
                    'case': case.id,
                    'role': role,
                    'organisation': rng.choice(by_role[role]),
                    'contact_name': '%s %s' % ctx.names.person(),
                    'phone': '0%d %d' % (rng.randint(2000, 2999),
                        rng.randint(100000, 999999)),
                    'task': TASKS[role],
                    'valid_from': max(story.opened, today - dt.timedelta(
                            days=rng.randint(30, 400))),
                    })
        if rng.random() < 0.3:
            vlist.append({
                    'case': case.id,
                    'role': 'volunteer',
                    'contact_name': '%s %s' % ctx.names.person(),
                    'task': TASKS['volunteer'],
                    'valid_from': story.opened,
                    })
    create(Actor, vlist)

    # the language of the client documents
    Language = pool.get('kim.language')
    with_texts = {'en', 'ar', 'uk', 'tr', 'ru', 'ro', 'bg', 'fa'}
    languages = {lang.id for lang in Language.search([])
        if lang.code in with_texts}
    documents = {}
    for story in open_stories:
        language = story.client.language
        language = getattr(language, 'id', language)
        if language in languages and rng.random() < 0.7:
            documents.setdefault(language, []).append(story.client.id)
    for language, ids in documents.items():
        for chunk in batches(sorted(set(ids))):
            Party.write(Party.browse(chunk),
                {'kim_document_language': language})
    ctx.log('the day: %d cases with a contact rhythm, %d UMA, %d network '
        'entries, %d clients with a document language' % (
            sum(len(v) for v in rhythm.values()), len(uma), len(vlist),
            sum(len(v) for v in documents.values())))
