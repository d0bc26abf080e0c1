package dev.jmesh.instrumentation.netty;

import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.jmesh.instrumentation.tooling.AdviceTarget;
import dev.jmesh.instrumentation.tooling.TypeInstrumentation;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Netty 4.2's {@code AbstractChannelHandlerContext.fireChannelRead(Object)}. Netty 4.2 dropped the
 * {@code invokeChannelRead(Object)} that {@link ChannelReadInstrumentation} wraps in 4.1: a context
 * now calls the next inbound handler's {@code channelRead} itself, inside {@code fireChannelRead}
 * (or hands the call to that handler's executor, which calls {@code fireChannelRead} again there).
 * So the same advice wraps {@code fireChannelRead}, keyed by the context that passes the message
 * on, which is the same for every message a handler receives from the one before it. A message
 * entering the pipeline goes through the head context's {@code fireChannelRead} too, so the first
 * handler is covered as well.
 *
 * <p>Only where {@code invokeChannelRead(Object)} is gone, so that a 4.1 pipeline does not enter
 * the context twice; the bridge method that Netty 4.2 also declares is left alone for the same
 * reason.
 */
final class FireChannelReadInstrumentation implements TypeInstrumentation {

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(ChannelReadInstrumentation.HANDLER_CONTEXT)
        .and(
            not(
                declaresMethod(
                    named("invokeChannelRead")
                        .and(takesArguments(Object.class))
                        .and(not(isStatic())))));
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(
        named("fireChannelRead")
            .and(takesArguments(Object.class))
            .and(not(isStatic()))
            .and(not(isBridge())),
        ChannelReadInstrumentation.ChannelReadAdvice.class.getName());
  }
}
