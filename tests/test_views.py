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

from trytond.modules.kim_network.tests.tools import FreshDatabaseMixin
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

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


class ViewWidgetTestCase(FreshDatabaseMixin, unittest.TestCase):
    "Every field of every KIM view has a widget the web client can build"

    modules = MODULES

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
                # sao groups the digits of integers: a year reads "2.025"
                if (fields[name]['type'] == 'integer'
                        and (name == 'year' or (name.endswith('_year')
                                and not name.endswith('per_year')))
                        and node.get('grouping') != '0'):
                    problems.append('%s %s (%s): year %s without '
                        'grouping="0"' % (view.model, view.type,
                            view.name or view.id, name))
        self.assertGreater(checked, 500)
        self.assertEqual(problems, [], '\n'.join(sorted(set(problems))))

    @with_transaction()
    def test_report_page_style(self):
        "The HTML reports print the one shared page style"
        from trytond.modules.kim_network.common import (
            PageStyleMixin, page_style)
        pool = Pool()
        ActionReport = pool.get('ir.action.report')
        reports = ActionReport.search([('module', 'in', MODULES),
                ('template_extension', '=', 'html')])
        self.assertGreaterEqual(len(reports), 6)
        self.assertIn('@page', page_style())
        for report in reports:
            with self.subTest(report=report.report_name):
                Report = pool.get(report.report_name, type='report')
                self.assertTrue(issubclass(Report, PageStyleMixin))
                template = (ROOT / 'addons' / report.report).read_text()
                self.assertIn('<style>\n${page_style}\n', template)
                self.assertNotIn('size: A4', template)


