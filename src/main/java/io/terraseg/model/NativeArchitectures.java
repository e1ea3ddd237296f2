package io.terraseg.model;

import ai.djl.Device;
import ai.djl.Model;
import io.terraseg.TerraSegException;
import java.nio.file.Path;

/** Bridge from model.json to the Java-built networks of {@code io.terraseg.model.arch}. */
final class NativeArchitectures {
  private NativeArchitectures() {}

  static Model load(ModelSpec spec, Path weights, Device device) {
    throw new TerraSegException("architecture \"" + spec.architecture() + "\" is not available");
  }
}
