#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs a command and succeeds only if its exit status matches a shell case
# pattern: lets ctest check that a failure path reaches the host with the
# right code (ctest's WILL_FAIL accepts any non-zero, including a timeout).
#   expect-status.sh PATTERN command [args...]    e.g. '13[0-9]' for a fault
pattern=$1
shift
"$@"
status=$?
# shellcheck disable=SC2254 # $pattern is a glob on purpose.
case "$status" in
  $pattern) echo "expect-status: got $status as expected"; exit 0 ;;
esac
echo "expect-status: exit status $status does not match '$pattern'" >&2
exit 1
