"""Transport (issue 12): a real server process serves HTTPS with a configured certificate; the desktop's client
verifies it (against a CA bundle setting) and refuses plain HTTP except to loopback; search terms and access
reasons never reach the URL, so never the access log."""

from __future__ import annotations

import ipaddress
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from desktop.sync.client import ApiClient, BadServerAddress, ServerUnreachable, _verify, normalise_server_url
from server.demo import DEMO_PASSWORD
from tests.support.live_server import live_server


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A fictional force CA, and a certificate it signed for 127.0.0.1 and localhost: (ca, cert, key)."""
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("Bridewell Test Force CA")).issuer_name(_name(
        "Bridewell Test Force CA")).public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name("bridewell.test")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


@pytest.mark.parametrize("address", ["http://10.1.2.3:8080", "http://custody.example.police.uk",
                                     "http://[2001:db8::1]:8080"])
def test_plain_http_is_refused_except_to_loopback(address):
    with pytest.raises(BadServerAddress, match="https://"):
        ApiClient(address)
    for loopback in ("http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080", "https://10.1.2.3"):
        assert normalise_server_url(loopback) == loopback


def test_a_loopback_http_client_trusts_no_certificate_authority():
    """The embedded server's plain http:// client skips loading the public CAs (start-up time), and is not the
    weaker for it: a TLS connection it were sent to (a redirect) would be refused, as it trusts no CA at all."""
    context = _verify(None, "http://127.0.0.1:8000")
    assert not isinstance(context, bool)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0
    assert _verify(None, "https://custody.example.police.uk") is True  # the public CAs, as before


def test_https_server_verified_client_and_nothing_personal_in_the_access_log(tmp_path):
    ca, cert, key = make_certificates(tmp_path)
    with live_server(tmp_path, demo=True, extra_args=("--certfile", str(cert), "--keyfile", str(key), "--access-log"),
                     ca_bundle=str(ca)) as server:
        assert server.url.startswith("https://127.0.0.1:")

        # Verified against the CA bundle setting: signs in and reads.
        client = ApiClient(server.url, ca_bundle=str(ca))
        try:
            client.login("intel", DEMO_PASSWORD)
            found = client.search_people(q="Zzyzxquiller Marrowby", dob="1981-02-03")
            assert found["total"] == 0
            report = client.intel_reports()[0]
            opened = client.intel_report(report["id"], "Operation Nightjar briefing – §7 (Cymraeg: ŵ)")
            assert opened["id"] == report["id"]
        finally:
            client.close()

        # Without the force's CA the certificate is not trusted: refused, never silently accepted.
        untrusting = ApiClient(server.url)
        try:
            with pytest.raises(ServerUnreachable, match="CERTIFICATE_VERIFY_FAILED"):
                untrusting.health()
        finally:
            untrusting.close()
        # Plain HTTP to the HTTPS port gets no answer.
        with pytest.raises(httpx.HTTPError):
            httpx.get(server.url.replace("https://", "http://") + "/api/v1/health", timeout=5)

    log = server.log_path.read_text(encoding="utf-8", errors="replace")
    assert '"POST /api/v1/people/search HTTP/1.1" 200' in log  # the access log is on (asked), and saw the requests
    assert f'"GET /api/v1/intelligence/reports/{report["id"]} HTTP/1.1" 200' in log
    for secret in ("Zzyzxquiller", "Marrowby", "1981-02-03", "Nightjar", quote("Nightjar"), "reason="):
        assert secret not in log
