"""Demo data plugin of kim_steering: the committees of the Kreis Musterland.

A Lenkungsgruppe with 11 members (Vorsitz, stellv. Vorsitz, the Kommunen by
size class, Jobcenter, Ausländerbehörde, welfare, MSO, ...), three working
groups set up by Aufträge of the Lenkungsgruppe, a year of meetings with
attendance, minutes per agenda item, decisions and tasks followed up until
done; about 40 barrier reports (Meldebögen) in 8 topics of the
Themenspeicher in every state, with feedback to the reporters; one
Fallrekonstruktion. Nothing is sent by e-mail.
Sizes: --barrier-reports (and --scale). Every name is fictional.
See generate.py for the plugin interface.
"""
import datetime as dt
import itertools

from dateutil.relativedelta import relativedelta

from trytond.transaction import Transaction

MODULE = 'kim_steering'
NET = 'kim_network.'
LG_CODE = 'LG'

# (code, name, type, rhythm, topic index, members)
WORKING_GROUPS = [
    ('AG-SP', "AG Sprache und Integrationskurse", 'arbeitsgruppe',
        'monthly', 0, 6),
    ('AG-WO', "AG Wohnen", 'arbeitsgruppe', 'bimonthly', 1, 5),
    ('AG-AR', "AG Arbeit und Anerkennung", 'arbeitsgruppe', 'bimonthly',
        2, 7),
    ]
# (name, kind, Handlungsfeld code, final state, report templates)
TOPICS = [
    ("Wartezeiten auf Integrationskurse", 'waiting_time', 'SPRACHE',
        'reviewed', [
            "Nach der Zulassung zum Integrationskurs vergehen in %s mehr "
            "als vier Monate bis zum Kursbeginn.",
            "Für Alphabetisierungskurse gibt es in %s keinen freien Platz "
            "vor dem nächsten Halbjahr.",
            "Der Berechtigungsschein läuft ab, bevor ein Kurs in %s "
            "beginnt.",
            ]),
    ("Mietbescheinigung und Wohnungssuche", 'interface', 'WOHNEN',
        'implemented', [
            "Die Mietbescheinigung für die Wohnungssuche dauert in %s über "
            "acht Wochen; Vermieter springen ab.",
            "Ohne Mietübernahmebescheinigung akzeptieren Vermieter in %s "
            "keine Bewerbung.",
            "Sozialamt und Jobcenter verweisen in %s wechselseitig auf die "
            "Zuständigkeit für die Mietbescheinigung.",
            ]),
    ("Anerkennung ausländischer Berufsabschlüsse", 'waiting_time',
        'ANERKENNUNG', 'decided', [
            "Das Anerkennungsverfahren für einen Pflegeabschluss dauert "
            "bereits neun Monate (%s).",
            "Die Kosten für beglaubigte Übersetzungen der Zeugnisse "
            "übernimmt niemand (%s).",
            "Die Anerkennungsberatung ist für Ratsuchende aus %s nur mit "
            "langer Anfahrt erreichbar.",
            ]),
    ("Sprachmittlung im Gesundheitswesen", 'language', 'GESUNDHEIT',
        'on_agenda', [
            "Für die Schuleingangsuntersuchung in %s stand keine "
            "Sprachmittlung zur Verfügung.",
            "Arztpraxen in %s lehnen Termine ohne eigene Dolmetschung ab.",
            "Die Kosten für Sprachmittlung bei Therapien sind in %s "
            "ungeklärt.",
            ]),
    ("Doppelte Beratung durch Jobcenter und MBE", 'duplicate', 'ARBEIT',
        'analysed', [
            "Jobcenter und Migrationsberatung erstellen in %s parallel "
            "Förderpläne, ohne voneinander zu wissen.",
            "Die Ratsuchenden aus %s müssen dieselben Unterlagen dreimal "
            "vorlegen.",
            ]),
    ("Kita-Plätze für neu zugewanderte Familien", 'gap', 'BILDUNG',
        'collected', [
            "In %s gibt es für neu zugezogene Familien keine Kita-Plätze "
            "im laufenden Kita-Jahr.",
            "Ohne Kinderbetreuung kann die Mutter in %s keinen Sprachkurs "
            "besuchen.",
            ]),
    ("Beschäftigungserlaubnis blockiert Praktika", 'legal', 'AUFENTHALT',
        'decided', [
            "Ein Praktikum in %s scheitert, weil die Beschäftigungserlaubnis "
            "nicht rechtzeitig erteilt wird.",
            "Die Ausländerbehörde braucht für die Zustimmung zu einem "
            "Praktikum in %s über sechs Wochen.",
            ]),
    ("Fahrtkosten zu Kursen im ländlichen Raum", 'funding', 'MOBILITAET',
        'collected', [
            "Die Fahrtkosten von %s zum Kursort übernimmt kein Träger.",
            "Der Bus von %s fährt nicht passend zu den Kurszeiten.",
            ]),
    ]
