package dev.jmesh.agent.tracing;

import java.util.ArrayDeque;

/**
 * The spans of one connection's requests in request order. The handler that edits requests adds
 * one per request; the tap that sees responses takes them in the same order as it completes each
 * exchange (HTTP/1 answers in order). Used on the connection's event loop only.
 */
public final class RequestSpans {

  private final ArrayDeque<RequestSpan> started = new ArrayDeque<>();

  void add(RequestSpan span) {
    started.add(span);
  }

  /** The span of the oldest request not completed yet, or null. */
  public RequestSpan poll() {
    return started.poll();
  }

  /** The connection closed: every request still open ends with these Envoy response flags. */
  public void abandonAll(String responseFlags) {
    RequestSpan span;
    while ((span = started.poll()) != null) {
      span.end(null, null, 0, responseFlags);
    }
  }
}
