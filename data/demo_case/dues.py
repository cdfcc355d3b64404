"""The Wiedervorlage of the demo's case manager (login fallmanager): at least
one item of every kind that kim.case.due knows (kim_case/case.py DUE_KINDS),
and a client of theirs entered a second time under another, transliterated
spelling (the duplicate check of client_duplicate.py finds him).

Runs after the case manager's day (day.py), with its own random stream: it
looks at what the Wiedervorlage of the case manager already holds and adds
only the data of the kinds missing, on the case manager's open cases:
a Wiedervorlage date, a residence permit that expires, a Rechtskreis change,
a re-assessment, a measure and a Hilfeplan review coming due, a consent that
expires, a referral without answer, a Fallkonferenz task, an agreed contact
rhythm, a young client with a Duldung without expiry date (which also gives
the waiting times of § 25a and § 25b AufenthG), a former unaccompanied minor
(UMA) about to turn 18 and a case beyond the duration limit.
"""
import datetime as dt
import random

from demokit import add_months, real_today

OPEN = ['intake', 'assessment', 'planning', 'implementation']
# first names of the demo (data/names.json) and another spelling of them
# that the transliteration key of kim_case (phonetic.py) takes as the same
SPELLINGS = {
    'Yusuf': 'Jussuf',
    'Ahmad': 'Achmed',
    'Hassan': 'Hasan',
    'Omar': 'Umar',
    'Karim': 'Kerim',
    'Andrii': 'Andriy',
    'Dmytro': 'Dmitro',
    'Iryna': 'Irina',
    'Leyla': 'Leila',
    'Nour': 'Nur',
    }


def case_manager(ctx):
    """The employee of the user fallmanager, else the first case manager
    (people.link_users gives fallmanager the first one)"""
    pool = ctx.pool
    User = pool.get('res.user')
    users = User.search([('login', '=', 'fallmanager')], limit=1)
    if users and users[0].employee:
        return users[0].employee
    Employee = pool.get('company.employee')
    Team = pool.get('kim.case.team')
    employees = Employee.search([], order=[('id', 'ASC')])
    teams = Team.search([])
    return employees[len(teams)] if len(employees) > len(teams) else None


def due_kinds(ctx, employee):
    "The kinds in the Wiedervorlage of the employee"
    from trytond.transaction import Transaction
    Due = ctx.pool.get('kim.case.due')
    with Transaction().set_context(date=real_today(ctx),
            kim_due_mine=False):
        return {d.kind for d in Due.search(
                [('case_manager', '=', employee.id)])}


def _update(Model, records, **values):
    "Write dates of records in a final state, as the fixtures of the tests"
    from trytond.transaction import Transaction
    table = Model.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.update([getattr(table, n) for n in values],
            list(values.values()),
            where=table.id.in_([r.id for r in records])))


def ctx_organisations(ctx):
    "The organisations of the directory (party.party with a KIM type)"
    Party = ctx.pool.get('party.party')
    return Party.search([('kim_organisation_type', '!=', None)],
        order=[('id', 'ASC')])


def _years_ago(date, years):
    try:
        return date.replace(year=date.year - years)
    except ValueError:
        return date.replace(year=date.year - years, day=28)


