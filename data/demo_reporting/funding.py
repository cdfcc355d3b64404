"""The funding years: Förderbescheide, Stellenplan, costs, Weiterleitung,
Verwendungsnachweise and Kennzahlen (tables in funding.json)"""
import datetime as dt
from decimal import Decimal

from demokit import PDF, real_today, tables

from trytond.transaction import Transaction

NET = 'kim_network.'
REP = 'kim_reporting.'
_T = tables(__file__, 'funding.json')
# (code, title, Baustein, position kind, VZÄ, where, forwarded)
POSTS = _T['posts']
# (Baustein, category, description, amount)
COSTS = _T['costs']
TARGETS = _T['targets']
JUSTIFICATION = _T['justification']


def _orgs(ctx, key):
    orgs = ctx.registry.get('organisations_by_type', {}).get(key) or []
    if orgs:
        return type(orgs[0]).browse([o.id for o in orgs])
    Party = ctx.pool.get('party.party')
    return Party.search([
            ('kim_organisation_type', '=', ctx.ref(NET + 'organisation_type_'
                    + key)),
            ], order=[('id', 'ASC')])


def _party(ctx, name):
    Party = ctx.pool.get('party.party')
    parties = Party.search([('name', '=', name)], limit=1)
    if parties:
        return parties[0]
    party, = Party.create([{'name': name}])
    return party


def funding_years(ctx):
    "The previous and the current year of the demo"
    today = real_today(ctx)
    return [today.year - 1, today.year]


