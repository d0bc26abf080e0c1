package dev.jmesh.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JoinTokenTest {

  private static final String HASH = "ab".repeat(32);

  @Test
  void roundTripsThroughItsTextForm() {
    JoinToken token = new JoinToken("0123abcd", "f".repeat(32), HASH);
    assertEquals(token, JoinToken.parse(token.toString()));
  }

  @Test
  void rejectsTextThatIsNotAToken() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> JoinToken.parse("abcdef.0123456789"));
    assertTrue(e.getMessage().contains("join token is malformed"), e.getMessage());
  }

  @Test
  void redactedFormHidesTheSecret() {
    JoinToken token = new JoinToken("0123abcd", "f".repeat(32), HASH);
    assertTrue(!token.redacted().contains("f".repeat(32)));
  }
}
