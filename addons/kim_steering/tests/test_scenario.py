# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from trytond.modules.kim_network.tests.tools import scenario_test_case

ScenarioTestCase = scenario_test_case(__name__, __file__)
