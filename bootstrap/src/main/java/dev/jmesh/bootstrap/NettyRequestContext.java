package dev.jmesh.bootstrap;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;

/**
 * The request context of a message an application's Netty pipeline reads, when the message is an
 * {@code io.netty.handler.codec.http.HttpRequest}. Netty's HTTP codec may be missing from an
 * application that uses Netty's transport only, so nothing here or in the advice links its
 * classes: a message's class is checked once (by the names of its super types, remembered per
 * class) and the headers are read through method handles found then.
 *
 * <p>The library's names are put together at run time, so that relocating the agent's own copy of
 * Netty when the agent jar is built leaves them naming the application's Netty.
 */
public final class NettyRequestContext {

  private static final String HTTP_REQUEST =
      String.join(".", "io", "netty", "handler", "codec", "http", "HttpRequest");

  /** Per message class: {@code (Object message, String name) -> String value}, or null. */
  private static final ClassValue<MethodHandle> HEADER_READER =
      new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
          return headerReader(type);
        }
      };

  private NettyRequestContext() {}

  /**
   * Makes the context of {@code message} current if it is an HTTP request with propagation headers
   * and nothing is current yet (an outer handler of the same request made it so). Returns the token
   * for {@link RequestContext#exit}, or null when nothing changed.
   */
  public static Object enter(Object message) {
    if (message == null || RequestContext.current() != null) {
      return null;
    }
    MethodHandle reader = HEADER_READER.get(message.getClass());
    if (reader == null) {
      return null;
    }
    try {
      String[] values = null;
      for (int i = 0; i < RequestContext.headerCount(); i++) {
        String value = (String) reader.invokeExact(message, RequestContext.headerName(i));
        if (value != null) {
          if (values == null) {
            values = new String[RequestContext.headerCount()];
          }
          values[i] = value;
        }
      }
      return values == null ? null : RequestContext.enter(RequestContext.of(values));
    } catch (Throwable t) {
      Hooks.failed("netty-request-context", t);
      return null;
    }
  }

  private static MethodHandle headerReader(Class<?> type) {
    Class<?> request = superTypeNamed(type, HTTP_REQUEST);
    if (request == null) {
      return null;
    }
    try {
      Method headers = request.getMethod("headers");
      Method get = headers.getReturnType().getMethod("get", String.class);
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      MethodHandle reader =
          MethodHandles.filterArguments(lookup.unreflect(get), 0, lookup.unreflect(headers));
      return reader.asType(MethodType.methodType(String.class, Object.class, String.class));
    } catch (Throwable t) {
      Hooks.failed("netty-request-context", t);
      return null;
    }
  }

  private static Class<?> superTypeNamed(Class<?> type, String name) {
    for (Class<?> current = type; current != null; current = current.getSuperclass()) {
      if (current.getName().equals(name)) {
        return current;
      }
      for (Class<?> implemented : current.getInterfaces()) {
        Class<?> found = superTypeNamed(implemented, name);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }
}
