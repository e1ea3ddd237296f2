"""Checks a TerraSeg mask as a Cloud-Optimized GeoTIFF, with GDAL: prints one JSON object.

    errors, warnings  GDAL's COG validator (osgeo_utils.samples.validate_cloud_optimized_geotiff, full_check)
    levels            [width, height] of the full resolution, then of each overview
    mismatches        for each overview: pixels that differ from the mode of the 2x2 block of the level above
                      (nodata 255 and pixels past the edge not counting, ties to the smallest class, nodata when
                      no class), computed here with NumPy from what GDAL reads
    nodata            the nodata value GDAL reads
    overview_palette  whether GDAL opening the first overview as a dataset finds the color table
usage: check_cog.py MASK
"""
import json
import sys

import numpy as np
from osgeo import gdal
from osgeo_utils.samples import validate_cloud_optimized_geotiff as cog

NODATA = 255


def mode_2x2(a):
    h, w = a.shape
    padded = np.full((h + h % 2, w + w % 2), NODATA, dtype=np.int32)
    padded[:h, :w] = a
    blocks = padded.reshape(padded.shape[0] // 2, 2, padded.shape[1] // 2, 2).transpose(0, 2, 1, 3)
    values = blocks.reshape(blocks.shape[0], blocks.shape[1], 4)
    counts = (values[..., :, None] == values[..., None, :]).sum(-1)
    counts[values == NODATA] = 0
    key = counts * 256 - values  # more votes first, then the smaller class
    best = np.take_along_axis(values, key.argmax(-1)[..., None], -1)[..., 0]
    best[counts.max(-1) == 0] = NODATA
    return best


gdal.UseExceptions()
path = sys.argv[1]
warnings, errors, details = cog.validate(path, full_check=True)
ds = gdal.Open(path)
band = ds.GetRasterBand(1)
levels = [[band.XSize, band.YSize]]
mismatches = []
above = band.ReadAsArray()
for i in range(band.GetOverviewCount()):
    ovr = band.GetOverview(i)
    levels.append([ovr.XSize, ovr.YSize])
    pixels = ovr.ReadAsArray()
    expected = mode_2x2(above)
    mismatches.append(int((pixels != expected).sum()) if pixels.shape == expected.shape else -1)
    above = pixels
ds2 = gdal.OpenEx(path, open_options=["OVERVIEW_LEVEL=0"]) if band.GetOverviewCount() else None
print(json.dumps({"errors": errors, "warnings": warnings, "levels": levels, "mismatches": mismatches,
                  "nodata": band.GetNoDataValue(),
                  "overview_palette": ds2.GetRasterBand(1).GetColorTable() is not None if ds2 else None}))
