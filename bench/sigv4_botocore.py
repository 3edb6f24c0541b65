"""botocore's SigV4Auth.add_auth on the request bench/sigv4_bench.c signs.

Usage: sigv4_botocore.py SECONDS BODY_FILE; prints "<signatures per second>".
One AWSRequest is signed over and over (add_auth replaces its own
X-Amz-Date and Authorization headers), so request construction is not
counted: only the signing, as in the C benchmark.
"""
import sys
import time

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

seconds = float(sys.argv[1])
with open(sys.argv[2], "rb") as f:
    body = f.read()

creds = Credentials("AKIAEMULATOR00000001", "emulator/secret/key/0000000000000000001")
signer = SigV4Auth(creds, "rds", "us-east-1")
req = AWSRequest(
    method="POST",
    url="https://rds.us-east-1.amazonaws.com/",
    data=body,
    headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
)

# warm up (imports, first-call caches)
for _ in range(200):
    signer.add_auth(req)

n = 0
start = time.perf_counter()
deadline = start + seconds
while True:
    for _ in range(100):
        signer.add_auth(req)
    n += 100
    now = time.perf_counter()
    if now >= deadline:
        break
assert req.headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=")
print("%.0f" % (n / (now - start)))
