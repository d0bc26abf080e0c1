package dev.jmesh.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A broken agent must not break the app: with {@code -Djmesh.test.fault=hooks} every agent hook
 * throws, and the app still binds, serves and calls out (to addresses outside the mesh); each
 * failing hook is reported once, not once per call.
 */
@ExtendWith(PrintProcessOutputOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AgentFaultSmokeTest {

  private static final Pattern FAILURE = Pattern.compile("agent failure in ([^\\s:(]+)");
  private static final int CALLS_PER_CLIENT = 3;

  @Test
  void everyHookThrowingLeavesTheAppWorkingAndIsReportedOncePerHook() throws Exception {
    AtomicInteger outsideHits = new AtomicInteger();
    HttpServer outside = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
    outside.createContext("/", exchange -> {
      outsideHits.incrementAndGet();
      byte[] body = "outside".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    outside.start();
    try (ControlServer control = ControlServer.start();
        MeshApp app =
            MeshApp.builder("a", MeshApp.JDK_HTTP_SERVER)
                .joining(control)
                .agentProperty("jmesh.test.fault", "hooks")
                .start()) {
      app.awaitServing();
      String url = "http://127.0.0.1:" + outside.getAddress().getPort() + "/outside";

      for (int i = 0; i < CALLS_PER_CLIENT; i++) {
        assertEquals("hello from a", app.get("/hello").body());
        assertEquals("outside", app.callOk(url, "jdk"));
        assertEquals("outside", app.callOk(url, "urlconnection"));
      }
      assertEquals(2 * CALLS_PER_CLIENT, outsideHits.get(), "requests that reached the outside server");

      List<String> failureLines =
          app.process().stderrLines().stream().filter(l -> l.contains("agent failure in")).toList();
      assertFalse(failureLines.isEmpty(), () -> "no 'agent failure in' line:\n" + app.stderr());
      Map<String, Integer> perHook = new LinkedHashMap<>();
      for (String line : failureLines) {
        Matcher hook = FAILURE.matcher(line);
        hook.find();
        perHook.merge(hook.group(1), 1, Integer::sum);
      }
      perHook.forEach(
          (hook, count) ->
              assertEquals(1, count, () -> "lines for hook " + hook + ":\n" + failureLines));
    } finally {
      outside.stop(0);
    }
  }
}