# organisation types of the 11 seats of the Lenkungsgruppe (MK model)
LG_SEATS = [
    ('ki', 'vice_chair'), ('jugendamt', 'chair'), ('abh', 'member'),
    ('jobcenter', 'member'), ('aa', 'member'), ('bamf', 'member'),
    ('wohlfahrt', 'member'), ('wohlfahrt', 'member'), ('mso', 'member'),
    ('integrationsrat', 'advisory'), ('sozialamt', 'member'),
    ]
ATTENDANCE = [('present', 75), ('excused', 12), ('deputy', 8), ('absent', 5)]
MINUTES = [
    "Der Bericht wurde zur Kenntnis genommen. Rückfragen wurden direkt "
    "geklärt.",
    "Die Teilnehmenden tauschen sich über die Erfahrungen in den Kommunen "
    "aus. Die Geschäftsführung fasst die Ergebnisse zusammen.",
    "Es besteht Einvernehmen, das Thema in der nächsten Sitzung erneut "
    "aufzurufen.",
    "Die Vertreterinnen und Vertreter der Kommunen berichten über den "
    "Stand der Umsetzung.",
    ]


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


def _months(today, months, day=15, hour=14):
    date = today + relativedelta(months=months)
    return dt.datetime(date.year, date.month, min(day, 28), hour - 1, 0)


def _weighted(rng, choices):
    total = sum(w for _, w in choices)
    pick = rng.uniform(0, total)
    for value, weight in choices:
        pick -= weight
        if pick <= 0:
            return value
    return choices[-1][0]


