# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
import datetime as dt
import os
import re

import polib

from trytond.model.exceptions import AccessError
from trytond.exceptions import UserError, UserWarning
from trytond.modules.kim_network.tests.tools import (
    as_user, codes, create_organisation, create_user, load_german)
from trytond.pool import Pool
from trytond.rpc import RPC
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

MODULE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class KimNetworkTestCase(ModuleTestCase):
    "Test KIM Network module"
    module = 'kim_network'

    def kommune(self, name='Musterstadt', ags='05999001', **values):
        Kommune = Pool().get('kim.kommune')
        kommune, = Kommune.create([dict(name=name, ags=ags, **values)])
        return kommune

    def agreement(self, partners, **values):
        Agreement = Pool().get('kim.cooperation_agreement')
        office = create_organisation('KI Musterkreis', 'KI')
        agreement, = Agreement.create([dict(
                    name="Kooperation", office=office.id,
                    partners=[('add', [p.id for p in partners])],
                    **values)])
        return agreement

    # --- code lists and Kommunen -------------------------------------

    @with_transaction()
    def test_codelists_shipped(self):
        "The code lists named by the programme are shipped"
        pool = Pool()
        for model, minimum in [
                ('kim.handlungsfeld', 12), ('kim.rechtskreis', 10),
                ('kim.target_group', 11), ('kim.organisation_type', 25),
                ('kim.language', 6)]:
            with self.subTest(model=model):
                self.assertGreaterEqual(
                    pool.get(model).search_count([]), minimum)
        sgb2, = codes('kim.rechtskreis', 'SGB2')
        self.assertEqual(sgb2.legal_basis, "Social Code Book II")
        arabic, = codes('kim.language', 'ar')
        self.assertTrue(arabic.right_to_left)

    @with_transaction()
    def test_code_unique(self):
        "A second code list entry with the same code is refused"
        Handlungsfeld = Pool().get('kim.handlungsfeld')
        with self.assertRaises(UserError) as cm:
            Handlungsfeld.create([{'code': 'SPRACHE', 'name': "Doppelt"}])
        self.assertIn("code must be unique", cm.exception.message)

    @with_transaction()
    def test_codelist_rec_name_search(self):
        "Code list entries are found by code and by name"
        Handlungsfeld = Pool().get('kim.handlungsfeld')
        self.assertEqual(
            [h.code for h in Handlungsfeld.search(
                    [('rec_name', '=', 'WOHNEN')])], ['WOHNEN'])
        self.assertEqual(
            [h.code for h in Handlungsfeld.search(
                    [('rec_name', 'ilike', '%housing%')])], ['WOHNEN'])

    @with_transaction()
    def test_ags_valid(self):
        "A Kommune with an 8-digit AGS is accepted"
        kommune = self.kommune(population=12000)
        self.assertEqual(kommune.ags, '05999001')

    @with_transaction()
    def test_ags_invalid(self):
        "An AGS that is not exactly 8 digits is refused"
        for ags in ['0599900', '059990011', '05A99001', '0599 001']:
            with self.subTest(ags=ags):
                with self.assertRaises(UserError) as cm:
                    self.kommune(ags=ags)
                self.assertIn("exactly 8 digits", cm.exception.message)
                self.assertIn(ags.strip(), cm.exception.message)

    @with_transaction()
    def test_ags_unique(self):
        "Two Kommunen cannot share an AGS"
        self.kommune()
        with self.assertRaises(UserError) as cm:
            self.kommune(name="Andere Stadt")
        self.assertIn("already has this AGS", cm.exception.message)

    @with_transaction()
    def test_population_negative(self):
        "A negative population is refused"
        with self.assertRaises(UserError) as cm:
            self.kommune(population=-1)
        self.assertIn("cannot be negative", cm.exception.message)

    @with_transaction()
    def test_german_message(self):
        "Errors speak German to German users"
        load_german('kim_network')
        with Transaction().set_context(language='de'):
            with self.assertRaises(UserError) as cm:
                self.kommune(ags='123')
        self.assertIn("8 Ziffern", cm.exception.message)

    def test_german_translation_complete(self):
        "Every entry of the German translation is translated"
        po = polib.pofile(os.path.join(MODULE_DIR, 'locale', 'de.po'))
        missing = [e.msgid for e in po if not e.obsolete and not e.msgstr]
        self.assertEqual(missing, [])
        for entry in po:
            if entry.msgctxt.startswith('model:ir.message'):
                with self.subTest(msgid=entry.msgid):
                    self.assertEqual(
                        sorted(re.findall(r'%\((\w+)\)s', entry.msgid)),
                        sorted(re.findall(r'%\((\w+)\)s', entry.msgstr)))

    # --- organisations and services ------------------------------------

    @with_transaction()
    def test_contact_email(self):
        "A contact person with a malformed e-mail is refused"
        pool = Pool()
        Party = pool.get('party.party')
        Contact = pool.get('kim.organisation.contact')
        organisation = create_organisation("Beratungsstelle Nord")
        person, = Party.create([{'name': "Erika Beispiel"}])
        contact, = Contact.create([{
                    'organisation': organisation.id, 'person': person.id,
                    'email': 'erika@example.org'}])
        with self.assertRaises(UserError) as cm:
            Contact.write([contact], {'email': 'erika.example.org'})
        self.assertIn("is not valid", cm.exception.message)

    @with_transaction()
    def test_service_validation(self):
        "Services refuse impossible ages, periods and opening hours"
        today = dt.date.today()
        Service = Pool().get('kim.service')
        organisation = create_organisation("Beratungsstelle Süd")
        base = {'name': "Sprechstunde", 'organisation': organisation.id}
        for values, text in [
                ({'min_age': 27, 'max_age': 18}, "is above its maximum"),
                ({'min_age': -1}, "cannot be negative"),
                ({'waiting_days': -3}, "cannot be negative"),
                ({'valid_from': today, 'valid_to': today - dt.timedelta(1)},
                    "before it starts"),
                ({'opening_hours': [('create', [{'weekday': '0',
                                    'start': dt.time(12),
                                    'end': dt.time(9)}])]},
                    "before it starts"),
                ]:
            with self.subTest(values=values):
                with self.assertRaises(UserError) as cm:
                    Service.create([dict(base, **values)])
                self.assertIn(text, cm.exception.message)

    @with_transaction()
    def test_service_find(self):
        "The service search answers Handlungsfeld, Kommune, language, group"
        today = dt.date.today()
        pool = Pool()
        Service = pool.get('kim.service')
        nord = self.kommune("Nordstadt", '05999001')
        sued = self.kommune("Südheim", '05999002')
        wohnen, sprache = codes('kim.handlungsfeld', 'WOHNEN', 'SPRACHE')
        ar, uk = codes('kim.language', 'ar', 'uk')
        eu, = codes('kim.target_group', 'EU_NEU')
        org = create_organisation("Wohnraumhilfe")
        yesterday = today - dt.timedelta(days=1)
        services = Service.create([{
                    'name': 'housing-nord-ar', 'organisation': org.id,
                    'handlungsfelder': [('add', [wohnen.id])],
                    'kommunen': [('add', [nord.id])],
                    'languages': [('add', [ar.id])],
                    }, {
                    'name': 'housing-kreis-uk-eu', 'organisation': org.id,
                    'handlungsfelder': [('add', [wohnen.id])],
                    'whole_kreis': True,
                    'languages': [('add', [uk.id, ar.id])],
                    'target_groups': [('add', [eu.id])],
                    }, {
                    'name': 'housing-expired', 'organisation': org.id,
                    'handlungsfelder': [('add', [wohnen.id])],
                    'whole_kreis': True, 'valid_to': yesterday,
                    'languages': [('add', [ar.id])],
                    }, {
                    'name': 'language-sued', 'organisation': org.id,
                    'handlungsfelder': [('add', [sprache.id])],
                    'kommunen': [('add', [sued.id])],
                    'min_age': 18, 'max_age': 27,
                    }])

        def names(**kwargs):
            return sorted(s.name for s in Service.find(**kwargs))
        self.assertEqual(names(handlungsfeld=wohnen, kommune=nord,
                language=ar), ['housing-kreis-uk-eu', 'housing-nord-ar'])
        self.assertEqual(names(handlungsfeld=wohnen, kommune=sued),
            ['housing-kreis-uk-eu'])
        self.assertEqual(names(handlungsfeld=wohnen, language=uk),
            ['housing-kreis-uk-eu'])
        # a service without target groups is open to everyone
        self.assertEqual(names(handlungsfeld=wohnen, kommune=nord,
                target_group=eu),
            ['housing-kreis-uk-eu', 'housing-nord-ar'])
        self.assertEqual(names(handlungsfeld=wohnen, date=yesterday,
                kommune=sued), ['housing-expired', 'housing-kreis-uk-eu'])
        self.assertEqual(names(handlungsfeld=sprache.id, age=30), [])
        self.assertEqual(names(handlungsfeld=sprache.id, age=20),
            ['language-sued'])
        self.assertEqual(
            [s.id for s in Service.search([('served_kommunen', '=', sued.id)],
                    order=[('name', 'ASC')])],
            [services[2].id, services[1].id, services[3].id])

    # --- cooperation agreements ---------------------------------------

    @with_transaction()
    def test_agreement_without_partner(self):
        "An agreement without partner organisation is refused"
        Agreement = Pool().get('kim.cooperation_agreement')
        office = create_organisation('KI Musterkreis', 'KI')
        with self.assertRaises(UserError) as cm:
            Agreement.create([{'name': "Ohne Partner", 'office': office.id}])
        self.assertIn("needs at least one partner", cm.exception.message)

    @with_transaction()
    def test_agreement_dates(self):
        "Agreements refuse impossible dates"
        today = dt.date.today()
        jobcenter = create_organisation('Jobcenter', 'JOBCENTER')
        for values, text in [
                ({'signed_date': today + dt.timedelta(days=1)},
                    "in the future"),
                ({'valid_from': today, 'valid_to': today - dt.timedelta(1)},
                    "before it starts"),
                ({'evaluation_interval': 0}, "at least one month"),
                ]:
            with self.subTest(values=values):
                with self.assertRaises(UserError) as cm:
                    self.agreement([jobcenter], **values)
                self.assertIn(text, cm.exception.message)

    @with_transaction()
    def test_agreement_workflow(self):
        "Sign, evaluate, terminate and renew an agreement"
        today = dt.date.today()
        pool = Pool()
        Agreement = pool.get('kim.cooperation_agreement')
        jobcenter = create_organisation('Jobcenter', 'JOBCENTER')
        wohnen, arbeit = codes('kim.handlungsfeld', 'WOHNEN', 'ARBEIT')
        agreement = self.agreement([jobcenter],
            shared_handlungsfelder=[('add', [arbeit.id])],
            valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2026, 12, 31),
            signed_date=dt.date(2024, 12, 15), evaluation_interval=6)
        self.assertTrue(agreement.number.startswith('KV-'))
        self.assertEqual(agreement.state, 'draft')
        Agreement.negotiate([agreement])
        Agreement.sign([agreement])
        self.assertEqual(agreement.state, 'signed')
        self.assertEqual(agreement.next_evaluation, dt.date(2025, 7, 1))

        # in force on a date, and which data it allows to share
        on = dt.date(2025, 6, 1)
        self.assertEqual(Agreement.get_in_force_with(jobcenter, on),
            [agreement])
        self.assertEqual(Agreement.get_in_force_with(jobcenter,
                dt.date(2024, 12, 31)), [])
        self.assertEqual(Agreement.allows_sharing(jobcenter, arbeit, on),
            (agreement, True))
        self.assertEqual(Agreement.allows_sharing(jobcenter, wohnen, on),
            (agreement, False))
        self.assertEqual(Agreement.allows_sharing(jobcenter, arbeit,
                dt.date(2027, 1, 1)), (None, False))
        with Transaction().set_context(date=on):
            self.assertEqual(Agreement.search([('in_force', '=', True)]),
                [agreement])
            self.assertEqual(Agreement.search([('in_force', '=', False)]),
                [])

        # the scheduled job flags the due evaluation, evaluating clears it
        self.assertEqual(
            Agreement.flag_due_evaluations(dt.date(2025, 6, 30)), [])
        self.assertEqual(
            Agreement.flag_due_evaluations(dt.date(2025, 7, 1)), [agreement])
        self.assertTrue(agreement.evaluation_due)
        Agreement.evaluate([agreement])
        self.assertFalse(agreement.evaluation_due)
        self.assertEqual(agreement.last_evaluation, today)

        # a signed agreement cannot be deleted
        with self.assertRaises(UserError) as cm:
            Agreement.delete([agreement])
        self.assertIn("no longer a draft", cm.exception.message)

        Agreement.terminate([agreement])
        self.assertEqual(agreement.state, 'terminated')
        self.assertEqual(agreement.terminated_date, today)
        self.assertEqual(agreement.valid_to, dt.date(2026, 12, 31)
            if today > dt.date(2026, 12, 31) else today)

        Agreement.renew([agreement])
        successor, = agreement.successors
        self.assertEqual(successor.state, 'draft')
        self.assertEqual(successor.predecessor, agreement)
        self.assertNotEqual(successor.number, agreement.number)
        self.assertEqual(successor.partners, (jobcenter,))
        self.assertIsNone(successor.signed_date)

    @with_transaction()
    def test_agreement_sign_warns_without_handlungsfeld(self):
        "Signing an agreement that shares no data category warns"
        pool = Pool()
        Agreement = pool.get('kim.cooperation_agreement')
        jobcenter = create_organisation('Jobcenter', 'JOBCENTER')
        agreement = self.agreement([jobcenter])
        user = create_user('koordination',
            [('kim_network', 'group_kim_coordination')])
        with Transaction().set_user(user.id):
            with self.assertRaises(UserWarning) as cm:
                Agreement.sign([agreement])
        self.assertIn("allows no data category", cm.exception.message)
        self.assertEqual(agreement.state, 'draft')

    # --- access rights --------------------------------------------------

    @with_transaction()
    def test_access_reader_cannot_write(self):
        "A KIM user reads the directory but cannot change it"
        pool = Pool()
        Service = pool.get('kim.service')
        Agreement = pool.get('kim.cooperation_agreement')
        Handlungsfeld = pool.get('kim.handlungsfeld')
        jobcenter = create_organisation('Jobcenter', 'JOBCENTER')
        service, = Service.create([{
                    'name': "Beratung", 'organisation': jobcenter.id}])
        agreement = self.agreement([jobcenter])
        reader = create_user('reader', [('kim_network', 'group_kim_user')])
        with as_user(reader):
            self.assertEqual(Service.search([]), [service])
            self.assertEqual(Service(service.id).name, "Beratung")
            self.assertEqual(Agreement.search([]), [agreement])
            self.assertTrue(Handlungsfeld.search([]))
            for call in [
                    lambda: Service.write([Service(service.id)],
                        {'name': "X"}),
                    lambda: Service.create([{'name': "Neu",
                                'organisation': jobcenter.id}]),
                    lambda: Service.delete([Service(service.id)]),
                    lambda: Agreement.write([Agreement(agreement.id)],
                        {'name': "X"}),
                    lambda: Handlungsfeld.create([{'code': 'X',
                                'name': "X"}]),
                    ]:
                with self.assertRaises(AccessError):
                    call()

    @with_transaction()
    def test_access_outsider_cannot_read(self):
        "A user outside the KIM groups cannot read services or agreements"
        pool = Pool()
        Service = pool.get('kim.service')
        Agreement = pool.get('kim.cooperation_agreement')
        jobcenter = create_organisation('Jobcenter', 'JOBCENTER')
        Service.create([{'name': "Beratung", 'organisation': jobcenter.id}])
        outsider = create_user('outsider', [])
        with as_user(outsider):
            for Model in [Service, Agreement]:
                with self.assertRaises(AccessError):
                    Model.search([])

    @with_transaction()
    def test_access_coordination_maintains(self):
        "Coordination maintains services and agreements"
        pool = Pool()
        Service = pool.get('kim.service')
        Agreement = pool.get('kim.cooperation_agreement')
        Handlungsfeld = pool.get('kim.handlungsfeld')
        jobcenter = create_organisation('Jobcenter', 'JOBCENTER')
        office = create_organisation('KI', 'KI')
        coordination = create_user('koordination',
            [('kim_network', 'group_kim_coordination')])
        with as_user(coordination):
            service, = Service.create([{
                        'name': "Beratung", 'organisation': jobcenter.id}])
            Service.write([service], {'name': "Beratung Nord"})
            agreement, = Agreement.create([{
                        'name': "KV", 'office': office.id,
                        'partners': [('add', [jobcenter.id])]}])
            Agreement.delete([agreement])
            with self.assertRaises(AccessError):
                Handlungsfeld.create([{'code': 'X', 'name': "X"}])

    @with_transaction(user=0)
    def test_history_date_root_only(self):
        """The back-dated today of a replayed history holds for the root
        user only and never comes from a client's request"""
        pool = Pool()
        Date = pool.get('ir.date')
        User = pool.get('res.user')
        past = dt.date(2024, 3, 1)
        real = Date.today()
        with Transaction().set_context(_kim_history_date=past):
            self.assertEqual(Date.today(), past)
            user = create_user('history', [])
            with Transaction().set_user(user.id):
                self.assertEqual(Date.today(), real)
            admin, = User.search([('login', '=', 'admin')])
            with Transaction().set_user(admin.id):
                self.assertEqual(Date.today(), real)
        # a datetime is no day
        with Transaction().set_context(
                _kim_history_date=dt.datetime(2024, 3, 1, 12, 0)):
            self.assertEqual(Date.today(), real)
        # a client cannot send the key: trytond drops private keys
        _, _, context, _ = RPC().convert(
            Date, {'_kim_history_date': past, 'language': 'de'})
        self.assertNotIn('_kim_history_date', context)


del ModuleTestCase
