package dev.jmesh.control.cli;

import dev.jmesh.policy.GoDuration;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Flags that take durations in Go syntax, as Istio's fields do ({@code 24h}, {@code 30s}, {@code
 * 1h30m}, {@code 500ms}): one parser for the CLI and for policy, {@link GoDuration}.
 */
public final class GoDurations implements ITypeConverter<Duration> {

  /** Parses a Go duration; {@link IllegalArgumentException} naming the text when it is not one. */
  public static Duration parse(String text) {
    return GoDuration.parse(text);
  }

  @Override
  public Duration convert(String value) {
    try {
      Duration duration = parse(value);
      if (duration.isNegative()) {
        throw new TypeConversionException("invalid duration \"" + value + "\": it is negative");
      }
      return duration;
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage() + " (use Go syntax such as 24h, 30s, 1h30m)");
    }
  }
}
