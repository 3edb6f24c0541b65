"""Test harness: start emulators, run the real AWS CLI against them, send
hand-signed requests, and report `ok - name` / `not ok - name: detail`.

Tests are grouped; each group gets its own emulator (so clock jumps and
faults stay inside the group) and groups run in parallel.
"""
import http.client
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
from urllib.parse import urlencode

HERE = os.path.dirname(os.path.abspath(__file__))
EMU_DIR = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"
AWS = "/usr/bin/aws"

KEY = "AKIAEMULATOR00000001"
SECRET = "emulator/secret/key/0000000000000000001"
TEMP_KEY = "ASIAEMULATOR00000001"
TEMP_SECRET = "emulator/secret/key/temporary0000000001"
TEMP_TOKEN = "emulator-session-token-0000000001"
OTHER_KEY = "AKIAEMULATOR00000002"
OTHER_SECRET = "emulator/secret/key/other0000000000000002"
ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"


class Failure(AssertionError):
    pass


def check(cond, detail):
    if not cond:
        raise Failure(detail)


def eq(got, want, what="value"):
    if got != want:
        raise Failure("%s: got %r, want %r" % (what, got, want))


class Emulator:
    def __init__(self, *extra):
        self.dir = tempfile.mkdtemp(prefix="rdsemu-test-")
        port_file = os.path.join(self.dir, "port")
        self.stderr = open(os.path.join(self.dir, "stderr"), "w")
        # The resources' clock stands still unless a test moves it (advance)
        # or asks for a speed: on a busy machine a few slow CLI calls must not
        # let a 10-second snapshot finish behind a test's back.
        speed = [] if "--speed" in extra else ["--speed", "0"]
        self.proc = subprocess.Popen(
            [PYTHON, os.path.join(EMU_DIR, "rds_emulator.py"), "--port", "0",
             "--port-file", port_file, "--seed", "7"] + speed + list(extra),
            stdout=subprocess.DEVNULL, stderr=self.stderr)
        deadline = time.time() + 20
        while not os.path.exists(port_file):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("emulator did not start: %s" % self.read_stderr())
            time.sleep(0.05)
        with open(port_file) as f:
            self.port = int(f.read())
        self.scheme = "https" if "--tls-cert" in extra else "http"
        self.endpoint = "%s://127.0.0.1:%d" % (self.scheme, self.port)
        self.tls = None       # the control API is served over TLS too
        if self.scheme == "https":
            self.tls = ssl.create_default_context(
                cafile=extra[list(extra).index("--tls-cert") + 1])

    def read_stderr(self):
        with open(os.path.join(self.dir, "stderr")) as f:
            return f.read()

    def ctl(self, method, path, payload=None):
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request("%s/_emulator/%s" % (self.endpoint, path),
                                     data=data, method=method)
        with urllib.request.urlopen(req, timeout=30, context=self.tls) as resp:
            return json.loads(resp.read())

    def seed(self, kind, **spec):
        return self.ctl("POST", "seed/" + kind, spec)

    def advance(self, seconds, wall=True):
        return self.ctl("POST", "clock", {"advance": seconds, "wall": wall})

    def fault(self, **spec):
        return self.ctl("POST", "faults", spec)

    def log(self, action=None, since=0, target=None):
        query = {"since": since}
        if action:
            query["action"] = action
        if target:
            query["target"] = target
        return self.ctl("GET", "log?" + urlencode(query))

    def last_seq(self):
        entries = self.ctl("GET", "log")
        return entries[-1]["seq"] if entries else 0

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Result:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.json = None
        if self.rc == 0 and self.stdout.strip():
            self.json = json.loads(self.stdout)

    def error_code(self):
        # "An error occurred (Code) when calling the X operation: message"
        text = self.stderr
        start = text.find("An error occurred (")
        if start < 0:
            return None
        return text[start + len("An error occurred ("):].split(")", 1)[0]


