"""The plugin is tested the way users meet it: inner pytest sessions run by ``pytester``."""

pytest_plugins = ["pytester"]
