package dev.jmesh.agent.control;

import dev.jmesh.agent.config.AgentConfig;
import dev.jmesh.agent.identity.CertificateSigningRequests;
import dev.jmesh.agent.identity.IdentityStore;
import dev.jmesh.agent.identity.MeshTrustBundle;
import dev.jmesh.agent.identity.Pem;
import dev.jmesh.agent.identity.RenewalSchedule;
import dev.jmesh.agent.identity.WorkloadCertificate;
import dev.jmesh.agent.runtime.AgentThreadFactory;
import dev.jmesh.api.CertificateRequest;
import dev.jmesh.api.CertificateResponse;
import dev.jmesh.api.InstanceRegistration;
import dev.jmesh.api.MeshSnapshot;
import dev.jmesh.api.RegistrationResponse;
import dev.jmesh.api.SnapshotAck;
import dev.jmesh.api.SpiffeId;
import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.AgentThread;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The agent's conversation with the control server, on agent threads: trust bundle, first
 * certificate with the join token, registration, heartbeats, the snapshot long-poll with ACK/NACK,
 * certificate renewal at half-life, and deregistration at shutdown. An unreachable server is
 * retried forever with capped backoff; a rejected join token stops the agent's attempts (the
 * application runs without the mesh).
 *
 * <p>The join (key pair, certificate) may begin before the rest of the runtime exists ({@link
 * #beginJoin}), so that it overlaps the agent's and the application's own start; registration
 * waits for {@link #start}, when the ports and the snapshot consumer are ready.
 */
public final class ControlSession {

  static final int WAIT_SECONDS = 30;
  private static final Duration DEREGISTER_TIMEOUT = Duration.ofSeconds(2);

  private final AgentConfig config;
  private final ControlClient client;
  private final IdentityStore identity;
  private final Supplier<List<Integer>> ports;
  private final IntSupplier adminPort;
  private final SnapshotConsumer snapshots;
  private final String agentVersion;
  private final ScheduledExecutorService scheduler;

  /** Heartbeats run on their own thread, so slow renewals never make the instance expire. */
  private final ScheduledExecutorService heartbeats;

  private final ProblemLog problems = new ProblemLog();
  private final Backoff bootstrapBackoff;
  private final Backoff pollBackoff;
  private final RandomGenerator random = RandomGenerator.getDefault();

  private final java.util.concurrent.atomic.AtomicInteger failedStarts =
      new java.util.concurrent.atomic.AtomicInteger();
  private volatile boolean stopped;

  /** Set by {@link #start}; read and written on the control thread only. */
  private boolean runtimeReady;

  /** The join token was refused: no further attempts. */
  private volatile boolean gaveUp;
  private volatile Runnable onGiveUp = () -> {};
  private volatile String state = "starting";
  private volatile String instanceId;
  private volatile int heartbeatSeconds = 5;
  private volatile long snapshotVersion = -1;
  private volatile long ackedVersion = -1;
  private volatile String nackError;
  private volatile Instant certificateReceived;
  private Thread poller;

  public ControlSession(
      AgentConfig config,
      ControlClient client,
      IdentityStore identity,
      Supplier<List<Integer>> ports,
      IntSupplier adminPort,
      SnapshotConsumer snapshots,
      String agentVersion) {
    this(
        config,
        client,
        identity,
        ports,
        adminPort,
        snapshots,
        agentVersion,
        new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30)));
  }

  ControlSession(
      AgentConfig config,
      ControlClient client,
      IdentityStore identity,
      Supplier<List<Integer>> ports,
      IntSupplier adminPort,
      SnapshotConsumer snapshots,
      String agentVersion,
      Backoff backoff) {
    this.config = config;
    this.client = client;
    this.identity = identity;
    this.ports = ports;
    this.adminPort = adminPort;
    this.snapshots = snapshots;
    this.agentVersion = agentVersion;
    this.bootstrapBackoff = backoff;
    this.pollBackoff = new Backoff(backoff.initial(), backoff.max());
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(1, new AgentThreadFactory("control"));
    executor.setRemoveOnCancelPolicy(true);
    this.scheduler = executor;
    this.heartbeats = new ScheduledThreadPoolExecutor(1, new AgentThreadFactory("heartbeat"));
  }

  /**
   * Starts the join (key pair and first certificate) and returns at once; registration waits for
   * {@link #start}. A join that fails here is retried by {@link #start}.
   */
  public void beginJoin() {
    scheduler.execute(this::bootstrap);
  }

  /** Starts talking to the control server (or goes on from the join); returns at once. */
  public void start() {
    scheduler.execute(
        () -> {
          runtimeReady = true;
          if (!handOverGiveUp()) {
            bootstrap();
          }
        });
  }

  /** The served ports changed: tell the control server now (if registered). */
  public void portsChanged() {
    if (instanceId != null && !stopped) {
      heartbeats.execute(this::heartbeatOnce);
    }
  }

  /** Stops all calls and deregisters (bounded by a short timeout). */
  public void stop() {
    stopped = true;
    scheduler.shutdownNow();
    heartbeats.shutdownNow();
    if (poller != null) {
      poller.interrupt();
    }
    String id = instanceId;
    if (id != null) {
      try {
        client.deregister(id, DEREGISTER_TIMEOUT);
      } catch (ControlException e) {
        AgentLog.debug("deregistration failed: " + e.getMessage());
      }
    }
  }

  /** For config_dump. */
  public Map<String, Object> status() {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("url", client.currentServer().toString());
    status.put("state", state);
    status.put("instanceId", instanceId);
    return status;
  }

  /**
   * Runs the give-up action once both have happened, in either order: the agent gave up, and the
   * runtime that the action tells is built ({@link #start}). Both sides run on the scheduler thread.
   * Returns whether the agent has given up.
   */
  private boolean handOverGiveUp() {
    if (gaveUp && runtimeReady) {
      onGiveUp.run();
    }
    return gaveUp;
  }

  /** Runs {@code action} if and when the agent gives up on the mesh. */
  public void onGiveUp(Runnable action) {
    this.onGiveUp = action;
  }

  /** How many start-up attempts failed so far (for tests). */
  int failedStarts() {
    return failedStarts.get();
  }

  /** What the session is doing, or the last problem (for config_dump and tests). */
  public String state() {
    return state;
  }

  public long snapshotVersion() {
    return snapshotVersion;
  }

  public long ackedVersion() {
    return ackedVersion;
  }

  public String nackError() {
    return nackError;
  }

  // ---- start-up: certificate (with the mesh roots) → registration

  private void bootstrap() {
    if (stopped || gaveUp) {
      return;
    }
    try {
      if (identity.certificate() == null) {
        state = "requesting certificate";
        if (!requestFirstCertificate()) {
          return;
        }
      }
      if (!runtimeReady) {
        state = "waiting for the agent to start";
        return;
      }
      state = "registering";
      register();
      bootstrapBackoff.reset();
      problems.resolved("connected to control server " + client.currentServer());
      state = "connected";
      scheduleHeartbeat();
      startPolling();
    } catch (ControlException e) {
      failedStarts.incrementAndGet();
      Duration retry = bootstrapBackoff.next();
      reportFailure(e, retry);
      retryLater(retry);
    } catch (RuntimeException e) {
      Duration retry = bootstrapBackoff.next();
      problems.problem(
          "internal:" + e,
          "jmesh agent failure while connecting to the control"
              + " server: "
              + e
              + "; retrying every "
              + format(retry));
      retryLater(retry);
    }
  }

  /** Before {@link #start} the early join does not retry on its own: start() goes on from here. */
  private void retryLater(Duration retry) {
    if (runtimeReady) {
      scheduler.schedule(this::bootstrap, retry.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void reportFailure(ControlException e, Duration retry) {
    String every =
        "; retrying every "
            + format(retry)
            + ", backing off to every "
            + format(bootstrapBackoff.max());
    problems.problem(
        e.unreachable() ? "unreachable:" + e.server() : "status:" + e.status(),
        e.getMessage() + every);
    state = e.getMessage();
  }

  static String format(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  /** Returns false when the token was rejected (and the agent gives up). */
  private boolean requestFirstCertificate() throws ControlException {
    try {
      issue(config.token().toString());
      return true;
    } catch (ControlException e) {
      if (e.status() == 401 || e.status() == 403) {
        problems.problem(
            "token",
            "control server "
                + e.server()
                + " refused the join token "
                + config.token().redacted()
                + " for "
                + config.workloadName()
                + ": "
                + (e.serverMessage() != null ? e.serverMessage() : e.getMessage())
                + "; the agent stops trying and the application runs without the mesh"
                + " (fix jmesh.token/JMESH_TOKEN and restart)");
        state = "join token rejected: " + e.getMessage();
        gaveUp = true;
        handOverGiveUp();
        return false;
      }
      throw e;
    }
  }

  private void issue(String bearerToken) throws ControlException {
    KeyPair key = CertificateSigningRequests.newKeyPair();
    CertificateResponse response =
        client.requestCertificate(
            new CertificateRequest(
                CertificateSigningRequests.csrPem(key),
                config.namespace(),
                config.service(),
                config.certTtl() == null ? null : config.certTtl().toSeconds()),
            bearerToken);
    try {
      List<X509Certificate> chain = Pem.certificates(response.certificateChainPem());
      MeshTrustBundle bundle = identity.trustBundle();
      if (response.trustBundlePem() != null && !response.trustBundlePem().isEmpty()) {
        List<X509Certificate> roots = Pem.certificates(response.trustBundlePem());
        client.trustRoots(roots);
        bundle = new MeshTrustBundle(trustDomain(bundle, response), roots);
      } else if (bundle == null) {
        throw new CertificateException("its answer carries no trust bundle");
      }
      if (!chain.get(0).getPublicKey().equals(key.getPublic())) {
        throw new CertificateException("the certificate is not for the key the agent sent");
      }
      certificateReceived = Instant.now();
      identity.update(
          new WorkloadCertificate(key.getPrivate(), chain, response.spiffeId()), bundle);
      AgentLog.debug("certificate " + identity.certificate());
      scheduleRenewal();
    } catch (CertificateException e) {
      throw new ControlException(
          client.currentServer(),
          0,
          "control server "
              + client.currentServer()
              + " sent an unusable certificate: "
              + e.getMessage(),
          e);
    }
  }

  /**
   * The trust domain of the mesh: the one the agent knows, else the one in the SPIFFE ID the
   * server just issued (the first certificate brings the roots, so no separate trust-bundle call).
   */
  private static String trustDomain(MeshTrustBundle known, CertificateResponse response)
      throws CertificateException {
    if (known != null) {
      return known.trustDomain();
    }
    return SpiffeId.parse(response.spiffeId())
        .map(SpiffeId::trustDomain)
        .orElseThrow(
            () -> new CertificateException(response.spiffeId() + " is not a SPIFFE ID"));
  }

  private InstanceRegistration registration() {
    int admin = adminPort.getAsInt();
    return new InstanceRegistration(
        config.service(),
        config.namespace(),
        config.labels(),
        config.advertiseAddress(),
        ports.get(),
        admin > 0 ? admin : null,
        agentVersion);
  }

  private synchronized void register() throws ControlException {
    InstanceRegistration sent = registration();
    RegistrationResponse response = client.register(sent);
    instanceId = response.instanceId();
    if (response.heartbeatIntervalSeconds() > 0) {
      heartbeatSeconds = response.heartbeatIntervalSeconds();
    }
    // The app may have bound a port while the registration was on its way (portsChanged saw no
    // instance yet): send the ports now rather than at the next heartbeat, or callers are refused
    // that port for a whole heartbeat interval.
    if (!java.util.Objects.equals(sent.ports(), ports.get())) {
      portsChanged();
    }
  }

  // ---- steady state: heartbeats, renewal, snapshots

  /** At a fixed rate of the interval the server asked for, whatever each call costs. */
  private void scheduleHeartbeat() {
    if (!stopped) {
      long periodMillis = heartbeatSeconds * 1000L;
      heartbeats.scheduleAtFixedRate(
          this::heartbeatOnce, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void heartbeatOnce() {
    String id = instanceId;
    if (id == null || stopped) {
      return;
    }
    try {
      try {
        client.heartbeat(id, registration());
      } catch (ControlException e) {
        if (e.status() != 404) {
          throw e;
        }
        AgentLog.debug("instance " + id + " expired at the control server; registering again");
        register();
      }
      problems.resolved("control server " + client.currentServer() + " reachable again");
      state = "connected";
    } catch (ControlException e) {
      state = e.getMessage();
      problems.problem(
          e.unreachable() ? "unreachable:" + e.server() : "status:" + e.status(),
          e.getMessage() + "; heartbeats continue every " + heartbeatSeconds + "s");
    }
  }

  private void scheduleRenewal() {
    WorkloadCertificate certificate = identity.certificate();
    Duration delay =
        RenewalSchedule.delayUntilRenewal(
            certificateReceived.isAfter(certificate.notBefore())
                ? certificateReceived
                : certificate.notBefore(),
            certificate.notAfter(),
            Instant.now(),
            random);
    scheduleRenewal(delay);
  }

  private void scheduleRenewal(Duration delay) {
    if (!stopped) {
      scheduler.schedule(this::renew, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void renew() {
    if (stopped) {
      return;
    }
    WorkloadCertificate current = identity.certificate();
    boolean expired = current.notAfter().isBefore(Instant.now());
    try {
      issue(expired ? config.token().toString() : null);
    } catch (ControlException e) {
      Duration left = Duration.between(Instant.now(), current.notAfter());
      Duration retry = left.dividedBy(4);
      if (retry.compareTo(Duration.ofSeconds(1)) < 0) {
        retry = Duration.ofSeconds(1);
      } else if (retry.compareTo(Duration.ofSeconds(30)) > 0) {
        retry = Duration.ofSeconds(30);
      }
      problems.problem(
          "renew:" + e.status(),
          "cannot renew the workload certificate (expires "
              + current.notAfter()
              + "): "
              + e.getMessage()
              + "; retrying");
      scheduleRenewal(retry);
    }
  }

  private void startPolling() {
    if (poller == null) {
      poller = new AgentThread(this::pollLoop, "snapshot");
      poller.start();
    }
  }

  private void pollLoop() {
    while (!stopped) {
      String id = instanceId;
      try {
        Optional<MeshSnapshot> snapshot = client.snapshot(id, snapshotVersion, WAIT_SECONDS);
        pollBackoff.reset();
        snapshot.ifPresent(s -> apply(id, s));
      } catch (ControlException e) {
        if (stopped) {
          return;
        }
        if (e.status() == 404) {
          heartbeats.execute(this::heartbeatOnce); // registers again
        } else {
          problems.problem(
              e.unreachable() ? "unreachable:" + e.server() : "status:" + e.status(),
              e.getMessage() + "; retrying");
        }
        try {
          Thread.sleep(pollBackoff.next().toMillis());
        } catch (InterruptedException interrupted) {
          return;
        }
      }
    }
  }

  private void apply(String id, MeshSnapshot snapshot) {
    SnapshotAck ack;
    try {
      snapshots.apply(snapshot);
      ackedVersion = snapshot.version();
      nackError = null;
      ack = new SnapshotAck(snapshot.version(), true, null);
    } catch (Exception e) {
      String reason = e.getMessage() == null ? e.toString() : e.getMessage();
      nackError = reason;
      AgentLog.error(
          "rejected snapshot version "
              + snapshot.version()
              + " from the control server and kept the last good one: "
              + reason,
          null);
      ack = new SnapshotAck(snapshot.version(), false, reason);
    }
    snapshotVersion = snapshot.version();
    try {
      client.ack(id, ack);
    } catch (ControlException e) {
      AgentLog.debug("cannot acknowledge snapshot " + snapshot.version() + ": " + e.getMessage());
    }
  }
}
