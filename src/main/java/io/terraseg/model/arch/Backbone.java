package io.terraseg.model.arch;

/**
 * A feature extractor: forward takes the image and returns feature maps, shallowest first, whose
 * channel counts {@link #channels()} lists. DeepLabv3+ reads the first (stride 4) and the last (at
 * the output stride).
 */
abstract class Backbone extends CompositeBlock {

  /** Channels of the feature maps forward returns, in the same order. */
  abstract int[] channels();
}
