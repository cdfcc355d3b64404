# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from trytond.tests.test_tryton import ModuleTestCase


class KimCaseTestCase(ModuleTestCase):
    "Test KIM Case module"
    module = 'kim_case'


del ModuleTestCase
