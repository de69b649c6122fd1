"""The OCR pipeline's faster pieces read the same as the slow ones they replaced (docs/ocr.md, *Speed*)."""

from __future__ import annotations

import numpy as np

from extract import ocr_pages


def test_pooled_copy_keeps_the_darkest_pixel_of_each_block():
    page = np.full((5, 7), 255, np.uint8)  # odd sides: the last row and column are left out
    page[1, 2] = 40  # a thin rule's pixel: as dark in the pooled copy
    page[4, 6] = 0  # in the row and column left out
    pooled = ocr_pages._pooled(page, 300 / 72)
    want = np.full((2, 3), 255, np.uint8)
    want[0, 1] = 40
    assert pooled.tolist() == want.tolist()


def test_component_boxes_include_one_inside_anothers_hole():
    mask = np.zeros((40, 40), np.uint8)
    mask[2:30, 2:30] = 1
    mask[6:26, 6:26] = 0  # a frame
    mask[12:15, 10:20] = 1  # a bar inside it
    mask[35, 5:38] = 1  # a line below, touching the frame nowhere
    assert sorted(ocr_pages._component_boxes(mask)) == [(2, 2, 28, 28), (5, 35, 33, 1), (10, 12, 10, 3)]


def test_component_boxes_of_an_empty_mask_are_none():
    assert ocr_pages._component_boxes(np.zeros((10, 10), np.uint8)) == []
