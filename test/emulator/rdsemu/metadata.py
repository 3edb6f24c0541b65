"""Credential sources of the AWS provider chain, served on the same port:

  EC2 instance metadata (IMDSv2):
    PUT /latest/api/token                      (X-aws-ec2-metadata-token-ttl-seconds)
    GET /latest/meta-data/iam/security-credentials/[<role>]
    GET /latest/meta-data/placement/region
    GET /latest/dynamic/instance-identity/document
  ECS/EKS container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI):
    GET /ecs/credentials   (Authorization must match the configured token, if any)

Both hand out temporary credentials the emulator accepts; they live 6
hours (config credential_lifetime_seconds, when set) and rotate when less
than 15 minutes remain (wall clock); with metadata_delay_seconds they
answer that late (a fetch that many sessions wait for).  IMDSv2 session tokens start with
IMDS_TOKEN_PREFIX, so tests can look for them in logs.
"""
import datetime
import json
import secrets
import time

from .clock import iso

ROLE_NAME = "rds-backup-instance-role"
ROTATE_BEFORE = datetime.timedelta(minutes=15)
LIFETIME = 6 * 3600
IMDS_TOKEN_PREFIX = "EmulatorImdsToken-"


class Metadata:
    def __init__(self, app):
        self.app = app
        self.tokens = {}          # IMDSv2 token -> expiry (emulated)
        self.issued = {}          # source -> Credential

    def reset(self):
        self.tokens = {}
        self.issued = {}

    def _credential(self, source, now):
        cred = self.issued.get(source)
        if cred is None or cred.expires - now < ROTATE_BEFORE:
            account = self.app.config["account_id"]
            role = "arn:aws:iam::%s:role/%s" % (account, ROLE_NAME)
            session = "i-0emulator0000001" if source == "imds" else "ecs-task"
            cred = self.app.credentials.issue_temporary(
                account, "arn:aws:sts::%s:assumed-role/%s/%s" % (account, ROLE_NAME, session),
                "AROAEMULATORINSTANCE:%s" % session,
                (now + self.app.credentials.lifetime(self.app.config, LIFETIME)).replace(
                    microsecond=0),
                role)
            self.issued[source] = cred
        return cred

    def _document(self, cred, now, container):
        doc = {"AccessKeyId": cred.access_key_id, "SecretAccessKey": cred.secret_access_key,
               "Token": cred.session_token, "Expiration": iso(cred.expires)}
        if container:
            doc["RoleArn"] = cred.role_arn
        else:
            doc.update(Code="Success", Type="AWS-HMAC", LastUpdated=iso(now))
        return doc

    def handle(self, method, path, headers):
        """(status, content type, body bytes, action name) or None if not ours."""
        path = path.split("?", 1)[0]
        if path == "/ecs/credentials":
            return self._container(method, headers)
        if path.startswith("/latest/"):
            return self._imds(method, path, headers)
        return None

    def _container(self, method, headers):
        expected = self.app.config["container_authorization_token"]
        if method != "GET":
            return 405, "text/plain", b"method not allowed\n", "ContainerCredentials"
        if expected and headers.get("Authorization") != expected:
            return 403, "text/plain", b"unauthorized\n", "ContainerCredentials"
        time.sleep(float(self.app.config["metadata_delay_seconds"]))
        with self.app.store.lock:
            now = self.app.clock.wall()
            doc = self._document(self._credential("container", now), now, container=True)
        return 200, "application/json", json.dumps(doc).encode(), "ContainerCredentials"

    def _imds(self, method, path, headers):
        now = self.app.clock.wall()
        if path == "/latest/api/token":
            if method != "PUT":
                return 405, "text/plain", b"", "IMDSToken"
            try:
                ttl = int(headers.get("X-aws-ec2-metadata-token-ttl-seconds") or "")
            except ValueError:
                return 400, "text/plain", b"", "IMDSToken"
            if not 1 <= ttl <= 21600:
                return 400, "text/plain", b"", "IMDSToken"
            token = IMDS_TOKEN_PREFIX + secrets.token_urlsafe(32)
            self.tokens[token] = now + datetime.timedelta(seconds=ttl)
            return 200, "text/plain", token.encode(), "IMDSToken"
        if method != "GET":
            return 405, "text/plain", b"", "IMDS"
        token = headers.get("X-aws-ec2-metadata-token")
        valid = token is not None and token in self.tokens and self.tokens[token] >= now
        if not valid and not (token is None and self.app.config["imds_v1_allowed"]):
            return 401, "text/plain", b"", "IMDS"
        creds_prefix = "/latest/meta-data/iam/security-credentials/"
        if path == creds_prefix:
            return 200, "text/plain", ROLE_NAME.encode(), "IMDS"
        if path == creds_prefix + ROLE_NAME:
            time.sleep(float(self.app.config["metadata_delay_seconds"]))
            with self.app.store.lock:
                doc = self._document(self._credential("imds", now), now, container=False)
            return 200, "application/json", json.dumps(doc).encode(), "IMDSCredentials"
        region = self.app.config["instance_region"]
        if path == "/latest/meta-data/placement/region":
            return 200, "text/plain", region.encode(), "IMDS"
        if path == "/latest/dynamic/instance-identity/document":
            doc = {"region": region, "accountId": self.app.config["account_id"],
                   "instanceId": "i-0emulator0000001", "availabilityZone": region + "a"}
            return 200, "application/json", json.dumps(doc).encode(), "IMDS"
        return 404, "text/plain", b"", "IMDS"
