package dev.jmesh.bootstrap;

import java.io.PrintStream;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's log. INFO goes to stdout, WARN and ERROR to stderr, one line each, prefixed with
 * {@code [jmesh]} so they are easy to tell from the application's own output. A quiet agent prints
 * one INFO line on a clean start. {@code jmesh.log.level=debug} shows more.
 */
public final class AgentLog {

  private static final Set<String> REPORTED_ONCE = ConcurrentHashMap.newKeySet();
  private static volatile boolean debug =
      "debug".equalsIgnoreCase(setting("jmesh.log.level", "JMESH_LOG_LEVEL"));

  private AgentLog() {}

  public static boolean isDebug() {
    return debug;
  }

  public static void debug(String message) {
    if (debug) {
      write(System.out, "DEBUG", message, null);
    }
  }

  public static void info(String message) {
    write(System.out, "INFO", message, null);
  }

  public static void warn(String message) {
    write(System.err, "WARN", message, null);
  }

  public static void error(String message, Throwable cause) {
    write(System.err, "ERROR", message, cause);
  }

  /** Logs {@code message} the first time {@code key} is seen, and never again in this JVM. */
  public static void errorOnce(String key, String message, Throwable cause) {
    if (REPORTED_ONCE.add(key)) {
      write(System.err, "ERROR", message + " (reported once)", cause);
    }
  }

  /** Logs a warning the first time {@code key} is seen. */
  public static void warnOnce(String key, String message) {
    if (REPORTED_ONCE.add(key)) {
      write(System.err, "WARN", message, null);
    }
  }

  private static void write(PrintStream out, String level, String message, Throwable cause) {
    StringBuilder line = new StringBuilder(128);
    line.append(Instant.now()).append(" [jmesh] ").append(level).append(' ').append(message);
    if (cause != null) {
      line.append(": ").append(cause);
    }
    out.println(line);
    if (cause != null && debug) {
      cause.printStackTrace(out);
    }
  }

  /** A setting from a system property or, failing that, an environment variable. */
  public static String setting(String property, String environmentVariable) {
    String value = System.getProperty(property);
    if (value == null || value.isEmpty()) {
      value = System.getenv(environmentVariable);
    }
    return value == null || value.isEmpty() ? null : value;
  }
}
