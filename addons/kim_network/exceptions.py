# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import AccessError, ValidationError


class KommuneValidationError(ValidationError):
    pass


class ContactValidationError(ValidationError):
    pass


class PeriodError(ValidationError):
    pass


class ServiceValidationError(ValidationError):
    pass


class AgreementValidationError(ValidationError):
    pass


class AgreementError(UserError):
    pass


class AgreementWarning(UserWarning):
    pass


class WorkflowError(AccessError):
    "A client tried to move a workflow or set a field its buttons set"


class InputValidationError(ValidationError):
    "A value no user can mean"


class SignatureWarning(UserWarning):
    pass


class PartnerLinkError(UserError):
    pass
