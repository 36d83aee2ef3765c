"""pytest plugin of the conformance kit: the `--backend` option and `backend_name` fixture.

Each test that takes `backend_name` runs once per selected backend, with that backend
made current for the duration of the test. Selection: every `--backend NAME` given,
else $MINITORCH_TEST_BACKENDS (comma separated), else every available backend.
"""
import os

import pytest

import minitorch


def pytest_addoption(parser):
    parser.addoption("--backend", action="append", default=[], dest="minitorch_backends",
                     help="minitorch backend to test (repeatable; default: all available)")


def selected_backends(config):
    names = config.getoption("minitorch_backends")
    if not names and os.environ.get("MINITORCH_TEST_BACKENDS"):
        names = os.environ["MINITORCH_TEST_BACKENDS"].split(",")
    if not names:
        names = [b.name for b in minitorch.list_backends() if b.available]
    return names


def pytest_generate_tests(metafunc):
    if "backend_name" in metafunc.fixturenames:
        metafunc.parametrize("backend_name", selected_backends(metafunc.config), indirect=True)


@pytest.fixture
def backend_name(request):
    with minitorch.use_backend(request.param):
        yield request.param
