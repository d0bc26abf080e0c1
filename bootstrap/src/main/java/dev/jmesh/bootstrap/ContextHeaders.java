package dev.jmesh.bootstrap;

import java.net.HttpURLConnection;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * Moves {@link RequestContext} values between headers and threads, for advice: reads them from an
 * incoming request's headers and adds them to the application's outgoing requests. Headers the
 * application set itself always win. Every method catches {@link Throwable} and then leaves the
 * application's request as it was.
 *
 * <p>{@code java.net.http} is not visible from the boot class path, so for the JDK HttpClient this
 * class says which headers to add ({@link #missingFrom}) and the advice, inlined into the client,
 * builds the copy of the request with {@link #KEEP_EVERY_HEADER}.
 */
public final class ContextHeaders {

  /** Copies every header: the filter for {@code HttpRequest.newBuilder(request, filter)}. */
  public static final BiPredicate<String, String> KEEP_EVERY_HEADER = (name, value) -> true;

  private ContextHeaders() {}

  /**
   * The context an incoming request carries, from its headers ({@code com.sun.net.httpserver.Headers}
   * or any map whose {@code get} ignores case as that one does, or whose keys are lower case), or
   * null when it carries none of them.
   */
  public static RequestContext read(Map<String, ? extends List<String>> headers) {
    if (headers == null || headers.isEmpty()) {
      return null;
    }
    try {
      String[] values = null;
      for (int i = 0; i < RequestContext.headerCount(); i++) {
        List<String> found = headers.get(RequestContext.headerName(i));
        if (found != null && !found.isEmpty() && found.get(0) != null) {
          if (values == null) {
            values = new String[RequestContext.headerCount()];
          }
          values[i] = found.get(0);
        }
      }
      return values == null ? null : RequestContext.of(values);
    } catch (Throwable t) {
      Hooks.failed("context-read", t);
      return null;
    }
  }

  /**
   * Makes the context of the incoming request with {@code headers} current; the result goes to
   * {@link RequestContext#exit} when the request's handling returns.
   */
  public static Object enter(Map<String, ? extends List<String>> headers) {
    if (AgentThread.isCurrent()) {
      return null;
    }
    return RequestContext.enter(read(headers));
  }

  /**
   * Name/value pairs ({@code [name0, value0, name1, value1, …]}) of the current context's headers
   * that {@code existing} (an outgoing request's headers, looked up ignoring case) lacks; null when
   * nothing is current or nothing is missing.
   */
  public static String[] missingFrom(Map<String, List<String>> existing) {
    RequestContext context = RequestContext.current();
    if (context == null || AgentThread.isCurrent()) {
      return null;
    }
    try {
      String[] pairs = null;
      int count = 0;
      for (int i = 0; i < RequestContext.headerCount(); i++) {
        String value = context.value(i);
        if (value == null || containsIgnoringCase(existing, RequestContext.headerName(i))) {
          continue;
        }
        if (pairs == null) {
          pairs = new String[RequestContext.headerCount() * 2];
        }
        pairs[count++] = RequestContext.headerName(i);
        pairs[count++] = value;
      }
      if (pairs == null) {
        return null;
      }
      return count == pairs.length ? pairs : Arrays.copyOf(pairs, count);
    } catch (Throwable t) {
      Hooks.failed("context-headers", t);
      return null;
    }
  }

  private static boolean containsIgnoringCase(Map<String, List<String>> headers, String name) {
    if (headers == null || headers.isEmpty()) {
      return false;
    }
    if (headers.containsKey(name)) {
      return true;
    }
    for (String key : headers.keySet()) {
      if (name.equalsIgnoreCase(key)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Adds the current context's headers that {@code connection} lacks. Call only before it
   * connects; a connection that has connected already is left alone.
   */
  public static void addTo(HttpURLConnection connection) {
    RequestContext context = RequestContext.current();
    if (context == null || connection == null || AgentThread.isCurrent()) {
      return;
    }
    try {
      for (int i = 0; i < RequestContext.headerCount(); i++) {
        String value = context.value(i);
        String name = RequestContext.headerName(i);
        if (value != null && connection.getRequestProperty(name) == null) {
          connection.setRequestProperty(name, value);
        }
      }
    } catch (IllegalStateException alreadyConnected) {
      // connected in the meantime: the request went as the application made it
    } catch (Throwable t) {
      Hooks.failed("context-urlconnection", t);
    }
  }
}
