# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import AccessError, ValidationError


class ClientValidationError(ValidationError):
    pass


class CaseValidationError(ValidationError):
    pass


class CaseClosedError(AccessError):
    pass


class CaseWorkflowError(UserError):
    pass


class CaseWarning(UserWarning):
    pass


class EraseError(UserError):
    pass


# Assessment, Hilfeplan and contacts (assessment.py, plan.py, contact.py)
class AssessmentValidationError(ValidationError):
    pass


class AssessmentReadOnlyError(AccessError):
    pass


class AssessmentError(UserError):
    pass


class PlanValidationError(ValidationError):
    pass


class PlanReadOnlyError(AccessError):
    pass


class PlanError(UserError):
    pass


class PlanWarning(UserWarning):
    pass


class ContactValidationError(ValidationError):
    pass


# Referrals, handovers and case conferences (referral.py, handover.py,
# conference.py)
class ReferralError(UserError):
    pass


class ReferralValidationError(ValidationError):
    pass


class ReferralOverrideError(AccessError):
    pass


class ReferralWarning(UserWarning):
    pass


class HandoverError(UserError):
    pass


class HandoverValidationError(ValidationError):
    pass


class HandoverWarning(UserWarning):
    pass


class ConferenceError(UserError):
    pass


class ConferenceValidationError(ValidationError):
    pass


# Schweigepflichtentbindung (consent.py)
class ConsentValidationError(ValidationError):
    pass


class ConsentReadOnlyError(AccessError):
    pass


class ConsentWarning(UserWarning):
    pass


# Access log (access_log.py)
class AccessLogError(AccessError):
    pass


# Access by organisation, team and role (access.py)
class UserAssignmentError(UserError):
    pass


class LinkAccessError(AccessError):
    pass


# Data-subject report (privacy.py)
class SubjectAccessError(UserError):
    pass


# Client documents (document.py)
class DocumentError(UserError):
    pass


# Network of the case and interpreters (case_network.py, interpreter.py)
class NetworkValidationError(ValidationError):
    pass


class DoubleCareWarning(UserWarning):
    pass


class InterpreterValidationError(ValidationError):
    pass


# Duplicate clients and their merge (client_duplicate.py)
class DuplicateWarning(UserWarning):
    pass


class MergeError(UserError):
    pass
