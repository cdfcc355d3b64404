# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Id

from .exceptions import FundingValidationError
from .indicator import DEFAULT_MIN_CELL

DEFAULT_PROOF_REMINDER_DAYS = 42


class Configuration(metaclass=PoolMeta):
    __name__ = 'kim.configuration'
    proof_sequence = fields.Many2One('ir.sequence',
        "Verwendungsnachweis Sequence",
        domain=[('sequence_type', '=',
                Id('kim_reporting', 'sequence_type_proof'))],
        help="Numbers the Verwendungsnachweise when they are submitted.")
    proof_reminder_days = fields.Integer("Proof Reminder (Days)",
        help="How many days before the deadline of a Verwendungsnachweis or "
        "Zwischennachweis the finance users are reminded (default 42).")
    min_cell = fields.Integer("Minimum Cell Size",
        help="Indicator cells counting fewer cases, contacts or goals than "
        "this are suppressed in every report and export (default 5).")

    @classmethod
    def default_proof_sequence(cls):
        try:
            return Pool().get('ir.model.data').get_id(
                'kim_reporting', 'sequence_proof')
        except KeyError:
            return None

    @classmethod
    def default_min_cell(cls):
        return DEFAULT_MIN_CELL

    def get_min_cell(self):
        if self.min_cell is None:
            return DEFAULT_MIN_CELL
        return self.min_cell

    @classmethod
    def default_proof_reminder_days(cls):
        return DEFAULT_PROOF_REMINDER_DAYS

    def get_proof_reminder_days(self):
        if self.proof_reminder_days is None:
            return DEFAULT_PROOF_REMINDER_DAYS
        return self.proof_reminder_days

    def get_proof_sequence(self):
        if self.proof_sequence:
            return self.proof_sequence
        return Pool().get('ir.sequence')(self.default_proof_sequence())

    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        for config in configurations:
            if config.min_cell is not None and config.min_cell < 0:
                raise FundingValidationError(gettext(
                        'kim_reporting.msg_min_cell_negative'))
            if (config.proof_reminder_days is not None
                    and config.proof_reminder_days < 0):
                raise FundingValidationError(gettext(
                        'kim_reporting.msg_reminder_days_negative'))
