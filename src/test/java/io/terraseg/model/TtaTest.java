package io.terraseg.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class TileBatchTranslatorTest {
  @Test
  void classIdsEqualPyTorchsArgmaxIncludingTies() {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      for (int k : new int[] {1, 2, 4, 21}) {
        // Rounded logits make ties common: the first of the tied classes must win, as in argmax.
        NDArray logits = manager.randomNormal(new Shape(3, k, 17, 23)).mul(2).round();
        byte[] expected = logits.argMax(1).toType(DataType.UINT8, false).toByteArray();
        assertArrayEquals(
            expected, TileBatchTranslator.classIds(logits).toByteArray(), k + " classes");
      }
    }
  }
}
