# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from trytond.tests.test_tryton import ModuleTestCase


class KimNetworkTestCase(ModuleTestCase):
    "Test KIM Network module"
    module = 'kim_network'


del ModuleTestCase
