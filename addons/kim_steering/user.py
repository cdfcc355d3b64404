# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from trytond.model import fields
from trytond.modules.kim_case.access import _rule_context_cache
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction


class User(metaclass=PoolMeta):
    __name__ = 'res.user'
    kim_person = fields.Many2One('party.party', "Person in Committees",
        ondelete='SET NULL',
        domain=[('kim_organisation_type', '=', None)],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The person the user is in the committees of the KIM, "
        "e.g. for members from partner organisations without an employee "
        "record. Members read the committees they belong to.")

    @classmethod
    def get_kim_parties(cls):
        """The ids of the parties the current user is (person and
        employees), kept with the rule context of kim_case (cleared when a
        user or an assignment changes): every rule of the committee models
        asks for them"""
        pool = Pool()
        UserEmployee = pool.get('res.user-company.employee')
        Employee = pool.get('company.employee')
        user_id = Transaction().user
        if not user_id:
            return []
        key = ('kim_parties', user_id)
        parties = _rule_context_cache.get(key)
        if parties is not None:
            return list(parties)
        user = cls.__table__()
        user_employee = UserEmployee.__table__()
        employee = Employee.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*user.select(user.kim_person,
                where=user.id == user_id))
        parties = {p for p, in cursor if p is not None}
        cursor.execute(*user_employee.join(employee,
                condition=user_employee.employee == employee.id
                ).select(employee.party,
                where=user_employee.user == user_id))
        parties.update(p for p, in cursor if p is not None)
        parties = tuple(sorted(parties))
        _rule_context_cache.set(key, parties)
        return list(parties)
