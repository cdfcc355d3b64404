# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Record rules by organisation, team and role (see access.xml).

The rules of access.xml evaluate with the employees the user acts as
(``employees``), the user id (``kim_user``) and whether the user is in the
Fachaufsicht (``kim_case_supervisor``) besides the ``groups`` and
``companies`` that ir and company provide."""
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .gate import is_supervisor

# Prefixes of the models whose rules depend on the user, not only on the
# groups: the domain cache of their rules is kept per user.
_USER_RULE_PREFIXES = ('kim.case', 'kim.client', 'kim.consent',
    'kim.access_log')
_USER_RULE_MODELS = {'party.party'}


def _user_rules(model_names):
    return any(n in _USER_RULE_MODELS or n.startswith(_USER_RULE_PREFIXES)
        for n in model_names)


# the one "is Fachaufsicht" of the suite
is_case_supervisor = is_supervisor


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.domain.help += (
            '\n- "employees" as list of ids of the employees of the user'
            '\n- "kim_user" as the id of the user'
            '\n- "kim_case_supervisor" if the user is in the Fachaufsicht')

    @classmethod
    def _get_cache_key(cls, model_names):
        key = super()._get_cache_key(model_names)
        if _user_rules(model_names):
            User = Pool().get('res.user')
            key = (*key, Transaction().user, tuple(User.get_employees()))
        return key

    @classmethod
    def _get_context(cls, model_name):
        User = Pool().get('res.user')
        context = super()._get_context(model_name)
        context['employees'] = list(User.get_employees())
        context['kim_user'] = Transaction().user
        context['kim_case_supervisor'] = is_case_supervisor()
        return context
