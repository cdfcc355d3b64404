"""Demo data plugin of kim_steering: the committees of the Kreis Musterland.

A Lenkungsgruppe with 11 members (Vorsitz, stellv. Vorsitz, the Kommunen by
size class, Jobcenter, Ausländerbehörde, welfare, MSO, ...), three working
groups set up by Aufträge of the Lenkungsgruppe, a year of meetings with
attendance, minutes per agenda item, decisions and tasks followed up until
done; about 40 barrier reports (Meldebögen) in 8 topics of the
Themenspeicher in every state, with feedback to the reporters; one
Fallrekonstruktion. Nothing is sent by e-mail.
Sizes: --barrier-reports (and --scale). Every name is fictional.
The text tables are in committees.json; committees.py holds the steps
(members, meetings held with minutes, decisions and tasks).
See generate.py for the plugin interface.
"""
import datetime as dt

from dateutil.relativedelta import relativedelta

from trytond.transaction import Transaction

import demomail
from demokit import on_day, real_today

from .committees import LG_CODE, TOPICS, WORKING_GROUPS, Steering, meeting_time

MODULE = 'kim_steering'


def add_arguments(parser):
    group = parser.add_argument_group('kim_steering')
    group.add_argument('--barrier-reports', type=int, dest='barrier_reports',
        help="number of barrier reports (default 40 x scale)")


def is_loaded(ctx):
    Committee = ctx.pool.get('kim.committee')
    return bool(Committee.search([('code', '=', LG_CODE)], limit=1))


def load(ctx):
    pool = ctx.pool
    Committee = pool.get('kim.committee')
    Topic = pool.get('kim.topic')
    reg = ctx.registry
    reg['lenkungsgruppe'], = Committee.search([('code', '=', LG_CODE)])
    reg['committees'] = Committee.search([], order=[('id', 'ASC')])
    reg['topics'] = Topic.search([], order=[('id', 'ASC')])
    # synthetic e-mail addresses of the demo (data/demomail.py)
    demomail.add_guests(ctx)
    demomail.give_emails(ctx)


def generate(ctx):
    # the steering work belongs to the company of the cases (kim_reporting
    # counts it per company)
    companies = ctx.pool.get('company.company').search([], limit=1)
    with Transaction().set_context(
            company=companies[0].id if companies else None):
        _generate(ctx)


