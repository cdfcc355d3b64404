# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Possible duplicate clients: keys of the name (phonetic.py) stored on the
client, a warning when a client is entered or changed, a check on demand
and the merge by the Fachaufsicht (party.replace of the party module).

What a user learns about a possible duplicate follows the record rules:
the name and date of birth of the clients the user may read; of any other
client only that a possible duplicate exists outside the user's cases,
without name, id or organisation, and to ask the Fachaufsicht."""
import datetime as dt
import hashlib

from sql import Literal, Null
from sql.operators import Equal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateView, Wizard

from .access import check_read, readable_ids, rule_context
from .exceptions import DuplicateWarning, MergeError
from .gate import is_supervisor
from .phonetic import name_key, phonetic_key

# the fields whose change asks for a duplicate check
CHECKED_FIELDS = {'name', 'kim_birth_date', 'kim_client'}


def duplicate_match(one, other):
    """Whether the keys one and other, each (phonetic key, name key, date of
    birth), are a possible duplicate: dates of birth that differ exclude;
    an equal phonetic or name key is enough; with the same date of birth
    two shared words (one if a name has only one word) are enough"""
    phonetic, name, birth = one
    other_phonetic, other_name, other_birth = other
    if birth and other_birth and birth != other_birth:
        return False
    if (phonetic and phonetic == other_phonetic) or (
            name and name == other_name):
        return True
    if birth and birth == other_birth:
        for key, other_key in [(phonetic, other_phonetic),
                (name, other_name)]:
            words, other_words = (key or '').split(), (other_key or '').split()
            needed = min(2, len(words), len(other_words))
            if needed and len(set(words) & set(other_words)) >= needed:
                return True
    return False


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    kim_phonetic_key = fields.Char("Phonetic Key", readonly=True,
        help="The Kölner Phonetik of the words of the name, for finding "
        "possible duplicates.")
    kim_name_key = fields.Char("Name Key", readonly=True,
        help="The normalised transliteration of the words of the name, for "
        "finding possible duplicates.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        client = t.kim_client == Literal(True)
        cls._sql_indexes.update({
                Index(t, (t.kim_phonetic_key, Index.Equality()),
                    where=client),
                Index(t, (t.kim_name_key, Index.Equality()), where=client),
                Index(t, (t.kim_birth_date, Index.Equality()),
                    where=client),
                })
        cls._buttons.update({
                'kim_check_duplicates': {
                    'invisible': ~Eval('kim_client'),
                    'depends': ['kim_client'],
                    },
                })

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        # the keys of the clients recorded before the keys existed
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.id, table.name,
                where=(table.kim_client == Literal(True))
                & (table.kim_phonetic_key == Null)
                & (table.name != Null)))
        for id_, name in cursor.fetchall():
            cursor.execute(*table.update(
                    [table.kim_phonetic_key, table.kim_name_key],
                    [phonetic_key(name), name_key(name)],
                    where=table.id == id_))

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if 'name' in values:
            values['kim_phonetic_key'] = phonetic_key(values['name'] or '')
            values['kim_name_key'] = name_key(values['name'] or '')
        return values

    @property
    def kim_duplicate_keys(self):
        return (self.kim_phonetic_key, self.kim_name_key, self.kim_birth_date)

    @classmethod
    def kim_duplicates(cls, items):
        """Return {id: [ids of possible duplicates]} among the active
        clients for items, a list of (id, keys) with keys as
        kim_duplicate_keys; without access check (see kim_duplicate_report
        for what a user may learn)"""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        own_ids = [i for i, _ in items if i is not None] or [-1]
        for id_, keys in items:
            phonetic, name, birth = keys
            if not (phonetic or name or birth):
                continue
            condition = Literal(False)
            if phonetic:
                condition |= table.kim_phonetic_key == phonetic
            if name:
                condition |= table.kim_name_key == name
            if birth:
                condition |= Equal(table.kim_birth_date, birth)
            cursor.execute(*table.select(table.id, table.kim_phonetic_key,
                    table.kim_name_key, table.kim_birth_date,
                    where=condition
                    & (table.kim_client == Literal(True))
                    & (table.active == Literal(True))
                    & ~table.id.in_(own_ids)))
            found = []
            for other_id, *other in cursor:
                if isinstance(other[2], str):  # SQLite
                    other[2] = dt.date.fromisoformat(other[2][:10])
                if duplicate_match(keys, tuple(other)):
                    found.append(other_id)
            result[id_] = sorted(found)
        return result

    @classmethod
    def kim_duplicate_report(cls, items):
        """Return {id: (readable duplicates, whether others exist)} for
        items as kim_duplicates: the possible duplicates the user of the
        transaction may read and whether there are possible duplicates the
        user may not read"""
        duplicates = cls.kim_duplicates(items)
        all_ids = {i for ids in duplicates.values() for i in ids}
        readable = readable_ids(cls, all_ids)
        result = {}
        for id_, ids in duplicates.items():
            result[id_] = (
                cls.browse([i for i in ids if i in readable]),
                any(i not in readable for i in ids))
        return result

    @classmethod
    def kim_duplicate_message(cls, client_name, readable, others):
        "The text telling the user of the possible duplicates of a client"
        lines = []
        if readable:
            lines.append(gettext('kim_case.msg_client_duplicate',
                    client=client_name,
                    duplicates=', '.join(
                        _describe(d) for d in readable)))
        if others:
            lines.append(gettext('kim_case.msg_client_duplicate_elsewhere',
                    client=client_name))
        return '\n'.join(lines)

    @classmethod
    def check_modification(cls, mode, parties, values=None, external=False):
        super().check_modification(
            mode, parties, values=values, external=external)
        # entered through the interface: warn of possible duplicates
        if not external:
            return
        items = []
        if mode == 'create':
            items = [(p.id, p.kim_client, p.kim_duplicate_keys, p.name)
                for p in parties]
        elif mode == 'write' and values and set(values) & CHECKED_FIELDS:
            for party in parties:
                name = values.get('name', party.name) or ''
                items.append((party.id,
                        values.get('kim_client', party.kim_client),
                        (phonetic_key(name), name_key(name),
                            values.get('kim_birth_date',
                                party.kim_birth_date)),
                        name))
        items = [i for i in items if i[1]]
        if items:
            cls.kim_warn_duplicates(items)

    @classmethod
    def kim_warn_duplicates(cls, items):
        """Raise a DuplicateWarning (skippable) if a client of items, a list
        of (id, client, keys, name), has possible duplicates"""
        pool = Pool()
        Warning = pool.get('res.user.warning')
        if not Transaction().user:
            return
        report = cls.kim_duplicate_report([(i, k) for i, _, k, _ in items])
        for id_, _, keys, name in items:
            readable, others = report.get(id_, ([], False))
            if not (readable or others):
                continue
            # stable over the retry of a create (the new record gets a new
            # id): the keys and the duplicates found
            digest = hashlib.sha256(repr((keys,
                        sorted(map(int, readable)), others)).encode()
                ).hexdigest()[:32]
            key = 'kim_client_duplicate.%s' % digest
            if Warning.check(key):
                raise DuplicateWarning(key,
                    cls.kim_duplicate_message(name, readable, others))

    @classmethod
    @ModelView.button_action('kim_case.wizard_client_duplicates')
    def kim_check_duplicates(cls, parties):
        pass


def _describe(party):
    if party.kim_birth_date:
        return '"%s" (%s)' % (party.rec_name,
            party.kim_birth_date.strftime('%d.%m.%Y'))
    return '"%s"' % party.rec_name


class DuplicateCheckResult(ModelView):
    __string__ = "Possible Duplicates"
    __name__ = 'kim.client.duplicate.result'
    client = fields.Many2One('party.party', "Client", readonly=True)
    duplicates = fields.Many2Many('party.party', None, None,
        "Possible Duplicates", readonly=True,
        help="The clients you may read whose name sounds or is spelt alike "
        "and whose date of birth does not differ.")
    elsewhere = fields.Boolean("Possible Duplicate Elsewhere", readonly=True,
        help="A possible duplicate exists outside your cases (another team "
        "or organisation); the Fachaufsicht clarifies it.")
    message = fields.Text("Result", readonly=True)


class DuplicateCheck(Wizard):
    __string__ = "Check for Duplicates"
    __name__ = 'kim.client.duplicate'
    start = StateView('kim.client.duplicate.result',
        'kim_case.client_duplicate_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_start(self, fields):
        pool = Pool()
        Party = pool.get('party.party')
        party = self.record
        check_read(Party, [party.id])
        with without_check_access():
            party = Party(party.id)
            readable, others = Party.kim_duplicate_report(
                [(party.id, party.kim_duplicate_keys)]).get(
                party.id, ([], False))
        if readable or others:
            message = Party.kim_duplicate_message(
                party.rec_name, readable, others)
        else:
            message = gettext('kim_case.msg_client_no_duplicate',
                client=party.rec_name)
        return {
            'client': party.id,
            'duplicates': [d.id for d in readable],
            'elsewhere': others,
            'message': message,
            }


class Replace(metaclass=PoolMeta):
    "Merge a duplicate client into the client that is kept"
    __name__ = 'party.replace'

    def check_kim_replace(self):
        """Let only the Fachaufsicht merge clients, both readable and with
        cases of the organisations of the Fachaufsicht only"""
        pool = Pool()
        Party = pool.get('party.party')
        Case = pool.get('kim.case')
        source, destination = self.ask.source, self.ask.destination
        if not (source.kim_personal or destination.kim_personal):
            return
        if not Transaction().user:
            return
        if not is_supervisor():
            raise MergeError(gettext('kim_case.msg_client_merge_supervisor'))
        check_read(Party, [source.id, destination.id])
        companies = rule_context()['companies']
        with without_check_access():
            foreign = Case.search([
                    ('client', 'in', [source.id, destination.id]),
                    ('company', 'not in', list(companies)),
                    ], limit=1)
        if foreign:
            raise MergeError(gettext(
                    'kim_case.msg_client_merge_other_organisation',
                    source=source.rec_name, destination=destination.rec_name))

    def transition_replace(self):
        pool = Pool()
        Case = pool.get('kim.case')
        Party = pool.get('party.party')
        self.check_kim_replace()
        source, destination = self.ask.source, self.ask.destination
        with without_check_access():
            cases = Case.search([('client', '=', source.id)])
        result = super().transition_replace()
        # the records changed in SQL: no cached value of them
        Transaction().counter += 1
        Pool().get('kim.case.due').clear_items_cache()
        with without_check_access():
            destination = Party(destination.id)
            if source.kim_client and not destination.kim_client:
                with Transaction().set_context(_skip_warnings=True):
                    Party.write([destination], {'kim_client': True})
            Party.kim_mark_personal([destination.id])
            if cases:
                Case._log_events(Case.browse(cases), 'note', gettext(
                        'kim_case.msg_event_client_merged',
                        source=source.rec_name,
                        destination=destination.rec_name))
        return result

    @classmethod
    def fields_to_replace(cls):
        """Also every stored link of the KIM models to a party: cases,
        consents, languages, household, residence status, Rechtskreis,
        referrals and the other records that name the party"""
        pool = Pool()
        result = list(super().fields_to_replace())
        for model_name, Model in pool.iterobject():
            if (not model_name.startswith('kim.')
                    or not issubclass(Model, ModelSQL)
                    or Model._is_table_query()):
                continue
            for name, field in Model._fields.items():
                if (field._type == 'many2one'
                        and not isinstance(field, fields.Function)
                        and field.model_name == 'party.party'
                        and (model_name, name) not in result):
                    result.append((model_name, name))
        return result
