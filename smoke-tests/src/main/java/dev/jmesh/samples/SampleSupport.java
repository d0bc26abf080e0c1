package dev.jmesh.samples;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every sample app does, whatever its server library: read its settings, count the requests
 * it serves, call other services with the JDK's HTTP clients, and write small JSON answers. Plain
 * application code: it knows nothing about jmesh.
 *
 * <p>Endpoints (the same on every stack): {@code GET /hello}, {@code GET /headers}, {@code GET
 * /count}, {@code GET /call?url=<encoded>&client=jdk|urlconnection&via=direct|pool|async}, {@code
 * GET /fanout?urls=u1,u2}, {@code GET /status?code=500} (answers with that status).
 *
 * <p>{@code /call} makes the outbound call on the handler thread ({@code via=direct}, the default),
 * on the app's worker pool ({@code via=pool}: an {@link ExecutorService}) or with {@link
 * CompletableFuture#supplyAsync} on the common ForkJoinPool ({@code via=async}), and waits for it.
 * The {@code url} may itself be a {@code /call} URL of another app, so A can call B which calls C.
 */
public final class SampleSupport {

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  private final String name;
  private final int port;
  private final AtomicLong served = new AtomicLong();
  private final HttpClient httpClient =
      HttpClient.newBuilder().connectTimeout(CALL_TIMEOUT).build();
  private final ExecutorService workers = Executors.newFixedThreadPool(4, daemonThreads("worker"));

  public SampleSupport(String defaultName) {
    this.name = setting("app.name", "APP_NAME", defaultName);
    this.port = Integer.parseInt(setting("app.port", "PORT", "8080"));
  }

  public String name() {
    return name;
  }

  public int port() {
    return port;
  }

  /** An answer: status and JSON or text body. */
  public record Answer(int status, String contentType, String body) {
    static Answer json(int status, String body) {
      return new Answer(status, "application/json", body);
    }

    static Answer text(String body) {
      return new Answer(200, "text/plain; charset=utf-8", body);
    }
  }

  /**
   * Handles one request of the shared endpoints, or returns null if {@code path} is not one of
   * them. {@code headers} maps lower-case names to their values, joined with ", ".
   */
  public Answer handle(String path, String rawQuery, Map<String, String> headers) {
    if (!"/count".equals(path)) {
      served.incrementAndGet();
    }
    Map<String, String> query = parseQuery(rawQuery);
    switch (path) {
      case "/hello":
        return Answer.text("hello from " + name);
      case "/count":
        return Answer.json(200, "{\"count\":" + served.get() + "}");
      case "/headers":
        return Answer.json(200, toJson(new TreeMap<>(headers)));
      case "/call":
        return call(
            query.get("url"),
            query.getOrDefault("client", "jdk"),
            query.getOrDefault("via", "direct"));
      case "/fanout":
        return fanout(query.getOrDefault("urls", ""), query.getOrDefault("client", "jdk"));
      case "/status":
        return status(query.get("code"));
      default:
        return null;
    }
  }

  /** Answers with the status asked for (200 to 599), for error-rate tests. */
  private Answer status(String code) {
    int status;
    try {
      status = Integer.parseInt(code);
    } catch (NumberFormatException e) {
      status = -1;
    }
    if (status < 200 || status > 599) {
      return Answer.json(400, "{\"error\":\"code must be 200 to 599\"}");
    }
    return Answer.json(status, "{\"status\":" + status + "}");
  }

  private Answer call(String url, String client, String via) {
    if (url == null || url.isEmpty()) {
      return Answer.json(400, "{\"error\":\"missing url\"}");
    }
    try {
      Map<String, Object> result =
          switch (via) {
            case "direct" -> fetch(url, client);
            case "pool" -> workers
                .submit(() -> fetch(url, client))
                .get(CALL_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
            case "async" -> CompletableFuture.supplyAsync(() -> fetchUnchecked(url, client))
                .get(CALL_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
            default -> null;
          };
      if (result == null) {
        return Answer.json(400, toJson(Map.of("error", "unknown via " + via)));
      }
      return Answer.json(200, toJson(result));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() instanceof CompletionException c ? c.getCause() : e.getCause();
      return Answer.json(502, toJson(Map.of("error", String.valueOf(cause))));
    } catch (Exception e) {
      return Answer.json(502, toJson(Map.of("error", String.valueOf(e))));
    }
  }

  private Map<String, Object> fetchUnchecked(String url, String client) {
    try {
      return fetch(url, client);
    } catch (Exception e) {
      throw new CompletionException(e);
    }
  }

  private Answer fanout(String urls, String client) {
    List<Future<Map<String, Object>>> futures = new ArrayList<>();
    for (String url : urls.split(",")) {
      if (!url.isBlank()) {
        futures.add(workers.submit(() -> fetch(url.trim(), client)));
      }
    }
    List<Object> results = new ArrayList<>();
    for (Future<Map<String, Object>> future : futures) {
      try {
        results.add(future.get(CALL_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS));
      } catch (ExecutionException e) {
        results.add(Map.of("error", String.valueOf(e.getCause())));
      } catch (InterruptedException | TimeoutException e) {
        results.add(Map.of("error", String.valueOf(e)));
      }
    }
    return Answer.json(200, toJson(results));
  }

  /** Calls {@code url} with the named client; returns {"status":…,"body":"…"}. */
  private Map<String, Object> fetch(String url, String client) throws Exception {
    Map<String, Object> result = new LinkedHashMap<>();
    if ("urlconnection".equals(client)) {
      HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
      connection.setConnectTimeout((int) CALL_TIMEOUT.toMillis());
      connection.setReadTimeout((int) CALL_TIMEOUT.toMillis());
      int status = connection.getResponseCode();
      InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
      result.put("status", status);
      result.put("body", in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
      if (in != null) {
        in.close();
      }
    } else if ("jdk".equals(client)) {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(url)).timeout(CALL_TIMEOUT).GET().build();
      HttpResponse<String> response =
          httpClient.send(request, HttpResponse.BodyHandlers.ofString());
      result.put("status", response.statusCode());
      result.put("body", response.body());
    } else {
      throw new IllegalArgumentException("unknown client " + client);
    }
    return result;
  }

  // --- small utilities -----------------------------------------------------------------------

  public static String setting(String property, String env, String fallback) {
    String value = System.getProperty(property);
    if (value == null || value.isEmpty()) {
      value = System.getenv(env);
    }
    return value == null || value.isEmpty() ? fallback : value;
  }

  public static Map<String, String> parseQuery(String rawQuery) {
    Map<String, String> query = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return query;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      query.put(
          URLDecoder.decode(key, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return query;
  }

  static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
    AtomicLong count = new AtomicLong();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** JSON for maps, lists, strings, numbers, booleans and null. */
  public static String toJson(Object value) {
    StringBuilder out = new StringBuilder();
    writeJson(value, out);
    return out.toString();
  }

  private static void writeJson(Object value, StringBuilder out) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        writeString(String.valueOf(entry.getKey()), out);
        out.append(':');
        writeJson(entry.getValue(), out);
      }
      out.append('}');
    } else if (value instanceof Iterable<?> list) {
      out.append('[');
      boolean first = true;
      for (Object item : list) {
        if (!first) {
          out.append(',');
        }
        first = false;
        writeJson(item, out);
      }
      out.append(']');
    } else if (value instanceof Number || value instanceof Boolean) {
      out.append(value);
    } else {
      writeString(value.toString(), out);
    }
  }

  private static void writeString(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

}
