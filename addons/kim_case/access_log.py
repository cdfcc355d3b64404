# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Append-only log of who read which client and case records.

Every read of personal case data by a real user (the client's RPC calls and
code run with access checked) adds one row per record with the user, the
model, the record id, the time and the kind: read (read, search_read and the
records a form or list reads), export (export_data, every record an export
reaches; the data-subject report of Art. 15 with its reason), report (the
records a report is printed for) and count (search_count, one row with the
domain; not the counters of a list's tabs and the count of a list without a
search, whose conditions are exactly those of a list an administrator set
up: a window's domain, alone or with one of its tabs). Personal case data
are the records of the models that follow the rules of a case or of a
client through ``__access__`` (and the clients and household members
themselves) and the attachments and notes of those records;
``AccessLogMixin`` is registered for every model and logs those. Internal
reads (user 0, attribute access, aggregations run with elevated
rights) are not logged.

The rows of a request are collected in the transaction and written by one
multi-row INSERT when it commits (a read-only request on PostgreSQL ends its
read-only transaction and inserts them on the same connection in a
read-write one, on SQLite in a transaction of its own); reading the log
writes the pending rows first.

Nobody edits or deletes an entry, not even the administration; only the
scheduled job "Delete Access Log Entries after the Retention Period" removes
the entries older than the retention period of the configuration."""
import datetime
import json
import logging
from collections import defaultdict

from sql import Literal, Select

from dateutil.relativedelta import relativedelta

from trytond import backend
from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.ir.resource import ResourceAccessMixin
from trytond.ir.rule import _get_access_models
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.modules.kim_network.common import clearing_mixin, unnest
from trytond.pool import Pool, PoolMeta
from trytond.pyson import PYSON, PYSONDecoder
from trytond.tools import grouped_slice, reduce_ids
from trytond.tools.domain_inversion import is_leaf
from trytond.transaction import Transaction, without_check_access

from .exceptions import AccessLogError

logger = logging.getLogger(__name__)

KINDS = [
    ('read', "Read"),
    ('export', "Export"),
    ('report', "Report"),
    ('count', "Count"),
    ]
# The models of personal case data are found through __access__ from these
_PERSONAL_ROOTS = ('kim.case', 'party.party')
_DETAIL_SIZE = 1000


class AccessLog(ModelSQL, ModelView):
    __string__ = "Access Log"
    __name__ = 'kim.access_log'
    date = fields.Timestamp("Date", readonly=True)
    user = fields.Many2One('res.user', "User", readonly=True,
        ondelete='RESTRICT')
    model = fields.Selection('get_models', "Record Type", readonly=True)
    record = fields.Integer("Record ID", readonly=True)
    kind = fields.Selection(KINDS, "Kind", readonly=True)
    detail = fields.Char("Detail", readonly=True,
        help="The reason of a data-subject report or the search of a "
        "count.")

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
            if log_path(Model) is not None:
                models.append((name, Model.__names__()['model']))
        return sorted(models)

    @classmethod
    def log(cls, model, ids, kind='read', detail=None):
        """Log that the user of the transaction accessed the records ids of
        model (None: a row without record); written when the transaction
        commits, with the other rows of the request in one INSERT"""
        transaction = Transaction()
        user = transaction.user
        if not user:
            return
        if ids is None:
            ids = [None]
        else:
            ids = list(dict.fromkeys(int(i) for i in ids if i is not None))
        if not ids:
            return
        if detail is not None:
            detail = str(detail)[:_DETAIL_SIZE]
        buffer = transaction.join(_LogBuffer())
        buffer.add(cls, user, model, ids, kind, detail)

    @classmethod
    def log_records(cls, records, kind, detail=None):
        """Log the records {model name: ids} of the models of personal case
        data (e.g. everything an export reached)"""
        pool = Pool()
        for model, ids in records.items():
            Model = pool.get(model)
            for model, ids in log_records_of(Model, list(ids)).items():
                if ids:
                    cls.log(model, ids, kind, detail=detail)

    @classmethod
    def flush(cls):
        "Write the pending rows of the transaction"
        transaction = Transaction()
        for datamanager in transaction._datamanagers:
            if isinstance(datamanager, _LogBuffer):
                datamanager.write(transaction)

    @classmethod
    def _insert(cls, cursor, rows):
        "Insert rows of (user, model, record, kind, detail) at once"
        table = cls.__table__()
        columns = [table.create_uid, table.create_date, table.date,
            table.user, table.model, table.record, table.kind, table.detail]
        now = datetime.datetime.now()
        if backend.name == 'postgresql':
            # One INSERT with the values as array parameters: binding a
            # parameter per value costs ~0.1 ms a row on PostgreSQL
            users, models, records, kinds, details = zip(*rows)
            cursor.execute(*table.insert(columns, Select([
                            unnest(users, 'INTEGER'),
                            Literal(now), Literal(now),
                            unnest(users, 'INTEGER'),
                            unnest(models, 'VARCHAR'),
                            unnest(records, 'INTEGER'),
                            unnest(kinds, 'VARCHAR'),
                            unnest(details, 'VARCHAR'),
                            ])))
        else:
            # INSERT ... VALUES (...), (...) of 8 parameters a row
            for sub_rows in grouped_slice(rows, backend.MAX_QUERY_PARAMS // 8):
                cursor.execute(*table.insert(columns,
                        [[u, now, now, u, m, r, k, d]
                            for u, m, r, k, d in sub_rows]))

    @classmethod
    def search(cls, domain, *args, **kwargs):
        cls.flush()
        return super().search(domain, *args, **kwargs)

    @classmethod
    def read(cls, ids, fields_names):
        cls.flush()
        return super().read(ids, fields_names)

    @classmethod
    def delete_expired(cls, date=None):
        """Delete the entries older than the retention period before date
        (default today) with one DELETE; return their number (cron)"""
        pool = Pool()
        Configuration = pool.get('kim.configuration')
        Date = pool.get('ir.date')
        if date is None:
            date = Date.today()
        cls.flush()
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


class _LogBuffer:
    """The access-log rows of a transaction, written by one INSERT when it
    commits (a data manager of the transaction)"""

    def __init__(self):
        self.rows = []
        self.Log = None

    def __eq__(self, other):
        return isinstance(other, _LogBuffer)

    def __hash__(self):
        return hash(_LogBuffer)

    def add(self, Log, user, model, ids, kind, detail):
        self.Log = Log
        self.rows.extend((user, model, i, kind, detail) for i in ids)

    def write(self, transaction):
        rows, self.rows = self.rows, []
        if not rows:
            return
        if transaction.readonly and backend.name == 'postgresql':
            # a read-only RPC call (read, search, search_count): it wrote
            # nothing, so its transaction ends here and the rows are
            # inserted on the same connection in a read-write transaction
            # that the transaction's commit then commits (a transaction of
            # its own would take a second connection from the pool)
            connection = transaction.connection
            connection.commit()
            connection.read_only = False
            self.Log._insert(connection.cursor(), rows)
        elif transaction.readonly:
            # SQLite: log in a transaction of its own
            with transaction.new_transaction() as log_transaction:
                self.Log._insert(log_transaction.connection.cursor(), rows)
                log_transaction.commit()
        else:
            self.Log._insert(transaction.connection.cursor(), rows)

    def tpc_begin(self, transaction):
        pass

    def commit(self, transaction):
        self.write(transaction)

    def tpc_vote(self, transaction):
        pass

    def tpc_finish(self, transaction):
        pass

    def tpc_abort(self, transaction):
        self.rows = []


def log_path(Model):
    """Return the path from Model to the party whose personal data decides
    what is logged ('id' for the party itself), '' to log every record (the
    records of a case) or None when nothing is logged. A model decides
    itself with a classmethod _kim_access_log_path."""
    key = '_kim_access_log_path_cache'
    if key not in Model.__dict__:
        if hasattr(Model, '_kim_access_log_path'):
            path = Model._kim_access_log_path()
        elif (not issubclass(Model, ModelSQL)
                or Model.__name__ == 'kim.access_log'):
            path = None
        elif Model.__name__ == 'party.party':
            path = 'id'
        elif issubclass(Model, ResourceAccessMixin):
            # attachments and notes of the logged records
            path = 'resource'
        elif Model.__name__ == 'kim.case':
            path = ''
        else:
            names, model2field = _get_access_models(Model)
            if 'kim.case' in names:
                path = ''
            elif 'party.party' in names:
                path = model2field['party.party'][0]
            else:
                path = None
        setattr(Model, key, path)
    return Model.__dict__[key]


def log_ids(Model, ids):
    "Return the ids among ids of Model whose access is logged"
    path = log_path(Model)
    if path is None:
        return []
    if not path:
        return list(ids)
    pool = Pool()
    Party = pool.get('party.party')
    result = []
    with without_check_access(), \
            Transaction().set_context(active_test=False):
        if path == 'resource':
            by_resource = defaultdict(lambda: defaultdict(list))
            for record in Model.browse(ids):
                resource = record.resource
                if resource is not None and hasattr(resource, 'id'):
                    by_resource[resource.__name__][resource.id].append(
                        record.id)
            for model, resources in by_resource.items():
                Resource = pool.get(model)
                if log_path(Resource) is None:
                    continue
                for resource_id in log_ids(Resource, list(resources)):
                    result.extend(resources[resource_id])
        elif path == 'id':
            party = Party.__table__()
            cursor = Transaction().connection.cursor()
            in_max = backend.MAX_QUERY_PARAMS
            for sub_ids in grouped_slice(ids, in_max):
                cursor.execute(*party.select(party.id,
                        where=reduce_ids(party.id, list(sub_ids))
                        & (party.kim_personal == Literal(True))))
                result.extend(i for i, in cursor)
        else:
            in_max = backend.MAX_QUERY_PARAMS
            for sub_ids in grouped_slice(ids, in_max):
                result.extend(map(int, Model.search([
                                ('id', 'in', list(sub_ids)),
                                (path + '.kim_personal', '=', True),
                                ], order=[])))
    return result


def log_records_of(Model, ids):
    """Return {model name: ids} of the records logged for the ids of Model
    read. A model maps them itself with a classmethod
    _kim_access_log_records(ids) (e.g. the rows of an SQL view to the
    records they show)."""
    if hasattr(Model, '_kim_access_log_records'):
        return Model._kim_access_log_records(ids)
    return {Model.__name__: log_ids(Model, ids)}


class AccessLogMixin:
    """Log the reads of personal case data checked for a real user:
    registered for every model, it logs the models that follow the rules of
    a case or a client (see log_path)"""
    __slots__ = ()

    @classmethod
    def read(cls, ids, fields_names):
        logged = (Transaction().check_access
            and log_path(cls) is not None)
        result = super().read(ids, fields_names)
        if logged and result:
            kind = Transaction().context.get('_kim_access_log_kind') or 'read'
            Pool().get('kim.access_log').log_records(
                {cls.__name__: [r['id'] for r in result]}, kind)
        return result

    @classmethod
    def search_count(cls, domain, *args, **kwargs):
        # not the counters of attachments and notes every form shows, nor
        # the counters of the tabs of a list (its actions' own domains)
        if (Transaction().check_access
                and log_path(cls) not in {None, 'resource'}
                and not is_action_domain(cls.__name__, domain)):
            try:
                detail = json.dumps(domain, default=str)
            except (TypeError, ValueError):
                detail = repr(domain)
            Pool().get('kim.access_log').log(
                cls.__name__, None, 'count', detail=detail)
        return super().search_count(domain, *args, **kwargs)


def _conjuncts(domain):
    """The parts of domain that must all hold, each as a JSON text: the
    leaves and OR domains of its AND levels"""
    result = set()

    def walk(domain):
        if is_leaf(domain):
            result.add(json.dumps(list(domain), default=str))
        elif isinstance(domain, (list, tuple)):
            domain = list(domain)
            if domain and domain[0] == 'OR':
                result.add(json.dumps(domain, default=str))
                return
            if domain and domain[0] == 'AND':
                domain = domain[1:]
            for part in domain:
                walk(part)
        else:
            raise ValueError(domain)
    walk(domain)
    return result


_action_domains = Cache('kim_access_log.action_domains', context=False)


def _fixed_domain(text):
    """The domain of a window or tab (PYSON text) when it holds no PYSON
    (an Eval would take the ids of the client's context), else None"""
    def fixed(value):
        if isinstance(value, PYSON):
            return False
        if isinstance(value, (list, tuple)):
            return all(fixed(v) for v in value)
        if isinstance(value, dict):
            return all(fixed(v) for v in value.values())
        return True
    try:
        value = PYSONDecoder(noeval=True).decode(text or '[]')
    except Exception:
        return None
    return value if fixed(value) else None


def action_domains(model):
    """The conditions of the lists an administrator set up for model: for
    each active window that opens it, the conditions of its domain alone
    and with each of its tabs (a frozenset of conditions each; windows and
    tabs whose domain depends on the client's context are left out)"""
    domains = _action_domains.get(model)
    if domains is None:
        pool = Pool()
        action = pool.get('ir.action').__table__()
        window = pool.get('ir.action.act_window').__table__()
        tab = pool.get('ir.action.act_window.domain').__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*window.join(action,
                condition=window.action == action.id
                ).join(tab, 'LEFT',
                condition=(tab.act_window == window.id)
                & (tab.active == Literal(True))
                ).select(window.domain, tab.domain,
                where=(window.res_model == model)
                & (action.active == Literal(True))))
        domains = set()
        for window_domain, tab_domain in cursor:
            base = _fixed_domain(window_domain)
            if base is None:
                continue
            base = _conjuncts(base)
            domains.add(frozenset(base))
            if tab_domain is not None:
                extra = _fixed_domain(tab_domain)
                if extra is not None:
                    domains.add(frozenset(base | _conjuncts(extra)))
        domains = sorted(sorted(d) for d in domains)
        _action_domains.set(model, domains)
    return {frozenset(d) for d in domains}


def is_action_domain(model, domain):
    """Whether the conditions of domain are those of a list an
    administrator set up for model: a window's domain, alone or with one of
    its tabs (a tab's counter, the count of a list without a search). Such
    a count shows no more than the list and is not logged; neither is one
    that asks for inactive records or a past state."""
    context = Transaction().context
    if context.get('active_test') is False or context.get('_datetime'):
        return False
    try:
        wanted = frozenset(_conjuncts(domain))
    except (ValueError, TypeError):
        return False
    return wanted in action_domains(model)


ActionWindowCacheMixin = clearing_mixin(_action_domains.clear,
    "Clear the lists of the access log when an action or window changes")


class Action(ActionWindowCacheMixin, metaclass=PoolMeta):
    __name__ = 'ir.action'


class ActionWindow(ActionWindowCacheMixin, metaclass=PoolMeta):
    __name__ = 'ir.action.act_window'


class ActionWindowDomain(ActionWindowCacheMixin, metaclass=PoolMeta):
    __name__ = 'ir.action.act_window.domain'


class ReportAccessLogMixin:
    "Log the records a report is printed for as 'report'"
    __slots__ = ()

    @classmethod
    def execute(cls, ids, data):
        with Transaction().set_context(_kim_access_log_kind='report'):
            return super().execute(ids, data)
