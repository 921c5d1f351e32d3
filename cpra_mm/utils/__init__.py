"""Framework-neutral helpers shared by cpra_mm's APIs, model glue and tools.

Import the submodules directly (``cpra_mm.utils.derainer_checkpoint``,
``cpra_mm.utils.launch``); this package imports neither, so each stays as
light as its own imports.
"""
