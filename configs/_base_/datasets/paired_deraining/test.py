# Template for the test side of a paired deraining dataset (rainy image
# 'img', clean image 'gt'): the test pipeline and one test dataloader. A
# dataset config inherits this file and overrides, in test_dataloader,
# data_root, metainfo.dataset_type and, where its layout differs from the
# template's, data_prefix, filename_tmpl and search_key; it adds its own
# test_evaluator (the metric prefix names the set). Several test sets: a
# list of copies of the template loader, one per set (see raindrop.py).
#
# The template's layout (rainy and clean images share file names):
#
#   <data_root>/test/{input,target}/
#
# Images are loaded as RGB, as in ./train_val.py.

test_pipeline = [
    dict(type='LoadImageFromFile', key='img', channel_order='rgb'),
    dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
    dict(type='PackInputs'),
]

test_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='BasicImageDataset',
        metainfo=dict(task_name='deraining'),
        data_prefix=dict(img='test/input', gt='test/target'),
        test_mode=True,
        pipeline=test_pipeline))

# MMagic's PSNR / SSIM metrics need its MultiTestLoop.
test_cfg = dict(type='MultiTestLoop')
