package dev.jmesh.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Go's {@code time.ParseDuration}, as Istio's duration fields use it. */
class GoDurationTest {

  static Stream<Arguments> validDurations() {
    return Stream.of(
        Arguments.of("5m", Duration.ofMinutes(5)),
        Arguments.of("100ms", Duration.ofMillis(100)),
        Arguments.of("1h30m", Duration.ofMinutes(90)),
        Arguments.of("1.5s", Duration.ofMillis(1500)),
        Arguments.of("0", Duration.ZERO),
        Arguments.of("0s", Duration.ZERO),
        Arguments.of("7s", Duration.ofSeconds(7)),
        Arguments.of("+10s", Duration.ofSeconds(10)),
        Arguments.of("-1.5h", Duration.ofMinutes(-90)),
        Arguments.of(".5s", Duration.ofMillis(500)),
        Arguments.of("1.s", Duration.ofSeconds(1)),
        Arguments.of("2h45m30.5s", Duration.ofHours(2).plusMinutes(45).plusMillis(30_500)),
        Arguments.of("10us", Duration.ofNanos(10_000)),
        Arguments.of("10\u00b5s", Duration.ofNanos(10_000)),
        Arguments.of("10\u03bcs", Duration.ofNanos(10_000)),
        Arguments.of("1.9ns", Duration.ofNanos(1)),
        Arguments.of("9223372036854775807ns", Duration.ofNanos(Long.MAX_VALUE)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validDurations")
  void parsesGoSyntax(String text, Duration expected) {
    assertEquals(expected, GoDuration.parse(text));
  }

  static Stream<Arguments> invalidDurations() {
    return Stream.of(
        Arguments.of("", "invalid duration \"\""),
        Arguments.of("-", "invalid duration \"-\""),
        Arguments.of("1", "missing unit in duration \"1\""),
        Arguments.of("10", "missing unit in duration \"10\""),
        Arguments.of("1x", "unknown unit \"x\" in duration \"1x\""),
        Arguments.of("1S", "unknown unit \"S\" in duration \"1S\""),
        Arguments.of(".s", "invalid duration \".s\""),
        Arguments.of("s", "invalid duration \"s\""),
        Arguments.of("1.2.3s", "invalid duration \"1.2.3s\""),
        Arguments.of(" 1s", "invalid duration \" 1s\""),
        Arguments.of("9223372036854775808ns", "invalid duration \"9223372036854775808ns\""),
        Arguments.of("3000000h", "invalid duration \"3000000h\""));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @MethodSource("invalidDurations")
  void rejectsWhatGoRejects(String text, String message) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(text));
    assertEquals(message, e.getMessage());
  }
}
