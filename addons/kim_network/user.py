# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Login hardening of the KIM Suite for every user:

- failed logins are counted over a short window ``[kim]
  login_attempt_window`` (seconds) instead of the session timeout, so that
  ``[session] max_attempt`` slows an attacker down without locking the
  person out for hours (a device that logged in before is counted apart);
- an unknown login costs the same password check as a known one, so the
  answer time does not tell which logins exist;
- ``[password] entropy``: the share of distinct characters a password must
  have (besides Tryton's ``length`` and ``forbidden``);
- one's own password changes only in the preferences, with the current
  password."""
import datetime
import secrets

from trytond.config import config
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.res.exceptions import PasswordError
from trytond.transaction import Transaction

_DUMMY_HASH = []


def _dummy_hash(User):
    "A hash of a random password, computed once per process"
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(User.hash_password(secrets.token_hex(16)))
    return _DUMMY_HASH[0]


class User(metaclass=PoolMeta):
    __name__ = 'res.user'
    kim_current_password = fields.Function(fields.Char(
            "Current Password", strip=False,
            help="Needed to change your password."),
        'get_kim_current_password')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._preferences_fields.append('kim_current_password')

    def get_kim_current_password(self, name):
        return None

    @classmethod
    def _login_password(cls, login, parameters):
        # computed on the first login of the process, known or not
        dummy_hash = _dummy_hash(cls)
        user_id, password_hash, _ = cls._get_login(login)
        if not (user_id and password_hash) and 'password' in parameters:
            # the same work as for a login that exists
            cls.check_password(parameters['password'], dummy_hash)
        return super()._login_password(login, parameters)

    @classmethod
    def validate_password(cls, password, users):
        super().validate_password(password, users)
        entropy = config.getfloat('password', 'entropy', default=0)
        if entropy and password:
            if len(set(password)) / len(password) < entropy:
                raise PasswordError(gettext(
                        'kim_network.msg_password_entropy'))

    @classmethod
    def set_preferences(cls, values):
        values = values.copy()
        current = values.pop('kim_current_password', None)
        password = values.get('password')
        transaction = Transaction()
        if password and password != 'x' * 10 and transaction.user:
            user = cls(transaction.user)
            _, password_hash, _ = cls._get_login(user.login)
            valid = bool(current and password_hash
                and cls.check_password(current, password_hash)[0])
            if not valid:
                raise PasswordError(gettext(
                        'kim_network.msg_password_current'))
            with transaction.set_context(_kim_password_verified=True):
                return super().set_preferences(values)
        return super().set_preferences(values)

    @classmethod
    def set_password(cls, users, name, value):
        transaction = Transaction()
        if (value and value != 'x' * 10 and transaction.user
                and transaction.user in {u.id for u in users}
                and not transaction.context.get('_kim_password_verified')):
            raise PasswordError(gettext('kim_network.msg_password_current'))
        super().set_password(users, name, value)


class LoginAttempt(metaclass=PoolMeta):
    __name__ = 'res.user.login.attempt'

    @staticmethod
    def delay():
        window = config.getint('kim', 'login_attempt_window', default=0)
        if not window:
            window = config.getint('session', 'timeout')
        return datetime.datetime.now() - datetime.timedelta(seconds=window)