def _generate(ctx):
    pool = ctx.pool
    rng = ctx.random
    today = ctx.today
    Committee = pool.get('kim.committee')
    Topic = pool.get('kim.topic')
    Report = pool.get('kim.barrier_report')
    Link = pool.get('kim.barrier_report.case')
    Decision = pool.get('kim.committee.decision')
    Task = pool.get('kim.committee.task')
    Handlungsfeld = pool.get('kim.handlungsfeld')
    User = pool.get('res.user')
    Configuration = pool.get('kim.configuration')
    Member = pool.get('kim.committee.member')
    n_reports = ctx.size('barrier_reports', 40)
    s = Steering(ctx)

    lg = s.lenkungsgruppe()
    config = Configuration(1)
    config.steering_committee = lg
    config.save()
    ctx.log('Lenkungsgruppe with %d members' % len(lg.members))

    # deputies for half of the seats
    to_write = []
    for member in lg.members:
        if rng.random() < 0.5:
            to_write.extend(([member], {'deputy': s.new_person()[0].id}))
    if to_write:
        Member.write(*to_write)

    # Themenspeicher with the barrier reports ---------------------------
    handlungsfelder = {h.code: h for h in Handlungsfeld.search([])}
    topics = Topic.create([{
                'name': name, 'kind': kind,
                'handlungsfeld': handlungsfelder[code].id
                if code in handlungsfelder else None,
                'committee': lg.id,
                'description': templates[0] % "mehreren Kommunen",
                } for name, kind, code, _, templates in TOPICS])
    case_users = User.search([('login', '=', 'fallmanager')], limit=1)
    reporter_user = case_users[0] if case_users else None
    partners = (s.by_type.get('mso', []) + s.by_type.get('mbe', [])
        + s.by_type.get('jmd', []) + s.by_type.get('wohlfahrt', []))
    cases = list(ctx.registry.get('cases', []))
    rng.shuffle(cases)
    # reports per topic, in proportion to these weights
    weights = [6, 7, 6, 5, 5, 4, 4, 3]
    plan = []
    for t, weight in enumerate(weights):
        plan += [t] * max(1, round(weight * n_reports / sum(weights)))
    plan = plan[:max(n_reports, len(TOPICS))]
    report_values, topic_of = [], []
    for t in plan:
        name, kind, code, state, templates = TOPICS[t]
        kommune = rng.choice(s.kommunen) if s.kommunen else None
        partner = partners and rng.random() < 0.3
        report_values.append({
                'date': today - dt.timedelta(days=rng.randint(20, 380)),
                'reporter_kind': 'partner' if partner else 'case_management',
                'reporter': rng.choice(partners).id if partner else None,
                'reporter_user': (reporter_user.id if reporter_user
                    and not partner else None),
                'description': rng.choice(templates) % (
                    kommune.name if kommune else "der Kommune"),
                'handlungsfeld': (handlungsfelder[code].id
                    if code in handlungsfelder
                    else list(handlungsfelder.values())[0].id),
                'kommune': kommune.id if kommune else None,
                'kind': kind,
                'topic': topics[t].id,
                })
        topic_of.append(t)
    reports = Report.create(report_values)
    Report.submit(reports)
    links = []
    for report, values in zip(reports, report_values):
        if values['reporter_kind'] == 'case_management' and cases:
            links.append({'report': report.id, 'case': cases.pop().id})
    if links:
        Link.create(links)
    ctx.log('%d barrier reports in %d topics (%d linked to cases)' % (
            len(reports), len(topics), len(links)))

    # A year of the Lenkungsgruppe and its working groups ---------------
    lg_starts = [meeting_time(today, m) for m in (-12, -9, -6, -3)]
    lg_meetings = [s.plan(lg, start, "%d. Sitzung" % (i + 1))
        for i, start in enumerate(lg_starts[:1])]
    mandates = []
    for code, name, type_, rhythm, t, size in WORKING_GROUPS:
        mandates.append((TOPICS[t][0], {
                    'type': 'mandate',
                    'text': "Die Lenkungsgruppe richtet die %s ein und "
                    "erteilt ihr den Auftrag, Lösungen zum Thema „%s“ "
                    "zu erarbeiten." % (name, TOPICS[t][0]),
                    'scope': 'across_offices',
                    'voted': True, 'votes_yes': 9, 'votes_no': 0,
                    'votes_abstain': rng.randint(0, 2),
                    'new_committee_name': name,
                    'new_committee_code': code,
                    'new_committee_type': type_,
                    'mandate_goal': "Die Dienstleistungskette zum Thema "
                    "„%s“ beschreiben, Brüche benennen und ein Zielsystem "
                    "mit Maßnahmen vorschlagen." % TOPICS[t][0],
                    'mandate_reason': "Mehrere Meldebögen aus dem "
                    "Case Management und von Netzwerkpartnern.",
                    'mandate_deadline': today + relativedelta(months=3),
                    }, [{
                        'name': "Zwischenbericht der %s vorlegen" % name,
                        'due_date': (lg_starts[1] - dt.timedelta(
                                days=10)).date(),
                        }]))
    topic_items = [(TOPICS[t][0], topics[t])
        for _, _, _, _, t, _ in WORKING_GROUPS]
    decisions = s.hold(lg_meetings[0], topic_items, mandates)
    Decision.create_committee(decisions)
    groups = [Decision(d.id).created_committee for d in decisions]
    for group, (code, name, type_, rhythm, t, size) in zip(
            groups, WORKING_GROUPS):
        members = []
        for _ in range(size):
            type_key = rng.choice(['jobcenter', 'mbe', 'jmd', 'vhs',
                    'sozialamt', 'abh', 'fluechtlingsberatung', 'mso',
                    'wohnungsamt', 'kammer'])
            person, org, email = s.person_of(type_key)
            members.append(s.member_values(person, org, email))
        members[0]['role'] = 'chair'
        person, org, email = s.person_of('ki')
        members.append(s.member_values(person, org, email, 'secretariat'))
        Committee.write([group], {
                'rhythm': rhythm,
                'members': [('create', members)],
                })
    ctx.log('3 working groups set up by Aufträge of the Lenkungsgruppe')

    # working group meetings, each with a decision and a task
    for group, (code, name, type_, rhythm, t, size) in zip(
            groups, WORKING_GROUPS):
        step = {'monthly': 1, 'bimonthly': 2}[rhythm]
        open_tasks = []
        for month in range(-11, 0, step):
            meeting = s.plan(group, meeting_time(today, month, day=5, hour=10),
                hours=2)
            item = "Arbeitsstand %s" % TOPICS[t][0]
            done = open_tasks[:1] if rng.random() < 0.8 else []
            created = s.hold(meeting, [(item, topics[t])], [(item, {
                            'type': rng.choice(['decision', 'recommendation']),
                            'text': rng.choice([
                                    "Die AG beschließt, eine Übersicht "
                                    "der Zuständigkeiten zu erstellen.",
                                    "Die AG empfiehlt der Lenkungsgruppe, "
                                    "ein gemeinsames Formular einzuführen.",
                                    "Die AG bittet das Kommunale "
                                    "Integrationszentrum um eine "
                                    "Auswertung der Meldebögen.",
                                    ]),
                            'scope': rng.choice(['office',
                                    'across_offices']),
                            }, [{
                                'name': rng.choice([
                                        "Ist-Ablauf dokumentieren",
                                        "Ansprechpersonen klären",
                                        "Entwurf des Formulars abstimmen",
                                        "Daten zu Wartezeiten erheben",
                                        ]),
                                'due_date': (meeting_time(today, month + step,
                                        day=1)).date(),
                                }])], done_tasks=done)
            open_tasks = [t_ for t_ in open_tasks if t_ not in done]
            open_tasks += [t_ for d in created for t_ in Decision(d.id).tasks]

    # the other meetings of the Lenkungsgruppe
    for index, start in enumerate(lg_starts[1:], 2):
        meeting = s.plan(lg, start, "%d. Sitzung" % index)
        open_tasks = Task.search([
                ('committee', '=', lg.id),
                ('state', 'in', ['open', 'in_progress'])])
        items, decisions = [], []
        if index == 2:
            items = [(TOPICS[6][0], topics[6])]
            decisions = [(TOPICS[6][0], {
                        'type': 'recommendation',
                        'text': "Die Lenkungsgruppe empfiehlt den "
                        "Ausländerbehörden eine Bearbeitungsfrist von zwei "
                        "Wochen für Praktika.",
                        'scope': 'across_offices',
                        }, [{
                            'name': "Verfahrensabsprache mit den "
                            "Ausländerbehörden",
                            'due_date': (lg_starts[2] - dt.timedelta(
                                    days=14)).date(),
                            }])]
        elif index == 3:
            items = [(TOPICS[0][0], topics[0]), (TOPICS[1][0], topics[1])]
            decisions = [(TOPICS[0][0], {
                        'type': 'decision',
                        'text': "Die Kursträger melden freie Plätze "
                        "monatlich an das KI; das KI führt eine kreisweite "
                        "Übersicht.",
                        'scope': 'across_offices', 'voted': True,
                        'votes_yes': 10, 'votes_no': 0, 'votes_abstain': 0,
                        }, [{
                            'name': "Kreisweite Kursübersicht "
                            "veröffentlichen",
                            'due_date': (lg_starts[3] - dt.timedelta(
                                    days=20)).date(),
                            }]),
                (TOPICS[1][0], {
                        'type': 'decision',
                        'text': "Sozialamt und Jobcenter stellen die "
                        "Mietbescheinigung innerhalb von zehn Tagen aus.",
                        'scope': 'across_offices', 'voted': True,
                        'votes_yes': 8, 'votes_no': 1, 'votes_abstain': 1,
                        }, [])]
        elif index == 4:
            items = [(TOPICS[2][0], topics[2])]
            decisions = [(TOPICS[2][0], {
                        'type': 'referral_back',
                        'text': "Die Lenkungsgruppe verweist den "
                        "Vorschlag zur Übersetzungskostenübernahme zur "
                        "Überarbeitung an die AG zurück.",
                        'scope': 'reserved',
                        'addressed_to': groups[2].id,
                        }, [{
                            'name': "Finanzierungsvorschlag für den "
                            "Kreisausschuss ausarbeiten",
                            'due_date': today + relativedelta(months=1),
                            }])]
        s.hold(meeting, items, decisions,
            done_tasks=open_tasks[:max(1, len(open_tasks) - 1)])
    # the next meeting is planned with the open topic on its agenda
    s.plan(lg, meeting_time(today, 1), "5. Sitzung")
    ctx.log('a year of meetings with minutes, decisions and tasks')

    # topic states through the workflow, and feedback -------------------
    # analysed, put on the agenda of the next meeting (the decided ones
    # come back to it for the follow-up), decided on a held meeting's
    # decision, implemented once its tasks are done, reviewed
    path = ['analysed', 'on_agenda', 'decided', 'implemented', 'reviewed']
    for topic, (name, kind, code, state, _) in zip(topics, TOPICS):
        values = {}
        if state in {'implemented', 'reviewed', 'decided'}:
            values['analysis'] = ("Die Meldebögen zeigen ein "
                "Schnittstellenproblem zwischen mehreren Rechtskreisen.")
        if state == 'reviewed':
            values['review_note'] = ("Die Wartezeit ist in den "
                "Meldebögen des letzten Quartals deutlich gesunken.")
        if state in {'implemented', 'reviewed'}:
            values['feedback'] = ("Die Lenkungsgruppe hat ein neues "
                "Verfahren beschlossen; es wird seit dem letzten Quartal "
                "umgesetzt.")
        if values:
            Topic.write([topic], values)
    # the tasks of the implemented topics were done three weeks ago
    with on_day(today - dt.timedelta(days=21)):
        Task.do([task for t, info in zip(
                    Topic.browse([t.id for t in topics]), TOPICS)
                if info[3] in {'implemented', 'reviewed'}
                for task in t.tasks if task.state in {'open', 'in_progress'}])
    for step, target in [(Topic.analyse, 'analysed'),
            (Topic.put_on_agenda, 'on_agenda'), (Topic.decide, 'decided'),
            (Topic.implement, 'implemented')]:
        todo = [t.id for t, info in zip(topics, TOPICS)
            if info[3] in path[path.index(target):]]
        # on the demo's today: the next meeting is the one after it
        with on_day(real_today(ctx)):
            step(Topic.browse(todo))
    # reviewed ten days ago (Topic.review stamps the day)
    with on_day(today - dt.timedelta(days=10)):
        Topic.review(Topic.browse([t.id for t, info in zip(topics, TOPICS)
                    if info[3] == 'reviewed']))
    for topic in Topic.browse([t.id for t in topics]):
        if topic.feedback:
            answered = [r for r in topic.reports if r.state == 'submitted']
            Report.write(answered, {
                    'feedback': topic.feedback,
                    'feedback_date': today - dt.timedelta(days=5),
                    })
            Report.answer(answered)

    # a Fallrekonstruktion on one case ----------------------------------
    Reconstruction = pool.get('kim.case_reconstruction')
    reconstruction, = Reconstruction.create([{
                'name': "Junge Erwachsene mit Pflegeausbildung aus einem "
                "Drittstaat",
                'kind': 'reconstruction',
                'date': today - dt.timedelta(days=40),
                'committee': groups[2].id,
                'presentation': "Eine junge Frau mit abgeschlossener "
                "Pflegeausbildung möchte als Pflegefachkraft arbeiten.",
                'actor_perspectives': "Jobcenter: Vermittlung in Helfer-"
                "tätigkeit vorrangig. Anerkennungsstelle: Unterlagen "
                "unvollständig. Ausländerbehörde: Aufenthalt an "
                "Beschäftigung gebunden.",
                'user_perspective': "Sie erlebt die Ämter als Abfolge von "
                "Absagen und versteht nicht, wer zuständig ist.",
                'findings': "Niemand steuert die Kette von der Anerkennung "
                "bis zur Beschäftigung.",
                'themes': [('create', [{
                                'name': "Anerkennung und Aufenthalt sind "
                                "nicht verzahnt",
                                'kind': 'generative',
                                'topic': topics[2].id,
                                }, {
                                'name': "Übersetzungskosten ungeklärt",
                                'kind': 'cross_case',
                                'topic': topics[2].id,
                                }])],
                }])
    if ctx.registry.get('cases'):
        reconstruction.case = ctx.registry['cases'][0]
        reconstruction.save()
        Reconstruction.generate_timeline([reconstruction])
    Reconstruction.do([reconstruction])

    # the demo committee member reads the Lenkungsgruppe
    gremium = User.search([('login', '=', 'gremium')], limit=1)
    if gremium:
        User.write(gremium, {'kim_person': lg.members[0].person.id})
    load(ctx)
    ctx.log('%d committees, %d meetings, %d decisions, %d tasks' % (
            len(ctx.registry['committees']),
            pool.get('kim.committee.meeting').search_count([]),
            Decision.search_count([]), Task.search_count([])))
