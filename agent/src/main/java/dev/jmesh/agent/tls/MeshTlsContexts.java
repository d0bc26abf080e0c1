package dev.jmesh.agent.tls;

import dev.jmesh.agent.identity.IdentityStore;
import dev.jmesh.agent.identity.MeshTrustBundle;
import dev.jmesh.agent.identity.WorkloadCertificate;
import dev.jmesh.agent.identity.WorkloadKeyManager;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.KeyManagerFactoryWrapper;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;

/**
 * The mesh's TLS contexts (server: requires a client certificate; client: presents the workload
 * certificate), rebuilt whenever the certificate or trust bundle changes. A rebuild swaps the
 * contexts atomically: connections already open keep theirs, new connections get the new ones.
 * They run on the {@link TlsEngine} chosen once: BoringSSL where it loads (on JDK 24+ only when
 * native access is allowed), else the JDK's.
 */
public final class MeshTlsContexts {

  static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private record Contexts(SslContext server, SslContext client, WorkloadCertificate certificate) {}

  private final IdentityStore identity;
  private final TlsEngine engine;
  private final AtomicReference<Contexts> current = new AtomicReference<>();

  public MeshTlsContexts(IdentityStore identity, TlsEngine engine) {
    this.identity = identity;
    this.engine = engine;
    identity.addListener(this::rebuild);
    rebuild();
  }

  /** The server context, or null while there is no certificate. */
  public SslContext server() {
    Contexts c = current.get();
    return c == null ? null : c.server();
  }

  /** The client context, or null while there is no certificate. */
  public SslContext client() {
    Contexts c = current.get();
    return c == null ? null : c.client();
  }

  /** Our own identity, or null while there is no certificate. */
  public String localSpiffeId() {
    Contexts c = current.get();
    return c == null ? null : c.certificate().spiffeId();
  }

  /** The engine the contexts run on. */
  public TlsEngine engine() {
    return engine;
  }

  public MeshTrustManager trustManager() {
    MeshTrustBundle bundle = identity.trustBundle();
    return bundle == null ? null : new MeshTrustManager(bundle);
  }

  private synchronized void rebuild() {
    WorkloadCertificate certificate = identity.certificate();
    MeshTrustBundle bundle = identity.trustBundle();
    if (certificate == null || bundle == null) {
      return;
    }
    MeshTrustManager trust = new MeshTrustManager(bundle);
    try {
      current.set(build(engine, certificate, trust));
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build TLS contexts for " + certificate, e);
    }
  }

  private static Contexts build(
      TlsEngine engine, WorkloadCertificate certificate, MeshTrustManager trust)
      throws SSLException {
    KeyManagerFactory key = keyManagerFactory(engine, certificate);
    SslContext server =
        SslContextBuilder.forServer(key)
            .sslProvider(engine.provider())
            .protocols(PROTOCOLS)
            .trustManager(trust)
            .clientAuth(ClientAuth.REQUIRE)
            .build();
    SslContext client =
        SslContextBuilder.forClient()
            .sslProvider(engine.provider())
            .protocols(PROTOCOLS)
            .keyManager(key)
            .trustManager(trust)
            .build();
    return new Contexts(server, client, certificate);
  }

  /**
   * The certificate as a key manager, so that Netty never builds a key store for it (see {@link
   * WorkloadKeyManager}); for BoringSSL behind the factory that caches the key in native form, so a
   * handshake does not encode it again.
   */
  private static KeyManagerFactory keyManagerFactory(
      TlsEngine engine, WorkloadCertificate certificate) {
    KeyManagerFactory plain = new KeyManagerFactoryWrapper(new WorkloadKeyManager(certificate));
    return engine.provider() == SslProvider.JDK
        ? plain
        : new OpenSslCachingX509KeyManagerFactory(plain);
  }
}
