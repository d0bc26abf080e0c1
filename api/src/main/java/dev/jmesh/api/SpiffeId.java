package dev.jmesh.api;

import java.net.URI;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A workload identity {@code spiffe://<trust-domain>/ns/<namespace>/sa/<service>}: what the control
 * server puts in the one URI SAN of a workload certificate, and what agents check on both ends of
 * a mesh connection.
 */
public record SpiffeId(String trustDomain, String namespace, String service) {

  private static final int URI_SAN_TYPE = 6;
  private static final Pattern NAME =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,251}[A-Za-z0-9])?");
  private static final Pattern URI_FORMAT =
      Pattern.compile("spiffe://([^/]+)/ns/([^/]+)/sa/([^/]+)");

  /** Whether {@code name} may be a namespace or service name in a SPIFFE ID. */
  public static boolean isValidName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /** Parses {@code spiffe://td/ns/x/sa/y}; empty when the text is not such an ID. */
  public static Optional<SpiffeId> parse(String uri) {
    if (uri == null) {
      return Optional.empty();
    }
    Matcher m = URI_FORMAT.matcher(uri);
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(new SpiffeId(m.group(1), m.group(2), m.group(3)));
  }

  /** The first SPIFFE ID among the URI SANs of {@code certificate}, if it carries one. */
  public static Optional<SpiffeId> fromCertificate(X509Certificate certificate) {
    for (String uri : spiffeUris(certificate)) {
      Optional<SpiffeId> id = parse(uri);
      if (id.isPresent()) {
        return id;
      }
    }
    return Optional.empty();
  }

  /** Every {@code spiffe://} URI SAN of {@code certificate} (a mesh certificate has exactly one). */
  public static List<String> spiffeUris(X509Certificate certificate) {
    List<String> uris = new ArrayList<>();
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return uris;
    }
    if (names != null) {
      for (List<?> name : names) {
        if (name.size() == 2 && Integer.valueOf(URI_SAN_TYPE).equals(name.get(0))) {
          String value = String.valueOf(name.get(1));
          if (value.regionMatches(true, 0, "spiffe://", 0, "spiffe://".length())) {
            uris.add(value);
          }
        }
      }
    }
    return uris;
  }

  public URI toUri() {
    return URI.create(toString());
  }

  /** The identity without the trust domain, as the API and errors name it: {@code ns/x/sa/y}. */
  public String path() {
    return "ns/" + namespace + "/sa/" + service;
  }

  @Override
  public String toString() {
    return "spiffe://" + trustDomain + "/" + path();
  }
}
