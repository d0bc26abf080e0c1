package dev.jmesh.control.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Durations in Go syntax for flags: {@code 24h}, {@code 30s}, {@code 1h30m}, {@code 500ms}. */
public final class GoDurations implements ITypeConverter<Duration> {

  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  /** Parses a Go duration; {@link IllegalArgumentException} naming the text when it is not one. */
  public static Duration parse(String text) {
    String trimmed = text == null ? "" : text.trim();
    if (trimmed.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = PART.matcher(trimmed);
    long nanos = 0;
    int end = 0;
    while (m.lookingAt()) {
      double value = Double.parseDouble(m.group(1));
      long unitNanos =
          switch (m.group(2)) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
          };
      nanos += Math.round(value * unitNanos);
      end = m.end();
      m.region(end, trimmed.length());
    }
    if (end == 0 || end != trimmed.length()) {
      throw new IllegalArgumentException(
          "invalid duration \"" + text + "\": use Go syntax such as 24h, 30s, 1h30m or 500ms");
    }
    return Duration.ofNanos(nanos);
  }

  @Override
  public Duration convert(String value) {
    try {
      return parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
