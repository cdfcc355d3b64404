# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from trytond.model import ModelSQL, ModelView, Workflow, fields


class Case(Workflow, ModelSQL, ModelView):
    "KIM Case"
    __name__ = 'kim.case'
    _history = True
    number = fields.Char("Number", readonly=True)
    state = fields.Selection([
            ('intake', "Intake"),
            ('assessment', "Assessment"),
            ('planning', "Planning"),
            ('implementation', "Implementation"),
            ('closing', "Closing"),
            ('closed', "Closed"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True)

    @classmethod
    def default_state(cls):
        return 'intake'

    # Hooks for extensions (assessment, Hilfeplan)
    def check_can_plan(self):
        "Raise a UserError if the case cannot move to planning"

    def check_can_implement(self):
        "Raise a UserError if the case cannot move to implementation"

    def get_goal_attainment(self, name):
        return None

    @classmethod
    def _due_queries(cls):
        "Return python-sql queries of kim.case.due rows"
        return []
