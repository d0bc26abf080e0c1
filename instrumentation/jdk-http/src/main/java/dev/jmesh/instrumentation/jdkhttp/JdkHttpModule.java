package dev.jmesh.instrumentation.jdkhttp;

import dev.jmesh.instrumentation.tooling.InstrumentationModule;
import dev.jmesh.instrumentation.tooling.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/**
 * The JDK's HTTP server ({@code com.sun.net.httpserver}) and clients ({@code java.net.http.HttpClient},
 * {@code HttpURLConnection}): the propagation headers of the request a handler is serving go out
 * on the requests it sends, so the agent's egress can make them children of the server span.
 */
public final class JdkHttpModule implements InstrumentationModule {

  @Override
  public String name() {
    return "jdk-http";
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(
        new HttpServerFilterChainInstrumentation(),
        new HttpClientInstrumentation(),
        new HttpUrlConnectionInstrumentation());
  }

  @Override
  public Set<String> jdkModules() {
    return Set.of("java.base", "java.net.http", "jdk.httpserver");
  }
}
