package testapp.servlet.jakarta;

import dev.jmesh.bootstrap.RequestContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import jakarta.servlet.GenericServlet;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;

/** An application servlet that implements {@code service} itself, not through HttpServlet. */
public final class PlainContextServlet extends GenericServlet {

  @Override
  public void service(ServletRequest request, ServletResponse response) throws IOException {
    response.setContentType("text/plain");
    response.getOutputStream().write(
        ContextEchoServlet.describe(RequestContext.current()).getBytes(StandardCharsets.UTF_8));
  }
}