class WebRootTestCase(unittest.TestCase):
    "The web root serves the KIM Suite's custom.js and custom.css"

    def test_custom_files_served(self):
        "make sao copies them into the web root, which serves them"
        import shutil
        import subprocess
        import tempfile

        from werkzeug.test import Client
        from werkzeug.wrappers import Response

        from trytond.wsgi import SharedDataMiddlewareIndex

        if not shutil.which('make'):
            self.skipTest('no make')
        with tempfile.TemporaryDirectory() as tmp:
            web_root = Path(tmp, 'package')
            (web_root / 'dist').mkdir(parents=True)
            (web_root / 'dist' / 'tryton-sao.js').write_text('')
            subprocess.run(['make', '-s', '-C', str(ROOT),
                    'SAO_DIR=%s' % web_root, str(web_root / 'custom.js'),
                    str(web_root / 'custom.css')], check=True)
            app = SharedDataMiddlewareIndex(
                Response('not found', status=404), {'/': str(web_root)})
            client = Client(app)
            for name in ['custom.js', 'custom.css']:
                response = client.get('/' + name)
                self.assertEqual(response.status_code, 200, name)
                self.assertEqual(response.get_data(),
                    (ROOT / 'web' / name).read_bytes())
        source = (ROOT / 'web' / 'custom.js').read_text()
        self.assertIn("Sao.config.title = 'KIM Suite'", source)
        for script in ['tools/demo.sh', 'tools/serve.sh']:
            self.assertIn('cp "$root/web/custom.js" "$root/web/custom.css" '
                '"$root/.sao/package/"', (ROOT / script).read_text(), script)
        self.assertRegex((ROOT / 'Makefile').read_text(),
            r'\nsao: .*\$\(SAO_DIR\)/custom\.js \$\(SAO_DIR\)/custom\.css')

    # the stub of sao that web/custom.js patches, for node
    SAO_STUB = r"""
const assert = require('assert');
function Form() {}
Form.prototype = {};
function Selection() {}
Selection.prototype = {};
Form.Selection = Selection;
global.Sao = {config: {}, View: {Form: Form}};
global.document = {};
"""

    def node(self, script):
        "Run script with custom.js loaded into the stub of sao; it prints ok"
        import shutil
        import subprocess
        node = shutil.which('node')
        if not node:
            self.skipTest('no node')
        script = self.SAO_STUB + script.replace(
            'LOAD_CUSTOM_JS', 'require(process.argv[1]);')
        result = subprocess.run([node, '-e', script,
                str(ROOT / 'web' / 'custom.js')],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), 'ok')

    def sao_block(self, start, end):
        "The source of sao between start and end (when sao is built)"
        if not SAO_JS.exists():
            return None
        source = SAO_JS.read_text(encoding='utf-8')
        index = source.index(start)
        return source[index:source.index(end, index)]

    def test_selection_redraw(self):
        """custom.js keeps a selection's value while sao redraws it: a button
        clicked meanwhile does not read it as empty (issue 17)"""
        block = self.sao_block('Sao.View.Form.Selection = Sao.class_(',
            'Sao.View.Form.Boolean')
        if block is not None:
            for method in ['display_update_selection: function',
                    'focus_out.bind(this)', 'set_value: function']:
                self.assertIn(method, block)
        # sao's behaviour: a redraw empties the options (the value reads
        # null) and selects the value one tick later
        self.node(r"""
function Deferred() {
    let callbacks = [], done = false;
    return {
        resolve() { done = true; callbacks.forEach(c => c()); },
        always(c) { if (done) { c(); } else { callbacks.push(c); } },
    };
}
const record = {decision: 'case_management'};
Object.assign(Selection.prototype, {
    display_update_selection() {
        this.shown = null;
        const prm = Deferred();
        setTimeout(() => { this.shown = record.decision; prm.resolve(); });
        return prm;
    },
    focus_out() { this.set_value(); },
    set_value() { record.decision = this.shown; },
});
LOAD_CUSTOM_JS
assert.strictEqual(document.title, 'KIM Suite');
const widget = new Selection();
widget.shown = record.decision;
widget.display_update_selection();
widget.set_value();  // the button, while the options are rebuilt
assert.strictEqual(record.decision, 'case_management');
setTimeout(() => {
    widget.set_value();
    assert.strictEqual(record.decision, 'case_management');
    widget.display_update_selection();
    widget.shown = 'referral';  // the user's own choice counts at once
    widget.focus_out();
    assert.strictEqual(record.decision, 'referral');
    console.log('ok');
}, 10);
""")

    def test_form_reload(self):
        """custom.js takes from a form's widgets only the loaded fields of a
        saved record: a form closed while its record reloads after a wizard
        does not ask to save the old values"""
        block = self.sao_block('Sao.View.Form = Sao.class_(',
            'Sao.View.Form.Container')
        if block is not None:
            # the methods custom.js replaces, as sao 8.0 has them
            set_value = block[block.index('        set_value: function() {'):]
            set_value = set_value[:set_value.index('\n        },') + 11]
            self.assertEqual(' '.join(set_value.split()), ' '.join("""
                set_value: function() {
                    var record = this.record;
                    if (record) {
                        for (var name in this.widgets) {
                            if (name in record.model.fields) {
                                var widgets = this.widgets[name];
                                var field = record.model.fields[name];
                                for (const widget of widgets) {
                                    widget.set_value(record, field);
                                }
                            }
                        }
                    }
                },""".split()))
            self.assertIn('loaded = loaded.union(new Set(Object.keys('
                'this.modified_fields)));', SAO_JS.read_text(encoding='utf-8'))
            modified = block[block.index('        get modified() {'):]
            modified = modified[:modified.index('\n        },') + 11]
            self.assertEqual(' '.join(modified.split()), ' '.join("""
                get modified() {
                    for (var name in this.widgets) {
                        var widgets = this.widgets[name];
                        for (const widget of widgets) {
                            if (widget.modified) {
                                return true;
                            }
                        }
                    }
                    return false;
                },""".split()))
        self.node(r"""
LOAD_CUSTOM_JS
// sao's Record.get_loaded
function get_loaded(fields) {
    return (this.id < 0) || fields.every(
        (f) => (f in this._loaded) || (f in this.modified_fields));
}
const written = [];
function widget(name) {
    return {modified: true, set_value(record, field) { written.push(name); }};
}
const form = new Form();
form.widgets = {number: [widget('number')], state: [widget('state')],
    label: [widget('label')]};
form.widgets.label[0].modified = false;  // not a field of the record
// the record reloads: "state" is read again, "number" is loaded
form.record = {id: 7, model: {fields: {number: {}, state: {}}},
    _loaded: {number: true}, modified_fields: {}, get_loaded};
form.set_value();
assert.deepStrictEqual(written, ['number']);
// a field modified before it was loaded (a widget left during the reload)
form.record.modified_fields.state = true;
written.length = 0;
form.set_value();
assert.deepStrictEqual(written, ['number', 'state']);
delete form.record.modified_fields.state;
form.widgets.number[0].modified = false;
assert.strictEqual(form.modified, false);
form.record._loaded.state = true;
assert.strictEqual(form.modified, true);
// a new record: every widget counts
written.length = 0;
form.record = {id: -1, model: {fields: {number: {}, state: {}}},
    _loaded: {}, modified_fields: {}, get_loaded};
form.set_value();
assert.deepStrictEqual(written, ['number', 'state']);
form.record = null;
form.set_value();
assert.strictEqual(form.modified, true);
console.log('ok');
""")


