"""The Schweigepflichtentbindungen of the clients and the referrals of the
partner measures under them (tables in texts.json)"""
import datetime as dt
import random

from demokit import (
    PDF, SEND_BATCH, SMALL_BATCH, batches, create, date_between, fresh, pick,
    real_today, tables)

_X = tables(__file__, 'texts.json')
# Organisation types a client commonly releases from confidentiality towards
CONSENT_TYPES = _X['consent_types']
REVOCATION_REASONS = _X['revocation_reasons']
OVERRIDE_REASONS = _X['override_reasons']
REFERRAL_TEXTS = _X['referral_texts']
FEEDBACKS = _X['feedbacks']
REJECTIONS = _X['rejections']


class ConsentPlan:
    "A consent of a story: what it covers and when"
    __slots__ = ('story', 'values', 'purposes', 'recipients',
        'handlungsfelder', 'signed', 'valid_until', 'revoked', 'reason',
        'record', 'state')

    def __init__(self, **kwargs):
        for name in self.__slots__:
            setattr(self, name, kwargs.get(name))

    def last_day(self, today):
        "The last day on which the consent covers"
        days = [today]
        if self.valid_until:
            days.append(self.valid_until)
        if self.revoked:
            days.append(self.revoked - dt.timedelta(days=1))
        return min(days)

    def covers(self, purpose, organisation=None, handlungsfeld=None):
        return (self.state != 'draft' and purpose in self.purposes
            and (organisation is None or organisation in self.recipients)
            and (handlungsfeld is None
                or handlungsfeld in self.handlungsfelder))


def story_handlungsfelder(story):
    "The Handlungsfelder with a need in any assessment of the story"
    result = []
    for _, _, needs, _ in story.assessments:
        for h, need in needs.items():
            if need != 'none' and h.id not in result:
                result.append(h.id)
    return result


def in_cm(story):
    "Whether the story is a case in full case management"
    return not story.short and story.state != 'intake'


