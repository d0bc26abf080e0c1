package dev.jmesh.bootstrap;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The request context of a message an application's Netty pipeline reads: an
 * {@code io.netty.handler.codec.http.HttpRequest} carries it in its headers, and the
 * {@code HttpContent} messages that follow it through the same handler carry it too, up to the
 * {@code LastHttpContent}.
 *
 * <p>Netty's HTTP codec may be missing from an application that uses Netty's transport only, so
 * nothing here or in the advice links its classes: a message's class is classified once (by the
 * names of its super types, remembered per class) and headers are read through method handles
 * found then. The names are put together at run time, so that relocating the agent's own copy of
 * Netty when the agent jar is built leaves them naming the application's Netty.
 */
public final class NettyRequestContext {

  private static final String HTTP_PACKAGE = String.join(".", "io", "netty", "handler", "codec", "http");

  private static final ClassValue<MessageKind> KINDS =
      new ClassValue<>() {
        @Override
        protected MessageKind computeValue(Class<?> type) {
          return MessageKind.of(type);
        }
      };

  /**
   * The context of a request whose content is still coming, per handler context (the object that
   * calls one handler of one channel's pipeline); forgotten at its last content, or with the
   * pipeline. Per thread, with no lock on the read path: a handler context is always called on its
   * own executor's thread.
   */
  private static final ThreadLocal<Map<Object, RequestContext>> STREAMING_ON_THIS_THREAD =
      ThreadLocal.withInitial(WeakHashMap::new);

  private NettyRequestContext() {}

  /**
   * Called before {@code handlerContext} hands {@code message} to its handler. Makes the message's
   * request context current unless one is current already (an outer handler of the same request
   * made it so). Returns the token for {@link RequestContext#exit}, or null when nothing changed.
   */
  public static Object enter(Object handlerContext, Object message) {
    if (message == null || RequestContext.current() != null) {
      return null;
    }
    MessageKind kind = KINDS.get(message.getClass());
    if (kind == MessageKind.OTHER) {
      return null;
    }
    try {
      Map<Object, RequestContext> streaming = STREAMING_ON_THIS_THREAD.get();
      RequestContext context;
      if (kind.headerReader != null) {
        context = read(kind.headerReader, message);
        if (!kind.lastContent) {
          if (context != null) {
            streaming.put(handlerContext, context);
          } else if (!streaming.isEmpty()) {
            streaming.remove(handlerContext);
          }
        }
      } else if (streaming.isEmpty()) {
        return null;
      } else {
        context =
            kind.lastContent ? streaming.remove(handlerContext) : streaming.get(handlerContext);
      }
      return RequestContext.enter(context);
    } catch (Throwable t) {
      Hooks.failed("netty-request-context", t);
      return null;
    }
  }

  private static RequestContext read(MethodHandle reader, Object message) throws Throwable {
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
    return values == null ? null : RequestContext.of(values);
  }

  /** What a message class is to the HTTP codec. */
  private static final class MessageKind {
    static final MessageKind OTHER = new MessageKind(null, false);

    /** {@code (Object message, String name) -> String value} for requests; null otherwise. */
    final MethodHandle headerReader;
    final boolean lastContent;

    private MessageKind(MethodHandle headerReader, boolean lastContent) {
      this.headerReader = headerReader;
      this.lastContent = lastContent;
    }

    static MessageKind of(Class<?> type) {
      try {
        Class<?> request = SuperTypes.named(type, (HTTP_PACKAGE + ".HttpRequest")::equals);
        boolean content = SuperTypes.named(type, (HTTP_PACKAGE + ".HttpContent")::equals) != null;
        boolean last = SuperTypes.named(type, (HTTP_PACKAGE + ".LastHttpContent")::equals) != null;
        if (request != null) {
          return new MessageKind(headerReader(request), last);
        }
        return content ? new MessageKind(null, last) : OTHER;
      } catch (Throwable t) {
        Hooks.failed("netty-request-context", t);
        return OTHER;
      }
    }

    private static MethodHandle headerReader(Class<?> request) throws ReflectiveOperationException {
      Method headers = request.getMethod("headers");
      Method get = headers.getReturnType().getMethod("get", String.class);
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      MethodHandle reader =
          MethodHandles.filterArguments(lookup.unreflect(get), 0, lookup.unreflect(headers));
      return reader.asType(MethodType.methodType(String.class, Object.class, String.class));
    }
  }
}
