# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Id

from .exceptions import CaseValidationError

DEFAULT_DUE_HORIZON = 14
DEFAULT_RECHTSKREIS_CHANGE_DAYS = 30
# The horizon in days of each kind of the Wiedervorlage (kim.case.due) that
# has its own: the field of the configuration and its default; an empty
# field falls back to the general horizon (due_horizon)
DUE_KIND_HORIZONS = {
    'measure': ('due_horizon_measure', 14),
    'plan_review': ('due_horizon_plan_review', 14),
    'reassessment': ('due_horizon_reassessment', 30),
    'consent_expiry': ('due_horizon_consent', 30),
    'referral_answer': ('due_horizon_referral', 7),
    'conference_task': ('due_horizon_conference_task', 14),
    'contact_rhythm': ('due_horizon_contact', 7),
    'residence_document': ('due_horizon_residence', 42),
    'adulthood': ('due_horizon_adulthood', 180),
    'residence_25a': ('due_horizon_bleiberecht', 90),
    'residence_25b': ('due_horizon_bleiberecht', 90),
    'case_duration': ('due_horizon_case_duration', 30),
    }
DEFAULT_REFERRAL_ANSWER_DAYS = 14
DEFAULT_CASE_DURATION_MONTHS = 24
DEFAULT_ESCALATION_DAYS = 14


