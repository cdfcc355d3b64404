# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""One guard for the workflows, gates and signatures of the KIM modules, and
one for the input of their fields.

Every model with a workflow or a signature mixes in :class:`WorkflowGuard`
and declares itself in ``__setup__`` (after ``super().__setup__()``)::

    cls._guard(initial='draft',
        protected={'signed_by', 'signed_date'},
        final={'done': set()})

- ``initial``: the state in which the records are created;
- ``protected``: the fields that only the buttons, wizards and scheduled jobs
  of the module set (signatures and their dates, overrides, the consent and
  the cooperation agreement of a transfer, computed results ...);
- ``assigned``: the fields the server assigns when it creates a record
  (numbers, versions);
- ``final``: the states in which a record is final, each with the fields
  that may still change in it (an answer, a feedback ...).

A call from a client (``create``, ``write``, ``copy`` and ``import_data``
over RPC, also the records created or written through a One2Many of a
parent; trytond passes ``external=True`` to ``check_modification`` for
them, and a client cannot forge it) is refused with a translated error when

- it creates a record in another state than the initial one;
- it writes the state: the state changes only through the
  ``Workflow.transition`` methods that the buttons and wizards call, which
  run without access check;
- it creates a protected field with another value than empty or its
  default, or changes a protected field;
- it gives an assigned field (refused before anything is written; only the
  root user, i.e. scripts and data migration, may give one);
- it changes, in a final state, another field than those declared.

Final states hold for the code of the modules too: in a final state it only
moves the state on and sets protected fields. ``copy`` resets the state, the
protected and the assigned fields, so that a copy starts as a new record.

Extensions of a guarded model add their fields with another ``_guard`` call
in their own ``__setup__``.

