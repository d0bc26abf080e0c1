package dev.jmesh.control.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationsTest {

  @Test
  void goSyntaxParses() {
    assertEquals(Duration.ofHours(24), GoDurations.parse("24h"));
    assertEquals(Duration.ofSeconds(30), GoDurations.parse("30s"));
    assertEquals(Duration.ofMinutes(90), GoDurations.parse("1h30m"));
    assertEquals(Duration.ofMillis(500), GoDurations.parse("500ms"));
    assertEquals(Duration.ofMillis(1500), GoDurations.parse("1.5s"));
    assertEquals(Duration.ZERO, GoDurations.parse("0"));
  }

  @Test
  void numbersWithoutUnitsAndUnknownUnitsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> GoDurations.parse("24"));
    assertThrows(IllegalArgumentException.class, () -> GoDurations.parse("1d"));
    assertThrows(IllegalArgumentException.class, () -> GoDurations.parse(""));
    assertThrows(IllegalArgumentException.class, () -> GoDurations.parse("1h 30m"));
  }
}
