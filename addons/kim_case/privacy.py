# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Data protection (DSGVO/GDPR) for the clients of the integration
management:

- the data-subject report (Art. 15) as JSON and PDF, both built from one
  nested structure (``Party.kim_subject_access``);
- the anonymisation after the retention period of closed cases, run by a
  scheduled job (``Party.kim_anonymise_expired``);
- the erasure on request (Art. 17) through Tryton's ``party.erase`` wizard,
  which runs the same anonymisation.

The anonymisation is described once, by ``Party._kim_privacy_models`` (which
models hold data of a client and the path from them to the client) and
``Party._kim_privacy_values`` (which columns to overwrite with what). Both
feed ``party.erase.to_erase``, so the wizard and the batched retention job
overwrite the same columns in the tables and their ``__history`` tables and
delete the same attachments and notes. Free text (every stored Char, Text,
Binary and Dict field not listed as kept) is removed; coded fields
(selections, many2one to code lists, numbers, dates of the case, states)
stay, so statistics keep their counts. Personal dates (birth, arrival) are
coarsened to the first of January of their year.
"""
import datetime as dt
import json
import logging
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sql import Cast, Column, Literal, Null
from sql.conditionals import Coalesce
from sql.functions import DateTrunc, Function

from trytond import backend
from trytond.i18n import gettext
from trytond.ir.rule import _get_access_models
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.kim_network.common import PageStyleMixin, today
from trytond.pool import Pool, PoolMeta
from trytond.report import Report
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateReport, StateView, Wizard

from .access import rule_context
from .exceptions import CaseValidationError, SubjectAccessError

logger = logging.getLogger(__name__)

# retention periods of the configuration (months)
DEFAULT_MONTHS = {
    'retention_months': 36,
    'access_log_months': 24,
    }
CLOSED_STATES = ['closed', 'cancelled']
# Placeholder for required free-text columns (as party.erase does)
ERASED = '****'
# Columns never shown in the report
TECHNICAL_FIELDS = {
    'id', 'rec_name', 'create_uid', 'create_date', 'write_uid',
    'write_date'}


class _SQLiteYearStart(Function):
    __slots__ = ()
    _function = 'DATE'


def year_start(column):
    "SQL expression of the first of January of the year of the date column"
    if backend.name == 'sqlite':
        return _SQLiteYearStart(column, 'start of year')
    return Cast(DateTrunc('year', column), 'DATE')


class Configuration(metaclass=PoolMeta):
    __name__ = 'kim.configuration'
    retention_months = fields.Integer("Retention Period (Months)",
        help="How many months after closing the data of a client whose "
        "cases are all closed or cancelled are kept before the scheduled "
        "job anonymises them.")
    access_log_months = fields.Integer("Access Log Retention (Months)",
        help="How many months the entries of the access log are kept "
        "before the scheduled job deletes them.")

    @classmethod
    def default_retention_months(cls):
        return DEFAULT_MONTHS['retention_months']

    @classmethod
    def default_access_log_months(cls):
        return DEFAULT_MONTHS['access_log_months']

    def get_months(self, name):
        "Return the period of name in months, the default when empty"
        value = getattr(self, name)
        return DEFAULT_MONTHS[name] if value is None else value

    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        for name in DEFAULT_MONTHS:
            if field_names is not None and name not in field_names:
                continue
            for config in configurations:
                value = getattr(config, name)
                if value is not None and (value < 1 or value > 1200):
                    raise CaseValidationError(gettext(
                            'kim_case.msg_configuration_retention_months'))


class Case(metaclass=PoolMeta):
    __name__ = 'kim.case'
    anonymised_date = fields.Date("Anonymised On", readonly=True,
        help="The day the personal data of the case were anonymised "
        "(retention period passed or erasure on request).")


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'
    kim_anonymised_date = fields.Date("Anonymised On", readonly=True,
        help="The day the personal data of the client were anonymised "
        "(retention period passed or erasure on request).")

    # --- what is personal data ---------------------------------------

    @classmethod
    def _kim_privacy_models(cls):
        """Return the list of (model name, path to the client) of the
        models holding personal data of a client.

        Modules add their models by extending this method."""
        return [
            ('party.party', 'id'),
            # party.erase misses the compact copies of code and value
            ('party.identifier', 'party'),
            ('party.address', 'party'),
            ('party.contact_mechanism', 'party'),
            ('kim.client.language', 'client'),
            ('kim.client.household', 'client'),
            ('kim.client.residence_status', 'client'),
            ('kim.client.rechtskreis', 'client'),
            ('kim.case', 'client'),
            ('kim.case.event', 'case.client'),
            ('kim.case.assessment', 'case.client'),
            ('kim.case.assessment.line', 'assessment.case.client'),
            ('kim.case.plan', 'case.client'),
            ('kim.case.plan.goal', 'plan.case.client'),
            ('kim.case.plan.measure', 'goal.plan.case.client'),
            ('kim.case.contact', 'case.client'),
            # other parts of the module, when installed
            ('kim.consent', 'client'),
            ('kim.case.referral', 'case.client'),
            ('kim.case.handover', 'case.client'),
            ('kim.case.conference', 'case.client'),
            ('kim.case.conference.participant', 'conference.case.client'),
            ('kim.case.conference.task', 'conference.case.client'),
            ('kim.case.note', 'case.client'),
            ]

    @classmethod
    def _kim_privacy_keep(cls):
        """Return {model name: set of free-text field names} kept by the
        anonymisation because they hold no personal data."""
        return {
            'party.party': {'code'},
            'kim.case': {'number'},
            }

    @classmethod
    def _kim_privacy_values(cls, Model):
        """Return {column: value} overwritten by the anonymisation of the
        records of Model; value may be a callable taking the SQL column."""
        keep = cls._kim_privacy_keep().get(Model.__name__, set())
        values = {}
        for name, field in Model._fields.items():
            if (name in keep or name in TECHNICAL_FIELDS
                    or isinstance(field, fields.Function)):
                continue
            # Text derives from Char
            if isinstance(field, (fields.Char, fields.Binary, fields.Dict)):
                values[name] = ERASED if field.required else None
        if Model.__name__ == 'party.party':
            for name in ['kim_birth_date', 'kim_arrival_germany',
                    'kim_arrival_kommune']:
                if name in Model._fields:
                    values[name] = year_start
        return values

    @classmethod
    def _kim_privacy_rules(cls):
        "Yield (Model, client path, columns, values) of the installed models"
        pool = Pool()
        for model_name, path in cls._kim_privacy_models():
            Model = pool.get(model_name)
            if not issubclass(Model, ModelSQL) or callable(Model.table_query):
                continue
            if path.split('.', 1)[0] not in Model._fields and path != 'id':
                continue
            values = cls._kim_privacy_values(Model)
            columns = sorted(values)
            yield Model, path, columns, [values[c] for c in columns]

    @classmethod
    def _kim_to_erase(cls, party_ids):
        "Return the party.erase tuples of the KIM models for party_ids"
        to_erase = []
        for Model, path, columns, values in cls._kim_privacy_rules():
            to_erase.append(
                (Model, [(path, 'in', list(party_ids))], True,
                    columns, values))
        return to_erase

    # --- retention ---------------------------------------------------

    @classmethod
    def kim_retention_candidates(cls, date=None):
        """Return the ids of the clients whose cases are all closed or
        cancelled for longer than the retention period and who are not
        anonymised yet.

        The closing date of a cancelled case without one is the day it was
        last changed. Clients without any case are kept."""
        pool = Pool()
        Case = pool.get('kim.case')
        Configuration = pool.get('kim.configuration')
        party = cls.__table__()
        case = Case.__table__()
        cursor = Transaction().connection.cursor()
        if date is None:
            date = today()
        months = Configuration(1).get_months('retention_months')
        cutoff = date - relativedelta(months=months)
        cutoff_time = dt.datetime.combine(cutoff, dt.time())
        expired = (case.state.in_(CLOSED_STATES)
            & (((case.closing_date != Null) & (case.closing_date < cutoff))
                | ((case.closing_date == Null)
                    & (Coalesce(case.write_date, case.create_date)
                        < cutoff_time))))
        kept = case.select(case.client, where=~expired)
        with_case = case.select(case.client)
        cursor.execute(*party.select(party.id,
                where=(party.kim_client == Literal(True))
                & (party.kim_anonymised_date == Null)
                & party.id.in_(with_case)
                & ~party.id.in_(kept),
                order_by=[party.id.asc]))
        return [i for i, in cursor]

    @classmethod
    def kim_anonymise_expired(cls, date=None):
        "Anonymise the clients whose retention period has passed (cron)"
        ids = cls.kim_retention_candidates(date=date)
        if ids:
            cls.kim_anonymise(cls.browse(ids))
        logger.info("anonymised %d clients after retention", len(ids))
        return ids

    @classmethod
    def kim_anonymise(cls, parties):
        """Anonymise the KIM data of parties with the rules of party.erase,
        in batches of SQL updates, and mark them anonymised. The household
        members known only through them are anonymised too.

        Idempotent: running it again overwrites with the same values."""
        pool = Pool()
        Erase = pool.get('party.erase', type='wizard')
        ids = [int(p) for p in parties]
        ids += cls._kim_dependent_parties(ids)
        session_id, _, _ = Erase.create()
        try:
            erase = Erase(session_id)
            in_max = backend.MAX_QUERY_PARAMS
            for sub_ids in grouped_slice(ids, in_max):
                sub_ids = list(sub_ids)
                erase.kim_execute_erase(erase.kim_to_erase(sub_ids))
                cls._kim_mark_anonymised(sub_ids)
        finally:
            Erase.delete(session_id)

    @classmethod
    def _kim_dependent_parties(cls, party_ids):
        """Return the ids of the household members of the clients party_ids
        that are known to the integration management only as their
        household members: not clients, organisations or employees
        themselves and not members of other clients"""
        pool = Pool()
        Household = pool.get('kim.client.household')
        CaseMember = pool.get('kim.case-party.party.household')
        Case = pool.get('kim.case')
        Employee = pool.get('company.employee')
        Company = pool.get('company.company')
        party = cls.__table__()
        household = Household.__table__()
        case_member = CaseMember.__table__()
        case = Case.__table__()
        employee = Employee.__table__()
        company = Company.__table__()
        cursor = Transaction().connection.cursor()
        ids = set(party_ids)
        members = set()
        in_max = backend.MAX_QUERY_PARAMS
        for sub_ids in grouped_slice(party_ids, in_max):
            sub_ids = list(sub_ids)
            cursor.execute(*household.select(household.member,
                    where=reduce_ids(household.client, sub_ids)))
            members.update(i for i, in cursor)
            cursor.execute(*case_member.join(case,
                    condition=case_member.case == case.id
                    ).select(case_member.party,
                    where=reduce_ids(case.client, sub_ids)))
            members.update(i for i, in cursor)
        members -= ids
        if not members:
            return []
        result = []
        in_max = backend.MAX_QUERY_PARAMS
        for sub_ids in grouped_slice(members, in_max):
            sub_ids = list(sub_ids)
            other_household = household.select(household.member,
                where=reduce_ids(household.member, sub_ids)
                & ~reduce_ids(household.client, list(ids)))
            other_case = case_member.join(case,
                condition=case_member.case == case.id
                ).select(case_member.party,
                where=reduce_ids(case_member.party, sub_ids)
                & ~reduce_ids(case.client, list(ids)))
            where = (reduce_ids(party.id, sub_ids)
                & (Coalesce(party.kim_client, Literal(False))
                    == Literal(False))
                & ~party.id.in_(employee.select(employee.party))
                & ~party.id.in_(company.select(company.party))
                & ~party.id.in_(other_household)
                & ~party.id.in_(other_case))
            if 'kim_organisation_type' in cls._fields:
                where &= party.kim_organisation_type == Null
            cursor.execute(*party.select(party.id, where=where))
            result.extend(i for i, in cursor)
        return sorted(result)

    @classmethod
    def _kim_mark_anonymised(cls, party_ids, date=None):
        pool = Pool()
        Case = pool.get('kim.case')
        party = cls.__table__()
        case = Case.__table__()
        cursor = Transaction().connection.cursor()
        if date is None:
            date = today()
        in_max = backend.MAX_QUERY_PARAMS
        for sub_ids in grouped_slice(party_ids, in_max):
            sub_ids = list(sub_ids)
            cursor.execute(*party.update(
                    [party.kim_anonymised_date], [date],
                    where=reduce_ids(party.id, sub_ids)
                    & (party.kim_anonymised_date == Null)))
            cursor.execute(*case.update(
                    [case.anonymised_date], [date],
                    where=reduce_ids(case.client, sub_ids)
                    & (case.anonymised_date == Null)))
        logger.info("anonymised clients %s", list(party_ids))

    # --- data-subject report (Art. 15) -------------------------------

    def kim_subject_access(self, companies=None, request=None):
        """Return everything the organisation holds about the client as a
        nested structure of plain values (JSON serialisable), the single
        source of the JSON and the PDF report.

        The organisation is companies (ids): the records of a case (and
        the cases) of other companies are left out. None (internal calls)
        shows everything. request is the text of who asked and why."""
        with without_check_access():
            return _SubjectAccess(self, companies=companies,
                request=request).build()

    @classmethod
    def kim_subject_access_check(cls):
        """Raise a SubjectAccessError unless the user of the transaction may
        produce the data-subject report (Fachaufsicht or Datenschutz)"""
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        if not Transaction().user:
            return
        groups = set(User.get_groups())
        allowed = {ModelData.get_id('kim_case', g) for g in [
                'group_case_supervisor', 'group_data_protection']}
        if not groups & allowed:
            raise SubjectAccessError(gettext(
                    'kim_case.msg_subject_access_not_allowed'))


class _SubjectAccess:
    "Collect the data of a client by walking the fields of the models"

    def __init__(self, party, companies=None, request=None):
        self.party = party
        self.pool = Pool()
        self.seen = set()
        self._fields = {}
        self._models = {}
        self.companies = set(companies) if companies is not None else None
        self.request = request
        self._case_paths = {}

    def case_path(self, Model):
        "The path from Model to its case ('' for the case) or None"
        if Model.__name__ not in self._case_paths:
            path = None
            if Model.__name__ == 'kim.case':
                path = ''
            elif issubclass(Model, ModelSQL):
                names, model2field = _get_access_models(Model)
                if 'kim.case' in names:
                    path = model2field['kim.case'][0]
            self._case_paths[Model.__name__] = path
        return self._case_paths[Model.__name__]

    def held(self, record):
        """Whether the organisation holds record: not the records of a case
        of another company"""
        if self.companies is None or record is None:
            return True
        path = self.case_path(record.__class__)
        if path is None:
            return True
        case = record
        for name in filter(None, path.split('.')):
            case = getattr(case, name, None)
            if case is None:
                return True
        return bool(case.company and case.company.id in self.companies)

    def fields_get(self, Model):
        if Model.__name__ not in self._fields:
            self._fields[Model.__name__] = Model.fields_get()
            self._models[Model.__name__] = Model.__names__()['model']
        return self._fields[Model.__name__]

    def selection(self, Model, name):
        "Return the selection list of the field name of Model"
        selection = self.fields_get(Model)[name].get('selection')
        if isinstance(selection, str):
            try:
                selection = getattr(Model, selection)()
            except TypeError:
                # the selection depends on the record
                return []
        return selection or []

    def build(self):
        pool = self.pool
        Party = pool.get('party.party')
        company = Transaction().context.get('company')
        result = {
            'title': gettext('kim_case.msg_subject_access_title'),
            'generated': dt.datetime.now().replace(microsecond=0).isoformat(),
            'company': (
                pool.get('company.company')(company).rec_name
                if company else None),
            'request': self.request,
            'subject': self.record(self.party, ancestors=()),
            'other': [],
            }
        for Model, path, _, _ in Party._kim_privacy_rules():
            if Model.__name__ == 'party.party':
                continue
            records = Model.search([(path, '=', self.party.id)],
                order=[('id', 'ASC')])
            records = [r for r in records
                if (Model.__name__, r.id) not in self.seen
                and self.held(r)]
            if records:
                self.fields_get(Model)
                result['other'].append({
                        'name': Model.__name__,
                        'string': self._models[Model.__name__],
                        'records': [self.record(r, ancestors=(Model.__name__,))
                            for r in records],
                        })
        result['other'].extend(self.access_log())
        return result

    def access_log(self):
        "Return the section of the access log entries of the records shown"
        AccessLog = self.pool.get('kim.access_log')
        by_model = {}
        for model, id_ in self.seen:
            by_model.setdefault(model, []).append(id_)
        logged = {m for m, _ in self.selection(AccessLog, 'model')}
        domain = ['OR'] + [
            [('model', '=', model), ('record', 'in', ids)]
            for model, ids in sorted(by_model.items()) if model in logged]
        if len(domain) == 1:
            return []
        entries = AccessLog.search(domain, order=[('id', 'ASC')])
        if not entries:
            return []
        self.fields_get(AccessLog)
        return [{
                'name': AccessLog.__name__,
                'string': self._models[AccessLog.__name__],
                'records': [self.record(e, ancestors=(AccessLog.__name__,))
                    for e in entries],
                }]

    def value(self, record, name, field, definition):
        value = getattr(record, name, None)
        if value is None:
            return None
        if isinstance(field, fields.Boolean):
            return bool(value)
        if isinstance(field, (fields.Many2Many, fields.One2Many)):
            return [v.rec_name for v in value if self.held(v)]
        if isinstance(field, (fields.Many2One, fields.Reference)):
            if isinstance(value, str):
                return value
            if not self.held(value):
                return None
            return value.rec_name
        if isinstance(field, fields.Selection) or (
                definition.get('type') in {'selection', 'multiselection'}):
            selection = self.selection(record.__class__, name)
            if selection:
                labels = dict(selection)
                if isinstance(value, (list, tuple)):
                    return [labels.get(v, v) for v in value]
                return labels.get(value, value)
            return value
        if isinstance(field, fields.Binary):
            return gettext('kim_case.msg_subject_access_binary',
                size=len(value))
        if isinstance(value, (dt.datetime, dt.date, dt.time)):
            return value.isoformat()
        if isinstance(value, dt.timedelta):
            return value.total_seconds()
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, dict):
            return {k: str(v) for k, v in value.items()}
        return value

    def record(self, record, ancestors, parent_field=None):
        Model = record.__class__
        definitions = self.fields_get(Model)
        result = {
            'model': Model.__name__,
            'model_string': self._models[Model.__name__],
            'id': record.id,
            'rec_name': record.rec_name,
            'fields': [],
            'relations': [],
            'attachments': [],
            'notes': [],
            }
        if (Model.__name__, record.id) in self.seen:
            # reached by another relation: shown once
            result['shown_elsewhere'] = True
            return result
        self.seen.add((Model.__name__, record.id))
        for name, field in Model._fields.items():
            if (name in TECHNICAL_FIELDS or name == parent_field
                    or name not in definitions):
                continue
            if (isinstance(field, fields.Function)
                    and not isinstance(field, fields.MultiValue)):
                continue
            definition = definitions[name]
            if (isinstance(field, fields.One2Many)
                    and field.model_name not in ancestors
                    and field.model_name != Model.__name__):
                Target = self.pool.get(field.model_name)
                children = [c for c in getattr(record, name) or []
                    if self.held(c)]
                result['relations'].append({
                        'name': name,
                        'string': definition['string'],
                        'records': [
                            self.record(c, ancestors + (Model.__name__,),
                                parent_field=field.field)
                            for c in children],
                        })
                self.fields_get(Target)
                continue
            result['fields'].append({
                    'name': name,
                    'string': definition['string'],
                    'value': self.value(record, name, field, definition),
                    })
        self.resources(record, result)
        return result

    def resources(self, record, result):
        pool = self.pool
        Attachment = pool.get('ir.attachment')
        Note = pool.get('ir.note')
        resource = str(record)
        for attachment in Attachment.search(
                [('resource', '=', resource)], order=[('id', 'ASC')]):
            result['attachments'].append(attachment.name)
        for note in Note.search(
                [('resource', '=', resource)], order=[('id', 'ASC')]):
            result['notes'].append(note.message)


def _merge_domains(domains):
    """Merge the domains of single clauses on the same path, e.g.
    [('party', '=', 1)] and [('party', 'in', [2, 3])], into one clause
    [('party', 'in', [1, 2, 3])]; OR the others."""
    if len(domains) == 1:
        return domains[0]
    path, ids = None, []
    for domain in domains:
        if (not isinstance(domain, list) or len(domain) != 1
                or not isinstance(domain[0], tuple)
                or len(domain[0]) != 3
                or domain[0][1] not in {'=', 'in'}
                or (path is not None and domain[0][0] != path)):
            return ['OR'] + domains
        path, operator, value = domain[0]
        if operator == '=':
            if not isinstance(value, int):
                return ['OR'] + domains
            ids.append(value)
        else:
            ids.extend(value)
    return [(path, 'in', sorted(set(ids)))]


class Erase(metaclass=PoolMeta):
    "Erase (anonymise) the rest of a client's data with the KIM rules"
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        pool = Pool()
        Party = pool.get('party.party')
        to_erase = super().to_erase(party_id)
        # the columns the other extensions overwrite keep their values
        covered = {(Model.__name__, column)
            for Model, _, _, columns, _ in to_erase for column in columns}
        for Model, domain, resource, columns, values in Party._kim_to_erase(
                [party_id]):
            pairs = [(c, v) for c, v in zip(columns, values)
                if (Model.__name__, c) not in covered]
            to_erase.append((Model, domain, resource,
                    [c for c, _ in pairs], [v for _, v in pairs]))
        return to_erase

    def transition_erase(self):
        pool = Pool()
        Party = pool.get('party.party')
        party = self.ask.party
        state = super().transition_erase()
        Party._kim_mark_anonymised([party.id])
        members = Party._kim_dependent_parties([party.id])
        if members:
            Party.kim_anonymise(Party.browse(members))
        return state

    def kim_to_erase(self, party_ids):
        """Return the to_erase tuples of all parties merged per model and
        columns, so each is run once for the whole batch"""
        groups = {}
        for party_id in party_ids:
            for Model, domain, resource, columns, values in self.to_erase(
                    party_id):
                key = (Model.__name__, bool(resource), tuple(columns),
                    tuple(values))
                if key not in groups:
                    groups[key] = (Model, [], resource, columns, values)
                groups[key][1].append(domain)
        result = []
        for Model, domains, resource, columns, values in groups.values():
            result.append(
                (Model, _merge_domains(domains), resource, columns, values))
        return result

    def kim_execute_erase(self, to_erase):
        """Run to_erase tuples as party.erase does: deactivate, overwrite
        the columns in the table and its history, delete the resources"""
        from trytond.model.modelsql import convert_from
        cursor = Transaction().connection.cursor()
        resources = self.get_resources()
        for Model, domain, resource, columns, values in to_erase:
            assert issubclass(Model, ModelSQL)
            assert len(columns) == len(values)
            if 'active' in Model._fields:
                records = Model.search(domain)
                if records:
                    Model.write(records, {'active': False})
            tables, where = Model.search_domain(domain, active_test=False)
            from_ = convert_from(None, tables, type_='INNER')
            table, _ = tables[None]
            query = from_.select(table.id, where=where)
            if columns:
                model_tables = [Model.__table__()]
                if Model._history:
                    model_tables.append(Model.__table_history__())
                for table in model_tables:
                    sql_columns, sql_values = [], []
                    for column, value in zip(columns, values):
                        column = Column(table, column)
                        sql_columns.append(column)
                        sql_values.append(
                            value(column) if callable(value) else value)
                    cursor.execute(*table.update(
                            sql_columns, sql_values,
                            where=table.id.in_(query)))
            if resource:
                for Resource in resources:
                    model_tables = [(Resource.__table__(), Resource.resource)]
                    if Resource._history:
                        model_tables.append(
                            (Resource.__table_history__(), Resource.resource))
                    for table, resource_field in model_tables:
                        cursor.execute(*table.delete(
                                where=table.resource.like(
                                    Model.__name__ + ',%')
                                & resource_field.sql_id(
                                    table.resource, Model).in_(query)))
        Transaction().counter += 1
        Pool().get('kim.case.due').clear_items_cache()


def display_value(value):
    "Return the text shown in the PDF for a value of the structure"
    if value is None:
        return ''
    if value is True:
        return '\u2713'
    if value is False:
        return '\u2013'
    if isinstance(value, (list, tuple)):
        return '; '.join(str(v) for v in value)
    if isinstance(value, dict):
        return '; '.join('%s: %s' % i for i in value.items())
    return str(value)


class SubjectAccessMixin:
    """The data-subject report: only for the Fachaufsicht and Datenschutz,
    with the reason of the request (data 'reason', given by the wizard), of
    what the user's organisation holds, logged as an export of every record
    it shows"""
    __slots__ = ()

    @classmethod
    def execute(cls, ids, data):
        pool = Pool()
        Party = pool.get('party.party')
        Party.kim_subject_access_check()
        if Transaction().user and not (data.get('reason') or '').strip():
            raise SubjectAccessError(gettext(
                    'kim_case.msg_subject_access_no_reason'))
        return super().execute(ids, data)

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        User = pool.get('res.user')
        context = super().get_context(records, header, data)
        transaction = Transaction()
        companies = request = None
        if transaction.user:
            companies = rule_context()['companies']
            user = User(transaction.user)
            request = gettext('kim_case.msg_subject_access_request',
                user=user.rec_name, reason=data.get('reason', ''))
        reports = []
        for record in records:
            report = _SubjectAccess(pool.get('party.party')(record.id),
                companies=companies, request=request)
            with without_check_access():
                reports.append(report.build())
            if transaction.user:
                cls._log_subject_access(report, data.get('reason'))
        context['subject_access'] = reports
        context['display_value'] = display_value
        return context

    @classmethod
    def _log_subject_access(cls, report, reason):
        "Log every record of the report as exported, with the reason"
        pool = Pool()
        AccessLog = pool.get('kim.access_log')
        by_model = {}
        for model, id_ in report.seen:
            by_model.setdefault(model, []).append(id_)
        AccessLog.log_records(by_model, 'export', detail=reason)


class SubjectAccessStart(ModelView):
    __string__ = "Data-Subject Access Report"
    __name__ = 'kim.client.subject_access.start'
    client = fields.Many2One('party.party', "Client", readonly=True)
    reason = fields.Text("Reason", required=True,
        help="Who asked for the information and when, e.g. "
        "\"Request of the client of 3 March, by letter\".")


class SubjectAccessWizard(Wizard):
    __string__ = "Data-Subject Access Report (Art. 15)"
    __name__ = 'kim.client.subject_access.wizard'
    start = StateView('kim.client.subject_access.start',
        'kim_case.subject_access_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("JSON", 'json', 'tryton-save'),
            Button("PDF", 'pdf', 'tryton-print', default=True),
            ])
    pdf = StateReport('kim.client.subject_access')
    json = StateReport('kim.client.subject_access.json')

    def default_start(self, fields):
        pool = Pool()
        Party = pool.get('party.party')
        Party.kim_subject_access_check()
        return {'client': self.record.id if self.record else None}

    def _data(self):
        return {
            'id': self.record.id,
            'ids': [self.record.id],
            'model': 'party.party',
            'reason': self.start.reason,
            }

    def do_pdf(self, action):
        return action, self._data()

    def do_json(self, action):
        return action, self._data()


class SubjectAccessReport(PageStyleMixin, SubjectAccessMixin, Report):
    __string__ = "Data-Subject Access Report (PDF)"
    __name__ = 'kim.client.subject_access'


class SubjectAccessJSON(SubjectAccessMixin, Report):
    __string__ = "Data-Subject Access Report (JSON)"
    __name__ = 'kim.client.subject_access.json'

    @classmethod
    def _execute(cls, records, header, data, action):
        with Transaction().set_context(Transaction().context):
            report_context = cls.get_context(records, header, data)
        content = report_context['subject_access']
        if len(content) == 1:
            content, = content
        return 'json', json.dumps(content, ensure_ascii=False, indent=2)
