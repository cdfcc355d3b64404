# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"Clients of the integration management: persons on party.party."
import datetime

from sql import Literal, Null

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.modules.kim_network.common import PeriodMixin, relation, today
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from .exceptions import ClientValidationError, EraseError

CLIENT_STATES = {
    'invisible': ~Eval('kim_client'),
    }
# What a client entered as a KIM client (the client form and the client
# fields of cases and consents give the context kim_client) must have; the
# server refuses the record without it (ModelStorage validates the states).
CLIENT_REQUIRED = Eval('kim_client', False) & Eval(
    'context', {}).get('kim_client', False)
CLIENT_REQUIRED_STATES = {
    'invisible': ~Eval('kim_client'),
    'required': CLIENT_REQUIRED,
    }

LANGUAGE_LEVELS = [
    (None, ""),
    ('a1', "A1"),
    ('a2', "A2"),
    ('b1', "B1"),
    ('b2', "B2"),
    ('c1', "C1"),
    ('c2', "C2"),
    ('native', "Native Language"),
    ]

OPEN_CASE_STATES = ['intake', 'assessment', 'planning', 'implementation',
    'closing']


def form_action(module, fs_id, records):
    """The values of the window action module.fs_id that opens records in
    its form view (a button returns them for the client to open)"""
    pool = Pool()
    Action = pool.get('ir.action')
    ModelData = pool.get('ir.model.data')
    action = Action(Action.get_action_id(ModelData.get_id(module, fs_id)))
    value = action.get_action_value()
    value['res_id'] = [r.id for r in records]
    value['views'] = sorted(value['views'], key=lambda v: v[1] != 'form')
    return value


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'
    # the client data changes over the years: keep every revision
    _history = True

    kim_client = fields.Boolean("KIM Client",
        help="The person is (or was) a client of the integration "
        "management.")
    kim_personal = fields.Boolean("KIM Personal Data", readonly=True,
        help="Set once the person is a client or a member of a client's "
        "household: the access rules of the cases protect their data.")
    kim_birth_date = fields.Date("Date of Birth",
        states=CLIENT_REQUIRED_STATES)
    kim_gender = fields.Selection([
            (None, ""),
            ('female', "Female"),
            ('male', "Male"),
            ('diverse', "Diverse"),
            ('not_stated', "Not Stated"),
            ], "Gender", states=CLIENT_REQUIRED_STATES)
    kim_nationalities = fields.Many2Many(
        'party.party-country.country.kim_nationality', 'party', 'country',
        "Nationalities", states=CLIENT_STATES,
        help="Leave empty for stateless persons or unknown nationality.")
    kim_stateless = fields.Boolean("Stateless", states=CLIENT_STATES)
    kim_client_languages = fields.One2Many('kim.client.language', 'client',
        "Languages", states=CLIENT_STATES)
    kim_language_mediation = fields.Boolean("Needs Sprachmittlung",
        states=CLIENT_STATES,
        help="Conversations need a language mediator or interpreter.")
    kim_mediation_language = fields.Many2One('kim.language',
        "Sprachmittlung Language", ondelete='RESTRICT',
        states={
            'invisible': ~Eval('kim_client') | ~Eval('kim_language_mediation'),
            'required': Bool(Eval('kim_language_mediation')),
            })
    kim_arrival_germany = fields.Date("Arrival in Germany",
        states=CLIENT_STATES)
    kim_arrival_kommune = fields.Date("Arrival in the Kommune",
        states=CLIENT_STATES)
    kim_uma = fields.Boolean("Unaccompanied Minor (UMA)",
        states=CLIENT_STATES,
        help="The client came to Germany as an unaccompanied minor "
        "(unbegleitete*r minderjährige*r Ausländer*in); the Wiedervorlage "
        "reminds of the 18th birthday, when the Jugendhilfe ends.")
    kim_residence_kommune = fields.Many2One('kim.kommune',
        "Kommune of Residence", ondelete='RESTRICT',
        states=CLIENT_REQUIRED_STATES)
    kim_accommodation = fields.Selection([
            (None, ""),
            ('reception', "Reception Centre (Landeseinrichtung)"),
            ('shared', "Shared Accommodation (Gemeinschaftsunterkunft)"),
            ('municipal_flat', "Municipal Flat"),
            ('own_flat', "Own Rented or Owned Flat"),
            ('family_friends', "With Family or Friends"),
            ('supported', "Supported Living"),
            ('homeless', "Homeless"),
            ('other', "Other"),
            ], "Accommodation", states=CLIENT_STATES)
    kim_household = fields.One2Many('kim.client.household', 'client',
        "Household and Family", states=CLIENT_STATES)
    # the reverse links of a household member: they make the member's
    # personal data follow the access rules of the client's cases
    kim_household_of = fields.One2Many('kim.client.household', 'member',
        "Household Member of", readonly=True)
    kim_household_cases = fields.Many2Many('kim.case-party.party.household',
        'party', 'case', "Household Member in Cases", readonly=True)
    kim_residence_statuses = fields.One2Many('kim.client.residence_status',
        'client', "Residence Status History", states=CLIENT_STATES)
    kim_client_rechtskreise = fields.One2Many('kim.client.rechtskreis',
        'client', "Rechtskreis History", states=CLIENT_STATES)
    # the current residence status and nationality, editable in place: the
    # setters write the history records
    kim_residence_status = fields.Function(fields.Many2One(
            'kim.residence_status_type', "Current Residence Status",
            states=CLIENT_STATES,
            help="Changing it ends the current status yesterday and starts "
            "the new one today (a status entered today is corrected)."),
        'get_kim_current', setter='set_kim_residence_status',
        searcher='search_kim_residence_status')
    kim_document_expiry = fields.Function(fields.Date(
            "Residence Document Valid Until",
            states={
                'invisible': ~Eval('kim_client'),
                'readonly': ~Eval('kim_residence_status'),
                },
            help="The expiry of the current residence document."),
        'get_kim_current', setter='set_kim_document_expiry')
    kim_nationality = fields.Function(fields.Many2One(
            'country.country', "Nationality", states=CLIENT_STATES,
            help="The nationality entered last; further nationalities "
            "under Nationalities."),
        'get_kim_nationality', setter='set_kim_nationality')
    kim_rechtskreis = fields.Function(fields.Many2One(
            'kim.rechtskreis', "Current Rechtskreis", states=CLIENT_STATES),
        'get_kim_current', searcher='search_kim_rechtskreis')
    kim_cases = fields.One2Many('kim.case', 'client', "Cases",
        states=CLIENT_STATES, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.kim_client, Index.Equality()),
                where=t.kim_client == Literal(True)))
        cls.name.states = cls.name.states.copy()
        required = cls.name.states.get('required')
        cls.name.states['required'] = (
            (required | CLIENT_REQUIRED) if required is not None
            else CLIENT_REQUIRED)
        cls.name.depends = set(cls.name.depends) | {'kim_client'}
        cls._buttons.update({
                'kim_open_case': {
                    'invisible': ~Eval('kim_client'),
                    'icon': 'tryton-forward',
                    'depends': ['kim_client'],
                    },
                })

    @classmethod
    def __register__(cls, module):
        pool = Pool()
        super().__register__(module)
        # the parties that were personal data before kim_personal existed
        tables = [pool.get(m)._table for m in [
                'kim.client.household', 'kim.case-party.party.household']]
        if all(backend.TableHandler.table_exist(t) for t in tables):
            cls.kim_mark_personal(None)

    @classmethod
    def default_kim_client(cls):
        return bool(Transaction().context.get('kim_client'))

    @classmethod
    def default_kim_personal(cls):
        return cls.default_kim_client()

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('kim_client'):
            values['kim_personal'] = True
        elif mode == 'write' and not values.get('kim_personal', True):
            # once personal data, always: nobody unprotects a person
            del values['kim_personal']
        return values

    @classmethod
    @ModelView.button
    def kim_open_case(cls, parties):
        """Open a case in intake for each client (the Kommune of residence
        taken over) and show it"""
        pool = Pool()
        Case = pool.get('kim.case')
        cases = []
        for party in parties:
            case = Case(client=party)
            case.on_change_client()
            cases.append(case)
        Case.save(cases)
        return form_action('kim_case', 'act_case_form', cases)

    @classmethod
    def kim_mark_personal(cls, party_ids):
        """Set kim_personal on the parties party_ids (all parties if None)
        that are clients or household members; it stays set"""
        pool = Pool()
        Household = pool.get('kim.client.household')
        CaseMember = pool.get('kim.case-party.party.household')
        party = cls.__table__()
        household = Household.__table__()
        case_member = CaseMember.__table__()
        cursor = Transaction().connection.cursor()
        personal = ((party.kim_client == Literal(True))
            | party.id.in_(household.select(household.member))
            | party.id.in_(household.select(household.client))
            | party.id.in_(case_member.select(case_member.party)))
        not_set = (party.kim_personal == Null) | (
            party.kim_personal == Literal(False))
        if party_ids is None:
            cursor.execute(*party.update([party.kim_personal],
                    [personal], where=not_set))
            return
        in_max = backend.MAX_QUERY_PARAMS
        for sub_ids in grouped_slice(party_ids, in_max):
            cursor.execute(*party.update([party.kim_personal],
                    [Literal(True)],
                    where=reduce_ids(party.id, list(sub_ids)) & not_set))

    @classmethod
    def kim_current(cls, party_ids, date):
        """Return {party id: {'status': residence status type id,
        'document_expiry': earliest expiry, 'rechtskreis': rechtskreis id}}
        valid on date, read in SQL for all parties at once; the latest
        period (by its start) wins"""
        pool = Pool()
        Status = pool.get('kim.client.residence_status')
        Rechtskreis = pool.get('kim.client.rechtskreis')
        cursor = Transaction().connection.cursor()
        result = {i: {'status': None, 'document_expiry': None,
                'rechtskreis': None} for i in party_ids}
        latest = {}
        for Model, target, key in [
                (Status, 'status_type', 'status'),
                (Rechtskreis, 'rechtskreis', 'rechtskreis')]:
            table = Model.__table__()
            columns = [table.client, getattr(table, target),
                table.valid_from, table.id]
            if key == 'status':
                columns.append(table.document_expiry)
            in_max = backend.MAX_QUERY_PARAMS
            for sub_ids in grouped_slice(party_ids, in_max):
                cursor.execute(*table.select(*columns,
                        where=reduce_ids(table.client, list(sub_ids))
                        & ((table.valid_from == Null)
                            | (table.valid_from <= date))
                        & ((table.valid_to == Null)
                            | (table.valid_to >= date))))
                for client, value, valid_from, id_, *expiry in cursor:
                    sort_key = (valid_from or datetime.date.min, id_)
                    if sort_key > latest.get((key, client), (
                                datetime.date.min, -1)):
                        latest[(key, client)] = sort_key
                        result[client][key] = value
                    if expiry and expiry[0]:
                        current = result[client]['document_expiry']
                        if current is None or expiry[0] < current:
                            result[client]['document_expiry'] = expiry[0]
        return result

    @classmethod
    def get_kim_current(cls, parties, name):
        # one field a call: the values depend on the context date, which
        # the record cache of a multiple getter would not tell apart
        date = Transaction().context.get('date') or today()
        current = cls.kim_current([p.id for p in parties], date)
        key = {
            'kim_residence_status': 'status',
            'kim_document_expiry': 'document_expiry',
            'kim_rechtskreis': 'rechtskreis',
            }[name]
        return {i: v[key] for i, v in current.items()}

    @classmethod
    def index_set_field(cls, name):
        index = super().index_set_field(name)
        # the status first: the expiry goes to the status it starts
        if name == 'kim_document_expiry':
            index += 1
        return index

    def kim_current_residence(self, date=None):
        "The residence status record valid on date (today), the latest"
        pool = Pool()
        Status = pool.get('kim.client.residence_status')
        date = date or today()
        statuses = Status.search([
                ('client', '=', self.id),
                ] + Status.valid_on_domain(date),
            order=[('valid_from', 'DESC NULLS LAST'), ('id', 'DESC')],
            limit=1)
        return statuses[0] if statuses else None

    @classmethod
    def set_kim_residence_status(cls, parties, name, value):
        """A new status type ends the current status yesterday and starts
        the new one today; a status that started today is corrected"""
        pool = Pool()
        Status = pool.get('kim.client.residence_status')
        date = today()
        to_save, to_delete = [], []
        for party in parties:
            current = party.kim_current_residence(date)
            if current and current.status_type.id == value:
                continue
            if current and current.valid_from and current.valid_from >= date:
                if value:
                    current.status_type = value
                    to_save.append(current)
                else:
                    to_delete.append(current)
                continue
            if current:
                current.valid_to = date - datetime.timedelta(days=1)
                to_save.append(current)
            if value:
                to_save.append(Status(client=party, status_type=value,
                        valid_from=date))
        Status.save(to_save)
        Status.delete(to_delete)

    @classmethod
    def set_kim_document_expiry(cls, parties, name, value):
        pool = Pool()
        Status = pool.get('kim.client.residence_status')
        to_save = []
        for party in parties:
            current = party.kim_current_residence()
            if not current:
                if value:
                    raise ClientValidationError(gettext(
                            'kim_case.msg_client_expiry_without_status',
                            client=party.rec_name))
                continue
            if current.document_expiry != value:
                current.document_expiry = value
                to_save.append(current)
        Status.save(to_save)

    @classmethod
    def get_kim_nationality(cls, parties, name):
        pool = Pool()
        Nationality = pool.get('party.party-country.country.kim_nationality')
        result = {p.id: None for p in parties}
        for sub_ids in grouped_slice([p.id for p in parties],
                backend.MAX_QUERY_PARAMS):
            for line in Nationality.search([
                        ('party', 'in', list(sub_ids)),
                        ], order=[('id', 'ASC')]):
                result[line.party.id] = line.country.id
        return result

    @classmethod
    def set_kim_nationality(cls, parties, name, value):
        "Replace the nationality shown (the one entered last) by value"
        pool = Pool()
        Nationality = pool.get('party.party-country.country.kim_nationality')
        current = cls.get_kim_nationality(parties, name)
        to_delete, to_create = [], []
        for party in parties:
            old = current[party.id]
            if old == value:
                continue
            countries = {c.id for c in party.kim_nationalities}
            if old:
                to_delete.extend(Nationality.search([
                            ('party', '=', party.id),
                            ('country', '=', old),
                            ]))
            if value:
                if value in countries:
                    # entered before: it becomes the one entered last
                    to_delete.extend(Nationality.search([
                                ('party', '=', party.id),
                                ('country', '=', value),
                                ]))
                to_create.append({'party': party.id, 'country': value})
        Nationality.delete(to_delete)
        Nationality.create(to_create)

    @classmethod
    def _search_kim_current(cls, field, target, clause):
        pool = Pool()
        Model = pool.get(cls._fields[field].model_name)
        date = Transaction().context.get('date') or today()
        name, operator, operand, *extra = clause
        if '.' in name:
            target += '.' + name.split('.', 1)[1]
        return [(field, 'where',
                [(target, operator, operand, *extra)]
                + Model.valid_on_domain(date))]

    @classmethod
    def search_kim_residence_status(cls, name, clause):
        return cls._search_kim_current(
            'kim_residence_statuses', 'status_type', clause)

    @classmethod
    def search_kim_rechtskreis(cls, name, clause):
        return cls._search_kim_current(
            'kim_client_rechtskreise', 'rechtskreis', clause)

    @classmethod
    def validate_fields(cls, parties, field_names):
        super().validate_fields(parties, field_names)
        if field_names is None or field_names & {
                'kim_birth_date', 'kim_arrival_germany',
                'kim_arrival_kommune'}:
            for party in parties:
                party.check_kim_dates()

    def check_kim_dates(self):
        date = today()
        for name in ['kim_birth_date', 'kim_arrival_germany',
                'kim_arrival_kommune']:
            value = getattr(self, name, None)
            if value and value > date:
                raise ClientValidationError(gettext(
                        'kim_case.msg_client_date_future',
                        client=self.rec_name, date=value,
                        field=self.__names__(name)['field']))
        if (self.kim_arrival_germany and self.kim_arrival_kommune
                and self.kim_arrival_kommune < self.kim_arrival_germany):
            raise ClientValidationError(gettext(
                    'kim_case.msg_client_arrival_order',
                    client=self.rec_name,
                    kommune=self.kim_arrival_kommune,
                    germany=self.kim_arrival_germany))
        if (self.kim_birth_date and self.kim_arrival_germany
                and self.kim_arrival_germany < self.kim_birth_date):
            raise ClientValidationError(gettext(
                    'kim_case.msg_client_arrival_before_birth',
                    client=self.rec_name))

    @property
    def kim_age(self):
        return self.kim_age_on(today())

    def kim_age_on(self, date):
        "Age in years on date or None if the date of birth is unknown"
        birth = self.kim_birth_date
        if not birth:
            return None
        return date.year - birth.year - (
            (date.month, date.day) < (birth.month, birth.day))

    def kim_open_cases(self):
        return [c for c in self.kim_cases if c.state in OPEN_CASE_STATES]

    @classmethod
    def copy(cls, parties, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('kim_cases', None)
        return super().copy(parties, default=default)


class Employee(metaclass=PoolMeta):
    __name__ = 'company.employee'

    @classmethod
    def get_rec_name(cls, employees, name):
        # the names of the employees' parties in one query (case lists show
        # the case manager of every case)
        pool = Pool()
        Party = pool.get('party.party')
        result = {}
        stored = []
        for employee in employees:
            if (employee.id is None or employee.id < 0
                    or Transaction().context.get('_datetime')):
                result[employee.id] = employee.party.rec_name
            else:
                stored.append(employee.id)
        table = cls.__table__()
        party = Party.__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice(stored, backend.MAX_QUERY_PARAMS):
            cursor.execute(*table.join(party,
                    condition=table.party == party.id
                    ).select(table.id, party.name, party.code,
                    where=reduce_ids(table.id, list(sub_ids))))
            for id_, name_, code in cursor:
                result[id_] = Party._kim_rec_name(name_, code)
        return result


class CaseHouseholdMember(metaclass=PoolMeta):
    __name__ = 'kim.case-party.party.household'

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        if mode in {'create', 'write'}:
            Party = Pool().get('party.party')
            Party.kim_mark_personal({r.party.id for r in records})


PartyNationality = relation('PartyNationality',
    'party.party-country.country.kim_nationality', "Client - Nationality",
    'party', 'party.party', 'country', 'country.country', history=True)


class ClientLanguage(ModelSQL, ModelView):
    __string__ = "Client Language"
    __name__ = 'kim.client.language'
    _history = True
    client = fields.Many2One('party.party', "Client", required=True,
        ondelete='CASCADE')
    language = fields.Many2One('kim.language', "Language", required=True,
        ondelete='RESTRICT')
    level = fields.Selection(LANGUAGE_LEVELS, "Level",
        help="Level of the Common European Framework of Reference, "
        "or native language.")
    literacy = fields.Selection([
            (None, ""),
            ('literate', "Reads and Writes"),
            ('other_script', "Reads and Writes in Another Script Only"),
            ('not_literate', "Does Not Read or Write"),
            ], "Literacy",
        help="Literacy in this language (Alphabetisierung).")
    certificate = fields.Char("Certificate",
        help="e.g. 'DTZ B1, 2025' or 'telc A2'.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('client')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.client, Index.Equality())))


class ClientHousehold(ModelSQL, ModelView):
    __string__ = "Client Household Member"
    __name__ = 'kim.client.household'
    _history = True
    client = fields.Many2One('party.party', "Client", required=True,
        ondelete='CASCADE')
    member = fields.Many2One('party.party', "Member", required=True,
        ondelete='CASCADE',
        domain=[('id', '!=', Eval('client', -1))],
        # a member entered from the client form is no client
        context={'kim_client': False})
    relation = fields.Selection([
            ('spouse', "Spouse or Partner"),
            ('child', "Child"),
            ('parent', "Parent"),
            ('sibling', "Sibling"),
            ('relative', "Other Relative"),
            ('other', "Other"),
            ], "Relation", required=True)
    same_household = fields.Boolean("Lives in the Household",
        help="Unticked for family members living elsewhere, e.g. abroad "
        "(Familiennachzug).")
    family_reunification = fields.Selection([
            (None, ""),
            ('planned', "Planned"),
            ('applied', "Visa Applied"),
            ('done', "Done"),
            ], "Family Reunification",
        states={'invisible': Bool(Eval('same_household'))})
    member_birth_date = fields.Function(fields.Date("Date of Birth"),
        'on_change_with_member_birth_date')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('client')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.client, Index.Equality())),
                Index(t, (t.member, Index.Equality())),
                })

    @classmethod
    def on_modification(cls, mode, lines, field_names=None):
        super().on_modification(mode, lines, field_names=field_names)
        if mode in {'create', 'write'}:
            Party = Pool().get('party.party')
            Party.kim_mark_personal(
                {l.member.id for l in lines} | {l.client.id for l in lines})

    @classmethod
    def default_same_household(cls):
        return True

    @classmethod
    def default_relation(cls):
        return 'child'

    @fields.depends('member')
    def on_change_with_member_birth_date(self, name=None):
        if self.member:
            return self.member.kim_birth_date

    def get_rec_name(self, name):
        return self.member.rec_name

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        for line in lines:
            if line.member == line.client:
                raise ClientValidationError(gettext(
                        'kim_case.msg_household_self',
                        client=line.client.rec_name))


