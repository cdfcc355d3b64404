# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from trytond.model import fields
from trytond.modules.kim_network.common import CodeListMixin


class ResidenceStatusType(CodeListMixin):
    __string__ = "Residence Status Type"
    __name__ = 'kim.residence_status_type'
    legal_basis = fields.Char("Legal Basis", translate=True,
        help="The provision of the Aufenthaltsgesetz (or other law) that "
        "grants the status, e.g. '§ 25 Abs. 2 AufenthG'.")
    secure = fields.Boolean("Secure Residence",
        help="The status gives a long-term perspective to stay "
        "(used for statistics and plan types).")


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
