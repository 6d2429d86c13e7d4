"""Confirm that bench/workload.py yields the same teams as the shared generator.

The digests below were computed from ``shared/bench/workload.py`` (seed 20240601) as
``sha256(json.dumps(generate(n), sort_keys=True))``; the project does not read ``shared/``.
"""

from __future__ import annotations

import hashlib
import json
import sys

import workload

SHARED_DIGESTS = {
    1000: "9695f4ed0212c9c687992105f9df7410b234d71cf03cb565522e3e03c6bcbde6",
    10000: "83393c9b1ae7cc20fc0d6da5346d4798d67a3dea63c228633678204c517a0a86",
}


def digest(n: int) -> str:
    return hashlib.sha256(json.dumps(workload.generate(n), sort_keys=True).encode()).hexdigest()


def main() -> int:
    ok = True
    for n, expected in SHARED_DIGESTS.items():
        got = digest(n)
        same = got == expected
        ok &= same
        print(f"{n:>6} teams: {'same teams as the shared generator' if same else 'DIFFERENT'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
