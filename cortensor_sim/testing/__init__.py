"""Testing with pytest: the ``cortensor_sim`` plugin and what its fixtures are built from.

The plugin (:mod:`.plugin`) is registered through the ``pytest11`` entry point, so installing
cortensor-sim is enough: a test asks for ``devnet``, ``l1``, ``base``, ``arbitrum``, ``l3``,
``solana``, ``accounts``, ``cortensor``, ``deploy`` or ``relay`` and gets a devnet whose every chain is put
back as it was after the test; ``scenario`` runs a YAML scenario on a devnet of its own.
``-p no:cortensor_sim`` or ``cortensor_enabled = false`` in the ini file turns it off. See
docs/testing.md.

This package sits in the interfaces layer: it may import every layer below, nothing imports it.
Its submodules are imported by the plugin when pytest configures it, not by this file;
``from cortensor_sim.testing.isolation import isolated`` gives the snapshot/revert context
manager the fixtures use, for tests that isolate finer than one test (hypothesis examples).
"""
