"""Backend plugins: the pluggy hook through which every backend is registered.

A plugin is a module (or object) implementing `minitorch_register_backends`. The
built-in backends are registered through it too (`minitorch_backends.plugin`). A
third-party distribution makes its plugin discoverable with an entry point:

    [project.entry-points."minitorch.backends"]
    mybackend = "my_package.plugin"

Plugins load lazily, the first time backends are listed or chosen. Environment:
MINITORCH_AUTOLOAD_PLUGINS=0 skips entry points (built-ins still load);
MINITORCH_STRICT_PLUGINS=1 turns a failing plugin's warning into an error.
"""
import importlib.metadata
import os
import traceback
import warnings

import pluggy

from .contract import BackendError

PROJECT = "minitorch"
ENTRY_POINT_GROUP = "minitorch.backends"
AUTOLOAD_VARIABLE = "MINITORCH_AUTOLOAD_PLUGINS"
STRICT_VARIABLE = "MINITORCH_STRICT_PLUGINS"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class PluginError(RuntimeError):
    """A plugin failed to load or register, and strict mode is on."""


class BackendHookSpec:
    """The hooks a minitorch plugin may implement."""

    @hookspec
    def minitorch_register_backends(self, register):
        """Register this plugin's backends.

        Called once per plugin, the first time minitorch lists or chooses a backend.

        :param register: ``register(name, factory)`` adds one backend. ``name`` is the
            string users pass to ``minitorch.set_backend``; it must be unique across
            all plugins (a duplicate is an error naming both distributions).
            ``factory`` is a zero-argument callable, or a ``"module:attribute"``
            string naming one, returning the backend object (see
            ``minitorch.contract``). It is called lazily, when the backend is first
            used or listed; it may raise ``minitorch.BackendUnavailable(reason)`` when
            the backend cannot run on this machine.
        :return: ignored.
        """


def autoload_enabled():
    return os.environ.get(AUTOLOAD_VARIABLE, "1") not in ("0", "false", "no", "")


def strict():
    return os.environ.get(STRICT_VARIABLE, "0") not in ("0", "false", "no", "")


def report_failure(what, error):
    """Warn about (or, in strict mode, raise for) a plugin that failed."""
    details = "".join(traceback.format_exception(error)).rstrip()
    message = (f"minitorch: {what} failed and was skipped:\n{details}\n"
               f"(set {AUTOLOAD_VARIABLE}=0 to stop loading backend plugins, or "
               f"{STRICT_VARIABLE}=1 to make this an error)")
    if strict():
        raise PluginError(message) from error
    warnings.warn(message, RuntimeWarning, stacklevel=3)


def _entry_point_origin(entry_point):
    distribution = getattr(entry_point, "dist", None)
    if distribution is None:
        return f"entry point {entry_point.name!r}"
    return f"{distribution.metadata['Name']} {distribution.version}"


def plugin_manager():
    """A PluginManager with the built-in plugin and (if enabled) every entry point."""
    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(BackendHookSpec)
    from minitorch_backends import plugin as builtin_plugin
    manager.register(builtin_plugin, name="built-in")
    if autoload_enabled():
        for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            origin = _entry_point_origin(entry_point)
            try:
                manager.register(entry_point.load(), name=origin)
                manager.check_pending()  # a misspelled hook name is an error, not silence
            except Exception as error:  # a broken plugin must not break minitorch
                report_failure(f"loading backend plugin {entry_point.name!r} ({origin})", error)
    return manager


def register_all(manager, register):
    """Call each plugin's hook with a `register` that knows the plugin's name."""
    for implementation in manager.hook.minitorch_register_backends.get_hookimpls():
        origin = implementation.plugin_name

        def register_from_plugin(name, factory, origin=origin):
            try:
                register(name, factory, origin)
            except BackendError as error:  # a taken name: skip it, keep the plugin's others
                if origin == "built-in":
                    raise
                report_failure(f"registering backend {name!r} of plugin {origin}", error)

        try:
            implementation.function(register=register_from_plugin)
        except Exception as error:
            if origin == "built-in" or isinstance(error, PluginError):
                raise
            report_failure(f"registering backends of plugin {origin}", error)
