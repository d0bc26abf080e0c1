package testapp.servlet.javax;

import dev.jmesh.bootstrap.RequestContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/** An application servlet: answers with the request context it sees (only overrides doGet). */
public final class ContextEchoServlet extends HttpServlet {

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    response.setContentType("text/plain");
    response.getOutputStream().write(describe(RequestContext.current()).getBytes(StandardCharsets.UTF_8));
  }

  /** {@code none}, or the context's traceparent and x-request-id. */
  public static String describe(RequestContext context) {
    return context == null
        ? "none"
        : context.value("traceparent") + " " + context.value("x-request-id");
  }
}
