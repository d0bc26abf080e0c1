package dev.jmesh.control.tokens;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.jmesh.api.JoinToken;
import dev.jmesh.control.ApiException;
import dev.jmesh.control.Json;
import dev.jmesh.control.store.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * Join tokens: made by operators ({@code POST /v1/tokens}), presented by agents for their first
 * certificate. The store keeps only a hash of each secret, in {@code <data-dir>/tokens.json}, and
 * rewrites that file atomically on every change.
 */
public final class JoinTokenStore {

  /** Tokens that expired longer ago than this are dropped from the file when a token is made. */
  static final Duration KEEP_EXPIRED = Duration.ofDays(7);

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();

  /** What the store knows about one token. {@code service} null means any service. */
  record StoredToken(
      String namespace,
      String service,
      long createdAtEpochMillis,
      long expiresAtEpochMillis,
      String secretSha256) {}

  private final Path file;
  private final String caSha256;
  private final Clock clock;
  private final Map<String, StoredToken> tokensById;

  private JoinTokenStore(
      Path file, String caSha256, Clock clock, Map<String, StoredToken> tokensById) {
    this.file = file;
    this.caSha256 = caSha256;
    this.clock = clock;
    this.tokensById = tokensById;
  }

  /** Opens the store kept in {@code file} (empty when the file does not exist yet). */
  public static JoinTokenStore open(Path file, String caSha256, Clock clock) throws IOException {
    Map<String, StoredToken> tokens = new TreeMap<>();
    if (Files.exists(file)) {
      try {
        tokens.putAll(
            Json.MAPPER.readValue(file.toFile(), new TypeReference<Map<String, StoredToken>>() {}));
      } catch (IOException e) {
        throw new IOException(file + " is not a valid join token file: " + e.getMessage(), e);
      }
    }
    return new JoinTokenStore(file, caSha256, clock, tokens);
  }

  /** Makes a token for {@code namespace} (and only {@code service}, unless it is null). */
  public synchronized CreatedJoinToken create(String namespace, String service, Duration ttl)
      throws IOException {
    Instant now = clock.instant();
    tokensById
        .entrySet()
        .removeIf(
            e -> e.getValue().expiresAtEpochMillis() < now.minus(KEEP_EXPIRED).toEpochMilli());
    String id = randomHex(8);
    String secret = randomHex(32);
    long expiresAt = now.plus(ttl).toEpochMilli();
    tokensById.put(
        id, new StoredToken(namespace, service, now.toEpochMilli(), expiresAt, sha256(secret)));
    save();
    return new CreatedJoinToken(new JoinToken(id, secret, caSha256).toString(), id, expiresAt);
  }

  /**
   * Checks that {@code tokenText} is a live token of this server whose scope allows the identity
   * {@code ns/<namespace>/sa/<service>}.
   *
   * @throws ApiException 401 for a malformed, unknown, wrong or expired token; 403 when the token's
   *     scope does not allow the identity
   */
  public void authorize(String tokenText, String namespace, String service) throws ApiException {
    JoinToken token;
    try {
      token = JoinToken.parse(tokenText);
    } catch (IllegalArgumentException e) {
      throw ApiException.unauthorized(e.getMessage());
    }
    String name = "join token jmesh1." + token.id() + "…";
    StoredToken stored;
    synchronized (this) {
      stored = tokensById.get(token.id());
    }
    if (stored == null
        || !MessageDigest.isEqual(
            stored.secretSha256().getBytes(StandardCharsets.US_ASCII),
            sha256(token.secret()).getBytes(StandardCharsets.US_ASCII))) {
      throw ApiException.unauthorized(name + " is not known to this control server");
    }
    Instant expiresAt = Instant.ofEpochMilli(stored.expiresAtEpochMillis());
    if (!clock.instant().isBefore(expiresAt)) {
      throw ApiException.unauthorized(name + " expired at " + expiresAt);
    }
    boolean allowed =
        stored.namespace().equals(namespace)
            && (stored.service() == null || stored.service().equals(service));
    if (!allowed) {
      String scope =
          stored.service() == null
              ? "namespace '" + stored.namespace() + "' (any service)"
              : "namespace '" + stored.namespace() + "' service '" + stored.service() + "'";
      throw ApiException.forbidden(
          name + " allows " + scope + "; the request asks for ns/" + namespace + "/sa/" + service);
    }
  }

  private void save() throws IOException {
    AtomicFiles.write(
        file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(tokensById));
  }

  private static String randomHex(int bytes) {
    byte[] random = new byte[bytes];
    RANDOM.nextBytes(random);
    return HEX.formatHex(random);
  }

  private static String sha256(String text) {
    try {
      return HEX.formatHex(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
