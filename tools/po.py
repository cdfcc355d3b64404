#!/usr/bin/env python3
"""Refresh addons/<module>/locale/de.po from the module's sources.

Builds a throw-away SQLite database with the modules activated, loads the
existing German translations, collects every translatable string (fields,
help texts, selections, views, buttons, messages, data records, reports) and
writes the German .po file of each module back, keeping existing msgstr.

    .venv/bin/python tools/po.py [module ...]     (default: every KIM module)
    .venv/bin/python tools/po.py --check          list untranslated entries
"""
import argparse
import glob
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LANG = 'de'


def kim_modules():
    return sorted(os.path.basename(os.path.dirname(p))
        for p in glob.glob(os.path.join(ROOT, 'addons', '*', 'tryton.cfg')))


def untranslated(path):
    import polib
    po = polib.pofile(path)
    return [e for e in po if not e.obsolete and not e.msgstr]


def key(entry):
    return (entry.msgctxt or '', entry.msgid)


def existing(path):
    "The translations of the file as it is"
    import polib
    if not os.path.exists(path):
        return {}
    return {key(e): e.msgstr for e in polib.pofile(path) if e.msgstr}


def keep(path, previous):
    "Keep the earlier translation of entries whose source did not change"
    import polib
    po = polib.pofile(path)
    for entry in po:
        if not entry.msgstr and key(entry) in previous:
            entry.msgstr = previous[key(entry)]
    po.save()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('modules', nargs='*')
    parser.add_argument('--check', action='store_true',
        help="only list untranslated entries and exit 1 if any")
    args = parser.parse_args()
    modules = args.modules or kim_modules()

    if args.check:
        missing = 0
        for module in modules:
            path = os.path.join(ROOT, 'addons', module, 'locale', 'de.po')
            if not os.path.exists(path):
                print('%s: no locale/de.po' % module)
                missing += 1
                continue
            for entry in untranslated(path):
                print('%s: %s %r' % (module, entry.msgctxt, entry.msgid))
                missing += 1
        return 1 if missing else 0

    tmp = tempfile.mkdtemp(prefix='kim-po-')
    conf = os.path.join(tmp, 'trytond.conf')
    with open(conf, 'w') as f:
        f.write('[database]\nuri = sqlite://\npath = %s\n' % tmp)
    open(os.path.join(tmp, 'po.sqlite'), 'w').close()
    with open(os.path.join(tmp, 'pass'), 'w') as f:
        f.write('admin\n')
    env = dict(os.environ, TRYTONPASSFILE=os.path.join(tmp, 'pass'))
    env.pop('TRYTOND_DATABASE_URI', None)
    admin = os.path.join(os.path.dirname(sys.executable), 'trytond-admin')
    run = lambda *a: subprocess.run(  # noqa: E731
        [admin, '-c', conf, '-d', 'po', *a], env=env, check=True,
        stdout=subprocess.DEVNULL)
    run('--all', '--email', 'admin@example.org')
    run('-u', *modules, '--activate-dependencies')
    run('-l', LANG)

    os.environ['TRYTOND_CONFIG'] = conf
    from trytond import config
    config.update_etc(conf)
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Pool.start()
    pool = Pool('po')
    pool.init()
    with Transaction().start('po', 0, context={'active_model': None}):
        Set = pool.get('ir.translation.set', type='wizard')
        session_id, _, _ = Set.create()
        Set(session_id).transition_set_()
        Update = pool.get('ir.translation.update', type='wizard')
        Lang = pool.get('ir.lang')
        session_id, _, _ = Update.create()
        update = Update(session_id)
        update.start.language = Lang.get(LANG)
        update.do_update({})
        Translation = pool.get('ir.translation')
        for module in modules:
            content = Translation.translation_export(LANG, module)
            path = os.path.join(ROOT, 'addons', module, 'locale', 'de.po')
            os.makedirs(os.path.dirname(path), exist_ok=True)
            previous = existing(path)
            with open(path, 'wb') as f:
                f.write(content or b'')
            keep(path, previous)
            print('%s: %d untranslated' % (module, len(untranslated(path))))
        Transaction().rollback()
    return 0


if __name__ == '__main__':
    sys.exit(main())
