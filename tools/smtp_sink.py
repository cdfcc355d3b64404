#!/usr/bin/env python3
"""The demo's local SMTP sink: takes every mail the demo server sends and
writes it to a file in var/mail/, never passing it on.

    tools/smtp_sink.py [--port 8025] [--dir var/mail] [--parent PID]
        listen on 127.0.0.1 (only) and store each mail as
        var/mail/<time>-<n>.eml; with --parent, stop when that process ends
    tools/smtp_sink.py --list            the stored mails: number, date,
                                         recipient, subject
    tools/smtp_sink.py --show N          the text of mail N (of --list) and
                                         the names of its other parts

tools/demo.sh starts it for `build` and `serve` (KIM_DEMO_SMTP_PORT, default
8025, the port of [email] uri in trytond.conf); any mail program reads the
.eml files too. Only the standard library: SMTP as far as Python's smtplib
(Tryton's sendmail) speaks it.
"""
import argparse
import datetime as dt
import email
import email.policy
import os
import signal
import socketserver
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DIR = os.path.join(ROOT, 'var', 'mail')
MAX_SIZE = 20 * 1024 * 1024
STARTED_BY = os.getppid()


class Handler(socketserver.StreamRequestHandler):
    "SMTP enough for smtplib: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT"
    timeout = 60

    def reply(self, line):
        self.wfile.write(line.encode('ascii') + b'\r\n')

    def handle(self):
        self.reply('220 127.0.0.1 KIM demo SMTP sink')
        data, rcpt, size = None, [], 0
        while True:
            line = self.rfile.readline(MAX_SIZE)
            if not line:
                return
            if data is not None:
                if line in {b'.\r\n', b'.\n'}:
                    self.server.store(rcpt, b''.join(data))
                    data, rcpt = None, []
                    self.reply('250 OK: stored')
                    continue
                if line.startswith(b'..'):
                    line = line[1:]
                size += len(line)
                if size > MAX_SIZE:
                    self.reply('552 Too big')
                    return
                data.append(line)
                continue
            command = line.strip().decode('ascii', 'replace')
            verb = command.split(' ', 1)[0].upper()
            if verb == 'EHLO':
                self.reply('250-127.0.0.1')
                self.reply('250 SIZE %d' % MAX_SIZE)
            elif verb == 'RCPT':
                rcpt.append(command.split(':', 1)[-1].strip().strip('<>'))
                self.reply('250 OK')
            elif verb == 'DATA':
                data, size = [], 0
                self.reply('354 End data with <CR><LF>.<CR><LF>')
            elif verb == 'RSET':
                data, rcpt = None, []
                self.reply('250 OK')
            elif verb == 'QUIT':
                self.reply('221 Bye')
                return
            else:  # HELO, MAIL FROM, NOOP
                self.reply('250 OK')


class Sink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port, directory):
        super().__init__(('127.0.0.1', port), Handler)
        self.directory = directory
        self.lock = threading.Lock()
        self.count = 0

    def store(self, rcpt, data):
        with self.lock:
            self.count += 1
            name = '%s-%04d.eml' % (
                dt.datetime.now().strftime('%Y%m%d-%H%M%S'), self.count)
        os.makedirs(self.directory, exist_ok=True)
        path = os.path.join(self.directory, name)
        with open(path, 'wb') as f:
            f.write(b'X-KIM-Sink-Recipients: ' + ', '.join(rcpt).encode(
                    'utf-8', 'replace') + b'\r\n')
            f.write(data)


def mails(directory):
    if not os.path.isdir(directory):
        return []
    return sorted(os.path.join(directory, n) for n in os.listdir(directory)
        if n.endswith('.eml'))


def read(path):
    with open(path, 'rb') as f:
        return email.message_from_binary_file(f, policy=email.policy.default)


def list_mails(directory):
    paths = mails(directory)
    for number, path in enumerate(paths, 1):
        message = read(path)
        print('%4d  %s  %-40s  %s' % (number, os.path.basename(path)[:15],
                (message['X-KIM-Sink-Recipients'] or message['To'] or '')[:40],
                message['Subject'] or ''))
    if not paths:
        print('no mails in %s' % directory)


def show_mail(directory, number):
    paths = mails(directory)
    if not 1 <= number <= len(paths):
        sys.exit('no mail %s in %s' % (number, directory))
    message = read(paths[number - 1])
    for header in ['From', 'To', 'Subject', 'Date']:
        print('%s: %s' % (header, message[header] or ''))
    print()
    body = message.get_body(preferencelist=('plain',))
    if body is not None:
        print(body.get_content())
    for part in message.walk():
        if part is body or part.is_multipart():
            continue
        print('[%s%s]' % (part.get_content_type(),
                ', ' + part.get_filename() if part.get_filename() else ''))


def watch_parent(pid, server):
    """Stop the server when the process pid ends (also when it is a zombie
    not yet reaped: the sink, its child, is then given another parent)"""
    while True:
        time.sleep(1)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        except PermissionError:
            pass
        if os.getppid() != pid and os.getppid() != os.getpid():
            # started by pid: reparented when it ended
            if STARTED_BY == pid:
                break
    server.shutdown()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--port', type=int,
        default=int(os.environ.get('KIM_DEMO_SMTP_PORT') or 8025))
    parser.add_argument('--dir', default=DEFAULT_DIR)
    parser.add_argument('--parent', type=int,
        help="stop when this process ends")
    parser.add_argument('--list', action='store_true')
    parser.add_argument('--show', type=int, metavar='N')
    args = parser.parse_args(argv)
    if args.list or args.show is not None:
        # as a filter (| head): stop quietly when the reader does
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    if args.list:
        list_mails(args.dir)
        return 0
    if args.show is not None:
        show_mail(args.dir, args.show)
        return 0
    try:
        server = Sink(args.port, args.dir)
    except OSError as e:
        print('smtp_sink: 127.0.0.1:%s: %s' % (args.port, e), file=sys.stderr)
        return 1
    print('smtp_sink: 127.0.0.1:%s -> %s' % (args.port, args.dir),
        flush=True)
    if args.parent:
        threading.Thread(target=watch_parent, args=(args.parent, server),
            daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
