package io.terraseg.metrics;

import io.terraseg.TerraSegException;
import io.terraseg.raster.MaskFormat;
import java.awt.Rectangle;

/**
 * Counts one core's pixels into a confusion matrix. A pixel is left out (and counted as ignored)
 * when its label is the label raster's nodata or the ignore index, or when the prediction is nodata
 * (255).
 */
public final class LabelCounting {
  private LabelCounting() {}

  /**
   * @param labels label values of the core, row-major
   * @param predictions predicted class ids of the same pixels (255 = nodata)
   */
  public static void count(
      ConfusionMatrix cm,
      int[] labels,
      int[] predictions,
      int n,
      Double labelNodata,
      Integer ignoreIndex,
      String labelUri,
      String predictionUri,
      Rectangle core) {
    int k = cm.numClasses();
    int nodata = labelNodata == null ? Integer.MIN_VALUE : (int) Math.round(labelNodata);
    int ignore = ignoreIndex == null ? Integer.MIN_VALUE : ignoreIndex;
    long ignored = 0;
    for (int i = 0; i < n; i++) {
      int label = labels[i];
      int predicted = predictions[i];
      if (label == nodata || label == ignore || predicted == MaskFormat.NODATA) {
        ignored++;
      } else if (label < 0 || label >= k) {
        throw new TerraSegException(
            labelUri
                + ": label "
                + label
                + " at pixel "
                + pixel(core, i)
                + " is not a class id (0.."
                + (k - 1)
                + "), the ignore index or nodata");
      } else if (predicted < 0 || predicted >= k) {
        throw new TerraSegException(
            predictionUri
                + ": prediction "
                + predicted
                + " at pixel "
                + pixel(core, i)
                + " is not a class id (0.."
                + (k - 1)
                + ") or nodata ("
                + MaskFormat.NODATA
                + ")");
      } else {
        cm.add(label, predicted);
      }
    }
    cm.addIgnored(ignored);
  }

  private static String pixel(Rectangle core, int i) {
    return "(" + (core.x + i % core.width) + ", " + (core.y + i / core.width) + ")";
  }
}
