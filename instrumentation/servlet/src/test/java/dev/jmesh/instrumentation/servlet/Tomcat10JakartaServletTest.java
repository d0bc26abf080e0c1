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
import testapp.servlet.jakarta.ContextRecordingFilter;

/**
 * {@code jakarta.servlet} in embedded Tomcat 10.1, with a single request thread. Runs in its own
 * Surefire execution with Tomcat 10.1 on the class path instead of Tomcat 9 (it is compiled
 * against Tomcat 9, whose embedding API is the same; servlets and filters are named by class).
 */
class Tomcat10JakartaServletTest extends ServletContainerContract {

  private static Tomcat tomcat;

  @BeforeAll
  static void start() throws Exception {
    InstalledOnce.module(new ServletModule());
    tomcat = new Tomcat();
    Path base = Files.createTempDirectory("jmesh-tomcat10");
    tomcat.setBaseDir(base.toString());
    tomcat.setPort(0);
    tomcat.getConnector().setProperty("address", "127.0.0.1");
    tomcat.getConnector().setProperty("maxThreads", "1");
    tomcat.getConnector().setProperty("minSpareThreads", "1");
    Context context = tomcat.addContext("", base.toString());
    Tomcat.addServlet(context, "echo", "testapp.servlet.jakarta.ContextEchoServlet");
    context.addServletMappingDecoded("/echo", "echo");
    Tomcat.addServlet(context, "plain", "testapp.servlet.jakarta.PlainContextServlet");
    context.addServletMappingDecoded("/plain", "plain");
    FilterDef filter = new FilterDef();
    filter.setFilterName("recording");
    filter.setFilterClass("testapp.servlet.jakarta.ContextRecordingFilter");
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
