"""``cpra_mm.utils.pipeline_edit``: the pipeline edits config files import."""
import pytest
from mmengine.config import Config

from cpra_mm.utils.pipeline_edit import insert_before, replace, type_name

PIPELINE = [
    dict(type='LoadImageFromFile', key='gt'),
    dict(type='mmagic.AddRain', src_key='gt', dry_prob=0.2),
    dict(type='PackInputs'),
]
PAINT = dict(type='PaintGraphics', key='gt')


def test_type_name_drops_the_scope():
    assert type_name(dict(type='mmdet.Resize')) == 'Resize'
    assert type_name(dict(type=Config)) == 'Config'
    assert type_name(dict(scale=1)) == ''


def test_insert_before_places_a_copy_and_updates_the_entry():
    edited = insert_before(PIPELINE, 'AddRain', PAINT, dry_prob=0.5)
    assert [type_name(step) for step in edited] == [
        'LoadImageFromFile', 'PaintGraphics', 'AddRain', 'PackInputs']
    assert edited[2]['dry_prob'] == 0.5 and edited[2]['src_key'] == 'gt'
    assert PIPELINE[1]['dry_prob'] == 0.2, 'the input pipeline is left as it was'
    edited[1]['key'] = 'img'
    assert PAINT['key'] == 'gt', 'the inserted entry is a copy'


def test_insert_before_every_match():
    twice = PIPELINE[:2] + PIPELINE[1:]
    edited = insert_before(twice, 'AddRain', PAINT)
    assert [type_name(step) for step in edited].count('PaintGraphics') == 2


def test_insert_before_a_missing_type_names_it_and_the_pipeline():
    with pytest.raises(ValueError, match=r"no Resize transform.*PaintGraphics.*LoadImageFromFile"):
        insert_before(PIPELINE, 'Resize', PAINT)


def test_replace_swaps_every_match_for_a_copy():
    twice = PIPELINE[:2] + PIPELINE[1:]
    edited = replace(twice, 'AddRain', PAINT)
    assert [type_name(step) for step in edited] == [
        'LoadImageFromFile', 'PaintGraphics', 'PaintGraphics', 'PackInputs']
    edited[1]['key'] = 'img'
    assert PAINT['key'] == 'gt' and edited[2]['key'] == 'gt', 'each replacement is a copy'
    assert type_name(twice[1]) == 'AddRain', 'the input pipeline is left as it was'


def test_replace_a_missing_type_names_it_and_the_pipeline():
    with pytest.raises(ValueError, match=r"no Crop transform to replace.*PaintGraphics.*AddRain"):
        replace(PIPELINE, 'Crop', PAINT)
