# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Partner links: signed, expiring, single-purpose links for the partners of
the network who have no account (answer a referral, report a barrier, answer
a meeting invitation).

A link is a random token (``secrets.token_urlsafe``) made of a public
selector and a secret verifier. Only the selector and the SHA-256 hash of
the verifier are stored; the token itself is sent once by e-mail and never
kept. A request finds the link by its selector and compares the hash of the
verifier in constant time (``hmac.compare_digest``), also against a dummy
hash when no link has the selector, so that the answer time does not tell
whether a selector exists.

The page of a link is served by the Tryton server (``trytond.wsgi.app``
route ``/<database>/kim/link/<token>``); every request is logged in
``kim.partner.link.use``, is rate-limited per link and per IP address, and
an invalid, expired, revoked, used up or foreign token gets one and the same
plain refusal page without any data. The purposes (``referral``,
``barrier_report``, ``meeting``) are added by the modules that own the
records; each provides ``_page_<purpose>`` and ``_submit_<purpose>``."""
import datetime as dt
import hashlib
import hmac
import html
import logging
import secrets
from urllib.parse import quote

from sql.aggregate import Count

from trytond.config import config
from trytond.exceptions import UserError, UserWarning
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction

from .exceptions import PartnerLinkError

logger = logging.getLogger(__name__)

DEFAULT_DAYS = 30
SELECTOR_BYTES = 9      # 12 characters
VERIFIER_BYTES = 32     # 43 characters
_DUMMY_HASH = hashlib.sha256(b'kim-partner-link-dummy').hexdigest()


def _hash(verifier):
    return hashlib.sha256(verifier.encode('utf-8')).hexdigest()


def new_token():
    "Return (token, selector, verifier hash) of a new random token"
    selector = secrets.token_urlsafe(SELECTOR_BYTES)
    verifier = secrets.token_urlsafe(VERIFIER_BYTES)
    return '%s.%s' % (selector, verifier), selector, _hash(verifier)


def split_token(token):
    "Return (selector, verifier) of a well-formed token or (None, None)"
    if not isinstance(token, str) or len(token) > 100:
        return None, None
    selector, sep, verifier = token.partition('.')
    if (not sep or len(selector) != 12 or len(verifier) < 40
            or not all(c.isalnum() or c in '-_' for c in selector + verifier)):
        return None, None
    return selector, verifier


def base_url():
    "The address under which partners reach the server"
    return (config.get('kim', 'partner_link_url', default='')
        or 'http://localhost:8000').rstrip('/')


class PartnerInputError(UserError):
    "What the partner entered cannot be taken (shown on the page)"


class PartnerLink(ModelSQL, ModelView):
    __string__ = "Partner Link"
    __name__ = 'kim.partner.link'
    _rec_name = 'selector'

    selector = fields.Char("Selector", readonly=True, required=True,
        help="The public part of the token; the secret part is stored as a "
        "hash only.")
    token_hash = fields.Char("Token Hash", readonly=True, required=True)
    purpose = fields.Selection([], "Purpose", readonly=True, required=True)
    purpose_string = purpose.translated('purpose')
    resource = fields.Reference("Record", selection='get_resources',
        readonly=True, required=True)
    party = fields.Many2One('party.party', "Recipient", readonly=True,
        ondelete='RESTRICT',
        help="The organisation or person the link was sent to.")
    email = fields.Char("E-Mail", readonly=True)
    expiry = fields.DateTime("Expires", readonly=True, required=True)
    max_uses = fields.Integer("Maximum Answers", readonly=True,
        help="How many answers the link takes; empty for no limit "
        "before it expires.")
    uses = fields.Integer("Answers", readonly=True)
    consumed = fields.Boolean("Used Up", readonly=True,
        help="The record was answered for good; the link opens no more.")
    revoked = fields.Boolean("Revoked", readonly=True)
    revoked_by = fields.Many2One('res.user', "Revoked by", readonly=True,
        ondelete='RESTRICT')
    revoked_at = fields.DateTime("Revoked at", readonly=True)
    created_by = fields.Many2One('res.user', "Created by", readonly=True,
        ondelete='RESTRICT')
    requests = fields.One2Many('kim.partner.link.use', 'link', "Requests",
        readonly=True)
    state = fields.Function(fields.Selection([
                ('valid', "Valid"),
                ('expired', "Expired"),
                ('revoked', "Revoked"),
                ('used', "Used Up"),
                ], "State"), 'get_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.selector, Index.Equality(cardinality='high'))),
                Index(t, (t.resource, Index.Equality())),
                })
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'revoke': {
                    'invisible': Bool(Eval('revoked')),
                    'icon': 'tryton-cancel',
                    'depends': ['revoked'],
                    },
                })

    @classmethod
    def default_uses(cls):
        return 0

    @classmethod
    def get_resources(cls):
        pool = Pool()
        Model = pool.get('ir.model')
        names = cls._resource_models()
        models = Model.search([('name', 'in', names)])
        return [(None, '')] + [(m.name, m.string) for m in models]

    @classmethod
    def _resource_models(cls):
        "The models the links point to (extended by the modules)"
        return ['party.party']

    def get_state(self, name):
        if self.revoked:
            return 'revoked'
        if self.consumed or (
                self.max_uses and (self.uses or 0) >= self.max_uses):
            return 'used'
        if self.expiry and self.expiry <= dt.datetime.now():
            return 'expired'
        return 'valid'

    @classmethod
    def check_modification(cls, mode, links, values=None, external=False):
        super().check_modification(
            mode, links, values=values, external=external)
        if external:
            raise PartnerLinkError(gettext('kim_network.msg_link_readonly'))

    @classmethod
    def copy(cls, links, default=None):
        if links:
            raise PartnerLinkError(gettext('kim_network.msg_link_readonly'))
        return super().copy(links, default=default)

    # --- creation, revocation ------------------------------------------------

    @classmethod
    def link_days(cls):
        pool = Pool()
        Configuration = pool.get('kim.configuration')
        return Configuration(1).partner_link_days or DEFAULT_DAYS

    @classmethod
    def issue(cls, purpose, resource, party=None, email=None, days=None,
            max_uses=None, revoke_previous=True):
        """Create a link and return (link, token); the token is never
        stored. Earlier valid links of the same purpose, record and
        recipient are revoked."""
        if revoke_previous:
            domain = [
                ('purpose', '=', purpose),
                ('resource', '=', str(resource)),
                ('revoked', '=', False),
                ]
            if party:
                domain.append(('party', '=', party.id))
            cls._revoke(cls.search(domain))
        token, selector, token_hash = new_token()
        if days is None:
            days = cls.link_days()
        link = cls(selector=selector, token_hash=token_hash,
            purpose=purpose, resource=resource, party=party, email=email,
            expiry=dt.datetime.now() + dt.timedelta(days=days),
            max_uses=max_uses, uses=0, consumed=False, revoked=False,
            created_by=Transaction().user or None)
        link.save()
        return link, token

    @classmethod
    def url(cls, token):
        return '%s/%s/kim/link/%s' % (base_url(),
            quote(Transaction().database.name), token)

    @classmethod
    @ModelView.button
    def revoke(cls, links):
        cls._revoke(links)

    @classmethod
    def _revoke(cls, links):
        links = [l for l in links if not l.revoked]
        if links:
            cls.write(links, {
                    'revoked': True,
                    'revoked_by': Transaction().user or None,
                    'revoked_at': dt.datetime.now(),
                    })

    @classmethod
    def consume(cls, links):
        "The records are answered for good: the links open no more"
        links = [l for l in links if not l.consumed]
        if links:
            cls.write(links, {'consumed': True})

    @classmethod
    def for_resource(cls, resource, purpose=None):
        domain = [('resource', '=', str(resource))]
        if purpose:
            domain.append(('purpose', '=', purpose))
        return cls.search(domain)

    # --- HTTP ----------------------------------------------------------------

    @classmethod
    def find(cls, token):
        """Return the link of token whatever its state, or None; the hash is
        compared in constant time"""
        selector, verifier = split_token(token)
        links = cls.search([('selector', '=', selector)], limit=1) \
            if selector else []
        link = links[0] if links else None
        expected = link.token_hash if link else _DUMMY_HASH
        actual = _hash(verifier or '')
        if hmac.compare_digest(expected, actual) and link:
            return link
        return None

    def refusal_reason(self):
        "Why the link opens no page, or None"
        state = self.state
        if state != 'valid':
            return state
        if not self.resource or self.resource.id is None or (
                self.resource.id < 0):
            return 'invalid'
        return None

    @classmethod
    def rate_limited(cls, ip, selector):
        "Whether the IP address or the link made too many requests"
        pool = Pool()
        Use = pool.get('kim.partner.link.use')
        use = Use.__table__()
        window = config.getint('kim', 'partner_link_window', default=600)
        per_ip = config.getint('kim', 'partner_link_max_ip', default=30)
        per_link = config.getint('kim', 'partner_link_max_link', default=20)
        since = dt.datetime.now() - dt.timedelta(seconds=window)
        cursor = Transaction().connection.cursor()
        cursor.execute(*use.select(Count(use.id),
                where=(use.ip == (ip or '')) & (use.date >= since)))
        count_ip, = cursor.fetchone()
        if count_ip >= per_ip:
            return True
        if selector:
            cursor.execute(*use.select(Count(use.id),
                    where=(use.selector == selector) & (use.date >= since)))
            count_link, = cursor.fetchone()
            if count_link >= per_link:
                return True
        return False

    @classmethod
    def log_use(cls, link, ip, action, outcome, selector=None):
        pool = Pool()
        Use = pool.get('kim.partner.link.use')
        Use.create([{
                    'link': link.id if link else None,
                    'selector': (link.selector if link else selector) or '',
                    'ip': ip or '',
                    'action': action,
                    'outcome': outcome,
                    'date': dt.datetime.now(),
                    }])

    @classmethod
    def handle(cls, request, token):
        "Answer the HTTP request of a link: a Response"
        ip = request.remote_addr or ''
        selector, _ = split_token(token)
        if cls.rate_limited(ip, selector):
            return refusal(status=429)
        link = cls.find(token)
        reason = link.refusal_reason() if link else 'invalid'
        if reason:
            cls.log_use(link, ip, request.method.lower(), reason,
                selector=selector)
            return refusal()
        if request.method == 'POST':
            form = request.form
            if form.get('record') != str(link.resource.id):
                cls.log_use(link, ip, 'post', 'foreign')
                return refusal()
            action = form.get('action') or ''
            transaction = Transaction()
            try:
                with transaction.set_context(language='de'):
                    body = getattr(link, '_submit_%s' % link.purpose)(
                        action, form)
            except PartnerInputError as exception:
                transaction.rollback()
                cls.log_use(link, ip, action[:50], 'input')
                with transaction.set_context(language='de'):
                    body = getattr(link, '_page_%s' % link.purpose)(
                        error=exception.message, form=form)
                return page(body, status=400)
            except (UserError, UserWarning):
                transaction.rollback()
                logger.info("partner link %s: answer refused", link.id,
                    exc_info=True)
                cls.log_use(link, ip, action[:50], 'refused')
                with transaction.set_context(language='de'):
                    body = getattr(link, '_page_%s' % link.purpose)(
                        error=gettext('kim_network.msg_link_page_failed'),
                        form=form)
                return page(body, status=409)
            link = cls(link.id)
            cls.write([link], {'uses': (link.uses or 0) + 1})
            cls.log_use(link, ip, action[:50], 'done')
            return page(body)
        cls.log_use(link, ip, 'view', 'shown')
        with Transaction().set_context(language='de'):
            body = getattr(link, '_page_%s' % link.purpose)()
        return page(body)

    def form(self, fields_html, actions):
        """Return a form posting to the link with the fields (html) and the
        submit buttons [(action, label)]"""
        buttons = ''.join(
            '<button type="submit" name="action" value="%s">%s</button>'
            % (escape(a), escape(l)) for a, l in actions)
        return ('<form method="post">'
            '<input type="hidden" name="record" value="%s">'
            '%s<div class="actions">%s</div></form>') % (
                self.resource.id, fields_html, buttons)


class PartnerLinkUse(ModelSQL, ModelView):
    __string__ = "Partner Link Use"
    __name__ = 'kim.partner.link.use'
    link = fields.Many2One('kim.partner.link', "Link", readonly=True,
        ondelete='CASCADE')
    selector = fields.Char("Selector", readonly=True)
    date = fields.DateTime("Date", readonly=True, required=True)
    ip = fields.Char("IP Address", readonly=True)
    action = fields.Char("Action", readonly=True)
    outcome = fields.Selection([
            ('shown', "Page Shown"),
            ('done', "Answer Taken"),
            ('input', "Input Refused"),
            ('refused', "Answer Refused"),
            ('invalid', "Invalid Token"),
            ('expired', "Expired"),
            ('revoked', "Revoked"),
            ('used', "Used Up (Replay)"),
            ('foreign', "Other Record"),
            ], "Outcome", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.ip, Index.Equality()), (t.date, Index.Range())),
                Index(t,
                    (t.selector, Index.Equality()), (t.date, Index.Range())),
                Index(t, (t.link, Index.Equality())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def check_modification(cls, mode, uses, values=None, external=False):
        super().check_modification(
            mode, uses, values=values, external=external)
        if mode in {'write', 'delete'} or external:
            raise PartnerLinkError(gettext('kim_network.msg_link_readonly'))


# --- HTML ------------------------------------------------------------

STYLE = (
    'body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;'
    'margin:0;padding:1rem;background:#f5f6f7;color:#1d1d1f;'
    'line-height:1.5;font-size:1rem}'
    'main{max-width:40rem;margin:0 auto;background:#fff;padding:1rem 1.25rem;'
    'border-radius:.5rem;box-shadow:0 1px 3px rgba(0,0,0,.15)}'
    'h1{font-size:1.35rem;margin:.2rem 0 1rem}'
    'dl{margin:0 0 1rem}dt{font-weight:600;margin-top:.6rem}dd{margin:0}'
    'label{display:block;font-weight:600;margin:.8rem 0 .3rem}'
    'textarea,select,input[type=text]{width:100%;box-sizing:border-box;'
    'font:inherit;padding:.5rem;border:1px solid #8a8f98;border-radius:.3rem}'
    'textarea{min-height:7rem}'
    '.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:1rem}'
    'button{font:inherit;padding:.7rem 1rem;border:0;border-radius:.3rem;'
    'background:#1f5f99;color:#fff;flex:1 1 12rem;min-height:2.75rem}'
    'button[value=reject],button[value=decline]{background:#8a2a2a}'
    '.error{background:#fdecea;border-left:4px solid #8a2a2a;padding:.5rem}'
    '.note{color:#4a4f57;font-size:.9rem}')


def escape(value):
    return html.escape(str(value if value is not None else ''), quote=True)


def document(body):
    return ('<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        '<meta name="referrer" content="no-referrer">'
        '<title>%s</title><style>%s</style></head><body><main>%s</main>'
        '</body></html>') % (
            escape(gettext('kim_network.msg_link_page_title')), STYLE, body)


def page(body, status=200):
    from trytond.protocols.wrappers import Response
    response = Response(document(body), status=status,
        content_type='text/html; charset=utf-8')
    headers = response.headers
    headers['Cache-Control'] = 'no-store'
    headers['Referrer-Policy'] = 'no-referrer'
    headers['X-Frame-Options'] = 'DENY'
    headers['X-Content-Type-Options'] = 'nosniff'
    headers['X-Robots-Tag'] = 'noindex, nofollow'
    headers['Content-Security-Policy'] = (
        "default-src 'none'; style-src 'unsafe-inline'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    return response


def refusal(status=404):
    """The one page for every token that opens nothing: the same text for
    an invalid, expired, revoked, used up or foreign token, no data"""
    with Transaction().set_context(language='de'):
        body = '<h1>%s</h1><p>%s</p>' % (
            escape(gettext('kim_network.msg_link_refusal_title')),
            escape(gettext('kim_network.msg_link_refusal_text')))
    return page(body, status=status)


def definition_list(items):
    "<dl> of the (label, value) pairs with a value"
    return '<dl>%s</dl>' % ''.join(
        '<dt>%s</dt><dd>%s</dd>' % (escape(k),
            escape(v).replace('\n', '<br>'))
        for k, v in items if v not in (None, ''))


def textarea(name, label, value='', required=False):
    return ('<label for="%(name)s">%(label)s</label>'
        '<textarea id="%(name)s" name="%(name)s" maxlength="4000"%(req)s>'
        '%(value)s</textarea>') % {
            'name': name, 'label': escape(label), 'value': escape(value),
            'req': ' required' if required else '',
            }


def select(name, label, options, value=None):
    return ('<label for="%(name)s">%(label)s</label>'
        '<select id="%(name)s" name="%(name)s">%(options)s</select>') % {
            'name': name, 'label': escape(label),
            'options': ''.join('<option value="%s"%s>%s</option>' % (
                    escape(k), ' selected' if str(k) == str(value) else '',
                    escape(v)) for k, v in options),
            }


def form_text(form, name, required=False, limit=4000):
    "The cleaned text field name of the form"
    value = (form.get(name) or '').replace('\r\n', '\n').strip()
    value = ''.join(c for c in value if c in '\n\t' or c.isprintable())
    if required and not value:
        raise PartnerInputError(gettext('kim_network.msg_link_input_required'))
    return value[:limit]


def _route():
    from trytond.protocols.wrappers import with_pool, with_transaction
    from trytond.wsgi import app

    @app.route('/<database_name>/kim/link/<token>', methods=['GET', 'POST'])
    @with_pool
    @with_transaction(readonly=False, context={'language': 'de'})
    def partner_link(request, pool, token):
        try:
            Link = pool.get('kim.partner.link')
        except KeyError:
            return refusal()
        try:
            return Link.handle(request, token)
        except Exception:
            logger.exception("partner link request failed")
            Transaction().rollback()
            return refusal(status=500)
    return partner_link


partner_link_route = _route()
