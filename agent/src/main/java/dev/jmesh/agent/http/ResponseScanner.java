package dev.jmesh.agent.http;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;

/**
 * Follows the HTTP/1 responses of one connection in the bytes the relay passes on, without copying
 * or decoding them: it reads each status line and the few headers that frame a response ({@code
 * Content-Length} and {@code Transfer-Encoding}), skips
 * bodies by their length (content-length or chunked framing, chunk sizes read, data skipped
 * arithmetically) and says where each response ends, so that a keep-alive connection's responses
 * are told apart. Responses without a body (HEAD, 1xx, 204, 304) and bodies that run until the
 * connection closes are handled as RFC 9112 section 6.3 says. The buffers it is given are read at
 * their reader index and left untouched.
 *
 * <p>Anything that does not parse as an HTTP/1 response stops it for good ({@link #stopped()}): the
 * connection then counts as TCP only. One instance per connection, used on its event loop only.
 */
public final class ResponseScanner implements ByteProcessor {

  /** Told about each response as its head is read and when it ends. */
  public interface Listener {

    /**
     * The head of a final (non-1xx, or 101) response has been read.
     *
     * @param status the status code
     * @return how its body is framed: {@link Body#AS_FRAMED} as the headers say, {@link Body#NONE}
     *     for none (the answer to HEAD), {@link Body#STOP} to stop reading this connection
     *     (upgrades, tunnels, an answer to no known request)
     */
    Body head(int status);

    /**
     * The response whose head was reported last has ended.
     *
     * @param bytes every byte of it, head, body and any interim (1xx) responses before it
     */
    void end(long bytes);
  }

  /** What follows a response head. */
  public enum Body {
    AS_FRAMED,
    NONE,
    STOP
  }

  /** Longest head (status line and headers) read before the connection is given up on. */
  static final int MAX_HEAD = 64 * 1024;

  /** Bytes of a line kept: enough for a status line's code and any header this reads. */
  private static final int LINE_KEPT = 256;

  private static final byte[] CONTENT_LENGTH = ascii("content-length");
  private static final byte[] TRANSFER_ENCODING = ascii("transfer-encoding");

  private enum State {
    STATUS_LINE,
    HEADER_LINE,
    FIXED_BODY,
    CHUNK_SIZE_LINE,
    CHUNK_DATA,
    CHUNK_DATA_END,
    TRAILER_LINE,
    UNTIL_CLOSE,
    STOPPED
  }

  private final Listener listener;
  private final byte[] line = new byte[LINE_KEPT];
  private int lineLength;
  private State state = State.STATUS_LINE;

  private int headBytes;
  private long bytes;
  private long remaining;
  private int status;
  private long contentLength;
  private boolean chunked;
  private boolean transferEncoding;

  public ResponseScanner(Listener listener) {
    this.listener = listener;
  }

  /** Whether it gave up (not HTTP/1, a head too large, or the listener said stop). */
  public boolean stopped() {
    return state == State.STOPPED;
  }

  /** Reads the next bytes of the response stream; {@code buf}'s indexes do not move. */
  public void read(ByteBuf buf) {
    int index = buf.readerIndex();
    int end = buf.writerIndex();
    while (index < end) {
      switch (state) {
        case STOPPED:
          return;
        case UNTIL_CLOSE:
          bytes += end - index;
          return;
        case FIXED_BODY:
        case CHUNK_DATA:
          {
            int n = (int) Math.min(remaining, end - index);
            index += n;
            bytes += n;
            remaining -= n;
            if (remaining == 0) {
              if (state == State.FIXED_BODY) {
                ended();
              } else {
                state = State.CHUNK_DATA_END;
              }
            }
            break;
          }
        default:
          {
            int stop = buf.forEachByte(index, end - index, this);
            int next = stop < 0 ? end : stop + 1;
            bytes += next - index;
            index = next;
            if (stop >= 0) {
              lineRead();
            }
          }
      }
    }
  }

  /** The connection closed: a body that runs until the close has ended. */
  public void closed() {
    if (state == State.UNTIL_CLOSE) {
      ended();
      state = State.STOPPED;
    }
  }

  /** Collects one line of a head, a chunk size or trailers; false at its end (the LF). */
  @Override
  public boolean process(byte value) {
    if (value == '\n') {
      return false;
    }
    if (lineLength < LINE_KEPT) {
      line[lineLength] = value;
    }
    lineLength++;
    if (++headBytes > MAX_HEAD) {
      state = State.STOPPED;
      return false;
    }
    return true;
  }

  private void lineRead() {
    if (state == State.STOPPED) {
      return;
    }
    int length = lineLength;
    lineLength = 0;
    if (length > 0 && length <= LINE_KEPT && line[length - 1] == '\r') {
      length--;
    }
    switch (state) {
      case STATUS_LINE -> statusLine(length);
      case HEADER_LINE -> {
        if (length == 0) {
          headEnded();
        } else {
          header(length, false);
        }
      }
      case CHUNK_SIZE_LINE -> chunkSize(length);
      case CHUNK_DATA_END -> {
        if (length != 0) {
          state = State.STOPPED;
        } else {
          state = State.CHUNK_SIZE_LINE;
          headBytes = 0;
        }
      }
      case TRAILER_LINE -> {
        if (length == 0) {
          ended();
        } else {
          header(length, true);
        }
      }
      default -> state = State.STOPPED;
    }
  }

