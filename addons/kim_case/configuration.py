# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Id

from .exceptions import CaseValidationError

DEFAULT_DUE_HORIZON = 14
DEFAULT_RECHTSKREIS_CHANGE_DAYS = 30


class Configuration(metaclass=PoolMeta):
    __name__ = 'kim.configuration'
    case_sequence = fields.Many2One('ir.sequence', "Case Sequence",
        required=True,
        domain=[('sequence_type', '=',
                Id('kim_case', 'sequence_type_case'))],
        help="Numbers the cases, e.g. KIM-2026-00042.")
    due_horizon = fields.Integer("Wiedervorlage Horizon (Days)",
        help="How many days ahead the Wiedervorlage list shows due items.")
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

    def get_rechtskreis_change_days(self):
        if self.rechtskreis_change_days is None:
            return DEFAULT_RECHTSKREIS_CHANGE_DAYS
        return self.rechtskreis_change_days

    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        for config in configurations:
            for name in ['due_horizon', 'rechtskreis_change_days']:
                value = getattr(config, name)
                if value is not None and (value < 0 or value > 366):
                    raise CaseValidationError(gettext(
                            'kim_case.msg_configuration_days',
                            field=cls.__names__(name)['field']))
