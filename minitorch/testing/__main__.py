"""`python -m minitorch.testing --backend NAME [pytest options]`: run the conformance suite."""
import os
import sys


def main(argv=None):
    import pytest
    os.environ.setdefault("TORCH_DEVICE_BACKEND_AUTOLOAD", "0")
    here = os.path.dirname(os.path.abspath(__file__))
    suite = [os.path.join(here, name) for name in ("conformance.py", "properties.py")]
    arguments = list(sys.argv[1:] if argv is None else argv)
    return pytest.main(suite + ["-p", "minitorch.testing.plugin", "-q"] + arguments)


if __name__ == "__main__":
    sys.exit(main())
