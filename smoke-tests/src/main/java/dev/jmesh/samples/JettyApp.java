package dev.jmesh.samples;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A sample service on embedded Jetty 12 (core handlers, no servlets), listening on
 * 127.0.0.1:{@code app.port}. Endpoints: see {@link SampleSupport}.
 */
public final class JettyApp {

  public static void main(String[] args) throws Exception {
    SampleSupport app = new SampleSupport("jetty-app");
    QueuedThreadPool threads = new QueuedThreadPool(16, 4);
    threads.setName("jetty");
    Server server = new Server(threads);
    ServerConnector connector = new ServerConnector(server, 1, 1);
    connector.setHost("127.0.0.1");
    connector.setPort(app.port());
    server.addConnector(connector);
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            Map<String, String> headers = new TreeMap<>();
            for (HttpField field : request.getHeaders()) {
              headers.merge(
                  field.getName().toLowerCase(Locale.ROOT),
                  field.getValue(),
                  (a, b) -> a + ", " + b);
            }
            SampleSupport.Answer answer =
                app.handle(
                    Request.getPathInContext(request), request.getHttpURI().getQuery(), headers);
            if (answer == null) {
              answer = new SampleSupport.Answer(404, "text/plain", "not found");
            }
            response.setStatus(answer.status());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
            Content.Sink.write(response, true, answer.body(), callback);
            return true;
          }
        });
    server.start();
    System.out.println("JettyApp " + app.name() + " listening on 127.0.0.1:" + app.port());
    server.join();
  }
}