# Words that are the same in German and English
SAME_IN_GERMAN = {
    'Name', 'Code', 'Status', 'Team', 'E-Mail', 'ID', 'Start', 'Text',
    'Detail', 'Dimension', 'Evaluation', 'Format', 'Hybrid', 'Moderation',
    'Monitoring', 'Organisation', 'Situation', 'Video', 'Assessment',
    'Assessments', 'Case', 'Management', 'Clearing', 'KI', 'Mail',
    'Person', 'Version', 'KIM', 'AGS', 'CSV',
    }
# German terms of the field (the sources name them in German)
KIM_TERMS = {
    'Anfrage', 'Arbeitsauftrag', 'Arbeitsgruppe', 'Projektgruppe', 'Auftrag',
    'Austauschforum', 'Baustein', 'Bausteine', 'Begleitgremium', 'Beschluss',
    'Dienstbesprechung', 'Doppelstruktur', 'Empfehlung', 'Erstberatung',
    'Facharbeitskreis', 'Fachaufsicht', 'Fachbezogene', 'Pauschale',
    'Fallkonferenz', 'Runde', 'Fallrekonstruktion', 'Finanzierungsplan',
    'Handlungsfeld', 'Handlungsfelder', 'Hauptziel', 'Hilfeplan',
    'Informationsfluss', 'Kommunales', 'Integrationszentrum', 'Kommune',
    'Kommunen', 'Lenkungsgruppe', 'Planungskonferenz', 'Rechtliche',
    'Rechtskreis', 'Rechtskreise', 'Sachbericht', 'Schnittstellenproblem',
    'Sonstige', 'Sprachbarriere', 'Sprachmittlung', 'Stellenplan',
    'Unterarbeitsgruppe', 'Verweisberatung', 'Verwendungsnachweis',
    'Wartezeit', 'Weiterleitungsvertrag', 'Wiedervorlage', 'Kennzahlen',
    'Fallrekonstruktionen', 'Schweigepflichtentbindung',
    'Schweigepflichtentbindungen', 'Themenspeicher', 'Verwendungsnachweise',
    'Weiterleitungen', 'Wohnsitzauflage', 'Zwischennachweis', 'Duldung',
    }
ATTRIBUTES = ['string', 'help', 'confirm', 'sum']


def load_german():
    "Load the German translations of every activated module"
    import importlib
    import os
    pool = Pool()
    Lang = pool.get('ir.lang')
    Module = pool.get('ir.module')
    Translation = pool.get('ir.translation')
    lang, = Lang.search([('code', '=', 'de')])
    lang.translatable = True
    lang.save()
    for module in Module.search([('state', '=', 'activated')]):
        package = importlib.import_module('trytond.modules.%s' % module.name
            if module.name not in {'ir', 'res'} else 'trytond.' + module.name)
        path = os.path.join(os.path.dirname(package.__file__), 'locale',
            'de.po')
        if os.path.exists(path):
            Translation.translation_import('de', module.name, path)


def english(text):
    """Whether a text the German client shows as its source is English:
    no umlaut or sharp s and a word neither a term of the field nor the same
    in both languages"""
    if re.search('[äöüÄÖÜß]', text or ''):
        return False
    for word in re.findall(r'[^\W\d_]{2,}', text or ''):
        if word not in SAME_IN_GERMAN and word not in KIM_TERMS:
            return True
    return False


