#!/usr/bin/python3
"""Prove the emulator with the real AWS CLI (Debian's /usr/bin/aws).

Prints `ok - name` / `not ok - name: detail` per test and ends with
`N passed, N failed`; exits non-zero on failure.  Arguments, if any,
name the groups to run (tests inside a group build on each other).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness           # noqa: E402
import cli_group_a       # noqa: E402,F401
import cli_auth          # noqa: E402,F401
import cli_faults        # noqa: E402,F401
import cli_clusters      # noqa: E402,F401
import cli_restore       # noqa: E402,F401
import cli_copy          # noqa: E402,F401
import cli_services      # noqa: E402,F401
import cli_consistency   # noqa: E402,F401
import cli_statuses      # noqa: E402,F401
import cli_lost_replies  # noqa: E402,F401
import cli_load          # noqa: E402,F401
import cli_credentials   # noqa: E402,F401

if __name__ == "__main__":
    sys.exit(harness.RUNNER.main(sys.argv))
