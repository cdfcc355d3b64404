# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from trytond.model import fields
from trytond.pool import PoolMeta
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
        "The ids of the parties the current user is (person and employees)"
        user_id = Transaction().user
        if not user_id:
            return []
        user = cls(user_id)
        parties = set()
        if user.kim_person:
            parties.add(user.kim_person.id)
        for employee in user.employees:
            if employee.party:
                parties.add(employee.party.id)
        return sorted(parties)