:class:`InputGuard` is mixed into every model of the pool (``register_mixin``
in tryton.cfg) and checks the values given to the fields of the KIM models
(models named ``kim.*``, the relation tables named ``*.kim_*`` and the
``kim_*`` fields that KIM adds to core models) before anything is written: the
type of each value, no NUL or other control characters in texts, dates and
years between 1900 and 2100, no negative numbers in the fields a user edits
(``_kim_signed_fields`` names exceptions), no reference to a record that does
not exist (SQLite has no foreign keys), no unknown field, and no write or
delete of records that do not exist. A create is checked in
``preprocess_values``, a write in ``check_modification``, which trytond runs
before the values of a write are preprocessed.
"""
import datetime as dt
import math
import re
import threading
import weakref
from decimal import Decimal

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Model, ModelSQL, fields
from trytond.pool import Pool
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from .exceptions import (
    InputValidationError, SignatureWarning, WorkflowError)

YEAR_MIN, YEAR_MAX = 1900, 2100
INTEGER_MAX = 2 ** 31 - 1
# C0 control characters but tab, line feed and carriage return; DEL; C1
_CONTROL = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]')
_X2M_ACTIONS = {'create', 'write', 'delete', 'add', 'remove', 'copy'}


_seen = threading.local()
# whether a model class has fields the InputGuard checks
_GUARDED = weakref.WeakKeyDictionary()


def _known_ids(model_name):
    """The ids of model_name found to exist during the create or write call
    of the transaction (the values of one call are checked one by one)"""
    transaction = Transaction()
    state = getattr(_seen, 'state', None)
    if (state is None or state[0]() is not transaction
            or state[1] != transaction.counter):
        state = (weakref.ref(transaction), transaction.counter, {})
        _seen.state = state
    return state[2].setdefault(model_name, set())


def _empty(value):
    return value is None or value is False or value == '' or (
        isinstance(value, (list, tuple, set)) and not value)


def _plain(value):
    "The value of a field as ids and tuples, comparable with written values"
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    if isinstance(value, Model):
        return value.id
    return value


class WorkflowGuard:
    "Declared workflow: initial state, protected fields and final states"
    __slots__ = ()
    _guard_initial = None
    _guard_protected = frozenset()
    _guard_assigned = frozenset()
    _guard_final = {}
    _guard_final_message = 'kim_network.msg_workflow_final'

    @classmethod
    def _guard(cls, initial=None, protected=(), assigned=(), final=None,
            final_message=None):
        """Declare (or extend) the workflow of the model: see the module
        documentation"""
        if initial is not None:
            cls._guard_initial = initial
        cls._guard_protected = frozenset(cls._guard_protected) | frozenset(
            protected)
        cls._guard_assigned = frozenset(cls._guard_assigned) | frozenset(
            assigned)
        merged = {s: frozenset(f) for s, f in cls._guard_final.items()}
        for state, names in (final or {}).items():
            merged[state] = merged.get(state, frozenset()) | frozenset(names)
        cls._guard_final = merged
        if final_message:
            cls._guard_final_message = final_message

    @classmethod
    def _guard_state_field(cls):
        "The name of the state field of the workflow, or None"
        if cls._guard_initial is None:
            return None
        return getattr(cls, '_transition_state', 'state')

    @classmethod
    def _guard_reset_value(cls, name):
        "The value a copy gets for a protected or assigned field"
        if name in cls._defaults:
            return cls._defaults[name]()
        return None

    @classmethod
    def _guard_error(cls, message, record=None, field=None, **values):
        names = cls.__names__(field=field, record=record)
        names.update(values)
        if field and record is None:
            names.setdefault('record', '')
        return WorkflowError(gettext(message, **names))

    @classmethod
    def _guard_state_string(cls, state):
        name = cls._guard_state_field()
        field = cls._fields[name]
        selection = field.get_selection(cls, name, None)
        return field.get_selection_string(selection, state)

    @classmethod
    def preprocess_values(cls, mode, values):
        if (mode == 'create' and cls._guard_assigned
                and Transaction().user):
            for name in sorted(cls._guard_assigned):
                if not _empty(values.get(name)):
                    raise cls._guard_error(
                        'kim_network.msg_workflow_assigned', field=name)
        return super().preprocess_values(mode, values)

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if mode == 'create' and external:
            cls._guard_check_create(records)
        elif mode == 'write':
            cls._guard_check_write(records, values, external)

    @classmethod
    def _guard_check_create(cls, records):
        state = cls._guard_state_field()
        if state:
            for record in records:
                if getattr(record, state) != cls._guard_initial:
                    raise cls._guard_error(
                        'kim_network.msg_workflow_create_state',
                        record=record,
                        state=cls._guard_state_string(getattr(record, state)),
                        initial=cls._guard_state_string(cls._guard_initial))
        protected = sorted(cls._guard_protected)
        if not protected:
            return
        defaults = cls.default_get(protected, with_rec_name=False)
        for record in records:
            for name in protected:
                value = _plain(getattr(record, name))
                if not _empty(value) and value != _plain(defaults.get(name)):
                    raise cls._guard_error(
                        'kim_network.msg_workflow_protected',
                        record=record, field=name)

    @classmethod
    def _guard_changed(cls, record, name, value):
        "Whether writing value to the field name of record changes it"
        field = cls._fields[name]
        if field._type in {'one2many', 'many2many'}:
            return not _empty(value)
        current = _plain(getattr(record, name))
        if field._type == 'multiselection':
            return set(current or ()) != set(value or ())
        if _empty(current) and _empty(value):
            return False
        return current != _plain(value)

    @classmethod
    def _guard_check_write(cls, records, values, external):
        state = cls._guard_state_field()
        guarded = cls._guard_protected | cls._guard_assigned
        if external:
            if state and state in values:
                for record in records:
                    if getattr(record, state) != values[state]:
                        raise cls._guard_error(
                            'kim_network.msg_workflow_write_state',
                            record=record,
                            state=cls._guard_state_string(values[state]))
            for name in sorted(guarded & values.keys()):
                for record in records:
                    if cls._guard_changed(record, name, values[name]):
                        raise cls._guard_error(
                            'kim_network.msg_workflow_protected',
                            record=record, field=name)
        if state and cls._guard_final:
            for record in records:
                current = getattr(record, state)
                if current not in cls._guard_final:
                    continue
                allowed = cls._guard_final[current] | guarded | {state}
                refused = sorted(set(values) - allowed)
                if refused:
                    raise cls._guard_error(cls._guard_final_message,
                        record=record,
                        state=cls._guard_state_string(current),
                        fields=', '.join('"%s"' % cls.__names__(
                                    field=n)['field'] for n in refused))

    @classmethod
    def copy(cls, records, default=None):
        default = default.copy() if default is not None else {}
        for name in cls._guard_protected | cls._guard_assigned:
            default.setdefault(name, cls._guard_reset_value(name))
        state = cls._guard_state_field()
        if state:
            default.setdefault(state, cls._guard_initial)
        return super().copy(records, default=default)


class ScannedSignatureMixin:
    """A record signed on paper by the client: the signed form is attached
    as a scan (ir.attachment), whatever the language it was printed in"""
    __slots__ = ()
    attachment_count = fields.Function(fields.Integer("Attachments",
            help="The number of attached documents, e.g. the scan of the "
            "signed form."),
        'get_attachment_count')

    @classmethod
    def get_attachment_count(cls, records, name):
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        result = {r.id: 0 for r in records}
        for attachment in Attachment.search([
                    ('resource', 'in', [str(r) for r in records]),
                    ]):
            result[attachment.resource.id] += 1
        return result

    @classmethod
    def check_scanned(cls, records, warning_name, message, exception=None):
        """Warn (skippable per set of records) when records have no
        attachment; message is formatted with record= the first of them"""
        pool = Pool()
        Warning = pool.get('res.user.warning')
        missing = [r for r in records if not r.attachment_count]
        if missing:
            key = Warning.format(warning_name, missing)
            if Warning.check(key):
                raise (exception or SignatureWarning)(key, gettext(message,
                        record=missing[0].rec_name))


class InputGuard:
    "Refuse what a user cannot mean in the fields of the KIM models"
    # The mixin comes first in the MRO of every model: it defines no
    # attribute a model may set (a model names its numeric fields that may
    # be negative in _kim_signed_fields).
    __slots__ = ()

    @classmethod
    def _kim_model(cls):
        "Whether the model is one of KIM (not a core model KIM extends)"
        name = cls.__name__
        return name.startswith('kim.') or '.kim_' in name

    @classmethod
    def _kim_is_guarded(cls):
        guarded = _GUARDED.get(cls)
        if guarded is None:
            guarded = _GUARDED[cls] = cls._kim_model() or any(
                n.startswith('kim_') for n in cls._fields)
        return guarded

    @classmethod
    def preprocess_values(cls, mode, values):
        if isinstance(values, dict) and cls._kim_is_guarded():
            # the references of a write are checked in check_modification
            values = cls._kim_check_input(mode, values,
                references=mode == 'create')
        return super().preprocess_values(mode, values)

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        # a write is checked before its values are preprocessed: refuse bad
        # values and missing records before any other check reads them
        if mode in {'write', 'delete'} and cls._kim_is_guarded():
            cls._kim_check_records(records)
            if mode == 'write' and isinstance(values, dict):
                cls._kim_check_input(mode, values)
        super().check_modification(
            mode, records, values=values, external=external)

    @classmethod
    def _kim_check_records(cls, records):
        "Refuse records that do not exist (ids sent by a client)"
        ids = {r.id for r in records}
        if not ids or not issubclass(cls, ModelSQL) or callable(
                getattr(cls, 'table_query', None)):
            return
        missing = {i for i in ids if not isinstance(i, int) or i < 0}
        ids = [i for i in ids if i not in missing]
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        found = set()
        in_max = backend.MAX_QUERY_PARAMS
        for sub_ids in grouped_slice(ids, in_max):
            cursor.execute(*table.select(table.id,
                    where=reduce_ids(table.id, sub_ids)))
            found.update(i for i, in cursor)
        missing |= set(ids) - found
        if missing:
            raise InputValidationError(gettext(
                    'kim_network.msg_input_missing_records',
                    model=cls.__names__()['model'],
                    ids=', '.join(map(str, sorted(missing, key=str)[:10]))))

    @classmethod
    def _kim_input_error(cls, message, name, value, **extra):
        names = cls.__names__(field=name)
        text = repr(value) if not isinstance(value, str) else value
        if len(text) > 60:
            text = text[:57] + '...'
        return InputValidationError(gettext(message,
                model=names['model'], field=names['field'],
                value=_CONTROL.sub('?', text), **extra))

    @classmethod
    def _kim_check_input(cls, mode, values, references=True):
        kim_model = cls._kim_model()
        checked = {}
        check_references, references = references, {}
        for name, value in values.items():
            if name not in cls._fields:
                raise InputValidationError(gettext(
                        'kim_network.msg_input_unknown_field',
                        model=cls.__names__()['model'],
                        field=str(name)[:60]))
            if not (kim_model or name.startswith('kim_')):
                checked[name] = value
                continue
            field = cls._fields[name]
            if isinstance(field, fields.Function):
                if not field.setter:
                    checked[name] = value
                    continue
                field = field._field
            value = cls._kim_check_value(name, field, value)
            if field._type == 'many2one' and value is not None:
                references.setdefault(field.model_name, {})[value] = name
            elif field._type in {'one2many', 'many2many'} and value:
                Target = field.get_target()
                if callable(getattr(Target, 'table_query', None)):
                    # a computed list: nothing to create or write in it
                    raise cls._kim_input_error(
                        'kim_network.msg_input_invalid', name, value)
                target = references.setdefault(Target.__name__, {})
                for action in value:
                    if action[0] in {'write', 'copy', 'add', 'remove',
                            'delete'}:
                        for ids in action[1::2] if action[0] == 'write' \
                                else action[1:2]:
                            target.update({i: name for i in ids})
            checked[name] = value
        if check_references:
            cls._kim_check_references(references)
        return checked

    @classmethod
    def _kim_check_value(cls, name, field, value):
        "Return value, converted where needed, or raise"
        type_ = field._type
        if value is None:
            return value
        invalid = 'kim_network.msg_input_invalid'
        if type_ in {'char', 'text', 'selection', 'reference'}:
            if type_ == 'selection' and isinstance(value, int) and not (
                    isinstance(value, bool)):
                return value
            if type_ == 'reference' and isinstance(value, (list, tuple)):
                if (len(value) != 2 or not isinstance(value[0], str)
                        or not isinstance(value[1], int)):
                    raise cls._kim_input_error(invalid, name, value)
                cls._kim_check_text(name, value[0])
                return value
            if not isinstance(value, str):
                raise cls._kim_input_error(invalid, name, value)
            cls._kim_check_text(name, value)
        elif type_ == 'boolean':
            if not isinstance(value, int) or value not in (0, 1):
                raise cls._kim_input_error(invalid, name, value)
        elif type_ in {'integer', 'float', 'numeric'}:
            if isinstance(value, bool):
                raise cls._kim_input_error(invalid, name, value)
            if type_ == 'integer' and not isinstance(value, int):
                raise cls._kim_input_error(invalid, name, value)
            if not isinstance(value, (int, float, Decimal)):
                raise cls._kim_input_error(invalid, name, value)
            if isinstance(value, (float, Decimal)) and not math.isfinite(
                    value):
                raise cls._kim_input_error(invalid, name, value)
            if abs(value) > (INTEGER_MAX if type_ == 'integer'
                    else 10 ** 15):
                raise cls._kim_input_error(invalid, name, value)
            if name == 'year':
                if not YEAR_MIN <= value <= YEAR_MAX:
                    raise cls._kim_input_error(
                        'kim_network.msg_input_year', name, value,
                        minimum=YEAR_MIN, maximum=YEAR_MAX)
            elif (value < 0 and not field.readonly
                    and name not in getattr(cls, '_kim_signed_fields', ())
                    and name != 'sequence'):
                raise cls._kim_input_error(
                    'kim_network.msg_input_negative', name, value)
        elif type_ in {'date', 'datetime', 'timestamp'}:
            value = cls._kim_check_date(name, type_, value)
        elif type_ == 'many2one':
            if isinstance(value, bool) or not isinstance(value, int):
                raise cls._kim_input_error(invalid, name, value)
            if value < 0:
                raise cls._kim_input_error(
                    'kim_network.msg_input_missing_record', name, value)
        elif type_ in {'one2many', 'many2many'}:
            cls._kim_check_actions(name, value)
        elif type_ == 'multiselection':
            if not isinstance(value, (list, tuple)) or not all(
                    isinstance(v, str) for v in value):
                raise cls._kim_input_error(invalid, name, value)
            for item in value:
                cls._kim_check_text(name, item)
        elif type_ == 'binary':
            if not isinstance(value, (bytes, bytearray, memoryview)):
                raise cls._kim_input_error(invalid, name, value)
        return value

    @classmethod
    def _kim_check_text(cls, name, value):
        if _CONTROL.search(value):
            raise cls._kim_input_error(
                'kim_network.msg_input_control', name, value)
        try:
            value.encode('utf-8')
        except UnicodeEncodeError:
            raise cls._kim_input_error(
                'kim_network.msg_input_invalid', name, value)

    @classmethod
    def _kim_check_date(cls, name, type_, value):
        invalid = 'kim_network.msg_input_invalid'
        if isinstance(value, str):
            try:
                if type_ == 'date':
                    value = dt.date.fromisoformat(value)
                else:
                    value = dt.datetime.fromisoformat(value)
            except ValueError:
                raise cls._kim_input_error(invalid, name, value)
        if type_ == 'date':
            if (not isinstance(value, dt.date)
                    or isinstance(value, dt.datetime)):
                raise cls._kim_input_error(invalid, name, value)
        elif not isinstance(value, dt.datetime):
            raise cls._kim_input_error(invalid, name, value)
        if not YEAR_MIN <= value.year <= YEAR_MAX:
            raise cls._kim_input_error(
                'kim_network.msg_input_year', name, value,
                minimum=YEAR_MIN, maximum=YEAR_MAX)
        return value

    @classmethod
    def _kim_check_actions(cls, name, value):
        invalid = 'kim_network.msg_input_invalid'
        if not isinstance(value, (list, tuple)):
            raise cls._kim_input_error(invalid, name, value)
        for action in value:
            if (not isinstance(action, (list, tuple)) or not action
                    or action[0] not in _X2M_ACTIONS):
                raise cls._kim_input_error(invalid, name, action)
            kind, *args = action
            if kind in {'create'}:
                if len(args) != 1 or not isinstance(args[0], (list, tuple)) \
                        or not all(isinstance(v, dict) for v in args[0]):
                    raise cls._kim_input_error(invalid, name, action)
            elif kind == 'write':
                if not args or len(args) % 2:
                    raise cls._kim_input_error(invalid, name, action)
                for ids, values in zip(args[::2], args[1::2]):
                    cls._kim_check_ids(name, ids, action)
                    if not isinstance(values, dict):
                        raise cls._kim_input_error(invalid, name, action)
            elif kind == 'copy':
                if not args or len(args) > 2:
                    raise cls._kim_input_error(invalid, name, action)
                cls._kim_check_ids(name, args[0], action)
                if len(args) == 2 and not isinstance(args[1], dict):
                    raise cls._kim_input_error(invalid, name, action)
            else:
                if len(args) != 1:
                    raise cls._kim_input_error(invalid, name, action)
                cls._kim_check_ids(name, args[0], action)

    @classmethod
    def _kim_check_ids(cls, name, ids, action):
        if not isinstance(ids, (list, tuple)) or not all(
                isinstance(i, int) and not isinstance(i, bool)
                for i in ids):
            raise cls._kim_input_error(
                'kim_network.msg_input_invalid', name, action)

    @classmethod
    def _kim_check_references(cls, references):
        "Refuse the ids of {target model: {id: field name}} that are missing"
        pool = Pool()
        cursor = Transaction().connection.cursor()
        for model_name, ids in references.items():
            try:
                Target = pool.get(model_name)
            except KeyError:
                continue
            if (not issubclass(Target, ModelSQL)
                    or callable(getattr(Target, 'table_query', None))):
                continue
            found = _known_ids(model_name)
            table = Target.__table__()
            in_max = backend.MAX_QUERY_PARAMS
            missing = [i for i in ids if i not in found]
            for sub_ids in grouped_slice(missing, in_max):
                cursor.execute(*table.select(table.id,
                        where=reduce_ids(table.id, sub_ids)))
                found.update(i for i, in cursor)
            for id_, name in ids.items():
                if id_ not in found:
                    raise cls._kim_input_error(
                        'kim_network.msg_input_missing_record', name, id_)
