package dev.jmesh.control.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * How {@code stats} and {@code graph} print golden signals: {@code 12.0 rps}, {@code 0.5%}, {@code
 * 8 ms}.
 */
final class SignalFormat {

  private SignalFormat() {}

  /** {@code 12.0}; two decimals below 1 ({@code 0.05}) and {@code <0.01} below that. */
  static String rps(JsonNode signals) {
    double rps = signals.path("requestsPerSecond").asDouble();
    if (rps >= 1 || rps == 0) {
      return String.format(Locale.ROOT, "%.1f", rps);
    }
    return rps < 0.01 ? "<0.01" : String.format(Locale.ROOT, "%.2f", rps);
  }

  /** The error rate as a percentage, {@code -} without requests. */
  static String errorPercent(JsonNode signals) {
    JsonNode rate = signals.path("errorRate");
    return rate.isNumber()
        ? String.format(Locale.ROOT, "%.1f%%", rate.asDouble() * 100)
        : "-";
  }

  /** {@code 8 ms}, {@code 0.4 ms} below 1 ms, {@code -} without requests. */
  static String millis(JsonNode value) {
    if (!value.isNumber()) {
      return "-";
    }
    double ms = value.asDouble();
    return ms < 1
        ? String.format(Locale.ROOT, "%.1f ms", ms)
        : String.format(Locale.ROOT, "%d ms", Math.round(ms));
  }

  /** {@code mTLS}, {@code plaintext}, or the share ({@code mTLS 50%}) when it was mixed. */
  static String mtls(JsonNode signals) {
    JsonNode share = signals.path("mtlsShare");
    if (!share.isNumber()) {
      return "-";
    }
    double value = share.asDouble();
    if (value >= 1) {
      return "mTLS";
    }
    if (value <= 0) {
      return "plaintext";
    }
    return String.format(Locale.ROOT, "mTLS %.0f%%", value * 100);
  }

  /** {@code 1m}, {@code 90s}: the window the server used. */
  static String window(JsonNode view) {
    long seconds = Math.round(view.path("windowSeconds").asDouble());
    return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
  }

  /** {@code 1.2 KiB}. */
  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double value = bytes;
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
