package dev.jmesh.agent.identity;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents the workload's current certificate as a TLS client certificate, whatever issuers the
 * server names, and nothing before it exists. The control client uses it for every call after the
 * first certificate.
 */
public final class WorkloadKeyManager extends X509ExtendedKeyManager {

  private static final String ALIAS = "workload";
  private final IdentityStore identity;

  public WorkloadKeyManager(IdentityStore identity) {
    this.identity = identity;
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return identity.certificate() == null ? null : ALIAS;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return chooseClientAlias(keyTypes, issuers, null);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    WorkloadCertificate c = identity.certificate();
    return c == null || !ALIAS.equals(alias) ? null : c.chainArray();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    WorkloadCertificate c = identity.certificate();
    return c == null || !ALIAS.equals(alias) ? null : c.privateKey();
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return identity.certificate() == null ? null : new String[] {ALIAS};
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return null;
  }
}
