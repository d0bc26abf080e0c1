package dev.jmesh.agent.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** The snapshot body is un-gzipped only when the server says {@code Content-Encoding: gzip}. */
class ControlClientDecodeTest {

  private static final byte[] JSON =
      "{\"version\":7,\"instances\":[]}".getBytes(StandardCharsets.UTF_8);

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(bytes);
    }
    return out.toByteArray();
  }

  @Test
  void gzipBodyIsDecoded() throws Exception {
    assertArrayEquals(JSON, ControlClient.decode("gzip", gzip(JSON)));
    assertArrayEquals(JSON, ControlClient.decode("GZIP", gzip(JSON)));
  }

  @Test
  void bodyWithoutContentEncodingIsTakenAsIs() throws Exception {
    assertArrayEquals(JSON, ControlClient.decode(null, JSON));
    assertArrayEquals(JSON, ControlClient.decode("identity", JSON));
  }

  @Test
  void unknownContentEncodingIsAnError() {
    assertThrows(IOException.class, () -> ControlClient.decode("br", JSON));
  }
}
