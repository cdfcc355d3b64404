# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
import datetime as dt

from trytond.pool import PoolMeta
from trytond.transaction import Transaction


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


# The context key of a back-dated history (see Date.today)
HISTORY_DATE = '_kim_history_date'


class Date(metaclass=PoolMeta):
    __name__ = 'ir.date'

    @classmethod
    def today(cls, timezone=None):
        """Today, or the day of a history that the root user replays.

        Scripts that record a past history through the workflow transitions
        (the demo data generator, a data migration) run them as the root
        user inside ``Transaction().set_context(_kim_history_date=date)``:
        the transitions then stamp and check that day (signatures, events,
        the consents in force). The key is honoured only for the root user,
        and trytond removes every context key starting with ``_`` from the
        requests of a client, so no user can back-date anything with it.
        """
        transaction = Transaction()
        date = transaction.context.get(HISTORY_DATE)
        if (date is not None and transaction.user == 0
                and isinstance(date, dt.date)
                and not isinstance(date, dt.datetime)):
            return date
        return super().today(timezone=timezone)
