"""The services of the organisations and the cooperation agreements of the
KI with them (tables in services.json)"""
import datetime as dt

from demokit import add_months, months_ago, run_by_day, tables

from .directory import NET

_T = tables(__file__, 'services.json')
HF, TG = 'handlungsfeld_', 'target_group_'
# By organisation type: (title, Handlungsfelder, target groups, description,
#  min age, max age, appointment only, cost, waiting days range)
SERVICES = _T['services']
# How many services an organisation of the type gets relative to others
SERVICE_WEIGHT = _T['service_weight']
ELIGIBILITY = _T['eligibility']
OPENING_PATTERNS = _T['opening_patterns']
# type: (title, Handlungsfelder, tasks, referral rules)
AGREEMENT_TEXTS = _T['agreement_texts']
AGREEMENT_TYPE_BY_ORG = _T['agreement_type_by_org']
DATA_PROTECTION_RULES = _T['data_protection_rules']
COMMUNICATION = _T['communication']


def create_services(ctx, n, orgs, kommunen, contacts):
    rng = ctx.random
    today = ctx.today
    Service = ctx.pool.get('kim.service')
    contacts_by_org = {}
    for contact in contacts:
        contacts_by_org.setdefault(contact.organisation.id, []).append(
            contact)
    plan = ctx.registry['_plan']
    # a weighted round robin over the organisations
    slots = []
    for (key, type_, *_), org in plan:
        if type_ in SERVICES:
            slots.extend([(type_, org)] * SERVICE_WEIGHT.get(type_, 1))
    rng.shuffle(slots)
    # every organisation first gets its type's first service
    ordered = [(t, o) for (_, t, *_), o in plan if t in SERVICES] + slots
    counters = {}
    titles = set()
    vlist = []
    i = 0
    while len(vlist) < n and ordered:
        type_, org = ordered[i % len(ordered)]
        i += 1
        k = counters.get(org.id, 0)
        counters[org.id] = k + 1
        templates = SERVICES[type_]
        (title, hfs, tgs, description, min_age, max_age, appointment, cost,
            waiting) = templates[k % len(templates)]
        site = org.addresses[(k // len(templates)) % len(org.addresses)]
        place = site.city
        if (title, org.id) in titles or title in {t for t, _ in titles}:
            title = '%s – %s' % (title, place)
        while (title, org.id) in titles:
            title = '%s (%d)' % (title.split(' (')[0], k + 1)
        titles.add((title, org.id))
        languages = [lang.id for lang in org.kim_languages]
        if len(languages) > 2:
            languages = [languages[0]] + rng.sample(
                languages[1:], rng.randint(1, len(languages) - 1))
        if org.kim_whole_kreis:
            whole, served = rng.random() < .85, []
            if not whole:
                served = [site.kim_kommune.id]
        else:
            whole, served = False, [kk.id for kk in org.kim_kommunen]
        valid_from = months_ago(today, rng.randint(3, 72), rng.randint(1, 28))
        valid_to = None
        roll = rng.random()
        if roll < .05:
            valid_to = months_ago(today, rng.randint(1, 2), 28)   # ended
        elif roll < .15:
            valid_to = dt.date(today.year + 1, 12, 31)   # project funding
        hours = []
        if not appointment or rng.random() < .5:
            pattern = rng.choice(OPENING_PATTERNS)
            hours = [{'weekday': d, 'start': dt.time(s, 0),
                    'end': dt.time(e, 0)}
                for d, s, e in pattern]
        contact = rng.choice(contacts_by_org.get(org.id, [None]))
        vlist.append({
                'name': title,
                'organisation': org.id,
                'description': description,
                'handlungsfelder': [('add', [
                            ctx.ref(NET + HF + h) for h in hfs])],
                'target_groups': [('add', [
                            ctx.ref(NET + TG + t) for t in tgs])],
                'eligibility': rng.choice(ELIGIBILITY)
                if rng.random() < .5 else None,
                'min_age': min_age, 'max_age': max_age,
                'languages': [('add', languages)],
                'whole_kreis': whole,
                'kommunen': [('add', served)],
                'site': site.id,
                'appointment_only': appointment,
                'opening_hours': [('create', hours)],
                'barrier_free': bool(site.kim_barrier_free),
                'cost': cost,
                'cost_note': {'fee': "Gebühr nach Gebührenordnung",
                    'reduced': "Ermäßigung mit Berechtigungsnachweis"}.get(
                    cost),
                'waiting_days': rng.randint(*waiting),
                'contact': contact.id if contact else None,
                'valid_from': valid_from,
                'valid_to': valid_to,
                'active': not (valid_to and valid_to < today
                    and rng.random() < .5),
                })
    return Service.create(vlist)


def create_agreements(ctx, n, ki, orgs, today):
    rng = ctx.random
    Agreement = ctx.pool.get('kim.cooperation_agreement')
    plan = [(t, o) for (_, t, *_), o in ctx.registry['_plan']
        if o != ki and t in AGREEMENT_TYPE_BY_ORG]
    if not plan or n <= 0:
        return []
    # states: most signed and in force, some overdue, in negotiation, draft,
    # terminated, and renewals (a terminated predecessor + signed successor)
    n_renewed = int(round(n * .1))
    n_terminated = int(round(n * .1))
    n_negotiation = max(1, int(round(n * .13))) if n > 2 else 0
    n_draft = int(round(n * .07))
    n_signed = n - 2 * n_renewed - n_terminated - n_negotiation - n_draft
    n_overdue = int(round(n * .15))
    states = (['renewed'] * n_renewed + ['terminated'] * n_terminated
        + ['negotiation'] * n_negotiation + ['draft'] * n_draft
        + ['overdue'] * min(n_overdue, max(n_signed, 0))
        + ['signed'] * max(n_signed - n_overdue, 0))
    partners_done = set()
    predecessors = []
    vlist = []
    # the workflow of each agreement: [(transition, day)] after its create
    steps = []

    def values(kind, org, state):
        agreement_type = AGREEMENT_TYPE_BY_ORG[kind]
        title, hfs, tasks, referral = AGREEMENT_TEXTS[agreement_type]
        partners = [org.id]
        if rng.random() < .25:
            other = rng.choice(plan)[1]
            if other.id != org.id:
                partners.append(other.id)
        interval = rng.choice([12, 12, 12, 24, 6])
        shared = rng.sample(hfs, rng.randint(1, len(hfs)))
        return {
            'name': title % org.name,
            'type': agreement_type,
            'office': ki.id,
            'partners': [('add', partners)],
            'evaluation_interval': interval,
            'tasks': tasks % org.name,
            'referral_rules': referral,
            'data_protection_rules': DATA_PROTECTION_RULES,
            'communication': COMMUNICATION,
            'shared_handlungsfelder': [('add', [
                        ctx.ref(NET + HF + h) for h in shared])],
            }

    def signed(v, signed_on, overdue=False, end=None):
        "v of an agreement signed on signed_on (and terminated on end)"
        interval = v['evaluation_interval']
        last = None
        next_ = signed_on
        while True:
            candidate = add_months(next_, interval)
            if candidate > today:
                break
            last, next_ = candidate, candidate
        if last is None:
            next_eval = add_months(signed_on, interval)
        else:
            next_eval = add_months(last, interval)
        if overdue:
            # the evaluation was not held: the last one is older
            last = last and add_months(last, -interval)
            next_eval = today - dt.timedelta(days=rng.randint(10, 150))
        # Agreement.sign on its day sets the signed date and the start of
        # validity; Agreement.terminate the end
        v.update({'last_evaluation': last, 'next_evaluation': next_eval})
        steps.append([('sign', signed_on)] + (
                [('terminate', end)] if end else []))
        return v

    i = 0
    for state in states:
        kind, org = plan[i % len(plan)]
        i += 1
        if state == 'renewed':
            signed_on = months_ago(today, rng.randint(40, 60),
                rng.randint(1, 28))
            end = months_ago(today, rng.randint(4, 14), 28)
            old = signed(values(kind, org, 'terminated'), signed_on,
                end=end)
            old.update({'next_evaluation': None,
                    'notes': "Abgelöst durch die Folgevereinbarung."})
            vlist.append(old)
            new = signed(values(kind, org, 'signed'),
                end + dt.timedelta(days=1))
            new['notes'] = "Verlängerung der Vereinbarung von %d." % (
                signed_on.year)
            predecessors.append((len(vlist) - 1, len(vlist)))
            vlist.append(new)
        elif state == 'terminated':
            signed_on = months_ago(today, rng.randint(24, 60),
                rng.randint(1, 28))
            end = months_ago(today, rng.randint(1, 18), rng.randint(1, 28))
            v = signed(values(kind, org, 'terminated'), signed_on, end=end)
            v.update({'next_evaluation': None,
                    'notes': rng.choice([
                            "Gekündigt: Förderung des Trägers ausgelaufen.",
                            "Einvernehmlich beendet, Aufgaben übernimmt der "
                            "Regeldienst.",
                            ])})
            vlist.append(v)
        elif state in ('negotiation', 'draft'):
            v = values(kind, org, state)
            v['notes'] = ("Entwurf liegt dem Träger zur Abstimmung vor."
                if state == 'negotiation' else "Erster Entwurf des KI.")
            vlist.append(v)
            steps.append([('negotiate', today)] if state == 'negotiation'
                else [])
        else:
            overdue = state == 'overdue'
            signed_on = months_ago(today, rng.randint(
                    13 if overdue else 2, 48), rng.randint(1, 28))
            vlist.append(signed(values(kind, org, 'signed'), signed_on,
                    overdue=overdue))
        partners_done.add(org.id)
    agreements = Agreement.create(vlist)
    # through the workflow, each step on its day (no signature warnings: the
    # shared Handlungsfelder are set)
    for name in ['negotiate', 'sign', 'terminate']:
        run_by_day(getattr(Agreement, name), [(a.id, day)
                for a, todo in zip(agreements, steps)
                for step, day in todo if step == name])
    # the evaluations not held in time (the daily job's flag)
    Agreement.flag_due_evaluations(today)
    agreements = Agreement.browse([a.id for a in agreements])
    if predecessors:
        to_write = []
        for old, new in predecessors:
            to_write.extend(([agreements[new]],
                    {'predecessor': agreements[old].id}))
        Agreement.write(*to_write)
    return agreements
