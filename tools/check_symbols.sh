#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every external symbol the library defines carries our prefix: a C name
# starting with edgeopt_, or a C++ name in namespace edgeopt (mangled
# _ZN7edgeopt..., its guard variables and function-local statics), so that
# linking edgeopt into an application can never collide with its names.
#   tools/check_symbols.sh LIBRARY [NM]      (a .a or a .so; NM defaults to nm)
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: tools/check_symbols.sh LIBRARY [NM]" >&2
  exit 2
fi
library=$1
nm_tool=${2:-nm}
[ -f "$library" ] || { echo "check_symbols: no such file: $library" >&2; exit 2; }
if [[ "$library" == *.so* ]]; then
  listing=$("$nm_tool" -D --defined-only "$library")
else
  listing=$("$nm_tool" -g --defined-only "$library")
fi
# nm prints "value type name" (archives add "member:" headers and blank lines).
# AddressSanitizer adds an ODR indicator __odr_asan.NAME per global: NAME decides.
symbols=$(awk 'NF >= 2 && $NF !~ /:$/ { print $NF }' <<<"$listing" | sed 's/^__odr_asan\.//' | sort -u)
[ -n "$symbols" ] || { echo "check_symbols: no symbols found in $library" >&2; exit 1; }
bad=$(grep -Ev '^(edgeopt_|_ZN7edgeopt|_ZNK7edgeopt|_ZGVN7edgeopt|_ZZN7edgeopt|_ZZNK7edgeopt|_ZTVN7edgeopt)' <<<"$symbols" || true)
# A shared object also names its version nodes and, on some targets, ABI markers.
bad=$(grep -Ev '^(EDGEOPT_[0-9.]+|__bss_start|_edata|_end|_init|_fini)$' <<<"$bad" || true)
if [ -n "$bad" ]; then
  echo "check_symbols: $library defines symbols outside edgeopt_ / edgeopt:: :" >&2
  sed 's/^/  /' <<<"$bad" >&2
  exit 1
fi
echo "check_symbols: $(wc -l <<<"$symbols") external symbols in $(basename "$library"), all prefixed"
