# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from trytond.i18n import gettext
from trytond.model import fields
from trytond.modules.kim_network.common import CodeListMixin
from trytond.transaction import Transaction

from .exceptions import CaseValidationError


class ResidenceStatusType(CodeListMixin):
    __string__ = "Residence Status Type"
    __name__ = 'kim.residence_status_type'
    legal_basis = fields.Char("Legal Basis", translate=True,
        help="The provision of the Aufenthaltsgesetz (or other law) that "
        "grants the status, e.g. '§ 25 Abs. 2 AufenthG'.")
    secure = fields.Boolean("Secure Residence",
        help="The status gives a long-term perspective to stay "
        "(used for statistics and plan types).")
    duldung = fields.Boolean("Duldung",
        help="A tolerated stay (§ 60a AufenthG and its kinds): the "
        "Wiedervorlage reminds of a missing expiry date and of the waiting "
        "times of § 25a and § 25b AufenthG.")
    due_horizon = fields.Integer("Wiedervorlage Horizon (Days)",
        help="How many days before its expiry a document of this type shows "
        "in the Wiedervorlage. Empty: the horizon of the configuration.")

    @classmethod
    def __register__(cls, module):
        table_h = cls.__table_handler__(module)
        migrate = (table_h.column_exist('code')
            and not table_h.column_exist('duldung'))
        super().__register__(module)
        if migrate:
            # the code list is noupdate data: flag the shipped Duldung kinds
            table = cls.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.update([table.duldung], [True],
                    where=table.code.in_(
                        ['DULDUNG', 'DULDUNG_60C', 'DULDUNG_60D'])))

    @classmethod
    def default_duldung(cls):
        return False

    @classmethod
    def validate_fields(cls, types, field_names):
        super().validate_fields(types, field_names)
        if field_names is None or 'due_horizon' in field_names:
            for type_ in types:
                if type_.due_horizon is not None and not (
                        0 <= type_.due_horizon <= 366):
                    raise CaseValidationError(gettext(
                            'kim_case.msg_residence_status_type_horizon',
                            type=type_.rec_name))


class AccessChannel(CodeListMixin):
    __string__ = "Access Channel"
    __name__ = 'kim.access_channel'


class ClosingReason(CodeListMixin):
    __string__ = "Closing Reason"
    __name__ = 'kim.closing_reason'
    short_case = fields.Boolean("Short Case",
        help="The reason closes an Erstberatung that ended with information "
        "or a referral (Kurzberatung); such cases may be closed directly "
        "from intake.")
    handover = fields.Boolean("Handover",
        help="The case continues in another case management; closing records "
        "a handover event.")
