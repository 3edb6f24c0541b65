"""Known credentials: static (AKIA...) and temporary (ASIA... + session token).

Defaults are documented in test/emulator/README.md.  AssumeRole adds
temporary credentials at run time.
"""
import datetime
import json
import secrets
import string
import threading

from .config import DEFAULT_ACCOUNT

OTHER_ACCOUNT = "210987654321"

# Every secret and session token the emulator issues starts with these.
ISSUED_SECRET_PREFIX = "EmulatorIssuedSecret/"
ISSUED_TOKEN_PREFIX = "EmulatorSessionToken/"

def default_credentials(account=DEFAULT_ACCOUNT):
    """The built-in key pairs (README.md lists them)."""
    return [
        {"access_key_id": "AKIAEMULATOR00000001",
         "secret_access_key": "emulator/secret/key/0000000000000000001",
         "account_id": account,
         "arn": "arn:aws:iam::%s:user/rds-backup" % account,
         "user_id": "AIDAEMULATOR00000001"},
        {"access_key_id": "ASIAEMULATOR00000001",
         "secret_access_key": "emulator/secret/key/temporary0000000001",
         "session_token": "emulator-session-token-0000000001",
         "account_id": account,
         "arn": "arn:aws:sts::%s:assumed-role/rds-backup-role/emulator" % account,
         "user_id": "AROAEMULATOR00000001:emulator"},
        {"access_key_id": "ASIAEMULATOR0EXPIRED",
         "secret_access_key": "emulator/secret/key/expired00000000001",
         "session_token": "emulator-session-token-expired",
         "account_id": account,
         "expires": "2020-01-01T00:00:00Z",
         "arn": "arn:aws:sts::%s:assumed-role/rds-backup-role/expired" % account,
         "user_id": "AROAEMULATOR00000001:expired"},
        {"access_key_id": "AKIAEMULATOR00000002",
         "secret_access_key": "emulator/secret/key/other0000000000000002",
         "account_id": OTHER_ACCOUNT,
         "arn": "arn:aws:iam::%s:user/other-account" % OTHER_ACCOUNT,
         "user_id": "AIDAEMULATOR00000002"},
    ]


class Credential:
    def __init__(self, access_key_id, secret_access_key, account_id=DEFAULT_ACCOUNT,
                 session_token=None, expires=None, arn=None, user_id=None,
                 role_arn=None):
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        self.session_token = session_token
        self.account_id = account_id
        self.expires = expires            # aware datetime or None
        self.arn = arn or "arn:aws:iam::%s:user/emulated" % account_id
        self.user_id = user_id or "AIDA" + access_key_id[4:]
        self.role_arn = role_arn

    @property
    def temporary(self):
        return self.access_key_id.startswith("ASIA")

    def public(self):
        """Description without secrets."""
        return {"access_key_id": self.access_key_id, "account_id": self.account_id,
                "arn": self.arn, "temporary": self.temporary,
                "expires": self.expires.isoformat() if self.expires else None}


def _parse_expiry(value):
    from .clock import parse_iso
    if value is None or isinstance(value, datetime.datetime):
        return value
    return parse_iso(value)


class CredentialStore:
    def __init__(self, extra_file=None, account_id=DEFAULT_ACCOUNT):
        self._lock = threading.Lock()
        self._keys = {}
        self._initial = default_credentials(account_id)
        if extra_file:
            with open(extra_file) as f:
                self._initial.extend(json.load(f))
        self.reset()

    def reset(self):
        with self._lock:
            self._keys = {}
            for item in self._initial:
                self._add_locked(dict(item))

    def _add_locked(self, item):
        item = dict(item)
        item["expires"] = _parse_expiry(item.get("expires"))
        cred = Credential(**item)
        self._keys[cred.access_key_id] = cred
        return cred

    def add(self, item):
        with self._lock:
            return self._add_locked(item)

    def get(self, access_key_id):
        with self._lock:
            return self._keys.get(access_key_id)

    def list(self):
        with self._lock:
            return [c.public() for c in self._keys.values()]

    def lifetime(self, config, default_seconds):
        """How long newly issued credentials live."""
        seconds = int(config["credential_lifetime_seconds"])
        return datetime.timedelta(seconds=seconds if seconds > 0 else default_seconds)

    def issue_temporary(self, account_id, arn, user_id, expires, role_arn):
        """New ASIA key pair for AssumeRole, web identity and the metadata
        endpoints.  Secrets and tokens start with ISSUED_SECRET_PREFIX and
        ISSUED_TOKEN_PREFIX, so tests can look for any of them in logs."""
        alphabet = string.ascii_uppercase + string.digits
        key_id = "ASIA" + "".join(secrets.choice(alphabet) for _ in range(16))
        secret = ISSUED_SECRET_PREFIX + secrets.token_urlsafe(30)[:20]
        token = ISSUED_TOKEN_PREFIX + secrets.token_urlsafe(48)
        return self.add({"access_key_id": key_id, "secret_access_key": secret,
                         "session_token": token, "account_id": account_id,
                         "expires": expires, "arn": arn, "user_id": user_id,
                         "role_arn": role_arn})