class Filler:
    "Adds the data of one kind of due item to a case of the case manager"

    def __init__(self, ctx, employee, cases):
        self.ctx = ctx
        self.pool = ctx.pool
        self.today = real_today(ctx)
        self.employee = employee
        self.rng = random.Random('%s-dues' % ctx.seed)
        self.cases = list(cases)
        self.used = set()

    def case(self, condition=lambda c: True, client_free=False):
        """An open case of the case manager that meets the condition, not
        used before (by client when client_free)"""
        candidates = [c for c in self.cases if condition(c)
            and c.id not in self.used
            and not (client_free and c.client.id in self.used_clients())]
        if not candidates:
            candidates = [c for c in self.cases if condition(c)]
        if not candidates:
            return None
        case = self.rng.choice(candidates)
        self.used.add(case.id)
        return case

    def used_clients(self):
        Case = self.pool.get('kim.case')
        return {c.client.id for c in Case.browse(list(self.used))}

    def days(self, n):
        return self.today + dt.timedelta(days=n)

    # --- the kinds -----------------------------------------------------
    def review(self):
        Case = self.pool.get('kim.case')
        case = self.case()
        Case.write([case], {'next_review': self.days(3)})

    def contact_rhythm(self):
        Case = self.pool.get('kim.case')
        case = self.case(lambda c: c.state == 'implementation') or self.case()
        Case.write([case], {'contact_rhythm': 14})

    def case_duration(self):
        Case = self.pool.get('kim.case')
        case = min(self.cases, key=lambda c: c.opened_date)
        _update(Case, [case], opened_date=add_months(self.today, -24,
                day=min(self.today.day, 28)) + dt.timedelta(days=10))

    def measure(self):
        Measure = self.pool.get('kim.case.plan.measure')
        measures = Measure.search([
                ('goal.plan.case', 'in', [c.id for c in self.cases]),
                ('goal.plan.state', '=', 'agreed'),
                ('status', 'in', ['planned', 'in_progress']),
                ], order=[('id', 'ASC')], limit=1)
        if measures:
            _update(Measure, measures, due_date=self.days(7))

    def plan_review(self):
        Plan = self.pool.get('kim.case.plan')
        plans = Plan.search([
                ('case', 'in', [c.id for c in self.cases]),
                ('state', '=', 'agreed'),
                ], order=[('id', 'ASC')], limit=1)
        if plans:
            _update(Plan, plans, review_date=self.days(10))

    def reassessment(self):
        Assessment = self.pool.get('kim.case.assessment')
        assessments = Assessment.search([
                ('case', 'in', [c.id for c in self.cases]),
                ('state', '=', 'done'),
                ], order=[('date', 'DESC'), ('id', 'DESC')], limit=1)
        if assessments:
            _update(Assessment, assessments,
                next_assessment_date=self.days(21))

    def consent_expiry(self):
        Consent = self.pool.get('kim.consent')
        consents = Consent.search([
                ('client', 'in', [c.client.id for c in self.cases]),
                ('state', '=', 'given'),
                ], order=[('signed_date', 'DESC'), ('id', 'DESC')], limit=1)
        if consents:
            _update(Consent, consents, valid_until=self.days(20))

    def referral_answer(self):
        """A referral sent 20 days ago without answer, under a consent in
        force that covers it (Referral.send checks it)"""
        pool = self.pool
        Consent = pool.get('kim.consent')
        Referral = pool.get('kim.case.referral')
        by_client = {c.client.id: c for c in self.cases
            if c.state in {'assessment', 'planning', 'implementation'}}
        sent = self.days(-20)
        consents = Consent.search([
                ('client', 'in', list(by_client)),
                ('state', '=', 'given'),
                ('signed_date', '<=', sent),
                ], order=[('id', 'ASC')])
        for consent in consents:
            if ('transfer' not in (consent.purposes or [])
                    or not consent.recipients or not consent.handlungsfelder
                    or (consent.valid_until and consent.valid_until
                        < self.today)):
                continue
            case = by_client[consent.client.id]
            referral, = Referral.create([{
                        'case': case.id,
                        'organisation': consent.recipients[0].id,
                        'handlungsfeld': consent.handlungsfelder[0].id,
                        'purpose': "Beratung und Begleitung",
                        'description': "Bitte um Rückmeldung, ob eine "
                        "Aufnahme möglich ist.",
                        'case_manager': self.employee.id,
                        'sent_date': sent,
                        }])
            Referral.send([referral])
            return
        # no consent covers one: sent by the Fachaufsicht with a reason
        from trytond.transaction import Transaction
        Handlungsfeld = pool.get('kim.handlungsfeld')
        User = pool.get('res.user')
        organisations = ctx_organisations(self.ctx)
        case = (list(by_client.values()) or self.cases)[0]
        if not organisations:
            return
        referral, = Referral.create([{
                    'case': case.id,
                    'organisation': organisations[0].id,
                    'handlungsfeld': Handlungsfeld.search(
                        [], order=[('id', 'ASC')], limit=1)[0].id,
                    'purpose': "Beratung und Begleitung",
                    'case_manager': self.employee.id,
                    'sent_date': sent,
                    }])
        supervisors = User.search([('login', '=', 'fachaufsicht')], limit=1)
        with Transaction().set_user(
                    supervisors[0].id if supervisors else 0), \
                Transaction().set_context(_skip_warnings=True):
            Referral.send_with_override(Referral.browse([referral.id]),
                "Drohender Wohnungsverlust: die Einwilligung wird "
                "nachgereicht.")

    def conference_task(self):
        Conference = self.pool.get('kim.case.conference')
        Task = self.pool.get('kim.case.conference.task')
        case = self.case(lambda c: c.state in {
                'assessment', 'planning', 'implementation'}) or self.case()
        conference, = Conference.create([{
                    'case': case.id,
                    'subject': "Fallkonferenz Übergang Schule - Beruf",
                    'start': dt.datetime.combine(self.days(12),
                        dt.time(10)),
                    }])
        Task.create([{
                    'conference': conference.id,
                    'name': "Zeugnisse und Nachweise zusammenstellen",
                    'who': "Fallmanagement",
                    'due_date': self.days(5),
                    }])

    def _new_status(self, client, code, valid_from, expiry=None):
        "A current residence status of the client; the earlier ones end"
        pool = self.pool
        Status = pool.get('kim.client.residence_status')
        StatusType = pool.get('kim.residence_status_type')
        status_type, = StatusType.search([('code', '=', code)], limit=1)
        current = Status.search([
                ('client', '=', client.id),
                ['OR', ('valid_to', '=', None),
                    ('valid_to', '>=', valid_from)],
                ])
        for status in current:
            end = max(valid_from - dt.timedelta(days=1),
                status.valid_from or valid_from)
            _update(Status, [status], valid_to=end,
                document_expiry=min(status.document_expiry, end)
                if status.document_expiry else None)
        Status.create([{
                    'client': client.id,
                    'status_type': status_type.id,
                    'valid_from': valid_from,
                    'document_expiry': expiry,
                    }])

    def residence_document(self):
        case = self.case(client_free=True)
        self._new_status(case.client, 'AE_24', self.days(-330),
            self.days(30))

    def duldung_no_expiry(self):
        """A young client (16 to 26) with a Duldung without expiry date for
        400 days, in Germany for 7 years: also § 25a and § 25b"""
        Party = self.pool.get('party.party')

        def young(case):
            birth = case.client.kim_birth_date
            return bool(birth and _years_ago(self.today, 26) < birth
                <= _years_ago(self.today, 16))
        case = self.case(young, client_free=True) or self.case(
            client_free=True)
        client = case.client
        values = {'kim_arrival_germany': _years_ago(self.today, 7)}
        if not young(case):
            values['kim_birth_date'] = _years_ago(self.today, 20)
        Party.write([client], values)
        self._new_status(client, 'DULDUNG', self.days(-400))

    residence_25a = residence_25b = duldung_no_expiry

    def adulthood(self):
        "A former unaccompanied minor turning 18 in 60 days"
        Party = self.pool.get('party.party')

        def minor(case):
            birth = case.client.kim_birth_date
            return bool(birth and birth > _years_ago(self.today, 18))
        case = self.case(minor, client_free=True) or self.case(
            client_free=True)
        values = {'kim_uma': True}
        if not minor(case):
            values['kim_birth_date'] = _years_ago(self.days(60), 18)
        Party.write([case.client], values)

    def rechtskreis_change(self):
        "A change of the Rechtskreis ten days ago (the event follows)"
        pool = self.pool
        Period = pool.get('kim.client.rechtskreis')
        Rechtskreis = pool.get('kim.rechtskreis')
        case = self.case(client_free=True)
        current = case.client.kim_rechtskreis
        others = [r for r in Rechtskreis.search([], order=[('id', 'ASC')])
            if r != current]
        Period.create([{
                    'client': case.client.id,
                    'rechtskreis': self.rng.choice(others).id,
                    'valid_from': self.days(-10),
                    }])


