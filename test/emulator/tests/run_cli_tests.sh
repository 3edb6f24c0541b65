#!/bin/sh
# Prove the RDS emulator with the real AWS CLI.  Ends with "N passed, N failed".
exec /usr/bin/python3 "$(dirname "$0")/run_cli_tests.py" "$@"
