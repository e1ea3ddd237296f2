package io.terraseg.model.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FCN's upsampling: bilinear when the network is built fresh, as the paper initializes it, and
 * cropped where its pixels line up with the finer map and the input.
 */
class FcnTest {

  static final int CLASSES = 3;

  /** Upsampling factor of each transposed conv, by its layer name. */
  static final Map<String, Integer> FACTORS =
      Map.of("upscore2", 2, "upscore_pool4", 2, "upscore8", 8, "upscore16", 16, "upscore", 32);

  /**
   * Upsampling is torch's ConvTranspose2d (stride f, kernel 2f, no bias) by its definition: input
   * pixel (j, k) of channel i adds x·weight[i, o, t, u] to output pixel (jf + t, kf + u) of channel
   * o. Checked against that sum, written out here, with weights that are neither symmetric nor
   * diagonal, so a swapped in/out or a flipped kernel shows.
   */
  @ParameterizedTest
  @ValueSource(ints = {2, 8})
  void upsamplingIsTorchsTransposedConvolution(int f) {
    int in = 3;
    int n = 3;
    int m = 2;
    int k = 2 * f;
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      NDArray x = manager.randomNormal(new Shape(2, in, n, m));
      NDArray weight = manager.randomNormal(new Shape(in, in, k, k));
      float[] xs = x.toFloatArray();
      float[] ws = weight.toFloatArray();
      float[] expected = new float[2 * in * (n + 1) * f * (m + 1) * f];
      int height = (n + 1) * f;
      int width = (m + 1) * f;
      for (int b = 0; b < 2; b++) {
        for (int i = 0; i < in; i++) {
          for (int j = 0; j < n; j++) {
            for (int l = 0; l < m; l++) {
              float v = xs[((b * in + i) * n + j) * m + l];
              for (int o = 0; o < in; o++) {
                for (int t = 0; t < k; t++) {
                  for (int u = 0; u < k; u++) {
                    expected[((b * in + o) * height + j * f + t) * width + l * f + u] +=
                        v * ws[((i * in + o) * k + t) * k + u];
                  }
                }
              }
            }
          }
        }
      }
      NDArray actual = Upsampling.transposedConv(x, weight, f);
      assertEquals(new Shape(2, in, height, width), actual.getShape());
      float diff = actual.sub(manager.create(expected, actual.getShape())).abs().max().getFloat();
      assertTrue(diff < 1e-4f, "×" + f + ": differs from the transposed convolution by " + diff);
    }
  }

  /**
   * Built as a training job builds a fresh network (DJL's Trainer, default initializers), every
   * transposed conv with its crop is bilinear interpolation (torch's, align_corners=False) except
   * at the border, where a transposed conv sees zeros and interpolation repeats the edge.
   */
  @ParameterizedTest
  @ValueSource(strings = {"fcn8s", "fcn16s", "fcn32s"})
  void freshUpsamplingIsBilinearInterpolation(String architecture) {
    ArchitectureSpec spec = new ArchitectureSpec(architecture, null, null, null);
    try (Model model = Model.newInstance(architecture, Device.cpu(), Architectures.ENGINE)) {
      model.setBlock(Architectures.build(spec, 3, CLASSES));
      try (Trainer trainer =
          model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()))) {
        trainer.initialize(new Shape(1, 3, 64, 64));
        NDManager manager = trainer.getManager();
        int checked = 0;
        for (Map.Entry<String, Parameter> e : StateDict.names(model.getBlock()).entrySet()) {
          String layer = e.getKey().replaceFirst("\\.weight$", "");
          Integer f = FACTORS.get(layer);
          if (f == null) {
            continue;
          }
          long h = 5;
          long w = 4;
          NDArray scores = manager.randomNormal(new Shape(1, CLASSES, h, w));
          NDArray upsampled = Upsampling.transposedConv(scores, e.getValue().getArray(), f);
          NDArray ours = Fcn.crop(upsampled, f, new Shape(1, CLASSES, h * f, w * f));
          NDArray bilinear = Layers.resize(scores, h * f, w * f);
          NDIndex inside =
              new NDIndex("..., {}:{}, {}:{}", f / 2, h * f - f / 2, f / 2, w * f - f / 2);
          float diff = ours.get(inside).sub(bilinear.get(inside)).abs().max().getFloat();
          assertTrue(
              diff < 1e-5f,
              architecture
                  + " "
                  + layer
                  + ": fresh ×"
                  + f
                  + " upsampling differs from bilinear interpolation by "
                  + diff);
          checked++;
        }
        assertEquals(
            architecture.equals("fcn8s") ? 3 : architecture.equals("fcn16s") ? 2 : 1,
            checked,
            architecture + ": transposed convs checked");
      }
    }
  }

  /**
   * With mirror-symmetric kernels and a tile whose maps halve evenly down to pool5 (64×96), the
   * network commutes with mirroring if and only if every upsampled map is cropped where its pixel
   * centres lie on the finer map's and, last, on the input's: a crop shifted by one pixel anywhere
   * breaks the symmetry.
   */
  @ParameterizedTest
  @ValueSource(strings = {"fcn8s", "fcn16s", "fcn32s"})
  void logitsLineUpWithTheInput(String architecture) {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      Block block =
          Architectures.build(new ArchitectureSpec(architecture, null, null, null), 3, CLASSES);
      block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
      for (Parameter p : block.getParameters().values()) {
        NDArray k = p.getArray();
        if (k.getShape().dimension() == 4) {
          NDArray mirrored = k.add(k.flip(3));
          k.set(new NDIndex("..."), mirrored.add(mirrored.flip(2)).div(4));
        }
      }
      NDArray x = manager.randomNormal(new Shape(1, 3, 64, 96));
      NDArray tiles = NDArrays.concat(new NDList(x, x.flip(2), x.flip(3)));
      NDArray logits =
          block
              .forward(new ParameterStore(manager, false), new NDList(tiles), false)
              .singletonOrThrow();
      NDArray original = logits.get("0:1");
      float scale = original.abs().max().getFloat();
      assertTrue(scale > 0, "logits are all zero");
      for (int axis : new int[] {2, 3}) {
        NDArray mirrored = logits.get("{}:{}", axis - 1, axis).flip(axis);
        float diff = mirrored.sub(original).abs().max().getFloat();
        assertTrue(
            diff <= 1e-4f * scale,
            architecture
                + ": logits of the tile mirrored along axis "
                + axis
                + " are not the mirrored logits (max difference "
                + diff
                + ", logits up to "
                + scale
                + "): an upsampled map is cropped off its alignment");
      }
    }
  }
}
