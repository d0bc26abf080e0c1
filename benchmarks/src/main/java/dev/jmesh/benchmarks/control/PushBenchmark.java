package dev.jmesh.benchmarks.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.jmesh.benchmarks.load.ProcStats;
import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Control-plane push: N simulated agents in this JVM join a running control server (one join token,
 * a few shared workload identities), register, park a long poll on {@code GET /v1/snapshot}, and the
 * benchmark applies PeerAuthentication changes through the operator API, timing until each agent
 * has the new snapshot and until its ACK is answered. Also the control server's RSS (and heap after
 * a full GC, via jcmd) before the agents join and with them parked.
 *
 * <p>Usage: {@code PushBenchmark --url U --data-dir D --token T --server-pid P --agents N --changes K
 * --out result.json [--identities 20] [--rate 200] [--java-home H]}. Every wait is bounded; the JVM
 * exits when done.
 */
public final class PushBenchmark {

  /** Event-loop threads of all simulated agents together. */
  private static final int AGENT_THREADS = 2;

  private final Map<String, String> args;
  private final AtomicInteger errors = new AtomicInteger();
  private final List<String> firstErrors = new ArrayList<>();
  private volatile int currentChange = -1;

  private PushBenchmark(Map<String, String> args) {
    this.args = args;
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new LinkedHashMap<>();
    for (int i = 0; i + 1 < argv.length; i += 2) {
      args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    int exit = 0;
    try {
      new PushBenchmark(args).run(result);
    } catch (Exception e) {
      result.put("error", e.toString());
      e.printStackTrace();
      exit = 1;
    }
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(Path.of(args.get("out")).toFile(), result);
    System.out.println("push benchmark done: " + args.get("out"));
    System.exit(exit);
  }

  int currentChange() {
    return currentChange;
  }

  void error(String what) {
    if (errors.incrementAndGet() <= 10) {
      synchronized (firstErrors) {
        firstErrors.add(what);
      }
      System.out.println("error: " + what);
    }
  }

  int errorCount() {
    return errors.get();
  }

  private void run(Map<String, Object> result) throws Exception {
    String base = args.get("url");
    Path dataDir = Path.of(args.get("data-dir"));
    int n = Integer.parseInt(args.get("agents"));
    int changes = Integer.parseInt(args.getOrDefault("changes", "3"));
    int identities = Math.min(n, Integer.parseInt(args.getOrDefault("identities", "20")));
    double rate = Double.parseDouble(args.getOrDefault("rate", "200"));
    long pid = Long.parseLong(args.get("server-pid"));
    long settleMillis = 1000;
    result.put("agents", n);
    result.put("identities", identities);
    result.put("rampPerSecond", rate);

    X509Certificate ca = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(dataDir.resolve("ca/root-cert.pem"))));
    String adminToken = Files.readString(dataDir.resolve("admin-token")).trim();
    HttpClient admin = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(sslContext(ca))
        .connectTimeout(Duration.ofSeconds(10)).build();

    // 1. One workload certificate per identity sim-<i>, with the one join token.
    long t0 = System.nanoTime();
    List<SslContext> identityTls = new ArrayList<>();
    for (int i = 0; i < identities; i++) {
      identityTls.add(identityTls(admin, base, args.get("token"), "sim-" + i, ca));
    }
    result.put("certificatesSeconds", secs(System.nanoTime() - t0));

    // 2. The control server before any simulated agent is registered.
    Map<String, Object> before = serverMemory(pid);
    result.put("serverBefore", before);

