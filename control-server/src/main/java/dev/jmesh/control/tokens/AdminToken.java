package dev.jmesh.control.tokens;

import dev.jmesh.control.store.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/** The operator's bearer token, made on first start and kept in {@code <data-dir>/admin-token}. */
public final class AdminToken {

  public static final String FILE = "admin-token";

  private final byte[] token;

  private AdminToken(String token) {
    this.token = token.getBytes(StandardCharsets.US_ASCII);
  }

  /** Reads the token from {@code file}, writing a new random one (mode 0600) if there is none. */
  public static AdminToken loadOrCreate(Path file) throws IOException {
    if (Files.exists(file)) {
      String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
      if (text.isEmpty()) {
        throw new IOException(file + " is empty; delete it to have a new admin token made");
      }
      return new AdminToken(text);
    }
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String text = HexFormat.of().formatHex(random);
    AtomicFiles.write(file, (text + "\n").getBytes(StandardCharsets.US_ASCII));
    return new AdminToken(text);
  }

  public boolean matches(String presented) {
    return presented != null
        && MessageDigest.isEqual(token, presented.trim().getBytes(StandardCharsets.US_ASCII));
  }
}
