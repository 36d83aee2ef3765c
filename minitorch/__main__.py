"""`python -m minitorch backends`: the backend doctor.

Prints every registered backend: where it came from, whether it is available (and why
not), its dtypes, and which optional kernels it implements or leaves to the core's
decompositions.
"""
import argparse
import sys
import textwrap

from .contract import OPTIONAL_KERNELS
from .registry import get_backend, list_backends


def describe_backends():
    lines = []
    current = get_backend().name
    for backend in list_backends():
        marker = " (current)" if backend.name == current else ""
        lines.append(f"{backend.name}{marker}")
        lines.append(f"  from:       {backend.origin}")
        if not backend.available:
            lines.append(f"  available:  no — {backend.reason}")
            continue
        lines.append("  available:  yes")
        lines.append(f"  dtypes:     {', '.join(sorted(backend.dtypes))}")
        implemented = [k for k in OPTIONAL_KERNELS if k in backend.optional]
        decomposed = [k for k in OPTIONAL_KERNELS if k not in backend.optional]
        for label, names in (("fast paths", implemented), ("decomposed", decomposed)):
            lines.append(textwrap.fill(", ".join(names) or "none", 88,
                                       initial_indent=f"  {label + ':':12s}",
                                       subsequent_indent=" " * 14))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m minitorch")
    parser.add_argument("command", choices=["backends"], help="backends: list backends")
    parser.parse_args(argv)
    print(describe_backends())
    return 0


if __name__ == "__main__":
    sys.exit(main())
