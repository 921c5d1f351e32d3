# The derainer put in front of the detectors and segmenters.
#
# The size and layout must be those of the checkpoint: these match
# configs/cpraformer/cpraformer_small_cpu_photos.py, the model this project
# can train. For a paper-size model (cpraformer_paper_rain13k.py) use
# dict(type='CPRAformer', preset='paper', layout='reference').
#
# Give the weights on the command line:
#   --cfg-options model.data_preprocessor.derainer_checkpoint=PATH
# (for the -joint config: model.task_model.data_preprocessor.derainer_checkpoint=PATH)
# Without them the derainer keeps its untrained initialisation and warns.
derainer = dict(type='CPRAformer', preset='small', layout='corrected')
derainer_checkpoint = None
# Large images are derained in 512 x 512 tiles overlapping by 32 pixels,
# which bounds the memory; smaller images run whole.
derain_tile_size = 512
derain_tile_overlap = 32
