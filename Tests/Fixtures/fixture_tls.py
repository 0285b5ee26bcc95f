"""A throwaway self-signed certificate for the TLS variants of the fixtures (needs the openssl CLI)."""

import os
import ssl
import subprocess
import tempfile


def server_context():
    """An SSLContext with a fresh self-signed certificate for 127.0.0.1/localhost."""
    directory = tempfile.mkdtemp(prefix="flow-fixture-tls-")
    key = os.path.join(directory, "key.pem")
    cert = os.path.join(directory, "cert.pem")
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context
