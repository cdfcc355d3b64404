# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import ValidationError


class FundingValidationError(ValidationError):
    pass


class FundingError(UserError):
    pass


class FundingWarning(UserWarning):
    pass


class StellenplanWarning(UserWarning):
    pass


class ProofError(UserError):
    pass


class ProofWarning(UserWarning):
    pass


class IndicatorError(UserError):
    pass


class IndicatorValidationError(ValidationError):
    pass