class _ClientPeriod(PeriodMixin):
    __slots__ = ()

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('client')
        cls._order = [
            ('client', 'ASC'),
            ('valid_from', 'DESC NULLS LAST'),
            ('id', 'DESC'),
            ]
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.client, Index.Equality())))


class ClientResidenceStatus(_ClientPeriod, ModelSQL, ModelView):
    __string__ = "Client Residence Status"
    __name__ = 'kim.client.residence_status'
    _history = True
    client = fields.Many2One('party.party', "Client", required=True,
        ondelete='CASCADE')
    status_type = fields.Many2One('kim.residence_status_type', "Status",
        required=True, ondelete='RESTRICT')
    document_expiry = fields.Date("Document Expires On",
        help="The date the residence document (Aufenthaltstitel, Duldung, "
        "Gestattung, Fiktionsbescheinigung) expires; shown in the "
        "Wiedervorlage list before it expires.")
    residence_obligation = fields.Boolean("Wohnsitzauflage",
        help="A residence obligation (§ 12a AufenthG) applies.")
    employment_permitted = fields.Selection([
            (None, ""),
            ('yes', "Yes"),
            ('restricted', "Needs Permission"),
            ('no', "No"),
            ], "Employment Permitted")
    notes = fields.Text("Notes")

    def get_rec_name(self, name):
        return self.status_type.rec_name

    @classmethod
    def validate_fields(cls, statuses, field_names):
        super().validate_fields(statuses, field_names)
        if field_names is None or field_names & {
                'valid_from', 'document_expiry'}:
            for status in statuses:
                if (status.document_expiry and status.valid_from
                        and status.document_expiry < status.valid_from):
                    raise ClientValidationError(gettext(
                            'kim_case.msg_residence_expiry_before_start',
                            client=status.client.rec_name,
                            status=status.rec_name))

    @classmethod
    def on_modification(cls, mode, statuses, field_names=None):
        super().on_modification(mode, statuses, field_names=field_names)
        if mode == 'create':
            pool = Pool()
            Event = pool.get('kim.case.event')
            events = []
            for status in statuses:
                for case in status.client.kim_open_cases():
                    events.append(Event(
                            case=case,
                            date=status.valid_from or today(),
                            type='residence_status_change',
                            description=status.rec_name))
            Event.save(events)


