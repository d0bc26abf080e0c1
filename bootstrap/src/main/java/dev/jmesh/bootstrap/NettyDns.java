package dev.jmesh.bootstrap;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetAddress;
import java.util.List;

/**
 * Mesh names for Netty's own DNS resolver ({@code DnsNameResolver}, which Reactor Netty's clients
 * use by default): it sends its queries itself instead of asking {@code InetAddress}, so the agent
 * answers a mesh name before any query is made, by completing the resolver's promise with the
 * name's loopback address, as {@code InetAddress} answers it. No query for a mesh name leaves the
 * JVM.
 *
 * <p>The promise is Netty's, from whichever copy of Netty the resolver belongs to: its {@code
 * trySuccess} is found among the promise's super types at run time (the advice cannot name
 * Netty's types, see {@link NettyRequestContext}) and remembered per class.
 */
public final class NettyDns {

  private static final String PROMISE_SUFFIX = ".netty.util.concurrent.Promise";
  private static final MethodType TRY_SUCCESS_TYPE =
      MethodType.methodType(boolean.class, Object.class, Object.class);

  /** Each promise class's {@code trySuccess(Object)}, or null when it has none. */
  private static final ClassValue<MethodHandle> TRY_SUCCESS =
      new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
          Class<?> promise = SuperTypes.named(type, name -> name.endsWith(PROMISE_SUFFIX));
          if (promise == null) {
            return null;
          }
          try {
            return MethodHandles.publicLookup()
                .findVirtual(
                    promise, "trySuccess", MethodType.methodType(boolean.class, Object.class))
                .asType(TRY_SUCCESS_TYPE);
          } catch (ReflectiveOperationException e) {
            return null;
          }
        }
      };

  private NettyDns() {}

  /**
   * Called by advice before the resolver looks {@code host} up. When {@code host} is a mesh name,
   * completes {@code promise} with its address ({@code all}: a list of its addresses) and returns
   * true, and the resolver's own look-up is skipped; otherwise returns false and changes nothing.
   */
  public static boolean answer(String host, Object promise, boolean all) {
    if (promise == null) {
      return false;
    }
    InetAddress[] mesh = Hooks.resolve(host);
    if (mesh == null || mesh.length == 0) {
      return false;
    }
    try {
      MethodHandle trySuccess = TRY_SUCCESS.get(promise.getClass());
      if (trySuccess == null) {
        return false;
      }
      Object value = all ? List.of(mesh) : mesh[0];
      // Whether it completed or was cancelled meanwhile, the name must not go to DNS.
      boolean unused = (boolean) trySuccess.invokeExact(promise, value);
      return true;
    } catch (Throwable t) {
      Hooks.failed("netty-dns", t);
      return false;
    }
  }
}
