package io.terraseg.model.arch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What a training job will do with these blocks: DJL's Trainer, per-pixel cross-entropy, SGD. */
class TrainingTest {

  static final int CLASSES = 3;
  static final int STEPS = 4;

  static List<ArchitectureSpec> architectures() {
    return List.of(
        new ArchitectureSpec("deeplabv3", "resnet18", 8, null),
        new ArchitectureSpec("deeplabv3plus", "resnet18", 16, null),
        new ArchitectureSpec("fastfcn", "resnet18", null, "aspp"),
        new ArchitectureSpec("fastfcn", "resnet18", null, "fcn"),
        new ArchitectureSpec("fcn8s", "vgg16", null, null));
  }

  @ParameterizedTest
  @MethodSource("architectures")
  void sgdStepsLowerTheLossAndReachEveryParameter(ArchitectureSpec spec) {
    // classAxis 1: logits are N×K×H×W and labels N×1×H×W class indices.
    SoftmaxCrossEntropyLoss loss = new SoftmaxCrossEntropyLoss("pixel_ce", 1f, 1, true, true);
    DefaultTrainingConfig config =
        new DefaultTrainingConfig(loss)
            .optOptimizer(
                Optimizer.sgd()
                    .setLearningRateTracker(Tracker.fixed(learningRate(spec)))
                    .optMomentum(0.9f)
                    .build())
            .optDevices(new Device[] {Device.cpu()});
    Engine.getEngine(Architectures.ENGINE).setRandomSeed(7);
    try (Model model = Model.newInstance(spec.architecture(), Device.cpu(), Architectures.ENGINE)) {
      model.setBlock(Architectures.build(spec, 3, CLASSES));
      try (Trainer trainer = model.newTrainer(config)) {
        NDManager manager = trainer.getManager();
        Shape input = new Shape(2, 3, 48, 40);
        trainer.initialize(input);
        NDArray x = manager.randomNormal(input);
        // Classes a network can learn from the pixels: which channel is largest.
        NDArray y = x.argMax(1).expandDims(1).toType(DataType.INT64, false);
        Map<String, Parameter> parameters = StateDict.names(model.getBlock());
        // FCN's VGG-16, as the paper's, has no BN.
        boolean bn = spec.backbone().startsWith("resnet");
        NDArray runningMean =
            bn ? parameters.get("backbone.bn1.running_mean").getArray().duplicate() : null;

        List<Float> losses = new ArrayList<>();
        for (int step = 0; step < STEPS; step++) {
          try (GradientCollector collector = trainer.newGradientCollector()) {
            NDArray value = loss.evaluate(new NDList(y), trainer.forward(new NDList(x)));
            collector.backward(value);
            losses.add(value.getFloat());
          }
          if (step == 0) {
            assertEveryParameterHasAGradient(parameters);
          }
          trainer.step();
        }
        assertTrue(losses.get(STEPS - 1) < losses.get(0), spec + " losses " + losses);
        if (bn) {
          assertFalse(
              runningMean.allClose(parameters.get("backbone.bn1.running_mean").getArray()),
              "training updates BN running statistics");
        }
      }
    }
  }

  /**
   * VGG-16 has no BN to keep its 16 layers' gradients in range: the FCN paper trains FCN-VGG16 at
   * 1e-4 (Sec. 4.1); at 0.01 its loss jumps. The ResNets take 0.01.
   */
  private static float learningRate(ArchitectureSpec spec) {
    return spec.backbone().equals("vgg16") ? 1e-4f : 0.01f;
  }

  private static void assertEveryParameterHasAGradient(Map<String, Parameter> parameters) {
    parameters.forEach(
        (name, p) -> {
          if (p.requiresGradient()) {
            NDArray gradient = p.getArray().getGradient();
            assertTrue(gradient.abs().sum().getFloat() > 0, "no gradient reaches " + name);
          }
        });
  }
}