class ClientRechtskreis(_ClientPeriod, ModelSQL, ModelView):
    __string__ = "Client Rechtskreis"
    __name__ = 'kim.client.rechtskreis'
    _history = True
    client = fields.Many2One('party.party', "Client", required=True,
        ondelete='CASCADE')
    rechtskreis = fields.Many2One('kim.rechtskreis', "Rechtskreis",
        required=True, ondelete='RESTRICT',
        help="The benefit domain the client receives benefits from, e.g. "
        "AsylbLG, SGB II.")
    office = fields.Many2One('party.party', "Responsible Office",
        ondelete='SET NULL',
        domain=[('kim_organisation_type', '!=', None)],
        help="e.g. the Jobcenter or Sozialamt in charge.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.valid_from.required = True

    def get_rec_name(self, name):
        return self.rechtskreis.rec_name

    @classmethod
    def _close_previous(cls, records):
        "End the open period a new period of the client follows"
        to_save = []
        for record in records:
            previous = cls.search([
                    ('client', '=', record.client.id),
                    ('id', '!=', record.id),
                    ('valid_from', '<', record.valid_from),
                    ['OR',
                        ('valid_to', '=', None),
                        ('valid_to', '>=', record.valid_from),
                        ],
                    ])
            for period in previous:
                period.valid_to = record.valid_from - datetime.timedelta(
                    days=1)
                to_save.append(period)
        cls.save(to_save)

    def previous_period(self):
        periods = [p for p in self.client.kim_client_rechtskreise
            if p != self and p.valid_from < self.valid_from]
        periods.sort(key=lambda p: p.valid_from)
        return periods[-1] if periods else None

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        if mode == 'create':
            pool = Pool()
            Event = pool.get('kim.case.event')
            events = []
            for record in records:
                cases = record.client.kim_open_cases()
                if not cases:
                    continue
                previous = record.previous_period()
                if previous and previous.rechtskreis == record.rechtskreis:
                    continue
                if previous:
                    description = gettext(
                        'kim_case.msg_event_rechtskreis_change',
                        old=previous.rechtskreis.rec_name,
                        new=record.rechtskreis.rec_name)
                else:
                    description = gettext(
                        'kim_case.msg_event_rechtskreis_new',
                        new=record.rechtskreis.rec_name)
                for case in cases:
                    events.append(Event(
                            case=case, date=record.valid_from,
                            type='rechtskreis_change',
                            description=description))
            Event.save(events)
            cls._close_previous(records)


class Erase(metaclass=PoolMeta):
    "Erase refuses a client with an open case and clears the KIM fields"
    __name__ = 'party.erase'

    def check_erase(self, party):
        super().check_erase(party)
        open_cases = party.kim_open_cases()
        if open_cases:
            raise EraseError(gettext('kim_case.msg_erase_open_case',
                    party=party.rec_name, case=open_cases[0].rec_name))

    def to_erase(self, party_id):
        pool = Pool()
        Language = pool.get('kim.client.language')
        Status = pool.get('kim.client.residence_status')
        Case = pool.get('kim.case')
        Event = pool.get('kim.case.event')
        to_erase = super().to_erase(party_id)
        # The coded client fields (gender, year of birth, ...) stay for the
        # statistics: privacy.py coarsens the personal dates to the year.
        to_erase.extend([
                (Language, [('client', '=', party_id)], True,
                    ['certificate'], [None]),
                (Status, [('client', '=', party_id)], True,
                    ['notes'], [None]),
                (Case, [('client', '=', party_id)], True,
                    ['referring_person', 'indication_reason',
                        'closing_evaluation'],
                    [None] * 3),
                (Event, [('case.client', '=', party_id)], False,
                    ['description'], [None]),
                ])
        return to_erase
