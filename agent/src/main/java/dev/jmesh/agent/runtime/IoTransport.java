package dev.jmesh.agent.runtime;

import dev.jmesh.agent.config.IoTransportSetting;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.Errors;
import java.net.BindException;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;

/**
 * How the agent's listeners and relays move bytes: Linux's epoll through Netty's native transport
 * (shipped in the agent jar for Linux x86_64 and aarch64) or the JDK's NIO. epoll costs the relays
 * less CPU per request (no selector key sets, edge-triggered reads, fewer objects per read and
 * write). The rule mirrors {@code jmesh.tls.provider}'s: {@code auto} loads the native library only
 * where that prints nothing. A channel must match its event loop's kind, so code that opens one
 * asks here with the loop it runs on.
 */
public final class IoTransport {

  private static final NativeLibraryChoice<IoTransportSetting> EPOLL =
      new NativeLibraryChoice<>(
          "jmesh.io.transport",
          IoTransportSetting.EPOLL,
          IoTransportSetting.NIO,
          "epoll",
          "the agent's I/O uses NIO");

  private IoTransport() {}

  /** Whether the agent's event loops run on epoll, for {@code setting} on this JVM. */
  public static boolean useEpoll(IoTransportSetting setting) {
    return useEpoll(setting, NativeAccess.loadingWouldWarn(), IoTransport::whyEpollCannotLoad);
  }

  /**
   * @param loadingWouldWarn whether loading a native library makes this JVM print a warning
   * @param whyEpollCannotLoad null when epoll is usable, else the reason; asked only when epoll may
   *     be used, since asking loads the library
   */
  static boolean useEpoll(
      IoTransportSetting setting, boolean loadingWouldWarn, Supplier<Throwable> whyEpollCannotLoad) {
    return EPOLL.use(setting, loadingWouldWarn, whyEpollCannotLoad);
  }

  /** Event loops on epoll or on NIO. */
  public static EventLoopGroup newGroup(boolean epoll, int threads, ThreadFactory threadFactory) {
    return epoll
        ? new EpollEventLoopGroup(threads, threadFactory)
        : new NioEventLoopGroup(threads, threadFactory);
  }

  /** The client socket channel that runs on {@code loop}. */
  public static Class<? extends SocketChannel> socketChannel(EventLoop loop) {
    return isEpoll(loop.parent()) ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /** The listening socket channel that runs on {@code group}. */
  public static Class<? extends ServerSocketChannel> serverChannel(EventLoopGroup group) {
    return isEpoll(group) ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  /** {@code epoll} or {@code NIO}, for the start-up line. */
  public static String name(EventLoopGroup group) {
    return isEpoll(group) ? "epoll" : "NIO";
  }

  /**
   * What a failed bind threw, as the JDK would have thrown it: NIO reports an address in use, not
   * available or not permitted as a {@link BindException}, epoll as its own {@code IOException}
   * with the errno (Linux's numbers, the same on x86_64 and aarch64).
   */
  public static Throwable bindFailure(Throwable failure) {
    if (failure instanceof Errors.NativeIoException nativeFailure) {
      int errno = -nativeFailure.expectedErr();
      if (errno == EACCES || errno == EADDRINUSE || errno == EADDRNOTAVAIL) {
        BindException jdkLike = new BindException(nativeFailure.getMessage());
        jdkLike.initCause(nativeFailure);
        return jdkLike;
      }
    }
    return failure;
  }

  private static final int EACCES = 13;
  private static final int EADDRINUSE = 98;
  private static final int EADDRNOTAVAIL = 99;

  private static boolean isEpoll(EventLoopGroup group) {
    return group instanceof EpollEventLoopGroup;
  }

  private static Throwable whyEpollCannotLoad() {
    return NativeAccess.whyUnavailable(
        () -> Epoll.isAvailable(), () -> Epoll.unavailabilityCause(), "epoll");
  }
}