def create_consents(ctx, stories):
    """Schweigepflichtentbindungen: most clients in case management sign one
    near intake, for the Handlungsfelder of their assessment and the
    organisations of their Hilfeplan (and of a planned handover); drafts for
    a part of the current intakes. Given by the workflow (Consent.give) with
    a scan attached; revocations and expiries follow in finish_consents."""
    pool = ctx.pool
    Consent = pool.get('kim.consent')
    Attachment = pool.get('ir.attachment')
    Handlungsfeld = pool.get('kim.handlungsfeld')
    rng = ctx.random
    today = real_today(ctx)
    clock = dt.date.today()
    all_hfs = [h.id for h in Handlungsfeld.search([], order=[('id', 'ASC')])]
    orgs = organisation_infos(ctx)
    by_type = {}
    for org_id, (type_, _) in orgs.items():
        by_type.setdefault(type_, []).append(org_id)
    common = [o for t in CONSENT_TYPES for o in by_type.get(t, [])]
    statutory = {}
    for org_id, (type_, is_statutory) in orgs.items():
        if is_statutory:
            statutory.setdefault(type_, []).append(org_id)

    # external handovers of a part of the cases closed "Übergabe"
    for story in stories:
        story.handover = None
        story.handed_over = False
        if (story.state == 'closed' and not story.short
                and story.closing and story.closing[1] == 'UEBERGABE'
                and story.assessments and statutory
                and rng.random() < 0.6):
            hfs = story_handlungsfelder(story) or all_hfs[:1]
            codes = {h.code for _, _, n, _ in story.assessments for h in n}
            type_ = ('jugendamt' if codes & {'FAMILIE', 'BILDUNG'}
                and 'jugendamt' in statutory and rng.random() < 0.4
                else 'jobcenter' if 'jobcenter' in statutory
                else rng.choice(sorted(statutory)))
            story.handover = (rng.choice(statutory[type_]),
                rng.sample(hfs, min(len(hfs), rng.randint(1, 2))))

    plans = []
    for story in stories:
        if story.state == 'intake':
            if story.short or rng.random() > 0.6:
                continue
            # a form handed out at the intake, not yet signed
            plans.append(ConsentPlan(story=story, state='draft',
                    purposes=['case_management', 'transfer'],
                    recipients=set(rng.sample(common, min(2, len(common)))),
                    handlungsfelder=set(rng.sample(all_hfs, 2))))
            continue
        if not in_cm(story):
            continue
        if story.handover is None and rng.random() > (
                0.6 if story.state == 'cancelled' else 0.88):
            continue
        signed = min(story.opened + dt.timedelta(days=rng.randint(0, 14)),
            story.end, today)
        purposes = ['case_management']
        if rng.random() < 0.95 or story.handover:
            purposes.append('transfer')
        if rng.random() < 0.6:
            purposes.append('case_conference')
        if 'case_conference' in purposes or rng.random() < 0.4:
            # a Fallkonferenz with partners is communication in the network
            purposes.append('network')
        hfs = story_handlungsfelder(story) or rng.sample(all_hfs, 3)
        if len(hfs) > 1 and rng.random() < 0.15:
            # the client left one topic out
            hfs = hfs[:-1]
        hfs = set(hfs)
        recipients = {m.organisation for m in story.measures}
        recipients.update(rng.sample(common, min(len(common),
                    rng.randint(1, 3))))
        if recipients and len(recipients) > 2 and rng.random() < 0.1:
            recipients.discard(rng.choice(sorted(recipients)))
        if story.handover:
            recipients.add(story.handover[0])
            hfs.update(story.handover[1])
        valid_until = None
        if rng.random() < 0.35:
            valid_until = signed + dt.timedelta(days=rng.choice([365, 730]))
        plan = ConsentPlan(story=story, state='given', purposes=purposes,
            recipients=recipients, handlungsfelder=hfs, signed=signed,
            valid_until=valid_until)
        if (not story.handover and valid_until is None
                and (today - signed).days > 60 and rng.random() < 0.06):
            plan.revoked = date_between(rng,
                signed + dt.timedelta(days=30), min(story.end, today))
            plan.reason = rng.choice(REVOCATION_REASONS)
        plans.append(plan)
    for plan in plans:
        plan.story.consents.append(plan)
        plan.values = {
            'client': plan.story.client.id,
            'purposes': plan.purposes,
            'recipients': [('add', sorted(plan.recipients))],
            'handlungsfelder': [('add', sorted(plan.handlungsfelder))],
            'language': plan.story.language,
            'signed_date': plan.signed,
            # a validity that ends before the clock's today is set once the
            # referrals are sent, which check the consent in force today
            'valid_until': (plan.valid_until
                if plan.valid_until and plan.valid_until >= clock else None),
            'notes': ("Formular in der Herkunftssprache und auf Deutsch "
                "ausgehändigt und erklärt." if plan.story.language else None),
            }
    extra = case_management_consents(ctx, stories, today)
    records = create(Consent, [p.values for p in plans + extra])
    for plan, record in zip(plans + extra, records):
        plan.record = record
    given = [p for p in plans if p.state == 'given']
    # nearly every signed form is scanned (one stored file for all)
    scanned = [p for p in given if rng.random() < 0.92] + extra
    given += extra
    create(Attachment, [{
                'name': 'Schweigepflichtentbindung-%s.pdf' % p.signed,
                'resource': str(p.record),
                'type': 'data',
                'data': PDF,
                'description': "Unterschriebenes Formular (Scan)",
                } for p in scanned])
    for chunk in batches([p.record for p in given]):
        Consent.give(Consent.browse([c.id for c in chunk]))
    ctx.log('%d consents (%d given, %d drafts), %d scans attached' % (
            len(plans) + len(extra), len(given),
            len(plans) + len(extra) - len(given), len(scanned)))


def case_management_consents(ctx, stories, today):
    """A consent to case management only, for the clients in case
    management who released no one from confidentiality: without it their
    case cannot leave intake (Case.assess). A cancelled case without one
    was cancelled in intake. From a random stream of its own, so that the
    other data of the seed stays as it was."""
    rng = random.Random('%s:kim_case:cm_consent' % ctx.seed)
    extra = []
    for story in stories:
        if not in_cm(story) or story.state == 'cancelled' or any(
                p.state == 'given' for p in story.consents):
            continue
        plan = ConsentPlan(story=story, state='given',
            purposes=['case_management'], recipients=set(),
            handlungsfelder=set(story_handlungsfelder(story)),
            signed=min(story.opened + dt.timedelta(days=rng.randint(0, 14)),
                story.end, today))
        story.consents.append(plan)
        plan.values = {
            'client': story.client.id,
            'purposes': plan.purposes,
            'handlungsfelder': [('add', sorted(plan.handlungsfelder))],
            'language': story.language,
            'signed_date': plan.signed,
            'notes': "Einwilligung in das Fallmanagement; keine "
            "Schweigepflichtentbindung gegenüber Dritten.",
            }
        extra.append(plan)
    return extra


