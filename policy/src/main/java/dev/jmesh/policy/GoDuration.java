package dev.jmesh.policy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;

/**
 * Go's {@code time.ParseDuration}, the syntax of Istio's duration fields: a sequence of decimal
 * numbers, each with an optional fraction and a unit ({@code ns, us, µs, ms, s, m, h}), with an
 * optional sign, such as {@code 5m}, {@code 100ms}, {@code 1h30m}, {@code 1.5s}; a bare {@code 0}
 * is allowed. Fractions of a nanosecond are truncated, as in Go.
 */
public final class GoDuration {

  private static final Map<String, Long> NANOS_BY_UNIT =
      Map.of(
          "ns", 1L,
          "us", 1_000L,
          "\u00b5s", 1_000L, // micro sign
          "\u03bcs", 1_000L, // Greek small letter mu
          "ms", 1_000_000L,
          "s", 1_000_000_000L,
          "m", 60_000_000_000L,
          "h", 3_600_000_000_000L);

  private static final BigInteger MAX_NANOS = BigInteger.valueOf(Long.MAX_VALUE);
  private static final BigInteger MIN_NANOS = BigInteger.valueOf(Long.MIN_VALUE);

  private GoDuration() {}

  /**
   * Parses a Go duration.
   *
   * @throws IllegalArgumentException with Go's reason, e.g. {@code missing unit in duration "1"}
   */
  public static Duration parse(String text) {
    String rest = text;
    boolean negative = false;
    if (!rest.isEmpty() && (rest.charAt(0) == '-' || rest.charAt(0) == '+')) {
      negative = rest.charAt(0) == '-';
      rest = rest.substring(1);
    }
    if (rest.equals("0")) {
      return Duration.ZERO;
    }
    if (rest.isEmpty()) {
      throw invalid(text);
    }
    BigInteger nanos = BigInteger.ZERO;
    while (!rest.isEmpty()) {
      int numberEnd = 0;
      while (numberEnd < rest.length() && isDigitOrPoint(rest.charAt(numberEnd))) {
        numberEnd++;
      }
      String number = rest.substring(0, numberEnd);
      if (!number.matches("[0-9]*(\\.[0-9]*)?") || number.replace(".", "").isEmpty()) {
        throw invalid(text);
      }
      int unitEnd = numberEnd;
      while (unitEnd < rest.length() && !isDigitOrPoint(rest.charAt(unitEnd))) {
        unitEnd++;
      }
      String unit = rest.substring(numberEnd, unitEnd);
      if (unit.isEmpty()) {
        throw new IllegalArgumentException("missing unit in duration \"" + text + "\"");
      }
      Long unitNanos = NANOS_BY_UNIT.get(unit);
      if (unitNanos == null) {
        throw new IllegalArgumentException(
            "unknown unit \"" + unit + "\" in duration \"" + text + "\"");
      }
      BigDecimal value = new BigDecimal(number.endsWith(".") ? number + "0" : "0" + number);
      nanos =
          nanos.add(
              value
                  .multiply(BigDecimal.valueOf(unitNanos))
                  .setScale(0, RoundingMode.DOWN)
                  .toBigIntegerExact());
      rest = rest.substring(unitEnd);
    }
    if (negative) {
      nanos = nanos.negate();
    }
    if (nanos.compareTo(MAX_NANOS) > 0 || nanos.compareTo(MIN_NANOS) < 0) {
      throw invalid(text);
    }
    return Duration.ofNanos(nanos.longValueExact());
  }

  private static boolean isDigitOrPoint(char c) {
    return c == '.' || (c >= '0' && c <= '9');
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException("invalid duration \"" + text + "\"");
  }
}
