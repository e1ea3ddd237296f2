package io.terraseg.model.arch;

import java.util.Locale;
import java.util.Set;

/**
 * Which network to build, as model.json names it: {@code architecture}, {@code backbone}, {@code
 * output_stride} and {@code head}. Absent fields take the paper's defaults: backbone resnet50,
 * output stride 8 for deeplabv3 (torchvision's), 16 for deeplabv3plus (the paper's), head aspp for
 * fastfcn.
 */
public record ArchitectureSpec(
    String architecture, String backbone, Integer outputStride, String head) {

  static final Set<String> ARCHITECTURES = Set.of("deeplabv3", "deeplabv3plus", "fastfcn");
  static final Set<String> BACKBONES = Set.of("resnet18", "resnet34", "resnet50", "resnet101");
  static final Set<String> HEADS = Set.of("aspp", "enc", "fcn", "psp");

  public ArchitectureSpec {
    architecture = lower(architecture);
    if (architecture == null || !ARCHITECTURES.contains(architecture)) {
      throw new IllegalArgumentException(
          "unknown architecture '"
              + architecture
              + "': expected one of deeplabv3, deeplabv3plus, fastfcn");
    }
    backbone = backbone == null ? "resnet50" : lower(backbone);
    if (!BACKBONES.contains(backbone)) {
      throw new IllegalArgumentException(
          "unknown backbone '"
              + backbone
              + "': expected one of resnet18, resnet34, resnet50, resnet101");
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
      if (outputStride == null) {
        outputStride = architecture.equals("deeplabv3") ? 8 : 16;
      }
      if (outputStride != 8 && outputStride != 16) {
        throw new IllegalArgumentException("output_stride must be 8 or 16, got " + outputStride);
      }
    }
  }

  private static String lower(String s) {
    return s == null ? null : s.trim().toLowerCase(Locale.ROOT);
  }
}
