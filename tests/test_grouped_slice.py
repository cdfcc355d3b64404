# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Every grouped_slice of the KIM modules is given its size.

In trytond 8.0 grouped_slice(records) without a size is deprecated and cuts
the records into slices of ONE: a loop ``for sub_ids in
grouped_slice(ids): cursor.execute(...)`` sends one query per record (the
access log of a list of 100 clients sent 75 queries, the rule and workflow
checks likewise). The modules pass Transaction().database.IN_MAX.
"""
import ast
import pathlib
import unittest
import warnings

ADDONS = pathlib.Path(__file__).resolve().parent.parent / 'addons'


def calls_without_size():
    "(path, line) of the grouped_slice calls with one argument"
    found = []
    for path in sorted(ADDONS.rglob('*.py')):
        tree = ast.parse(path.read_text(encoding='utf-8'), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = (func.id if isinstance(func, ast.Name)
                else func.attr if isinstance(func, ast.Attribute) else None)
            if name != 'grouped_slice':
                continue
            sized = len(node.args) >= 2 or any(
                k.arg == 'count' for k in node.keywords)
            if not sized:
                found.append('%s:%d' % (path.relative_to(ADDONS),
                        node.lineno))
    return found


class GroupedSliceTestCase(unittest.TestCase):

    def test_unsized_slices_are_single_records(self):
        "trytond slices one record at a time without a size"
        from trytond.tools import grouped_slice
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', DeprecationWarning)
            slices = [list(s) for s in grouped_slice([1, 2, 3])]
        self.assertEqual(slices, [[1], [2], [3]])
        self.assertEqual([list(s) for s in grouped_slice([1, 2, 3], 1000)],
            [[1, 2, 3]])

    def test_modules_pass_a_size(self):
        "no grouped_slice in the modules without its size"
        self.assertEqual(calls_without_size(), [])
