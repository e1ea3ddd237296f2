package io.terraseg.model;

import ai.djl.Device;
import ai.djl.Model;
import io.terraseg.TerraSegException;
import io.terraseg.model.arch.ArchitectureSpec;
import io.terraseg.model.arch.Architectures;
import java.io.IOException;
import java.nio.file.Path;

/** Bridge from model.json to the Java-built networks of {@code io.terraseg.model.arch}. */
final class NativeArchitectures {
  private NativeArchitectures() {}

  static Model load(Path dir, ModelSpec spec, Path weights, Device device) throws IOException {
    ArchitectureSpec architecture;
    try {
      architecture =
          new ArchitectureSpec(
              spec.architecture(), spec.backbone(), spec.outputStride(), spec.head());
    } catch (IllegalArgumentException e) {
      throw new TerraSegException(dir.resolve(ModelSpec.FILE) + ": " + e.getMessage(), e);
    }
    try {
      Model model =
          Architectures.load(
              architecture, spec.input().bands().length, spec.numClasses(), weights, device);
      // DJL initializes parameters as trainable, and torch's grad mode is per thread: DJL turns it
      // off only on the thread that started the engine, so a Spark task's forward pass would
      // record an autograd graph, keeping activations alive for a backward pass that never comes.
      model
          .getBlock()
          .getParameters()
          .values()
          .forEach(p -> p.getArray().setRequiresGradient(false));
      return model;
    } catch (IllegalArgumentException e) {
      // The state dict's message already names the file and every tensor that does not fit.
      throw new TerraSegException(e.getMessage(), e);
    }
  }
}
