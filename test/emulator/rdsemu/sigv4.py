"""SigV4 verification with botocore's own signer.

Incoming requests (Authorization header, or query-string signed) and
presigned URLs carried as parameters (PreSignedUrl) are checked the way
AWS does: the request is rebuilt as a botocore AWSRequest from what was
received, botocore computes the signature for the credential scope's
region and service at the request's X-Amz-Date, and the two are compared.

Error codes, statuses and messages follow AWS.  Messages never echo a
signature, a secret or a session token.
"""
import datetime
import email.utils
import hashlib
import hmac
import re
from urllib.parse import unquote, urlsplit, urlunsplit

from botocore.auth import SigV4Auth, UNSIGNED_PAYLOAD
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

from .clock import UTC, amz_date
from .errors import AwsError

ALGORITHM = "AWS4-HMAC-SHA256"
REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")

MSG_MISMATCH = ("The request signature we calculated does not match the signature "
                "you provided. Check your AWS Secret Access Key and signing method. "
                "Consult the service documentation for details.")


def _incomplete(msg):
    return AwsError("IncompleteSignature", msg, 400)


def _mismatch(msg=MSG_MISMATCH):
    return AwsError("SignatureDoesNotMatch", msg, 403)


def _invalid_token():
    return AwsError("InvalidClientTokenId",
                    "The security token included in the request is invalid.", 403)


class Verified:
    """Who signed, and for which scope."""

    def __init__(self, credential, region, service, signed_at):
        self.credential = credential
        self.region = region
        self.service = service
        self.signed_at = signed_at


class _ReceivedHeadersAuth(SigV4Auth):
    """botocore's SigV4Auth, signing exactly the headers the client listed."""

    def __init__(self, credentials, service, region, headers):
        super().__init__(credentials, service, region)
        self._received = headers

    def headers_to_sign(self, request):
        return self._received


def _parse_amz_date(value):
    try:
        return datetime.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise _incomplete(
            "Date must be in ISO-8601 'basic format'. Got '%s'. See "
            "http://en.wikipedia.org/wiki/ISO_8601" % value)


def _check_scope(credential, stamp, served_services):
    parts = credential.split("/")
    if len(parts) != 5:
        raise _incomplete(
            "Credential must have exactly 5 slash-delimited elements, e.g. "
            "keyid/date/region/service/term, got '%s'" % credential)
    key_id, day, region, service, term = parts
    if term != "aws4_request":
        raise _mismatch("Credential should be scoped with a valid terminator: "
                        "'aws4_request', not '%s'." % term)
    if day != stamp[:8]:
        raise _mismatch(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
            "version of date from HTTP: '%s' != '%s', from '%s'." % (day, stamp[:8], stamp))
    if not REGION_RE.match(region):
        raise _mismatch("Credential should be scoped to a valid region, not '%s'. " % region)
    if service not in served_services:
        raise _mismatch("Credential should be scoped to correct service: one of %s, not '%s'. "
                        % ("/".join(sorted(served_services)), service))
    return key_id, region, service


def _check_credential(store, key_id, token, now):
    cred = store.get(key_id)
    if cred is None:
        raise _invalid_token()
    if cred.temporary:
        if not token or not hmac.compare_digest(token, cred.session_token or ""):
            raise _invalid_token()
        if cred.expires is not None and now >= cred.expires:
            raise AwsError("ExpiredToken",
                           "The security token included in the request is expired", 403)
    elif token:
        raise _invalid_token()
    return cred


