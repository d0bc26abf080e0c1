package dev.jmesh.instrumentation.jdkhttp;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;

import dev.jmesh.bootstrap.ContextHeaders;
import dev.jmesh.bootstrap.RequestContext;
import dev.jmesh.instrumentation.tooling.AdviceTarget;
import dev.jmesh.instrumentation.tooling.TypeInstrumentation;
import java.net.http.HttpRequest;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code jdk.internal.net.http.HttpClientImpl.send} and {@code sendAsync} (every
 * {@code java.net.http.HttpClient} is one, behind a facade): when a request context is current,
 * the request is replaced by a copy with the context's headers it lacks. Headers the application
 * set itself are kept as they are.
 */
final class HttpClientInstrumentation implements TypeInstrumentation {

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named("jdk.internal.net.http.HttpClientImpl");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(
        isPublic()
            .and(namedOneOf("send", "sendAsync"))
            .and(takesArgument(0, named("java.net.http.HttpRequest"))),
        SendAdvice.class.getName());
  }

  @SuppressWarnings("unused")
  static final class SendAdvice {
    private SendAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.Argument(value = 0, readOnly = false) HttpRequest request) {
      if (request == null || RequestContext.current() == null) {
        return;
      }
      String[] missing = ContextHeaders.missingFrom(request.headers().map());
      if (missing != null) {
        HttpRequest.Builder copy =
            HttpRequest.newBuilder(request, ContextHeaders.KEEP_EVERY_HEADER);
        for (int i = 0; i < missing.length; i += 2) {
          copy.header(missing[i], missing[i + 1]);
        }
        request = copy.build();
      }
    }
  }
}
