# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"Data protection: data-subject report, retention and erasure"
import datetime as dt
import json
import os
import unittest

from sql import Column
from sql.aggregate import Count, Sum
from sql.functions import Extract

from trytond.exceptions import UserError
from trytond.modules.kim_network.tests.tools import (
    FreshDatabaseMixin, as_user, create_user)
from trytond.modules.company.tests import (
    create_company, create_employee, set_company)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from trytond.model import fields

from trytond.modules.kim_case.client import Party as ClientParty
from trytond.modules.kim_case.privacy import TECHNICAL_FIELDS

YEARS = dt.timedelta(days=366)


def clear_cache():
    Transaction().counter += 1
    for cache in Transaction().cache.values():
        cache.clear()


class PrivacyTestCase(FreshDatabaseMixin, unittest.TestCase):
    "Test the data protection of kim_case"

    modules = 'kim_case'

    def setup(self):
        pool = Pool()
        Kommune = pool.get('kim.kommune')
        Handlungsfeld = pool.get('kim.handlungsfeld')
        self.company = create_company()
        self.employee = create_employee(self.company, name="Fallmanagerin")
        self.kommune, = Kommune.create([
                {'name': "Musterstadt", 'ags': '05999001'}])
        self.work, self.language = Handlungsfeld.search([
                ('code', 'in', ['ARBEIT', 'SPRACHE'])],
            order=[('code', 'ASC')])

    def code(self, model, index=0):
        Model = Pool().get(model)
        return Model.search([], order=[('id', 'ASC')])[index]

    def create_client(self, tag, closed=None, gender='female',
            birth=dt.date(1990, 7, 14), open_case=False):
        """Create a client with values in all fields and a case with all its
        records; close the case on closed (a date) unless None"""
        today = dt.date.today()
        pool = Pool()
        Party = pool.get('party.party')
        Country = pool.get('country.country')
        Case = pool.get('kim.case')
        Assessment = pool.get('kim.case.assessment')
        Plan = pool.get('kim.case.plan')
        Contact = pool.get('kim.case.contact')
        Event = pool.get('kim.case.event')
        Attachment = pool.get('ir.attachment')
        Note = pool.get('ir.note')
        secret = 'GEHEIM-%s' % tag
        countries = Country.search([], limit=1)
        if not countries:
            countries = Country.create([{'name': 'Syrien', 'code': 'SY'}])
        member, = Party.create([{'name': '%s Kind' % secret}])
        office, = Party.create([{
                    'name': "Jobcenter %s" % tag,
                    'kim_organisation_type': self.code(
                        'kim.organisation_type').id}])
        client, = Party.create([{
                    'name': '%s Name' % secret,
                    'kim_client': True,
                    'kim_birth_date': birth,
                    'kim_gender': gender,
                    'kim_nationalities': [('add', [countries[0].id])],
                    'kim_stateless': False,
                    'kim_language_mediation': True,
                    'kim_mediation_language': self.code('kim.language').id,
                    'kim_arrival_germany': dt.date(2015, 9, 3),
                    'kim_arrival_kommune': dt.date(2016, 2, 1),
                    'kim_residence_kommune': self.kommune.id,
                    'kim_accommodation': 'shared',
                    'identifiers': [('create', [{
                                    'type': None,
                                    'code': '%s-ID' % secret}])],
                    'addresses': [('create', [{
                                    'street_unstructured': (
                                        '%s Straße 1' % secret),
                                    'postal_code': '12345',
                                    'city': '%s Stadt' % secret}])],
                    'contact_mechanisms': [('create', [{
                                    'type': 'phone',
                                    'value': '+49 151 %s' % tag}])],
                    'kim_client_languages': [('create', [{
                                    'language': self.code('kim.language').id,
                                    'level': 'a2',
                                    'literacy': 'literate',
                                    'certificate': '%s DTZ' % secret}])],
                    'kim_household': [('create', [{
                                    'member': member.id,
                                    'relation': 'child',
                                    'same_household': False,
                                    'family_reunification': 'planned'}])],
                    'kim_residence_statuses': [('create', [{
                                    'status_type': self.code(
                                        'kim.residence_status_type').id,
                                    'valid_from': dt.date(2016, 1, 1),
                                    'valid_to': dt.date(2030, 1, 1),
                                    'document_expiry': dt.date(2030, 1, 1),
                                    'residence_obligation': True,
                                    'employment_permitted': 'yes',
                                    'notes': '%s status note' % secret}])],
                    'kim_client_rechtskreise': [('create', [{
                                    'rechtskreis': self.code(
                                        'kim.rechtskreis').id,
                                    'valid_from': dt.date(2016, 1, 1),
                                    'office': office.id}])],
                    }])
        opened = (closed - YEARS) if closed else today - YEARS
        with set_company(self.company):
            team, = pool.get('kim.case.team').create([{
                        'name': "Team %s" % tag,
                        'company': self.company.id}])
            case, = Case.create([{
                        'team': team.id,
                        'company': self.company.id,
                        'client': client.id,
                        'household_members': [('add', [member.id])],
                        'case_manager': self.employee.id,
                        'kommune': self.kommune.id,
                        'access_channel': self.code('kim.access_channel').id,
                        'referring_organisation': office.id,
                        'referring_person': '%s Referrer' % secret,
                        'target_groups': [('add', [
                                    self.code('kim.target_group').id])],
                        'rechtskreise': [('add', [
                                    self.code('kim.rechtskreis').id])],
                        'depth': 'case_management',
                        'contact_rhythm': 14,
                        'opened_date': opened,
                        'next_review': today,
                        'state': 'implementation',
                        'indication_complex_needs': 'yes',
                        'indication_several_providers': 'yes',
                        'indication_standard_routes_fail': 'no',
                        'indication_lacks_resources': 'unclear',
                        'indication_voluntary': 'yes',
                        'indication_decision': 'case_management',
                        'indication_decided_by': self.employee.id,
                        'indication_date': opened,
                        'indication_reason': '%s indication' % secret,
                        }])
            # a revision in the history table
            Case.write([case], {
                    'indication_reason': '%s indication 2' % secret})
            Event.create([{
                        'case': case.id, 'type': 'note',
                        'description': '%s event' % secret,
                        'employee': self.employee.id}])
            assessment, = Assessment.create([{
                        'case': case.id,
                        'date': opened,
                        'case_manager': self.employee.id,
                        'interpreter_used': True,
                        'interpreter_language': self.code('kim.language').id,
                        'client_goals': '%s own goals' % secret,
                        'summary': '%s summary' % secret,
                        'next_assessment_date': opened,
                        'lines': [('create', [{
                                        'handlungsfeld': self.work.id,
                                        'need': 'urgent',
                                        'situation': '%s situation' % secret,
                                        'strengths': '%s strengths' % secret,
                                        'needs': '%s needs' % secret,
                                        'client_view': '%s view' % secret,
                                        }])],
                        }])
            Assessment.sign([assessment])
            plan, = Plan.create([{
                        'case': case.id,
                        'assessment': assessment.id,
                        'main_goal': '%s main goal' % secret,
                        'agreement_date': opened,
                        'interpreter_used': True,
                        'interpreter_language': self.code('kim.language').id,
                        'review_date': opened,
                        'review_note': '%s review' % secret,
                        'goals': [('create', [{
                                        'handlungsfeld': self.work.id,
                                        'description': '%s goal' % secret,
                                        'indicator': '%s indicator' % secret,
                                        'target_date': opened,
                                        'attainment': 4,
                                        'review_note': '%s goal note' % secret,
                                        'measures': [('create', [{
                                                        'name': '%s measure'
                                                        % secret,
                                                        'responsible': (
                                                            'partner'),
                                                        'organisation': (
                                                            office.id),
                                                        'due_date': opened,
                                                        'feedback': '%s fb'
                                                        % secret,
                                                        }])],
                                        }, {
                                        'handlungsfeld': self.language.id,
                                        'description': '%s goal 2' % secret,
                                        'attainment': 2,
                                        }])],
                        }])
            Contact.create([{
                        'case': case.id,
                        'case_manager': self.employee.id,
                        'subject': '%s subject' % secret,
                        'start': dt.datetime.combine(opened, dt.time(10)),
                        'duration': 45,
                        'channel': 'office',
                        'place': '%s place' % secret,
                        'kommune': self.kommune.id,
                        'interpreter_used': True,
                        'interpreter_language': self.code('kim.language').id,
                        'interpreter_from_pool': True,
                        'participants': '%s participants' % secret,
                        'participant_parties': [('add', [member.id])],
                        'handlungsfelder': [('add', [self.work.id])],
                        'note': '%s contact note' % secret,
                        }, {
                        'case': case.id,
                        'start': dt.datetime.combine(opened, dt.time(14)),
                        'duration': 30,
                        'channel': 'phone',
                        }])
            self.create_other_parts(case, secret, opened)
            Attachment.create([{
                        'name': '%s.pdf' % secret, 'resource': str(case),
                        'data': b'%PDF'}])
            Note.create([{
                        'resource': str(client),
                        'message': '%s ir note' % secret}])
            if closed:
                Case.write([case], {
                        'state': 'closed',
                        'closing_reason': self.code('kim.closing_reason').id,
                        'closing_date': closed,
                        'closing_evaluation': '%s evaluation' % secret,
                        })
            if open_case:
                Case.create([{
                            'company': self.company.id,
                            'client': client.id,
                            'kommune': self.kommune.id,
                            'referring_person': '%s other' % secret,
                            }])
        return client, case

    def create_other_parts(self, case, secret, date):
        "Case notes and conferences, when the module has them"
        pool = Pool()
        models = {n for n, _ in pool.iterobject()}
        if 'kim.case.note' in models:
            pool.get('kim.case.note').create([{
                        'case': case.id,
                        'author': self.employee.id,
                        'subject': '%s note subject' % secret,
                        'text': '%s note text' % secret,
                        }])
        if 'kim.case.conference' in models:
            Conference = pool.get('kim.case.conference')
            channel = Conference.fields_get(
                ['channel'])['channel']['selection'][0][0]
            Conference.create([{
                        'case': case.id,
                        'subject': '%s conference' % secret,
                        'start': dt.datetime.combine(date, dt.time(9)),
                        'duration': 60,
                        'channel': channel,
                        'place': '%s room' % secret,
                        'results': '%s results' % secret,
                        'participants': [('create', [{
                                        'external': False,
                                        'employee': self.employee.id,
                                        'person': '%s person' % secret,
                                        }])],
                        'tasks': [('create', [{
                                        'name': '%s task' % secret,
                                        'who': '%s who' % secret,
                                        }])],
                        }])

    # --- Art. 15 ------------------------------------------------------

    def walk(self, record, parent_field=None):
        "Yield (record dict, parent field) of the tree"
        yield record, parent_field
        for relation in record['relations']:
            Model = Pool().get(record['model'])
            field = Model._fields[relation['name']]
            for child in relation['records']:
                yield from self.walk(child, field.field)

    @with_transaction()
    def test_subject_access_all_fields(self):
        "The data-subject report holds every stored field of the client"
        today = dt.date.today()
        pool = Pool()
        Case = pool.get('kim.case')
        Report = pool.get('kim.client.subject_access', type='report')
        JSONReport = pool.get('kim.client.subject_access.json', type='report')
        self.setup()
        client, case = self.create_client('A', closed=today)
        models = {n for n, _ in pool.iterobject()}
        if 'kim.access_log' in models:
            with Transaction().set_user(1):
                pool.get('kim.access_log').log('party.party', [client.id])
        data = client.kim_subject_access()
        text = json.dumps(data, ensure_ascii=False)
        if 'kim.access_log' in models:
            self.assertIn('kim.access_log',
                [s['name'] for s in data['other']])

        records = list(self.walk(data['subject']))
        for section in data['other']:
            for record in section['records']:
                records.extend(self.walk(record))
        seen_models = {r['model'] for r, _ in records}
        for model in ['party.party', 'party.address', 'party.identifier',
                'party.contact_mechanism', 'kim.client.language',
                'kim.client.household', 'kim.client.residence_status',
                'kim.client.rechtskreis', 'kim.case', 'kim.case.event',
                'kim.case.assessment', 'kim.case.assessment.line',
                'kim.case.plan', 'kim.case.plan.goal',
                'kim.case.plan.measure', 'kim.case.contact']:
            self.assertIn(model, seen_models)

        # every stored field of every record is in the report
        for record, parent_field in records:
            if record.get('shown_elsewhere'):
                continue
            Model = pool.get(record['model'])
            names = ({f['name'] for f in record['fields']}
                | {r['name'] for r in record['relations']})
            for name, field in Model._fields.items():
                if name in TECHNICAL_FIELDS or name == parent_field:
                    continue
                if (isinstance(field, fields.Function)
                        and not isinstance(field, fields.MultiValue)):
                    continue
                self.assertIn(name, names,
                    msg='%s.%s missing from the report' % (
                        record['model'], name))

        # the values of the client and the case are filled and shown
        client_fields = {f['name']: f['value']
            for f in data['subject']['fields']}
        for name, field in vars(ClientParty).items():
            if isinstance(field, fields.Field) and name in client_fields:
                # the reverse links of a household member: see below
                if name in {'kim_stateless', 'kim_household_of',
                        'kim_household_cases'}:
                    continue
                self.assertNotIn(client_fields[name], (None, []),
                    msg='party.party.%s empty' % name)
        # the report of a household member shows where the member is named
        member, = case.household_members
        subject = member.kim_subject_access()['subject']
        member_fields = {f['name']: f['value'] for f in subject['fields']}
        self.assertEqual(member_fields['kim_household_cases'], [case.rec_name])
        household_of, = [r['records'] for r in subject['relations']
            if r['name'] == 'kim_household_of']
        self.assertEqual([r['model'] for r in household_of],
            ['kim.client.household'])
        self.assertEqual(client_fields['kim_birth_date'], '1990-07-14')
        case_record, = [r for r, _ in records
            if r['model'] == 'kim.case' and r['id'] == case.id]
        case_fields = {f['name']: f['value'] for f in case_record['fields']}
        for name, field in Case._fields.items():
            if name in case_fields and name not in {
                    'predecessor', 'anonymised_date', 'followup_due',
                    'short_case', 'successors', 'number'}:
                self.assertNotIn(case_fields[name], (None, []),
                    msg='kim.case.%s empty' % name)
        for value in ['GEHEIM-A Name', 'GEHEIM-A-ID', 'GEHEIM-A Straße 1',
                '+49 151 A', 'GEHEIM-A DTZ', 'GEHEIM-A Kind',
                'GEHEIM-A status note', 'GEHEIM-A indication 2',
                'GEHEIM-A event', 'GEHEIM-A own goals', 'GEHEIM-A summary',
                'GEHEIM-A situation', 'GEHEIM-A strengths', 'GEHEIM-A needs',
                'GEHEIM-A view', 'GEHEIM-A main goal', 'GEHEIM-A review',
                'GEHEIM-A goal', 'GEHEIM-A indicator', 'GEHEIM-A goal note',
                'GEHEIM-A measure', 'GEHEIM-A fb', 'GEHEIM-A subject',
                'GEHEIM-A place', 'GEHEIM-A participants',
                'GEHEIM-A contact note', 'GEHEIM-A.pdf', 'GEHEIM-A ir note',
                'GEHEIM-A evaluation', 'GEHEIM-A Referrer', case.number,
                'GEHEIM-A note text', 'GEHEIM-A person', 'GEHEIM-A who',
                'Musterstadt', '2015-09-03']:
            self.assertIn(value, text)

        # JSON and PDF reports from the same structure, for the
        # Fachaufsicht, with the reason of the request
        supervisor = create_user('supervisor',
            [('kim_case', 'group_case_supervisor')],
            company=self.company, employees=[self.employee])
        manager = create_user('manager', [('kim_case', 'group_case_manager')],
            company=self.company, employees=[self.employee])
        coordination = create_user('coordination', [
                ('kim_network', 'group_kim_coordination')])
        data = {'reason': "Request of 3 March"}
        with set_company(self.company), as_user(manager):
            with self.assertRaises(UserError):
                JSONReport.execute([client.id], data)
        with set_company(self.company), as_user(supervisor):
            oext, content, _, _ = JSONReport.execute([client.id], data)
            self.assertEqual(oext, 'json')
            exported = json.loads(content)
            expected = client.__class__(client.id).kim_subject_access(
                companies=[self.company.id],
                request=exported['request'])
            exported.pop('generated')
            expected.pop('generated')
            self.assertEqual(exported['company'], self.company.rec_name)
            self.assertIn("Request of 3 March", exported['request'])
            # the access log grew by the report's own entries
            for report in [exported, expected]:
                report['other'] = [o for o in report['other']
                    if o['name'] != 'kim.access_log']
            self.assertEqual(exported, expected)
            oext, content, _, _ = Report.execute([client.id], data)
            self.assertEqual(oext, 'pdf')
            self.assertTrue(bytes(content).startswith(b'%PDF'))
            if os.environ.get('KIM_PRIVACY_PDF'):
                with open(os.environ['KIM_PRIVACY_PDF'], 'wb') as file:
                    file.write(bytes(content))
        action_id = pool.get('ir.model.data').get_id(
            'kim_case', 'report_subject_access_json')
        with as_user(coordination):
            with self.assertRaises(UserError):
                JSONReport.execute([client.id], {'action_id': action_id,
                        'reason': "x"})

    # --- retention ----------------------------------------------------

    def statistics(self):
        "Counts by every statistical dimension, computed in SQL"
        pool = Pool()
        cursor = Transaction().connection.cursor()
        result = {}

        def query(name, table, columns, aggregate=None, where=None):
            aggregate = aggregate or [Count(table.id)]
            cursor.execute(*table.select(*columns, *aggregate,
                    where=where, group_by=columns))
            result[name] = sorted(cursor, key=repr)

        case = pool.get('kim.case').__table__()
        for column in ['state', 'kommune', 'access_channel',
                'closing_reason', 'depth', 'closing_date', 'opened_date']:
            query(column, case, [Column(case, column)])
        tg = pool.get('kim.case-kim.target_group').__table__()
        query('target_group', tg, [tg.target_group])
        rk = pool.get('kim.case-kim.rechtskreis').__table__()
        query('rechtskreis', rk, [rk.rechtskreis])
        goal = pool.get('kim.case.plan.goal').__table__()
        query('goal', goal, [goal.handlungsfeld, goal.attainment,
                goal.status])
        party = pool.get('party.party').__table__()
        client = party.kim_client == True  # noqa: E712
        query('gender', party, [party.kim_gender], where=client)
        query('birth_year', party,
            [Extract('YEAR', party.kim_birth_date)], where=client)
        query('kommune_residence', party, [party.kim_residence_kommune],
            where=client)
        nat = pool.get(
            'party.party-country.country.kim_nationality').__table__()
        query('nationality', nat, [nat.country])
        contact = pool.get('kim.case.contact').__table__()
        query('contacts', contact, [contact.channel, contact.kommune],
            aggregate=[Count(contact.id), Sum(contact.duration)])
        line = pool.get('kim.case.assessment.line').__table__()
        query('needs', line, [line.handlungsfeld, line.need])
        return result

    def free_texts(self, secret):
        """Return the (table, column) of the KIM tables and their history
        holding the secret"""
        pool = Pool()
        Party = pool.get('party.party')
        cursor = Transaction().connection.cursor()
        found = []
        models = [m for m, _ in Party._kim_privacy_models()] + [
            'party.address', 'party.identifier', 'party.contact_mechanism',
            'ir.attachment', 'ir.note']
        for model in models:
            try:
                Model = pool.get(model)
            except KeyError:
                continue
            tables = [Model.__table__()]
            if Model._history:
                tables.append(Model.__table_history__())
            for table in tables:
                for name, field in Model._fields.items():
                    if (not isinstance(field, fields.Char)
                            or isinstance(field, fields.Function)):
                        continue
                    column = Column(table, name)
                    cursor.execute(*table.select(Count(table.id),
                            where=column.like('%' + secret + '%')))
                    count, = cursor.fetchone()
                    if count:
                        found.append((table._name, name))
        return found

    @with_transaction()
    def test_retention_anonymisation(self):
        "Clients past the retention period are anonymised, statistics stay"
        today = dt.date.today()
        pool = Pool()
        Party = pool.get('party.party')
        Case = pool.get('kim.case')
        Attachment = pool.get('ir.attachment')
        Note = pool.get('ir.note')
        Configuration = pool.get('kim.configuration')
        self.setup()
        config = Configuration(1)
        self.assertEqual(config.get_months('retention_months'), 36)
        old = today - 4 * YEARS
        expired, expired_case = self.create_client('A', closed=old)
        expired2, _ = self.create_client('D', closed=old - YEARS,
            gender='diverse', birth=dt.date(2001, 12, 31))
        open_, _ = self.create_client('B', closed=old, open_case=True)
        recent, _ = self.create_client('C', closed=today - YEARS,
            gender='male', birth=dt.date(1985, 3, 2))
        with_case = {expired.id, open_.id, recent.id}
        before = self.statistics()

        with set_company(self.company):
            anonymised = Party.kim_anonymise_expired()
        self.assertEqual(anonymised, [expired.id, expired2.id])
        clear_cache()
        after = self.statistics()
        self.assertEqual(after, before)
        self.assertEqual(self.free_texts('GEHEIM-A'), [])
        self.assertEqual(self.free_texts('GEHEIM-D'), [])
        self.assertEqual(Party(expired2.id).kim_birth_date,
            dt.date(2001, 1, 1))
        self.assertTrue(self.free_texts('GEHEIM-B'))
        self.assertTrue(self.free_texts('GEHEIM-C'))

        expired = Party(expired.id)
        self.assertFalse(expired.active)
        self.assertEqual(expired.kim_anonymised_date, today)
        self.assertEqual(expired.kim_birth_date, dt.date(1990, 1, 1))
        self.assertEqual(expired.kim_gender, 'female')
        self.assertEqual(Case(expired_case.id).anonymised_date, today)
        self.assertIsNone(Party(open_.id).kim_anonymised_date)
        self.assertIsNone(Party(recent.id).kim_anonymised_date)
        self.assertEqual(Party(recent.id).kim_birth_date,
            dt.date(1985, 3, 2))
        self.assertFalse(Attachment.search(
                [('resource', '=', str(expired_case))]))
        self.assertFalse(Note.search([('resource', '=', str(expired))]))
        self.assertTrue(Note.search([('resource', '=', str(open_))]))

        # idempotent
        with set_company(self.company):
            self.assertEqual(Party.kim_anonymise_expired(), [])
            Party.kim_anonymise([Party(expired.id)])
        clear_cache()
        self.assertEqual(self.statistics(), before)

        # a shorter retention period reaches the recent client
        config.retention_months = 6
        config.save()
        with set_company(self.company):
            self.assertEqual(Party.kim_anonymise_expired(), [recent.id])
        self.assertEqual(self.free_texts('GEHEIM-C'), [])
        self.assertTrue(with_case)

    @with_transaction()
    def test_rules_cover_free_text(self):
        "The erase rules overwrite every free-text field of the client models"
        pool = Pool()
        Party = pool.get('party.party')
        Erase = pool.get('party.erase', type='wizard')
        session_id, _, _ = Erase.create()
        erase = Erase(session_id)
        covered = {}
        for Model, _, _, columns, _ in erase.to_erase(1):
            covered.setdefault(Model.__name__, set()).update(columns)
        keep = Party._kim_privacy_keep()
        models = {n for n, _ in pool.iterobject()}
        for model, path in Party._kim_privacy_models():
            if model not in models:
                continue
            Model = pool.get(model)
            self.assertIn(model, covered)
            for name, field in Model._fields.items():
                if (isinstance(field, (fields.Char, fields.Binary,
                                fields.Dict))
                        and not isinstance(field, fields.Function)
                        and name not in keep.get(model, set())
                        and name not in TECHNICAL_FIELDS):
                    self.assertIn(name, covered[model],
                        msg='%s.%s not anonymised' % (model, name))
        for model in ['kim.consent', 'kim.case.referral',
                'kim.case.handover', 'kim.case.conference', 'kim.case.note']:
            if model in models:
                self.assertIn(model, covered)

    @with_transaction()
    def test_retention_months_validation(self):
        "The retention period is at least a month"
        pool = Pool()
        Configuration = pool.get('kim.configuration')
        config = Configuration(1)
        config.retention_months = 0
        with self.assertRaises(UserError):
            config.save()

    @with_transaction()
    def test_cron_method(self):
        "The anonymisation is a scheduled job"
        pool = Pool()
        Cron = pool.get('ir.cron')
        self.assertIn('party.party|kim_anonymise_expired',
            dict(Cron.fields_get(['method'])['method']['selection']))
        cron, = Cron.search(
            [('method', '=', 'party.party|kim_anonymise_expired')])

    # --- Art. 17 ------------------------------------------------------

    @with_transaction()
    def test_erase_on_request(self):
        "The erase wizard runs the same anonymisation, refused while open"
        today = dt.date.today()
        pool = Pool()
        Party = pool.get('party.party')
        Case = pool.get('kim.case')
        Erase = pool.get('party.erase', type='wizard')
        self.setup()
        client, case = self.create_client('A', closed=None)
        before = self.statistics()
        Party.write([client], {'active': False})
        session_id, _, _ = Erase.create()
        erase = Erase(session_id)
        erase.ask.party = client
        with self.assertRaises(UserError) as cm:
            erase.check_erase(client)
        self.assertIn(case.rec_name, cm.exception.message)
        with set_company(self.company):
            Case.write([case], {
                    'state': 'closed',
                    'closing_reason': self.code('kim.closing_reason').id,
                    'closing_date': today,
                    })
        erase.transition_erase()
        clear_cache()
        self.assertEqual(self.free_texts('GEHEIM-A'), [])
        client = Party(client.id)
        self.assertEqual(client.kim_anonymised_date, today)
        self.assertEqual(client.kim_birth_date, dt.date(1990, 1, 1))
        after = self.statistics()
        before['state'] = after['state']
        before['closing_reason'] = after['closing_reason']
        before['closing_date'] = after['closing_date']
        self.assertEqual(after, before)
