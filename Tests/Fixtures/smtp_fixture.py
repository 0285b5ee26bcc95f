#!/usr/bin/env python3
"""SMTP fixture for flow's tests: aiosmtpd on 127.0.0.1 storing every delivered message as JSON.

Usage: python3 smtp_fixture.py MAILDIR [--port N] [--starttls | --implicit-tls] [--credentials USER:PASSWORD]
--starttls offers STARTTLS, --implicit-tls speaks TLS from the first byte (smtps://), both with a fresh
self-signed certificate (clients must skip verification).
Prints "PORT=<n>" once it listens, then serves until stdin closes (the test process exited).

- Each accepted message becomes MAILDIR/<n>.json: {"mailFrom", "rcptTos", "data" (text), "login", "tls"}.
- AUTH PLAIN/LOGIN is offered without TLS; the only valid credentials are flow / secret (or --credentials).
- Recipients in the domain reject.invalid are refused with 550; tempfail.invalid with 451.
"""

import json
import logging
import os
import socket
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@reject.invalid"):
            return "550 5.1.1 no such user"
        if address.endswith("@tempfail.invalid"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            number = self.count
        auth = session.auth_data if session.authenticated else None
        login = auth.login.decode() if isinstance(auth, LoginPassword) else None
        record = {
            "mailFrom": envelope.mail_from,
            "rcptTos": envelope.rcpt_tos,
            "data": envelope.original_content.decode("utf-8", "replace"),
            "login": login,
            # session.ssl is set by STARTTLS only; implicit TLS shows on the transport.
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
        }
        path = os.path.join(self.directory, "%d.json" % number)
        with open(path + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)  # readers never see half a file
        return "250 Message accepted"


CREDENTIALS = (b"flow", b"secret")


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == CREDENTIALS[0]
        and auth_data.password == CREDENTIALS[1]
    )
    # handled=False: aiosmtpd then replies 535 itself (the default, handled=True, replies nothing).
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    # aiosmtpd logs session errors (expected ones too, like a client refusing our certificate) and a
    # deprecation warning it triggers itself; FIXTURE_LOG=1 shows them.
    if not os.environ.get("FIXTURE_LOG"):
        logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    global CREDENTIALS
    directory = sys.argv[1]
    if "--credentials" in sys.argv:
        user, _, password = sys.argv[sys.argv.index("--credentials") + 1].partition(":")
        CREDENTIALS = (user.encode(), password.encode())
    os.makedirs(directory, exist_ok=True)
    port = int(sys.argv[sys.argv.index("--port") + 1]) if "--port" in sys.argv else free_port()
    tls = {}
    if "--starttls" in sys.argv:
        import fixture_tls

        tls = {"tls_context": fixture_tls.server_context()}
    elif "--implicit-tls" in sys.argv:
        import fixture_tls

        tls = {"ssl_context": fixture_tls.server_context()}
    controller = Controller(
        Handler(directory),
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_require_tls=False,
        **tls,
    )
    controller.start()
    print("PORT=%d" % port, flush=True)
    try:
        while sys.stdin.buffer.read(1024):
            pass
    except KeyboardInterrupt:
        pass
    controller.stop()


if __name__ == "__main__":
    main()
