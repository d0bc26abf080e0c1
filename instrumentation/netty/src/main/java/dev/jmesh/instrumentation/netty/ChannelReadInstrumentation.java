package dev.jmesh.instrumentation.netty;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.jmesh.bootstrap.NettyRequestContext;
import dev.jmesh.bootstrap.RequestContext;
import dev.jmesh.instrumentation.tooling.AdviceTarget;
import dev.jmesh.instrumentation.tooling.TypeInstrumentation;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code io.netty.channel.AbstractChannelHandlerContext.invokeChannelRead(Object)}, which calls one
 * handler's {@code channelRead}: when the message is an HTTP request ({@code HttpRequest}, or a
 * {@code FullHttpRequest} after an aggregator) its context is current for that handler and every
 * handler it passes the message on to; so it is for the {@code HttpContent} messages that follow a
 * streamed request through the same handler, up to the last one.
 *
 * <p>The class name is put together at run time: the agent jar relocates its own Netty, and with it
 * every string constant that starts with Netty's package name.
 */
final class ChannelReadInstrumentation implements TypeInstrumentation {

  static final String HANDLER_CONTEXT =
      String.join(".", "io", "netty", "channel", "AbstractChannelHandlerContext");

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(HANDLER_CONTEXT);
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(
        named("invokeChannelRead").and(takesArguments(Object.class)).and(not(isStatic())),
        ChannelReadAdvice.class.getName());
  }

  @SuppressWarnings("unused")
  static final class ChannelReadAdvice {
    private ChannelReadAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@Advice.This Object handlerContext, @Advice.Argument(0) Object message) {
      return NettyRequestContext.enter(handlerContext, message);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter Object token) {
      RequestContext.exit(token);
    }
  }
}
