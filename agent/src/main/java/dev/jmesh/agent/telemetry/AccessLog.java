package dev.jmesh.agent.telemetry;

import dev.jmesh.agent.json.Json;
import dev.jmesh.bootstrap.AgentLog;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One JSON line per HTTP request, with Envoy's access-log fields as snake_case keys (Istio's JSON
 * encoding). Off by default, as in Istio; {@code jmesh.accesslog=stdout|<file>} turns it on and
 * {@code jmesh.accesslog.sampling} keeps that fraction of the lines.
 */
public final class AccessLog {


  private final OutputStream out;
  private final double sampling;

  private AccessLog(OutputStream out, double sampling) {
    this.out = out;
    this.sampling = sampling;
  }

  /** No lines at all. */
  public static AccessLog off() {
    return new AccessLog(null, 0);
  }

  /**
   * @param target off, stdout, or a file path (appended to)
   * @param sampling the fraction of requests to log, 0..1
   */
  public static AccessLog open(String target, double sampling) {
    if (target == null || target.equals("off") || sampling <= 0) {
      return off();
    }
    if (target.equals("stdout")) {
      return new AccessLog(System.out, sampling);
    }
    try {
      Path path = Path.of(target);
      OutputStream file =
          Files.newOutputStream(
              path, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
      return new AccessLog(file, sampling);
    } catch (IOException | RuntimeException e) {
      AgentLog.error("cannot open the access log " + target + "; access logging is off", e);
      return off();
    }
  }

  public boolean enabled() {
    return out != null;
  }

  /** Writes the line (fields in the given order) if this request is sampled. */
  public void log(Map<String, Object> fields) {
    if (out == null || (sampling < 1 && ThreadLocalRandom.current().nextDouble() >= sampling)) {
      return;
    }
    try {
      byte[] line = Json.write(fields);
      synchronized (this) {
        out.write(line);
        out.write('\n');
        out.flush();
      }
    } catch (IOException e) {
      AgentLog.warnOnce("accesslog-write", "cannot write the access log: " + e.getMessage());
    }
  }
}
