package testapp.servlet.jakarta;

import dev.jmesh.bootstrap.RequestContext;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;

/**
 * An application filter: puts the context it sees before the chain in a response header, and
 * records the one it sees after the chain returned.
 */
public final class ContextRecordingFilter implements Filter {

  public static final AtomicReference<String> AFTER_CHAIN = new AtomicReference<>();

  @Override
  public void init(FilterConfig config) {}

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    ((HttpServletResponse) response)
        .setHeader("x-filter-saw", ContextEchoServlet.describe(RequestContext.current()));
    chain.doFilter(request, response);
    AFTER_CHAIN.set(ContextEchoServlet.describe(RequestContext.current()));
  }

  @Override
  public void destroy() {}
}
