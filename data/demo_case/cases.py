"""The cases of the clients, their assessments and Hilfepläne (tables in
clients.json and texts.json)"""
import datetime as dt
import random
from collections import namedtuple

from demokit import (
    SMALL_BATCH, batches, create, date_between, fresh, pick, real_today,
    run_by_day, tables)

NET = 'kim_network.'
_T = tables(__file__, 'clients.json')
# Final states of the cases by weight, for cases older than two months
STATE_WEIGHTS = _T['state_weights']
YOUNG_STATE_WEIGHTS = _T['young_state_weights']
CLOSING_WEIGHTS = _T['closing_weights']
# Access channel code -> organisation type keys of the referring body
CHANNELS = _T['channels']
NEEDS = _T['needs']
# Target groups and Rechtskreise of a case by the client's residence status
# (codes of kim_network's code lists)
TARGET_GROUP_BY_STATUS = _T['target_group_by_status']
RECHTSKREIS_BY_STATUS = _T['rechtskreis_by_status']
# the benefits the client receives besides (share of the cases)
RECHTSKREIS_BENEFITS = _T['rechtskreis_benefits']
_X = tables(__file__, 'texts.json')
# Per Handlungsfeld: situation, needs, goals (description, indicator) and
# measures (what, who, organisation type keys of a partner)
TOPICS = _X['topics']
GENERIC_TOPIC = _X['generic_topic']

HF = namedtuple('HF', 'id code')
MeasureInfo = namedtuple('MeasureInfo',
    'id organisation service handlungsfeld plan_state agreed name status')


class Story:
    "What happens to one case; filled step by step"
    __slots__ = ('case', 'state', 'opened', 'end', 'manager', 'team',
        'closing', 'short', 'assessments', 'plans', 'client', 'language',
        'measures', 'consents', 'handover', 'handed_over', 'decided')

    def __init__(self, **kwargs):
        for name in self.__slots__:
            setattr(self, name, kwargs.get(name))


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
            # every case starts in intake: advance_cases and close_cases
            # take it through the workflow on the days of its story
            }
        decided = min(story.opened + dt.timedelta(days=rng.randint(0, 10)),
            story.end)
        story.decided = decided
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


def create_assessments(ctx, stories):
    """A signed first assessment for cases past the assessment phase (a draft
    for cases in it) and re-assessments about every six months"""
    pool = ctx.pool
    Assessment = pool.get('kim.case.assessment')
    Line = pool.get('kim.case.assessment.line')
    Handlungsfeld = pool.get('kim.handlungsfeld')
    User = pool.get('res.user')
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
        date = min(date_between(rng, story.opened + dt.timedelta(days=7),
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
    done = [(a.id, p[1]['date']) for p, a in zip(planned, assessments)
        if p[3]]
    # signed through the workflow (Assessment.sign) on the day of each
    # assessment, then in the name of the case manager who signed
    run_by_day(Assessment.sign, done)
    if signer and done:
        Assessment.write(Assessment.browse([i for i, _ in done]),
            {'signed_by': signer})
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
            story.plans.append((plan.id, state, agreed))
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
        # agreeing a version supersedes the agreed one (Plan.agree)
        to_agree = [plan.id for (_, _, _, state, _, _), plan
            in zip(todo, created) if state != 'draft']
        for chunk in batches(to_agree):
            Plan.agree(Plan.browse(chunk))
        Plan.supersede(Plan.browse([p for p in previous
                    if Plan(p).state == 'agreed']))
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


def case_days(story):
    """The days on which the case of story takes its workflow steps:
    [(transition name, day)] from intake to its state (closed: up to
    closing; close_cases closes it)"""
    if story.short or story.state == 'intake':
        return []
    consent = min((p.signed for p in story.consents
            if p.state == 'given' and 'case_management' in p.purposes),
        default=None)
    if story.state == 'cancelled' and consent is None:
        # given up before the client signed: cancelled in intake
        return [('cancel', min(story.decided + dt.timedelta(days=14),
                    story.end))]
    day = max(story.decided, consent)
    steps = [('assess', day)]
    if story.state == 'cancelled':
        last = max([day] + [a[1] for a in story.assessments])
        return steps + [('cancel', min(last + dt.timedelta(days=14),
                    story.end))]
    if story.state == 'assessment':
        return steps
    day = max(day, min(a[1] for a in story.assessments if a[3]))
    steps.append(('plan', day))
    if story.state == 'planning':
        return steps
    day = max(day, min(p[2] for p in story.plans if p[1] != 'draft'))
    steps.append(('implement', day))
    if story.state == 'implementation':
        return steps
    return steps + [('to_close', max(day, story.end))]


def advance_cases(ctx, stories):
    """Take the cases from intake to their state through the workflow of
    kim.case (assess, plan, implement, to_close, cancel: the gates check the
    consent to case management, the signed assessment and the agreed
    Hilfeplan), each step on its day of the story: the state changes are
    logged on those days"""
    Case = ctx.pool.get('kim.case')
    steps = {}
    for story in stories:
        for name, day in case_days(story):
            steps.setdefault(name, []).append((story.case.id, day))
    # step by step in the order of the workflow: each batch of a step is
    # taken once every case is past the step before
    for name in ['assess', 'plan', 'implement', 'to_close', 'cancel']:
        run_by_day(getattr(Case, name), steps.get(name, []))
    ctx.log('cases through the workflow: %s' % ', '.join(
            '%d %s' % (len(steps.get(n, [])), n) for n in [
                'assess', 'plan', 'implement', 'to_close', 'cancel']))


def close_cases(ctx, stories):
    """Close the closed cases now that their history is written, each on
    its closing day (Case.close; the short cases from intake)"""
    Case = ctx.pool.get('kim.case')
    closed = [(s.case.id, s.end) for s in stories
        if s.state == 'closed' and not s.handed_over]
    run_by_day(Case.close, closed)
    ctx.log('%d cases closed' % len(closed))
