"""What differs between evaluating a detector and a segmenter behind a
derainer, and telling from a config which of the two it is."""
import importlib
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from mmengine.config import Config


@dataclass(frozen=True)
class DownstreamTask:
    """A downstream task of :mod:`cpra_mm.apis.downstream_evaluation`.

    Attributes:
        name: ``'det'`` or ``'seg'``.
        module: the cpra_mm module that registers its derain preprocessor
            and visualisation hook.
        plain_preprocessor: the stock data preprocessor, assumed when a
            config names none.
        metrics: ``(table name, evaluator key without prefix)`` pairs.
        full_scale: the metrics' full scale (1 for COCO AP, 100 for IoU %).
        image_prefix: key of the dataset's ``data_prefix`` naming the image
            folder.
        score_threshold_option: the visualiser's ``add_datasample`` argument
            that drops low-scoring predictions, if it has one.
    """
    name: str
    module: str
    plain_preprocessor: str
    metrics: Tuple[Tuple[str, str], ...]
    full_scale: float
    image_prefix: str
    score_threshold_option: Optional[str]


TASKS: Dict[str, DownstreamTask] = {
    'mmdet': DownstreamTask('det', 'cpra_mm.det', 'DetDataPreprocessor',
                            (('mAP', 'bbox_mAP'), ('AP50', 'bbox_mAP_50'),
                             ('AP75', 'bbox_mAP_75')), 1.0, 'img', 'pred_score_thr'),
    'mmseg': DownstreamTask('seg', 'cpra_mm.seg', 'SegDataPreProcessor',
                            (('mIoU', 'mIoU'), ('mAcc', 'mAcc'), ('aAcc', 'aAcc')), 100.0,
                            'img_path', None),
}
"""Tasks by their OpenMMLab scope."""


def detect_task(cfg: Config) -> DownstreamTask:
    """The task of a config: its ``default_scope``, else the scope named in
    or registering its model type. Imports the task's cpra_mm module, so
    the derain preprocessor and hook can be built.

    Raises:
        ValueError: naming the config, when neither says mmdet or mmseg.
    """
    scope = cfg.get('default_scope')
    model_type = str(cfg.get('model', {}).get('type', ''))
    if scope not in TASKS and model_type.split('.')[0] in TASKS:
        scope = model_type.split('.')[0]
    if scope not in TASKS:
        scope = next((name for name in TASKS if model_type and importlib.import_module(
            f'{name}.registry').MODELS.get(model_type) is not None), None)
    if scope is None:
        raise ValueError(f'{cfg.filename}: cannot tell detection from segmentation '
                         f'(default_scope={cfg.get("default_scope")!r}, '
                         f'model.type={model_type!r}); set default_scope to mmdet or mmseg')
    importlib.import_module(TASKS[scope].module)
    return TASKS[scope]
