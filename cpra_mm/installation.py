"""What an installed cpra_mm needs from, and offers to, the OpenMMLab tools.

* mmcv is not a pip dependency of cpra_mm (as in MMDetection, MMSegmentation
  and MMagic, whose ``__init__`` checks it the same way):
  :func:`check_mmcv_version` refuses an incompatible one at import.
* ``cpra_mm/.mim/`` holds ``configs/``, ``tools/`` and ``model-index.yml``
  (copied into a wheel, linked by an editable install; see ``setup.py``), where
  ``mim`` and mmengine's ``pkg::`` config paths look.
* mmengine accepts ``pkg::`` only for the packages it lists;
  :func:`register_config_package` adds cpra_mm, so that
  ``mmengine.hub.get_config('cpra_mm::cpraformer/<config>.py')``
  and ``_base_ = 'cpra_mm::...'`` resolve in a process that imported cpra_mm.
"""
from pathlib import Path

from mmengine.utils import digit_version

PACKAGE = 'cpra_mm'
MMCV_MINIMUM_VERSION = '2.0.0rc4'
MMCV_MAXIMUM_VERSION = '2.2.0'
"""mmcv versions cpra_mm works with: ``>= MINIMUM, < MAXIMUM`` (the range
MMDetection 3.3 and MMSegmentation 1.2 accept)."""
MIM_DIR = Path(__file__).resolve().parent / '.mim'
"""``cpra_mm/.mim``: the configs, tools and model index of the package."""


def check_mmcv_version(version: str) -> None:
    """Refuse an mmcv that cpra_mm and the OpenMMLab 2.x frameworks cannot use.

    Args:
        version: the installed mmcv's ``__version__``.

    Raises:
        ImportError: ``version`` is outside [:data:`MMCV_MINIMUM_VERSION`,
            :data:`MMCV_MAXIMUM_VERSION`).
    """
    if not (digit_version(MMCV_MINIMUM_VERSION) <= digit_version(version)
            < digit_version(MMCV_MAXIMUM_VERSION)):
        raise ImportError(
            f'MMCV=={version} is used but incompatible. Please install '
            f'mmcv>={MMCV_MINIMUM_VERSION}, <{MMCV_MAXIMUM_VERSION}.')


def register_config_package() -> None:
    """Let mmengine resolve ``cpra_mm::<path>`` configs (from
    ``cpra_mm/.mim/configs``): mmengine 0.10 asserts that the package is one
    of its ``MODULE2PACKAGE``, which lists OpenMMLab's own."""
    from mmengine.config.utils import MODULE2PACKAGE

    MODULE2PACKAGE.setdefault(PACKAGE, PACKAGE)
