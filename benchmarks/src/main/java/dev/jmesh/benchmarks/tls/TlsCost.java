package dev.jmesh.benchmarks.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The cost of the TLS engines the agent can run its mTLS on: the JDK's (JSSE, behind Netty's JDK
 * SslProvider, engine {@code jdk}) and BoringSSL (Netty's OpenSSL SslProvider over
 * netty-tcnative-boringssl-static, the agent's default, engine {@code openssl}). For each: full
 * mutual-TLS 1.3 handshakes between two {@link SSLEngine}s in memory on one thread, so that
 * client and server work both land on one core (as {@code openssl s_time} against {@code openssl
 * s_server} pinned to the same core), and bulk AES-128-GCM record throughput (wrap on one side,
 * unwrap on the other). EC P-256 certificates from the harness's PKI directory, verified by the
 * JDK's PKIX trust manager in both engines (as the agent verifies with its own Java trust
 * manager); no session resumption (engines are made without a peer host, so no session is reused).
 *
 * <p>Usage: {@code TlsCost <pki-dir> <seconds> [jdk,openssl]}; prints one JSON object per engine,
 * one per line, with {@code "engine"} naming it.
 */
public final class TlsCost {

  private TlsCost() {}

  public static void main(String[] args) throws Exception {
    Path pki = Path.of(args[0]);
    double seconds = Double.parseDouble(args[1]);
    List<String> engines = List.of((args.length > 2 ? args[2] : "jdk,openssl").split(","));
    for (String engine : engines) {
      Engines server;
      Engines client;
      switch (engine.trim()) {
        case "jdk" -> {
          server = Engines.jdk(context(pki, "server"), false);
          client = Engines.jdk(context(pki, "client"), true);
        }
        case "openssl" -> {
          server = Engines.netty(nettyContext(pki, "server", false));
          client = Engines.netty(nettyContext(pki, "client", true));
        }
        default -> throw new IllegalArgumentException("engine " + engine + ": expected jdk or openssl");
      }
      measure(engine.trim(), client, server, seconds);
    }
  }

  private static void measure(String engine, Engines client, Engines server, double seconds)
      throws SSLException {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Pair probe = new Pair(client, server);
    probe.handshake();
    String protocol = probe.client.getSession().getProtocol();
    String cipher = probe.client.getSession().getCipherSuite();
    probe.free();

    // Warm-up (JIT) for a third of the time, then measure.
    handshakes(client, server, (long) (seconds / 3 * 1e9));
    long cpu0 = threads.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    long count = handshakes(client, server, (long) (seconds * 1e9));
    double wall = (System.nanoTime() - t0) / 1e9;
    double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;

    bulk(client, server, (long) (seconds / 3 * 1e9));
    long b0 = System.nanoTime();
    long bulkCpu0 = threads.getCurrentThreadCpuTime();
    long bytes = bulk(client, server, (long) (seconds * 1e9));
    double bulkWall = (System.nanoTime() - b0) / 1e9;
    double bulkCpu = (threads.getCurrentThreadCpuTime() - bulkCpu0) / 1e9;

    System.out.println(String.format(Locale.ROOT,
        "{\"engine\":\"%s\",\"provider\":\"%s\",\"protocol\":\"%s\",\"handshakes\":%d,\"wallSeconds\":%.3f,\"cpuSeconds\":%.3f,"
            + "\"handshakesPerCpuSecond\":%.1f,\"bulkCipher\":\"%s\",\"bulkMBPerSecond\":%.1f,\"bulkMBPerCpuSecond\":%.1f,"
            + "\"java\":\"%s\"}",
        engine, server.name(), protocol, count, wall, cpu, count / cpu, cipher, bytes / bulkWall / 1e6, bytes / bulkCpu / 1e6,
        System.getProperty("java.vm.version")));
  }

  private static long handshakes(Engines client, Engines server, long nanos) throws SSLException {
    long end = System.nanoTime() + nanos;
    long count = 0;
    while (System.nanoTime() < end) {
      Pair pair = new Pair(client, server);
      pair.handshake();
      pair.free();
      count++;
    }
    return count;
  }

  private static long bulk(Engines client, Engines server, long nanos) throws SSLException {
    Pair pair = new Pair(client, server);
    pair.handshake();
    ByteBuffer plain = client.buffer(16 * 1024);
    ByteBuffer wire = client.buffer(pair.client.getSession().getPacketBufferSize());
    // Roomier than getApplicationBufferSize(): the OpenSSL engine wants space for a whole record.
    ByteBuffer out = client.buffer(64 * 1024);
    long end = System.nanoTime() + nanos;
    long bytes = 0;
    while (System.nanoTime() < end) {
      for (int i = 0; i < 64; i++) {
        plain.clear();
        wire.clear();
        pair.client.wrap(plain, wire);
        wire.flip();
        out.clear();
        SSLEngineResult r = pair.server.unwrap(wire, out);
        bytes += r.bytesProduced();
      }
    }
    pair.free();
    return bytes;
  }

  /**
   * Makes the engines of one side: from a JDK {@link SSLContext}, or from a Netty {@link
   * SslContext} ({@code newEngine(ByteBufAllocator)}, as Netty's SslHandler gets them; direct
   * buffers, as SslHandler hands the OpenSSL engine).
   */
  private record Engines(String name, Supplier<SSLEngine> factory, boolean direct) {