  private void statusLine(int length) {
    if (length == 0) {
      return; // an empty line before the status line is allowed and ignored
    }
    // HTTP/1.x SSS
    if (length < 12
        || !startsWith("HTTP/1.")
        || line[8] != ' '
        || (length > 12 && line[12] != ' ')) {
      state = State.STOPPED;
      return;
    }
    int code = 0;
    for (int i = 9; i < 12; i++) {
      int digit = line[i] - '0';
      if (digit < 0 || digit > 9) {
        state = State.STOPPED;
        return;
      }
      code = code * 10 + digit;
    }
    status = code;
    contentLength = -1;
    chunked = false;
    transferEncoding = false;
    state = State.HEADER_LINE;
  }

  private void header(int length, boolean trailer) {
    if (length > LINE_KEPT) {
      return; // longer than any header this reads needs to be
    }
    int colon = -1;
    for (int i = 0; i < length; i++) {
      if (line[i] == ':') {
        colon = i;
        break;
      }
    }
    if (colon <= 0) {
      state = State.STOPPED;
      return;
    }
    if (trailer) {
      // Trailers carry nothing the framing needs.
      return;
    }
    int from = colon + 1;
    int to = length;
    while (from < to && (line[from] == ' ' || line[from] == '\t')) {
      from++;
    }
    while (to > from && (line[to - 1] == ' ' || line[to - 1] == '\t')) {
      to--;
    }
    if (nameIs(CONTENT_LENGTH, colon)) {
      long value = digits(from, to);
      if (value < 0 || (contentLength >= 0 && contentLength != value)) {
        state = State.STOPPED;
        return;
      }
      contentLength = value;
    } else if (nameIs(TRANSFER_ENCODING, colon)) {
      transferEncoding = true;
      // chunked only when it is the last coding applied
      chunked = endsWithToken(from, to, "chunked");
    }
  }

  private void headEnded() {
    headBytes = 0;
    if (status >= 100 && status < 200 && status != 101) {
      state = State.STATUS_LINE; // interim: the final response follows
      return;
    }
    Body body = listener.head(status);
    if (body == Body.STOP || state == State.STOPPED) {
      state = State.STOPPED;
      return;
    }
    if (body == Body.NONE || status == 204 || status == 304) {
      ended();
    } else if (transferEncoding) {
      // Transfer-Encoding wins over Content-Length; not ending in chunked means until close
      state = chunked ? State.CHUNK_SIZE_LINE : State.UNTIL_CLOSE;
    } else if (contentLength == 0) {
      ended();
    } else if (contentLength > 0) {
      remaining = contentLength;
      state = State.FIXED_BODY;
    } else {
      state = State.UNTIL_CLOSE;
    }
  }

  private void chunkSize(int length) {
    if (length > LINE_KEPT) {
      state = State.STOPPED;
      return;
    }
    long size = 0;
    int digits = 0;
    for (int i = 0; i < length; i++) {
      int digit = Character.digit(line[i], 16);
      if (digit < 0) {
        if (line[i] == ';' || line[i] == ' ' || line[i] == '\t') {
          break; // chunk extensions
        }
        state = State.STOPPED;
        return;
      }
      if (++digits > 15) {
        state = State.STOPPED;
        return;
      }
      size = size * 16 + digit;
    }
    if (digits == 0) {
      state = State.STOPPED;
      return;
    }
    headBytes = 0;
    if (size == 0) {
      state = State.TRAILER_LINE;
    } else {
      remaining = size;
      state = State.CHUNK_DATA;
    }
  }

  private void ended() {
    long total = bytes;
    bytes = 0;
    headBytes = 0;
    state = State.STATUS_LINE;
    listener.end(total);
  }

  private boolean startsWith(String prefix) {
    for (int i = 0; i < prefix.length(); i++) {
      if (line[i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private boolean nameIs(byte[] lowerCaseName, int length) {
    if (length != lowerCaseName.length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (lower(line[i]) != lowerCaseName[i]) {
        return false;
      }
    }
    return true;
  }

  private long digits(int from, int to) {
    if (from == to || to - from > 18) {
      return -1;
    }
    long value = 0;
    for (int i = from; i < to; i++) {
      int digit = line[i] - '0';
      if (digit < 0 || digit > 9) {
        return -1;
      }
      value = value * 10 + digit;
    }
    return value;
  }

  private boolean endsWithToken(int from, int to, String token) {
    int start = from;
    for (int i = to - 1; i >= from; i--) {
      if (line[i] == ',') {
        start = i + 1;
        break;
      }
    }
    return tokenIs(start, to, token);
  }

  private boolean tokenIs(int from, int to, String token) {
    while (from < to && (line[from] == ' ' || line[from] == '\t')) {
      from++;
    }
    while (to > from && (line[to - 1] == ' ' || line[to - 1] == '\t')) {
      to--;
    }
    if (to - from != token.length()) {
      return false;
    }
    for (int i = 0; i < token.length(); i++) {
      if (lower(line[from + i]) != token.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static byte lower(byte b) {
    return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
