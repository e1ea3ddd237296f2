/**
 * Segmentation networks built from DJL blocks, named like their PyTorch counterparts so that state
 * dicts load as safetensors: {@code deeplabv3} (torchvision's DeepLabV3, checked against PyTorch
 * numerically), {@code deeplabv3plus} (Chen et al. 2018; on a ResNet or the paper's aligned
 * Xception-65), {@code fastfcn} (Wu et al. 2019; JPU with an ASPP, FCN, EncNet or PSPNet head) and
 * {@code fcn8s}, {@code fcn16s}, {@code fcn32s} (Long et al. 2015, on VGG-16).
 *
 * <p>{@code scripts/architecture_reference.py} builds these networks in PyTorch; ArchitecturesTest
 * checks that every tensor name and shape here equals PyTorch's, and ArchitectureEquivalenceTest
 * that each configuration there, loaded with PyTorch's random weights, gives PyTorch's logits.
 *
 * <p>Tensor names ({@code .weight}, {@code .bias}, {@code .running_mean}, {@code .running_var};
 * BN's {@code num_batches_tracked} is ignored on load):
 *
 * <ul>
 *   <li>{@code backbone.*}: torchvision's ResNet without {@code fc} ({@code conv1}, {@code bn1},
 *       {@code layer1-4.i.conv1-3}, {@code .bn1-3}, {@code .downsample.0/1}); or, for {@code
 *       xception65} (deeplabv3plus only), timm's xception65 without {@code head} ({@code
 *       stem.0-1.conv/bn}, {@code blocks.0-20.stack.conv1-3.conv_dw/bn_dw/conv_pw/bn_pw}, {@code
 *       blocks.0-2,19.shortcut.conv/bn}; see {@link Xception}).
 *   <li>deeplabv3: {@code classifier.0.convs.0.0/1} (1×1), {@code classifier.0.convs.1-3.0/1}
 *       (atrous), {@code classifier.0.convs.4.1/2} (image pooling), {@code
 *       classifier.0.project.0/1}, {@code classifier.1/2} (3×3 conv, BN), {@code classifier.4}
 *       (classifier) — torchvision's own.
 *   <li>deeplabv3plus: {@code aspp.convs.0.0/1}, {@code aspp.convs.1-3.0/1/3/4} (depthwise, BN,
 *       pointwise, BN), {@code aspp.convs.4.1/2}, {@code aspp.project.0/1}, {@code low_level.0/1},
 *       {@code decoder.0-1.0/1/3/4}, {@code classifier}.
 *   <li>fastfcn: {@code jpu.conv3/conv4/conv5.0/1}, {@code jpu.dilation1-4.0.conv1/bn/pointwise}
 *       (depthwise, BN, pointwise) and {@code jpu.dilation1-4.1} (BN), as the FastFCN reference
 *       code names them; {@code head.*} is deeplabv3's {@code classifier.*} for {@code aspp},
 *       {@code head.0/1/4} (3×3 conv, BN, classifier: torchvision's FCNHead) for {@code fcn}, the
 *       FastFCN reference's EncHead names for {@code enc} ({@code head.conv5.0/1}, {@code
 *       head.encmodule.encoding.0/1/4}, {@code head.encmodule.encoding.3.codewords/scale}, {@code
 *       head.encmodule.fc.0}, {@code head.encmodule.selayer}, {@code head.conv6.1}) and its PSPHead
 *       names for {@code psp} ({@code head.conv5.0.conv1-4.0/1}, {@code head.conv5.1/2/5}).
 *   <li>fcn8s/16s/32s (no {@code backbone.} prefix): {@code features.0-28} (torchvision's VGG-16
 *       convs, weight and bias), {@code fc6}, {@code fc7}, {@code score_fr}, {@code score_pool4},
 *       {@code score_pool3} (weight, bias), {@code upscore2}, {@code upscore_pool4} and {@code
 *       upscore8} / {@code upscore16} / {@code upscore} (weight only), as the paper's Caffe nets
 *       and their PyTorch ports name them.
 * </ul>
 */
package io.terraseg.model.arch;
