"""The contacts, case conferences, handovers and notes of the case
managers, and the households of the clients (tables in texts.json)"""
import datetime as dt

from demokit import (
    SEND_BATCH, SMALL_BATCH, batches, create, date_between, fresh, pick,
    real_today, run_by_day, tables)

from .consents import organisation_infos

_X = tables(__file__, 'texts.json')
CONTACT_SUBJECTS = _X['contact_subjects']
CONTACT_CHANNELS = _X['contact_channels']
CONFERENCE_SUBJECTS = _X['conference_subjects']
CONFERENCE_TASKS = _X['conference_tasks']
NOTE_SUBJECTS = _X['note_subjects']
CONFIDENTIAL_SUBJECTS = _X['confidential_subjects']


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
    # created planned, then done or cancelled through the workflow: done
    # contacts lie in the past
    topics = [values.pop('handlungsfelder', []) for values in vlist]
    contacts = create(Contact, vlist)
    create(ContactHandlungsfeld, [
            {'contact': c.id, 'handlungsfeld': h}
            for c, hs in zip(contacts, topics) for h in hs])
    for state, method in [('done', Contact.do),
            ('cancelled', Contact.cancel)]:
        for chunk in batches([c.id for c, s in zip(contacts, states)
                    if s == state]):
            method(Contact.browse(chunk))
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
            day = date_between(rng, start, last)
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
    # each on its day: an external handover closes its case on that day
    dates = {h.id: v['date'] for h, v in zip(handovers, vlist)}
    run_by_day(Handover.do, [(i, dates[i]) for i in by_state.get('done', [])],
        SEND_BATCH)
    for chunk in batches(by_state.get('cancelled', []), SMALL_BATCH):
        Handover.cancel(Handover.browse(chunk))
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
            day = date_between(rng, story.opened, min(story.end, today))
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