def ensure_due_kinds(ctx):
    "Add the data of the kinds missing in fallmanager's Wiedervorlage"
    from trytond.modules.kim_case.case import DUE_KINDS
    Case = ctx.pool.get('kim.case')
    employee = case_manager(ctx)
    if employee is None:
        return []
    cases = Case.search([
            ('case_manager', '=', employee.id),
            ('state', 'in', OPEN),
            ], order=[('id', 'ASC')])
    if not cases:
        return []
    filler = Filler(ctx, employee, cases)
    missing = [k for k in sorted(DUE_KINDS, key=DUE_KINDS.get)
        if k not in due_kinds(ctx, employee)]
    done = set()
    for kind in missing:
        method = getattr(filler, kind)
        if method in done:
            continue
        done.add(method)
        method()
    still = [k for k in DUE_KINDS if k not in due_kinds(ctx, employee)]
    ctx.log('Wiedervorlage of %s: added %s; still missing: %s' % (
            employee.rec_name, ', '.join(missing) or '-',
            ', '.join(still) or '-'))
    return missing


def enter_twice(ctx):
    """A client of the case manager entered a second time under another
    spelling of the first name (a new intake of the same person): the
    duplicate check finds the earlier record. Return (first, second)."""
    from trytond.modules.kim_case.phonetic import name_key
    pool = ctx.pool
    Case = pool.get('kim.case')
    Party = pool.get('party.party')
    employee = case_manager(ctx)
    if employee is None:
        return None
    cases = Case.search([
            ('case_manager', '=', employee.id),
            ('state', 'in', OPEN),
            ], order=[('id', 'ASC')])
    if not cases:
        return None
    for case in cases:
        client = case.client
        first, _, rest = (client.name or '').partition(' ')
        if first in SPELLINGS and rest:
            break
    else:
        case = cases[0]
        client = case.client
        first, rest = 'Yusuf', client.name.split(' ', 1)[-1]
        Party.write([client], {'name': '%s %s' % (first, rest)})
    name = '%s %s' % (SPELLINGS[first], rest)
    if Party.search([('name', '=', name), ('kim_client', '=', True)]):
        return None
    assert name_key(name) == name_key(client.name), name
    second, = Party.create([{
                'name': name,
                'kim_client': True,
                'kim_birth_date': client.kim_birth_date,
                'kim_gender': client.kim_gender,
                'kim_nationalities': [('add', [
                            n.id for n in client.kim_nationalities])],
                }])
    Case.create([{
                'company': case.company.id,
                'client': second.id,
                'kommune': case.kommune.id,
                'team': case.team.id if case.team else None,
                'case_manager': employee.id,
                'opened_date': real_today(ctx) - dt.timedelta(days=2),
                }])
    ctx.log('client %s entered a second time as %s' % (client.name, name))
    return client, second


def generate(ctx):
    # the kinds first: they may change a client's date of birth, which the
    # second entry copies
    ensure_due_kinds(ctx)
    enter_twice(ctx)