def organisation_infos(ctx):
    "{organisation id: (type key, statutory case management)}"
    type_of = {}
    for key, records in (ctx.registry.get('organisations_by_type')
            or {}).items():
        for record in records:
            type_of[record.id] = key
    ki = ctx.registry.get('ki')
    result = {}
    for org in fresh(ctx.registry.get('organisations')):
        if ki and org.id == ki.id:
            continue
        result[org.id] = (type_of.get(org.id),
            bool(org.kim_statutory_case_management))
    return result


def covering(story, purpose, organisation, handlungsfeld, date, today):
    "The consent plan of story in force on date for the transfer, or None"
    for plan in reversed(story.consents):
        if (plan.covers(purpose, organisation, handlungsfeld)
                and plan.signed <= date <= plan.last_day(today)):
            return plan


def create_referrals(ctx, stories):
    """Referrals of the partner measures of the Hilfepläne to their
    organisation: sent (Referral.send) where a consent covers the
    organisation and Handlungsfeld, then answered and completed with feedback
    by their age; drafts where no consent covers yet, and a few sent by the
    Fachaufsicht without consent, with a written reason."""
    pool = ctx.pool
    Referral = pool.get('kim.case.referral')
    User = pool.get('res.user')
    from trytond.transaction import Transaction
    rng = ctx.random
    today = real_today(ctx)
    contacts = {}
    for contact in fresh(ctx.registry.get('contacts')):
        contacts.setdefault(contact.organisation.id, []).append(contact.id)
    open_states = {'assessment', 'planning', 'implementation', 'closing'}
    n_overrides = max(2, len(stories) // 150)

    vlist, finals, uncovered = [], [], []
    for story in stories:
        if story.state == 'cancelled':
            continue
        horizon = min(story.end, today)
        for measure in story.measures:
            if measure.status == 'cancelled' or rng.random() > 0.45:
                continue
            start = measure.agreed + dt.timedelta(days=rng.randint(0, 10))
            if measure.plan_state == 'draft' or start > horizon:
                sent, plan = None, None
            else:
                sent = date_between(rng, start, min(horizon,
                        start + dt.timedelta(days=60)))
                plan = covering(story, 'transfer', measure.organisation,
                    measure.handlungsfeld, sent, today)
                if plan:
                    sent = max(sent, plan.signed)
            values = {
                'case': story.case.id,
                'measure': measure.id,
                'service': measure.service,
                'organisation': measure.organisation,
                'contact': (rng.choice(contacts[measure.organisation])
                    if contacts.get(measure.organisation)
                    and rng.random() < 0.7 else None),
                'handlungsfeld': measure.handlungsfeld,
                'purpose': measure.name,
                'description': rng.choice(REFERRAL_TEXTS),
                'case_manager': story.manager,
                }
            if plan:
                # the consent must cover until the organisation answered
                last = min(horizon, plan.last_day(today))
                state = referral_outcome(rng, story, (today - sent).days)
                answer = completed = None
                if state in {'accepted', 'rejected', 'completed'}:
                    answer = min(sent + dt.timedelta(
                            days=rng.randint(1, 21)), last)
                    if answer < sent:
                        answer = sent
                if state == 'completed':
                    completed = max(answer, min(answer + dt.timedelta(
                                days=rng.randint(14, 180)), horizon))
                values.update({
                        'sent_date': sent,
                        'answer_date': answer,
                        'completed_date': completed,
                        'feedback': (rng.choice(FEEDBACKS)
                            if state == 'completed' else None),
                        'rejection_reason': (rng.choice(REJECTIONS)
                            if state == 'rejected' else None),
                        })
                vlist.append(values)
                finals.append(state)
            elif story.state in open_states and (
                    sent is None or rng.random() < 0.5):
                vlist.append(values)
                finals.append('draft')
                if sent is not None and story.state in {
                        'implementation', 'closing'}:
                    uncovered.append(len(vlist) - 1)
    # a few sent without consent by the Fachaufsicht
    overrides = set(rng.sample(uncovered, min(n_overrides, len(uncovered))))
    for index in overrides:
        finals[index] = 'override'
        vlist[index]['sent_date'] = today - dt.timedelta(
            days=rng.randint(0, 20))
    referrals = create(Referral, vlist, SMALL_BATCH)
    by_state = {}
    for referral, state in zip(referrals, finals):
        by_state.setdefault(state, []).append(referral.id)

    def run(method, states):
        ids = [i for s in states for i in by_state.get(s, [])]
        # sending logs an event per referral, which clears the cache of the
        # records read: small chunks keep the re-reads small
        for chunk in batches(ids, SEND_BATCH):
            method(Referral.browse(chunk))
    # sent as root: the warnings on missing cooperation agreements are the
    # case manager's to skip
    run(Referral.send, ['sent', 'accepted', 'rejected', 'completed',
            'cancelled'])
    supervisors = User.search([('login', '=', 'fachaufsicht')], limit=1)
    user = supervisors[0].id if supervisors else 0
    with Transaction().set_user(user), \
            Transaction().set_context(_skip_warnings=True):
        for index, reason in zip(sorted(overrides),
                rng.choices(OVERRIDE_REASONS, k=len(overrides))):
            Referral.send_with_override(
                Referral.browse([referrals[index].id]), reason)
    run(Referral.accept, ['accepted', 'completed'])
    run(Referral.reject, ['rejected'])
    run(Referral.complete, ['completed'])
    run(Referral.cancel, ['cancelled'])
    ctx.log('%d referrals (%s)' % (len(referrals), ', '.join(
                '%d %s' % (len(by_state[s]), s) for s in sorted(by_state))))


def referral_outcome(rng, story, age):
    "The state of a referral sent age days ago"
    if story.state in {'closed', 'closing'}:
        return pick(rng, [('completed', 65), ('rejected', 12),
                ('accepted', 8), ('cancelled', 10), ('sent', 0)])
    if age < 14:
        return pick(rng, [('sent', 7), ('accepted', 3)])
    if age < 60:
        return pick(rng, [('sent', 2), ('accepted', 5), ('rejected', 1),
                ('completed', 2)])
    return pick(rng, [('completed', 55), ('accepted', 25), ('rejected', 12),
            ('cancelled', 8)])


def finish_consents(ctx, stories):
    """The revocations (Consent.do_revoke with the client's reason), the
    validity of the consents that ended (Consent.expire) and renewed consents
    of the open cases whose consent expired"""
    pool = ctx.pool
    Consent = pool.get('kim.consent')
    Attachment = pool.get('ir.attachment')
    from trytond.transaction import Transaction
    rng = ctx.random
    today = real_today(ctx)
    clock = dt.date.today()
    plans = [p for s in stories for p in s.consents]
    revoked = [p for p in plans if p.revoked]
    for plan in revoked:
        Consent.do_revoke([Consent(plan.record.id)], plan.reason,
            date=plan.revoked)
    ended = [p for p in plans if p.state == 'given' and p.valid_until
        and p.valid_until < clock]
    table = Consent.__table__()
    cursor = Transaction().connection.cursor()
    for plan in ended:
        cursor.execute(*table.update([table.valid_until], [plan.valid_until],
                where=table.id == plan.record.id))
    # the records read before the SQL update must not be served from cache
    Transaction().counter += 1
    for cache in Transaction().cache.values():
        cache.clear()
    expired = Consent.expire(today)
    # open cases: the client signed again shortly before the end
    renewals = []
    for plan in ended:
        story = plan.story
        if (plan.valid_until < today and story.state in {
                    'assessment', 'planning', 'implementation'}
                and rng.random() < 0.7):
            values = dict(plan.values)
            values['signed_date'] = max(plan.signed, plan.valid_until
                - dt.timedelta(days=rng.randint(0, 20)))
            values['valid_until'] = None
            renewals.append(values)
    records = create(Consent, renewals)
    create(Attachment, [{
                'name': 'Schweigepflichtentbindung-%s.pdf' % (
                    v['signed_date']),
                'resource': str(r),
                'type': 'data',
                'data': PDF,
                'description': "Unterschriebenes Formular (Scan)",
                } for r, v in zip(records, renewals)])
    for chunk in batches(records):
        Consent.give(Consent.browse([c.id for c in chunk]))
    ctx.log('%d consents revoked, %d expired, %d renewed' % (
            len(revoked), len(expired), len(records)))
