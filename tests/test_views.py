"""Every view of the KIM modules renders in the pinned web client.

sao 8.0 builds a list column or a form widget from the `widget` attribute of
a field, else from its type, through the tables
`Sao.View.TreeXMLViewParser.WIDGETS` and `Sao.View.FormXMLViewParser.WIDGETS`.
A name missing there makes the view fail in the browser ("ColumnFactory is
not a constructor", the form never finishes loading). The test reads both
tables from the sao sources the Makefile installs (`.sao/package`) and walks
every view of every model of the KIM modules through `fields_view_get`, as
the web client receives it. Without the sao sources it uses the tables of
sao 8.0.11 copied below, so the guard also runs where npm is missing.
"""
import re
import unittest
from pathlib import Path

from lxml import etree

from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction

ROOT = Path(__file__).resolve().parent.parent
SAO_JS = ROOT / '.sao' / 'package' / 'dist' / 'tryton-sao.js'
MODULES = ['kim_network', 'kim_case', 'kim_steering', 'kim_reporting']

# sao 8.0.11, for machines without the web client
FALLBACK = {
    'tree': {'binary', 'boolean', 'callto', 'char', 'date', 'dict', 'email',
        'float', 'image', 'integer', 'many2many', 'many2one', 'numeric',
        'one2many', 'one2one', 'progressbar', 'reference', 'selection',
        'multiselection', 'sip', 'text', 'time', 'timedelta', 'url'},
    'form': {'binary', 'boolean', 'callto', 'char', 'color', 'date',
        'datetime', 'dict', 'document', 'email', 'float', 'html', 'image',
        'integer', 'many2many', 'many2one', 'multiselection', 'numeric',
        'one2many', 'one2one', 'password', 'progressbar', 'pyson',
        'reference', 'richtext', 'selection', 'sip', 'text', 'time',
        'timedelta', 'timestamp', 'url'},
    }


def sao_widgets():
    "Return {'tree': names, 'form': names} of the widgets sao can build"
    if not SAO_JS.exists():
        return FALLBACK
    source = SAO_JS.read_text(encoding='utf-8')
    result = {}
    for kind, parser in [('tree', 'TreeXMLViewParser'),
            ('form', 'FormXMLViewParser')]:
        match = re.search(r'Sao\.View\.%s\.WIDGETS = \{(.*?)\};' % parser,
            source, re.S)
        assert match, 'no %s widget table in %s' % (parser, SAO_JS)
        result[kind] = set(re.findall(r"'(\w+)'\s*:", match.group(1)))
    return result


class ViewWidgetTestCase(unittest.TestCase):
    "Every field of every KIM view has a widget the web client can build"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module(MODULES)

    @with_transaction()
    def test_widgets(self):
        pool = Pool()
        View = pool.get('ir.ui.view')
        widgets = sao_widgets()
        views = View.search([('module', 'in', MODULES)])
        self.assertGreater(len(views), 50)
        problems = []
        checked = 0
        for view in views:
            if view.type not in {'tree', 'form'}:
                continue
            Model = pool.get(view.model)
            # the view as the client receives it (inherited views merged)
            view_id = view.inherit.id if view.inherit else view.id
            if view.inherit and view.inherit.model != view.model:
                view_id = None
            result = Model.fields_view_get(view_id=view_id,
                view_type=view.type)
            tree = etree.fromstring(result['arch'])
            fields = result['fields']
            for node in tree.iter('field'):
                name = node.get('name')
                widget = node.get('widget') or fields[name]['type']
                checked += 1
                if widget not in widgets[view.type]:
                    problems.append('%s %s (%s): field %s widget %s' % (
                            view.model, view.type, view.name or view.id,
                            name, widget))
        self.assertGreater(checked, 500)
        self.assertEqual(problems, [], '\n'.join(sorted(set(problems))))
