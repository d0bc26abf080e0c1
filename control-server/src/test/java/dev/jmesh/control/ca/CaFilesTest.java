package dev.jmesh.control.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaFilesTest {

  @TempDir Path dir;
  private final Clock clock = Clock.systemUTC();

  @Test
  void firstStartMakesATenYearRootAndLaterStartsLoadIt() throws Exception {
    CertificateAuthority made = CaFiles.loadOrCreate(dir.resolve("ca"), "cluster.local", clock);
    CertificateAuthority loaded = CaFiles.loadOrCreate(dir.resolve("ca"), "cluster.local", clock);

    assertEquals(made.sha256(), loaded.sha256());
    X509Certificate root = loaded.rootCertificate();
    assertTrue(root.getBasicConstraints() >= 0, "CA:true");
    assertTrue(root.getKeyUsage()[5] && root.getKeyUsage()[6], "keyCertSign and cRLSign");
    assertEquals(
        3650L * 24 * 3600 * 1000, root.getNotAfter().getTime() - root.getNotBefore().getTime());
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(dir.resolve("ca").resolve(CaFiles.ROOT_KEY_FILE))));
  }

  @Test
  void bringYourOwnCaLoadsBothFiles() throws Exception {
    CertificateAuthority made = CaFiles.loadOrCreate(dir.resolve("ca"), "cluster.local", clock);
    Path cert = dir.resolve("ca").resolve(CaFiles.ROOT_CERT_FILE);
    Path key = dir.resolve("ca").resolve(CaFiles.ROOT_KEY_FILE);

    CertificateAuthority loaded =
        CaFiles.load(cert, "--ca-cert " + cert, key, "--ca-key " + key, clock);

    assertEquals(made.sha256(), loaded.sha256());
  }

  @Test
  void malformedCertificatePemNamesTheFile() throws Exception {
    CaFiles.loadOrCreate(dir.resolve("ca"), "cluster.local", clock);
    Path broken = dir.resolve("broken.pem");
    Files.writeString(
        broken, "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");
    Path key = dir.resolve("ca").resolve(CaFiles.ROOT_KEY_FILE);

    CaException e =
        assertThrows(
            CaException.class,
            () -> CaFiles.load(broken, "--ca-cert " + broken, key, "--ca-key " + key, clock));
    assertTrue(e.getMessage().startsWith("--ca-cert " + broken + ": "), e.getMessage());
  }

  @Test
  void keyOfAnotherCaIsRefused() throws Exception {
    CaFiles.loadOrCreate(dir.resolve("one"), "cluster.local", clock);
    CaFiles.loadOrCreate(dir.resolve("two"), "cluster.local", clock);
    Path cert = dir.resolve("one").resolve(CaFiles.ROOT_CERT_FILE);
    Path otherKey = dir.resolve("two").resolve(CaFiles.ROOT_KEY_FILE);

    CaException e =
        assertThrows(CaException.class, () -> CaFiles.load(cert, "cert", otherKey, "key", clock));
    assertTrue(e.getMessage().contains("does not belong"), e.getMessage());
  }

  @Test
  void missingKeyNextToAnExistingCertificateIsAnErrorNotANewCa() throws Exception {
    CaFiles.loadOrCreate(dir.resolve("ca"), "cluster.local", clock);
    Files.delete(dir.resolve("ca").resolve(CaFiles.ROOT_KEY_FILE));

    CaException e =
        assertThrows(
            CaException.class,
            () -> CaFiles.loadOrCreate(dir.resolve("ca"), "cluster.local", clock));
    assertTrue(e.getMessage().contains(CaFiles.ROOT_KEY_FILE + " is missing"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("ca").resolve(CaFiles.ROOT_KEY_FILE)));
  }
}
