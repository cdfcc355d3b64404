# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Four costs of trytond 8.0 that every list pays, and one error, removed
when the KIM modules are imported (the behaviour stays the same;
tests/test_speed.py):

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
- ``ModelSQL.search`` selects with the ids every stored field of the rows
  found, to fill the transaction's cache for code that reads the records
  next, and makes a record of each. The JSON-RPC ``search`` (every list the
  web client opens) returns only the ids: up to 1,000 rows of every column
  were read and turned into dicts and records for nothing (12 ms of a case
  list). The RPC's search runs trytond's query of the search (``query=True``,
  as for a sub-query: the same access check, rules, domain, order, limit
  and offset) and returns its ids; a model whose ``search`` a module
  overrides selects the ids only through trytond's search. The ids and
  their order stay the same.

The error: trytond 8.0 labels every JSON-RPC answer of more than 1,400
characters ``Content-Encoding: gzip``, also when the client did not ask for
gzip and the answer is sent plain; a script (urllib with the header's
meaning, requests) then fails to read it. The label is taken off the answers
to such clients; the gzip answers are compressed at once, as one piece with
its ``Content-Length``, instead of while they are sent.

Every answer to a logged-in user's request tells the server's time of the
request in a ``Server-Timing`` header (``app;dur=`` milliseconds, from the
request's arrival in trytond's application to the answer's headers; not on
the answers to a login, whose password check nobody should time): the
browser's developer tools show it beside each request of the web client,
and the bench reports it beside the round trip.
"""
import functools
import time

from trytond.model.fields import selection as _selection
from trytond.transaction import Transaction

# the attribute of the transaction that marks a search of the RPC
_IDS_ONLY = '_kim_search_ids_only'


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


def _ids_only(func):
    """Run func (the RPC's search) for the ids only: as trytond's query of
    the search (``query=True``: the same tables, domain, rules, order, limit
    and offset) when the model's search is trytond's own, else without
    filling the cache"""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from trytond.model import ModelSQL
        owner = getattr(func, '__self__', None)
        if (isinstance(owner, type) and issubclass(owner, ModelSQL)
                and getattr(owner.search, '__func__', None)
                is ModelSQL.search.__func__
                and not kwargs and len(args) <= 4):
            cursor = Transaction().connection.cursor()
            cursor.execute(*func(*args, query=True))
            return [row[0] for row in cursor]
        attributes = Transaction().__dict__
        previous = attributes.get(_IDS_ONLY)
        attributes[_IDS_ONLY] = True
        try:
            return func(*args, **kwargs)
        finally:
            attributes[_IDS_ONLY] = previous
    return wrapper


def _searched_columns(original):
    "trytond's columns of a search, without the cache's inside the RPC's"
    def searched_columns(cls, tables, *, eager=False, history=False):
        if eager and Transaction().__dict__.get(_IDS_ONLY):
            eager = False
        return original.__func__(cls, tables, eager=eager, history=history)
    return classmethod(searched_columns)


def _decorate(original):
    "RPC.decorate that runs the RPC's search without filling the cache"
    def decorate(self, func):
        func = original(self, func)
        if getattr(func, '__name__', None) == 'search':
            func = _ids_only(func)
        return func
    return decorate


def _response(original):
    """JSONProtocol.response without the gzip label on a plain answer, and a
    gzip answer compressed at once (one piece, with its length)"""
    def response(cls, data, request):
        result = original.__func__(cls, data, request)
        headers = getattr(result, 'headers', None)
        if (headers is not None
                and headers.get('Content-Encoding') == 'gzip'):
            if 'gzip' not in request.accept_encodings:
                del headers['Content-Encoding']
            else:
                result.set_data(result.get_data())
        return result
    return classmethod(response)


def _wsgi_call(original):
    """TrytondWSGI.__call__ (the application with its middlewares) that
    tells the client the server's time of the request in a Server-Timing
    header (W3C; the browser's developer tools show it, the bench reads it):
    from the request's arrival in the application to its answer's headers,
    the answer encoded"""
    def call(self, environ, start_response):
        if not environ.get('HTTP_AUTHORIZATION'):
            # not for the login and the web client's files: no timing of
            # a password check for anybody who asks
            return original(self, environ, start_response)
        started = time.perf_counter()

        def timed_start_response(status, headers, exc_info=None):
            headers = list(headers) + [('Server-Timing', 'app;dur=%.2f' % (
                        (time.perf_counter() - started) * 1000))]
            return start_response(status, headers, exc_info)
        return original(self, environ, timed_start_response)
    return call


def apply():
    """Install the replacements (once per process, also when the test
    runner imports this module twice: by package and by path)"""
    import trytond.ir.model
    import trytond.ir.translation
    import trytond.model.modelsql
    import trytond.tools
    if getattr(trytond.model.modelsql, '_kim_speed', False):
        return
    for module in [trytond.tools, trytond.model.modelsql, trytond.ir.model,
            trytond.ir.translation]:
        if hasattr(module, 'cursor_dict'):
            module.cursor_dict = cursor_dict
    _selection.SelectionMixin.get_selection = classmethod(_get_selection)
    import trytond.protocols.jsonrpc as jsonrpc
    jsonrpc.encoder = _one_shot_encoder(jsonrpc.encoder)
    jsonrpc.JSONProtocol.response = _response(
        jsonrpc.JSONProtocol.__dict__['response'])
    from trytond.wsgi import TrytondWSGI
    TrytondWSGI.__call__ = _wsgi_call(TrytondWSGI.__call__)
    from trytond.model import ModelSQL
    # the private method of trytond 8.0 (a KeyError on another version)
    name = '_ModelSQL__searched_columns'
    original = ModelSQL.__dict__[name]
    setattr(ModelSQL, name, _searched_columns(original))
    from trytond.rpc import RPC
    RPC.decorate = _decorate(RPC.decorate)
    trytond.model.modelsql._kim_speed = True
