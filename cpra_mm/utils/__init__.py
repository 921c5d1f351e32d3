"""Framework-neutral helpers shared by cpra_mm's APIs, model glue and tools.

Import the submodules directly (``cpra_mm.utils.derainer_checkpoint``,
``cpra_mm.utils.image_io``, ``cpra_mm.utils.launch``); this package imports
none of them, so each stays as light as its own imports.
"""
