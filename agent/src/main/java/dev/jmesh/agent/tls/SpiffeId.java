package dev.jmesh.agent.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** A workload identity {@code spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>}. */
public record SpiffeId(String trustDomain, String path) {

  private static final String SCHEME = "spiffe://";
  private static final int URI_SAN = 6;

  public static SpiffeId of(String trustDomain, String namespace, String serviceAccount) {
    return new SpiffeId(trustDomain, "/ns/" + namespace + "/sa/" + serviceAccount);
  }

  /** Parses {@code spiffe://td/path}; throws {@link IllegalArgumentException} otherwise. */
  public static SpiffeId parse(String uri) {
    if (uri == null || !uri.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      throw new IllegalArgumentException("\"" + uri + "\" is not a spiffe:// URI");
    }
    String rest = uri.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    String trustDomain = slash < 0 ? rest : rest.substring(0, slash);
    if (trustDomain.isEmpty()) {
      throw new IllegalArgumentException("\"" + uri + "\" has no trust domain");
    }
    return new SpiffeId(
        trustDomain.toLowerCase(Locale.ROOT), slash < 0 ? "" : rest.substring(slash));
  }

  /** The one SPIFFE ID among the certificate's URI SANs; throws if there is none or several. */
  public static SpiffeId fromCertificate(X509Certificate certificate) {
    List<String> uris = spiffeUris(certificate);
    if (uris.size() != 1) {
      throw new IllegalArgumentException(
          "the certificate has " + uris.size() + " spiffe:// URI SANs, expected exactly one");
    }
    return parse(uris.get(0));
  }

  static List<String> spiffeUris(X509Certificate certificate) {
    List<String> uris = new ArrayList<>();
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new IllegalArgumentException("unreadable subject alternative names", e);
    }
    if (names != null) {
      for (List<?> name : names) {
        if (name.size() >= 2 && Integer.valueOf(URI_SAN).equals(name.get(0))) {
          String value = String.valueOf(name.get(1));
          if (value.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            uris.add(value);
          }
        }
      }
    }
    return uris;
  }

  /** The namespace of a Kubernetes-style {@code /ns/<ns>/sa/<sa>} path, or null. */
  public String namespace() {
    String[] parts = path.split("/");
    return parts.length == 5 && parts[1].equals("ns") && parts[3].equals("sa") ? parts[2] : null;
  }

  @Override
  public String toString() {
    return SCHEME + trustDomain + path;
  }
}
