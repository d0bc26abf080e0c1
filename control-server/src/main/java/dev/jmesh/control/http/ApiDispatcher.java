package dev.jmesh.control.http;

import dev.jmesh.control.ApiException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Routes each call, runs its handler and turns refusals and failures into {@code ApiError}
 * answers.
 */
public final class ApiDispatcher {

  private static final Logger LOG = Logger.getLogger(ApiDispatcher.class.getName());

  private final Router router;

  public ApiDispatcher(Router router) {
    this.router = router;
  }

  void dispatch(Exchange exchange) {
    String method = exchange.method();
    String path = exchange.rawPath();
    try {
      Router.Match match = router.route(method, path);
      ApiResponse response =
          match.handler().handle(new ApiRequest(exchange, match.pathParameters()));
      if (!response.isDeferred()) {
        exchange.respond(response);
      }
    } catch (ApiException e) {
      exchange.respond(ApiResponse.error(e.status(), e.getMessage()));
    } catch (Exception e) {
      LOG.log(Level.WARNING, "internal error in " + method + " " + path, e);
      exchange.respond(
          ApiResponse.error(500, "internal error while handling " + method + " " + path + ": " + e));
    }
  }
}
