# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"Referrals, handovers and case conferences of kim_case"
import datetime as dt
import unittest

from trytond.exceptions import UserWarning
from trytond.model.exceptions import AccessError
from trytond.model.modelview import AccessButtonError
from trytond.modules.company.tests import create_company, create_employee
from trytond.modules.kim_case.exceptions import (
    ConferenceError, HandoverError, HandoverValidationError, HandoverWarning,
    ReferralError, ReferralOverrideError, ReferralValidationError,
    ReferralWarning)
from trytond.modules.kim_network.tests.tools import (
    FreshDatabaseMixin, as_user, attach_scan, codes, create_organisation,
    create_user)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

DAY = dt.timedelta(days=1)


def message(msg_id, **kwargs):
    "The text of the message msg_id as the user sees it"
    from trytond.i18n import gettext
    return gettext(msg_id, **kwargs)


class ReferralTestCase(FreshDatabaseMixin, unittest.TestCase):
    "Test referrals, handovers and case conferences"

    modules = 'kim_case'

    # --- helpers -----------------------------------------------------------

    def setup_case(self, state='implementation'):
        pool = Pool()
        Party = pool.get('party.party')
        Kommune = pool.get('kim.kommune')
        Case = pool.get('kim.case')
        self.today = pool.get('ir.date').today()
        self.company = create_company()
        self.eva = create_employee(self.company, "Fallmanagerin Eva")
        self.jonas = create_employee(self.company, "Fallmanager Jonas")
        kommune = Kommune(name="Musterstadt", ags='05999001')
        kommune.save()
        self.client = Party(name="Fiktiva Beispiel", kim_client=True,
            kim_residence_kommune=kommune)
        self.client.save()
        self.office = create_organisation("KIM Kreis Muster")
        self.jobcenter = create_organisation("Jobcenter Musterstadt",
            'JOBCENTER', kim_statutory_case_management=True)
        self.school = create_organisation("Sprachschule Muster")
        self.work, self.language = codes('kim.handlungsfeld',
            'ARBEIT', 'SPRACHE')
        self.case = Case(company=self.company, client=self.client,
            kommune=kommune, case_manager=self.eva,
            depth='case_management', state=state,
            opened_date=self.today - 60 * DAY)
        self.case.save()
        return self.case

    def create_consent(self, recipients=None, topics=None,
            purposes=('case_management', 'transfer')):
        pool = Pool()
        Consent = pool.get('kim.consent')
        Attachment = pool.get('ir.attachment')
        consent = Consent(client=self.client, purposes=list(purposes),
            recipients=recipients or [self.jobcenter],
            handlungsfelder=topics or [self.work],
            signed_date=self.today - 10 * DAY)
        consent.save()
        Attachment(resource=consent, name="form.pdf", type='data',
            data=b'%PDF-1.4 scanned').save()
        Consent.give([consent])
        return consent

    def create_agreement(self, partner=None, topics=None):
        pool = Pool()
        Agreement = pool.get('kim.cooperation_agreement')
        agreement = Agreement(name="Kooperation Übergänge",
            type='statutory_cm', office=self.office,
            partners=[partner or self.jobcenter],
            shared_handlungsfelder=topics or [self.work])
        agreement.save()
        Agreement.sign([agreement])
        return agreement

    def create_referral(self, organisation=None, handlungsfeld=None,
            **values):
        pool = Pool()
        Referral = pool.get('kim.case.referral')
        referral = Referral(case=self.case,
            organisation=organisation or self.jobcenter,
            handlungsfeld=handlungsfeld or self.work,
            purpose="Beratung zur Arbeitsaufnahme", **values)
        referral.save()
        return referral

    def make_user(self, login, group, employee):
        return create_user(login, [('kim_case', group)],
            company=self.company, employees=[employee])

    def skip_warning(self, exception):
        pool = Pool()
        Warning = pool.get('res.user.warning')
        Warning(user=Transaction().user, name=exception.name).save()

    def events(self, type_):
        pool = Pool()
        Event = pool.get('kim.case.event')
        return Event.search([
                ('case', '=', self.case.id), ('type', '=', type_)])

    # --- referrals ---------------------------------------------------------

    @with_transaction()
    def test_send_without_consent_refused(self):
        "Sending without a consent in force is refused"
        pool = Pool()
        Referral = pool.get('kim.case.referral')
        self.setup_case()
        self.create_agreement()
        referral = self.create_referral()
        with self.assertRaises(ReferralError) as cm:
            Referral.send([referral])
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_referral_no_consent',
                referral=referral.rec_name, client="Fiktiva Beispiel",
                organisation="Jobcenter Musterstadt",
                handlungsfeld=self.work.rec_name))
        self.assertIn("Schweigepflichtentbindung", cm.exception.message)
        self.assertEqual(referral.state, 'draft')
        self.assertFalse(self.events('referral'))

    @with_transaction()
    def test_send_with_consent(self):
        "A consent in force for the organisation and topic lets it go"
        pool = Pool()
        Referral = pool.get('kim.case.referral')
        self.setup_case()
        consent = self.create_consent()
        agreement = self.create_agreement()
        referral = self.create_referral()
        Referral.send([referral])
        self.assertEqual(referral.state, 'sent')
        self.assertEqual(referral.sent_date, self.today)
        self.assertEqual(referral.consent, consent)
        self.assertEqual(referral.agreement, agreement)
        self.assertFalse(referral.overridden)
        event, = self.events('referral')
        self.assertIn("Jobcenter Musterstadt", event.description)
        self.assertTrue(event.automatic)

    @with_transaction()
    def test_consent_must_cover_topic_and_recipient(self):
        "Another Handlungsfeld or another organisation is not covered"
        pool = Pool()
        Referral = pool.get('kim.case.referral')
        self.setup_case()
        self.create_consent()
        self.create_agreement(topics=[self.work, self.language])
        other_topic = self.create_referral(handlungsfeld=self.language)
        with self.assertRaises(ReferralError):
            Referral.send([other_topic])
        other_recipient = self.create_referral(organisation=self.school)
        with self.assertRaises(ReferralError) as cm:
            Referral.send([other_recipient])
        self.assertIn('"Sprachschule Muster"', cm.exception.message)
        consent_for_conference = self.create_consent(
            purposes=['case_conference'], recipients=[self.school])
        self.assertTrue(consent_for_conference)
        with self.assertRaises(ReferralError):
            Referral.send([other_recipient])

    @with_transaction()
    def test_revocation_stops_sending(self):
        "Send ok, revoke, the next send is refused at once"
        pool = Pool()
        Referral = pool.get('kim.case.referral')
        Consent = pool.get('kim.consent')
        self.setup_case()
        consent = self.create_consent()
        self.create_agreement()
        first = self.create_referral()
        Referral.send([first])
        self.assertEqual(first.state, 'sent')
        Consent.do_revoke([consent], "Client withdrew by letter")
        second = self.create_referral()
        with self.assertRaises(ReferralError) as cm:
            Referral.send([second])
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_referral_no_consent',
                referral=second.rec_name, client="Fiktiva Beispiel",
                organisation="Jobcenter Musterstadt",
                handlungsfeld=self.work.rec_name))
        self.assertEqual(second.state, 'draft')

    @with_transaction()
    def test_agreement_warning(self):
        "A missing agreement or one without the topic warns, skippably"
        pool = Pool()
        Referral = pool.get('kim.case.referral')
        self.setup_case()
        self.create_consent(topics=[self.work, self.language])
        referral = self.create_referral()
        with self.assertRaises(ReferralWarning) as cm:
            Referral.send([referral])
        self.assertIsInstance(cm.exception, UserWarning)
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_referral_no_agreement',
                referral=referral.rec_name,
                organisation="Jobcenter Musterstadt"))
        self.assertEqual(referral.state, 'draft')
        self.skip_warning(cm.exception)
        Referral.send([referral])
        self.assertEqual(referral.state, 'sent')
        self.assertIsNone(referral.agreement)

        agreement = self.create_agreement(topics=[self.work])
        language = self.create_referral(handlungsfeld=self.language)
        with self.assertRaises(ReferralWarning) as cm:
            Referral.send([language])
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_referral_agreement_handlungsfeld',
                referral=language.rec_name, agreement=agreement.rec_name,
                organisation="Jobcenter Musterstadt",
                handlungsfeld=self.language.rec_name))
        self.assertIn(agreement.number, cm.exception.message)

    @with_transaction()
    def test_override_only_by_supervisor_with_reason(self):
        "Only the Fachaufsicht overrides a missing consent, with a reason"
        pool = Pool()
        Referral = pool.get('kim.case.referral')
        self.setup_case()
        self.create_agreement()
        referral = self.create_referral()
        manager = self.make_user('ref_cm', 'group_case_manager', self.eva)
        supervisor = self.make_user(
            'ref_fa', 'group_case_supervisor', self.jonas)

        with as_user(manager):
            # the button is restricted to the Fachaufsicht
            with self.assertRaises(AccessButtonError):
                Referral.send_override([Referral(referral.id)])
            with self.assertRaises(ReferralOverrideError) as cm:
                Referral.send_with_override(
                    [Referral(referral.id)], "Gefahr im Verzug")
            self.assertEqual(cm.exception.message, message(
                    'kim_case.msg_referral_override_not_supervisor',
                    referral=referral.rec_name))
            with self.assertRaises(ReferralError):
                Referral.send([Referral(referral.id)])

        # send_with_override is the path of the wizard, which the server
        # runs without access check
        with Transaction().set_user(supervisor.id):
            with self.assertRaises(ReferralValidationError) as cm:
                Referral.send_with_override([Referral(referral.id)], "  ")
            self.assertEqual(cm.exception.message, message(
                    'kim_case.msg_referral_override_no_reason',
                    referral=referral.rec_name))
            Referral.send_with_override(
                [Referral(referral.id)], "Kindeswohlgefährdung")
            overrides = Referral.search([('overridden', '=', True)])
        referral = Referral(referral.id)
        self.assertEqual(referral.state, 'sent')
        self.assertEqual(referral.override_by, supervisor)
        self.assertEqual(referral.override_reason, "Kindeswohlgefährdung")
        self.assertIsNotNone(referral.override_date)
        self.assertIsNone(referral.consent)
        self.assertEqual(overrides, [referral])
        self.assertEqual(Referral.search([
                    ('override_date', '!=', None)]), [referral])
        event, = self.events('referral')
        self.assertIn("Kindeswohlgefährdung", event.description)

    @with_transaction()
    def test_override_wizard(self):
        "The wizard asks the reason and sends"
        pool = Pool()
        Referral = pool.get('kim.case.referral')
        Wizard = pool.get('kim.case.referral.send_override', type='wizard')
        self.setup_case()
        self.create_agreement()
        referral = self.create_referral()
        supervisor = self.make_user(
            'ref_fa', 'group_case_supervisor', self.jonas)
        # the server runs wizards without access check (RPC of execute)
        with Transaction().set_user(supervisor.id), Transaction().set_context(
                active_model='kim.case.referral', active_id=referral.id,
                active_ids=[referral.id]):
            session_id, _, _ = Wizard.create()
            wizard = Wizard(session_id)
            result = wizard.execute(session_id, {}, 'start')
            self.assertEqual(
                result['view']['defaults']['referrals'], [referral.id])
            wizard.execute(session_id, {'start': {
                        'reason': "Lebensgefahr", 'referrals': []}},
                'send')
        referral = Referral(referral.id)
        self.assertEqual(referral.state, 'sent')
        self.assertEqual(referral.override_reason, "Lebensgefahr")

    @with_transaction()
    def test_sent_referral_readonly(self):
        "A sent referral keeps its content; answer and feedback change"
        pool = Pool()
        Referral = pool.get('kim.case.referral')
        self.setup_case()
        self.create_consent()
        self.create_agreement()
        referral = self.create_referral()
        Referral.send([referral])
        with self.assertRaises(AccessError) as cm:
            Referral.write([referral], {'purpose': "Other"})
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_referral_readonly',
                record=referral.rec_name, state="Sent"))
        with self.assertRaises(ReferralError):
            Referral.delete([referral])
        Referral.write([referral], {'feedback': "Termin vereinbart"})

    @with_transaction()
    def test_answer_and_feedback_times(self):
        "Accepted and completed with dates; the days are computed"
        pool = Pool()
        Referral = pool.get('kim.case.referral')
        self.setup_case()
        self.create_consent()
        self.create_agreement()
        referral = self.create_referral(sent_date=self.today - 10 * DAY)
        Referral.send([referral])
        self.assertEqual(referral.sent_date, self.today - 10 * DAY)
        referral.answer_date = self.today - 7 * DAY
        referral.save()
        Referral.accept([referral])
        referral.feedback = "Teilnahme begonnen"
        referral.save()
        Referral.complete([referral])
        referral = Referral(referral.id)
        self.assertEqual(referral.state, 'completed')
        self.assertEqual(referral.completed_date, self.today)
        self.assertEqual(referral.answer_days, 3)
        self.assertEqual(referral.feedback_days, 10)

        referral2 = self.create_referral(sent_date=self.today - 2 * DAY)
        with self.assertRaises(ReferralValidationError):
            Referral.write([referral2], {
                    'answer_date': self.today - 3 * DAY})
        with self.assertRaises(ReferralValidationError):
            Referral.write([referral2], {'sent_date': self.today + DAY})

    @with_transaction()
    def test_referral_from_measure(self):
        "A measure of the Hilfeplan becomes a referral and follows it"
        pool = Pool()
        Plan = pool.get('kim.case.plan')
        Measure = pool.get('kim.case.plan.measure')
        Referral = pool.get('kim.case.referral')
        Service = pool.get('kim.service')
        self.setup_case(state='planning')
        service = Service(name="Arbeitsvermittlung",
            organisation=self.jobcenter, handlungsfelder=[self.work])
        service.save()
        plan, = Plan.create([{
                    'case': self.case.id,
                    'main_goal': "Arbeit finden",
                    'agreement_date': self.today,
                    'goals': [('create', [{
                                    'handlungsfeld': self.work.id,
                                    'description': "Eine Stelle finden",
                                    'measures': [('create', [{
                                                    'name': "Vermittlung",
                                                    'responsible': 'partner',
                                                    'service': service.id,
                                                    }])],
                                    }])],
                    }])
        attach_scan(plan)
        Plan.agree([plan])
        measure, = Measure.search([('goal.plan', '=', plan.id)])
        referral, = Measure.create_referrals([measure])
        self.assertEqual(referral.case, self.case)
        self.assertEqual(referral.service, service)
        self.assertEqual(referral.organisation, self.jobcenter)
        self.assertEqual(referral.handlungsfeld, self.work)
        self.assertEqual(referral.purpose, "Vermittlung")
        self.assertEqual(referral.case_manager, self.eva)

        self.create_consent()
        self.create_agreement()
        Referral.send([referral])
        Referral.accept([referral])
        self.assertEqual(Measure(measure.id).status, 'in_progress')
        referral.feedback = "Stelle angetreten"
        referral.save()
        Referral.complete([referral])
        measure = Measure(measure.id)
        self.assertEqual(measure.status, 'done')
        self.assertIn("Stelle angetreten", measure.feedback)
        self.assertEqual(measure.referrals, (referral,))

    @with_transaction()
    def test_is_supervisor(self):
        "One answer to who is Fachaufsicht, for the gates and the rules"
        from trytond.modules.kim_case import access, gate
        self.setup_case()
        manager = self.make_user('fa_cm', 'group_case_manager', self.eva)
        supervisor = self.make_user(
            'fa_fa', 'group_case_supervisor', self.jonas)
        self.assertIs(access.is_case_supervisor, gate.is_supervisor)
        with Transaction().set_user(0):
            self.assertTrue(gate.is_supervisor())
        with Transaction().set_user(manager.id):
            self.assertFalse(gate.is_supervisor())
        with Transaction().set_user(supervisor.id):
            self.assertTrue(gate.is_supervisor())

    # --- handovers ---------------------------------------------------------

    @with_transaction()
    def test_handover_internal(self):
        "An internal handover changes the case manager and the team"
        pool = Pool()
        Handover = pool.get('kim.case.handover')
        Team = pool.get('kim.case.team')
        Case = pool.get('kim.case')
        self.setup_case()
        team = Team(name="Team Süd", company=self.company)
        team.save()
        manager = self.make_user('ho_cm', 'group_case_manager', self.eva)
        handover = Handover(case=self.case, kind='internal',
            to_case_manager=self.eva, team=team, participants="Eva, Jonas")
        handover.save()
        with self.assertRaises(HandoverValidationError) as cm:
            Handover.do([handover])
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_handover_same_case_manager',
                handover=handover.rec_name,
                employee="Fallmanagerin Eva"))
        handover.to_case_manager = self.jonas
        handover.save()
        with as_user(manager):
            Handover.do([Handover(handover.id)])
        handover = Handover(handover.id)
        case = Case(self.case.id)
        self.assertEqual(handover.state, 'done')
        self.assertEqual(handover.from_case_manager, self.eva)
        self.assertEqual(case.case_manager, self.jonas)
        self.assertEqual(case.team, team)
        self.assertNotEqual(case.state, 'closed')
        event, = self.events('case_manager_change')
        self.assertIn("Fallmanager Jonas", event.description)
        self.assertFalse(self.events('handover'))
        with self.assertRaises(AccessError):
            Handover.write([handover], {'participants': "Other"})

    @with_transaction()
    def test_handover_external_closes_case(self):
        "A handover to the Jobcenter closes the case with reason Übergabe"
        pool = Pool()
        Handover = pool.get('kim.case.handover')
        Case = pool.get('kim.case')
        ModelData = pool.get('ir.model.data')
        self.setup_case()
        handover = Handover(case=self.case, kind='external',
            organisation=self.jobcenter,
            handlungsfelder=[self.work, self.language],
            warm=True, client_present=True,
            participants="Eva, Herr Muster (Jobcenter), Klientin")
        handover.save()
        with self.assertRaises(HandoverError) as cm:
            Handover.do([handover])
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_handover_no_consent',
                handover=handover.rec_name, client="Fiktiva Beispiel",
                organisation="Jobcenter Musterstadt",
                handlungsfelder=', '.join(
                    '"%s"' % h.rec_name for h in handover.handlungsfelder)))
        consent = self.create_consent(topics=[self.work])
        with self.assertRaises(HandoverError) as cm:
            Handover.do([handover])
        self.assertIn(self.language.rec_name, cm.exception.message)
        self.assertNotIn(self.work.rec_name, cm.exception.message)
        consent2 = self.create_consent(topics=[self.language])

        with self.assertRaises(HandoverWarning) as cm:
            Handover.do([handover])
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_handover_no_agreement',
                handover=handover.rec_name,
                organisation="Jobcenter Musterstadt"))
        agreement = self.create_agreement(topics=[self.work, self.language])

        Handover.do([handover])
        handover = Handover(handover.id)
        case = Case(self.case.id)
        self.assertEqual(handover.state, 'done')
        self.assertIn(handover.consent, [consent, consent2])
        self.assertEqual(handover.agreement, agreement)
        self.assertEqual(case.state, 'closed')
        self.assertEqual(case.closing_reason.id, ModelData.get_id(
                'kim_case', 'closing_reason_uebergabe'))
        self.assertEqual(case.closing_reason.name,
            "Übergabe an anderes Fallmanagement")
        self.assertEqual(case.closing_date, self.today)
        self.assertEqual(len(self.events('handover')), 1)
        note, = self.events('note')
        self.assertIn("Jobcenter Musterstadt", note.description)

    @with_transaction()
    def test_handover_external_needs_statutory_cm(self):
        "An external handover goes to a statutory case management only"
        pool = Pool()
        Handover = pool.get('kim.case.handover')
        self.setup_case()
        handover = Handover(case=self.case, kind='external',
            handlungsfelder=[self.work])
        handover.save()
        with self.assertRaises(HandoverValidationError) as cm:
            Handover.do([handover])
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_handover_no_organisation',
                handover=handover.rec_name))
        handover.organisation = self.jobcenter
        handover.save()
        # the organisation gave up its statutory case management since
        self.jobcenter.kim_statutory_case_management = False
        self.jobcenter.save()
        with self.assertRaises(HandoverValidationError) as cm:
            Handover.do([handover])
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_handover_not_statutory',
                handover=handover.rec_name,
                organisation="Jobcenter Musterstadt"))

    # --- case conferences --------------------------------------------------

    def create_conference(self, start=None):
        pool = Pool()
        Conference = pool.get('kim.case.conference')
        conference, = Conference.create([{
                    'case': self.case.id,
                    'subject': "Fallkonferenz Übergang Arbeit",
                    'start': start or dt.datetime.now() - dt.timedelta(
                        hours=2),
                    'participants': [('create', [
                                {'external': False,
                                    'employee': self.eva.id},
                                {'external': True,
                                    'organisation': self.jobcenter.id,
                                    'person': "Herr Muster"},
                                {'external': True,
                                    'organisation': self.school.id},
                                {'external': True, 'person': "Tante"},
                                ])],
                    }])
        return conference

    @with_transaction()
    def test_case_copy_without_links(self):
        "A copied case has none of the referrals, handovers, conferences"
        pool = Pool()
        Case = pool.get('kim.case')
        Handover = pool.get('kim.case.handover')
        self.setup_case()
        self.create_referral()
        self.create_conference()
        Handover(case=self.case, kind='internal', to_case_manager=self.eva,
            participants="Eva").save()
        case = Case(self.case.id)
        self.assertTrue(case.referrals and case.conferences
            and case.handovers)
        copy, = Case.copy([case])
        self.assertEqual(
            (copy.referrals, copy.conferences, copy.handovers), ((), (), ()))
        case = Case(self.case.id)
        self.assertEqual(
            (len(case.referrals), len(case.conferences), len(case.handovers)),
            (1, 1, 1))

    @with_transaction()
    def test_conference_needs_consent_for_external(self):
        "Every external organisation needs the client's consent"
        pool = Pool()
        Conference = pool.get('kim.case.conference')
        self.setup_case()
        conference = self.create_conference()
        # external participants need the consent to the communication in
        # the network
        with self.assertRaises(ConferenceError) as cm:
            Conference.confirm([conference])
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_conference_no_network_consent',
                conference=conference.rec_name, client="Fiktiva Beispiel"))
        self.create_consent(purposes=['network'], recipients=[])
        # a consent to transfer data is not one to case conferences
        self.create_consent(recipients=[self.jobcenter, self.school])
        with self.assertRaises(ConferenceError) as cm:
            Conference.confirm([conference])
        self.assertEqual(cm.exception.message, message(
                'kim_case.msg_conference_no_consent',
                conference=conference.rec_name, client="Fiktiva Beispiel",
                organisations='"Jobcenter Musterstadt", '
                '"Sprachschule Muster"'))
        self.create_consent(purposes=['case_conference'],
            recipients=[self.jobcenter])
        with self.assertRaises(ConferenceError) as cm:
            Conference.hold([conference])
        self.assertIn('"Sprachschule Muster"', cm.exception.message)
        self.assertNotIn('Jobcenter', cm.exception.message)
        self.create_consent(purposes=['case_conference'],
            recipients=[self.school])
        Conference.confirm([conference])
        self.assertEqual(conference.state, 'confirmed')
        conference.results = "Jobcenter übernimmt die Vermittlung"
        conference.tasks = [{
                'name': "Termin beim Jobcenter", 'who': "Klientin",
                'due_date': self.today + 7 * DAY}]
        conference.save()
        Conference.hold([conference])
        self.assertEqual(conference.state, 'held')
        event, = self.events('conference')
        self.assertIn("Fallkonferenz Übergang Arbeit", event.description)
        # results and tasks stay editable, the participants do not
        task, = conference.tasks
        task.done = True
        task.save()
        with self.assertRaises(AccessError):
            Conference.write([conference], {'subject': "Other"})

    @with_transaction()
    def test_conference_held_in_future_refused(self):
        "A conference cannot be held before it starts"
        pool = Pool()
        Conference = pool.get('kim.case.conference')
        self.setup_case()
        conference = self.create_conference(
            start=dt.datetime.now() + dt.timedelta(days=2))
        self.create_consent(purposes=['case_conference', 'network'],
            recipients=[self.jobcenter, self.school])
        Conference.confirm([conference])
        with self.assertRaises(ConferenceError) as cm:
            Conference.hold([conference])
        self.assertIn("future", cm.exception.message)
