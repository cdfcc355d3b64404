# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction


# Record rules may use the parties the user is ("kim_parties"); the user id
# is "user_id" of kim_case (access.py)
class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    @classmethod
    def _get_cache_key(cls, model_names):
        key = super()._get_cache_key(model_names)
        if set(model_names) & STEERING_MODELS:
            User = Pool().get('res.user')
            key = (*key, Transaction().user, tuple(User.get_kim_parties()))
        return key

    @classmethod
    def _get_context(cls, model_name):
        context = super()._get_context(model_name)
        if model_name in STEERING_MODELS:
            User = Pool().get('res.user')
            context['kim_parties'] = User.get_kim_parties()
        return context


STEERING_MODELS = {
    'kim.committee',
    'kim.committee.meeting',
    'kim.barrier_report.case',
    'kim.case_reconstruction.case',
    }


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('kim.committee.task|remind_overdue',
                "Remind Owners of Overdue Committee Tasks"))