    // 3. Register every agent first (each registration bumps the global version; nobody watches yet).
    URI server = URI.create(base);
    EventLoopGroup loop = new NioEventLoopGroup(AGENT_THREADS, new DefaultThreadFactory("sim-agents", true));
    List<SimulatedAgent> agents = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      agents.add(new SimulatedAgent(this, loop, identityTls.get(i % identities), server.getHost(), server.getPort(),
          "sim-" + (i % identities), changes));
    }
    t0 = System.nanoTime();
    paced(agents, rate, 64, SimulatedAgent::register, Duration.ofSeconds(30 + (long) (n / rate * 3)));
    result.put("registerSeconds", secs(System.nanoTime() - t0));

    // 4. Park every agent's long poll on the current version, ramped (TLS handshakes are the limit).
    long version = status(admin, base, adminToken).get("version").asLong();
    t0 = System.nanoTime();
    paced(agents, rate, 64, a -> a.warmUpThenWatch(version), Duration.ofSeconds(30 + (long) (n / rate * 3)));
    Thread.sleep(settleMillis);
    result.put("parkSeconds", secs(System.nanoTime() - t0));
    if (status(admin, base, adminToken).get("version").asLong() != version) {
      throw new IllegalStateException("the mesh version moved while the agents parked (an instance expired?)");
    }

    // 5. The control server with N agents parked.
    Map<String, Object> parked = serverMemory(pid);
    result.put("serverParked", parked);
    long rssDelta = (Long) parked.get("rssKb") - (Long) before.get("rssKb");
    result.put("rssPerAgentKb", rssDelta / (double) n);
    if (before.get("heapUsedKb") instanceof Long hb && parked.get("heapUsedKb") instanceof Long hp) {
      result.put("heapPerAgentKb", (hp - hb) / (double) n);
    }

    // 6. Policy changes: alternating PERMISSIVE / STRICT in namespace default.
    List<Map<String, Object>> perChange = new ArrayList<>();
    List<Double> received = new ArrayList<>();
    List<Double> acked = new ArrayList<>();
    List<Double> receivedFromSend = new ArrayList<>();
    List<Double> ackSent = new ArrayList<>();
    List<Double> ackRoundTrip = new ArrayList<>();
    long waitPerChange = Long.parseLong(args.getOrDefault("change-timeout-seconds", "30"));
    result.put("waitPerChangeSeconds", waitPerChange);
    for (int c = 0; c < changes; c++) {
      String mode = c % 2 == 0 ? "PERMISSIVE" : "STRICT";
      String yaml = "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n"
          + "  namespace: default\nspec:\n  mtls:\n    mode: " + mode + "\n";
      currentChange = c;
      long sent = System.nanoTime();
      HttpResponse<String> applied = admin.send(HttpRequest.newBuilder(URI.create(base + "/v1/policies?namespace=default"))
          .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + adminToken)
          .header("Content-Type", "application/yaml").POST(HttpRequest.BodyPublishers.ofString(yaml)).build(),
          HttpResponse.BodyHandlers.ofString());
      long returned = System.nanoTime();
      if (applied.statusCode() != 200) {
        throw new IllegalStateException("apply answered " + applied.statusCode() + ": " + applied.body());
      }
      long deadline = returned + TimeUnit.SECONDS.toNanos(waitPerChange);
      int done = 0;
      while (System.nanoTime() < deadline) {
        final int change = c;
        done = (int) agents.stream().filter(a -> a.ackedNanos.get(change) != 0).count();
        if (done == n) {
          break;
        }
        Thread.sleep(5);
      }
      List<Double> rec = new ArrayList<>();
      List<Double> ack = new ArrayList<>();
      for (SimulatedAgent a : agents) {
        if (a.receivedNanos.get(c) != 0) {
          rec.add(Math.max(0, a.receivedNanos.get(c) - returned) / 1e6);
          receivedFromSend.add((a.receivedNanos.get(c) - sent) / 1e6);
        }
        if (a.ackedNanos.get(c) != 0) {
          ack.add(Math.max(0, a.ackedNanos.get(c) - returned) / 1e6);
          ackSent.add(Math.max(0, a.ackSentNanos.get(c) - returned) / 1e6);
          ackRoundTrip.add((a.ackedNanos.get(c) - a.ackSentNanos.get(c)) / 1e6);
        }
      }
      received.addAll(rec);
      acked.addAll(ack);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("mode", mode);
      m.put("applyRoundTripMs", (returned - sent) / 1e6);
      m.put("receivedMs", percentiles(rec, n));
      m.put("ackedMs", percentiles(ack, n));
      perChange.add(m);
      System.out.printf("change %d (%s): %d/%d received, %d/%d acked; ack p99 %s ms%n", c, mode, rec.size(), n,
          ack.size(), n, percentiles(ack, n).get("p99"));
      Thread.sleep(500);
    }
    currentChange = -1;
    result.put("changes", perChange);
    result.put("receivedMs", percentiles(received, n * changes));
    result.put("ackedMs", percentiles(acked, n * changes));
    result.put("receivedFromApplySentMs", percentiles(receivedFromSend, n * changes));
    // Where the time between received and ACKed goes: until this JVM sent the ACK (the simulated
    // agents' own queueing), and the ACK's round trip (the server's part).
    result.put("ackSentMs", percentiles(ackSent, n * changes));
    result.put("ackRoundTripMs", percentiles(ackRoundTrip, n * changes));
    result.put("snapshotBytes", agents.get(0).lastSnapshotBytes);
    result.put("errors", errors.get());
    synchronized (firstErrors) {
      result.put("firstErrors", new ArrayList<>(firstErrors));
    }
    agents.forEach(SimulatedAgent::stop);
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  /** Starts {@code action} for every agent at most {@code rate}/s and {@code inFlight} at once; waits for all. */
  private static void paced(List<SimulatedAgent> agents, double rate, int inFlight,
      java.util.function.Function<SimulatedAgent, CompletableFuture<?>> action, Duration timeout) throws Exception {
    Semaphore permits = new Semaphore(inFlight);
    List<CompletableFuture<?>> all = new ArrayList<>();
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    for (int i = 0; i < agents.size(); i++) {
      long due = start + (long) (i * 1e9 / rate);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      if (!permits.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        throw new IllegalStateException("timed out after " + i + " of " + agents.size() + " agents");
      }
      all.add(action.apply(agents.get(i)).whenComplete((r, e) -> permits.release()));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  private static Map<String, Object> percentiles(List<Double> values, int expected) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", v.length);
    m.put("expected", expected);
    // Ranks over all expected agents: one that never got there within the wait is slower than any
    // that did, so a percentile that falls among them is null ("beyond the wait").
    m.put("p50", at(v, 0.50, expected));
    m.put("p99", at(v, 0.99, expected));
    m.put("max", v.length == expected && v.length > 0 ? v[v.length - 1] : null);
    return m;
  }

  private static Double at(double[] sorted, double q, int expected) {
    int rank = Math.max(0, (int) Math.ceil(q * expected) - 1);
    return rank < sorted.length ? sorted[rank] : null;
  }

  private static double secs(long nanos) {
    return Math.round(nanos / 1e7) / 100.0;
  }

  private JsonNode status(HttpClient admin, String base, String adminToken) throws Exception {
    HttpResponse<String> r = admin.send(HttpRequest.newBuilder(URI.create(base + "/v1/status"))
        .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + adminToken).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET /v1/status answered " + r.statusCode() + ": " + r.body());
    }
    return new ObjectMapper().readTree(r.body());
  }

  /** VmRSS from /proc, then (when jcmd can tell) the heap used after a full GC. */
  private Map<String, Object> serverMemory(long pid) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rssKb", ProcStats.rssKb(pid));
    Path jcmd = Path.of(args.getOrDefault("java-home", System.getProperty("java.home")), "bin", "jcmd");
    long heap = ProcStats.liveHeapKb(jcmd, pid);
    if (heap >= 0) {
      m.put("heapUsedKb", heap);
    }
    return m;
  }

  /** The operator's TLS: trusts the mesh root, no client certificate. */
  private static SSLContext sslContext(X509Certificate ca) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("mesh-ca", ca);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  /**
   * Key pair, CSR, {@code POST /v1/certificates} with the join token, and the client TLS of the
   * simulated agents with that identity (BoringSSL when it loads: the simulation's own CPU is not
   * what is measured).
   */
  private static SslContext identityTls(HttpClient admin, String base, String token, String service,
      X509Certificate ca) throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair key = gen.generateKeyPair();
    var csr = new JcaPKCS10CertificationRequestBuilder(new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), key.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()));
    StringWriter pem = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(pem)) {
      w.writeObject(csr);
    }
    ObjectMapper json = new ObjectMapper();
    String body = json.writeValueAsString(Map.of("csrPem", pem.toString(), "namespace", "default", "service", service));
    HttpResponse<String> r = admin.send(HttpRequest.newBuilder(URI.create(base + "/v1/certificates"))
        .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("POST /v1/certificates for " + service + " answered " + r.statusCode() + ": " + r.body());
    }
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    List<X509Certificate> chain = new ArrayList<>();
    for (JsonNode c : json.readTree(r.body()).get("certificateChainPem")) {
      for (var certificate : cf.generateCertificates(
          new ByteArrayInputStream(c.asText().getBytes(StandardCharsets.US_ASCII)))) {
        chain.add((X509Certificate) certificate);
      }
    }
    return SslContextBuilder.forClient()
        .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
        .protocols("TLSv1.3")
        .keyManager(key.getPrivate(), chain.toArray(X509Certificate[]::new))
        .trustManager(ca)
        .build();
  }
}
