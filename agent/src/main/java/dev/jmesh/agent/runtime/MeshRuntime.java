package dev.jmesh.agent.runtime;

import dev.jmesh.agent.admin.AdminServer;
import dev.jmesh.agent.admin.ConfigDump;
import dev.jmesh.agent.config.AgentConfig;
import dev.jmesh.agent.control.ControlClient;
import dev.jmesh.agent.control.ControlSession;
import dev.jmesh.agent.control.StatsReporter;
import dev.jmesh.agent.identity.IdentityStore;
import dev.jmesh.agent.identity.Pem;
import dev.jmesh.agent.inbound.InboundContext;
import dev.jmesh.agent.inbound.InboundListeners;
import dev.jmesh.agent.outbound.EgressContext;
import dev.jmesh.agent.outbound.EgressListeners;
import dev.jmesh.agent.telemetry.AccessLog;
import dev.jmesh.agent.telemetry.EdgeStatsRecorder;
import dev.jmesh.agent.telemetry.IstioMetrics;
import dev.jmesh.agent.telemetry.Telemetry;
import dev.jmesh.agent.tls.MeshTlsContexts;
import dev.jmesh.agent.tls.TlsEngine;
import dev.jmesh.agent.tracing.MetricsPush;
import dev.jmesh.agent.tracing.MetricsPushSwitch;
import dev.jmesh.agent.tracing.Tracing;
import dev.jmesh.agent.tracing.TracingSwitch;
import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.AgentThread;
import dev.jmesh.bootstrap.InboundHook;
import dev.jmesh.bootstrap.OutboundHook;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Everything the mesh does in the application's JVM, without bytecode: identity, the control
 * session, inbound listeners, egress, the admin endpoint. {@link #start} returns at once; all
 * network work happens on agent threads.
 */
public final class MeshRuntime {

  private static final Duration APP_BIND_TIMEOUT = Duration.ofSeconds(10);

  private final AgentConfig config;
  private final IdentityStore identity;
  private final MeshState mesh;
  private final MeshTlsContexts tls;
  private final EventLoopGroup acceptors;
  private final EventLoopGroup workers;
  private final InboundListeners inbound;
  private final EgressListeners egress;
  private final ControlClient client;
  private final ControlSession control;
  private final AdminServer admin;
  private final ConfigDump configDump;
  private final Telemetry telemetry;
  private final StatsReporter stats;
  private final Tracing tracing;
  private final MetricsPush metricsPush;
  private final AtomicBoolean stopped = new AtomicBoolean();

  private MeshRuntime(AgentConfig config) {
    this.config = config;
    StartupDeadline deadline = new StartupDeadline(config.startupTimeout());
    this.identity = new IdentityStore();
    this.mesh = new MeshState(config.namespace(), config.labels());
    // The join (key pair, certificate over TLS) is the longest step before the first request can
    // be served: begin it before anything else, so that it overlaps the rest of the agent's start
    // and the application's. Registration waits for start().
    // The control client talks TLS on the mesh's engine, which takes a while to load: the join
    // computes its key pair meanwhile and waits for the engine only to connect.
    CompletableFuture<TlsEngine> engine = new CompletableFuture<>();
    this.client =
        new ControlClient(
            config.controlUrls(),
            config.token().caSha256(),
            controlCaRoots(config),
            identity,
            engine::join);
    this.admin = new AdminServer(this::isReady, this::configDump, this::scrapeMetrics);
    this.control =
        new ControlSession(
            config,
            client,
            identity,
            this::servedPorts,
            admin::port,
            mesh,
            AgentVersion.VERSION);
    control.beginJoin();
    try {
      engine.complete(TlsEngine.choose(config.tlsProvider()));
      this.tls = new MeshTlsContexts(identity, engine.join());
      RecentConnections inboundConnections = new RecentConnections(50);
      RecentConnections outboundConnections = new RecentConnections(50);
      EdgeStatsRecorder edgeStats = new EdgeStatsRecorder();
      boolean epoll = IoTransport.useEpoll(config.ioTransport());
      this.acceptors = IoTransport.newGroup(epoll, 1, new AgentThreadFactory("accept"));
      this.workers =
          IoTransport.newGroup(
              epoll,
              Math.min(4, Runtime.getRuntime().availableProcessors()),
              new AgentThreadFactory("io"));
      IstioMetrics metrics = new IstioMetrics().withAgentCost().withListener(edgeStats);
      Tracing.Workload workload =
          new Tracing.Workload(config.service(), config.namespace(), config.labels().get("version"));
      // Decided before any OpenTelemetry class is loaded: without tracing or a metrics exporter none
      // is.
      this.tracing = TracingSwitch.fromSystem().on() ? Tracing.start(workload) : null;
      if (tracing != null) {
        tracing.registerMeters(metrics.registry());
      }
      this.metricsPush =
          MetricsPushSwitch.fromSystem().on() ? MetricsPush.start(workload, metrics.registry()) : null;
      this.telemetry =
          new Telemetry(
                  metrics,
                  AccessLog.open(config.accessLog(), config.accessLogSampling()),
                  config.service(),
                  config.namespace(),
                  config.labels(),
                  tls::localSpiffeId,
                  mesh)
              .withTracing(tracing);
      this.inbound =
          new InboundListeners(
              config,
              new InboundContext(
                  mesh,
                  tls,
                  identity.firstCertificate(),
                  deadline,
                  inboundConnections,
                  acceptors,
                  workers,
                  APP_BIND_TIMEOUT,
                  telemetry),
              control::portsChanged);
      this.egress =
          new EgressListeners(
              config.namespace(),
              new EgressContext(
                  mesh,
                  tls,
                  identity.firstCertificate(),
                  deadline,
                  outboundConnections,
                  acceptors,
                  workers,
                  telemetry));
      this.stats =
          new StatsReporter(
              client, edgeStats, config.statsInterval(), () -> identity.certificate() != null);
      control.onGiveUp(
          () -> {
            inbound.leaveNewBindsAlone();
            egress.leaveConnectionsAlone();
            identity.stopWaitingForFirstCertificate();
            mesh.stopWaitingForFirstSnapshot();
          });
      this.configDump =
          new ConfigDump(
              identity, mesh, control, inbound, egress, inboundConnections, outboundConnections);
    } catch (RuntimeException | Error e) {
      engine.completeExceptionally(e);
      control.stop(); // the join began: stop it, nobody will ever start() this runtime
      client.close();
      throw e;
    }
  }

  /**
   * Starts the mesh for {@code config} and returns at once; install {@link #inboundHook()} and
   * {@link #outboundHook()} into {@code dev.jmesh.bootstrap.Hooks}.
   *
   * @return the running mesh, or null when {@code config.enabled()} is false (nothing started)
   */
  public static MeshRuntime start(AgentConfig config) {
    if (!config.enabled()) {
      return null;
    }
    MeshRuntime runtime = new MeshRuntime(config);
    runtime.startThreads();
    AgentLog.info(
        "jmesh agent "
            + AgentVersion.VERSION
            + " for "
            + config.workloadName()
            + ", control "
            + String.join(",", config.controlUrls().stream().map(Object::toString).toList())
            + ", mTLS by "
            + runtime.tls.engine().name()
            + ", I/O on "
            + IoTransport.name(runtime.workers));
    return runtime;
  }

  private void startThreads() {
    new AgentThread(
            () -> {
              if (config.adminPort() >= 0) {
                admin.start(config.adminPort(), acceptors);
              }
              control.start();
              stats.start();
            },
            "start")
        .start();
    Runtime.getRuntime().addShutdownHook(new AgentThread(this::stop, "shutdown"));
  }

  /** What {@code /config_dump} lists as instrumented: the installer's account, once it ran. */
  public void reportInstrumentedTypes(Supplier<List<String>> types) {
    configDump.instrumentedTypes(types);
  }

  public InboundHook inboundHook() {
    return inbound;
  }

  public OutboundHook outboundHook() {
    return egress;
  }

  /** Whether the workload has a certificate and a snapshot (the admin endpoint's /ready). */
  public boolean isReady() {
    return identity.certificate() != null && mesh.hasSnapshot();
  }

  /** The admin endpoint's port, or -1 when it is off or not bound yet. */
  public int adminPort() {
    return admin.port();
  }

  /** What the control session is doing, or its last problem. */
  public String controlState() {
    return control.state();
  }

  public IdentityStore identity() {
    return identity;
  }

  public MeshState mesh() {
    return mesh;
  }

  /** Deregisters and closes everything; also runs at JVM shutdown. */
  public void stop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    stats.stop();
    control.stop();
    client.close();
    admin.stop();
    inbound.closeAll();
    egress.closeAll();
    acceptors.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    if (tracing != null) {
      tracing.shutdown();
    }
    if (metricsPush != null) {
      metricsPush.shutdown();
    }
  }

  private static List<X509Certificate> controlCaRoots(AgentConfig config) {
    if (config.controlCa() == null) {
      return List.of();
    }
    try {
      return Pem.certificates(Files.readString(config.controlCa(), StandardCharsets.US_ASCII));
    } catch (IOException | CertificateException e) {
      AgentLog.error(
          "cannot read jmesh.control.ca "
              + config.controlCa()
              + "; trusting only the join token's CA hash",
          e);
      return List.of();
    }
  }

  private List<Integer> servedPorts() {
    return inbound.ports();
  }

  private String scrapeMetrics() {
    return telemetry.metrics().scrape();
  }

  private Object configDump() {
    return configDump.build();
  }
}
