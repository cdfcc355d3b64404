# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('kim.case|flag_due', "Flag Due Cases (Wiedervorlage)"),
                ('kim.case.due|send_digest',
                    "Send the Daily Wiedervorlage Digest"),
                ('kim.consent|expire', "Expire Consents"),
                ('party.party|kim_anonymise_expired',
                    "Anonymise Clients after the Retention Period"),
                ('kim.access_log|delete_expired',
                    "Delete Access Log Entries after the Retention Period"),
                ])
