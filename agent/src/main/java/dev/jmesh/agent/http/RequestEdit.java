package dev.jmesh.agent.http;

import io.netty.handler.codec.http.HttpRequest;

/** A change the agent makes to the headers of each decoded HTTP/1 request before relaying it. */
@FunctionalInterface
public interface RequestEdit {

  void edit(HttpRequest request);

  /** This edit, then {@code next}. */
  default RequestEdit andThen(RequestEdit next) {
    return request -> {
      edit(request);
      next.edit(request);
    };
  }
}