class Steering:
    "The state of the generation"

    def __init__(self, ctx):
        self.ctx = ctx
        self.rng = ctx.random
        self.pool = ctx.pool
        self.today = ctx.today
        self.by_type = ctx.registry.get('organisations_by_type', {})
        self.contacts = list(ctx.registry.get('contacts', []))
        self.kommunen = list(ctx.registry.get('kommunen', []))
        self.ki = ctx.registry.get('ki')
        self.used_persons = set()
        self.genders = itertools.cycle(['female', 'male', 'male', 'female',
                'female', 'male', None, 'female', 'male', 'diverse'])

    # people -------------------------------------------------------------
    def person_of(self, type_key):
        "A contact person (person, organisation, e-mail) of the type"
        orgs = self.by_type.get(type_key) or []
        org_ids = {o.id for o in orgs}
        candidates = [c for c in self.contacts
            if c.organisation.id in org_ids
            and c.person.id not in self.used_persons]
        if candidates:
            contact = self.rng.choice(candidates)
            self.used_persons.add(contact.person.id)
            return contact.person, contact.organisation, contact.email
        return self.new_person(orgs[0] if orgs else None)

    def new_person(self, organisation=None):
        Party = self.pool.get('party.party')
        first, last = self.ctx.names.person()
        person, = Party.create([{'name': '%s %s' % (first, last)}])
        email = '%s.%s@musterland.example' % (
            first.lower(), last.lower())
        email = email.encode('ascii', 'ignore').decode()
        return person, organisation, email

    # committees ---------------------------------------------------------
    def lenkungsgruppe(self):
        Committee = self.pool.get('kim.committee')
        large = [k for k in self.kommunen if k.size_class == 'large']
        medium = [k for k in self.kommunen if k.size_class == 'medium']
        small = [k for k in self.kommunen if k.size_class == 'small']
        members = []
        for type_key, role in LG_SEATS:
            person, org, email = self.person_of(type_key)
            members.append(self.member_values(person, org, email, role))
        # the Kommunen by size class: a large, a medium-sized town and one
        # seat standing for the smaller Kommunen without own ABH
        for kommunen in [large, medium, small]:
            if kommunen and members:
                seat = next(m for m in members if not m.get('kommune'))
                seat['kommune'] = kommunen[0].id
        members = members[:11]
        start = self.today - relativedelta(months=13)
        lg, = Committee.create([{
                    'name': "Lenkungsgruppe KIM Kreis Musterland",
                    'code': LG_CODE,
                    'type': 'lenkungsgruppe',
                    'purpose': "Strategische Steuerung des Kommunalen "
                    "Integrationsmanagements im Kreis Musterland.",
                    'secretariat': self.ki.id if self.ki else None,
                    'email': 'ki-geschaeftsstelle@musterland.example',
                    'reports_to_body': "Kreisausschuss für Soziales",
                    'rhythm': 'quarterly',
                    'start_date': start.replace(day=1),
                    'members': [('create', members)],
                    'standing_items': [('create', [{
                                    'title': "Bericht des Begleitgremiums",
                                    'presenter': "Sprecher*innen des "
                                    "Begleitgremiums",
                                    'frequency': 'every', 'sequence': 1,
                                    }, {
                                    'title': "Berichte aus den "
                                    "Arbeitsgruppen",
                                    'frequency': 'every', 'sequence': 2,
                                    }, {
                                    'title': "Bericht der externen "
                                    "Prozessbegleitung",
                                    'frequency': 'per_year',
                                    'times_per_year': 2, 'sequence': 3,
                                    }])],
                    }])
        return lg

    def member_values(self, person, org, email, role='member'):
        return {
            'person': person.id,
            'organisation': org.id if org else None,
            'email': email or None,
            'role': role,
            'voting': role not in {'advisory', 'guest', 'secretariat'},
            'gender': next(self.genders),
            'valid_from': self.today - relativedelta(months=13),
            }

    # meetings -----------------------------------------------------------
    def hold(self, meeting, topic_items=(), decisions=(), done_tasks=()):
        """Hold the meeting: topic items, tasks reported done, decisions
        with tasks, attendance and minutes, then approve the minutes.
        decisions: [(agenda item title or item, values, [task values])]"""
        pool = self.pool
        Meeting = pool.get('kim.committee.meeting')
        AgendaItem = pool.get('kim.committee.agenda_item')
        Attendance = pool.get('kim.committee.attendance')
        Decision = pool.get('kim.committee.decision')
        Task = pool.get('kim.committee.task')
        rng = self.rng
        for index, (title, topic) in enumerate(topic_items):
            AgendaItem.create([{
                        'meeting': meeting.id, 'sequence': 200 + index,
                        'kind': 'topic' if topic else 'item',
                        'topic': topic.id if topic else None,
                        'title': title,
                        }])
        Meeting.write([meeting], {
                'invitation_date': meeting.start - dt.timedelta(days=14),
                'invitation_count': 1,
                })
        Meeting.hold([meeting])
        meeting = Meeting(meeting.id)
        follow_ups = [i for i in meeting.agenda_items
            if i.task and i.task.id in {t.id for t in done_tasks}]
        if follow_ups:
            AgendaItem.task_done(follow_ups)
        items = {i.title: i for i in meeting.agenda_items}
        created = []
        for item, values, tasks in decisions:
            item = items[item] if isinstance(item, str) else item
            values = dict(values, agenda_item=item.id)
            decision, = Decision.create([values])
            created.append(decision)
            if tasks:
                Task.create([dict(t, decision=decision.id) for t in tasks])
        for attendance in meeting.attendances:
            status = _weighted(rng, ATTENDANCE)
            values = {'status': status}
            if status == 'deputy':
                if attendance.member.deputy:
                    values['deputy_person'] = attendance.member.deputy.id
                else:
                    values['status'] = 'present'
            Attendance.write([attendance], values)
        for item in Meeting(meeting.id).agenda_items:
            if not item.minutes:
                AgendaItem.write([item], {'minutes': rng.choice(MINUTES)})
        Meeting.write([meeting], {
                'minutes': "Die Vorsitzende begrüßt die Anwesenden und "
                "stellt die Beschlussfähigkeit fest.",
                })
        Meeting.approve([meeting])
        return created

    def plan(self, committee, start, title=None, hours=2):
        Meeting = self.pool.get('kim.committee.meeting')
        online = self.rng.random() < 0.3
        meeting, = Meeting.create([{
                    'committee': committee.id,
                    'title': title,
                    'start': start,
                    'end': start + dt.timedelta(hours=hours),
                    'format': 'video' if online else 'in_person',
                    'place': None if online else self.rng.choice([
                            "Kreishaus Musterstadt, Sitzungssaal 2",
                            "Kommunales Integrationszentrum, Raum 1.14",
                            "Rathaus Erlenbrück, Ratssaal"]),
                    'video_link': ('https://video.musterland.example/%s'
                        % committee.code.lower()) if online else None,
                    }])
        return meeting


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
                'state': 'submitted',
                'topic': topics[t].id,
                })
        topic_of.append(t)
    reports = Report.create(report_values)
    links = []
    for report, values in zip(reports, report_values):
        if values['reporter_kind'] == 'case_management' and cases:
            links.append({'report': report.id, 'case': cases.pop().id})
    if links:
        Link.create(links)
    ctx.log('%d barrier reports in %d topics (%d linked to cases)' % (
            len(reports), len(topics), len(links)))

    # A year of the Lenkungsgruppe and its working groups ---------------
    lg_starts = [_months(today, m) for m in (-12, -9, -6, -3)]
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
            meeting = s.plan(group, _months(today, month, day=5, hour=10),
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
                                'due_date': (_months(today, month + step,
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
    upcoming = s.plan(lg, _months(today, 1), "5. Sitzung")
    pool.get('kim.committee.agenda_item').create([{
                'meeting': upcoming.id, 'kind': 'topic', 'sequence': 200,
                'topic': topics[3].id, 'title': topics[3].rec_name,
                }])
    ctx.log('a year of meetings with minutes, decisions and tasks')

    # topic states and feedback -----------------------------------------
    for topic, (name, kind, code, state, _) in zip(topics, TOPICS):
        values = {'state': state}
        if state in {'implemented', 'reviewed', 'decided'}:
            values['analysis'] = ("Die Meldebögen zeigen ein "
                "Schnittstellenproblem zwischen mehreren Rechtskreisen.")
        if state == 'reviewed':
            values['review_note'] = ("Die Wartezeit ist in den "
                "Meldebögen des letzten Quartals deutlich gesunken.")
            values['review_date'] = today - dt.timedelta(days=10)
        if state in {'implemented', 'reviewed'}:
            values['feedback'] = ("Die Lenkungsgruppe hat ein neues "
                "Verfahren beschlossen; es wird seit dem letzten Quartal "
                "umgesetzt.")
        Topic.write([topic], values)
        if values.get('feedback'):
            answered = [r for r in Topic(topic.id).reports
                if r.state == 'submitted']
            Report.write(answered, {
                    'feedback': values['feedback'],
                    'feedback_date': today - dt.timedelta(days=5),
                    'state': 'answered',
                    })

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
