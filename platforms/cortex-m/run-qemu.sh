#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Runs a bare-metal test ELF under QEMU and exits with the program's status.
#   run-qemu.sh [mps2-an386|mps3-an547] program.elf [args...]
# Without a board argument, $CORTEXM_BOARD is used (default mps2-an386).
# Environment: CORTEXM_TIMEOUT seconds (default 120; on expiry status 124),
#   CORTEXM_QEMU_ARGS extra QEMU options (e.g. "-d in_asm -D trace.log"),
#   CORTEXM_COUNT_INSNS=1 loads qemu-insn-count.c (built here with the host
#   cc on first use) and prints instruction counts on stderr.
# Status: main's return value or exit() argument (0-255, via semihosting
# SYS_EXIT_EXTENDED); 128 + exception number on a fault (see startup.c).
set -u
case "${1:-}" in
  mps2-an386 | mps3-an547) board=$1; shift ;;
  *) board=${CORTEXM_BOARD:-mps2-an386} ;;
esac
case "$board" in
  mps2-an386) cpu=cortex-m4 ;;
  mps3-an547) cpu=cortex-m55 ;;
  *) echo "run-qemu.sh: unknown board '$board'" >&2; exit 2 ;;
esac
if [ $# -lt 1 ]; then
  echo "usage: run-qemu.sh [board] program.elf [args...]" >&2
  exit 2
fi

# The program sees argv through semihosting SYS_GET_CMDLINE; QEMU joins the
# arg= values with spaces and needs commas doubled inside an option value.
semihosting=enable=on,target=native
for argument in "$@"; do
  semihosting="$semihosting,arg=$(printf '%s' "$argument" | sed 's/,/,,/g')"
done

plugin_args=
if [ "${CORTEXM_COUNT_INSNS:-0}" = 1 ]; then
  source_file=$(dirname "$0")/qemu-insn-count.c
  plugin=${TMPDIR:-/tmp}/edgeopt-qemu-insn-count-$(id -u).so
  if [ ! -f "$plugin" ] || [ "$source_file" -nt "$plugin" ]; then
    # Build beside the target and rename: parallel ctest runs may race here.
    cc -O2 -shared -fPIC -o "$plugin.$$" "$source_file" && mv -f "$plugin.$$" "$plugin" || exit 2
  fi
  plugin_args="-plugin $plugin -d plugin" # -d plugin: its output goes to the log (stderr)
fi

# -monitor none: no QEMU monitor on stdio, so ctest's closed stdin is harmless.
# --kill-after=5: SIGKILL follows if QEMU does not stop on SIGTERM.
# shellcheck disable=SC2086 # the *_args are split on purpose.
exec timeout --kill-after=5 "${CORTEXM_TIMEOUT:-120}" \
  qemu-system-arm -machine "$board" -cpu "$cpu" -nographic -monitor none \
  -semihosting-config "$semihosting" $plugin_args ${CORTEXM_QEMU_ARGS:-} -kernel "$1"