def _check_skew(signed_at, now, skew):
    limit = datetime.timedelta(seconds=skew)
    if signed_at < now - limit:
        raise _mismatch("Signature expired: %s is now earlier than %s (%s - %d min.)"
                        % (amz_date(signed_at), amz_date(now - limit), amz_date(now),
                           skew // 60))
    if signed_at > now + limit:
        raise _mismatch("Signature not yet current: %s is still later than %s (%s + %d min.)"
                        % (amz_date(signed_at), amz_date(now + limit), amz_date(now),
                           skew // 60))


def _signature(cred, service, region, stamp, method, url, headers, body):
    """Hex signature botocore computes for this request."""
    creds = Credentials(cred.access_key_id, cred.secret_access_key, cred.session_token)
    request = AWSRequest(method=method, url=url, data=body)
    for name, value in (headers.items() if headers is not None else []):
        request.headers[name] = value
    if headers is None:
        auth = SigV4Auth(creds, service, region)
    else:
        auth = _ReceivedHeadersAuth(creds, service, region, headers)
    request.context["timestamp"] = stamp
    canonical = auth.canonical_request(request)
    return auth.signature(auth.string_to_sign(request, canonical), request)


def _split_query(query):
    """Raw (still percent-encoded) key/value pairs, in order."""
    pairs = []
    for item in query.split("&") if query else []:
        key, _, value = item.partition("=")
        pairs.append((key, value))
    return pairs


def verify_request(method, url, headers, body, store, now, served_services,
                   skew=300):
    """Verify an incoming request; return Verified or raise AwsError.

    url is scheme://<Host header as received><path as received>;
    headers is the received header mapping (case-insensitive, get_all()).
    """
    parts = urlsplit(url)
    query = dict((unquote(k), unquote(v)) for k, v in _split_query(parts.query))
    auth = headers.get("Authorization")
    if auth is None:
        if "X-Amz-Algorithm" in query:
            return _verify_query_signed(method, url, headers, body, store, now,
                                        served_services, skew, is_request=True)
        raise AwsError("MissingAuthenticationToken",
                       "Request is missing Authentication Token", 403)

    algorithm, _, rest = auth.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise _incomplete("Unsupported AWS 'algorithm': '%s'. Expected %s."
                          % (algorithm[:32], ALGORITHM))
    fields = {}
    for piece in rest.split(","):
        name, sep, value = piece.strip().partition("=")
        if sep:
            fields[name] = value
    missing = ["Authorization header requires '%s' parameter." % f
               for f in ("Credential", "Signature", "SignedHeaders") if not fields.get(f)]
    stamp_header = headers.get("X-Amz-Date")
    date_header = headers.get("Date")
    if stamp_header is None and date_header is None:
        missing.append("Authorization header requires existence of either a "
                       "'X-Amz-Date' or a 'Date' header.")
    if missing:
        raise _incomplete(" ".join(missing))

    if stamp_header is not None:
        signed_at = _parse_amz_date(stamp_header)
    else:
        try:
            signed_at = email.utils.parsedate_to_datetime(date_header).astimezone(UTC)
        except (TypeError, ValueError):
            raise _incomplete("Date must be in RFC 1123 format. Got '%s'." % date_header)
    stamp = amz_date(signed_at)

    key_id, region, service = _check_scope(fields["Credential"], stamp, served_services)
    cred = _check_credential(store, key_id, headers.get("X-Amz-Security-Token"), now)
    _check_skew(signed_at, now, skew)

    signed_names = [h.strip().lower() for h in fields["SignedHeaders"].split(";") if h.strip()]
    if "host" not in signed_names:
        raise _mismatch("'Host' or ':authority' must be a 'SignedHeader' in the AWS "
                        "Authorization.")
    signed = HTTPHeaders()
    for name in signed_names:
        values = headers.get_all(name) or []
        if name == "host" and not values:
            values = [parts.netloc]
        for value in values:
            signed[name] = value
    _check_payload_hash(headers, body)

    expected = _signature(cred, service, region, stamp, method, url, signed, body)
    if not hmac.compare_digest(expected, fields["Signature"]):
        raise _mismatch()
    return Verified(cred, region, service, signed_at)


def _check_payload_hash(headers, body):
    claimed = headers.get("X-Amz-Content-SHA256")
    if claimed and claimed != UNSIGNED_PAYLOAD:
        if claimed != hashlib.sha256(body or b"").hexdigest():
            raise _mismatch("The provided 'x-amz-content-sha256' header does not "
                            "match what was computed.")


def _verify_query_signed(method, url, headers, body, store, now, served_services,
                         skew, is_request):
    parts = urlsplit(url)
    pairs = _split_query(parts.query)
    query = dict((unquote(k), unquote(v)) for k, v in pairs)
    missing = [k for k in ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
                           "X-Amz-SignedHeaders", "X-Amz-Signature") if not query.get(k)]
    if missing:
        raise _incomplete("AWS query-string parameters must include %s."
                          % ", ".join("'%s'" % m for m in missing))
    if query["X-Amz-Algorithm"] != ALGORITHM:
        raise _incomplete("Unsupported AWS 'algorithm': '%s'." % query["X-Amz-Algorithm"][:32])
    signed_at = _parse_amz_date(query["X-Amz-Date"])
    stamp = query["X-Amz-Date"]
    key_id, region, service = _check_scope(query["X-Amz-Credential"], stamp, served_services)
    cred = _check_credential(store, key_id, query.get("X-Amz-Security-Token"), now)

    expires = query.get("X-Amz-Expires")
    if expires is not None:
        if not expires.isdigit() or not 1 <= int(expires) <= 604800:
            raise _incomplete("X-Amz-Expires must be between 1 and 604800 seconds.")
        if now > signed_at + datetime.timedelta(seconds=int(expires)):
            raise AwsError("RequestExpired",
                           "Request has expired. X-Amz-Date %s, X-Amz-Expires %s, now %s."
                           % (stamp, expires, amz_date(now)), 400)
        if signed_at > now + datetime.timedelta(seconds=skew):
            raise _mismatch("Signature not yet current: %s is still later than %s."
                            % (stamp, amz_date(now + datetime.timedelta(seconds=skew))))
    else:
        _check_skew(signed_at, now, skew)

    signed_names = [h.strip().lower() for h in query["X-Amz-SignedHeaders"].split(";")]
    if "host" not in signed_names:
        raise _mismatch("'Host' must be a 'SignedHeader' in the AWS query-string "
                        "authentication.")
    unsigned_query = "&".join("%s=%s" % kv for kv in pairs if kv[0] != "X-Amz-Signature")
    unsigned_url = urlunsplit((parts.scheme, parts.netloc, parts.path, unsigned_query, ""))
    if is_request:
        signed = HTTPHeaders()
        for name in signed_names:
            for value in (headers.get_all(name) or ([parts.netloc] if name == "host" else [])):
                signed[name] = value
    elif signed_names == ["host"]:
        signed = None        # botocore derives Host from the URL, as when it presigned
    else:
        raise _mismatch("A presigned URL can only sign the 'host' header.")
    expected = _signature(cred, service, region, stamp, method, unsigned_url, signed,
                          body if is_request else b"")
    if not hmac.compare_digest(expected, query["X-Amz-Signature"]):
        raise _mismatch()
    return Verified(cred, region, service, signed_at)


class PresignedUrl:
    """A verified PreSignedUrl: who signed it, for which region, with which params."""

    def __init__(self, verified, params, host):
        self.credential = verified.credential
        self.region = verified.region
        self.service = verified.service
        self.params = params
        self.host = host


def verify_presigned_url(url, store, now, skew=300, service="rds"):
    """Verify a presigned GET URL (e.g. the PreSignedUrl of CopyDBSnapshot).

    The signature is checked over whatever host the URL names.  Returns a
    PresignedUrl; raises AwsError whose message says what is wrong.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise AwsError("InvalidParameterValue", "PreSignedUrl is not an http(s) URL.")
    verified = _verify_query_signed("GET", url, None, b"", store, now, {service}, skew,
                                    is_request=False)
    params = dict((unquote(k.replace("+", " ")), unquote(v.replace("+", " ")))
                  for k, v in _split_query(parts.query) if not k.startswith("X-Amz-"))
    return PresignedUrl(verified, params, parts.netloc)


def claimed_scope(headers, url):
    """(access key id, region, service) the request claims, unverified; for
    logging and for choosing the error namespace.  Nones when unparseable."""
    credential = None
    auth = headers.get("Authorization") or ""
    match = re.search(r"Credential=([^,\s]+)", auth)
    if match:
        credential = match.group(1)
    else:
        for key, value in _split_query(urlsplit(url).query):
            if key == "X-Amz-Credential":
                credential = unquote(value)
    parts = (credential or "").split("/")
    if len(parts) != 5:
        return None, None, None
    return parts[0], parts[2], parts[3]
