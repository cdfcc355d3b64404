"""Demo data plugin of kim_reporting: a filled funding year.

For the last complete year: the Förderbescheide of Bausteine 1 to 3 with
their payments, a confirmed Stellenplan (coordination, case management at the
KI and forwarded to a welfare organisation, Ausländerbehörde) with
occupancies and personnel costs, Sachkosten and event costs, external process
advice days, a Weiterleitung whose proof of use was checked, a
Verwendungsnachweis draft of Baustein 2 with its numbers computed, and the
Kennzahlen of the year on the Lenkungsgruppe board.
Amounts come from the rates of the module data (kim.funding.rate).
See generate.py for the plugin interface.
"""
import datetime as dt
from decimal import Decimal

MODULE = 'kim_reporting'
LOCK_TABLES = ['kim_configuration']
NET = 'kim_network.'
REP = 'kim_reporting.'


def is_loaded(ctx):
    Decision = ctx.pool.get('kim.funding.decision')
    return bool(Decision.search([], limit=1))


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


def generate(ctx):
    from trytond.transaction import Transaction
    pool = ctx.pool
    Company = pool.get('company.company')
    companies = Company.search([], limit=1)
    if not companies:
        ctx.log('no company (kim_case demo data missing): skipped')
        return
    company, = companies
    with Transaction().set_context(company=company.id):
        _generate(ctx, company)


