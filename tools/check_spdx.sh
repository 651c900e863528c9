#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every tracked source, header, build and script file names its licence in
# an SPDX-License-Identifier line near its top (the LICENSE file is Apache-2.0).
#   tools/check_spdx.sh      (from a git checkout)
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
while IFS= read -r file; do
  head -n 5 "$file" | grep -q "SPDX-License-Identifier: Apache-2.0" || missing+=("$file")
done < <(git ls-files | grep -E '\.(c|h|hpp|cpp|cmake|sh|py|ld|in|map)$|(^|/)CMakeLists\.txt$|^\.ci/run$')
if [ ${#missing[@]} -gt 0 ]; then
  echo "check_spdx: no SPDX-License-Identifier line in:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi
echo "check_spdx: every source file carries SPDX-License-Identifier: Apache-2.0"
