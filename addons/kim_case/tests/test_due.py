# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""The Wiedervorlage (kim.case.due): every kind of due item, the horizons,
the escalation to the Fachaufsicht, the daily digest e-mail (into a local
SMTP sink) and the web client notifications"""
import datetime as dt
import email
import email.policy
import re
import socketserver
import threading
import unittest
from unittest.mock import patch

from trytond import backend, config
from trytond.model import ModelSQL
from trytond.modules.company.tests import (
    create_company, create_employee, set_company)
from trytond.modules.kim_case.due import DueSourceMixin
from trytond.modules.kim_case.tests.test_plan import PlanTestMixin
from trytond.modules.kim_network.tests.tools import (
    FreshDatabaseMixin, as_user, codes, create_organisation, create_user,
    give_consent, load_german)
from trytond.pool import Pool
from trytond.sendmail import SMTPDataManager
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

DAY = dt.timedelta(days=1)


def years_ago(date, years):
    try:
        return date.replace(year=date.year - years)
    except ValueError:
        return date.replace(year=date.year - years, day=28)


class _SMTPHandler(socketserver.StreamRequestHandler):
    "A minimal SMTP server that keeps the messages it receives"

    def reply(self, line):
        self.wfile.write(line.encode('ascii') + b'\r\n')

    def handle(self):
        self.reply('220 localhost test sink')
        data, rcpt = None, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            if data is not None:
                if line in {b'.\r\n', b'.\n'}:
                    self.server.messages.append((rcpt, b''.join(data)))
                    data, rcpt = None, []
                    self.reply('250 OK')
                else:
                    if line.startswith(b'..'):
                        line = line[1:]
                    data.append(line)
                continue
            command = line.strip().decode('ascii', 'replace').upper()
            if command.startswith('EHLO'):
                self.reply('250 localhost')
            elif command.startswith('RCPT TO:'):
                rcpt.append(line.strip()[8:].decode().strip('<> '))
                self.reply('250 OK')
            elif command == 'DATA':
                data = []
                self.reply('354 End data with <CR><LF>.<CR><LF>')
            elif command == 'QUIT':
                self.reply('221 Bye')
                return
            else:  # HELO, MAIL FROM, RSET, NOOP
                self.reply('250 OK')


class SMTPSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(('127.0.0.1', 0), _SMTPHandler)
        self.messages = []

    def __enter__(self):
        self.thread = threading.Thread(target=self.serve_forever)
        self.thread.start()
        return self

    def __exit__(self, *args):
        self.shutdown()
        self.server_close()
        self.thread.join()


class CaseDueTestCase(FreshDatabaseMixin, PlanTestMixin, unittest.TestCase):
    "Test the Wiedervorlage"

    modules = 'kim_case'

    def set_state(self, Model, records, **values):
        "Write the values (e.g. a workflow state) bypassing the workflow"
        table = Model.__table__()
        cursor = Transaction().connection.cursor()
        columns = [getattr(table, n) for n in values]
        cursor.execute(*table.update(columns, list(values.values()),
                where=table.id.in_([r.id for r in records])))
        # what code does after changing records in SQL
        Pool().get('kim.case.due').clear_items_cache()

    def fixture(self):
        """A case with one item of each kind of the case itself and its
        plan, and two clients with residence data; return the cases"""
        pool = Pool()
        Case = pool.get('kim.case')
        Party = pool.get('party.party')
        Assessment = pool.get('kim.case.assessment')
        Plan = pool.get('kim.case.plan')
        Consent = pool.get('kim.consent')
        Referral = pool.get('kim.case.referral')
        Conference = pool.get('kim.case.conference')
        Task = pool.get('kim.case.conference.task')
        Status = pool.get('kim.client.residence_status')
        duldung, ae = codes('kim.residence_status_type', 'DULDUNG', 'AE_24')

        case = self.setup_case(state='implementation')
        today = self.today
        with set_company(self.company):
            case.next_review = today + 5 * DAY
            case.opened_date = today - 100 * DAY
            case.contact_rhythm = 14
            case.save()
            assessment = self.create_assessment(case, sign=False)
            Assessment.write([assessment], {
                    'next_assessment_date': today + 20 * DAY})
            Assessment.sign([assessment])
            plan = self.create_plan(case)
            Plan.write([plan], {'review_date': today + 10 * DAY})
            consent = give_consent(self.client,
                purposes=['case_management'],
                signed_date=today - 300 * DAY)
            self.set_state(Consent, [consent], valid_until=today + 20 * DAY)
            organisation = create_organisation("Jobcenter")
            referral, = Referral.create([{
                        'case': case.id,
                        'organisation': organisation.id,
                        'handlungsfeld': self.work.id,
                        'purpose': "Arbeitsvermittlung",
                        }])
            self.set_state(Referral, [referral], state='sent',
                sent_date=today - 20 * DAY)
            conference, = Conference.create([{
                        'case': case.id,
                        'subject': "Fallkonferenz",
                        'start': dt.datetime.combine(
                            today - 40 * DAY, dt.time(9)),
                        }])
            Task.create([{
                        'conference': conference.id,
                        'name': "Kita-Platz klären",
                        'who': "Jugendamt",
                        'due_date': today - 30 * DAY,
                        }, {
                        'conference': conference.id,
                        'name': "Done already",
                        'who': "Jobcenter",
                        'due_date': today - 30 * DAY,
                        'done': True,
                        }])
            Status.create([{
                        'client': self.client.id,
                        'status_type': ae.id,
                        'valid_from': today - 200 * DAY,
                        'document_expiry': today + 40 * DAY,
                        }])

            # a young client with a Duldung without expiry date, in Germany
            # for 7 years
            tolerated, = Party.create([{
                        'name': "Client Geduldet",
                        'kim_client': True,
                        'kim_birth_date': years_ago(today, 20),
                        'kim_arrival_germany': years_ago(today, 7),
                        }])
            Status.create([{
                        'client': tolerated.id,
                        'status_type': duldung.id,
                        'valid_from': today - 400 * DAY,
                        }])
            case2, = Case.create([{
                        'company': self.company.id,
                        'client': tolerated.id,
                        'kommune': self.kommune.id,
                        'case_manager': self.employee.id,
                        'opened_date': years_ago(today, 2) + 10 * DAY,
                        }])
            # a former unaccompanied minor turning 18 in 100 days
            uma, = Party.create([{
                        'name': "Client UMA",
                        'kim_client': True,
                        'kim_uma': True,
                        'kim_birth_date': years_ago(today + 100 * DAY, 18),
                        }])
            case3, = Case.create([{
                        'company': self.company.id,
                        'client': uma.id,
                        'kommune': self.kommune.id,
                        'case_manager': self.employee.id,
                        }])
        return case, case2, case3

    def items(self, domain=None, date=None):
        Due = Pool().get('kim.case.due')
        with Transaction().set_context(date=date or self.today):
            return sorted((d.case.id, d.kind, d.date, d.overdue, d.escalated)
                for d in Due.search(domain or []))

    @with_transaction()
    def test_kinds(self):
        "Each kind of due item shows for its fixture, on its date"
        pool = Pool()
        Contact = pool.get('kim.case.contact')
        case, case2, case3 = self.fixture()
        today = self.today
        duldung_since = today - 400 * DAY
        arrival = years_ago(today, 7)

        def add_months(date, months):
            year, month = divmod(date.month - 1 + months, 12)
            return date.replace(year=date.year + year, month=month + 1)
        self.assertEqual(self.items(), sorted([
                    (case.id, 'review', today + 5 * DAY, False, False),
                    (case.id, 'reassessment', today + 20 * DAY, False, False),
                    (case.id, 'measure', today, False, False),
                    (case.id, 'plan_review', today + 10 * DAY, False, False),
                    (case.id, 'consent_expiry', today + 20 * DAY,
                        False, False),
                    (case.id, 'referral_answer', today - 6 * DAY,
                        True, False),
                    (case.id, 'conference_task', today - 30 * DAY,
                        True, True),
                    (case.id, 'contact_rhythm', today - 86 * DAY,
                        True, True),
                    (case.id, 'residence_document', today + 40 * DAY,
                        False, False),
                    (case2.id, 'duldung_no_expiry', duldung_since,
                        True, True),
                    (case2.id, 'residence_25a',
                        add_months(duldung_since, 12), False, False),
                    (case2.id, 'residence_25b', add_months(arrival, 72),
                        False, False),
                    (case2.id, 'case_duration',
                        add_months(case2.opened_date, 24), False, False),
                    (case3.id, 'adulthood', today + 100 * DAY,
                        False, False),
                    ]))

        # a done contact restarts the rhythm
        with set_company(self.company):
            contact, = Contact.create([{
                        'case': case.id,
                        'start': dt.datetime.combine(
                            today - 3 * DAY, dt.time(10)),
                        'duration': 60,
                        'channel': 'office',
                        }])
            Contact.do([contact])
        self.assertNotIn('contact_rhythm',
            [k for _, k, *_ in self.items([('case', '=', case.id)])])
        self.assertIn(
            (case.id, 'contact_rhythm', today + 11 * DAY, False, False),
            self.items([('case', '=', case.id)], date=today + 5 * DAY))

        # escalated items: the overdue ones beyond the limit
        self.assertEqual(
            [(c, k) for c, k, *_ in self.items([('escalated', '=', True)])],
            [(case.id, 'conference_task'),
                (case2.id, 'duldung_no_expiry')])

        # the digests read the same items in one query, with case numbers
        Due = pool.get('kim.case.due')
        for domain in [[], [('escalated', '=', True)]]:
            with Transaction().set_context(date=today):
                rows = Due._digest_items(domain, today)
            self.assertEqual(
                sorted((i.case, i.kind, i.date, i.overdue, i.escalated)
                    for i in rows), self.items(domain))
            self.assertEqual([(i.date, i.id) for i in rows],
                sorted((i.date, i.id) for i in rows))
            self.assertEqual({i.number for i in rows},
                {c.number for c in [case, case2, case3]
                    if c.id in {i.case for i in rows}})

    @with_transaction()
    def test_items_cache(self):
        """The items are computed once and kept (on PostgreSQL) until a
        record they derive from changes, whatever the path"""
        pool = Pool()
        Due = pool.get('kim.case.due')
        Case = pool.get('kim.case')
        Contact = pool.get('kim.case.contact')
        Task = pool.get('kim.case.conference.task')
        case, case2, case3 = self.fixture()
        today = self.today
        before = self.items()
        computed = []
        items_query = Due._items_query.__func__

        def counting(cls):
            computed.append(1)
            return items_query(cls)
        with patch.object(Due, '_items_query', classmethod(counting)):
            self.assertEqual(self.items(), before)
            self.assertEqual(self.items([('overdue', '=', True)]),
                [i for i in before if i[3]])
            if backend.name == 'postgresql':
                # kept: the searches and reads after the first use the
                # items of the first
                self.assertEqual(len(computed), 0)
                # another day, another list
                self.items(date=today + DAY)
                self.assertEqual(len(computed), 1)

            # a write of a source through the ORM
            Case.write([case], {'next_review': today + 7 * DAY})
            self.assertIn((case.id, 'review', today + 7 * DAY, False, False),
                self.items())
            # a create and a workflow transition
            with set_company(self.company):
                contact, = Contact.create([{
                            'case': case.id,
                            'start': dt.datetime.combine(
                                today - DAY, dt.time(10)),
                            'duration': 30,
                            'channel': 'office',
                            }])
                Contact.do([contact])
            self.assertNotIn('contact_rhythm',
                [k for c, k, *_ in self.items() if c == case.id])
            # a delete
            task, = Task.search([('done', '!=', True)])
            Task.delete([task])
            self.assertNotIn('conference_task',
                [k for _, k, *_ in self.items()])
            # a change in SQL that clears the cache
            self.set_state(Case, [case3], state='closed')
            self.assertNotIn(case3.id, {c for c, *_ in self.items()})

    @with_transaction()
    def test_items_sources(self):
        """Every table the queries of the items read belongs to a model of
        kim.case._due_sources, whose changes clear the cache"""
        pool = Pool()
        Due = pool.get('kim.case.due')
        Case = pool.get('kim.case')
        sources = Case._due_sources()
        tables = {}
        for name, Model in pool.iterobject():
            if name in sources:
                self.assertTrue(issubclass(Model, DueSourceMixin), name)
            if (issubclass(Model, ModelSQL) and getattr(Model, '_table', None)
                    and not Model._is_table_query()):
                tables.setdefault(Model._table, set()).add(name)
        for name in sources:
            pool.get(name)
        read = set(re.findall(r'FROM "(\w+)"|JOIN "(\w+)"',
                str(Due._items_query())))
        read = {t for pair in read for t in pair if t}
        self.assertTrue(read)
        for table in read:
            self.assertTrue(tables[table] & sources,
                '%s (%s) is no source' % (table, tables[table]))

    @with_transaction()
    def test_horizons(self):
        "Each kind shows within its own horizon of the configuration"
        pool = Pool()
        Configuration = pool.get('kim.configuration')
        Case = pool.get('kim.case')
        case, case2, case3 = self.fixture()
        config = Configuration(1)
        config.due_horizon_consent = 5
        config.due_horizon_plan_review = 9
        config.due_horizon_adulthood = 30
        config.due_horizon_case_duration = 3
        config.due_horizon_residence = 10
        config.referral_answer_days = 30
        config.escalation_days = 366
        config.save()
        kinds = {k for _, k, *_ in self.items()}
        for kind in ['consent_expiry', 'plan_review', 'adulthood',
                'case_duration', 'referral_answer']:
            self.assertNotIn(kind, kinds)
        # the type's horizon (56 days for a permit) wins over the default
        self.assertIn('residence_document', kinds)
        # later horizons from the configuration's
        self.assertIn(
            (case.id, 'referral_answer', self.today + 10 * DAY),
            [tuple(i[:3]) for i in self.items(date=self.today + 10 * DAY)])
        self.assertEqual(
            [(c, k) for c, k, *_ in self.items([('escalated', '=', True)])],
            [(case2.id, 'duldung_no_expiry')])
        # closed and cancelled cases show nothing
        Case.write([case2], {'state': 'cancelled'})
        self.assertNotIn(case2.id, {c for c, *_ in self.items()})

    @with_transaction()
    def test_access(self):
        """The list holds what the user reads; the Fachaufsicht sees the
        escalated items of the company, another case manager nothing"""
        pool = Pool()
        Due = pool.get('kim.case.due')
        case, case2, case3 = self.fixture()
        other = create_employee(self.company, "Fallmanager Ben")
        eva = create_user('eva', [('kim_case', 'group_case_manager')],
            company=self.company, employees=[self.employee])
        ben = create_user('ben', [('kim_case', 'group_case_manager')],
            company=self.company, employees=[other])
        supervisor = create_user('sup', [
                ('kim_case', 'group_case_supervisor')],
            company=self.company)
        elsewhere = create_company("Elsewhere")
        company = self.company.id
        outside = create_user('out', [
                ('kim_case', 'group_case_supervisor')],
            company=elsewhere)
        with as_user(eva), Transaction().set_context(company=company):
            with Transaction().set_context(kim_due_mine=True):
                mine = Due.search([('mine', '=', True)])
            self.assertEqual({d.case.id for d in mine},
                {case.id, case2.id, case3.id})
        with as_user(ben), Transaction().set_context(company=company):
            self.assertEqual(Due.search([]), [])
        with as_user(supervisor), Transaction().set_context(company=company):
            escalated = Due.search([('escalated', '=', True)])
            self.assertEqual(len(escalated), 3)
        with as_user(outside), Transaction().set_context(
                company=elsewhere.id):
            self.assertEqual(Due.search([('escalated', '=', True)]), [])

    def digest_fixture(self):
        """The cases of fixture(), German loaded and the case manager Eva
        with an address, writing German"""
        Lang = Pool().get('ir.lang')
        load_german('kim_case')
        cases = self.fixture()
        de, = Lang.search([('code', '=', 'de')])
        eva = create_user('eva', [('kim_case', 'group_case_manager')],
            company=self.company, employees=[self.employee],
            email='eva@kim.invalid', language=de.id)
        return cases, de, eva

    @with_transaction()
    def test_digest(self):
        """The daily digest reaches the case manager through SMTP in German
        with case numbers and kinds only; new overdue items notify in the
        web client"""
        pool = Pool()
        Due = pool.get('kim.case.due')
        Notification = pool.get('res.notification')
        Cron = pool.get('ir.cron')
        (case, case2, case3), de, eva = self.digest_fixture()
        create_user('nomail', [('kim_case', 'group_case_manager')],
            company=self.company)
        self.assertIn('kim.case.due|send_digest',
            dict(Cron.fields_get(['method'])['method']['selection']))

        with SMTPSink() as sink:
            uri = 'smtp://127.0.0.1:%s' % sink.server_address[1]
            old = config.get('email', 'uri')
            config.set('email', 'uri', uri)
            try:
                transaction = Transaction()
                manager = transaction.join(SMTPDataManager())
                # yesterday's run: items overdue since then are new
                with transaction.set_context(date=self.today - 7 * DAY):
                    Due.send_digest(date=self.today - 7 * DAY)
                manager.queue.clear()
                sent = Due.send_digest()
                self.assertEqual(sent, [eva])
                self.assertEqual(len(manager.queue), 1)
                # what the commit of the transaction does
                manager.tpc_begin(transaction)
                manager.commit(transaction)
                manager.tpc_vote(transaction)
                manager.tpc_finish(transaction)
            finally:
                config.set('email', 'uri', old)
        (rcpt, data), = sink.messages
        self.assertEqual(rcpt, ['eva@kim.invalid'])
        message = email.message_from_bytes(data, policy=email.policy.default)
        self.assertEqual(message['To'], 'eva@kim.invalid')
        self.assertIn('Wiedervorlage', message['Subject'])
        self.assertIn('4 überfällig', message['Subject'])
        body = message.get_body().get_content()
        self.assertIn('Überfällig (4):', body)
        for number in [case.number, case2.number, case3.number]:
            self.assertIn(number, body)
        self.assertIn('Fallkonferenz-Aufgabe', body)
        self.assertIn('Hilfeplan-Überprüfung', body)
        self.assertIn('18. Geburtstag (UMA)', body)
        # no names or texts of the case file
        for text in [self.client.name, "Client UMA", "Kita-Platz",
                "Arbeitsvermittlung", "Jugendamt"]:
            self.assertNotIn(text, body)

        # the referral became overdue since the last run (7 days ago)
        notification, = Notification.search([('user', '=', eva.id)])
        self.assertIn('1', notification.label)
        self.assertIn(case.number, notification.description)
        self.assertTrue(notification.action)

    def digest_into_sink(self):
        """Run the daily digest with the e-mails sent into a local SMTP
        sink as the commit would; return the sink's [(rcpt, message)]"""
        Due = Pool().get('kim.case.due')
        with SMTPSink() as sink:
            old = config.get('email', 'uri')
            config.set('email', 'uri',
                'smtp://127.0.0.1:%s' % sink.server_address[1])
            try:
                transaction = Transaction()
                manager = transaction.join(SMTPDataManager())
                sent = Due.send_digest()
                manager.tpc_begin(transaction)
                manager.commit(transaction)
                manager.tpc_vote(transaction)
                manager.tpc_finish(transaction)
            finally:
                config.set('email', 'uri', old)
        return sent, [(rcpt, email.message_from_bytes(data,
                        policy=email.policy.default))
            for rcpt, data in sink.messages]

    @with_transaction()
    def test_escalation_digest(self):
        """The Fachaufsicht of the company gets one e-mail of the escalated
        items (case numbers, kinds, case managers); a Fachaufsicht of
        another company or without address gets none"""
        pool = Pool()
        Due = pool.get('kim.case.due')
        (case, case2, case3), de, eva = self.digest_fixture()
        supervisor = create_user('sup', [
                ('kim_case', 'group_case_supervisor')],
            company=self.company, email='fachaufsicht@kim.invalid',
            language=de.id)
        create_user('sup2', [('kim_case', 'group_case_supervisor')],
            company=self.company)
        create_user('out', [('kim_case', 'group_case_supervisor')],
            company=create_company("Elsewhere"),
            email='elsewhere@kim.invalid')
        with Transaction().set_context(date=self.today):
            escalated = Due.search([('escalated', '=', True)])
        self.assertEqual({d.kind for d in escalated},
            {'conference_task', 'duldung_no_expiry', 'contact_rhythm'})

        sent, messages = self.digest_into_sink()

        self.assertEqual(sent, [eva, supervisor])
        self.assertEqual(sorted(r for r, _ in messages),
            [['eva@kim.invalid'], ['fachaufsicht@kim.invalid']])
        message, = [m for r, m in messages
            if r == ['fachaufsicht@kim.invalid']]
        self.assertIn('%s Einträge an die Fachaufsicht eskaliert'
            % len(escalated), message['Subject'])
        body = message.get_body().get_content()
        self.assertIn('seit mehr als 14 Tagen', body)
        for item in escalated:
            self.assertIn(item.case.number, body)
        self.assertIn('Duldung ohne Ablaufdatum', body)
        self.assertIn('Fallkonferenz-Aufgabe', body)
        self.assertIn('Fallmanagerin Test', body)
        # nothing of what is only due, no client data
        self.assertNotIn(case3.number, body)
        for text in [self.client.name, "Client Geduldet", "Kita-Platz"]:
            self.assertNotIn(text, body)

        # switched off with the digest
        Configuration = pool.get('kim.configuration')
        config_ = Configuration(1)
        config_.due_digest = False
        config_.save()
        sent, messages = self.digest_into_sink()
        self.assertEqual((sent, messages), ([], []))


if __name__ == '__main__':
    unittest.main()
