package dev.jmesh.bootstrap;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.RunnableFuture;

/**
 * The propagation headers of the request an application thread is handling, so that the requests
 * the application sends while handling it carry them too. The agent's inbound listener rewrites
 * these headers to its server span before the application sees the request; server advice makes
 * their values current while the application's handler runs, executor advice carries them to the
 * threads work is handed to, and client advice adds them to outgoing requests, where the agent's
 * egress turns them into the parent of its client span. The contract with the relays is only HTTP
 * headers.
 *
 * <p>Immutable. The current context is a thread-local: {@link #enter} makes one current and
 * returns what {@link #exit} needs to restore the previous state, so nested entries are safe. With
 * nothing current, every operation here costs one thread-local read and allocates nothing.
 */
public final class RequestContext {

  /** The headers carried, as Istio propagates them (lower case; HTTP header names are case-insensitive). */
  public static final List<String> HEADERS =
      List.of(
          "traceparent",
          "tracestate",
          "baggage",
          "b3",
          "x-b3-traceid",
          "x-b3-spanid",
          "x-b3-parentspanid",
          "x-b3-sampled",
          "x-b3-flags",
          "x-request-id");

  private static final String[] NAMES = HEADERS.toArray(new String[0]);
  private static final ThreadLocal<RequestContext> CURRENT = new ThreadLocal<>();
  /** What {@link #enter} returns when nothing was current before. */
  private static final Object NOTHING_BEFORE = new Object();

  private final String[] values;

  private RequestContext(String[] values) {
    this.values = values;
  }

  /** How many headers are carried: {@code HEADERS.size()}, for loops in advice. */
  public static int headerCount() {
    return NAMES.length;
  }

  /** The name of header {@code index} in {@link #HEADERS}. */
  public static String headerName(int index) {
    return NAMES[index];
  }

  /**
   * A context with {@code values[i]} for {@code HEADERS.get(i)} (null where absent), or null when
   * every value is null. The array is copied.
   */
  public static RequestContext of(String[] values) {
    if (values == null || values.length != NAMES.length) {
      return null;
    }
    for (String value : values) {
      if (value != null) {
        return new RequestContext(values.clone());
      }
    }
    return null;
  }

  /** The value of {@code header} (any case), or null when this request did not carry it. */
  public String value(String header) {
    for (int i = 0; i < NAMES.length; i++) {
      if (NAMES[i].equalsIgnoreCase(header)) {
        return values[i];
      }
    }
    return null;
  }

  /** The value of header {@code index} in {@link #HEADERS}, or null. */
  public String value(int index) {
    return values[index];
  }

  /** The context of the request this thread is handling, or null. */
  public static RequestContext current() {
    return CURRENT.get();
  }

  /**
   * Makes {@code context} current on this thread. Returns the token {@link #exit} takes to restore
   * what was current before, or null when {@code context} is null (then nothing changed).
   */
  public static Object enter(RequestContext context) {
    if (context == null) {
      return null;
    }
    RequestContext before = CURRENT.get();
    CURRENT.set(context);
    return before == null ? NOTHING_BEFORE : before;
  }

  /** Restores what was current before the {@link #enter} that returned {@code token}. */
  public static void exit(Object token) {
    if (token == null) {
      return;
    }
    if (token == NOTHING_BEFORE) {
      CURRENT.remove();
    } else if (token instanceof RequestContext) {
      CURRENT.set((RequestContext) token);
    }
  }

  /**
   * {@code task}, made to run with the current context, or {@code task} itself when nothing is
   * current. A {@link RunnableFuture} stays one, so executors that look at their tasks as futures
   * ({@code afterExecute}) keep working. A {@link Comparable} task is left alone (it runs without
   * the context): a priority queue behind the executor compares tasks, and a wrapper cannot.
   */
  public static Runnable wrap(Runnable task) {
    RequestContext context = CURRENT.get();
    if (context == null || task == null || task instanceof ContextRunnable
        || task instanceof ContextRunnableFuture || task instanceof Comparable) {
      return task;
    }
    if (task instanceof RunnableFuture) {
      return new ContextRunnableFuture<>(context, (RunnableFuture<?>) task);
    }
    return new ContextRunnable(context, task);
  }

  /** {@code task}, made to run with the current context, or {@code task} itself when nothing is current. */
  public static <V> Callable<V> wrap(Callable<V> task) {
    RequestContext context = CURRENT.get();
    if (context == null || task == null || task instanceof ContextCallable) {
      return task;
    }
    return new ContextCallable<>(context, task);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof RequestContext
        && Arrays.equals(values, ((RequestContext) other).values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("RequestContext{");
    String separator = "";
    for (int i = 0; i < NAMES.length; i++) {
      if (values[i] != null) {
        text.append(separator).append(NAMES[i]).append('=').append(values[i]);
        separator = ", ";
      }
    }
    return text.append('}').toString();
  }
}
