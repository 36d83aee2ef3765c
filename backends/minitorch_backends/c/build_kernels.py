"""cffi builder of `minitorch_backends._c_kernels`, the compiled half of the `c` backend.

The extension is built in cffi's API (out-of-line) mode from kernels.c, gemm.c,
threads.c and memory.c (with the templates dtype_kernels.h, float_kernels.h and
gemm_driver.h); its `cdef` is kernels.h itself, minus the preprocessor lines.

Flags: -O3 -std=c99 -ffp-contract=fast (so the GEMM's vector multiply-adds become FMAs),
-fno-math-errno (nothing reads errno; it lets sqrt vectorize, e.g. in adam_step), plus
-fopenmp when a probe compile shows the compiler supports it. The build is portable
by default: the GEMM picks AVX-512 / AVX2 / baseline micro-kernels at run time.
MINITORCH_C_NATIVE=1 adds -march=native (faster elementwise loops, not portable).
CFLAGS / LDFLAGS from the environment are honoured as usual.

Two ways to build:

  * `pip install .` or `pip install -e .` at the project root: setup.py hands this
    module's `ffibuilder` to setuptools (cffi_modules); a failed build leaves the `c`
    backend unavailable instead of failing the install. After editing the C, rerun it.
  * `python backends/minitorch_backends/c/build_kernels.py [--outdir DIR]`: compiles in a
    temporary directory and copies the extension into DIR (default: the
    minitorch_backends package next to this file), for working in a source tree.
"""
import argparse
import contextlib
import functools
import glob
import importlib.machinery
import os
import shutil
import sys
import tempfile

from cffi import FFI

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))   # where setup.py is
MODULE = "minitorch_backends._c_kernels"
SOURCES = ("kernels.c", "gemm.c", "threads.c", "memory.c")
PROBE = "#include <omp.h>\nint main(void) { return omp_get_max_threads() > 0 ? 0 : 1; }\n"


@contextlib.contextmanager
def _quiet_stderr():
    """Hide the compiler's complaints while probing (fd level, as the compiler is a child)."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _compiler_accepts(flags):
    """True when the C compiler setuptools would use compiles and links PROBE with flags."""
    try:
        import setuptools  # noqa: F401  (provides distutils on Python >= 3.12)
        from distutils.ccompiler import new_compiler
        from distutils.sysconfig import customize_compiler
        compiler = new_compiler()
        customize_compiler(compiler)
        with tempfile.TemporaryDirectory() as tmp, _quiet_stderr():
            source = os.path.join(tmp, "probe.c")
            with open(source, "w") as f:
                f.write(PROBE)
            objects = compiler.compile([source], output_dir=tmp, extra_postargs=flags)
            compiler.link_executable(objects, os.path.join(tmp, "probe"), extra_postargs=flags)
        return True
    except Exception:  # no compiler, no OpenMP, an unusual platform: all mean "no"
        return False


@functools.lru_cache(maxsize=None)
def compile_flags():
    """(extra_compile_args, extra_link_args) for this compiler and environment."""
    compile_args = ["-O3", "-std=c99", "-ffp-contract=fast", "-fno-math-errno"]
    link_args = []
    if _compiler_accepts(["-fopenmp"]):
        compile_args.append("-fopenmp")
        link_args.append("-fopenmp")
    if os.environ.get("MINITORCH_C_NATIVE") == "1":
        compile_args.append("-march=native")
    return compile_args, link_args


def _cdef_text():
    with open(os.path.join(HERE, "kernels.h")) as f:
        return "".join(line for line in f if not line.lstrip().startswith("#"))


def make_builder(relative_to=None):
    """The FFI builder; file paths relative to `relative_to` (setuptools wants them
    relative to setup.py's directory), else absolute (ffibuilder.compile changes into
    its temporary directory)."""
    def path(*parts):
        full = os.path.join(HERE, *parts)
        return full if relative_to is None else os.path.relpath(full, relative_to)
    builder = FFI()
    builder.cdef(_cdef_text())
    compile_args, link_args = compile_flags()
    builder.set_source(MODULE, '#include "kernels.h"',
                       sources=[path(name) for name in SOURCES],
                       include_dirs=[path()],
                       extra_compile_args=compile_args,
                       extra_link_args=link_args)
    return builder


ffibuilder = make_builder(relative_to=ROOT)   # for setup.py's cffi_modules


def main(argv=None):
    parser = argparse.ArgumentParser(description="Build minitorch's C kernels in place.")
    parser.add_argument("--outdir", default=os.path.dirname(HERE),
                        help="where to put the extension (default: %(default)s)")
    parser.add_argument("--verbose", action="store_true", help="show the compiler commands")
    args = parser.parse_args(argv)
    # Name it as `pip install` does (cffi builds for the stable ABI), and remove other
    # builds of it there, which would shadow or be shadowed by this one.
    suffix = (".abi3.so" if ".abi3.so" in importlib.machinery.EXTENSION_SUFFIXES
              else importlib.machinery.EXTENSION_SUFFIXES[0])
    stem = os.path.join(args.outdir, MODULE.rpartition(".")[2])
    target = stem + suffix
    with tempfile.TemporaryDirectory() as tmp:
        built = make_builder().compile(tmpdir=tmp, verbose=args.verbose)
        os.makedirs(args.outdir, exist_ok=True)
        for stale in glob.glob(stem + ".*"):
            os.remove(stale)
        shutil.copyfile(built, target)
    print(f"built {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
