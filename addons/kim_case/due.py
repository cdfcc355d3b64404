# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""The kinds of the Wiedervorlage (kim.case.due) beyond the case's own date,
its residence documents, re-assessments and measures: Hilfeplan reviews,
consents that expire, referrals without answer, Fallkonferenz tasks, the
agreed contact rhythm, a Duldung without expiry date, the 18th birthday of a
(former) unaccompanied minor, the waiting times of § 25a and § 25b AufenthG
and the case duration limit.

Every kind is one python-sql select of the union of kim.case.due (set-based:
no loop over cases); the dates the client data gives are computed in SQL by
the helpers below, for PostgreSQL and SQLite."""
import datetime
from collections import namedtuple
from email.message import EmailMessage

from sql import Cast, Literal, Null
from sql.aggregate import Max
from sql.conditionals import Case as SQLCase
from sql.conditionals import Coalesce
from sql.functions import Function
from sql.operators import Concat, Exists

from trytond import backend
from trytond import config
from trytond.i18n import gettext
from trytond.modules.kim_network.common import today
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.sendmail import sendmail_transactional
from trytond.transaction import Transaction

from .case import OPEN_STATES


class _SQLiteDate(Function):
    __slots__ = ()
    _function = 'DATE'


def _cast_date(expression):
    return Cast(expression, 'DATE')


def add_days(expression, days):
    """The date expression (a date or timestamp) plus days (an int or an
    integer SQL expression)"""
    if backend.name == 'sqlite':
        if isinstance(days, int):
            modifier = Literal('%+d days' % days)
        else:
            modifier = Concat(Concat('+', days), ' days')
        return _SQLiteDate(expression, modifier)
    return _cast_date(_cast_date(expression) + days)


def add_months(expression, months):
    """The date expression plus months (an int or an integer SQL
    expression)"""
    if backend.name == 'sqlite':
        if isinstance(months, int):
            modifier = Literal('%+d months' % months)
        else:
            modifier = Concat(Concat('+', months), ' months')
        return _SQLiteDate(expression, modifier)
    if isinstance(months, int):
        interval = Cast(Literal('%d months' % months), 'INTERVAL')
    else:
        interval = Cast(Concat(months, ' months'), 'INTERVAL')
    return _cast_date(_cast_date(expression) + interval)


def later(first, second):
    "The later of two date expressions (the first if the second is NULL)"
    return SQLCase(((second != Null) & (second > first), second),
        else_=first)


def years_before(date, years):
    "The date years before date (the 28th February for a 29th)"
    try:
        return date.replace(year=date.year - years)
    except ValueError:
        return date.replace(year=date.year - years, day=28)


class DueSourceMixin:
    """Clears the cached items of the Wiedervorlage when a record of a
    model they derive from (kim.case._due_sources) is created, written or
    deleted: registered for every model. Code that changes such records in
    SQL clears the cache itself (CaseDue.clear_items_cache)."""
    __slots__ = ()

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        pool = Pool()
        try:
            Case = pool.get('kim.case')
        except KeyError:
            return
        if cls.__name__ in Case._due_sources():
            pool.get('kim.case.due').clear_items_cache()


class Case(metaclass=PoolMeta):
    __name__ = 'kim.case'

    @classmethod
    def _due_sources(cls):
        return super()._due_sources() | {
            'kim.case.plan', 'kim.consent', 'kim.case.referral',
            'kim.case.conference', 'kim.case.conference.task',
            'kim.case.contact', 'party.party', 'kim.client.household',
            }

    @classmethod
    def _due_queries(cls):
        return super()._due_queries() + [
            cls._due_query_plan_review(),
            cls._due_query_consent(),
            cls._due_query_referral(),
            cls._due_query_conference_task(),
            cls._due_query_contact(),
            cls._due_query_duldung(),
            cls._due_query_adulthood(),
            cls._due_query_25a(),
            cls._due_query_25b(),
            cls._due_query_duration(),
            ]

    @classmethod
    def _due_query_plan_review(cls):
        "The review dates of the agreed Hilfepläne"
        Plan = Pool().get('kim.case.plan')
        plan = Plan.__table__()
        return plan.select(
            cls._due_id(plan.id, plan.case, 'plan_review').as_('id'),
            plan.case.as_('case'),
            Literal('plan_review').as_('kind'),
            plan.review_date.as_('date'),
            where=(plan.state == 'agreed') & (plan.review_date != Null))

    @classmethod
    def _due_query_consent(cls):
        """Consents in force that expire (valid_until), unless the client
        signed a later consent that runs longer (a renewal)"""
        Consent = Pool().get('kim.consent')
        consent = Consent.__table__()
        newer = Consent.__table__()
        case = cls.__table__()
        renewed = Exists(newer.select(newer.id,
                where=(newer.client == consent.client)
                & (newer.state == 'given')
                & (newer.id != consent.id)
                & (newer.signed_date >= consent.signed_date)
                & ((newer.valid_until == Null)
                    | (newer.valid_until > consent.valid_until))))
        return consent.join(case, condition=consent.client == case.client
            ).select(
            cls._due_id(consent.id, case.id, 'consent_expiry').as_('id'),
            case.id.as_('case'),
            Literal('consent_expiry').as_('kind'),
            consent.valid_until.as_('date'),
            where=(consent.state == 'given')
            & (consent.valid_until != Null)
            & case.state.in_(OPEN_STATES)
            & ~renewed)

    @classmethod
    def _due_query_referral(cls):
        """Sent referrals without answer: due the configured number of days
        after sending"""
        pool = Pool()
        Referral = pool.get('kim.case.referral')
        Configuration = pool.get('kim.configuration')
        days = Configuration(1).get_referral_answer_days()
        referral = Referral.__table__()
        return referral.select(
            cls._due_id(referral.id, referral.case, 'referral_answer'
                ).as_('id'),
            referral.case.as_('case'),
            Literal('referral_answer').as_('kind'),
            add_days(referral.sent_date, days).as_('date'),
            where=(referral.state == 'sent')
            & (referral.answer_date == Null)
            & (referral.sent_date != Null))

    @classmethod
    def _due_query_conference_task(cls):
        "The open tasks of the case conferences not cancelled"
        pool = Pool()
        Conference = pool.get('kim.case.conference')
        Task = pool.get('kim.case.conference.task')
        conference = Conference.__table__()
        task = Task.__table__()
        return task.join(conference,
            condition=task.conference == conference.id
            ).select(
            cls._due_id(task.id, conference.case, 'conference_task'
                ).as_('id'),
            conference.case.as_('case'),
            Literal('conference_task').as_('kind'),
            task.due_date.as_('date'),
            where=(task.due_date != Null)
            & ((task.done == Null) | (task.done == Literal(False)))
            & (conference.state != 'cancelled'))

    @classmethod
    def _due_query_contact(cls):
        """The agreed contact rhythm: due when the last done contact (or
        the opening of the case) is older than the rhythm"""
        Contact = Pool().get('kim.case.contact')
        contact = Contact.__table__()
        case = cls.__table__()
        # the last done contact of the case (index on case and state)
        last = Max(contact.start)
        if backend.name != 'sqlite':
            last = _cast_date(last)
        last = contact.select(last,
            where=(contact.case == case.id) & (contact.state == 'done'))
        return case.select(
            cls._due_id(case.id, case.id, 'contact_rhythm').as_('id'),
            case.id.as_('case'),
            Literal('contact_rhythm').as_('kind'),
            add_days(Coalesce(last, case.opened_date), case.contact_rhythm
                ).as_('date'),
            where=(case.contact_rhythm != Null)
            & case.state.in_(OPEN_STATES))

    @classmethod
    def _due_current_duldung(cls):
        """The tables of the current residence statuses of the Duldung kind
        joined with the open cases of their clients, and the condition"""
        pool = Pool()
        Status = pool.get('kim.client.residence_status')
        StatusType = pool.get('kim.residence_status_type')
        date = Transaction().context.get('date') or today()
        status = Status.__table__()
        status_type = StatusType.__table__()
        case = cls.__table__()
        tables = status.join(status_type,
            condition=status.status_type == status_type.id
            ).join(case, condition=status.client == case.client)
        where = ((status_type.duldung == Literal(True))
            & ((status.valid_from == Null) | (status.valid_from <= date))
            & ((status.valid_to == Null) | (status.valid_to >= date))
            & case.state.in_(OPEN_STATES))
        return tables, status, case, where

    @classmethod
    def _due_query_duldung(cls):
        """A current Duldung without expiry date: due from its start (or the
        opening of the case, if later), shown at once"""
        tables, status, case, where = cls._due_current_duldung()
        return tables.select(
            cls._due_id(status.id, case.id, 'duldung_no_expiry').as_('id'),
            case.id.as_('case'),
            Literal('duldung_no_expiry').as_('kind'),
            later(case.opened_date, status.valid_from).as_('date'),
            where=where & (status.document_expiry == Null))

    @classmethod
    def _due_query_adulthood(cls):
        """The 18th birthday of a client who came as an unaccompanied minor
        (UMA), shown from the horizon before until as many days after as
        Rechtskreis changes"""
        pool = Pool()
        Party = pool.get('party.party')
        Configuration = pool.get('kim.configuration')
        configuration = Configuration(1)
        date = Transaction().context.get('date') or today()
        party = Party.__table__()
        case = cls.__table__()
        since = date - datetime.timedelta(
            days=configuration.get_rechtskreis_change_days())
        return case.join(party, condition=case.client == party.id).select(
            cls._due_id(party.id, case.id, 'adulthood').as_('id'),
            case.id.as_('case'),
            Literal('adulthood').as_('kind'),
            add_months(party.kim_birth_date, 18 * 12).as_('date'),
            where=(party.kim_uma == Literal(True))
            & (party.kim_birth_date != Null)
            & (party.kim_birth_date >= years_before(since, 18))
            & case.state.in_(OPEN_STATES))

    @classmethod
    def _due_query_25a(cls):
        """§ 25a AufenthG (well integrated young people), simplified: a
        client aged 14 to 26 with a current Duldung; the date on which the
        Duldung has lasted 12 months and the stay in Germany (since the
        arrival, if known) 3 years. The school and the other conditions are
        for the case manager and the Ausländerbehörde to check."""
        Party = Pool().get('party.party')
        date = Transaction().context.get('date') or today()
        party = Party.__table__()
        tables, status, case, where = cls._due_current_duldung()
        tables = tables.join(party, condition=status.client == party.id)
        return tables.select(
            cls._due_id(status.id, case.id, 'residence_25a').as_('id'),
            case.id.as_('case'),
            Literal('residence_25a').as_('kind'),
            later(add_months(status.valid_from, 12),
                add_months(party.kim_arrival_germany, 36)).as_('date'),
            where=where & (status.valid_from != Null)
            & (party.kim_birth_date != Null)
            & (party.kim_birth_date <= years_before(date, 14))
            & (party.kim_birth_date > years_before(date, 27)))

    @classmethod
    def _due_query_25b(cls):
        """§ 25b AufenthG (sustainable integration), simplified: a client
        with a current Duldung; the date on which the stay in Germany since
        the arrival lasts 6 years, or 4 years when a minor child lives in
        the household. The other conditions (livelihood, German A2,
        Leumund) are for the case manager and the Ausländerbehörde."""
        pool = Pool()
        Party = pool.get('party.party')
        Household = pool.get('kim.client.household')
        date = Transaction().context.get('date') or today()
        party = Party.__table__()
        household = Household.__table__()
        child = Party.__table__()
        tables, status, case, where = cls._due_current_duldung()
        tables = tables.join(party, condition=status.client == party.id)
        minor_child = Exists(household.join(child,
                condition=household.member == child.id
                ).select(household.id,
                where=(household.client == party.id)
                & (household.relation == 'child')
                & (household.same_household == Literal(True))
                & (child.kim_birth_date > years_before(date, 18))))
        months = SQLCase((minor_child, 48), else_=72)
        return tables.select(
            cls._due_id(status.id, case.id, 'residence_25b').as_('id'),
            case.id.as_('case'),
            Literal('residence_25b').as_('kind'),
            add_months(party.kim_arrival_germany, months).as_('date'),
            where=where & (party.kim_arrival_germany != Null))

    @classmethod
    def _due_query_duration(cls):
        """Cases that run beyond the duration limit of the configuration
        (24 months by default): due on the day they reach it"""
        Configuration = Pool().get('kim.configuration')
        months = Configuration(1).get_case_duration_months()
        case = cls.__table__()
        return case.select(
            cls._due_id(case.id, case.id, 'case_duration').as_('id'),
            case.id.as_('case'),
            Literal('case_duration').as_('kind'),
            add_months(case.opened_date, months).as_('date'),
            where=case.state.in_(OPEN_STATES))


# An item of the digests: the columns of kim.case.due with the case's number
DigestItem = namedtuple('DigestItem', ['id', 'case', 'number', 'kind', 'date',
        'case_manager', 'company', 'overdue', 'escalated'])


class CaseDue(metaclass=PoolMeta):
    __name__ = 'kim.case.due'

    @classmethod
    def view_attributes(cls):
        # overdue rows in red: PYSON given by the server, encoded as the web
        # client reads it (a PYSON text in the view's XML is not)
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('overdue', False), 'danger', '')),
            ]

    @classmethod
    def send_digest(cls, date=None):
        """Send each case manager (each user of the employees in charge of
        the cases) with items in the Wiedervorlage one e-mail that lists
        them by case number and kind, and notify them in the web client of
        the items overdue since the last run; send the Fachaufsicht of each
        company one e-mail of the escalated items. Return the users notified
        by e-mail (the case managers, then the Fachaufsicht)."""
        pool = Pool()
        Configuration = pool.get('kim.configuration')
        User = pool.get('res.user')
        transaction = Transaction()
        if date is None:
            date = today()
        configuration = Configuration(1)
        last = configuration.due_digest_date
        since = (last if last and last < date
            else date - datetime.timedelta(days=1))
        # as the system: the items of every case manager
        with transaction.set_user(0), transaction.set_context(
                date=date, kim_due_mine=False, _check_access=False):
            items = cls._digest_items([('case_manager', '!=', None)], date)
            by_employee = {}
            for item in items:
                by_employee.setdefault(item.case_manager, []).append(item)
            users = User.search([
                    ('employees', 'in', list(by_employee)),
                    ]) if by_employee else []
            sent, notified = [], []
            for user in users:
                user_items = sorted({i for e in user.employees
                        for i in by_employee.get(e.id, [])},
                    key=lambda i: (i.date, i.id))
                if not user_items:
                    continue
                language = user.language.code if user.language else 'de'
                with transaction.set_context(language=language):
                    if configuration.get_due_digest() and user.email:
                        cls._send_digest_mail(user, user_items, date, since)
                        sent.append(user)
                    new = [i for i in user_items
                        if i.overdue and since <= i.date < date]
                    if new:
                        notified.append(cls._notification(user, new))
            if notified:
                pool.get('res.notification').save(notified)
            if configuration.get_due_digest():
                sent += cls._send_escalation_digests(date)
            configuration.due_digest_date = date
            configuration.save()
        return sent

    @classmethod
    def _digest_items(cls, domain, date):
        """Return the items of domain as DigestItem rows ordered by date,
        read in one query: reading the records in batches would compute
        the table query again for each batch (at the size of a Kreis, the
        digest of every case manager ran for a quarter of an hour)"""
        pool = Pool()
        Case = pool.get('kim.case')
        case = Case.__table__()
        cursor = Transaction().connection.cursor()
        from_, due, expression = cls.select_from(domain)
        query = from_.join(case,
            condition=due.case == case.id).select(
            due.id, due.case, case.number, due.kind, due.date,
            due.case_manager, due.company,
            where=expression, order_by=[due.date.asc, due.id.asc])
        cursor.execute(*query)
        status = cls._status_on(date)
        items = []
        for id_, case_id, number, kind, due_date, manager, company in (
                cursor):
            if isinstance(due_date, str):  # SQLite
                due_date = datetime.date.fromisoformat(due_date)
            items.append(DigestItem(id_, case_id, number or str(case_id),
                    kind, due_date, manager, company,
                    *status(kind, due_date)))
        return items

    @classmethod
    def _send_escalation_digests(cls, date):
        """Send each Fachaufsicht (the users of the group case supervisor
        with an e-mail address) one e-mail with the escalated items of the
        cases of its companies (what its list *Eskaliert* shows). Called by
        send_digest as the system; return the users."""
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        transaction = Transaction()
        items = cls._digest_items([('escalated', '=', True)], date)
        by_company = {}
        for item in items:
            by_company.setdefault(item.company, []).append(item)
        if not by_company:
            return []
        group = ModelData.get_id('kim_case', 'group_case_supervisor')
        users = User.search([
                ('groups', '=', group),
                ('companies', 'in', list(by_company)),
                ('email', '!=', None),
                ], order=[('id', 'ASC')])
        sent = []
        for user in users:
            user_items = sorted({i for c in user.companies
                    for i in by_company.get(c.id, [])},
                key=lambda i: (i.date, i.id))
            if not user_items or not user.email:
                continue
            language = user.language.code if user.language else 'de'
            with transaction.set_context(language=language):
                cls._send_escalation_mail(user, user_items, date)
            sent.append(user)
        return sent

    @classmethod
    def _send_escalation_mail(cls, user, items, date):
        "Queue the e-mail of the escalated items for the Fachaufsicht"
        kinds = cls._kind_names()

        Employee = Pool().get('company.employee')
        managers = {e.id: e.rec_name for e in Employee.browse(
                sorted({i.case_manager for i in items if i.case_manager}))}

        def line(item):
            return gettext('kim_case.msg_due_escalation_line',
                date=item.date.strftime('%d.%m.%Y'),
                case=item.number,
                kind=kinds.get(item.kind, item.kind),
                case_manager=managers.get(item.case_manager) or gettext(
                    'kim_case.msg_due_escalation_unassigned'))

        msg = EmailMessage()
        msg['Subject'] = gettext('kim_case.msg_due_escalation_subject',
            date=date.strftime('%d.%m.%Y'), count=len(items))
        msg['From'] = config.get('email', 'from', default='kim@localhost')
        msg['To'] = user.email
        msg.set_content('\n\n'.join([
                    gettext('kim_case.msg_due_escalation_intro',
                        name=user.name or user.login,
                        date=date.strftime('%d.%m.%Y'),
                        days=cls._escalation_days(), count=len(items)),
                    '\n'.join(line(i) for i in items),
                    gettext('kim_case.msg_due_escalation_footer'),
                    ]) + '\n')
        sendmail_transactional(msg['From'], [user.email], msg)

    @classmethod
    def _kind_names(cls):
        return dict(cls.fields_get(['kind'])['kind']['selection'])

    @classmethod
    def _send_digest_mail(cls, user, items, date, since):
        "Queue the digest e-mail of the items for the user"
        kinds = cls._kind_names()

        def line(item):
            return gettext('kim_case.msg_due_digest_line',
                date=item.date.strftime('%d.%m.%Y'),
                case=item.number,
                kind=kinds.get(item.kind, item.kind))

        overdue = [i for i in items if i.overdue]
        informative = [i for i in items
            if not i.overdue and i.kind in cls._informative_kinds]
        due = [i for i in items
            if i not in overdue and i not in informative]
        escalated = [i for i in overdue if i.escalated]
        parts = [gettext('kim_case.msg_due_digest_intro',
                name=user.name or user.login,
                date=date.strftime('%d.%m.%Y'))]
        for message, section in [
                ('kim_case.msg_due_digest_overdue', overdue),
                ('kim_case.msg_due_digest_due', due),
                ('kim_case.msg_due_digest_informative', informative),
                ]:
            if section:
                parts.append('\n'.join(
                        [gettext(message, count=len(section))]
                        + [line(i) for i in section]))
        if escalated:
            parts.append(gettext('kim_case.msg_due_digest_escalated',
                    count=len(escalated)))
        parts.append(gettext('kim_case.msg_due_digest_footer'))
        msg = EmailMessage()
        msg['Subject'] = gettext('kim_case.msg_due_digest_subject',
            date=date.strftime('%d.%m.%Y'),
            overdue=len(overdue), due=len(due))
        msg['From'] = config.get('email', 'from', default='kim@localhost')
        msg['To'] = user.email
        msg.set_content('\n\n'.join(parts) + '\n')
        sendmail_transactional(msg['From'], [user.email], msg)

    @classmethod
    def _notification(cls, user, items):
        "The web client notification of the items newly overdue"
        pool = Pool()
        Notification = pool.get('res.notification')
        ModelData = pool.get('ir.model.data')
        ActWindow = pool.get('ir.action.act_window')
        kinds = cls._kind_names()
        action = ActWindow(ModelData.get_id('kim_case', 'act_case_due'))
        return Notification(
            user=user,
            label=gettext('kim_case.msg_due_notification_label',
                count=len(items)),
            description=', '.join(sorted({
                        '%s (%s)' % (i.number, kinds.get(i.kind, i.kind))
                        for i in items})),
            icon='tryton-notification',
            action=action.action,
            )
