package dev.jmesh.instrumentation.jdkhttp;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.jmesh.bootstrap.ContextHeaders;
import dev.jmesh.instrumentation.tooling.AdviceTarget;
import dev.jmesh.instrumentation.tooling.TypeInstrumentation;
import java.net.HttpURLConnection;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code sun.net.www.protocol.http.HttpURLConnection.connect}, {@code getOutputStream} and
 * {@code getInputStream} (which {@code getResponseCode} and the header getters call): before the
 * connection connects, the current request context's headers it lacks are added as request
 * properties. HTTPS connections delegate to this class, so they are covered too.
 */
final class HttpUrlConnectionInstrumentation implements TypeInstrumentation {

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named("sun.net.www.protocol.http.HttpURLConnection");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(
        isPublic()
            .and(namedOneOf("connect", "getOutputStream", "getInputStream"))
            .and(takesArguments(0)),
        ConnectAdvice.class.getName());
  }

  @SuppressWarnings("unused")
  static final class ConnectAdvice {
    private ConnectAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(
        @Advice.This HttpURLConnection connection,
        @Advice.FieldValue("connected") boolean connected) {
      if (!connected) {
        ContextHeaders.addTo(connection);
      }
    }
  }
}
