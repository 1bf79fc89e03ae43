"""Digital signatures over a report's canonical serialisation (`cryptography`).

Decree 09/2019 Art. 14 and Decree 130/2018 (digital signatures): an electronic report is
signed by the sending agency. Signatures here are detached PKCS #1 v1.5 (RSA) or ECDSA
signatures with SHA-256 over the canonical bytes (`baocao.submissions.canonical`), made
either by the system with the key it holds for the unit or by the sender with a key whose
X.509 certificate is registered for the unit.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import hashlib

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from django.conf import settings

from baocao.core.errors import DomainError
from baocao.submissions.choices import SignatureAlgorithm
from baocao.submissions.errors import SubmissionError


@dataclasses.dataclass(frozen=True)
class CertificateInfo:
    fingerprint: str
    subject: str
    not_before: dt.datetime
    not_after: dt.datetime
    algorithm: SignatureAlgorithm


@dataclasses.dataclass(frozen=True)
class Signature:
    """A signature as stored with a report version."""

    value: str  # base64
    algorithm: SignatureAlgorithm
    fingerprint: str
    certificate_pem: str
    subject: str


def certificate_load(pem: str | bytes) -> x509.Certificate:
    data = pem.encode("ascii", "replace") if isinstance(pem, str) else pem
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError:
        try:
            return x509.load_der_x509_certificate(data)
        except ValueError as error:
            raise DomainError(
                SubmissionError.CERTIFICATE_INVALID, field="certificate", reason=str(error)
            ) from None


def certificate_info(certificate: x509.Certificate) -> CertificateInfo:
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        algorithm = SignatureAlgorithm.RSA_SHA256
    elif isinstance(key, ec.EllipticCurvePublicKey):
        algorithm = SignatureAlgorithm.ECDSA_SHA256
    else:
        raise DomainError(
            SubmissionError.CERTIFICATE_INVALID,
            field="certificate",
            reason="only RSA and ECDSA keys are accepted",
        )
    return CertificateInfo(
        fingerprint=certificate.fingerprint(hashes.SHA256()).hex(),
        subject=certificate.subject.rfc4514_string(),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        algorithm=algorithm,
    )


def certificate_pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def verify(*, certificate: x509.Certificate, data: bytes, signature_b64: str) -> None:
    """Raise `SIGNATURE_INVALID` unless `signature_b64` signs `data` with the certificate's key."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(SubmissionError.SIGNATURE_INVALID, field="signature") from None
    key = certificate.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            raise InvalidSignature
    except InvalidSignature:
        raise DomainError(SubmissionError.SIGNATURE_INVALID, field="signature") from None


def sign(*, private_key_pem: str, data: bytes) -> str:
    """Sign with a key held by the system (stored encrypted); base64 of the signature."""
    key = serialization.load_pem_private_key(private_key_pem.encode("ascii"), _key_password())
    if isinstance(key, rsa.RSAPrivateKey):
        raw = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        raw = key.sign(data, ec.ECDSA(hashes.SHA256()))
    else:  # pragma: no cover - keys are made by `key_pair_create` only
        raise TypeError(type(key))
    return base64.b64encode(raw).decode("ascii")


def key_pair_create(*, common_name: str, organisation: str, days: int = 3 * 365) -> tuple[str, str]:
    """A new ECDSA P-256 key (encrypted PEM) and a self-issued certificate for it.

    In production the certificate would be issued by a certification authority licensed
    under Decree 130/2018 and registered with `keys register`; the system's own key serves
    units that sign through the system.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_key_password()),
    ).decode("ascii")
    return private_pem, certificate_pem(certificate)


def _key_password() -> bytes:
    # Derived from the site's secret key: a database copy alone does not reveal unit keys.
    return hashlib.sha256(b"baocao-unit-keys:" + settings.SECRET_KEY.encode()).digest()
