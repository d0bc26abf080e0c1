package dev.jmesh.control.tokens;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.api.JoinToken;
import dev.jmesh.control.ApiException;
import dev.jmesh.control.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JoinTokenStoreTest {

  private static final String CA_SHA256 = "ab".repeat(32);

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T10:00:00Z"));

  private JoinTokenStore open() throws Exception {
    return JoinTokenStore.open(dir.resolve("tokens.json"), CA_SHA256, clock);
  }

  @Test
  void tokenNamesItsIdAndCarriesTheCaHash() throws Exception {
    CreatedJoinToken created = open().create("default", "orders", Duration.ofHours(24));

    JoinToken token = JoinToken.parse(created.token());
    assertEquals(created.id(), token.id());
    assertEquals(CA_SHA256, token.caSha256());
    assertEquals(
        clock.instant().plus(Duration.ofHours(24)).toEpochMilli(), created.expiresAtEpochMillis());
  }

  @Test
  void storeKeepsOnlyAHashOfTheSecret() throws Exception {
    CreatedJoinToken created = open().create("default", "orders", Duration.ofHours(1));

    String file = Files.readString(dir.resolve("tokens.json"));
    assertFalse(file.contains(JoinToken.parse(created.token()).secret()));
  }

  @Test
  void serviceScopedTokenAllowsOnlyThatService() throws Exception {
    JoinTokenStore store = open();
    String token = store.create("default", "orders", Duration.ofHours(1)).token();

    assertDoesNotThrow(() -> store.authorize(token, "default", "orders"));
    ApiException e =
        assertThrows(ApiException.class, () -> store.authorize(token, "default", "payments"));
    assertEquals(403, e.status());
    assertEquals(
        "join token jmesh1."
            + JoinToken.parse(token).id()
            + "… allows namespace 'default' service"
            + " 'orders'; the request asks for ns/default/sa/payments",
        e.getMessage());
  }

  @Test
  void namespaceTokenAllowsAnyServiceOfThatNamespaceOnly() throws Exception {
    JoinTokenStore store = open();
    String token = store.create("shop", null, Duration.ofHours(1)).token();

    assertDoesNotThrow(() -> store.authorize(token, "shop", "orders"));
    assertDoesNotThrow(() -> store.authorize(token, "shop", "payments"));
    assertEquals(
        403,
        assertThrows(ApiException.class, () -> store.authorize(token, "default", "orders"))
            .status());
  }

  @Test
  void wrongSecretIsUnknown() throws Exception {
    JoinTokenStore store = open();
    JoinToken real = JoinToken.parse(store.create("default", null, Duration.ofHours(1)).token());
    String forged = new JoinToken(real.id(), "0".repeat(64), real.caSha256()).toString();

    ApiException e =
        assertThrows(ApiException.class, () -> store.authorize(forged, "default", "orders"));
    assertEquals(401, e.status());
    assertEquals(
        "join token jmesh1." + real.id() + "… is not known to this control server", e.getMessage());
  }

  @Test
  void unknownIdIsUnknown() throws Exception {
    String never = new JoinToken("0123456789abcdef", "1".repeat(64), CA_SHA256).toString();

    ApiException e =
        assertThrows(ApiException.class, () -> open().authorize(never, "default", "orders"));
    assertEquals(401, e.status());
    assertTrue(e.getMessage().endsWith("is not known to this control server"));
  }

  @Test
  void expiredTokenSaysWhenItExpired() throws Exception {
    JoinTokenStore store = open();
    CreatedJoinToken created = store.create("default", "orders", Duration.ofHours(1));
    clock.advance(Duration.ofHours(1));

    ApiException e =
        assertThrows(
            ApiException.class, () -> store.authorize(created.token(), "default", "orders"));
    assertEquals(401, e.status());
    assertEquals(
        "join token jmesh1."
            + created.id()
            + "… expired at "
            + Instant.ofEpochMilli(created.expiresAtEpochMillis()),
        e.getMessage());
  }

  @Test
  void malformedTokenIsUnauthorized() throws Exception {
    ApiException e =
        assertThrows(ApiException.class, () -> open().authorize("hello", "default", "orders"));
    assertEquals(401, e.status());
  }

  @Test
  void tokensSurviveARestart() throws Exception {
    String token = open().create("default", "orders", Duration.ofHours(1)).token();

    JoinTokenStore reopened = open();

    assertDoesNotThrow(() -> reopened.authorize(token, "default", "orders"));
  }
}
