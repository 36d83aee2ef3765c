#!/usr/bin/env bash
# Memory-safety check of the `c` backend with AddressSanitizer (+ UndefinedBehaviorSanitizer).
#
#   bash .ci/asan_c_backend.sh [pytest args...]
#
# What it does:
#   1. copies the minitorch_backends package into a temporary directory and builds
#      minitorch_backends._c_kernels there with -fsanitize=address,undefined
#      (build_kernels.py --outdir; CFLAGS/LDFLAGS carry the sanitizer flags);
#   2. proves the harness can see a bug: a call straight into the C (past the Python
#      checks) that reads out of bounds must make ASan report it (usually as a
#      heap-buffer-overflow; as a SEGV when the block happens to end a mapped page);
#   3. runs tests/test_c_kernels.py against the instrumented build.
#
# Why ASan and not valgrind: both work here, but ASan is ~5x faster on the GEMM-heavy
# tests and also checks the stack (the GEMM's scratch tile). Python itself is not
# instrumented, so libasan is LD_PRELOADed (it must come first), leak detection is off
# (the interpreter "leaks" by design), and PYTHONMALLOC=malloc routes Python's small
# allocations -- including cffi's `ffi.new` buffers, which back every CBuffer -- through
# malloc, where ASan puts redzones around them (pymalloc's arenas would hide overflows).
# Valgrind alternative: `PYTHONMALLOC=malloc valgrind --error-exitcode=1 python -m pytest
# tests/test_c_kernels.py` against a normal build.
#
# Exits non-zero on any sanitizer report or test failure; exits 0 with a message when the
# compiler has no ASan runtime (nothing to check with).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python}
CC=${CC:-gcc}
LIBASAN=$("$CC" -print-file-name=libasan.so)
if [ ! -e "$LIBASAN" ] || [ "$LIBASAN" = "libasan.so" ]; then
    echo "asan_c_backend: $CC has no libasan.so; skipping the AddressSanitizer run"
    exit 0
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/minitorch_backends"
cp "$ROOT"/backends/minitorch_backends/*.py "$WORK/minitorch_backends/"

SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS="$SANITIZE -g" LDFLAGS="$SANITIZE" "$PYTHON" \
    "$ROOT/backends/minitorch_backends/c/build_kernels.py" --outdir "$WORK/minitorch_backends"

export LD_PRELOAD="$LIBASAN"
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export PYTHONMALLOC=malloc
export PYTHONPATH="$WORK:$ROOT${PYTHONPATH:+:$PYTHONPATH}"

# The instrumented build must be the one imported.
"$PYTHON" - "$WORK" <<'EOF'
import sys
import minitorch_backends._c_kernels as kernels
assert kernels.__file__.startswith(sys.argv[1]), f"wrong build imported: {kernels.__file__}"
EOF

# Step 2: an out-of-bounds take, bypassing c_backend's index check, must be caught.
if "$PYTHON" - >"$WORK/probe.log" 2>&1 <<'EOF'
from minitorch_backends._c_kernels import ffi, lib
a = ffi.new("float[]", 4)
index = ffi.new("int64_t[]", [0, 4])   # one past the end
out = ffi.new("float[]", 2)
lib.mt_take(lib.MT_FLOAT32, a, index, out, 2)
EOF
then
    echo "asan_c_backend: ASan did not catch a deliberate out-of-bounds read"; exit 1
fi
grep -q "ERROR: AddressSanitizer" "$WORK/probe.log" || {
    echo "asan_c_backend: the deliberate out-of-bounds read failed without an ASan report:"
    cat "$WORK/probe.log"; exit 1; }
echo "asan_c_backend: ASan is live (caught a deliberate out-of-bounds read)"

cd "$ROOT"
"$PYTHON" -m pytest -q -p no:cacheprovider tests/test_c_kernels.py "$@"
