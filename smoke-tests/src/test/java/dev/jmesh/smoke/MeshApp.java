package dev.jmesh.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A sample app in its own JVM, normally with the agent attached: {@code java -Xmx96m
 * -javaagent:jmesh-agent.jar -Djmesh.…=… -cp jmesh-sample-apps.jar:sample-libs/* <main>}. The
 * app listens on 127.0.0.1:{@link #port()}; the agent's admin endpoint on {@link #adminPort()}.
 */
final class MeshApp implements AutoCloseable {

  static final String JDK_HTTP_SERVER = "dev.jmesh.samples.JdkHttpServerApp";
  static final String JETTY = "dev.jmesh.samples.JettyApp";
  static final String JETTY_SERVLET = "dev.jmesh.samples.JettyServletApp";
  static final String ISOLATION = "dev.jmesh.samples.IsolationApp";
  static final String GRPC = "dev.jmesh.samples.GrpcApp";

  static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  /** How the agent is given to the JVM. */
  enum AgentAttachment {
    /** {@code -javaagent:} on the command line, settings as system properties. */
    JAVAAGENT_FLAG,
    /** {@code JAVA_TOOL_OPTIONS=-javaagent:…}, settings as JMESH_* environment variables. */
    JAVA_TOOL_OPTIONS,
    /** No agent at all. */
    NONE
  }

  private final String service;
  private final String namespace;
  private final int port;
  private final int adminPort;
  private final ManagedProcess process;

  private MeshApp(Builder builder) {
    this.service = builder.service;
    this.namespace = builder.namespace;
    this.port = builder.port;
    this.adminPort = builder.adminPort;

    Map<String, String> agentSettings = new LinkedHashMap<>();
    agentSettings.put("jmesh.service", builder.service);
    agentSettings.put("jmesh.namespace", builder.namespace);
    if (builder.controlUrl != null) {
      agentSettings.put("jmesh.control", builder.controlUrl);
    }
    if (builder.token != null) {
      agentSettings.put("jmesh.token", builder.token);
    }
    agentSettings.put("jmesh.advertise.address", "127.0.0.1");
    agentSettings.put("jmesh.admin.port", String.valueOf(builder.adminPort));
    // mvn … -Dsmoke.agent.log.level=debug shows the agents' debug log in target/smoke-logs.
    String logLevel = System.getProperty("smoke.agent.log.level");
    if (logLevel != null && !logLevel.isEmpty()) {
      agentSettings.put("jmesh.log.level", logLevel);
    }
    agentSettings.putAll(builder.agentProperties);

    List<String> command = new ArrayList<>();
    command.add(builder.java.toString());
    command.add("-Xmx96m");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    Map<String, String> env = new LinkedHashMap<>();
    switch (builder.attachment) {
      case JAVAAGENT_FLAG -> {
        command.add("-javaagent:" + SmokeEnvironment.agentJar());
        agentSettings.forEach((k, v) -> command.add("-D" + k + "=" + v));
      }
      case JAVA_TOOL_OPTIONS -> {
        env.put("JAVA_TOOL_OPTIONS", "-javaagent:" + SmokeEnvironment.agentJar());
        agentSettings.forEach((k, v) -> env.put(k.toUpperCase().replace('.', '_'), v));
      }
      case NONE -> { }
    }
    builder.jvmOptions.forEach(command::add);
    command.add("-Dapp.name=" + builder.service);
    command.add("-Dapp.port=" + builder.port);
    command.add("-cp");
    command.add(builder.classPath);
    command.add(builder.mainClass);
    env.putAll(builder.env);
    this.process = new ManagedProcess(builder.service, command, env);
  }

  static Builder builder(String service, String mainClass) {
    return new Builder(service, mainClass);
  }

  static final class Builder {
    private final String service;
    private final String mainClass;
    private String namespace = "default";
    private int port = FreePorts.next();
    private int adminPort = FreePorts.next();
    private Path java = SmokeEnvironment.defaultJava();
    private AgentAttachment attachment = AgentAttachment.JAVAAGENT_FLAG;
    private String controlUrl;
    private String token;
    private String classPath;
    private final Map<String, String> agentProperties = new LinkedHashMap<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();

    private Builder(String service, String mainClass) {
      this.service = service;
      this.mainClass = mainClass;
    }

    /** Joins the mesh of {@code server} with a fresh token scoped to this service. */
    Builder joining(ControlServer server) {
      return control(server.url()).token(server.createToken(namespace, service));
    }

    Builder namespace(String namespace) {
      this.namespace = namespace;
      return this;
    }

    Builder control(String url) {
      this.controlUrl = url;
      return this;
    }

    Builder token(String token) {
      this.token = token;
      return this;
    }

    Builder port(int port) {
      this.port = port;
      return this;
    }

    Builder java(Path java) {
      this.java = java;
      return this;
    }

    Builder attachment(AgentAttachment attachment) {
      this.attachment = attachment;
      return this;
    }

    /** An agent setting (jmesh.*), passed the way the attachment passes settings. */
    Builder agentProperty(String key, String value) {
      agentProperties.put(key, value);
      return this;
    }

    Builder jvmOption(String option) {
      jvmOptions.add(option);
      return this;
    }

    Builder env(String key, String value) {
      env.put(key, value);
      return this;
    }

    Builder classPath(String classPath) {
      this.classPath = classPath;
      return this;
    }

    MeshApp start() {
      if (classPath == null) {
        classPath =
            ISOLATION.equals(mainClass)
                ? SmokeEnvironment.isolationClassPath()
                : SmokeEnvironment.sampleClassPath();
      }
      return new MeshApp(this);
    }
  }

  String service() {
    return service;
  }

  /** The SPIFFE ID the mesh gives this app. */
  String spiffeId() {
    return "spiffe://cluster.local/ns/" + namespace + "/sa/" + service;
  }

  /** The app's own port (which the agent serves once it has taken over the listener). */
  int port() {
    return port;
  }

  int adminPort() {
    return adminPort;
  }

  ManagedProcess process() {
    return process;
  }

  /** Waits until the agent's /ready answers 200 (certificate and policy snapshot in hand). */
  MeshApp awaitReady() {
    Poll.until(
        READY_TIMEOUT,
        service + "'s agent to be ready (GET 127.0.0.1:" + adminPort + "/ready = 200)",
        () -> {
          process.assertAlive();
          return Http.get(adminPort, "/ready").status();
        },
        status -> status == 200);
    return this;
  }

  /** Waits until the app answers GET /hello with 200 in plaintext on its port. */
  MeshApp awaitServing() {
    Poll.until(
        READY_TIMEOUT,
        service + " to serve GET /hello on 127.0.0.1:" + port,
        () -> {
          process.assertAlive();
          return Http.get(port, "/hello").status();
        },
        status -> status == 200);
    return this;
  }

  /** A plaintext GET to the app's port from the test. */
  Http.Response get(String pathAndQuery) throws IOException, InterruptedException {
    return Http.get(port, pathAndQuery);
  }

  /** A plaintext GET with extra request headers to the app's port from the test. */
  Http.Response get(String pathAndQuery, Map<String, String> headers)
      throws IOException, InterruptedException {
    return Http.get(port, pathAndQuery, headers);
  }

  /** The app's request counter (GET /count), read in plaintext. */
  long count() throws IOException, InterruptedException {
    Http.Response response = get("/count");
    assertEquals(200, response.status(), () -> "GET /count on " + service + ": " + response);
    return ((Number) Json.parseObject(response.body()).get("count")).longValue();
  }

  /** What the app's /call endpoint reported. */
  record CallResult(int status, String body, Map<String, Object> json) {
    /** The downstream status, or -1 if the call failed. */
    int downstreamStatus() {
      Object status = json.get("status");
      return status instanceof Number n ? n.intValue() : -1;
    }

    String downstreamBody() {
      return String.valueOf(json.get("body"));
    }

    boolean succeeded() {
      return status == 200 && downstreamStatus() == 200;
    }

    @Override
    public String toString() {
      return status + " " + Json.abbreviate(body);
    }
  }

  /** Asks the app (via GET /call, plaintext from the test) to call {@code url} with {@code client}. */
  CallResult call(String url, String client) throws IOException, InterruptedException {
    Http.Response response =
        get("/call?client=" + client + "&url=" + URLEncoder.encode(url, StandardCharsets.UTF_8));
    Map<String, Object> json;
    try {
      json = Json.parseObject(response.body());
    } catch (IllegalArgumentException e) {
      json = Map.of();
    }
    return new CallResult(response.status(), response.body(), json);
  }

  /** The downstream body of a call that must succeed (app answered 200, downstream 200). */
  String callOk(String url, String client) throws IOException, InterruptedException {
    CallResult result = call(url, client);
    if (!result.succeeded()) {
      throw new AssertionError(service + " calling " + url + " with " + client + ": " + result);
    }
    return result.downstreamBody();
  }

  /**
   * Like {@link #callOk} but retried until it works: for the first call after start-up, while the
   * caller's registry may not yet have the callee.
   */
  String awaitCallOk(String url, String client) {
    try {
      CallResult result =
          Poll.until(
              READY_TIMEOUT,
              service + " to reach " + url + " with " + client,
              () -> {
                process.assertAlive();
                return call(url, client);
              },
              CallResult::succeeded);
      return result.downstreamBody();
    } catch (AssertionError timedOut) {
      // What the caller's agent knew when it gave up (snapshot, egress listeners): the first thing
      // to look at when a call never works.
      throw new AssertionError(timedOut.getMessage() + "; " + service + "'s " + rawConfigDump());
    }
  }

  private String rawConfigDump() {
    try {
      return "config_dump: " + Http.get(adminPort, "/config_dump").body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "config_dump unavailable: interrupted";
    } catch (IOException | RuntimeException e) {
      return "config_dump unavailable: " + e;
    }
  }

  ConfigDump configDump() throws IOException, InterruptedException {
    Http.Response response = Http.get(adminPort, "/config_dump");
    assertEquals(200, response.status(), () -> service + " GET /config_dump: " + response);
    return new ConfigDump(response.body());
  }

  /** Polls the config dump until {@code condition} holds, and returns that dump. */
  ConfigDump awaitConfigDump(String what, Predicate<ConfigDump> condition) {
    return Poll.until(
        Duration.ofSeconds(30),
        service + "'s config_dump to show " + what,
        () -> {
          process.assertAlive();
          return configDump();
        },
        condition);
  }

  String stdout() {
    return process.stdout();
  }

  String stderr() {
    return process.stderr();
  }

  List<String> agentStderrLines() {
    return process.agentStderrLines();
  }

  @Override
  public void close() {
    process.close();
  }

  @Override
  public String toString() {
    return service + " (port " + port + ", admin " + adminPort + ")";
  }
}