class T:
    """What a test gets: its group's emulator and helpers."""

    def __init__(self, emu):
        self.emu = emu

    def aws(self, *args, region="us-east-1", key=KEY, secret=SECRET, token=None,
            endpoint=None, extra_env=None, timeout=90):
        env = {"PATH": "/usr/bin:/bin", "HOME": self.emu.dir,
               "AWS_DEFAULT_REGION": region, "AWS_EC2_METADATA_DISABLED": "true",
               "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
               "AWS_PAGER": ""}
        if key:          # key=None: let the CLI's provider chain find credentials
            env.update(AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret)
        if token:
            env["AWS_SESSION_TOKEN"] = token
        env.update(extra_env or {})
        cmd = [AWS, "--endpoint-url", endpoint or self.emu.endpoint, "--output", "json"]
        cmd += list(args)
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        return Result(proc)

    def ok(self, *args, **kw):
        res = self.aws(*args, **kw)
        if res.rc != 0:
            raise Failure("aws %s: rc=%d: %s" % (" ".join(args[:2]), res.rc,
                                                 res.stderr.strip()[-400:]))
        return res.json

    def fails(self, code, *args, message=None, **kw):
        res = self.aws(*args, **kw)
        if res.rc == 0:
            raise Failure("aws %s succeeded, expected %s" % (" ".join(args[:2]), code))
        got = res.error_code()
        if got != code:
            raise Failure("aws %s: expected %s, got %s: %s" % (
                " ".join(args[:2]), code, got, res.stderr.strip()[-400:]))
        if message and message not in res.stderr:
            raise Failure("message %r not in %r" % (message, res.stderr.strip()[-400:]))
        return res

    def signed(self, params, region="us-east-1", service="rds", key=KEY, secret=SECRET,
               token=None, method="POST", headers=None, tamper=None, conn=None):
        """Send a request signed with botocore; return (status, headers, body)."""
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        url = "http://127.0.0.1:%d/" % self.emu.port
        body = urlencode(params)
        if method == "GET":
            url, body = url + "?" + body, ""
        req = AWSRequest(method=method, url=url, data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; "
                                                  "charset=utf-8"} if body else {})
        SigV4Auth(Credentials(key, secret, token), service, region).add_auth(req)
        hdrs = dict(req.headers.items())
        hdrs.update(headers or {})
        if tamper:
            tamper(hdrs)
        own = conn is None
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.emu.port, timeout=30)
        path = url[len("http://127.0.0.1:%d" % self.emu.port):]
        conn.request(method, path, body=body.encode() if body else None,
                     headers={k: v for k, v in hdrs.items() if v is not None})
        resp = conn.getresponse()
        data = resp.read().decode()
        if own:
            conn.close()
        return resp.status, dict(resp.getheaders()), data


def error_code_of(xml):
    start = xml.find("<Code>")
    return xml[start + 6: xml.find("</Code>")] if start >= 0 else None


class Runner:
    def __init__(self):
        self.groups = {}
        self.lock = threading.Lock()
        self.passed = 0
        self.failed = 0
        self.cli_successes = set()    # actions the AWS CLI completed with HTTP 200

    def test(self, group, emu_args=(), alone=False):
        """alone: run the group after the others, by itself (a load test
        would slow the others' real-time steps, and they its figures)."""
        def register(func):
            self.groups.setdefault(group, {"args": tuple(emu_args), "tests": [],
                                           "alone": alone})
            self.groups[group]["tests"].append(func)
            return func
        return register

    def report(self, name, error):
        with self.lock:
            if error is None:
                self.passed += 1
                print("ok - %s" % name, flush=True)
            else:
                self.failed += 1
                detail = " ".join(str(error).split())[:600]
                print("not ok - %s: %s" % (name, detail), flush=True)

    def run_group(self, name, spec):
        try:
            emu = Emulator(*spec["args"])
        except Exception as err:      # the whole group fails
            for func in spec["tests"]:
                self.report("%s/%s" % (name, func.__name__), "emulator: %s" % err)
            return
        try:
            for func in spec["tests"]:
                try:
                    func(T(emu))
                    self.report("%s/%s" % (name, func.__name__), None)
                except Failure as err:
                    self.report("%s/%s" % (name, func.__name__), err)
                except Exception:
                    self.report("%s/%s" % (name, func.__name__),
                                traceback.format_exc().strip().splitlines()[-1])
            if emu.proc.poll() is None:
                with self.lock:
                    self.cli_successes.update(
                        e["action"] for e in emu.log() if e.get("status") == 200
                        and (e.get("user_agent") or "").startswith("aws-cli/"))
            if emu.proc.poll() is not None:
                self.report("%s/emulator-alive" % name, "emulator exited: %s"
                            % emu.read_stderr()[-300:])
            elif "Traceback" in emu.read_stderr():
                self.report("%s/no-emulator-tracebacks" % name,
                            emu.read_stderr()[-500:])
        finally:
            emu.stop()

    def check_coverage(self):
        sys.path.insert(0, EMU_DIR)
        from rdsemu.actions import REGISTRY, load_all
        load_all()
        missing = sorted(name for _, name in REGISTRY if name not in self.cli_successes)
        self.report("coverage/every_action_succeeds_with_the_cli",
                    "never completed by the CLI: %s" % ", ".join(missing) if missing else None)

    def main(self, argv):
        wanted = set(argv[1:])       # group names; tests in a group depend on each other
        chosen = [(name, spec) for name, spec in self.groups.items()
                  if not wanted or name in wanted]
        threads = [threading.Thread(target=self.run_group, args=(name, spec))
                   for name, spec in chosen if not spec["alone"]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for name, spec in chosen:
            if spec["alone"]:
                self.run_group(name, spec)
        if not wanted:
            self.check_coverage()
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        return 1 if self.failed else 0


RUNNER = Runner()
test = RUNNER.test
