package testapp.servlet.javax;

import dev.jmesh.bootstrap.RequestContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import javax.servlet.GenericServlet;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;

/** An application servlet that implements {@code service} itself, not through HttpServlet. */
public final class PlainContextServlet extends GenericServlet {

  @Override
  public void service(ServletRequest request, ServletResponse response) throws IOException {
    response.setContentType("text/plain");
    response.getOutputStream().write(
        ContextEchoServlet.describe(RequestContext.current()).getBytes(StandardCharsets.UTF_8));
  }
}
