"""Every model, wizard and report of a KIM module is named in its docs.

A maintainer looks a technical name up (``kim.funding.proof.line``,
``kim.case.plan.goal``) in the module's documentation. The test reads the
Python files of each module with ``ast``, collects the ``__name__`` of every
class (the models, wizards and reports the module defines, and the core or
KIM models it extends) and the Many2Many relation tables made by
``kim_network.common.relation``, and checks that each name is written, as
a whole name, in one of the module's ``doc/*.rst`` files (the reference section
lists them all). No database, no Tryton import.
"""
import ast
import re
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ROOT / 'addons'
MODULES = ['kim_network', 'kim_case', 'kim_steering', 'kim_reporting']


def class_names(path):
    """The `__name__` strings assigned in the classes of a Python file and
    the model names given to `relation(class_name, model_name, ...)`"""
    tree = ast.parse(path.read_text(encoding='utf-8'), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == 'relation'
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)):
            names.add(node.args[1].value)
        if not isinstance(node, ast.ClassDef):
            continue
        for statement in node.body:
            if (isinstance(statement, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == '__name__'
                        for t in statement.targets)
                    and isinstance(statement.value, ast.Constant)
                    and isinstance(statement.value.value, str)):
                names.add(statement.value.value)
    return names


def module_names(module):
    names = set()
    for path in sorted((ADDONS / module).glob('*.py')):
        names |= class_names(path)
    return names


def doc_text(module):
    return '\n'.join(
        p.read_text(encoding='utf-8')
        for p in sorted((ADDONS / module / 'doc').glob('*.rst')))


def named(name, text):
    "Whether name is in text as a whole name (kim.case not in kim.case.plan)"
    pattern = r'(?<![\w.\-])' + re.escape(name) + r'(?![\w\-]|\.\w)'
    return re.search(pattern, text) is not None


class DocsNameEveryModelTestCase(unittest.TestCase):
    maxDiff = None

    def test_helper_whole_names(self):
        self.assertTrue(named('kim.case', 'the case (``kim.case``).'))
        self.assertTrue(named('kim.case', 'extends kim.case.'))
        self.assertFalse(named('kim.case', '``kim.case.plan``'))
        self.assertFalse(named('kim.case', '``kim.case-party.party``'))
        self.assertFalse(named('party.party', '``kim.party.party``'))

    def test_modules_found(self):
        for module in MODULES:
            with self.subTest(module=module):
                self.assertTrue(module_names(module), module)
                self.assertTrue(doc_text(module), module)

    def test_every_name_in_docs(self):
        for module in MODULES:
            text = doc_text(module)
            missing = sorted(
                n for n in module_names(module) if not named(n, text))
            with self.subTest(module=module):
                self.assertEqual(
                    missing, [],
                    "not named in addons/%s/doc/*.rst" % module)


if __name__ == '__main__':
    unittest.main()
