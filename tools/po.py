#!/usr/bin/env python3
"""Refresh addons/<module>/locale/de.po from the module's sources.

Builds a throw-away SQLite database with the modules activated, loads the
existing German translations, collects every translatable string (fields,
help texts, selections, views, buttons, messages, data records, reports) and
writes the German .po file of each module back, keeping existing msgstr.

    .venv/bin/python tools/po.py [module ...]     (default: every KIM module)
    .venv/bin/python tools/po.py --check          list the strings of the
        sources that the .po files do not translate (also those whose source
        text changed since), without writing them; exit 1 if any
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
        help="only list the untranslated strings of the sources and exit 1 "
        "if any (the .po files are not written)")
    args = parser.parse_args()
    modules = args.modules or kim_modules()

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
        missing = 0
        for module in modules:
            content = Translation.translation_export(LANG, module)
            path = os.path.join(ROOT, 'addons', module, 'locale', 'de.po')
            previous = existing(path)
            if args.check:
                # the sources as they are now, with the file's translations,
                # written beside: the file itself stays as it is
                path = os.path.join(tmp, '%s.po' % module)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'wb') as f:
                f.write(content or b'')
            keep(path, previous)
            entries = untranslated(path)
            missing += len(entries)
            print('%s: %d untranslated' % (module, len(entries)))
            if args.check:
                for entry in entries:
                    print('  %s %r' % (entry.msgctxt, entry.msgid))
        Transaction().rollback()
    return 1 if args.check and missing else 0


if __name__ == '__main__':
    sys.exit(main())
