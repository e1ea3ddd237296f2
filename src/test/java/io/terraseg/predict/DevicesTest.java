package io.terraseg.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DevicesTest {
  static final String[] NONE = new String[0];

  @Test
  void theGpuSparkAssignedWins() {
    assertEquals(Device.gpu(3), Devices.choose(new String[] {"3"}, 4, 0));
    assertEquals(Device.gpu(3), Devices.choose(new String[] {"3"}, 4, 5));
  }

  @Test
  void unscheduledGpusAreDealtOutInTurnNotAllToGpu0() {
    assertEquals(
        IntStream.range(0, 6).mapToObj(i -> Device.gpu(i % 3)).toList(),
        IntStream.range(0, 6).mapToObj(task -> Devices.choose(NONE, 3, task)).toList());
  }

  @Test
  void withoutGpusTasksRunOnTheCpu() {
    assertEquals(Device.cpu(), Devices.choose(NONE, 0, 7));
  }
}
