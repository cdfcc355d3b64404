# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""The search criteria a client sends, checked before trytond reads them.

trytond 8.0 takes the domain and the order of ``search``, ``search_count``,
``search_read``, ``export_data_domain`` and ``autocomplete`` from the
JSON-RPC request as they come: a domain that is a string or holds a leaf
without a value ends in a RecursionError, an unknown field in a KeyError, an
unknown operator deep in the SQL builder; the client gets the exception's
text, the server log a traceback. The RPC calls of every model check the
shape of the domain (lists, ``AND``/``OR``, leaves of a field path, an
operator and a value), the fields of every path and the operators, and the
order (pairs of a field path and a direction), and refuse anything else with
a translated error before the call runs. A field that cannot be searched
(a Function field without a searcher) is refused; the values must be values
of the field's type (a list for ``in``, a text for ``like``, ids or a text
of the record names for a relation), else the database or the conversion of
the value fails."""
import functools
from decimal import Decimal

from sql import Expression, Query

from trytond.i18n import gettext
from trytond.model import fields
from trytond.model.exceptions import DomainValidationError
from trytond.pool import Pool

OPERATORS = {
    '=', '!=', 'like', 'not like', 'ilike', 'not ilike', 'in', 'not in',
    '<=', '>=', '<', '>', 'child_of', 'not child_of', 'parent_of',
    'not parent_of', 'where', 'not where',
    }
DIRECTIONS = {None, '', 'ASC', 'DESC', 'ASC NULLS FIRST', 'ASC NULLS LAST',
    'DESC NULLS FIRST', 'DESC NULLS LAST'}
MAX_DEPTH = 50
# the largest power of ten of a number compared (PostgreSQL's numeric holds
# 131072 digits before the point, its double precision 1e308)
MAX_EXPONENT = 300
# the field types whose values the field converts (sql_format)
CONVERTED = {'integer', 'biginteger', 'float', 'numeric', 'date', 'datetime',
    'timestamp', 'time', 'timedelta'}
TEXT = {'char', 'text', 'selection'}
RELATION = {'many2one', 'one2many', 'many2many', 'one2one'}
# the field types that the like operators compare as texts (a relation its
# record names)
LIKE = TEXT | RELATION | {'reference'}
LIKE_OPERATORS = {'like', 'not like', 'ilike', 'not ilike'}
# the position of the domain and of the order in the RPC's arguments
CALLS = {
    'search': (0, 3),
    'search_count': (0, None),
    'search_read': (0, 3),
    'export_data_domain': (0, 4),
    'autocomplete': (1, 3),
    }


def _invalid():
    return DomainValidationError(gettext('kim_network.msg_search_invalid'))


def _field(Model, name):
    "The field name of Model, refused when there is none"
    field = Model._fields.get(name) if isinstance(name, str) and name \
        else None
    if field is None:
        raise DomainValidationError(gettext(
                'kim_network.msg_search_unknown_field',
                field=name, model=Model.__names__()['model']))
    return field


def _target(Model, path, leaf=None, order=False):
    """The field at the end of path from Model and the model it points to
    (None: not a relation, or a path into a value, e.g. a Dict key),
    refused when a name is not a field (or, for an order, a One2Many or
    Many2Many that the model cannot sort by)"""
    names = path.split('.')
    for i, name in enumerate(names):
        field = _field(Model, name)
        if (order and field._type in {'one2many', 'many2many'}
                and not hasattr(Model, 'order_%s' % name)):
            raise _invalid()
        if not order and not field.searchable(Model):
            raise DomainValidationError(gettext(
                    'kim_network.msg_search_not_searchable',
                    **Model.__names__(name)))
        if i == len(names) - 1:
            if field._type == 'reference':
                return field, _reference_target(leaf)
            return field, (field.get_target()
                if hasattr(field, 'get_target') else None)
        if field._type == 'reference':
            # a path through a Reference names its model
            Model = _reference_target(leaf)
            if Model is None:
                raise _invalid()
        elif hasattr(field, 'get_target'):
            Model = field.get_target()
        elif field._type == 'dict':
            return field, None
        else:
            raise _invalid()


def _reference_target(leaf):
    "The model a leaf names for a Reference field (its fourth element)"
    if leaf is None or len(leaf) < 4:
        return None
    if not isinstance(leaf[3], str):
        raise _invalid()
    try:
        return Pool().get(leaf[3])
    except KeyError:
        raise _invalid()


def check_domain(Model, domain, depth=0):
    "Refuse a domain that is not one of Model's fields and operators"
    if depth > MAX_DEPTH or not isinstance(domain, (list, tuple)):
        raise _invalid()
    if _is_leaf(domain):
        _check_leaf(Model, domain, depth)
        return
    items = list(domain)
    if items and items[0] in ('AND', 'OR'):
        items = items[1:]
    for item in items:
        if isinstance(item, str):
            raise _invalid()
        check_domain(Model, item, depth + 1)


def _is_leaf(domain):
    return (len(domain) > 2
        and isinstance(domain[0], str) and isinstance(domain[1], str)
        and domain[0] not in ('AND', 'OR'))


def _check_leaf(Model, leaf, depth):
    path, operator = leaf[0], leaf[1]
    if operator not in OPERATORS:
        raise DomainValidationError(gettext(
                'kim_network.msg_search_invalid_operator',
                operator=operator))
    field, Target = _target(Model, path, leaf)
    if isinstance(leaf[2], (Query, Expression)):
        # made by a searcher on the server (JSON cannot send it)
        return
    first = Model._fields[path.split('.', 1)[0]]
    if isinstance(first, fields.Function) and first.searcher:
        # the searcher decides how the value is searched: its domain with
        # the value is checked
        _check_searcher(Model, first, leaf, depth)
        return
    tree = operator.endswith('child_of') or operator.endswith('parent_of')
    # the fourth element: the model of a Reference (the path's first
    # field), or the parent field of a tree
    reference = first._type == 'reference'
    if len(leaf) == 4:
        if not reference and not tree:
            raise _invalid()
    elif len(leaf) != 3:
        raise _invalid()
    if _has_nul(leaf[2]):
        # the databases refuse a text with a NUL character
        raise _invalid()
    if tree:
        _check_tree(Model, path, leaf)
        _check_tree_value(leaf[2])
    elif operator in {'where', 'not where'}:
        if Target is None:
            raise _invalid()
        check_domain(Target, leaf[2], depth + 1)
    else:
        _check_value(field, operator, leaf[2])


def _check_searcher(Model, field, leaf, depth):
    "Refuse a leaf that the searcher of the Function field fails on"
    try:
        domain = getattr(Model, field.searcher)(field.name, tuple(leaf))
    except (TypeError, ValueError, AttributeError, KeyError, IndexError,
            ArithmeticError, OverflowError):
        raise _invalid()
    check_domain(Model, domain, depth + 1)


def _check_tree(Model, path, leaf):
    """Refuse a tree operator that is not on a Many2One of the model to
    itself or on a relation with, as fourth element, a Many2One of its
    target to itself (trytond walks a Many2Many tree in Python: a record that
    does not exist or a cycle made it fail)"""
    field = Model._fields[path] if '.' not in path else None
    if field is None or field._type not in {'many2one', 'many2many'}:
        raise _invalid()
    Target = field.get_target()
    if field._type == 'many2many' and Target == Model:
        # trytond walks it in Python whatever the fourth element
        raise _invalid()
    if len(leaf) == 4:
        parent = _field(Target, leaf[3])
    elif Target == Model:
        parent = field
    else:
        raise _invalid()
    if (parent._type != 'many2one' or parent.get_target() != Target
            or isinstance(parent, fields.Function)):
        raise _invalid()


def _check_tree_value(value):
    "Refuse what is not an id, a list of ids or a text of the record names"
    values = value if isinstance(value, (list, tuple)) else [value]
    if isinstance(value, str):
        # the record names the value is a pattern of
        if _bad_pattern(value):
            raise _invalid()
        return
    if not all(v is None or _is_int(v) for v in values):
        raise _invalid()


def _bad_pattern(value):
    "Whether the like pattern ends in an unescaped escape character"
    return (len(value) - len(value.rstrip('\\'))) % 2 == 1


def _has_nul(value):
    "Whether value is or holds a text with a NUL character"
    if isinstance(value, str):
        return '\x00' in value
    if isinstance(value, (list, tuple)):
        return any(_has_nul(v) for v in value)
    return False


def _is_int(value):
    "Whether value is an integer the databases hold (64 bits)"
    return (isinstance(value, int) and not isinstance(value, bool)
        and -2 ** 63 <= value < 2 ** 63)


def _check_value(field, operator, value):
    """Refuse a value that is no value of the field's type for operator
    (a Dict decides itself)"""
    type_ = field._type
    if type_ == 'dict':
        return
    if operator in LIKE_OPERATORS:
        if (type_ not in LIKE or not isinstance(value, str)
                or _bad_pattern(value)):
            raise _invalid()
        return
    if operator in {'in', 'not in'}:
        if not isinstance(value, (list, tuple)):
            raise _invalid()
        for item in value:
            _check_item(field, item, listed=True)
    elif type_ == 'multiselection':
        if operator not in {'=', '!='} or not (value is None or (
                    isinstance(value, (list, tuple))
                    and all(isinstance(v, str) for v in value))):
            raise _invalid()
    else:
        _check_item(field, value)


def _check_item(field, value, listed=False):
    """Refuse value (an item of an ``in`` list when listed) that is no
    value of field"""
    type_ = field._type
    if value is None:
        return
    if isinstance(value, dict) or (
            isinstance(value, bool) and type_ != 'boolean'):
        raise _invalid()
    if type_ in TEXT or type_ == 'multiselection':
        if not isinstance(value, str) and not (type_ == 'selection'
                and isinstance(value, int) and _int_keys(field)):
            raise _invalid()
    elif type_ == 'boolean':
        if not (isinstance(value, int) and value in (0, 1)):
            raise _invalid()
    elif type_ in RELATION:
        # ids; a text compares the record names (not in a list of ids)
        if not _is_int(value) and (listed or not isinstance(value, str)):
            raise _invalid()
    elif type_ == 'reference':
        # "model,id" or [model, id]
        if isinstance(value, (list, tuple)):
            if (listed or len(value) != 2
                    or not isinstance(value[0], str)
                    or not isinstance(value[1], (int, str))
                    or isinstance(value[1], bool)):
                raise _invalid()
        elif not isinstance(value, str):
            raise _invalid()
    elif type_ == 'binary':
        raise _invalid()
    elif type_ in CONVERTED:
        # numbers the databases hold (and that convert at once: an integer
        # of 1e200000 takes seconds to compute)
        if isinstance(value, (list, tuple)) or _huge(value):
            raise _invalid()
        try:
            value = field.sql_format(value)
        except (ValueError, TypeError, AttributeError, OverflowError,
                ArithmeticError):
            raise _invalid()
        if (isinstance(value, int) and not _is_int(value)) or _huge(value):
            raise _invalid()


def _huge(value):
    "Whether value is a decimal number beyond 10^MAX_EXPONENT"
    return (isinstance(value, Decimal) and value.is_finite()
        and abs(value.adjusted()) > MAX_EXPONENT)


def _int_keys(field):
    "Whether the keys of a Selection field are integers"
    selection = field.selection
    return isinstance(selection, (list, tuple)) and any(
        isinstance(key, int) for key, _ in selection)


def check_order(Model, order):
    "Refuse an order that is not pairs of a field path and a direction"
    if order is None or order is False:
        return
    if not isinstance(order, (list, tuple)):
        raise _invalid()
    for item in order:
        if (not isinstance(item, (list, tuple)) or len(item) != 2
                or not isinstance(item[0], str)
                or not (item[1] is None or isinstance(item[1], str))
                or (item[1] or '').upper() not in DIRECTIONS):
            raise _invalid()
        _target(Model, item[0], order=True)


def _guarded(func, owner, name):
    domain_at, order_at = CALLS[name]

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if len(args) > domain_at and (
                args[domain_at] is not None or name != 'autocomplete'):
            check_domain(owner, args[domain_at])
        if order_at is not None and len(args) > order_at:
            check_order(owner, args[order_at])
        return func(*args, **kwargs)
    return wrapper


def _decorate(original):
    "RPC.decorate that checks the search criteria of the search calls"
    def decorate(self, func):
        name = getattr(func, '__name__', None)
        owner = getattr(func, '__self__', None)
        func = original(self, func)
        if name in CALLS and isinstance(owner, type):
            func = _guarded(func, owner, name)
        return func
    return decorate


def apply():
    "Install the check (once per process; after kim_network.speed)"
    from trytond.rpc import RPC
    if getattr(RPC, '_kim_search_guard', False):
        return
    RPC.decorate = _decorate(RPC.decorate)
    RPC._kim_search_guard = True
