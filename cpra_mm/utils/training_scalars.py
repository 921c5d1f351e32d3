"""The scalars an MMEngine run logged (loss, learning rate, validation
metrics), read back from its work dir as series over the iterations.

MMEngine's visualiser appends one JSON object per logging step to
``WORK_DIR/<timestamp>/vis_data/scalars.json``, e.g. ``{"loss": 0.08,
"lr": 5e-4, "step": 50}`` or ``{"photo-corpus-val/PSNR": 27.3, "step":
60}``. A resumed run starts a new timestamp folder and logs the steps after
its checkpoint again from there; :func:`read_scalars` joins the folders in
time order, a later value of a step replacing an earlier one.

Validation metrics carry their iteration only when the config's logger has
``log_metric_by_epoch=False``; otherwise an iteration-based run logs them at
step 0 (the epoch) and only the last one survives here.
"""
import json
from pathlib import Path
from typing import Dict, List, Tuple, Union

Series = List[Tuple[int, float]]
"""``[(step, value), ...]`` sorted by step."""

NOT_SCALARS = ('step', 'iter', 'epoch')
"""Keys of a logged line that index it rather than measure something."""


def scalar_files(work_dir: Union[str, Path]) -> List[Path]:
    """The ``scalars.json`` files of a work dir, oldest run first (the
    timestamp folders sort in time order)."""
    return sorted(Path(work_dir).glob('*/vis_data/scalars.json'))


def read_scalars(work_dir: Union[str, Path]) -> Dict[str, Series]:
    """Every logged scalar of the runs in ``work_dir``, as series.

    Args:
        work_dir: an MMEngine work dir (the folder holding the timestamp
            folders and checkpoints).

    Returns:
        ``{key: [(step, value), ...]}`` for each key logged with a number
        (``'loss'``, ``'lr'``, ``'photo-corpus-val/PSNR'``, ...); empty when
        nothing was logged.

    Raises:
        ValueError: a line that is not a JSON object with an integer
            ``step``; the message names the file and line.
    """
    by_key: Dict[str, Dict[int, float]] = {}
    for path in scalar_files(work_dir):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                step = int(entry['step'])
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(f'{path}:{number}: not a logged scalar line ({error})') from None
            for key, value in entry.items():
                if key not in NOT_SCALARS and isinstance(value, (int, float)):
                    by_key.setdefault(key, {})[step] = float(value)
    return {key: sorted(values.items()) for key, values in by_key.items()}
