# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase


class KimReportingTestCase(CompanyTestMixin, ModuleTestCase):
    "Test KIM Reporting module"
    module = 'kim_reporting'


del ModuleTestCase