class Funding:
    "The generation of the funding years"

    def __init__(self, ctx, company):
        pool = ctx.pool
        self.ctx = ctx
        self.pool = pool
        self.rng = ctx.random
        self.company = company
        self.today = real_today(ctx)
        Baustein = pool.get('kim.funding.baustein')
        Kind = pool.get('kim.funding.position_kind')
        self.bausteine = dict(zip((1, 2, 3), Baustein.browse([
                        ctx.ref(REP + 'baustein_%s' % i) for i in (1, 2, 3)])))
        self.kinds = {k: Kind(ctx.ref(REP + 'kind_' + k)) for k in [
                'coordination', 'assistance', 'case_management', 'abh']}
        self.categories = {c: ctx.ref(REP + 'cost_category_' + c) for c in {
                c[1] for c in COSTS}}

    def run(self):
        ctx = self.ctx
        config = self.pool.get('kim.configuration')(1)
        self.ki = config.kim_office or (_orgs(ctx, 'ki') or [None])[0]
        welfare = _orgs(ctx, 'wohlfahrt')
        abh = _orgs(ctx, 'abh')
        if not self.ki or not welfare or not abh:
            ctx.log('organisations of the directory missing: skipped')
            return
        self.welfare, self.abh = welfare[0], abh[0]
        self.authority = _party(ctx, 'Bezirksregierung Arnsberg, Dezernat 36')
        self.adviser = _party(ctx, 'Prozessbegleitung Muster & Partner')
        years = funding_years(ctx)
        self.agreement = self.forwarding_agreement(years[0])
        self.staff = self.employees(len(POSTS))
        for year in years:
            self.year(year, current=year == years[-1])

    # --- set-up -----------------------------------------------------------
    def forwarding_agreement(self, year):
        "The signed Weiterleitungsvertrag with the welfare organisation"
        Agreement = self.pool.get('kim.cooperation_agreement')
        agreements = Agreement.search([
                ('type', '=', 'forwarding'), ('state', '=', 'signed'),
                ('partners', '=', self.welfare.id)], limit=1)
        if agreements:
            return agreements[0]
        agreement, = Agreement.create([{
                    'name': 'Weiterleitung Case Management %s' % year,
                    'type': 'forwarding',
                    'office': self.ki.id,
                    'partners': [('add', [self.welfare.id])],
                    'shared_handlungsfelder': [('add', [
                                self.ctx.ref(NET + 'handlungsfeld_aufenthalt')
                                ])],
                    'valid_from': dt.date(year, 1, 1),
                    }])
        Agreement.sign([agreement])
        return agreement

    def employees(self, needed):
        "Who fills the posts (the same people in both years)"
        pool = self.pool
        Employee = pool.get('company.employee')
        Party = pool.get('party.party')
        employees = Employee.search([('company', '=', self.company.id)],
            order=[('id', 'ASC')])
        if len(employees) < needed:
            parties = Party.create([{'name': '%s %s' % self.ctx.names.person()}
                    for _ in range(needed - len(employees))])
            employees += Employee.create([{
                        'party': p.id, 'company': self.company.id}
                    for p in parties])
        return employees[:needed]

    # --- one year ---------------------------------------------------------
    def year(self, year, current):
        decisions = self.decisions(year)
        positions = self.stellenplan(year, current)
        costs = self.costs(year)
        forwarding = self.forwarding(year, decisions[2], positions, current)
        proofs = self.proofs(year, decisions, current)
        self.kennzahlen(year, on_board=current)
        self.ctx.log('funding year %s: %d Förderbescheide granted, %d posts, '
            '%d costs, Weiterleitung %s, %d Verwendungsnachweise %s, '
            'Kennzahlen%s' % (year, len(decisions), len(positions), costs,
                forwarding.state, len(proofs),
                'computed' if current else 'submitted',
                ' on the board' if current else ''))

    def date(self, year, month, day):
        "The date, at the latest today"
        return min(dt.date(year, month, day), self.today)

    def decisions(self, year):
        """The Förderbescheide with their Finanzierungsplan at the rates of
        the year, granted (Decision.grant)"""
        Decision = self.pool.get('kim.funding.decision')
        currency = self.company.currency
        plan = {}
        for code, _, baustein, kind, vzae, _, _ in POSTS:
            key = (baustein, kind)
            plan[key] = plan.get(key, Decimal(0)) + Decimal(vzae)
        vlist = []
        for number, baustein in self.bausteine.items():
            lines = []
            for (b, kind), vzae in plan.items():
                if b != number:
                    continue
                rate = self.kinds[kind].get_rate(year)
                lines.append({
                        'type': 'position', 'kind': self.kinds[kind].id,
                        'vzae': vzae,
                        'amount': currency.round(rate.amount_for(vzae)),
                        })
            amount = sum((l['amount'] for l in lines), Decimal(0))
            first = (amount / 2).quantize(Decimal('1'))
            payments = [{'date': dt.date(year, 3, 1), 'amount': first},
                {'date': dt.date(year, 9, 1), 'amount': amount - first}]
            vlist.append({
                    'company': self.company.id,
                    'baustein': baustein.id,
                    'year': year,
                    'date': dt.date(year, 1, 15),
                    'authority': self.authority.id,
                    'file_number': '36.08.01-%s-%s/%s' % (
                        baustein.code, self.rng.randint(100, 999), year),
                    'amount': amount,
                    'eligible_vzae': sum(l['vzae'] for l in lines),
                    'lines': [('create', lines)],
                    'period_start': dt.date(year, 1, 1),
                    'period_end': dt.date(year, 12, 31),
                    'conditions': "ANBest-G. Weiterleitung an freie Träger "
                    "mit Zustimmung der Bewilligungsbehörde.",
                    'payments': [('create', [p for p in payments
                                if p['date'] <= self.today])],
                    })
        decisions = Decision.create(vlist)
        Decision.grant(decisions)
        return dict(zip(self.bausteine, decisions))

    def stellenplan(self, year, current):
        "The Stellenplan of the year and who fills the posts, confirmed"
        Stellenplan = self.pool.get('kim.funding.stellenplan')
        rng = self.rng
        homes = {'ki': self.ki, 'welfare': self.welfare, 'office': self.abh}
        positions = []
        for (code, name, baustein, kind, vzae, where, forwarded), employee \
                in zip(POSTS, self.staff):
            org = homes[where]
            share = Decimal(vzae)
            start = dt.date(year, 1, 1) if rng.random() < 0.8 else dt.date(
                year, rng.randint(2, 5), 1)
            occupancy = {
                'employee': employee.id, 'share': share,
                'start_date': min(start, self.today),
                'monthly_cost': Decimal(rng.randrange(4300, 6200, 50)) * share,
                }
            if not current:
                occupancy['end_date'] = dt.date(year, 12, 31)
            values = {
                'code': code, 'name': name,
                'baustein': self.bausteine[baustein].id,
                'kind': self.kinds[kind].id,
                'vzae': share, 'home': org.id, 'employer': org.id,
                'employer_kind': where, 'supervision': self.ki.id,
                'forwarded': forwarded,
                'occupancies': [('create', [occupancy])],
                }
            if forwarded:
                values.update(recipient=org.id,
                    forwarding_agreement=self.agreement.id)
            if where == 'welfare':
                values.update(justification=JUSTIFICATION,
                    jmd_mbe_outside=True, jmd_mbe_proof=PDF,
                    jmd_mbe_proof_name='Bestaetigung-JMD-MBE-%s.pdf' % code)
            positions.append(values)
        plan, = Stellenplan.create([{
                    'company': self.company.id,
                    'name': 'Stellenplan KIM %s' % year,
                    'year': year,
                    'positions': [('create', positions)],
                    }])
        Stellenplan.confirm([plan])
        return positions

    def costs(self, year):
        "Sachkosten, events and process advice days up to today"
        pool = self.pool
        Cost = pool.get('kim.funding.cost')
        AdviceDay = pool.get('kim.funding.advice_day')
        rng = self.rng
        costs = []
        for baustein, category, description, amount in COSTS:
            date = dt.date(year, rng.randint(2, 11), rng.randint(1, 28))
            if date > self.today:
                continue
            costs.append({
                    'company': self.company.id,
                    'baustein': self.bausteine[baustein].id,
                    'category': self.categories[category],
                    'description': description,
                    'date': date,
                    'amount': Decimal(amount),
                    })
        Cost.create(costs)
        AdviceDay.create([{
                    'company': self.company.id,
                    'baustein': self.bausteine[1].id,
                    'date': dt.date(year, 2 + i, 10),
                    'kind': 'advice' if i < 6 else 'exchange',
                    'adviser': self.adviser.id,
                    'description': 'Prozessbegleitung Tag %s' % (i + 1),
                    'amount': Decimal('1012') if i % 3 else Decimal('1150'),
                    } for i in range(8)
                if dt.date(year, 2 + i, 10) <= self.today])
        return len(costs)

    def forwarding(self, year, decision, positions, current):
        """The Weiterleitung to the welfare organisation with the authority's
        consent, paid (Forwarding.pay); for a past year the recipient's proof
        of use received and checked"""
        Forwarding = self.pool.get('kim.funding.forwarding')
        kind = self.kinds['case_management']
        vzae = sum(p['vzae'] for p in positions if p['forwarded'])
        amount = self.company.currency.round(
            kind.get_rate(year).amount_for(vzae))
        forwarding, = Forwarding.create([{
                    'company': self.company.id,
                    'decision': decision.id,
                    'recipient': self.welfare.id,
                    'recipient_kind': 'welfare',
                    'agreement': self.agreement.id,
                    'kind': kind.id,
                    'vzae': vzae,
                    'amount': amount,
                    'consent_date': dt.date(year, 1, 20),
                    'consent_reference': 'Zustimmung 36.08.01-W/%s' % year,
                    'payment_date': self.date(year, 2, 1),
                    'proof_deadline': dt.date(year + 1, 3, 31),
                    }])
        Forwarding.pay([forwarding])
        if not current:
            forwarding.proof_spent = amount - Decimal('4350')
            forwarding.proof_date = dt.date(year, 12, 20)
            forwarding.proof_note = ("Personalkostennachweis liegt vor; eine "
                "Stelle war zwei Monate unbesetzt.")
            forwarding.save()
            Forwarding.receive_proof([forwarding])
            Forwarding.check([forwarding])
        return forwarding

    def proofs(self, year, decisions, current):
        """The Verwendungsnachweise: of every Baustein for a past year,
        computed, checked and submitted; drafts of Bausteine 1 and 2 with
        their numbers computed for the current year"""
        Proof = self.pool.get('kim.funding.proof')
        numbers = (1, 2) if current else (1, 2, 3)
        proofs = Proof.create([{
                    'company': self.company.id,
                    'baustein': self.bausteine[n].id, 'year': year,
                    'decision': decisions[n].id,
                    } for n in numbers])
        Proof.compute(proofs)
        if not current:
            # checked and submitted by the finance officer of the demo
            User = self.pool.get('res.user')
            users = User.search([('login', '=', 'finanzen')], limit=1)
            with Transaction().set_user(users[0].id if users else 0):
                Proof.check(proofs)
                Proof.submit(proofs)
        return proofs

    def kennzahlen(self, year, on_board):
        "The targets of the Lenkungsgruppe and the Kennzahlen of the year"
        pool = self.pool
        Indicator = pool.get('kim.indicator')
        Target = pool.get('kim.indicator.target')
        Report = pool.get('kim.indicator.report')
        Target.create([{
                    'indicator': indicator.id, 'company': self.company.id,
                    'year': year, 'value': Decimal(TARGETS[indicator.code]),
                    'note': "Beschluss der Lenkungsgruppe",
                    } for indicator in Indicator.search([
                        ('code', 'in', list(TARGETS))])])
        report, = Report.create([{
                    'name': 'Kennzahlen %s' % year,
                    'company': self.company.id,
                    'period_type': 'year',
                    'year': year,
                    'dimensions': ['kommune', 'target_group', 'rechtskreis',
                        'handlungsfeld', 'age_band', 'gender'],
                    }])
        Report.compute([report])
        if on_board:
            Report.write([report], {'on_board': True})
        return report
