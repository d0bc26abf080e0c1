package dev.jmesh.benchmarks.tls;

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
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The cost of the JDK's TLS (JSSE, the provider behind Netty's JDK SslEngine that the agent uses):
 * full mutual-TLS 1.3 handshakes between two {@link SSLEngine}s in memory on one thread, so that
 * client and server work both land on one core (as {@code openssl s_time} against {@code openssl
 * s_server} pinned to the same core), and bulk AES-128-GCM record throughput (wrap on one side,
 * unwrap on the other). EC P-256 certificates from the harness's PKI directory; no session
 * resumption (engines are made without a peer host, so no session is reused).
 *
 * <p>Usage: {@code TlsCost <pki-dir> <seconds>}; prints one JSON object.
 */
public final class TlsCost {

  private TlsCost() {}

  public static void main(String[] args) throws Exception {
    Path pki = Path.of(args[0]);
    double seconds = Double.parseDouble(args[1]);
    SSLContext server = context(pki, "server");
    SSLContext client = context(pki, "client");
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    // Warm-up (JIT) for a third of the time, then measure.
    handshakes(client, server, (long) (seconds / 3 * 1e9));
    long cpu0 = threads.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    long count = handshakes(client, server, (long) (seconds * 1e9));
    double wall = (System.nanoTime() - t0) / 1e9;
    double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;

    bulk(client, server, (long) (seconds / 3 * 1e9));
    long b0 = System.nanoTime();
    long bytes = bulk(client, server, (long) (seconds * 1e9));
    double bulkWall = (System.nanoTime() - b0) / 1e9;

    System.out.println(String.format(Locale.ROOT,
        "{\"provider\":\"%s\",\"protocol\":\"TLSv1.3\",\"handshakes\":%d,\"wallSeconds\":%.3f,\"cpuSeconds\":%.3f,"
            + "\"handshakesPerCpuSecond\":%.1f,\"bulkCipher\":\"TLS_AES_128_GCM_SHA256\",\"bulkMBPerSecond\":%.1f,"
            + "\"java\":\"%s\"}",
        server.getProvider().getName(), count, wall, cpu, count / cpu, bytes / bulkWall / 1e6,
        System.getProperty("java.vm.version")));
  }

  private static long handshakes(SSLContext client, SSLContext server, long nanos) throws SSLException {
    long end = System.nanoTime() + nanos;
    long count = 0;
    while (System.nanoTime() < end) {
      Pair pair = new Pair(client, server);
      pair.handshake();
      count++;
    }
    return count;
  }

  private static long bulk(SSLContext client, SSLContext server, long nanos) throws SSLException {
    Pair pair = new Pair(client, server);
    pair.handshake();
    ByteBuffer plain = ByteBuffer.allocate(16 * 1024);
    ByteBuffer wire = ByteBuffer.allocate(pair.client.getSession().getPacketBufferSize());
    ByteBuffer out = ByteBuffer.allocate(pair.server.getSession().getApplicationBufferSize());
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
    return bytes;
  }

  /** A client and a server engine wired back to back through two buffers. */
  private static final class Pair {
    final SSLEngine client;
    final SSLEngine server;
    final ByteBuffer toServer;
    final ByteBuffer toClient;
    final ByteBuffer app;
    final ByteBuffer empty = ByteBuffer.allocate(0);

    Pair(SSLContext clientContext, SSLContext serverContext) {
      client = clientContext.createSSLEngine();
      client.setUseClientMode(true);
      client.setEnabledProtocols(new String[] {"TLSv1.3"});
      client.setEnabledCipherSuites(new String[] {"TLS_AES_128_GCM_SHA256"});
      server = serverContext.createSSLEngine();
      server.setUseClientMode(false);
      server.setNeedClientAuth(true);
      server.setEnabledProtocols(new String[] {"TLSv1.3"});
      server.setEnabledCipherSuites(new String[] {"TLS_AES_128_GCM_SHA256"});
      int packet = Math.max(client.getSession().getPacketBufferSize(), 64 * 1024);
      toServer = ByteBuffer.allocate(packet);
      toClient = ByteBuffer.allocate(packet);
      app = ByteBuffer.allocate(64 * 1024);
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

  static SSLContext context(Path pki, String name) throws Exception {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    X509Certificate ca = (X509Certificate) cf.generateCertificate(
        new ByteArrayInputStream(Files.readAllBytes(pki.resolve("ca.pem"))));
    X509Certificate cert = (X509Certificate) cf.generateCertificate(
        new ByteArrayInputStream(Files.readAllBytes(pki.resolve(name + ".pem"))));
    String pem = Files.readString(pki.resolve(name + ".key"), StandardCharsets.US_ASCII);
    String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));

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
