# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import ValidationError


class CommitteeValidationError(ValidationError):
    pass


class CommitteeError(UserError):
    pass


class MeetingValidationError(ValidationError):
    pass


class MeetingError(UserError):
    pass


class MeetingWarning(UserWarning):
    pass


class DecisionValidationError(ValidationError):
    pass


class DecisionError(UserError):
    pass


class TaskError(UserError):
    pass


class TopicError(UserError):
    pass


class BarrierReportValidationError(ValidationError):
    pass


class BarrierReportError(UserError):
    pass


class ReconstructionError(UserError):
    pass
