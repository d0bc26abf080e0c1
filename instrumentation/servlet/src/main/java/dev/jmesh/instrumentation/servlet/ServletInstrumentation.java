package dev.jmesh.instrumentation.servlet;

import static net.bytebuddy.matcher.ElementMatchers.failSafe;
import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.jmesh.instrumentation.tooling.AdviceTarget;
import dev.jmesh.instrumentation.tooling.LoaderCanSee;
import dev.jmesh.instrumentation.tooling.TypeInstrumentation;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Every implementation of {@code <api>.Servlet.service(ServletRequest, ServletResponse)} and
 * {@code <api>.Filter.doFilter(ServletRequest, ServletResponse, FilterChain)}, for one servlet API
 * package ({@code javax.servlet} or {@code jakarta.servlet}). The hierarchy is only looked at for
 * classes whose loader can see that API, and never for the JDK's, ByteBuddy's or jmesh's own classes.
 */
final class ServletInstrumentation implements TypeInstrumentation {

  private final String api;
  private final String adviceClassName;

  /**
   * @param api the servlet API package, {@code javax.servlet} or {@code jakarta.servlet}
   * @param adviceClassName advice compiled against that API (never loaded by the agent)
   */
  ServletInstrumentation(String api, String adviceClassName) {
    this.api = api;
    this.adviceClassName = adviceClassName;
  }

  @Override
  public ElementMatcher<ClassLoader> classLoaderMatcher() {
    return LoaderCanSee.classNamed(api + ".Servlet");
  }

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return not(nameStartsWith("java."))
        .and(not(nameStartsWith("jdk.")))
        .and(not(nameStartsWith("sun.")))
        .and(not(nameStartsWith("com.sun.")))
        .and(not(nameStartsWith("dev.jmesh.")))
        .and(not(nameStartsWith("net.bytebuddy.")))
        .and(not(nameStartsWith("javax.")).or(nameStartsWith(api + ".")))
        .and(not(isInterface()))
        // A class whose super types cannot be read (generated at run time, say) is not a match,
        // rather than an error.
        .and(failSafe(hasSuperType(namedOneOf(api + ".Servlet", api + ".Filter"))));
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(
        not(isAbstract())
            .and(
                named("service")
                    .and(takesArguments(2))
                    .and(takesArgument(1, named(api + ".ServletResponse")))
                    .or(
                        named("doFilter")
                            .and(takesArguments(3))
                            .and(takesArgument(2, named(api + ".FilterChain")))))
            .and(takesArgument(0, named(api + ".ServletRequest"))),
        adviceClassName);
  }
}
