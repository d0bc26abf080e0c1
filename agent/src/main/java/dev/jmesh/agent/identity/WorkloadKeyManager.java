package dev.jmesh.agent.identity;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents a workload certificate, as TLS client or server, whatever issuers the peer names, and
 * nothing while there is none. The control client presents the store's current certificate; the
 * mesh's TLS contexts present the one they were built for.
 *
 * <p>Handing TLS a key manager, rather than the key itself, also keeps the key out of a PKCS#12
 * key store: Netty builds one from a bare key and encrypts the key into it (10,000 rounds of
 * PBKDF2, twice per context), which on the JDK's interpreted SHA-256 cost a few hundred
 * milliseconds of a meshed application's start-up.
 */
public final class WorkloadKeyManager extends X509ExtendedKeyManager {

  private static final String ALIAS = "workload";
  private final Supplier<WorkloadCertificate> certificate;

  /** Presents {@code identity}'s current certificate. */
  public WorkloadKeyManager(IdentityStore identity) {
    this(identity::certificate);
  }

  /** Presents {@code certificate}, always. */
  public WorkloadKeyManager(WorkloadCertificate certificate) {
    this(() -> certificate);
  }

  private WorkloadKeyManager(Supplier<WorkloadCertificate> certificate) {
    this.certificate = certificate;
  }

  private String alias() {
    return certificate.get() == null ? null : ALIAS;
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return alias();
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return alias();
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return alias();
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return alias();
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    WorkloadCertificate c = certificate.get();
    return c == null || !ALIAS.equals(alias) ? null : c.chainArray();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    WorkloadCertificate c = certificate.get();
    return c == null || !ALIAS.equals(alias) ? null : c.privateKey();
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    String alias = alias();
    return alias == null ? null : new String[] {alias};
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return getClientAliases(keyType, issuers);
  }
}
