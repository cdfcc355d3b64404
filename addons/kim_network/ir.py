# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('kim.cooperation_agreement|flag_due_evaluations',
                "Flag Due Cooperation Evaluations"))
        cls.method.selection.append(
            ('kim.service|remind_directory_checks',
                "Remind of Directory Entries to Check"))
