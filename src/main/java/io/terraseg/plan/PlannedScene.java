package io.terraseg.plan;

import io.terraseg.write.SceneResult;
import java.io.Serializable;

/**
 * One input as the planner found it: to segment ({@code scene}), already complete with a matching
 * fingerprint ({@code previous}), or unusable ({@code error}, one line naming the file).
 */
public record PlannedScene(
    String name, String image, String label, Scene scene, SceneResult previous, String error)
    implements Serializable {}
