package io.terraseg.model.arch;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.BlockList;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.util.Pair;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Our blocks' parameters under PyTorch state-dict names, and safetensors files holding them.
 *
 * <p>A name is the path of child names, dot-joined: DJL numbers children ("01conv1"), so the number
 * is dropped, and children of a SequentialBlock or ParallelBlock are named by their 0-based index
 * as nn.Sequential and nn.ModuleList are. BatchNorm's gamma/beta/runningMean/runningVar become
 * weight/bias/running_mean/running_var.
 */
final class StateDict {

  private static final Map<String, String> TORCH_PARAMETER_NAMES =
      Map.of(
          "gamma",
          "weight",
          "beta",
          "bias",
          "runningMean",
          "running_mean",
          "runningVar",
          "running_var");

  /**
   * PyTorch counts BN updates in this buffer; our BN uses a fixed momentum, so it carries nothing
   * for us.
   */
  private static final String IGNORED_SUFFIX = ".num_batches_tracked";

  private static final int MAX_LISTED = 10;

  private StateDict() {}

  /**
   * Every parameter and BN buffer of {@code block} under its PyTorch name, in the block's order.
   */
  static Map<String, Parameter> names(Block block) {
    Map<String, Parameter> names = new LinkedHashMap<>();
    collect(block, "", names);
    return names;
  }

  private static void collect(Block block, String prefix, Map<String, Parameter> names) {
    for (Pair<String, Parameter> p : block.getDirectParameters()) {
      names.put(prefix + TORCH_PARAMETER_NAMES.getOrDefault(p.getKey(), p.getKey()), p.getValue());
    }
    boolean indexed = block instanceof SequentialBlock || block instanceof ParallelBlock;
    BlockList children = block.getChildren();
    for (int i = 0; i < children.size(); i++) {
      String name =
          indexed ? Integer.toString(i) : children.get(i).getKey().replaceFirst("^\\d+", "");
      collect(children.get(i).getValue(), prefix + name + ".", names);
    }
  }

  /** Reads a whole safetensors file; each array is named after its tensor. */
  static NDList read(NDManager manager, Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    // safetensors starts with an 8-byte header length, then the JSON header.
    if (bytes.length < 9 || bytes[8] != '{') {
      throw new IOException(file + " is not a safetensors file");
    }
    try {
      return NDList.decode(manager, bytes);
    } catch (RuntimeException e) {
      throw new IOException("cannot read safetensors file " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Copies {@code tensors} into the initialized {@code block}, all or nothing: every parameter must
   * be there with its exact shape and nothing else may be (besides {@code num_batches_tracked}).
   *
   * @throws IllegalArgumentException naming each missing, unexpected or mis-shaped tensor
   */
  static void load(Block block, NDList tensors, String source) {
    Map<String, Parameter> expected = names(block);
    Map<String, NDArray> given = new LinkedHashMap<>();
    for (NDArray t : tensors) {
      if (!t.getName().endsWith(IGNORED_SUFFIX)) {
        given.put(t.getName(), t);
      }
    }
    List<String> problems = new ArrayList<>();
    expected.forEach(
        (name, p) -> {
          NDArray t = given.get(name);
          if (t == null) {
            problems.add("missing tensor " + name + " " + p.getArray().getShape());
          } else if (!t.getShape().equals(p.getArray().getShape())) {
            problems.add(
                "tensor "
                    + name
                    + " has shape "
                    + t.getShape()
                    + " but the model expects "
                    + p.getArray().getShape());
          } else if (!t.getDataType().isFloating()) {
            problems.add("tensor " + name + " is " + t.getDataType() + ", not floating point");
          }
        });
    given.keySet().stream()
        .filter(name -> !expected.containsKey(name))
        .forEach(
            name -> problems.add("unexpected tensor " + name + " " + given.get(name).getShape()));
    if (!problems.isEmpty()) {
      String listed = String.join("; ", problems.subList(0, Math.min(MAX_LISTED, problems.size())));
      String more =
          problems.size() > MAX_LISTED ? "; and " + (problems.size() - MAX_LISTED) + " more" : "";
      throw new IllegalArgumentException(source + ": does not fit the model: " + listed + more);
    }
    expected.forEach(
        (name, p) ->
            p.getArray()
                .set(given.get(name).toType(p.getArray().getDataType(), false).toByteBuffer()));
  }

  /**
   * Writes the block's parameters and BN buffers under their PyTorch names, as {@link #load} reads
   * them.
   */
  static void save(Block block, Path file) throws IOException {
    try (NDManager host = NDManager.newBaseManager(Device.cpu());
        OutputStream out = Files.newOutputStream(file)) {
      NDList list = new NDList();
      names(block)
          .forEach(
              (name, p) -> {
                NDArray copy = p.getArray().toDevice(Device.cpu(), true);
                copy.attach(host);
                copy.setName(name);
                list.add(copy);
              });
      list.encode(out, NDList.Encoding.SAFETENSORS);
    }
  }
}
