package dev.jmesh.agent.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each framing case of {@link ResponseScanner}, fed whole, split in two at every byte boundary and
 * one byte at a time: the same responses, the same ends, the same byte counts.
 */
class ResponseScannerTest {

  /** Records what the scanner reports; answers heads from a queue (default: as framed). */
  private static final class Recorder implements ResponseScanner.Listener {
    final List<String> events = new ArrayList<>();
    final Deque<ResponseScanner.Body> answers = new ArrayDeque<>();

    @Override
    public ResponseScanner.Body head(int status) {
      events.add("head " + status);
      ResponseScanner.Body answer = answers.poll();
      return answer == null ? ResponseScanner.Body.AS_FRAMED : answer;
    }

    @Override
    public void end(long bytes) {
      events.add("end " + bytes);
    }
  }

  private static final String OK_FIXED =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";
  private static final String CHUNKED =
      "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "5\r\nhello\r\n"
          + "1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n"
          + "0\r\nX-Trailer: yes\r\n\r\n";

  /** Feeds {@code stream} cut in every way; asserts every way reports {@code expected}. */
  private static void assertScans(
      String stream, List<ResponseScanner.Body> answers, boolean close, List<String> expected) {
    byte[] bytes = stream.getBytes(StandardCharsets.ISO_8859_1);
    List<List<Integer>> cuts = new ArrayList<>();
    cuts.add(List.of());
    for (int i = 1; i < bytes.length; i++) {
      cuts.add(List.of(i));
    }
    List<Integer> everyByte = new ArrayList<>();
    for (int i = 1; i < bytes.length; i++) {
      everyByte.add(i);
    }
    cuts.add(everyByte);
    for (List<Integer> cut : cuts) {
      Recorder recorder = new Recorder();
      recorder.answers.addAll(answers);
      ResponseScanner scanner = new ResponseScanner(recorder);
      int from = 0;
      List<Integer> ends = new ArrayList<>(cut);
      ends.add(bytes.length);
      for (int to : ends) {
        // a buffer with bytes before its reader index, which must not be read
        ByteBuf buf = Unpooled.buffer();
        buf.writeBytes("junk".getBytes(StandardCharsets.US_ASCII));
        buf.writeBytes(bytes, from, to - from);
        buf.readerIndex(4);
        scanner.read(buf);
        assertEquals(4, buf.readerIndex(), "the scanner must not consume the buffer");
        buf.release();
        from = to;
      }
      if (close) {
        scanner.closed();
      }
      assertEquals(expected, recorder.events, "cut at " + cut);
    }
  }

  private static int length(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1).length;
  }

  @Test
  void contentLengthBodiesEndEachResponseOnAKeepAliveConnection() {
    String second = "HTTP/1.1 404 Not Found\r\ncontent-length: 3\r\n\r\nnop";
    assertScans(
        OK_FIXED + second,
        List.of(),
        false,
        List.of("head 200", "end " + length(OK_FIXED), "head 404", "end " + length(second)));
  }

  @Test
  void chunkedBodiesEndAfterTheLastChunkAndTrailers() {
    assertScans(
        CHUNKED + OK_FIXED,
        List.of(),
        false,
        List.of("head 201", "end " + length(CHUNKED), "head 200", "end " + length(OK_FIXED)));
  }

  @Test
  void transferEncodingWinsOverContentLength() {
    String response =
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
            + "3\r\nabc\r\n0\r\n\r\n";
    assertScans(response, List.of(), false, List.of("head 200", "end " + length(response)));
  }

  @Test
  void theAnswerToHeadHasNoBodyWhateverItsContentLength() {
    String head = "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n";
    assertScans(
        head + OK_FIXED,
        List.of(ResponseScanner.Body.NONE),
        false,
        List.of("head 200", "end " + length(head), "head 200", "end " + length(OK_FIXED)));
  }

  @Test
  void noContentAndNotModifiedHaveNoBody() {
    String noContent = "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n";
    String notModified = "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n";
    assertScans(
        noContent + notModified + OK_FIXED,
        List.of(),
        false,
        List.of(
            "head 204",
            "end " + length(noContent),
            "head 304",
            "end " + length(notModified),
            "head 200",
            "end " + length(OK_FIXED)));
  }

  @Test
  void interimResponsesBelongToTheFinalOneAndAreNotReported() {
    String interim = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n";
    assertScans(
        interim + OK_FIXED,
        List.of(),
        false,
        List.of("head 200", "end " + length(interim + OK_FIXED)));
  }

  @Test
  void aBodyWithoutLengthRunsUntilTheConnectionCloses() {
    String response = "HTTP/1.0 200 OK\r\n\r\nuntil the end";
    assertScans(response, List.of(), true, List.of("head 200", "end " + length(response)));
  }

  @Test
  void trailersAreSkippedToTheResponsesEnd() {
    String inHead =
        "HTTP/1.1 200 OK\r\ngrpc-status: 14\r\ncontent-length: 0\r\n\r\n";
    String inTrailer =
        "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
            + "1\r\nx\r\n0\r\nGrpc-Status:  0 \r\n\r\n";
    assertScans(
        inHead + inTrailer,
        List.of(),
        false,
        List.of(
            "head 200",
            "end " + length(inHead),
            "head 200",
            "end " + length(inTrailer)));
  }

  @Test
  void aStopFromTheListenerEndsScanning() {
    String upgrade = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
    assertScans(
        upgrade + "\u0081\u0005hello" + OK_FIXED,
        List.of(ResponseScanner.Body.STOP),
        false,
        List.of("head 101"));
  }

  @Test
  void bytesThatAreNotHttpStopIt() {
    Recorder recorder = new Recorder();
    ResponseScanner scanner = new ResponseScanner(recorder);
    scanner.read(Unpooled.copiedBuffer("SSH-2.0-OpenSSH\r\n", StandardCharsets.US_ASCII));
    assertTrue(scanner.stopped());
    assertEquals(List.of(), recorder.events);
  }

  @Test
  void aBadChunkSizeOrContentLengthStopsIt() {
    for (String bad :
        List.of(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            "HTTP/1.1 2x0 OK\r\n\r\n",
            "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n")) {
      ResponseScanner scanner = new ResponseScanner(new Recorder());
      scanner.read(Unpooled.copiedBuffer(bad, StandardCharsets.US_ASCII));
      assertTrue(scanner.stopped(), bad);
    }
  }

  @Test
  void aHeadLargerThanTheLimitStopsIt() {
    ResponseScanner scanner = new ResponseScanner(new Recorder());
    scanner.read(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nX-Big: ", StandardCharsets.US_ASCII));
    assertFalse(scanner.stopped());
    scanner.read(Unpooled.wrappedBuffer(new byte[ResponseScanner.MAX_HEAD + 1]));
    assertTrue(scanner.stopped());
  }

  @Test
  void aLongReasonPhraseAndLongHeadersAreFine() {
    String response =
        "HTTP/1.1 200 "
            + "O".repeat(600)
            + "\r\nX-Long: "
            + "v".repeat(1000)
            + "\r\nContent-Length: 2\r\n\r\nok";
    Recorder recorder = new Recorder();
    ResponseScanner scanner = new ResponseScanner(recorder);
    scanner.read(Unpooled.copiedBuffer(response, StandardCharsets.US_ASCII));
    assertEquals(List.of("head 200", "end " + length(response)), recorder.events);
  }
}
