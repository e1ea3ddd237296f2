package io.terraseg.model.arch;

import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Which network to build, as model.json names it: {@code architecture}, {@code backbone}, {@code
 * output_stride} and {@code head}. Absent fields take the paper's defaults: backbone resnet50
 * (vgg16 for the FCNs), output stride 8 for deeplabv3 (torchvision's), 16 for deeplabv3plus (the
 * paper's), head aspp for fastfcn. Backbone xception65 (DeepLabv3+'s aligned Xception) is for
 * deeplabv3plus only. fcn8s, fcn16s and fcn32s take neither output_stride (their name says it) nor
 * head.
 */
public record ArchitectureSpec(
    String architecture, String backbone, Integer outputStride, String head) {

  static final List<String> ARCHITECTURES =
      List.of("deeplabv3", "deeplabv3plus", "fastfcn", "fcn8s", "fcn16s", "fcn32s");
  static final List<String> RESNETS = List.of("resnet18", "resnet34", "resnet50", "resnet101");
  static final List<String> VGGS = List.of("vgg16");
  static final List<String> HEADS = List.of("aspp", "enc", "fcn", "psp");

  public ArchitectureSpec {
    architecture = lower(architecture);
    if (architecture == null || !ARCHITECTURES.contains(architecture)) {
      throw new IllegalArgumentException(
          "unknown architecture '"
              + architecture
              + "': expected one of "
              + String.join(", ", ARCHITECTURES));
    }
    // fcn8s, fcn16s, fcn32s; fastfcn is another network.
    boolean fcn = architecture.startsWith("fcn");
    List<String> backbones =
        fcn
            ? VGGS
            : architecture.equals("deeplabv3plus")
                ? Stream.concat(RESNETS.stream(), Stream.of(Xception.NAME)).toList()
                : RESNETS;
    backbone = backbone == null ? (fcn ? "vgg16" : "resnet50") : lower(backbone);
    if (backbone.equals(Xception.NAME) && !architecture.equals("deeplabv3plus")) {
      throw new IllegalArgumentException(
          "backbone "
              + Xception.NAME
              + " is for deeplabv3plus only; "
              + architecture
              + " takes "
              + String.join(", ", backbones));
    }
    if (!backbones.contains(backbone)) {
      throw new IllegalArgumentException(
          "unknown backbone '"
              + backbone
              + "' for "
              + architecture
              + ": expected one of "
              + String.join(", ", backbones));
    }
    if (architecture.equals("fastfcn")) {
      if (outputStride != null) {
        throw new IllegalArgumentException(
            "output_stride does not apply to fastfcn: its backbone"
                + " stays at output stride 32 and the JPU brings features back to 8");
      }
      head = head == null ? "aspp" : lower(head);
      if (!HEADS.contains(head)) {
        throw new IllegalArgumentException(
            "unknown head '" + head + "' for fastfcn: expected aspp, enc, fcn or psp");
      }
    } else {
      if (head != null) {
        throw new IllegalArgumentException(
            "head does not apply to "
                + architecture
                + " (its head is fixed by the paper); only fastfcn takes a head");
      }
      if (fcn) {
        if (outputStride != null) {
          throw new IllegalArgumentException(
              "output_stride does not apply to "
                  + architecture
                  + ": its name says the stride of its finest scores (fcn8s, fcn16s, fcn32s)");
        }
      } else {
        if (outputStride == null) {
          outputStride = architecture.equals("deeplabv3") ? 8 : 16;
        }
        if (outputStride != 8 && outputStride != 16) {
          throw new IllegalArgumentException("output_stride must be 8 or 16, got " + outputStride);
        }
      }
    }
  }

  private static String lower(String s) {
    return s == null ? null : s.trim().toLowerCase(Locale.ROOT);
  }
}
