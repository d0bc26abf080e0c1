package dev.jmesh.instrumentation.servlet;

import dev.jmesh.instrumentation.tooling.InstalledOnce;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import testapp.servlet.javax.ContextEchoServlet;
import testapp.servlet.javax.ContextRecordingFilter;
import testapp.servlet.javax.PlainContextServlet;

/**
 * {@code javax.servlet} in embedded Tomcat 9, with a single request thread (so a request without
 * context runs on the thread that served one with context).
 */
class TomcatJavaxServletTest extends ServletContainerContract {

  private static Tomcat tomcat;

  @BeforeAll
  static void start() throws Exception {
    InstalledOnce.module(new ServletModule());
    tomcat = new Tomcat();
    Path base = Files.createTempDirectory("jmesh-tomcat9");
    tomcat.setBaseDir(base.toString());
    tomcat.setPort(0);
    tomcat.getConnector().setProperty("address", "127.0.0.1");
    tomcat.getConnector().setProperty("maxThreads", "1");
    tomcat.getConnector().setProperty("minSpareThreads", "1");
    Context context = tomcat.addContext("", base.toString());
    Tomcat.addServlet(context, "echo", new ContextEchoServlet());
    context.addServletMappingDecoded("/echo", "echo");
    Tomcat.addServlet(context, "plain", new PlainContextServlet());
    context.addServletMappingDecoded("/plain", "plain");
    FilterDef filter = new FilterDef();
    filter.setFilterName("recording");
    filter.setFilter(new ContextRecordingFilter());
    context.addFilterDef(filter);
    FilterMap mapping = new FilterMap();
    mapping.setFilterName("recording");
    mapping.addURLPattern("/*");
    context.addFilterMap(mapping);
    tomcat.start();
  }

  @AfterAll
  static void stop() throws Exception {
    tomcat.stop();
    tomcat.destroy();
  }

  @Override
  int port() {
    return tomcat.getConnector().getLocalPort();
  }

  @Override
  String filterSawAfterChain() {
    return ContextRecordingFilter.AFTER_CHAIN.get();
  }
}
