package dev.jmesh.agent.tracing;

import dev.jmesh.bootstrap.AgentLog;
import io.opentelemetry.api.OpenTelemetry;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * OpenTelemetry logs through {@code java.util.logging} under its (relocated) class names. Those
 * loggers are cut off from the application's handlers (the console, whatever the application
 * configured) and go to the agent's log instead: warnings and errors once per kind of message,
 * the rest only with {@code jmesh.log.level=debug}.
 */
final class OtelLogRouting {

  /** Held strongly: java.util.logging keeps loggers only weakly, and would forget the settings. */
  private static volatile Logger root;

  private OtelLogRouting() {}

  static synchronized void install() {
    if (root != null) {
      return;
    }
    Logger logger = Logger.getLogger(rootPackage());
    logger.setUseParentHandlers(false);
    logger.setLevel(AgentLog.isDebug() ? Level.FINE : Level.WARNING);
    logger.addHandler(new ToAgentLog());
    root = logger;
  }

  /** {@code io.opentelemetry}, or what the agent's packaging relocated it to. */
  static String rootPackage() {
    String name = OpenTelemetry.class.getName();
    return name.substring(0, name.indexOf(".api.OpenTelemetry"));
  }

  private static final class ToAgentLog extends Handler {
    private final SimpleFormatter formatter = new SimpleFormatter();

    @Override
    public void publish(LogRecord record) {
      try {
        String message = formatter.formatMessage(record);
        if (record.getThrown() != null) {
          message = message + ": " + record.getThrown();
        }
        if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
          String template = record.getMessage() == null ? "" : record.getMessage();
          String kind = template.replaceAll("[0-9]+", "#");
          kind = kind.substring(0, Math.min(60, kind.length()));
          AgentLog.warnOnce(
              "otel:" + record.getLoggerName() + ":" + kind,
              "OpenTelemetry: " + message + " (reported once)");
        } else {
          AgentLog.debug("OpenTelemetry: " + message);
        }
      } catch (RuntimeException e) {
        // never let logging break the SDK
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
