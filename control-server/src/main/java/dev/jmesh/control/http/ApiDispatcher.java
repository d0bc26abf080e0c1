package dev.jmesh.control.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.jmesh.control.ApiException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one {@link HttpHandler} of the server: routes each exchange, runs its handler and turns
 * refusals and failures into {@code ApiError} answers.
 */
public final class ApiDispatcher implements HttpHandler {

  private static final Logger LOG = Logger.getLogger(ApiDispatcher.class.getName());

  private final Router router;

  public ApiDispatcher(Router router) {
    this.router = router;
  }

  @Override
  public void handle(HttpExchange exchange) {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getRawPath();
    try {
      Router.Match match = router.route(method, path);
      ApiResponse response =
          match.handler().handle(new ApiRequest(exchange, match.pathParameters()));
      if (!response.isDeferred()) {
        ResponseWriter.send(exchange, response);
      }
    } catch (ApiException e) {
      ResponseWriter.sendError(exchange, e.status(), e.getMessage());
    } catch (Exception e) {
      LOG.log(Level.WARNING, "internal error in " + method + " " + path, e);
      ResponseWriter.sendError(
          exchange, 500, "internal error while handling " + method + " " + path + ": " + e);
    }
  }
}
