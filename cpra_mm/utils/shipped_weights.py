"""Where the weights shipped with cpra_mm (``cpra_mm/weights/*.pth``) are.

They are package data, so they sit beside the code wherever cpra_mm is
imported from: the repository (editable install) or site-packages. Configs
refer to them through :func:`shipped_weights`, which makes the reference
independent of the working directory.
"""
from pathlib import Path

WEIGHTS_DIR = Path(__file__).resolve().parents[1] / 'weights'
"""The folder of the shipped weights."""

BUILTIN_DERAINER = 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage26-continued-rain-texture30-emphasis8.pth'
"""The file of the built-in derainer: the default of ``init_derainer()``,
``tools/derain.py`` and the demo chains. The one place that names it:
replacing the model is this line, :data:`BUILTIN_DERAINER_NETWORK` and the
file."""

BUILTIN_DERAINER_NETWORK = dict(type='CPRAformer', preset='small', layout='corrected')
"""The network the built-in weights fit (their ``meta``): the ``derainer``
of the chain configs (``configs/downstream/_base_/cpraformer_derainer.py``
and the demo's ``configs/demo/_base_/builtin_derainer.py``)."""


def shipped_weights(name: str) -> str:
    """The absolute path of a shipped weights file.

    Args:
        name: its file name, e.g. :data:`BUILTIN_DERAINER`.

    Returns:
        The path as a string (config values are plain data).

    Raises:
        FileNotFoundError: naming the folder and the files it has, when
            there is no such file.
    """
    path = WEIGHTS_DIR / name
    if not path.is_file():
        present = sorted(p.name for p in WEIGHTS_DIR.glob('*.pth'))
        raise FileNotFoundError(f'no shipped weights {name!r} in {WEIGHTS_DIR}; present: '
                                f'{present}')
    return str(path)


def builtin_derainer_checkpoint() -> str:
    """The absolute path of the built-in derainer's weights
    (:data:`BUILTIN_DERAINER`).

    Raises:
        FileNotFoundError: when the file is not installed.
    """
    return shipped_weights(BUILTIN_DERAINER)
