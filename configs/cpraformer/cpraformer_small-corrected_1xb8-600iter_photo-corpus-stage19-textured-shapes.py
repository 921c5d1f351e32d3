# A nineteenth stage for the built-in derainer: stage eighteen
# (..._stage18-painted-shapes.py: stage sixteen continued for 600
# iterations at lr 1e-4 with its recipe, the pixel loss weighted toward the
# rain) with its sixth source of samples, smooth shapes of any colour,
# replaced by the training photographs with one to four shapes painted on
# in saturated colours with a per-pixel noise texture (PaintGraphics: shapes
# 12-35 % of the crop's side, opaque, shading 0.25, noise 3-9 levels, 80 %
# saturated colours) under plain rain. The smooth shapes did not help;
# stage sixteen leaves its faint streak residue on saturated,
# noise-textured surfaces, which a smooth shape does not show the model.
# Shares: broad rain 18.5 %, hard dry 7.7 %, plain rain 36.9 %, painted
# lines and shapes 18.5 %, textured shapes 18.5 %.
# A negative result, not shipped: 54 min with one thread, beside the next
# config's run (AMD EPYC, 2026-12-02, 02:05-02:59 UTC, 4.5-7.4 s per
# iteration; validation PSNR 27.95 dB); with the mirror ensemble, held-out
# derain() +4.63 dB but 1 / 53 photographs 0.01 dB worse than its rainy
# input, dry worst 31.44 dB (the solar panels); make demo's draw 70.0 %
# (det mAP) and 63.8 % (seg mIoU) recovered, stage sixteen 73.3 % and
# 65.1 % (cpra_mm/weights/README.md, "Stage nineteen").
#
#   OMP_NUM_THREADS=2 python tools/train.py \
#       configs/cpraformer/cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage19-textured-shapes.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_600.pth cpra_mm/weights/EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage18-painted-shapes.py']

experiment_name = 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage19-textured-shapes'
work_dir = f'./work_dirs/{experiment_name}'

from cpra_mm.utils.pipeline_edit import insert_before  # noqa: E402

sources = _base_.train_dataloader.dataset.datasets
plain_rain_photos = sources[2]
textured_shapes = dict(type='PaintGraphics', key='gt', num_shapes=(1, 4),
                       shape_size=(0.12, 0.35), shading=0.25, texture_noise=(3.0, 9.0),
                       saturated_prob=0.8, opacity=1.0, pattern_prob=0.0)
train_dataloader = dict(
    dataset=dict(datasets=sources[:-1] + [
        dict(plain_rain_photos,
             pipeline=insert_before(plain_rain_photos.pipeline, 'AddRain', textured_shapes)),
    ]))
