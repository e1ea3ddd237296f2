package io.terraseg.model.arch;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.io.IOException;
import java.nio.file.Path;

/** Builds the networks model.json names and loads their weights. */
public final class Architectures {

  /** Large enough for every stage of an output-stride-32 backbone to keep a pixel. */
  private static final int INIT_SIZE = 64;

  /** The layers call PyTorch's interpolate through DJL's engine-internal API. */
  static final String ENGINE = "PyTorch";

  private Architectures() {}

  /**
   * The network: input NDList(one float32 N×C×H×W array, C = {@code inChannels}), output NDList(one
   * N×K×H×W logits array), any H, W. Not initialized: a training job initializes it with its input
   * shape, {@link #load} with a small one (parameter shapes do not depend on H, W).
   */
  public static Block build(ArchitectureSpec spec, int inChannels, int numClasses) {
    if (inChannels < 1 || numClasses < 1) {
      throw new IllegalArgumentException(
          "need at least one input band and one class, got "
              + inChannels
              + " bands, "
              + numClasses
              + " classes");
    }
    return switch (spec.architecture()) {
      case "deeplabv3" -> new DeepLabV3(spec.backbone(), spec.outputStride(), numClasses);
      case "deeplabv3plus" -> new DeepLabV3Plus(spec.backbone(), spec.outputStride(), numClasses);
      case "fastfcn" -> new FastFcn(spec.backbone(), spec.head(), numClasses);
      case "fcn8s" -> new Fcn(8, numClasses);
      case "fcn16s" -> new Fcn(16, numClasses);
      case "fcn32s" -> new Fcn(32, numClasses);
      default -> throw new IllegalArgumentException("unknown architecture " + spec.architecture());
    };
  }

  /**
   * A ready-to-predict Model on {@code device}: block built, initialized and filled from the
   * safetensors file. A Predictor runs it in inference mode (BN running statistics, no dropout).
   *
   * @throws IOException when the file cannot be read or is not safetensors
   * @throws IllegalArgumentException naming each missing, unexpected or mis-shaped tensor
   */
  public static Model load(
      ArchitectureSpec spec, int inChannels, int numClasses, Path safetensors, Device device)
      throws IOException {
    Block block = build(spec, inChannels, numClasses);
    Model model = Model.newInstance(spec.architecture(), device, ENGINE);
    try {
      model.setBlock(block);
      block.initialize(
          model.getNDManager(), DataType.FLOAT32, new Shape(1, inChannels, INIT_SIZE, INIT_SIZE));
      try (NDManager host = NDManager.newBaseManager(Device.cpu(), ENGINE)) {
        StateDict.load(block, StateDict.read(host, safetensors), safetensors.toString());
      }
      return model;
    } catch (IOException | RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /**
   * Writes {@code block}'s parameters (BN running statistics included) as a safetensors state dict
   * under the documented tensor names: what {@link #load} reads back, and what a training job
   * saves.
   */
  public static void save(Block block, Path safetensors) throws IOException {
    StateDict.save(block, safetensors);
  }
}
