package dev.jmesh.agent.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

/** Parses durations written as Go's {@code time.ParseDuration} does: {@code 30s}, {@code 1h30m}. */
public final class GoDuration {

  private static final Map<String, Long> NANOS_PER_UNIT =
      Map.of(
          "ns", 1L,
          "us", 1_000L,
          "µs", 1_000L,
          "ms", 1_000_000L,
          "s", 1_000_000_000L,
          "m", 60_000_000_000L,
          "h", 3_600_000_000_000L);

  private GoDuration() {}

  /**
   * Parses {@code text}; throws {@link IllegalArgumentException} naming the text when it is not a
   * Go duration.
   */
  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty duration");
    }
    String s = text.trim();
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    boolean negative = s.startsWith("-");
    if (negative || s.startsWith("+")) {
      s = s.substring(1);
    }
    BigDecimal totalNanos = BigDecimal.ZERO;
    int i = 0;
    if (s.isEmpty()) {
      throw invalid(text);
    }
    while (i < s.length()) {
      int numberStart = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      if (i == numberStart) {
        throw invalid(text);
      }
      String number = s.substring(numberStart, i);
      int unitStart = i;
      while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      Long unitNanos = NANOS_PER_UNIT.get(s.substring(unitStart, i));
      if (unitNanos == null || number.equals(".")) {
        throw invalid(text);
      }
      try {
        totalNanos = totalNanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unitNanos)));
      } catch (NumberFormatException e) {
        throw invalid(text);
      }
    }
    Duration d = Duration.ofNanos(totalNanos.longValue());
    return negative ? d.negated() : d;
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "\"" + text + "\" is not a duration (examples: 30s, 500ms, 1h30m)");
  }
}
