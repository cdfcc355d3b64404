# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Three costs of trytond 8.0 that every list pays, removed when the KIM
modules are imported (the behaviour stays the same; tests/test_speed.py):

- ``trytond.tools.cursor_dict`` builds each row's dict from
  ``cursor.description``, which psycopg 3 computes anew (one Column object
  per column) at every access: a read of 100 clients with 60 columns made
  6,000 objects. The column names are taken once per batch of rows.
- ``SelectionMixin.get_selection`` (``state:string`` of a list read) calls
  ``fields_get`` of the model once per record: the field's definition
  (the translated selection) is kept for the transaction.
- The JSON-RPC answer of more than 1,400 characters (every list and form
  read) is encoded by ``iterencode``, which runs json's pure-Python encoder
  and yields one small piece per value (16,881 pieces for a case list of
  100 rows), each gzip-compressed on its own: 8 ms per list read. The
  module's encoder encodes in one pass with json's C encoder and yields the
  text as one piece (1 ms; the same text).
"""
from trytond.model.fields import selection as _selection
from trytond.transaction import Transaction

_applied = []


def cursor_dict(cursor, size=None):
    "The rows of cursor as dicts of column name to value"
    size = cursor.arraysize if size is None else size
    names = None
    while True:
        rows = cursor.fetchmany(size)
        if not rows:
            break
        if names is None:
            names = [d[0] for d in cursor.description]
        for row in rows:
            yield dict(zip(names, row))


def _selection_definition(model, name):
    "The 'selection' of fields_get of the field, kept for the transaction"
    transaction = Transaction()
    cache = transaction.__dict__.setdefault('_kim_selection_definitions', {})
    key = (model.__name__, name, transaction.language, transaction.user,
        transaction.context.get('_check_access'))
    try:
        return cache[key]
    except KeyError:
        value = cache[key] = model.fields_get([name])[name]['selection']
        return value


def _get_selection(cls, model, name, inst):
    selection = _selection_definition(model, name)
    if isinstance(selection, str):
        sel_func = getattr(model, selection)
        if not _selection.is_instance_method(model, selection):
            selection = sel_func()
        else:
            selection = sel_func(inst)
    return dict(selection)


def _one_shot_encoder(encoder):
    "An encoder like encoder whose iterencode yields the text in one piece"
    class OneShotEncoder(type(encoder)):
        def iterencode(self, o, _one_shot=False):
            # json's C encoder: one pass, one piece
            return super().iterencode(o, _one_shot=True)
    result = OneShotEncoder.__new__(OneShotEncoder)
    result.__dict__.update(encoder.__dict__)
    return result


def apply():
    "Install the replacements (once per process)"
    if _applied:
        return
    import trytond.ir.model
    import trytond.ir.translation
    import trytond.model.modelsql
    import trytond.tools
    for module in [trytond.tools, trytond.model.modelsql, trytond.ir.model,
            trytond.ir.translation]:
        if hasattr(module, 'cursor_dict'):
            module.cursor_dict = cursor_dict
    _selection.SelectionMixin.get_selection = classmethod(_get_selection)
    import trytond.protocols.jsonrpc as jsonrpc
    jsonrpc.encoder = _one_shot_encoder(jsonrpc.encoder)
    _applied.append(True)
