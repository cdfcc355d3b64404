# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Who reads what: the record rules by organisation, team and role
(access.xml) and the checks that make them hold on every path.

The rules evaluate only what an administrator assigned, never what a user
can choose in the preferences (the current company or employee):

- ``employees``: the employees assigned to the user (``res.user.employees``);
- ``companies``: the user's companies of the company module, restricted to
  the companies assigned to the user (``res.user.companies``);
- ``teams``: the case teams one of these employees is a member of;
- ``company_users``: the users assigned to one of these companies;
- ``user_id``: the id of the user;
- ``kim_case_supervisor``: whether the user is in the Fachaufsicht;
- ``kim_cases_in_charge``, ``kim_cases_of_companies``,
  ``kim_clients_in_charge``, ``kim_clients_of_companies``: the domains of
  the cases and clients a case manager and the Fachaufsicht see, written
  once (``visibility_domains``) for the rules of cases, Wiedervorlage and
  clients;

besides the ``groups`` of ir. The KIM rules use only columns of the record
compared with these values, or ``where`` clauses on the record's own
relation fields (as Tryton builds for ``__access__``).

Tryton evaluates the rules of ``export_data`` in Python, where ``where``
and dotted clauses count as true: ``AccessMixin.export_data`` therefore
checks, in SQL as search and read do, every record an export reaches.
``AccessMixin.preprocess_values`` refuses to link a client or a case the
user cannot read (a record of one's own cannot pull in another team's
client). Both are registered for every model (``register_mixin``)."""
from collections import defaultdict

from sql import Null

from trytond import backend
from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.ir.resource import ResourceAccessMixin
from trytond.model import fields
from trytond.modules.kim_network.common import clearing_mixin
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction, without_check_access

from .exceptions import LinkAccessError, UserAssignmentError

from .gate import is_supervisor

# Prefixes of the models whose rules depend on the user, not only on the
# groups: the domain cache of their rules is kept per user.
_USER_RULE_PREFIXES = ('kim.case', 'kim.client', 'kim.consent',
    'kim.access_log')
_USER_RULE_MODELS = {'party.party', 'party.address',
    'party.contact_mechanism', 'party.identifier'}
# The models whose records a user links only when they may read them
LINK_CHECKED_MODELS = {'party.party', 'kim.case'}
_RELATIONAL = {'many2one', 'one2one', 'reference', 'one2many', 'many2many'}

_rule_context_cache = Cache('kim_case.rule_context', context=False)


def _user_rules(model_names):
    return any(n in _USER_RULE_MODELS or n.startswith(_USER_RULE_PREFIXES)
        for n in model_names)


# the one "is Fachaufsicht" of the suite
is_case_supervisor = is_supervisor


def rule_context(user_id=None):
    """Return the assignments of the user (default: of the transaction) the
    record rules evaluate: a dict of tuples of ids of 'employees',
    'companies', 'teams' and 'company_users'"""
    if user_id is None:
        user_id = Transaction().user
    context = _rule_context_cache.get(user_id)
    if context is not None:
        return context
    pool = Pool()
    UserEmployee = pool.get('res.user-company.employee')
    UserCompany = pool.get('res.user-company.company')
    TeamEmployee = pool.get('kim.case.team-company.employee')
    user_employee = UserEmployee.__table__()
    user_company = UserCompany.__table__()
    user_company2 = UserCompany.__table__()
    team_employee = TeamEmployee.__table__()
    cursor = Transaction().connection.cursor()

    cursor.execute(*user_employee.select(user_employee.employee,
            where=user_employee.user == user_id))
    employees = tuple(sorted({e for e, in cursor}))
    cursor.execute(*user_company.select(user_company.company,
            where=user_company.user == user_id))
    companies = tuple(sorted({c for c, in cursor}))
    teams = ()
    if employees:
        cursor.execute(*team_employee.select(team_employee.team,
                where=reduce_ids(team_employee.employee, employees)))
        teams = tuple(sorted({t for t, in cursor}))
    company_users = ()
    if companies:
        cursor.execute(*user_company2.select(user_company2.user,
                where=reduce_ids(user_company2.company, companies)))
        company_users = tuple(sorted({u for u, in cursor}))
    context = {
        'employees': employees,
        'companies': companies,
        'teams': teams,
        'company_users': company_users,
        }
    _rule_context_cache.set(user_id, context)
    return context


def clear_rule_context():
    "Clear the rule contexts (the domain cache is keyed by their values)"
    _rule_context_cache.clear()


def check_read(Model, ids):
    """Raise an AccessError unless the user of the transaction may read the
    records ids of Model: model access and record rules checked in SQL (as
    read does) and, for attachments and notes, their resource"""
    pool = Pool()
    ModelAccess = pool.get('ir.model.access')
    Rule = pool.get('ir.rule')
    transaction = Transaction()
    if not transaction.user or not transaction.check_access:
        return
    ids = sorted({int(i) for i in ids if i is not None and int(i) >= 0})
    if not ids:
        return
    ModelAccess.check(Model.__name__, 'read')
    in_max = backend.MAX_QUERY_PARAMS
    for sub_ids in grouped_slice(ids, in_max):
        Rule.check(Model.__name__, list(sub_ids), mode='read')
    if issubclass(Model, ResourceAccessMixin):
        Model.check_access(ids, mode='read')


def readable_ids(Model, ids):
    """Return the ids among ids the user of the transaction may read by the
    model access and the record rules of Model (all of them for the root
    user)"""
    pool = Pool()
    ModelAccess = pool.get('ir.model.access')
    Rule = pool.get('ir.rule')
    transaction = Transaction()
    ids = {int(i) for i in ids if i is not None}
    if not transaction.user or not ids:
        return ids
    with transaction.set_context(_check_access=True):
        if not ModelAccess.check(
                Model.__name__, 'read', raise_exception=False):
            return set()
        domain = Rule.domain_get(Model.__name__, mode='read')
    if not domain:
        return ids
    result = set()
    with transaction.set_user(0, set_context=True), \
            without_check_access(), \
            transaction.set_context(active_test=False):
        in_max = backend.MAX_QUERY_PARAMS
        for sub_ids in grouped_slice(sorted(ids), in_max):
            result.update(map(int, Model.search([
                            ('id', 'in', list(sub_ids)),
                            domain,
                            ], order=[])))
    return result


def export_reach(Model, records, fields_names):
    """Return {model name: set of ids} of the records an export of records
    with fields_names reads: the records and every record on the paths,
    including the targets whose record name a relation field exports"""
    reached = defaultdict(set)
    paths = [f.split('/') for f in fields_names]
    _reach(Model, [r.id for r in records], paths, reached)
    return reached


def _reach(Model, ids, paths, reached):
    pool = Pool()
    ids = sorted({i for i in ids if i is not None and i >= 0})
    if not ids:
        return
    reached[Model.__name__].update(ids)
    by_field = defaultdict(list)
    for path in paths:
        if not path or not path[0]:
            continue
        name = path[0].split('.', 1)[0].split(':lang=', 1)[0]
        by_field[name].append(path[1:])
    for name, subpaths in by_field.items():
        field = Model._fields.get(name)
        if field is None or field._type not in _RELATIONAL:
            continue
        targets = defaultdict(list)
        with without_check_access():
            for record in Model.browse(ids):
                value = getattr(record, name, None)
                if field._type in {'one2many', 'many2many'}:
                    values = value or ()
                else:
                    values = [value] if value else []
                for target in values:
                    if hasattr(target, '__name__') and hasattr(target, 'id'):
                        targets[target.__name__].append(target.id)
        subpaths = [p for p in subpaths if p]
        for target, target_ids in targets.items():
            _reach(pool.get(target), target_ids, subpaths, reached)


def _id(value):
    """The record id of value or None when it is none (the InputGuard of
    kim_network refuses such values before anything is written)"""
    if isinstance(value, bool):
        return None
    try:
        value = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return value if value >= 0 else None


def _link_ids(field, value):
    "Return the ids of existing records value links by field"
    if value is None:
        return []
    if field._type in {'many2one', 'one2one'}:
        return [i for i in [_id(value)] if i is not None]
    ids = []
    if not isinstance(value, (list, tuple)):
        return ids
    for action in value:
        if (isinstance(action, (list, tuple)) and len(action) > 1
                and action[0] in {'add', 'set'}
                and isinstance(action[1], (list, tuple))):
            ids.extend(i for i in map(_id, action[1]) if i is not None)
    return ids


class AccessMixin:
    """Record rules on the paths Tryton checks in Python (export_data) and
    on links: registered for every model"""
    __slots__ = ()

    @classmethod
    def export_data(cls, records, fields_names, header=False):
        pool = Pool()
        transaction = Transaction()
        if transaction.user and transaction.check_access:
            reached = export_reach(cls, records, fields_names)
            for model, ids in reached.items():
                check_read(pool.get(model), ids)
            try:
                AccessLog = pool.get('kim.access_log')
            except KeyError:
                pass
            else:
                AccessLog.log_records(reached, 'export')
        return super().export_data(records, fields_names, header=header)

    @classmethod
    def _kim_link_fields(cls):
        "Return the (name, field) of the fields linking LINK_CHECKED_MODELS"
        key = '_kim_link_fields_cache'
        if key not in cls.__dict__:
            result = []
            for name, field in cls._fields.items():
                if field._type not in {'many2one', 'one2one', 'many2many'}:
                    continue
                if isinstance(field, fields.Function) and not field.setter:
                    continue
                if field.get_target().__name__ in LINK_CHECKED_MODELS:
                    result.append((name, field))
            setattr(cls, key, result)
        return cls.__dict__[key]

    @classmethod
    def check_kim_links(cls, vlist):
        """Raise a LinkAccessError if values of vlist link a client or a case
        the user of the transaction may not read"""
        link_fields = cls._kim_link_fields()
        if not link_fields or not Transaction().user:
            return
        for name, field in link_fields:
            ids = set()
            for values in vlist:
                if name in values:
                    ids.update(_link_ids(field, values[name]))
            if not ids:
                continue
            forbidden = ids - readable_ids(field.get_target(), ids)
            if forbidden:
                raise LinkAccessError(gettext(
                        'kim_case.msg_link_not_readable',
                        ids=', '.join(map(str, sorted(forbidden))),
                        **cls.__names__(name)))

    @classmethod
    def _before_create(cls, vlist):
        # before the insert: once the record exists, its link would make
        # the client readable
        transaction = Transaction()
        if transaction.user and transaction.check_access:
            cls.check_kim_links(vlist)
        return super()._before_create(vlist)

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if mode == 'write' and external and values:
            cls.check_kim_links([values])


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.domain.help += (
            '\n- "employees" as list of ids of the employees assigned to the '
            'user'
            '\n- "teams" as list of ids of the case teams of these employees'
            '\n- "company_users" as list of ids of the users of the '
            'companies'
            '\n- "user_id" as the id of the user'
            '\n- "kim_case_supervisor" if the user is in the Fachaufsicht'
            '\n- "kim_cases_in_charge" as the domain of the cases of the '
            'assigned employees or their teams (kim.case, kim.case.due)'
            '\n- "kim_cases_of_companies" as the domain of the cases of the '
            'assigned companies'
            '\n- "kim_clients_in_charge" and "kim_clients_of_companies" as '
            'the domains of the parties (party.party) of these cases')

    @classmethod
    def _companies(cls):
        "The companies of the company module that are assigned to the user"
        User = Pool().get('res.user')
        assigned = rule_context()['companies']
        return tuple(c for c in User.get_companies() if c in assigned)

    @classmethod
    def _get_cache_key(cls, model_names):
        key = (*super()._get_cache_key(model_names), cls._companies())
        if _user_rules(model_names):
            context = rule_context()
            key = (*key, Transaction().user,
                tuple(sorted(context.items())))
        return key

    @classmethod
    def _get_context(cls, model_name):
        context = super()._get_context(model_name)
        assigned = rule_context()
        context['employees'] = list(assigned['employees'])
        context['teams'] = list(assigned['teams'])
        context['company_users'] = list(assigned['company_users'])
        # the current company of the preferences only if it is assigned
        context['companies'] = list(cls._companies())
        context['user_id'] = Transaction().user
        context['kim_case_supervisor'] = is_case_supervisor()
        context.update(visibility_domains(context))
        return context


def visibility_domains(context):
    """Return the rule-context values of the one definition of which cases
    and clients a case manager and the Fachaufsicht see, computed from the
    assignments in context ('employees', 'teams', 'companies',
    'company_users', 'user_id'):

    - the cases in charge of the assigned employees or of their teams, and
      the cases of the assigned companies (the rules of kim.case and of the
      Wiedervorlage kim.case.due, which has the same columns);
    - the parties of these cases: every party that is no personal data of
      KIM, the clients of these cases, the household members of these
      clients or named on these cases and the clients without a case yet
      recorded by the user (in charge) or a user of the companies"""
    in_charge = ['OR',
        ('case_manager', 'in', context['employees']),
        ('team', 'in', context['teams']),
        ]
    of_companies = [('company', 'in', context['companies'])]

    def clients(cases, recorded_by):
        return ['OR',
            ('kim_personal', '=', False),
            ('kim_cases', 'where', cases),
            ('kim_household_of', 'where', [
                    ('client', 'where', [('kim_cases', 'where', cases)]),
                    ]),
            ('kim_household_cases', 'where', cases),
            [
                ('kim_cases', '=', None),
                ('kim_household_of', '=', None),
                ('kim_household_cases', '=', None),
                recorded_by,
                ],
            ]
    return {
        'kim_cases_in_charge': in_charge,
        'kim_cases_of_companies': of_companies,
        'kim_clients_in_charge': clients(
            in_charge, ('create_uid', '=', context['user_id'])),
        'kim_clients_of_companies': clients(
            of_companies, ('create_uid', 'in', context['company_users'])),
        }


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    @classmethod
    def set_preferences(cls, values):
        pool = Pool()
        Company = pool.get('company.company')
        Employee = pool.get('company.employee')
        user_id = Transaction().user
        if user_id:
            assigned = rule_context(user_id)
            company = values.get('company')
            if company and int(company) not in assigned['companies']:
                with without_check_access():
                    name = Company(int(company)).rec_name
                raise UserAssignmentError(gettext(
                        'kim_case.msg_user_company_not_assigned',
                        company=name))
            employee = values.get('employee')
            if employee and int(employee) not in assigned['employees']:
                with without_check_access():
                    name = Employee(int(employee)).rec_name
                raise UserAssignmentError(gettext(
                        'kim_case.msg_user_employee_not_assigned',
                        employee=name))
        super().set_preferences(values)

    @classmethod
    def on_modification(cls, mode, users, field_names=None):
        super().on_modification(mode, users, field_names=field_names)
        clear_rule_context()
        user_id = Transaction().user
        if (mode == 'write' and user_id
                and user_id in {u.id for u in users}
                and (field_names is None or field_names & {
                        'company', 'employee', 'companies', 'employees'})):
            # set_preferences and the user's own writes
            cls.check_kim_assignment([user_id])

    @classmethod
    def check_kim_assignment(cls, user_ids):
        """Raise a UserAssignmentError if the current company or employee of
        one of the users is not among the companies or employees an
        administrator assigned to the user"""
        pool = Pool()
        UserCompany = pool.get('res.user-company.company')
        UserEmployee = pool.get('res.user-company.employee')
        Company = pool.get('company.company')
        Employee = pool.get('company.employee')
        user = cls.__table__()
        user_company = UserCompany.__table__()
        user_employee = UserEmployee.__table__()
        cursor = Transaction().connection.cursor()
        in_max = backend.MAX_QUERY_PARAMS
        for sub_ids in grouped_slice(user_ids, in_max):
            cursor.execute(*user.select(user.id, user.company, user.employee,
                    where=reduce_ids(user.id, list(sub_ids))
                    & ((user.company != Null) | (user.employee != Null))))
            for id_, company, employee in cursor.fetchall():
                if company is not None:
                    cursor.execute(*user_company.select(user_company.id,
                            where=(user_company.user == id_)
                            & (user_company.company == company)))
                    if not cursor.fetchone():
                        with without_check_access():
                            name = Company(company).rec_name
                        raise UserAssignmentError(gettext(
                                'kim_case.msg_user_company_not_assigned',
                                company=name))
                if employee is not None:
                    cursor.execute(*user_employee.select(user_employee.id,
                            where=(user_employee.user == id_)
                            & (user_employee.employee == employee)))
                    if not cursor.fetchone():
                        with without_check_access():
                            name = Employee(employee).rec_name
                        raise UserAssignmentError(gettext(
                                'kim_case.msg_user_employee_not_assigned',
                                employee=name))


_ClearRuleContext = clearing_mixin(clear_rule_context,
    "Clear the rule context of the users when the assignments change")


class UserCompany(_ClearRuleContext, metaclass=PoolMeta):
    __name__ = 'res.user-company.company'


class UserEmployee(_ClearRuleContext, metaclass=PoolMeta):
    __name__ = 'res.user-company.employee'


class TeamEmployee(_ClearRuleContext, metaclass=PoolMeta):
    __name__ = 'kim.case.team-company.employee'