class GermanViewTestCase(FreshDatabaseMixin, unittest.TestCase):
    "Every label and selection of the KIM views is German"

    modules = MODULES

    def view_texts(self, Model, view_id, view_type):
        "Return {key: text} of the strings the client shows for the view"
        result = Model.fields_view_get(view_id=view_id, view_type=view_type)
        texts = {}
        tree = etree.fromstring(result['arch'])
        for node in tree.iter():
            if not isinstance(node.tag, str):
                continue
            for attribute in ATTRIBUTES:
                if node.get(attribute):
                    key = '<%s name=%s id=%s> %s' % (node.tag,
                        node.get('name'), node.get('id'), attribute)
                    texts[key] = node.get(attribute)
        for name, definition in result['fields'].items():
            field = '%s.%s' % (Model.__name__, name)
            for attribute in ['string', 'help']:
                texts['%s %s' % (field, attribute)] = definition.get(
                    attribute)
            selection = definition.get('selection')
            if isinstance(selection, list):
                for value, label in selection:
                    texts['%s selection %s' % (field, value)] = label
        return texts

    @with_transaction()
    def test_german_labels(self):
        pool = Pool()
        View = pool.get('ir.ui.view')
        load_german()
        views = View.search([('module', 'in', MODULES)])
        findings = {}
        for view in views:
            if view.type not in {'tree', 'form', 'graph', 'calendar'}:
                continue
            Model = pool.get(view.model)
            view_id = view.inherit.id if view.inherit else view.id
            if view.inherit and view.inherit.model != view.model:
                view_id = None
            with Transaction().set_context(language='en'):
                source = self.view_texts(Model, view_id, view.type)
            with Transaction().set_context(language='de'):
                german = self.view_texts(Model, view_id, view.type)
            for key, text in german.items():
                if text == source.get(key) and english(text):
                    findings.setdefault(text, set()).add(
                        '%s %s' % (view.model, key))
        # the menus, the actions (window titles, print and wizard entries)
        ModelData = pool.get('ir.model.data')
        for model in ['ir.ui.menu', 'ir.action.act_window',
                'ir.action.report', 'ir.action.wizard',
                'ir.action.act_window.domain']:
            Model = pool.get(model)
            ids = [d.db_id for d in ModelData.search([
                        ('module', 'in', MODULES), ('model', '=', model)])]
            with Transaction().set_context(language='en'):
                source = {r.id: r.name for r in Model.browse(ids)}
            with Transaction().set_context(language='de'):
                for record in Model.browse(ids):
                    if (record.name == source[record.id]
                            and english(record.name)):
                        findings.setdefault(record.name, set()).add(
                            '%s %s' % (model, record.id))
        # a tab of one state is named as the state (issue 17: the tab
        # "Aufnahme" listed the cases in "Erstberatung")
        from trytond.pyson import PYSONDecoder
        Domain = pool.get('ir.action.act_window.domain')
        tabs = Domain.browse([d.db_id for d in ModelData.search([
                        ('module', 'in', MODULES),
                        ('model', '=', 'ir.action.act_window.domain')])])
        for tab in tabs:
            domain = PYSONDecoder().decode(tab.domain or '[]')
            if not (len(domain) == 1 and domain[0][0] == 'state'
                    and domain[0][1] == '='):
                continue
            Model = pool.get(tab.act_window.res_model)
            names = {}
            for language in ['en', 'de']:
                with Transaction().set_context(language=language):
                    states = dict(Model.fields_get(['state'])['state'][
                            'selection'])
                    names[language] = (Domain(tab.id).name,
                        states[domain[0][2]])
            # a tab named as its state in English is so in German
            tab_name, state_name = names['de']
            if names['en'][0] == names['en'][1] and tab_name != state_name:
                findings.setdefault(tab_name, set()).add(
                    'tab of %s in state %s (%s)' % (Model.__name__,
                        domain[0][2], state_name))
        self.assertEqual(findings, {}, '\n'.join('%r: %s' % (
                        t, ', '.join(sorted(k)[:3]))
                for t, k in sorted(findings.items())))


class ViewPysonTestCase(unittest.TestCase):
    "PYSON attributes come from the server, encoded as sao reads them"

    def test_no_pyson_text_in_views(self):
        """A `visual` written as text in a view's XML is not PYSON for the
        web client: sao then renders no row at all (the Wiedervorlage
        showed its count and no line). view_attributes() gives it."""
        found = [str(path.relative_to(ROOT))
            for path in sorted(ROOT.glob('addons/*/view/*.xml'))
            if 'visual="' in path.read_text(encoding='utf-8')]
        self.assertEqual(found, [])
