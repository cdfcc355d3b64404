"""The shared kit of the demo plugins: text tables, weighted choice,
batched creates and date arithmetic, written once.

The plugins (the packages ``data/demo_<module>/``) import it as ``demokit``
(generate.py puts data/ on the import path).
"""
import datetime as dt
import json
import os

# Model.create with at most this many values at once
BATCH = 1000
# Records whose relation fields have domains depending on the record are
# validated with one OR clause per record: keep SQLite below its depth limit
SMALL_BATCH = 250
# Workflow steps that log an event per record (each write clears the record
# cache, so a batch is read again per record)
SEND_BATCH = 20

# A synthetic one-page PDF: the "scan" of a signed form or a proof document
PDF = (b'%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n'
    b'2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n'
    b'3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n'
    b'trailer<</Root 1 0 R>>\n%%EOF\n')


def tables(module_file, name):
    """The text tables of the JSON file name next to module_file, as a dict
    (JSON arrays are lists: unpack them like tuples)"""
    path = os.path.join(os.path.dirname(os.path.abspath(module_file)), name)
    with open(path, encoding='utf-8') as f:
        return json.load(f)


# --- choice ---------------------------------------------------
def pick(rng, weighted):
    "Choose the key of [(key, weight, ...)] by the weights"
    total = sum(w[1] for w in weighted)
    x = rng.uniform(0, total)
    for item in weighted:
        x -= item[1]
        if x <= 0:
            return item[0]
    return weighted[-1][0]


# --- records ---------------------------------------------------
def batches(items, size=BATCH):
    "The items in lists of at most size"
    for i in range(0, len(items), size):
        yield items[i:i + size]


def create(Model, vlist, size=BATCH):
    "Create in batches and return the records"
    records = []
    for chunk in batches(vlist, size):
        records.extend(Model.create(chunk))
    return records


def on_day(date):
    """The context of a workflow step taken on a past day: kim_network's
    ir.date.today answers date to the root user (the generator), so the
    transitions stamp and check that day (events, signatures, consents)"""
    from trytond.transaction import Transaction
    return Transaction().set_context(_kim_history_date=date)


def run_by_day(method, dated, size=BATCH):
    """Call the transition method (a class method taking records) on the
    ids of dated [(id, day)], one call per day and batch, day by day"""
    Model = method.__self__
    days = {}
    for id_, day in dated:
        days.setdefault(day, []).append(id_)
    for day in sorted(days):
        with on_day(day):
            for chunk in batches(days[day], size):
                method(Model.browse(chunk))


def fresh(records):
    "The records of an earlier plugin's transaction, in this transaction"
    if not records:
        return []
    return type(records[0]).browse([r.id for r in records])


# --- dates ---------------------------------------------------
def real_today(ctx):
    "The demo's today, but never after the machine's: events lie in the past"
    return min(ctx.today, dt.date.today())


def add_months(date, months, day=None):
    """The date months later (earlier when negative) on day (by default the
    date's), at most the 28th so that every month has it"""
    month = date.month - 1 + months
    year = date.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(date.day if day is None else day, 28))


def months_ago(today, months, day=1):
    "The day of the month months before today"
    return add_months(today, -months, day)


def date_between(rng, start, end):
    "A day from start to end (start when end is before it)"
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))