    static Engines jdk(SSLContext context, boolean client) {
      return new Engines(context.getProvider().getName(), () -> {
        SSLEngine e = context.createSSLEngine();
        e.setUseClientMode(client);
        if (!client) {
          e.setNeedClientAuth(true);
        }
        e.setEnabledProtocols(new String[] {"TLSv1.3"});
        e.setEnabledCipherSuites(new String[] {"TLS_AES_128_GCM_SHA256"});
        return e;
      }, false);
    }

    static Engines netty(SslContext context) {
      return new Engines(OpenSsl.versionString() + " (Netty OpenSSL engine, netty-tcnative)",
          () -> context.newEngine(ByteBufAllocator.DEFAULT), true);
    }

    SSLEngine newEngine() {
      return factory.get();
    }

    ByteBuffer buffer(int size) {
      return direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
    }
  }

  /** A client and a server engine wired back to back through two buffers. */
  private static final class Pair {
    final SSLEngine client;
    final SSLEngine server;
    final ByteBuffer toServer;
    final ByteBuffer toClient;
    final ByteBuffer app;
    final ByteBuffer empty = ByteBuffer.allocate(0);

    Pair(Engines clientEngines, Engines serverEngines) {
      client = clientEngines.newEngine();
      server = serverEngines.newEngine();
      int packet = Math.max(client.getSession().getPacketBufferSize(), 64 * 1024);
      toServer = clientEngines.buffer(packet);
      toClient = clientEngines.buffer(packet);
      app = clientEngines.buffer(64 * 1024);
    }

    /** Frees the OpenSSL engines' native state now (SslHandler does on close), not at GC. */
    void free() {
      for (SSLEngine e : new SSLEngine[] {client, server}) {
        if (e instanceof ReferenceCountedOpenSslEngine openSsl) {
          openSsl.shutdown();
        }
      }
    }

    void handshake() throws SSLException {
      client.beginHandshake();
      server.beginHandshake();
      for (int i = 0; i < 200; i++) {
        boolean progress = step(client, toClient, toServer) | step(server, toServer, toClient);
        if (!progress && done(client) && done(server)) {
          return;
        }
      }
      throw new SSLException("handshake did not finish: client " + client.getHandshakeStatus()
          + ", server " + server.getHandshakeStatus());
    }

    private static boolean done(SSLEngine e) {
      HandshakeStatus s = e.getHandshakeStatus();
      return s == HandshakeStatus.NOT_HANDSHAKING || s == HandshakeStatus.FINISHED;
    }

    /** One move of {@code engine}; returns whether it did anything. */
    private boolean step(SSLEngine engine, ByteBuffer in, ByteBuffer out) throws SSLException {
      boolean progress = false;
      for (int i = 0; i < 20; i++) {
        HandshakeStatus status = engine.getHandshakeStatus();
        switch (status) {
          case NEED_WRAP -> {
            engine.wrap(empty, out);
            progress = true;
          }
          case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
            in.flip();
            app.clear();
            SSLEngineResult r = engine.unwrap(in, app);
            in.compact();
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW || r.bytesConsumed() == 0
                && status != HandshakeStatus.NEED_UNWRAP_AGAIN) {
              return progress;
            }
            progress = true;
          }
          case NEED_TASK -> {
            Runnable task;
            while ((task = engine.getDelegatedTask()) != null) {
              task.run();
            }
            progress = true;
          }
          default -> {
            // Post-handshake messages (the server's NewSessionTicket) still waiting to be read.
            if (in.position() > 0) {
              in.flip();
              app.clear();
              SSLEngineResult r = engine.unwrap(in, app);
              in.compact();
              return progress || r.bytesConsumed() > 0;
            }
            return progress;
          }
        }
      }
      return progress;
    }
  }

  /** The agent's engine: a Netty context on BoringSSL, TLS 1.3 with one cipher, mutual. */
  static SslContext nettyContext(Path pki, String name, boolean client) throws Exception {
    X509Certificate ca = certificate(pki, "ca");
    X509Certificate cert = certificate(pki, name);
    PrivateKey key = privateKey(pki, name);
    if (!OpenSsl.isAvailable()) {
      throw new IllegalStateException("BoringSSL is not available", OpenSsl.unavailabilityCause());
    }
    SslContextBuilder builder = client
        ? SslContextBuilder.forClient().keyManager(key, cert, ca)
        : SslContextBuilder.forServer(key, cert, ca).clientAuth(ClientAuth.REQUIRE);
    return builder
        .sslProvider(SslProvider.OPENSSL)
        .protocols("TLSv1.3")
        // BoringSSL's TLS 1.3 suites cannot be narrowed; with AES-NI it picks TLS_AES_128_GCM_SHA256
        // first, and the output says which suite was negotiated.
        .trustManager(ca)
        .build();
  }

  /** {@code <pki>/<name>.pem}. */
  private static X509Certificate certificate(Path pki, String name) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
        new ByteArrayInputStream(Files.readAllBytes(pki.resolve(name + ".pem"))));
  }

  /** {@code <pki>/<name>.key}, PKCS#8 EC. */
  private static PrivateKey privateKey(Path pki, String name) throws Exception {
    String pem = Files.readString(pki.resolve(name + ".key"), StandardCharsets.US_ASCII);
    String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
  }

  /** A TLS 1.3 context with {@code name}'s certificate and key from {@code pki}, trusting its CA. */
  public static SSLContext context(Path pki, String name) throws Exception {
    X509Certificate ca = certificate(pki, "ca");
    X509Certificate cert = certificate(pki, name);
    PrivateKey key = privateKey(pki, name);

    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("me", key, new char[0], new Certificate[] {cert, ca});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }
}