class Configuration(metaclass=PoolMeta):
    __name__ = 'kim.configuration'
    case_sequence = fields.Many2One('ir.sequence', "Case Sequence",
        required=True,
        domain=[('sequence_type', '=',
                Id('kim_case', 'sequence_type_case'))],
        help="Numbers the cases, e.g. KIM-2026-00042.")
    due_horizon = fields.Integer("Wiedervorlage Horizon (Days)",
        help="How many days ahead the Wiedervorlage list shows due items.")
    due_horizon_measure = fields.Integer("Measures (Days)",
        help="How many days ahead the measures of the agreed Hilfepläne "
        "show. Empty: the general horizon.")
    due_horizon_plan_review = fields.Integer("Hilfeplan Reviews (Days)",
        help="How many days ahead the review dates of the agreed Hilfepläne "
        "show. Empty: the general horizon.")
    due_horizon_reassessment = fields.Integer("Re-assessments (Days)",
        help="How many days ahead the planned re-assessments show. "
        "Empty: the general horizon.")
    due_horizon_consent = fields.Integer("Consent Expiry (Days)",
        help="How many days ahead a consent that expires shows. "
        "Empty: the general horizon.")
    due_horizon_referral = fields.Integer("Referrals without Answer (Days)",
        help="How many days ahead a referral shows whose answer is "
        "awaited. Empty: the general horizon.")
    referral_answer_days = fields.Integer("Referral Answer Expected (Days)",
        help="How many days after sending a referral its answer is due.")
    due_horizon_conference_task = fields.Integer(
        "Fallkonferenz Tasks (Days)",
        help="How many days ahead the open tasks of case conferences show. "
        "Empty: the general horizon.")
    due_horizon_contact = fields.Integer("Contact Rhythm (Days)",
        help="How many days ahead the next contact of the agreed contact "
        "rhythm of a case shows. Empty: the general horizon.")
    due_horizon_residence = fields.Integer("Residence Documents (Days)",
        help="How many days ahead the expiry of a residence document shows "
        "when its residence status type has no horizon of its own. "
        "Empty: the general horizon.")
    due_horizon_adulthood = fields.Integer("18th Birthday of an UMA (Days)",
        help="How many days ahead the 18th birthday of a (former) "
        "unaccompanied minor shows. Empty: the general horizon.")
    due_horizon_bleiberecht = fields.Integer(
        "Bleiberecht § 25a/§ 25b (Days)",
        help="How many days ahead the waiting times of § 25a and § 25b "
        "AufenthG show as fulfilled. Empty: the general horizon.")
    due_horizon_case_duration = fields.Integer("Case Duration (Days)",
        help="How many days ahead a case that reaches the duration limit "
        "shows. Empty: the general horizon.")
    case_duration_months = fields.Integer("Case Duration Limit (Months)",
        help="After how many months a case is due for a review of its "
        "duration with the Fachaufsicht.")
    escalation_days = fields.Integer("Escalate after (Days)",
        help="After how many days overdue an item of the Wiedervorlage "
        "escalates to the Fachaufsicht.")
    due_digest = fields.Boolean("Daily Digest E-mail",
        help="Send each case manager with due items one e-mail a day that "
        "lists them (case numbers and kinds only), and the Fachaufsicht one "
        "of the escalated items.")
    due_digest_date = fields.Date("Last Digest", readonly=True,
        help="The day the daily digest of the Wiedervorlage last ran; the "
        "web client notifies of the items overdue since.")
    rechtskreis_change_days = fields.Integer(
        "Show Rechtskreis Changes (Days)",
        help="How many days a change of Rechtskreis stays in the "
        "Wiedervorlage list.")
    case_management_consent = fields.Boolean(
        "Consent Required for Case Management",
        help="A case goes from the intake into the assessment only while a "
        "consent of the client to taking part in case management is in "
        "force. Switch it off where the office documents that consent "
        "elsewhere.")

    @classmethod
    def default_case_sequence(cls):
        try:
            return Pool().get('ir.model.data').get_id(
                'kim_case', 'sequence_case')
        except KeyError:
            return None

    @classmethod
    def default_case_management_consent(cls):
        return True

    @classmethod
    def default_due_horizon(cls):
        return DEFAULT_DUE_HORIZON

    @classmethod
    def default_rechtskreis_change_days(cls):
        return DEFAULT_RECHTSKREIS_CHANGE_DAYS

    @classmethod
    def default_referral_answer_days(cls):
        return DEFAULT_REFERRAL_ANSWER_DAYS

    @classmethod
    def default_case_duration_months(cls):
        return DEFAULT_CASE_DURATION_MONTHS

    @classmethod
    def default_escalation_days(cls):
        return DEFAULT_ESCALATION_DAYS

    @classmethod
    def default_due_digest(cls):
        return True

    @classmethod
    def default_due_horizon_measure(cls):
        return DUE_KIND_HORIZONS['measure'][1]

    @classmethod
    def default_due_horizon_plan_review(cls):
        return DUE_KIND_HORIZONS['plan_review'][1]

    @classmethod
    def default_due_horizon_reassessment(cls):
        return DUE_KIND_HORIZONS['reassessment'][1]

    @classmethod
    def default_due_horizon_consent(cls):
        return DUE_KIND_HORIZONS['consent_expiry'][1]

    @classmethod
    def default_due_horizon_referral(cls):
        return DUE_KIND_HORIZONS['referral_answer'][1]

    @classmethod
    def default_due_horizon_conference_task(cls):
        return DUE_KIND_HORIZONS['conference_task'][1]

    @classmethod
    def default_due_horizon_contact(cls):
        return DUE_KIND_HORIZONS['contact_rhythm'][1]

    @classmethod
    def default_due_horizon_residence(cls):
        return DUE_KIND_HORIZONS['residence_document'][1]

    @classmethod
    def default_due_horizon_adulthood(cls):
        return DUE_KIND_HORIZONS['adulthood'][1]

    @classmethod
    def default_due_horizon_bleiberecht(cls):
        return DUE_KIND_HORIZONS['residence_25a'][1]

    @classmethod
    def default_due_horizon_case_duration(cls):
        return DUE_KIND_HORIZONS['case_duration'][1]

    def get_case_sequence(self):
        if self.case_sequence:
            return self.case_sequence
        return Pool().get('ir.sequence')(self.default_case_sequence())

    def get_case_management_consent(self):
        "Whether leaving the intake needs a consent to case management"
        if self.case_management_consent is None:
            return True
        return bool(self.case_management_consent)

    def get_due_horizon(self):
        if self.due_horizon is None:
            return DEFAULT_DUE_HORIZON
        return self.due_horizon

    def get_due_kind_horizon(self, kind):
        "The horizon in days of the kind of due items"
        if kind in DUE_KIND_HORIZONS:
            value = getattr(self, DUE_KIND_HORIZONS[kind][0])
            if value is not None:
                return value
        return self.get_due_horizon()

    def get_referral_answer_days(self):
        if self.referral_answer_days is None:
            return DEFAULT_REFERRAL_ANSWER_DAYS
        return self.referral_answer_days

    def get_case_duration_months(self):
        if not self.case_duration_months:
            return DEFAULT_CASE_DURATION_MONTHS
        return self.case_duration_months

    def get_escalation_days(self):
        if self.escalation_days is None:
            return DEFAULT_ESCALATION_DAYS
        return self.escalation_days

    def get_due_digest(self):
        if self.due_digest is None:
            return True
        return bool(self.due_digest)

    def get_rechtskreis_change_days(self):
        if self.rechtskreis_change_days is None:
            return DEFAULT_RECHTSKREIS_CHANGE_DAYS
        return self.rechtskreis_change_days

    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        for config in configurations:
            for name in ['due_horizon', 'rechtskreis_change_days',
                    'referral_answer_days', 'escalation_days'] + sorted({
                        f for f, _ in DUE_KIND_HORIZONS.values()}):
                value = getattr(config, name)
                if value is not None and (value < 0 or value > 366):
                    raise CaseValidationError(gettext(
                            'kim_case.msg_configuration_days',
                            field=cls.__names__(name)['field']))
            months = config.case_duration_months
            if months is not None and (months < 1 or months > 120):
                raise CaseValidationError(gettext(
                        'kim_case.msg_configuration_case_duration'))
