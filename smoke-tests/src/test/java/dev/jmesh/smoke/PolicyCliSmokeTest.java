package dev.jmesh.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator's side of policy, through the CLI of the built control-server jar: valid policy is
 * stored, invalid policy is refused with the field named and leaves the stored policy as it was.
 */
@ExtendWith(PrintProcessOutputOnFailure.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PolicyCliSmokeTest {

  @Test
  void invalidPeerAuthenticationIsRefusedNamingTheFieldAndTheStoredPolicyStays() {
    try (ControlServer control = ControlServer.start()) {
      control.applyOk(MtlsModeSmokeTest.peerAuthentication("STRICT"));

      ControlServer.CliResult invalid =
          control.apply(MtlsModeSmokeTest.peerAuthentication("STRICTT"));

      assertNotEquals(0, invalid.exitCode(), () -> "apply of mode STRICTT succeeded: " + invalid);
      assertTrue(
          invalid.stderr().contains("spec.mtls.mode"),
          () -> "apply error does not name spec.mtls.mode: " + invalid);
      assertEquals("", invalid.stdout().strip(), () -> "apply reported results: " + invalid);

      ControlServer.CliResult stored =
          control.cliOk(
              "get", "PeerAuthentication", MtlsModeSmokeTest.POLICY_NAME,
              "-n", "istio-system", "-o", "yaml");
      assertTrue(
          stored.stdout().contains("name: " + MtlsModeSmokeTest.POLICY_NAME),
          () -> "policy gone: " + stored);
      assertTrue(stored.stdout().contains("mode: STRICT\n"), () -> "stored mode: " + stored);
    }
  }
}
