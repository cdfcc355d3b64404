# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Append-only log of who read which client and case records.

Every read() and export of a logged model checked for a real user (the
client's RPC calls and code run with access checked) adds one row per record
with the user, the model, the record id, the time and the kind. Internal
reads (user 0, attribute access, aggregations run with elevated rights) are
not logged. The rows of one call are written by one INSERT.

Nobody edits or deletes an entry, not even the administration; only the
scheduled job "Delete Access Log Entries after the Retention Period" removes
the entries older than the retention period of the configuration."""
import copy
import datetime
import logging

from sql import Literal, Select
from sql.functions import Function

from dateutil.relativedelta import relativedelta

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from .exceptions import AccessLogError

logger = logging.getLogger(__name__)

KINDS = [
    ('read', "Read"),
    ('export', "Export"),
    ]


class AccessLog(ModelSQL, ModelView):
    __string__ = "Access Log"
    __name__ = 'kim.access_log'
    date = fields.Timestamp("Date", readonly=True)
    user = fields.Many2One('res.user', "User", readonly=True,
        ondelete='RESTRICT')
    model = fields.Selection('get_models', "Record Type", readonly=True)
    record = fields.Integer("Record ID", readonly=True)
    kind = fields.Selection(KINDS, "Kind", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.date, Index.Range())),
                Index(t,
                    (t.model, Index.Equality()),
                    (t.record, Index.Equality())),
                Index(t, (t.user, Index.Equality())),
                })

    @classmethod
    def get_models(cls):
        "Return the selection of the models whose access is logged"
        pool = Pool()
        models = []
        for name, Model in pool.iterobject():
            if issubclass(Model, AccessLogMixin):
                models.append((name, Model.__names__()['model']))
        return sorted(models)

    @classmethod
    def log(cls, model, ids, kind='read'):
        """Log that the user of the transaction accessed the records ids of
        model with one INSERT"""
        transaction = Transaction()
        user = transaction.user
        ids = list(dict.fromkeys(int(i) for i in ids if i is not None))
        if not ids or not user:
            return
        table = cls.__table__()
        columns = [table.create_uid, table.create_date, table.date,
            table.user, table.model, table.record, table.kind]
        now = datetime.datetime.now()
        if backend.name == 'postgresql':
            # One INSERT with the ids as one array parameter: binding a
            # parameter per value costs ~0.1 ms a row on PostgreSQL
            inserts = [table.insert(columns, Select([
                            Literal(user), Literal(now), Literal(now),
                            Literal(user), Literal(model), _Unnest(ids),
                            Literal(kind)]))]
        else:
            # One INSERT ... VALUES (...), (...) of 7 parameters a row
            inserts = [table.insert(columns,
                    [[user, now, now, user, model, i, kind]
                        for i in sub_ids])
                for sub_ids in grouped_slice(
                    ids, backend.MAX_QUERY_PARAMS // 7)]
        if transaction.readonly:
            # e.g. a read-only RPC route: log in its own transaction
            with transaction.new_transaction() as log_transaction:
                cursor = log_transaction.connection.cursor()
                for insert in inserts:
                    cursor.execute(*insert)
                log_transaction.commit()
        else:
            cursor = transaction.connection.cursor()
            for insert in inserts:
                cursor.execute(*insert)

    @classmethod
    def delete_expired(cls, date=None):
        """Delete the entries older than the retention period before date
        (default today) with one DELETE; return their number (cron)"""
        pool = Pool()
        Configuration = pool.get('kim.configuration')
        Date = pool.get('ir.date')
        if date is None:
            date = Date.today()
        months = Configuration(1).get_months('access_log_months')
        limit = datetime.datetime.combine(
            date - relativedelta(months=months), datetime.time())
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.delete(where=table.date < limit))
        count = cursor.rowcount
        logger.info("deleted %d access log entries before %s", count, limit)
        return count

    @classmethod
    def check_modification(cls, mode, logs, values=None, external=False):
        super().check_modification(
            mode, logs, values=values, external=external)
        if mode in {'write', 'delete'}:
            raise AccessLogError(gettext('kim_case.msg_access_log_readonly'))

    @classmethod
    def write(cls, *args):
        if any(args[::2]):
            raise AccessLogError(gettext('kim_case.msg_access_log_readonly'))

    @classmethod
    def delete(cls, logs):
        if logs:
            raise AccessLogError(gettext('kim_case.msg_access_log_readonly'))

    @classmethod
    def copy(cls, logs, default=None):
        if logs:
            raise AccessLogError(gettext('kim_case.msg_access_log_readonly'))
        return []


class _Unnest(Function):
    __slots__ = ()
    _function = 'UNNEST'


def _writable(rpc):
    rpc = copy.copy(rpc)
    rpc.readonly = False
    return rpc


class AccessLogMixin:
    """Log the reads and exports of the records checked for a real user.
    Set _access_log_kind to a method name returning the ids to log."""
    __slots__ = ()

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # The log is written in the transaction of the call
        for name in ['read', 'search_read', 'export_data',
                'export_data_domain']:
            if name in cls.__rpc__:
                cls.__rpc__[name] = _writable(cls.__rpc__[name])

    @classmethod
    def _access_log_ids(cls, ids):
        "Return the ids among ids whose access is logged"
        return ids

    @classmethod
    def _access_logged(cls):
        transaction = Transaction()
        return (transaction.check_access
            and not transaction.context.get('_kim_access_log_kind'))

    @classmethod
    def read(cls, ids, fields_names):
        logged = cls._access_logged()
        result = super().read(ids, fields_names)
        if logged and result:
            ids = cls._access_log_ids([r['id'] for r in result])
            if ids:
                Pool().get('kim.access_log').log(cls.__name__, ids, 'read')
        return result

    @classmethod
    def export_data(cls, records, fields_names, header=False):
        logged = cls._access_logged()
        with Transaction().set_context(_kim_access_log_kind='export'):
            result = super().export_data(
                records, fields_names, header=header)
        if logged and records:
            ids = cls._access_log_ids([r.id for r in records])
            if ids:
                Pool().get('kim.access_log').log(
                    cls.__name__, ids, 'export')
        return result


class Case(AccessLogMixin, metaclass=PoolMeta):
    __name__ = 'kim.case'


class Party(AccessLogMixin, metaclass=PoolMeta):
    __name__ = 'party.party'

    @classmethod
    def _access_log_ids(cls, ids):
        "Only the clients and the household members among the parties"
        pool = Pool()
        Household = pool.get('kim.client.household')
        CaseHousehold = pool.get('kim.case-party.party.household')
        transaction = Transaction()
        party = cls.__table__()
        household = Household.__table__()
        case_household = CaseHousehold.__table__()
        cursor = transaction.connection.cursor()
        result = []
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS // 3):
            sub_ids = list(sub_ids)
            cursor.execute(*party.select(party.id,
                    where=reduce_ids(party.id, sub_ids)
                    & ((party.kim_client == Literal(True))
                        | party.id.in_(household.select(household.member,
                                where=reduce_ids(household.member, sub_ids)))
                        | party.id.in_(case_household.select(
                                case_household.party,
                                where=reduce_ids(
                                    case_household.party, sub_ids))))))
            result.extend(i for i, in cursor)
        return result
