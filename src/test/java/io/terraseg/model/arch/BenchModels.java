package io.terraseg.model.arch;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parameters, work and inference time per tile of each architecture, as the segment job runs it
 * (Predictor, argmax on the engine, mask bytes to the host), one JSON line per configuration; then
 * FastFCN's claim: the same head on a JPU over an output-stride-32 backbone against a backbone
 * dilated to output stride 8, as ratios of work and of time.
 *
 * <p>Work is counted, not measured: {@link Counts#multiplyAdds} per tile of batch 1, printed as
 * {@code gmacs_per_tile} (10⁹ multiply-adds, what papers and FLOP counters such as thop or mmcv
 * often call "FLOPs") and {@code gflops_per_tile} = 2 × that (a multiply and an add each).
 *
 * <p>Options: {@code --tile N} (default 512, the FastFCN paper's size), {@code --batch N} (1),
 * {@code --runs N} timed forwards whose median is reported (5), {@code --warmup N} untimed rounds
 * (1), {@code --device cpu|gpu} (gpu when there is one), {@code --only NAME[,NAME]} to run some
 * configurations by name (see {@link #CONFIGS}).
 */
final class BenchModels {

  record Config(
      String name, String architecture, String backbone, Integer outputStride, String head) {
    Block build(int classes) {
      if (architecture.equals("dilatedfcn")) {
        return new DilatedFcn(backbone, head, classes);
      }
      return Architectures.build(
          new ArchitectureSpec(architecture, backbone, outputStride, head), 3, classes);
    }

    /**
     * The stride the backbone stops at: FastFCN's is 32, the JPU recovering stride 8 after it;
     * FCN's VGG-16 too, its skips fusing scores back to 8, 16 or 32.
     */
    int backboneStride() {
      return outputStride == null ? 32 : outputStride;
    }
  }

  /** "dilatedfcn" is FastFCN's baseline, {@link DilatedFcn}. */
  static final List<Config> CONFIGS =
      List.of(
          new Config("deeplabv3-r50-os8", "deeplabv3", "resnet50", 8, null),
          new Config("deeplabv3plus-r50-os16", "deeplabv3plus", "resnet50", 16, null),
          new Config("deeplabv3plus-r50-os8", "deeplabv3plus", "resnet50", 8, null),
          new Config("deeplabv3plus-r101-os16", "deeplabv3plus", "resnet101", 16, null),
          new Config("deeplabv3plus-r101-os8", "deeplabv3plus", "resnet101", 8, null),
          new Config("deeplabv3plus-x65-os16", "deeplabv3plus", "xception65", 16, null),
          new Config("fastfcn-r50-aspp", "fastfcn", "resnet50", null, "aspp"),
          new Config("fastfcn-r50-fcn", "fastfcn", "resnet50", null, "fcn"),
          new Config("dilatedfcn-r50-os8-fcn", "dilatedfcn", "resnet50", 8, "fcn"),
          new Config("fastfcn-r50-enc", "fastfcn", "resnet50", null, "enc"),
          new Config("dilatedfcn-r50-os8-enc", "dilatedfcn", "resnet50", 8, "enc"),
          new Config("fastfcn-r50-psp", "fastfcn", "resnet50", null, "psp"),
          new Config("dilatedfcn-r50-os8-psp", "dilatedfcn", "resnet50", 8, "psp"),
          new Config("fastfcn-r101-enc", "fastfcn", "resnet101", null, "enc"),
          new Config("dilatedfcn-r101-os8-enc", "dilatedfcn", "resnet101", 8, "enc"),
          new Config("deeplabv3plus-r18-os16", "deeplabv3plus", "resnet18", 16, null),
          new Config("fastfcn-r18-fcn", "fastfcn", "resnet18", null, "fcn"),
          new Config("fcn8s-vgg16", "fcn8s", "vgg16", null, null));

  /**
   * FastFCN's speed table (PASCAL Context, FPS; the reference code's README), by backbone and head:
   * the head on a dilated backbone vs on JPU.
   */
  private static final Map<String, double[]> PAPER =
      Map.of(
          "resnet50/aspp", new double[] {15.99, 20.67},
          "resnet50/enc", new double[] {18.77, 37.56},
          "resnet50/psp", new double[] {18.08, 28.48},
          "resnet101/enc", new double[] {10.51, 32.02});

  private static final int CLASSES = 6;

  private BenchModels() {}

  public static void main(String[] args) throws TranslateException {
    Map<String, String> options = parse(args);
    int tile = Integer.parseInt(options.getOrDefault("tile", "512"));
    int batch = Integer.parseInt(options.getOrDefault("batch", "1"));
    int runs = Integer.parseInt(options.getOrDefault("runs", "5"));
    int warmup = Integer.parseInt(options.getOrDefault("warmup", "1"));
    Device device =
        switch (options.getOrDefault(
            "device", Engine.getEngine(Architectures.ENGINE).getGpuCount() > 0 ? "gpu" : "cpu")) {
          case "gpu" -> Device.gpu();
          case "cpu" -> Device.cpu();
          default -> throw new IllegalArgumentException("--device is cpu or gpu");
        };
    List<String> only =
        options.containsKey("only") ? Arrays.asList(options.get("only").split(",")) : null;

    List<Bench> benches = new ArrayList<>();
    try {
      for (Config config : CONFIGS) {
        if (only == null || only.contains(config.name())) {
          benches.add(new Bench(config, device, new Shape(batch, 3, tile, tile)));
        }
      }
      // Round-robin rather than one configuration after another: on a shared machine a load that
      // comes
      // and goes then slows every configuration alike, and the ratios stay meaningful.
      for (int round = -warmup; round < runs; round++) {
        for (Bench bench : benches) {
          double ms = bench.forward();
          if (round >= 0) {
            bench.ms.add(ms);
          }
        }
      }
      Map<String, Bench> byName = new HashMap<>();
      for (Bench bench : benches) {
        byName.put(bench.config.name(), bench);
        Config c = bench.config;
        System.out.println(
            String.format(
                Locale.ROOT,
                "{\"architecture\":\"%s\",\"backbone\":\"%s\",\"output_stride\":%d,\"head\":%s,\"params\":%d,"
                    + "\"gmacs_per_tile\":%.3f,\"gflops_per_tile\":%.3f,\"tile\":%d,\"batch\":%d,\"ms_per_tile\":%.1f,\"min_ms_per_tile\":%.1f,\"runs\":%d,\"device\":\"%s\"}",
                c.architecture(),
                c.backbone(),
                c.backboneStride(),
                c.head() == null ? "null" : "\"" + c.head() + "\"",
                bench.params,
                bench.macs / 1e9,
                2 * bench.macs / 1e9,
                tile,
                batch,
                bench.msPerTile(),
                Collections.min(bench.ms) / batch,
                runs,
                device));
      }
      for (Bench jpu : benches) {
        Config c = jpu.config;
        if (c.architecture().equals("fastfcn")) {
          // The same head and backbone dilated to OS 8: DeepLabV3 itself for ASPP.
          String resnet = c.name().split("-")[1];
          String dilated =
              c.head().equals("aspp")
                  ? "deeplabv3-" + resnet + "-os8"
                  : "dilatedfcn-" + resnet + "-os8-" + c.head();
          compare(byName.get(dilated), jpu, tile, batch);
        }
      }
    } finally {
      benches.forEach(Bench::close);
    }
  }

  /**
   * The FastFCN paper's DilatedFCN: the same head on a backbone dilated to output stride 8 and no
   * JPU — what the paper's speed claim is measured against. Only the benchmark builds it.
   */
  static final class DilatedFcn extends CompositeBlock {
    private final ResNet backbone;
    private final Block head;

    DilatedFcn(String backboneName, String headName, int numClasses) {
      backbone = addChildBlock("backbone", new ResNet(backboneName, 8));
      // EncNet without a JPU opens with a 3×3 conv, as the reference code builds its baseline.
      head =
          addChildBlock(
              "head",
              headName.equals("enc")
                  ? new EncHead(numClasses, 3)
                  : FastFcn.head(headName, backbone.channels()[3], numClasses));
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = inputs.singletonOrThrow();
      NDArray features = backbone.forward(ps, inputs, training, params).get(3);
      NDArray logits = Layers.apply(head, ps, features, training, params);
      return new NDList(Layers.resize(logits, x.getShape().get(2), x.getShape().get(3)));
    }

    @Override
    Shape[] walk(Layers.Walk walk, Shape[] inputs) {
      Shape input = inputs[0];
      Shape logits = walk.one(head, walk.through(backbone, input)[3]);
      return new Shape[] {Layers.resized(logits, input.get(2), input.get(3))};
    }
  }

  /** One configuration, loaded once and timed as the segment job runs it. */
  private static final class Bench implements AutoCloseable {
    final Config config;
    final Model model;
    final Predictor<NDList, NDList> predictor;
    final NDArray input;
    final long params;
    final long macs;
    final List<Double> ms = new ArrayList<>();

    Bench(Config config, Device device, Shape input) {
      this.config = config;
      Block block = config.build(CLASSES);
      model = Model.newInstance(config.name(), device, Architectures.ENGINE);
      model.setBlock(block);
      block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 64, 64));
      params = Counts.trainable(block);
      macs = Counts.multiplyAdds(block, new Shape(1, 3, input.get(2), input.get(3)));
      predictor = model.newPredictor(new NoopTranslator());
      this.input = model.getNDManager().randomNormal(input);
    }

    double forward() throws TranslateException {
      try (NDManager step = model.getNDManager().newSubManager()) {
        // Every array an op makes joins its input's manager: the input must be this step's to be
        // freed.
        NDArray x = input.duplicate();
        x.attach(step);
        long start = System.nanoTime();
        NDList out = predictor.predict(new NDList(x));
        // Reading the mask back is what ends the work on an asynchronous device.
        out.singletonOrThrow().argMax(1).toType(DataType.UINT8, false).toByteBuffer();
        return (System.nanoTime() - start) / 1e6;
      }
    }

    /** Median time of a forward pass, per tile of the batch. */
    double msPerTile() {
      return median(ms) / input.getShape().get(0);
    }

    @Override
    public void close() {
      predictor.close();
      model.close();
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static void compare(Bench dilated, Bench jpu, int tile, int batch) {
    if (dilated == null) {
      return;
    }
    String backbone = jpu.config.backbone();
    String head = jpu.config.head();
    double dilatedMs = dilated.msPerTile();
    double jpuMs = jpu.msPerTile();
    double[] paper = PAPER.get(backbone + "/" + head);
    System.out.println(
        String.format(
            Locale.ROOT,
            "{\"comparison\":\"fastfcn_jpu_os32_vs_dilated_os8\",\"backbone\":\"%s\",\"head\":\"%s\",\"tile\":%d,"
                + "\"batch\":%d,\"dilated_gflops_per_tile\":%.3f,\"jpu_gflops_per_tile\":%.3f,\"gflops_ratio\":%.2f,"
                + "\"dilated_ms_per_tile\":%.1f,\"jpu_ms_per_tile\":%.1f,\"speedup\":%.2f%s}",
            backbone,
            head,
            tile,
            batch,
            2 * dilated.macs / 1e9,
            2 * jpu.macs / 1e9,
            dilated.macs / (double) jpu.macs,
            dilatedMs,
            jpuMs,
            dilatedMs / jpuMs,
            paper == null
                ? ""
                : String.format(Locale.ROOT, ",\"paper_speedup\":%.2f", paper[1] / paper[0])));
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> options = new HashMap<>();
    List<String> known = List.of("tile", "batch", "runs", "warmup", "device", "only");
    for (int i = 0; i < args.length; i++) {
      String key = args[i].replaceFirst("^--", "");
      if (!args[i].startsWith("--") || !known.contains(key) || i + 1 == args.length) {
        throw new IllegalArgumentException(
            "usage: BenchModels [--tile N] [--batch N] [--runs N] [--warmup N]"
                + " [--device cpu|gpu] [--only NAME,...]; names: "
                + CONFIGS.stream().map(Config::name).toList());
      }
      options.put(key, args[++i]);
    }
    return options;
  }
}
