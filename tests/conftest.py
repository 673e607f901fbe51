"""Suite-wide test plugins. ``pytester`` runs inner pytest sessions for the plugin's own tests
(tests/plugin); pytest only accepts ``pytest_plugins`` in a top-level conftest."""

pytest_plugins = ["pytester"]
