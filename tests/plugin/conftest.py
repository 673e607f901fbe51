"""What the plugin's own tests share.

pytester's in-process runs forget every module an inner run imported (pytest's
``SysModulesSnapshot``), and the next inner run imports them again. Two kinds of module do not
survive that: pycryptodome's GMP binding (``Crypto.Math._IntegerGMP``, reached through eciespy by
the private-inference code) declares its C types on a process-wide cffi FFI, which refuses a
second declaration; and the scenario schema is built from registries that the step modules fill
at import, so a registry imported afresh beside step modules that stayed is empty. Imported here,
before any inner run, both stay in every snapshot and are imported once.
"""

import Crypto.Math.Numbers  # noqa: F401

import cortensor_sim.scenario.runner  # noqa: F401
