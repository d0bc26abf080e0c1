package dev.jmesh.agent.tracing;

import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;

/** Lets OpenTelemetry's propagators read and write a Netty request's headers. */
enum NettyHeaders implements TextMapGetter<HttpHeaders>, TextMapSetter<HttpHeaders> {
  INSTANCE;

  @Override
  public Iterable<String> keys(HttpHeaders carrier) {
    return carrier.names();
  }

  @Override
  public String get(HttpHeaders carrier, String key) {
    return carrier == null ? null : carrier.get(key);
  }

  @Override
  public void set(HttpHeaders carrier, String key, String value) {
    if (carrier != null) {
      carrier.set(key, value);
    }
  }
}