def _generate(ctx, company):
    pool = ctx.pool
    Baustein = pool.get('kim.funding.baustein')
    Decision = pool.get('kim.funding.decision')
    Stellenplan = pool.get('kim.funding.stellenplan')
    Employee = pool.get('company.employee')
    Party = pool.get('party.party')
    Cost = pool.get('kim.funding.cost')
    AdviceDay = pool.get('kim.funding.advice_day')
    Agreement = pool.get('kim.cooperation_agreement')
    Forwarding = pool.get('kim.funding.forwarding')
    Proof = pool.get('kim.funding.proof')
    Report = pool.get('kim.indicator.report')
    Configuration = pool.get('kim.configuration')
    rng = ctx.random
    today = min(ctx.today, dt.date.today())
    year = today.year - 1

    def d(month, day):
        return dt.date(year, month, day)

    b1, b2, b3 = Baustein.browse([ctx.ref(REP + 'baustein_%s' % i)
            for i in (1, 2, 3)])
    config = Configuration(1)
    ki = config.kim_office or (_orgs(ctx, 'ki') or [None])[0]
    welfare = _orgs(ctx, 'wohlfahrt')
    abh = _orgs(ctx, 'abh')
    if not ki or not welfare or not abh:
        ctx.log('organisations of the directory missing: skipped')
        return
    diakonie = welfare[0]
    authority = _party(ctx, 'Bezirksregierung Arnsberg, Dezernat 36')

    # Förderbescheide: VZÄ times the rate of the year
    vzae = {b1: Decimal('4'), b2: Decimal('12'), b3: Decimal('2')}
    decisions = {}
    for baustein in (b1, b2, b3):
        rate = baustein.get_rate(year)
        amount = company.currency.round(rate.rate_per_vzae * vzae[baustein])
        decisions[baustein], = Decision.create([{
                    'company': company.id,
                    'baustein': baustein.id,
                    'year': year,
                    'date': d(1, 15),
                    'authority': authority.id,
                    'file_number': '36.08.01-%s-%s/%s' % (
                        baustein.code, rng.randint(100, 999), year),
                    'amount': amount,
                    'eligible_vzae': vzae[baustein],
                    'period_start': d(1, 1),
                    'period_end': d(12, 31),
                    'proof_deadline': dt.date(year + 1, 6, 30),
                    'conditions': "ANBest-G. Weiterleitung an freie Träger "
                    "mit Zustimmung der Bewilligungsbehörde.",
                    'payments': [('create', [
                                {'date': d(3, 1), 'amount': (
                                        amount / 2).quantize(Decimal('1'))},
                                {'date': d(9, 1), 'amount': amount - (
                                        amount / 2).quantize(Decimal('1'))},
                                ])],
                    }])
    Decision.grant(list(decisions.values()))

    # the Weiterleitungsvertrag with the welfare organisation
    agreements = Agreement.search([
            ('type', '=', 'forwarding'), ('state', '=', 'signed'),
            ('partners', '=', diakonie.id)], limit=1)
    if agreements:
        agreement, = agreements
    else:
        agreement, = Agreement.create([{
                    'name': 'Weiterleitung Case Management %s' % year,
                    'type': 'forwarding',
                    'office': ki.id,
                    'partners': [('add', [diakonie.id])],
                    'shared_handlungsfelder': [('add', [
                                ctx.ref(NET + 'handlungsfeld_aufenthalt')])],
                    'valid_from': d(1, 1),
                    }])
        Agreement.sign([agreement])

    # the Stellenplan and who fills the posts
    employees = Employee.search([('company', '=', company.id)],
        order=[('id', 'ASC')])
    needed = 20
    if len(employees) < needed:
        parties = Party.create([{'name': '%s %s' % ctx.names.person()}
                for _ in range(needed - len(employees))])
        employees += Employee.create([{'party': p.id, 'company': company.id}
                for p in parties])
    staff = iter(employees)
    posts = [('K-%02d' % i, 'Koordination', b1, Decimal('1'), ki, 'ki',
            False) for i in range(1, 4)]
    posts.append(('K-04', 'Verwaltungsassistenz', b1, Decimal('0.5'), ki,
            'ki', False))
    posts += [('CM-%02d' % i, 'Case Management', b2, Decimal('1'), ki, 'ki',
            False) for i in range(1, 7)]
    posts += [('CM-%02d' % i, 'Case Management (Weiterleitung)', b2,
            Decimal('1'), diakonie, 'welfare', True) for i in range(7, 13)]
    posts += [('ABH-%02d' % i, 'Bleiberecht/Einbürgerung', b3,
            Decimal('1'), abh[0], 'office', False) for i in range(1, 3)]
    positions = []
    for code, name, baustein, share, org, kind, forwarded in posts:
        employee = next(staff)
        start = d(1, 1) if rng.random() < 0.8 else d(rng.randint(2, 5), 1)
        monthly = Decimal(rng.randrange(4300, 6200, 50)) * share
        values = {
            'code': code, 'name': name, 'baustein': baustein.id,
            'vzae': share, 'home': org.id, 'employer': org.id,
            'employer_kind': kind, 'supervision': ki.id,
            'forwarded': forwarded,
            'occupancies': [('create', [{
                            'employee': employee.id, 'share': share,
                            'start_date': start,
                            'monthly_cost': monthly,
                            }])],
            }
        if forwarded:
            values.update(recipient=org.id,
                forwarding_agreement=agreement.id)
        positions.append(values)
    plan, = Stellenplan.create([{
                'company': company.id,
                'name': 'Stellenplan KIM %s' % year,
                'year': year,
                'positions': [('create', positions)],
                }])
    Stellenplan.confirm([plan])

    # Sachkosten, events and process advice
    categories = {c: ctx.ref(REP + 'cost_category_' + c) for c in [
            'workplace', 'material', 'event', 'interface', 'software',
            'publication']}
    costs = []
    for baustein, items in [
            (b1, [('event', 'Fachtag Integration', 3400),
                  ('interface', 'Workshop Schnittstellen Jobcenter', 1200),
                  ('software', 'Digitales Integrationsmanagement', 4800),
                  ('publication', 'Wegweiser in sechs Sprachen', 2100)]),
            (b2, [('workplace', 'Arbeitsplatzausstattung', 5200),
                  ('material', 'Dolmetschkosten', 7400),
                  ('material', 'Fahrtkosten aufsuchende Arbeit', 1900),
                  ('event', 'Fallkonferenzen', 600)])]:
        for category, description, amount in items:
            costs.append({
                    'company': company.id, 'baustein': baustein.id,
                    'category': categories[category],
                    'description': description,
                    'date': d(rng.randint(2, 11), rng.randint(1, 28)),
                    'amount': Decimal(amount),
                    })
    Cost.create(costs)
    adviser = _party(ctx, 'Prozessbegleitung Muster & Partner')
    AdviceDay.create([{
                'company': company.id, 'baustein': b1.id,
                'date': d(2 + i, 10), 'kind': 'advice' if i < 6 else
                'exchange', 'adviser': adviser.id,
                'description': 'Prozessbegleitung Tag %s' % (i + 1),
                'amount': Decimal('1012') if i % 3 else Decimal('1150'),
                } for i in range(8)])

    # the Weiterleitung and the check of the recipient's proof of use
    forwarded = sum(p['vzae'] for p in positions if p['forwarded'])
    rate = b2.get_rate(year).rate_per_vzae
    forwarding, = Forwarding.create([{
                'company': company.id,
                'decision': decisions[b2].id,
                'recipient': diakonie.id,
                'recipient_kind': 'welfare',
                'agreement': agreement.id,
                'vzae': forwarded,
                'amount': rate * forwarded,
                'payment_date': d(2, 1),
                }])
    Forwarding.pay([forwarding])
    forwarding.proof_spent = rate * forwarded - Decimal('4350')
    forwarding.proof_date = d(12, 20)
    forwarding.proof_note = ("Personalkostennachweis liegt vor; eine Stelle "
        "war zwei Monate unbesetzt.")
    forwarding.save()
    Forwarding.receive_proof([forwarding])
    Forwarding.check([forwarding])

    # the Verwendungsnachweis draft of Baustein 2
    proof, = Proof.create([{
                'company': company.id, 'baustein': b2.id, 'year': year,
                'decision': decisions[b2].id,
                }])
    Proof.compute([proof])

    # the targets the Lenkungsgruppe set for the year (Zielwerte)
    Indicator = pool.get('kim.indicator')
    Target = pool.get('kim.indicator.target')
    targets = {'intakes': 250, 'goal_rate': 35, 'duration': 180,
        'outreach_pct': 20, 'referrals': 500}
    Target.create([{
                'indicator': indicator.id, 'company': company.id,
                'year': year, 'value': Decimal(targets[indicator.code]),
                'note': "Beschluss der Lenkungsgruppe",
                } for indicator in Indicator.search([
                    ('code', 'in', list(targets))])])

    # the Kennzahlen of the year on the Lenkungsgruppe board
    report, = Report.create([{
                'name': 'Kennzahlen %s' % year,
                'company': company.id,
                'period_type': 'year',
                'year': year,
                'dimensions': ['kommune', 'target_group', 'rechtskreis',
                    'handlungsfeld', 'age_band', 'gender'],
                }])
    Report.compute([report])
    Report.write([report], {'on_board': True})
    ctx.log('funding year %s: 3 Förderbescheide, %d positions, %d costs, '
        'Weiterleitung checked, Verwendungsnachweis draft, Kennzahlen on the '
        'board' % (year, len(positions), len(costs)))
